"""Partner-type recommendation: published scenarios, every rule of the point table, parsing."""

import pytest

from partnerfit import PartnerfitError, recommend
from partnerfit.domain import FIT_TABLE, Need, Stage, parse_needs
from partnerfit.partner_fit import Situation, _point_ranges, fit_scores


# shared/reference/published_cases.md, S1-S3 (scenarios stated by the seed document).
@pytest.mark.parametrize(
    "inputs, expected",
    [
        (("Phase II", "clinical", None, None, None), "CRO"),  # S1
        (("Commercial", "manufacturing", "validated", "strong", "small molecule"), "CMO"),  # S2
        (("Preclinical", "development and manufacturing", "none", "limited", "cell therapy"), "CDMO"),  # S3
    ],
)
def test_published_scenarios(inputs, expected):
    assert recommend(*inputs).partner_type == expected


def test_s2_and_s3_are_clear_wins():
    s2 = recommend("Commercial", "manufacturing", "validated", "strong", "small molecule").scores
    s3 = recommend("Preclinical", "development + manufacturing", "none", "limited", "cell therapy").scores
    assert s2 == {"CRO": 0, "CMO": 91, "CDMO": 27}
    assert s3 == {"CRO": 0, "CMO": 18, "CDMO": 95}


def test_clinical_plus_manufacturing_gives_a_pair():
    assert recommend("Phase III", "clinical + manufacturing", "validated").partner_type == "CRO + CMO"
    assert recommend("Phase I", "clinical, development", "none").partner_type == "CRO + CDMO"
    assert recommend("Phase II", "clinical and end-to-end").partner_type == "CRO + CDMO"


# One case per rule: setting only that input moves each type's points exactly as the table says.
@pytest.mark.parametrize("rule", [r for r in FIT_TABLE if r.factor not in ("need", "stage")],
                         ids=lambda r: f"{r.factor}={r.value}")
def test_every_rule_moves_the_scores_as_the_table_says(rule):
    base = recommend("Phase II", "manufacturing")
    moved = recommend("Phase II", "manufacturing", **{rule.factor: rule.value.label})
    width = {t.value: hi - lo for t, (lo, hi) in _point_ranges().items()}
    for kind, points in (("CMO", rule.cmo), ("CDMO", rule.cdmo)):
        assert moved.scores[kind] - base.scores[kind] == pytest.approx(100 * points / width[kind], abs=1)


@pytest.mark.parametrize("rule", [r for r in FIT_TABLE if r.factor == "stage"], ids=lambda r: str(r.value))
def test_every_stage_rule(rule):
    width = {t.value: hi - lo for t, (lo, hi) in _point_ranges().items()}
    phase2 = next(r for r in FIT_TABLE if r.value is Stage.PHASE_2)
    base = recommend("Phase II", "clinical + manufacturing").scores
    moved = recommend(rule.value.label, "clinical + manufacturing").scores
    for kind, points, ref in (("CRO", rule.cro, phase2.cro), ("CMO", rule.cmo, phase2.cmo),
                              ("CDMO", rule.cdmo, phase2.cdmo)):
        assert moved[kind] - base[kind] == pytest.approx(100 * (points - ref) / width[kind], abs=1)


@pytest.mark.parametrize(
    "need, expected",
    [
        ("development", "CDMO"),  # development is the CDMO's 'D'
        ("manufacturing", "CMO"),  # manufacturing only, mid stage: CMO
        ("end-to-end", "CDMO"),  # one roof avoids the tech transfer
    ],
)
def test_need_rules(need, expected):
    assert recommend("Phase II", need).partner_type == expected


@pytest.mark.parametrize(
    "situation, expected",
    [
        (("Phase III", "manufacturing", "validated"), "CMO"),  # late stage + validated process
        (("Phase I", "manufacturing", "none"), "CDMO"),  # no process yet
        (("Phase II", "manufacturing", None, "none"), "CDMO"),  # no CMC experience
        (("Phase II", "manufacturing", None, "strong"), "CMO"),  # strong CMC team directs a CMO
        (("Phase II", "manufacturing", None, None, "gene therapy"), "CDMO"),  # complex modality
        (("Phase II", "manufacturing", None, None, "small molecule"), "CMO"),
        (("Discovery", "manufacturing"), "CDMO"),  # early stage
        (("Commercial", "manufacturing"), "CMO"),  # commercial volume
    ],
)
def test_single_factor_decisions(situation, expected):
    assert recommend(*situation).partner_type == expected


def test_a_tie_goes_to_the_cdmo_and_says_so():
    result = recommend("Phase I", "manufacturing")
    assert result.scores["CMO"] == result.scores["CDMO"]
    assert result.partner_type == "CDMO"
    assert "tie goes to the CDMO" in result.reason


