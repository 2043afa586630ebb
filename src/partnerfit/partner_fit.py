"""Which partner type fits the sponsor's situation: CRO, CMO, CDMO or a pair.

Method: the point table `domain.FIT_TABLE` adds points to each partner type for every input
that matches a row (a blank optional input matches nothing, so it is neutral). Each type's
points are rescaled to a 0-100 fit score between the fewest and the most points that type can
get from the table (CMO and CDMO share one scale, so their scores compare directly). The partner type then follows the seed document's division of labour:

* a clinical need is served by a CRO;
* a development or manufacturing need by a CMO or a CDMO, whichever fits better
  (a tie goes to the CDMO, which can both develop and manufacture);
* a need spanning both gives the pair, e.g. ``CRO + CDMO``.

A type that serves none of the needs (a CRO when nothing clinical is needed; a CMO or CDMO when
nothing is to be developed or manufactured) fits 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from .domain import (
    FIT_TABLE,
    CMCExperience,
    FitRule,
    Modality,
    Need,
    PartnerType,
    Process,
    Stage,
    parse_needs,
)
from .errors import PartnerfitError

TYPES = (PartnerType.CRO, PartnerType.CMO, PartnerType.CDMO)


@dataclass(frozen=True)
class Situation:
    """The sponsor's programme; `None` means unknown."""

    stage: Stage
    needs: frozenset[Need]
    process: Process | None = None
    cmc_experience: CMCExperience | None = None
    modality: Modality | None = None

    def value(self, factor: str):
        return self.needs if factor == "need" else getattr(self, factor)


@dataclass(frozen=True)
class Recommendation:
    partner_type: str
    """One of CRO, CMO, CDMO, "CRO + CMO", "CRO + CDMO"."""
    scores: dict[str, int]
    """Fit score 0-100 for each of CRO, CMO, CDMO."""
    reason: str
    situation: Situation


def _matches(rule: FitRule, situation: Situation) -> bool:
    return _matches_value(rule, situation.value(rule.factor))


def _matches_value(rule: FitRule, value) -> bool:
    """Whether `rule` applies when its factor has `value` (a need: the set of needs)."""
    if rule.factor == "need":
        wanted = rule.value if isinstance(rule.value, tuple) else (rule.value,)
        return all(n in value for n in wanted)
    return value is not None and value == rule.value


SERVES = {
    PartnerType.CRO: frozenset({Need.CLINICAL}),
    PartnerType.CMO: frozenset({Need.DEVELOPMENT, Need.MANUFACTURING}),
    PartnerType.CDMO: frozenset({Need.DEVELOPMENT, Need.MANUFACTURING}),
}
"""The needs each partner type serves (seed document)."""


def _points(situation: Situation) -> dict[PartnerType, int]:
    matched = [r for r in FIT_TABLE if _matches(r, situation)]
    return {t: sum(r.points(t) for r in matched) for t in TYPES}


@lru_cache(maxsize=1)
def _point_ranges() -> dict[PartnerType, tuple[int, int]]:
    """Fewest and most points each type can get, over every possible situation. Each rule concerns
    one factor and the factors vary independently, so the extremes are the sums of each factor's
    extremes: the same as trying all 6,300 situations, in a fraction of a millisecond."""
    need_sets = [frozenset(c) for k in (1, 2, 3) for c in combinations(list(Need), k)]
    options = {"stage": list(Stage), "need": need_sets, "process": [None, *Process],
               "cmc_experience": [None, *CMCExperience], "modality": [None, *Modality]}
    factor_points = [[{t: sum(r.points(t) for r in FIT_TABLE if r.factor == factor and _matches_value(r, value))
                       for t in TYPES} for value in values] for factor, values in options.items()]
    ranges = {t: (sum(min(p[t] for p in points) for points in factor_points),
                  sum(max(p[t] for p in points) for points in factor_points)) for t in TYPES}
    makers = (PartnerType.CMO, PartnerType.CDMO)
    shared = (min(ranges[t][0] for t in makers), max(ranges[t][1] for t in makers))
    return {**ranges, **{t: shared for t in makers}}


