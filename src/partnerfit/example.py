"""The bundled, fictional example: a biotech choosing a CDMO for a biologic.

Eight vendors of mixed quality, some cells blank or N/A, one knocked out by a must-have.
Used by `partnerfit demo`, the example workbook and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .criteria import PROFILES
from .domain import PartnerType


@dataclass(frozen=True)
class Vendor:
    name: str
    site: str
    scores: tuple
    """One cell per criterion of the profile, in profile order: a number, None (blank) or "N/A"."""
    evidence: str = ""
    comments: str = ""
    partner_type: str = "CDMO"


@dataclass(frozen=True)
class Example:
    stage: str
    need: str
    process: str
    cmc_experience: str
    modality: str
    partner_type: PartnerType
    vendors: tuple[Vendor, ...]
    minimums: dict[str, float] = field(default_factory=dict)
    """Must-have minimums by criterion name."""

    @property
    def criteria(self) -> list[str]:
        return [c.name for c in PROFILES[self.partner_type].criteria]

    @property
    def weights(self) -> dict[str, float]:
        return PROFILES[self.partner_type].as_dict()

    def scores_frame(self):
        """Vendors x criteria as a DataFrame (cells exactly as entered)."""
        import pandas as pd

        return pd.DataFrame(
            [list(v.scores) for v in self.vendors],
            index=pd.Index([v.name for v in self.vendors], name="vendor"),
            columns=self.criteria,
            dtype=object,
        )


NA = "N/A"

# Criteria order (CDMO profile): scope, regulatory, scale flexibility, tech transfer, quality,
# capacity, timeline, cost, communication, financial stability, process development,
# analytical and stability, scale-up, modality expertise.
EXAMPLE = Example(
    stage="Preclinical",
    need="development + manufacturing",
    process="lab-scale",
    cmc_experience="limited",
    modality="biologic",
    partner_type=PartnerType.CDMO,
    minimums={"Quality systems": 3, "Regulatory track record": 3},
    vendors=(
        Vendor("Alder Biologics", "Basel, CH", (5, 4, 4, 4, 5, 3, 4, 2, 4, 4, 5, 4, 4, 5),
               "2024 audit: no major findings; 3 mAbs taken to BLA", "Premium price, top science"),
        Vendor("Birchwood CDMO", "Boston, US", (4, 5, 5, 4, 4, 4, 3, 3, 4, 5, 4, 4, 5, 4),
               "FDA PAI passed 2025", "Strong commercial scale"),
        Vendor("Cedar Pharma Services", "Cork, IE", (4, 4, 3, 3, 4, 5, 4, 4, 3, 3, 3, 4, 3, 3),
               "Capacity confirmed for Q3", ""),
        Vendor("Dunmore Bio", "Singapore, SG", (3, 3, 4, None, 3, 4, 4, 5, 3, None, 4, 3, 4, 3),
               "Reference call pending", "Tech-transfer record not yet reviewed"),
        Vendor("Elmstead Manufacturing", "Hyderabad, IN", (3, 4, 4, 3, 2, 5, 3, 5, 3, 4, 3, 3, 4, 2),
               "2023 audit: data-integrity observations", "Cheapest quote"),
        Vendor("Fernhill Life Sciences", "Leiden, NL", (4, 4, 3, 4, 4, 3, 4, 3, 5, 3, 5, 5, 3, 5),
               "Cell-line development in-house", "Very responsive team"),
        Vendor("Garnet BioWorks", "Incheon, KR", (4, 5, 5, 4, 5, NA, 3, 3, 3, 5, 4, 5, 5, 4),
               "Two 15,000 L lines", "Capacity N/A until the 2027 expansion is confirmed"),
        Vendor("Hollis Development", "Austin, US", (3, None, None, None, 4, 3, None, 4, None, None, 4, None, None, None),
               "Early-stage start-up; questionnaire half answered", "Re-score after site visit"),
    ),
)