def test_types_that_serve_no_need_fit_zero():
    assert recommend("Phase II", "clinical").scores == {"CRO": 100, "CMO": 0, "CDMO": 0}
    assert recommend("Phase II", "development").scores["CRO"] == 0


def test_scores_span_0_to_100():
    ranges = _point_ranges()
    assert all(lo < hi for lo, hi in ranges.values())
    s = fit_scores(Situation(Stage.COMMERCIAL, frozenset({Need.MANUFACTURING})))
    assert all(0 <= v <= 100 for v in s.values())


def test_reason_names_the_deciding_inputs():
    reason = recommend("Commercial", "manufacturing", "validated", "strong", "small molecule").reason
    assert reason.startswith("CMO: CMO fits 91 against CDMO's 27")
    for words in ("stage Commercial", "process validated", "CMC experience strong", "modality small molecule"):
        assert words in reason
    assert reason.count(".") == 1  # one sentence


def test_blank_optional_inputs_are_neutral():
    plain = recommend("Phase II", "manufacturing")
    blanks = recommend("Phase II", "manufacturing", None, "  ", "")
    assert plain.scores == blanks.scores


@pytest.mark.parametrize(
    "text, stage",
    [(" phase 1 ", Stage.PHASE_1), ("P2", Stage.PHASE_2), ("PHASE III", Stage.PHASE_3),
     ("approved", Stage.COMMERCIAL), ("Marketed", Stage.COMMERCIAL), ("pre-clinical", Stage.PRECLINICAL)],
)
def test_stage_synonyms(text, stage):
    assert recommend(text, "clinical").situation.stage is stage


@pytest.mark.parametrize(
    "text, needs",
    [
        ("clinical", {Need.CLINICAL}),
        ("Development + Manufacturing", {Need.DEVELOPMENT, Need.MANUFACTURING}),
        ("development, manufacturing", {Need.DEVELOPMENT, Need.MANUFACTURING}),
        ("clinical and manufacturing", {Need.CLINICAL, Need.MANUFACTURING}),
        ("End-to-end", {Need.DEVELOPMENT, Need.MANUFACTURING}),
        ("clinical + end to end", {Need.CLINICAL, Need.DEVELOPMENT, Need.MANUFACTURING}),
    ],
)
def test_need_parsing(text, needs):
    assert parse_needs(text) == needs


@pytest.mark.parametrize(
    "args, message",
    [
        (("Phase 9", "clinical"), 'stage "Phase 9" is not one of Discovery, Preclinical, Phase I'),
        ((None, "clinical"), "stage is blank"),
        (("Phase II", ""), "need is blank"),
        (("Phase II", "marketing"), 'need "marketing" is not one of clinical, development, manufacturing'),
        (("Phase II", "clinical", "half-baked"), 'process "half-baked" is not one of none, lab-scale'),
        (("Phase II", "clinical", None, "great"), 'CMC experience "great" is not one of'),
        (("Phase II", "clinical", None, None, "robot"), 'modality "robot" is not one of'),
        ((3.0, "clinical"), 'stage 3 is not one of'),
    ],
)
def test_bad_input_is_one_clear_line(args, message):
    with pytest.raises(PartnerfitError) as error:
        recommend(*args)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_the_fit_lookup_gives_recommend_for_every_drop_down_combination():
    """The workbook's native formulas add the lookup's points and rescale them: the same as `recommend`."""
    from itertools import product

    from partnerfit.partner_fit import FACTOR_CHOICES, fit_lookup, fit_ranges, need_options

    rows = {(o.factor, o.label): o for o in fit_lookup()}
    ranges = fit_ranges()
    optional = [[None, *kind.labels()] for factor, kind in FACTOR_CHOICES.items() if factor != "stage"]
    checked = 0
    for stage, need, *rest in product(FACTOR_CHOICES["stage"].labels(), need_options(), *optional):
        chosen = [("stage", stage), ("need", need),
                  *((f, v) for f, v in zip(("process", "cmc_experience", "modality"), rest) if v is not None)]
        points = [sum(rows[c].points[t] for c in chosen) for t in range(3)]
        serves = (rows["need", need].clinical, rows["need", need].makes, rows["need", need].makes)
        fit = {t: (int(100 * (p - ranges[t][0]) / (ranges[t][1] - ranges[t][0]) + 0.5) if s else 0)
               for t, p, s in zip(("CRO", "CMO", "CDMO"), points, serves)}
        side = "CMO" if fit["CMO"] > fit["CDMO"] else "CDMO"
        expected = ("CRO + " + side if serves[0] else side) if serves[1] else "CRO"
        result = recommend(stage, need, *rest)
        assert (result.scores, result.partner_type) == (fit, expected), chosen
        checked += 1
    assert checked == 6 * 7 * 5 * 5 * 6