def fit_scores(situation: Situation) -> dict[str, int]:
    """Whole-number 0-100 fit score per partner type: points rescaled between the extremes."""
    ranges = _point_ranges()
    points = _points(situation)
    return {
        t.value: math.floor(100 * (points[t] - ranges[t][0]) / (ranges[t][1] - ranges[t][0]) + 0.5)
        if situation.needs & SERVES[t] else 0
        for t in TYPES
    }


_FACTOR_WORDS = {
    "need": "the {} need",
    "stage": "stage {}",
    "process": "process {}",
    "cmc_experience": "CMC experience {}",
    "modality": "modality {}",
}


def _describe(rule: FitRule) -> str:
    if isinstance(rule.value, tuple):
        return "development and manufacturing together"
    return _FACTOR_WORDS[rule.factor].format(rule.value.label)


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _manufacturing_side(situation: Situation, scores: dict[str, int]) -> tuple[PartnerType, str]:
    """CMO or CDMO, and the clause explaining why."""
    winner = PartnerType.CMO if scores["CMO"] > scores["CDMO"] else PartnerType.CDMO
    loser = PartnerType.CDMO if winner is PartnerType.CMO else PartnerType.CMO
    decisive = sorted(
        (r for r in FIT_TABLE if _matches(r, situation) and r.points(winner) > r.points(loser)),
        key=lambda r: r.points(loser) - r.points(winner),
    )
    fit = f"{winner.value} fits {scores[winner.value]} against {loser.value}'s {scores[loser.value]}"
    if scores["CMO"] == scores["CDMO"]:
        fit += " (a tie goes to the CDMO, which can both develop and manufacture)"
    if not decisive:
        return winner, f"{fit}, as nothing entered favours a {loser.value}"
    return winner, f"{fit} because of {_join([_describe(r) for r in decisive])}"


def recommend(stage, need, process=None, cmc_experience=None, modality=None) -> Recommendation:
    """Recommend the partner type for a programme.

    Text inputs are case-insensitive, trimmed and accept common synonyms ("Phase 2", "P2",
    "approved"); several needs are joined by "+", "," or "and" ("end-to-end" means
    development + manufacturing). Blank optional inputs count as unknown.
    Raises `PartnerfitError` with a one-line message for anything it cannot read.
    """
    for what, value in (("stage", stage), ("need", need), ("process", process),
                        ("CMC experience", cmc_experience), ("modality", modality)):
        _one_value(value, what)
    situation = Situation(
        stage=Stage.parse(_required(stage, "stage", Stage.labels()), "stage"),
        needs=parse_needs(need),
        process=_optional(Process, process, "process"),
        cmc_experience=_optional(CMCExperience, cmc_experience, "CMC experience"),
        modality=_optional(Modality, modality, "modality"),
    )
    scores = fit_scores(situation)
    clinical = Need.CLINICAL in situation.needs
    if not situation.needs & {Need.DEVELOPMENT, Need.MANUFACTURING}:
        return Recommendation(
            "CRO", scores,
            "CRO: the need is clinical (trials, data and regulatory insight), which a CRO serves, "
            "and nothing is to be developed or manufactured.",
            situation,
        )
    side, why = _manufacturing_side(situation, scores)
    if clinical:
        label = f"CRO + {side.value}"
        reason = f"{label}: the clinical need goes to a CRO, and for the rest {why}."
    else:
        label = side.value
        reason = f"{label}: {why}."
    return Recommendation(label, scores, reason, situation)


def _one_value(value, what: str) -> None:
    """A range of cells (a list from Excel) where one value belongs: say so in one line."""
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        raise PartnerfitError(f"{what} is a range or list of {len(value)} value(s); give one value (one cell)")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _required(value, what: str, choices: list[str]):
    if _blank(value):
        raise PartnerfitError(f"{what} is blank; enter one of {', '.join(choices)}")
    return value


def _optional(kind, value, what: str):
    return None if _blank(value) else kind.parse(value, what)


# ------------------------------------------------------------------ the point table as a lookup

FACTOR_CHOICES = {
    "stage": Stage, "process": Process, "cmc_experience": CMCExperience, "modality": Modality,
}
"""The one-choice factors of the point table and the drop-down each is chosen from."""


