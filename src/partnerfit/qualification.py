"""Risk tier and qualification plan of a vendor: how deep to qualify it and how often to re-evaluate.

The single source of truth for the tier table (the README and the workbook read it). ICH Q9(R1)
asks that "the level of effort, formality and documentation of the quality risk management
process should be commensurate with the level of risk"; EU GMP Chapter 7 and ICH Q10 2.7 ask that
the contract giver assess the contract acceptor before outsourcing and monitor it afterwards.
Here the risk is the criticality of what the vendor supplies, raised by the programme:

    raisers = [the modality raises risk for this partner type] + [the stage raises risk]
    tier    = TIER_TABLE[criticality][raisers]          (1 high, 2 medium, 3 low)

| criticality | no raiser | one raiser | both raisers |
|---|---|---|---|
| critical | 1 | 1 | 1 |
| major    | 2 | 2 | 1 |
| minor    | 3 | 3 | 2 |

Criticality dominates: one raiser never changes the tier, both raise it one step. Raisers:

* modality, CMO or CDMO: biologic, cell therapy, gene therapy, other (peptide, oligonucleotide,
  vaccine: mostly sterile injectables); not small molecule. CRO: cell and gene therapy only
  (advanced therapies: complex safety follow-up); a CRO does not make the product.
* stage: Phase III and Commercial (pivotal data and supply to many patients).

A blank input is unknown, never good news: a blank criticality counts as critical, a blank
modality or stage raises risk. The tier sets the plan (`PLANS`): tier 1 an on-site audit and
re-evaluation every year, tier 2 a remote audit every 2 years, tier 3 a questionnaire every
3 years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cells import is_blank
from .domain import Choice, Modality, PartnerType, Stage


class Criticality(Choice):
    """How much a failure of the supply would affect patients, product quality or trial data."""

    CRITICAL = "critical", "high", "direct impact"
    MAJOR = "major", "medium", "moderate", "indirect impact"
    MINOR = "minor", "low", "no impact"


TIER_TABLE: dict[Criticality, tuple[int, int, int]] = {
    #                       raisers: 0  1  2
    Criticality.CRITICAL: (1, 1, 1),
    Criticality.MAJOR: (2, 2, 1),
    Criticality.MINOR: (3, 3, 2),
}
"""Tier by criticality and number of raisers (0, 1, 2). A blank criticality is read as critical."""

RAISING_MODALITIES: dict[PartnerType, frozenset[Modality]] = {
    PartnerType.CRO: frozenset({Modality.CELL_THERAPY, Modality.GENE_THERAPY}),
    PartnerType.CMO: frozenset({Modality.BIOLOGIC, Modality.CELL_THERAPY, Modality.GENE_THERAPY, Modality.OTHER}),
    PartnerType.CDMO: frozenset({Modality.BIOLOGIC, Modality.CELL_THERAPY, Modality.GENE_THERAPY, Modality.OTHER}),
}
"""Modalities that raise the risk, per partner type; a blank modality raises it too."""

RAISING_STAGES: frozenset[Stage] = frozenset({Stage.PHASE_3, Stage.COMMERCIAL})
"""Stages that raise the risk; a blank stage raises it too."""


@dataclass(frozen=True)
class Plan:
    """What a tier calls for."""

    tier: int
    activity: str
    interval_years: int
    """Re-evaluate this many years after the last qualification (audit or questionnaire)."""


PLANS: dict[int, Plan] = {
    1: Plan(1, "on-site audit", 1),
    2: Plan(2, "remote audit", 2),
    3: Plan(3, "questionnaire", 3),
}

TIERS = np.array([TIER_TABLE[c] for c in Criticality], dtype=np.int8)
"""`TIER_TABLE` as an array: TIERS[criticality code, raisers], codes in `Criticality` order."""


@dataclass(frozen=True)
class Programme:
    """The programme's part of the tier: which of its inputs raise the risk, and why."""

    raisers: int
    reason: str
    """E.g. "risk raised by modality biologic, stage Phase III" ("" when nothing raises it)."""


def programme_risk(partner_type: object, modality: object = None, stage: object = None) -> Programme:
    """How many raisers the programme has (0-2) and a reason naming them.

    `partner_type` is CRO, CMO or CDMO; `modality` and `stage` may be blank (unknown: they raise
    the risk). Text is read as `domain.Choice.parse` reads it (synonyms, any case).
    """
    kind = PartnerType.parse(partner_type, "partner type")
    raised = []
    if is_blank(modality):
        raised.append("modality not given")
    elif (m := Modality.parse(modality, "modality")) in RAISING_MODALITIES[kind]:
        raised.append(f"modality {m}")
    if is_blank(stage):
        raised.append("stage not given")
    elif (s := Stage.parse(stage, "stage")) in RAISING_STAGES:
        raised.append(f"stage {s}")
    return Programme(len(raised), f"risk raised by {', '.join(raised)}" if raised else "")


def qualification_plan(
    criticality: object, partner_type: object, modality: object = None, stage: object = None
) -> Plan:
    """The plan of one supply (see the module docstring); a blank criticality counts as critical."""
    level = Criticality.CRITICAL if is_blank(criticality) else Criticality.parse(criticality, "criticality")
    return PLANS[TIER_TABLE[level][programme_risk(partner_type, modality, stage).raisers]]
