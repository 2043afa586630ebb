"""Domain vocabulary: partner types, lifecycle stages and the sponsor's situation.

This module is the single source of truth for the words partnerfit understands. The engine
(`recommend`), the template workbook (drop-down lists) and the docs all read it.

Source: "Outsourcing Partners in Biopharma: CRO vs CMO vs CDMO" (shared/seeds), which defines
the three partner types, where they enter the lifecycle and what they deliver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cache

from .errors import PartnerfitError, show


class Choice(str, Enum):
    """An enum whose members have a display label and accept synonyms when parsed from text."""

    def __new__(cls, label: str, *synonyms: str):
        member = str.__new__(cls, label)
        member._value_ = label
        member.synonyms = tuple(synonyms)
        return member

    @property
    def label(self) -> str:
        return self.value

    def __str__(self) -> str:
        return self.value

    @classmethod
    def labels(cls) -> list[str]:
        return [m.value for m in cls]

    @classmethod
    def parse(cls, text: object, what: str) -> Choice:
        """Read a value typed by a person: case-insensitive, trimmed, synonyms accepted."""
        member = _spellings(cls).get(normalise(text))
        if member is not None:
            return member
        raise PartnerfitError(
            f'{what} {show(text)} is not one of {", ".join(cls.labels())}'
        )


@cache
def _spellings(kind: type[Choice]) -> dict[str, Choice]:
    """Each normalised label and synonym of `kind` -> its member (the first member that has it)."""
    return {normalise(s): member for member in reversed(kind) for s in (member.value, *member.synonyms)}


def normalise(text: object) -> str:
    """Lower-case, trimmed, with runs of spaces, dashes and underscores folded to one space."""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return re.sub(r"[\s_\-]+", " ", str(text).strip().lower())


class PartnerType(Choice):
    CRO = "CRO", "contract research organization", "contract research organisation"
    CMO = "CMO", "contract manufacturing organization", "contract manufacturing organisation"
    CDMO = (
        "CDMO",
        "contract development and manufacturing organization",
        "contract development and manufacturing organisation",
    )


class Stage(Choice):
    DISCOVERY = "Discovery", "research", "lead optimisation", "lead optimization"
    PRECLINICAL = "Preclinical", "pre clinical", "nonclinical", "non clinical", "ind enabling"
    PHASE_1 = "Phase I", "phase 1", "p1", "ph1", "ph i", "first in human", "fih"
    PHASE_2 = "Phase II", "phase 2", "p2", "ph2", "ph ii"
    PHASE_3 = "Phase III", "phase 3", "p3", "ph3", "ph iii", "pivotal"
    COMMERCIAL = (
        "Commercial", "approved", "marketed", "launch", "launched", "post approval",
        "phase iv", "phase 4", "p4",
    )


class Need(Choice):
    CLINICAL = "clinical", "clinical trials", "clinical research", "trials", "research", "data"
    DEVELOPMENT = (
        "development", "process development", "formulation", "formulation development", "cmc",
    )
    MANUFACTURING = (
        "manufacturing", "manufacture", "production", "supply", "commercial supply",
        "clinical supply", "gmp manufacturing",
    )


class Process(Choice):
    NONE = "none", "no process", "no", "not yet"
    LAB_SCALE = "lab-scale", "lab scale", "lab", "bench", "bench scale", "immature"
    DEFINED = "defined", "established", "tech transfer ready", "locked"
    VALIDATED = "validated", "ppq", "commercial", "validated process"


class CMCExperience(Choice):
    NONE = "none", "no", "nil"
    LIMITED = "limited", "low", "little", "some"
    MODERATE = "moderate", "medium", "fair"
    STRONG = "strong", "high", "extensive", "expert"


class Modality(Choice):
    SMALL_MOLECULE = "small molecule", "small molecules", "sm", "chemical", "api", "nce"
    BIOLOGIC = "biologic", "biologics", "antibody", "mab", "monoclonal antibody", "protein"
    CELL_THERAPY = "cell therapy", "cell", "car t", "cart", "cgt cell"
    GENE_THERAPY = "gene therapy", "gene", "aav", "viral vector", "mrna"
    OTHER = "other", "peptide", "oligonucleotide", "vaccine"


_NEED_SPLIT = re.compile(r"\s*(?:\+|,|;|&|/|\band\b)\s*", re.IGNORECASE)
_END_TO_END = {"end to end", "endtoend", "full service", "integrated", "development and manufacturing"}


def parse_needs(text: object) -> frozenset[Need]:
    """Read one or several needs: "clinical", "development + manufacturing", "end-to-end"."""
    if text is None or not str(text).strip():
        raise PartnerfitError(
            f'need is blank; enter one or more of {", ".join(Need.labels())} (joined by "+")'
        )
    if normalise(text) in _END_TO_END:
        return frozenset({Need.DEVELOPMENT, Need.MANUFACTURING})
    needs: set[Need] = set()
    for part in _NEED_SPLIT.split(str(text)):
        if not part.strip():
            continue
        if normalise(part) in _END_TO_END:
            needs |= {Need.DEVELOPMENT, Need.MANUFACTURING}
            continue
        try:
            needs.add(Need.parse(part, "need"))
        except PartnerfitError:
            raise PartnerfitError(
                f'need {show(part.strip())} is not one of {", ".join(Need.labels())} '
                '(join several with "+", e.g. "development + manufacturing")'
            ) from None
    if not needs:  # only separators, e.g. "+" or ", and"
        raise PartnerfitError(
            f'need {show(text)} names no need; enter one or more of {", ".join(Need.labels())} (joined by "+")'
        )
    return frozenset(needs)


@dataclass(frozen=True)
class PartnerProfile:
    """What a partner type is, when it enters the lifecycle and what it delivers (seed table)."""

    type: PartnerType
    name: str
    focus: str
    stages: tuple[Stage, ...]
    deliverables: str


PARTNER_PROFILES: dict[PartnerType, PartnerProfile] = {
    PartnerType.CRO: PartnerProfile(
        PartnerType.CRO,
        "Contract Research Organization",
        "Clinical research, trial management and data collection: they test the drug.",
        (Stage.PRECLINICAL, Stage.PHASE_1, Stage.PHASE_2, Stage.PHASE_3, Stage.COMMERCIAL),
        "Clinical study reports, regulatory dossiers and safety data.",
    ),
    PartnerType.CMO: PartnerProfile(
        PartnerType.CMO,
        "Contract Manufacturing Organization",
        "Large-scale production with the sponsor's existing process: they build the drug.",
        (Stage.PHASE_3, Stage.COMMERCIAL),
        "Finished drug product or drug substance ready for distribution.",
    ),
    PartnerType.CDMO: PartnerProfile(
        PartnerType.CDMO,
        "Contract Development and Manufacturing Organization",
        "Develops the formulation and process, then manufactures: they improve and build the drug.",
        (Stage.PRECLINICAL, Stage.PHASE_1, Stage.PHASE_2, Stage.PHASE_3, Stage.COMMERCIAL),
        "Optimized manufacturing processes, cell lines and finished drug product.",
    ),
}


@dataclass(frozen=True)
class FitRule:
    """One row of the point table: when `factor` is `value`, add `points` to each partner type."""

    factor: str
    value: Choice | tuple[Need, ...]
    cro: int
    cmo: int
    cdmo: int
    because: str

    def points(self, partner_type: PartnerType) -> int:
        return {PartnerType.CRO: self.cro, PartnerType.CMO: self.cmo, PartnerType.CDMO: self.cdmo}[
            partner_type
        ]


_D, _M = Need.DEVELOPMENT, Need.MANUFACTURING

FIT_TABLE: tuple[FitRule, ...] = (
    #        factor            value                 CRO CMO CDMO  because
    FitRule("need", Need.CLINICAL, 4, 0, 0, "a clinical need is served by a CRO"),
    FitRule("need", Need.DEVELOPMENT, 0, -2, 3, "development is the CDMO's 'D'; a CMO runs an existing process"),
    FitRule("need", Need.MANUFACTURING, 0, 3, 1, "manufacturing at scale is the CMO's core offer"),
    FitRule("need", (_D, _M), 0, 0, 2, "development and manufacturing under one roof avoid a tech transfer"),
    FitRule("stage", Stage.DISCOVERY, -1, -2, 2, "no clinical data or scale needed yet"),
    FitRule("stage", Stage.PRECLINICAL, 0, -1, 2, "CDMOs enter as early as preclinical"),
    FitRule("stage", Stage.PHASE_1, 1, -1, 1, "early clinical work: the process still evolves"),
    FitRule("stage", Stage.PHASE_2, 1, 0, 1, "clinical research peaks; the process is being fixed"),
    FitRule("stage", Stage.PHASE_3, 1, 1, 0, "CMOs enter for late-stage supply"),
    FitRule("stage", Stage.COMMERCIAL, -1, 3, -1, "an approved drug needs volume, a CMO's strength"),
    FitRule("process", Process.NONE, 0, -2, 2, "no process yet: someone must develop it"),
    FitRule("process", Process.LAB_SCALE, 0, -1, 1, "an immature process needs scale-up work"),
    FitRule("process", Process.DEFINED, 0, 1, 0, "a defined process can be transferred and run"),
    FitRule("process", Process.VALIDATED, 0, 3, -1, "a validated process only needs executing"),
    FitRule("cmc_experience", CMCExperience.NONE, 0, -1, 2, "no CMC team to steer a manufacturer"),
    FitRule("cmc_experience", CMCExperience.LIMITED, 0, -1, 1, "limited CMC experience favours a guiding partner"),
    FitRule("cmc_experience", CMCExperience.MODERATE, 0, 0, 0, "moderate CMC experience favours neither"),
    FitRule("cmc_experience", CMCExperience.STRONG, 0, 2, -1, "a strong CMC team can direct a CMO"),
    FitRule("modality", Modality.SMALL_MOLECULE, 0, 1, 0, "small-molecule processes transfer readily"),
    FitRule("modality", Modality.BIOLOGIC, 0, 0, 1, "biologics processes are hard to transfer"),
    FitRule("modality", Modality.CELL_THERAPY, 0, -1, 2, "cell therapies need process know-how at every step"),
    FitRule("modality", Modality.GENE_THERAPY, 0, -1, 2, "gene therapies need process know-how at every step"),
    FitRule("modality", Modality.OTHER, 0, 0, 0, "no modality effect"),
)
"""The partner-fit point table. A blank (unknown) optional input adds nothing to any type."""