def need_options() -> list[str]:
    """The need drop-down: every combination of needs in catalogue order, joined by " + "."""
    labels = Need.labels()
    return [" + ".join(c) for k in range(1, len(labels) + 1) for c in combinations(labels, k)]


@dataclass(frozen=True)
class FitOption:
    """One drop-down value of one Program input, as a row of the workbook's fit lookup."""

    factor: str
    label: str
    points: tuple[int, int, int]
    """Points for CRO, CMO, CDMO: the point table's rows that this value alone matches, summed."""
    clinical: bool = False
    """(needs) A CRO is wanted."""
    makes: bool = False
    """(needs) Something is to be developed or manufactured: a CMO or a CDMO is wanted."""


@lru_cache(maxsize=1)
def fit_lookup() -> tuple[FitOption, ...]:
    """Every drop-down value of every Program input with its points: the fit score of a
    programme is the sum of its values' points, rescaled by `fit_ranges` (tested against
    `recommend` for every combination). The workbook's native formulas read this table."""
    def summed(rules) -> tuple[int, int, int]:
        rules = list(rules)
        return tuple(sum(r.points(t) for r in rules) for t in TYPES)

    options = []
    for label in need_options():
        needs = parse_needs(label)
        only_needs = Situation(Stage.DISCOVERY, needs)  # the stage plays no part in the need rules
        rules = [r for r in FIT_TABLE if r.factor == "need" and _matches(r, only_needs)]
        options.append(FitOption("need", label, summed(rules), Need.CLINICAL in needs,
                                 bool(needs & SERVES[PartnerType.CMO])))
    for factor, kind in FACTOR_CHOICES.items():
        for member in kind:
            options.append(FitOption(factor, member.label,
                                     summed(r for r in FIT_TABLE if r.factor == factor and r.value == member)))
    return tuple(options)


def fit_ranges() -> dict[str, tuple[int, int]]:
    """Fewest and most points per partner type (CMO and CDMO share one scale): 0 and 100."""
    return {t.value: bounds for t, bounds in _point_ranges().items()}


def fit_key(factor: str, label: str) -> str:
    """A drop-down value's key in the fit lookup, as the workbook's MATCH compares it."""
    return f"{factor}|{label.lower()}"


PROGRAMME_FIELDS = {
    "stage": "the development stage", "need": "what you need", "process": "the process maturity",
    "cmc_experience": "the CMC experience", "modality": "the modality",
}
"""The Program sheet's inputs in order, as its messages name them."""
NO_PROGRAMME = "Enter the development stage and what you need"
PICK_FROM_LIST = "Pick {what} from the list"


@dataclass(frozen=True)
class ProgrammeReading:
    """The Program sheet as its formulas read it: each input a drop-down value or blank."""

    rows: dict[str, int]
    """Per input its row in `fit_lookup()` (1-based); 0 blank, -1 not a value of its list."""
    recommendation: Recommendation | None
    message: str
    """What the workbook shows instead of a partner type ("" when there is one)."""


def read_programme(values: dict[str, object]) -> ProgrammeReading:
    """Read the Program sheet as its native formulas do: a value counts when, trimmed and in any
    case, it is one of its drop-down list's values (no synonyms: those are for `recommend`).
    `values` maps the keys of PROGRAMME_FIELDS to the cells as entered."""
    from .cells import choice_value

    keys = {fit_key(o.factor, o.label): k for k, o in enumerate(fit_lookup(), start=1)}
    rows = {}
    for field in PROGRAMME_FIELDS:
        text = choice_value(values.get(field))
        rows[field] = 0 if not text else keys.get(f"{field}|{text}", -1)
    bad = [f for f in PROGRAMME_FIELDS if rows[f] < 0]
    if bad:
        return ProgrammeReading(rows, None, PICK_FROM_LIST.format(what=PROGRAMME_FIELDS[bad[0]]))
    if not rows["stage"] or not rows["need"]:
        return ProgrammeReading(rows, None, NO_PROGRAMME)
    options = fit_lookup()
    labels = [options[rows[f] - 1].label if rows[f] else None for f in PROGRAMME_FIELDS]
    return ProgrammeReading(rows, recommend(*labels), "")
