"""The criteria catalogue and the default weight profiles per partner type.

Single source of truth for what vendors are scored on. The first five criteria are the seed
document's "actionable criteria" (shared/seeds); the next five are what outsourcing
practitioners add; the rest only make sense for one partner type. Every criterion carries a
1-5 scoring guide so that different evaluators mean the same thing by a "3", and belongs to one
of the five groups practitioners weigh criteria in (`Group`): the groups against each other,
then the criteria within each group (`groups.compose_weights`, `groups.ahp_hierarchy`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .domain import Choice, PartnerType

SCALE = (1.0, 5.0)
"""Default scoring scale: 1 (poor) to 5 (excellent)."""


class Group(Choice):
    """The groups of criteria, in the order they are shown and compared."""

    # compliance and quality of what the partner delivers: inspections, QMS, release testing
    QUALITY = "Quality and regulatory", "quality", "regulatory", "quality & regulatory"
    # know-how to develop, transfer and run our product or study
    TECHNICAL = "Technical", "technical capability"
    # people, suites, sites and slots when we need them, and delivery on time
    CAPACITY = "Capacity and supply", "capacity", "supply", "capacity & supply"
    # what we buy and what it costs: the scope of the offer and its price
    COMMERCIAL = "Commercial", "commercial terms"
    # working together over years: governance, communication, a partner that lasts
    RELATIONSHIP = "Relationship and governance", "relationship", "governance", "relationship & governance"


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    description: str
    guide: dict[int, str]
    """What a 1, a 3 and a 5 mean."""
    source: str
    """"seed", "practice" or the partner type it is specific to."""
    group: Group
    """The group it is weighed in (one per criterion, for every partner type)."""

    @property
    def guide_text(self) -> str:
        return "; ".join(f"{k} = {v}" for k, v in sorted(self.guide.items()))


def _c(key, name, description, one, three, five, source, group) -> Criterion:
    return Criterion(key, name, description, {1: one, 3: three, 5: five}, source, group)


CATALOGUE: tuple[Criterion, ...] = (
    # The seed document's five criteria.
    _c("scope_of_work", "Scope of work",
       "Offers exactly the service needed: data (CRO), production capacity (CMO) or process "
       "innovation plus production (CDMO).",
       "covers a small part of the scope", "covers the core scope with gaps we must fill",
       "covers the whole scope in-house", "seed", Group.COMMERCIAL),
    _c("regulatory_track_record", "Regulatory track record",
       "History of compliance with the agencies of the target markets (FDA, EMA, ...).",
       "recent warning letters or critical findings", "clean record, few relevant filings",
       "clean record and many approvals in our markets", "seed", Group.QUALITY),
    _c("scale_flexibility", "Scale flexibility",
       "Handles today's needs (small clinical batches) and tomorrow's (commercial launch).",
       "one scale only", "can scale with notice and a site change",
       "seamless from clinical to commercial scale", "seed", Group.CAPACITY),
    _c("technology_transfer", "Technology transfer",
       "Ease of transferring development data into their facility (CMO) or of their internal "
       "hand-off from development to manufacturing (CDMO).",
       "no structured transfer process", "documented process, some failed transfers",
       "proven transfer playbook and record", "seed", Group.TECHNICAL),
    _c("quality_systems", "Quality systems",
       "Rigorous QA/QC; audited facilities whose standards match ours.",
       "audit found major gaps", "adequate QMS with minor observations",
       "mature QMS, clean audits, strong data integrity", "seed", Group.QUALITY),
    # What practitioners add.
    _c("capacity", "Capacity",
       "Free capacity (people, suites, slots) when we need it.",
       "no slot within our window", "slot with a delay or shared resources",
       "dedicated capacity on our dates", "practice", Group.CAPACITY),
    _c("timeline", "Timeline and schedule reliability",
       "Credible timeline and a record of delivering on schedule.",
       "frequent, unexplained delays", "usually on time, delays communicated",
       "consistently on or ahead of schedule", "practice", Group.CAPACITY),
    _c("cost", "Cost",
       "Total cost of the engagement, including change orders (5 = most favourable).",
       "well above budget", "within budget", "well below budget with transparent pricing",
       "practice", Group.COMMERCIAL),
    _c("communication", "Project management and communication",
       "Single point of contact, governance, reporting and responsiveness.",
       "slow, unclear communication", "regular reporting, some escalations needed",
       "proactive, transparent, strong governance", "practice", Group.RELATIONSHIP),
    _c("financial_stability", "Financial stability",
       "Financial health and ownership stability over the life of the programme.",
       "going-concern risk", "stable but exposed", "strong, diversified and profitable",
       "practice", Group.RELATIONSHIP),
    # CRO-specific.
    _c("therapeutic_area", "Therapeutic-area experience",
       "Trials run in our indication and therapeutic area.",
       "none in our area", "a few trials in our area", "many trials in our indication",
       "CRO", Group.TECHNICAL),
    _c("patient_recruitment", "Patient recruitment and site network",
       "Access to sites and patients; record of meeting enrolment targets.",
       "enrolment targets usually missed", "targets met with extensions",
       "targets met on time, strong site network", "CRO", Group.CAPACITY),
    _c("data_management", "Data management and biostatistics",
       "Data capture, cleaning, biostatistics and submission-ready outputs.",
       "manual, error-prone", "standard EDC and CDISC outputs",
       "validated systems, fast database lock", "CRO", Group.TECHNICAL),
    # CMO-specific.
    _c("gmp_capacity", "GMP capacity",
       "Licensed GMP suites and lines (bioreactor volume, fill-finish) that fit our product.",
       "no fitting GMP equipment", "fitting equipment, limited availability",
       "fitting GMP lines with spare capacity", "CMO", Group.CAPACITY),
    _c("supply_reliability", "Supply reliability",
       "On-time, in-full delivery; raw-material sourcing; business continuity.",
       "frequent supply failures", "occasional misses, recovered",
       "near-perfect OTIF with dual sourcing", "CMO", Group.CAPACITY),
    # CDMO-specific.
    _c("process_development", "Formulation and process development",
       "Ability to develop the formulation and a manufacturable, scalable process.",
       "no relevant development team", "competent team, limited record",
       "strong record of processes taken to commercial", "CDMO", Group.TECHNICAL),
    _c("analytical_stability", "Analytical and stability",
       "Method development and validation, release testing, stability programmes.",
       "outsources analytics", "standard methods in-house",
       "full in-house analytics and stability", "CDMO", Group.QUALITY),
    _c("scale_up", "Scale-up",
       "Record of scaling processes from lab to clinical to commercial batches.",
       "no scale-up record", "scaled similar processes once or twice",
       "routine, well-documented scale-ups", "CDMO", Group.TECHNICAL),
    _c("modality_expertise", "Modality expertise",
       "Depth of experience with our modality (small molecule, biologic, cell or gene therapy).",
       "never worked with our modality", "some projects in our modality",
       "specialist in our modality", "CDMO", Group.TECHNICAL),
)

CRITERIA: dict[str, Criterion] = {c.key: c for c in CATALOGUE}


@dataclass(frozen=True)
class WeightProfile:
    """Default weights (in percent, summing to 100) for one partner type, with the reasoning."""

    partner_type: PartnerType
    rationale: str
    weights: dict[str, tuple[float, str]]
    """criterion key -> (weight in %, one-line rationale)."""

    @property
    def criteria(self) -> list[Criterion]:
        return [CRITERIA[k] for k in self.weights]

    def as_dict(self) -> dict[str, float]:
        """Criterion display name -> weight in percent, catalogue order."""
        return {CRITERIA[k].name: w for k, (w, _) in self.weights.items()}

    def by_group(self) -> dict[str, dict[str, float]]:
        """Group label -> {criterion display name: weight in percent}, groups in `Group` order
        (those the profile has criteria in); a group's weight is the sum of its criteria's."""
        grouped = {group.label: {} for group in Group}
        for criterion in self.criteria:
            grouped[criterion.group.label][criterion.name] = self.weights[criterion.key][0]
        return {label: weights for label, weights in grouped.items() if weights}


PROFILES: dict[PartnerType, WeightProfile] = {
    PartnerType.CRO: WeightProfile(
        PartnerType.CRO,
        "A CRO's product is data: regulatory standing, recruitment and data quality weigh most.",
        {
            "scope_of_work": (10, "the study must be covered end to end"),
            "regulatory_track_record": (15, "inspection findings put the whole dossier at risk"),
            "quality_systems": (12, "GCP compliance and data integrity"),
            "capacity": (3, "staff availability matters less than skills"),
            "timeline": (8, "enrolment and database-lock dates drive the programme"),
            "cost": (7, "trials are expensive, but the cheapest CRO is rarely the fastest"),
            "communication": (8, "sponsor oversight needs clear governance"),
            "financial_stability": (3, "a multi-year trial needs a partner that lasts"),
            "therapeutic_area": (12, "indication know-how shapes protocol and site choice"),
            "patient_recruitment": (12, "recruitment is the first cause of trial delays"),
            "data_management": (10, "the deliverable is submission-ready data"),
        },
    ),
    PartnerType.CMO: WeightProfile(
        PartnerType.CMO,
        "A CMO executes an existing process: quality, compliance and reliable supply come first.",
        {
            "scope_of_work": (6, "the process is ours; scope is usually clear"),
            "regulatory_track_record": (15, "a failed inspection stops commercial supply"),
            "scale_flexibility": (8, "demand may grow after launch"),
            "technology_transfer": (12, "our process must transfer into their plant"),
            "quality_systems": (16, "every batch must meet specification"),
            "timeline": (5, "slots and lead times"),
            "cost": (8, "cost of goods matters at commercial scale"),
            "communication": (3, "routine production needs light governance"),
            "financial_stability": (3, "supply continuity over years"),
            "gmp_capacity": (12, "fitting licensed lines are the core offer"),
            "supply_reliability": (12, "missed deliveries mean stock-outs"),
        },
    ),
    PartnerType.CDMO: WeightProfile(
        PartnerType.CDMO,
        "A CDMO develops then makes the product: development depth and continuity weigh most.",
        {
            "scope_of_work": (6, "development and manufacturing under one roof"),
            "regulatory_track_record": (12, "CMC sections of our filings depend on them"),
            "scale_flexibility": (8, "from first clinical batches to launch"),
            "technology_transfer": (8, "internal hand-off from development to the plant"),
            "quality_systems": (14, "GMP from the first clinical batch"),
            "capacity": (4, "development teams and suites when we need them"),
            "timeline": (4, "development milestones"),
            "cost": (3, "early programmes buy expertise rather than volume"),
            "communication": (3, "a long, collaborative relationship"),
            "financial_stability": (2, "the partner must last to commercial"),
            "process_development": (12, "the 'D' in CDMO: a manufacturable process"),
            "analytical_stability": (8, "methods and stability data for every filing"),
            "scale_up": (8, "scale-up is where processes fail"),
            "modality_expertise": (8, "complex modalities need specialist know-how"),
        },
    ),
}


def default_weights(partner_type: PartnerType | str) -> dict[str, float]:
    """Default weights (criterion name -> percent) of a partner type's profile."""
    return PROFILES[PartnerType.parse(partner_type, "partner type")].as_dict()
