"""Property tests: every Excel function fed Excel-shaped random values.

Excel hands a UDF scalars, flat lists (one row or column) and lists of lists (blocks), made of
floats, None (blank or error cells), strings, booleans and datetimes. Whatever arrives:

* no exception escapes and no "unexpected" error reaches the cell;
* no NaN or inf is ever returned to a cell (Excel would show #NUM! or a blank);
* for valid vendor tables, VENDOR_RANKING' score lies inside the 1-5 scale and equals the
  weighted mean computed directly below (and so do coverage, status and rank).

Reproducible: every test runs derandomized (a fixed seed), without the example database, with
a bounded number of examples; the whole module takes a few seconds.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerfit import udfs
from partnerfit.domain import CMCExperience, Modality, Need, Process, Stage

FAST = settings(derandomize=True, database=None, deadline=None, max_examples=150,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ------------------------------------------------------------------ Excel-shaped values

texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["N/A", " n/a ", "-", "#N/A", "#DIV/0!", "#VALUE!", "3,5", " 4 ", "4.5", "1/3", "=1+1",
                     "Phase II", "clinical", "development + manufacturing", "mean", "median", "Vendor"]),
)
cells = st.one_of(
    st.none(),
    st.floats(min_value=-10, max_value=10),
    st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, 0.5, 0.0]),
    st.floats(allow_nan=True, allow_infinity=True),  # not from Excel, but from other callers
    texts,
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)
flat = st.lists(cells, max_size=6)
blocks = st.lists(st.lists(cells, max_size=6), max_size=6)  # ragged: rows of any length
values = st.one_of(cells, flat, blocks)

FUNCTIONS = {  # name: (required arguments, optional arguments)
    "PARTNER_FIT": (2, 3), "PARTNER_FIT_SCORES": (2, 3), "PARTNER_FIT_WHY": (2, 3),
    "VENDOR_SCORE": (2, 2), "VENDOR_RANKING": (2, 2), "PARTNERFIT_VERSION": (0, 0),
    "AHP_WEIGHTS": (1, 0), "CONSENSUS": (1, 1), "RANK_ACCEPTABILITY": (2, 3), "FLIP_MARGIN": (2, 0),
    "ROBUSTNESS": (2, 3),
    "PRICE_SCORE": (1, 3), "AHP_AGGREGATE": (1, 2),
}


def cell_safe(result) -> bool:
    """What Excel can show: finite numbers, text, booleans, blanks; nested as rows."""
    if isinstance(result, list):
        return all(cell_safe(v) for v in result)
    if isinstance(result, float):
        return math.isfinite(result)
    return result is None or isinstance(result, (str, bool, int))


def error_line(result) -> bool:
    """A `#partnerfit:` message is one line and names no internal failure."""
    if isinstance(result, str) and result.startswith("#partnerfit"):
        return "\n" not in result and "unexpected" not in result and "Traceback" not in result
    return True


def test_every_excel_function_is_fuzzed():
    exported = {name for name in dir(udfs) if name.isupper() and callable(getattr(udfs, name))}
    assert exported == set(FUNCTIONS), "add new Excel functions to FUNCTIONS"


@pytest.mark.parametrize("name", list(FUNCTIONS))
@FAST
@given(data=st.data())
def test_any_excel_shaped_arguments(name, data):
    required, optional = FUNCTIONS[name]
    count = data.draw(st.integers(required, required + optional), label="arguments")
    args = [data.draw(values, label=f"argument {i + 1}") for i in range(count)]
    if name == "RANK_ACCEPTABILITY" and len(args) > 3 and isinstance(args[3], float) and args[3] > 2000:
        args[3] = 2000.0  # keep the draws cheap; the limit itself is in the bad-input catalogue
    result = getattr(udfs, name)(*args)
    assert cell_safe(result), result
    assert error_line(result), result


# ------------------------------------------------------------------ valid vendor tables, exactly

HALF_STEPS = [1.0 + k / 2 for k in range(9)]  # 1.0 .. 5.0: sums of these times whole weights are exact
NOT_SCORED = [None, "N/A", " n/a ", "-", "  "]
INVALID = [0.0, 5.5, 7.0, "abc", "3,5", True, dt.datetime(2024, 1, 31)]


@st.composite
def vendor_tables(draw):
    """(table, weights, minimums, min_coverage) with whole weights and half-step scores."""
    m = draw(st.integers(1, 5))
    criteria = [f"C{j}" for j in range(m)]
    weights = draw(st.lists(st.integers(0, 10).map(float), min_size=m, max_size=m).filter(lambda w: sum(w) > 0))
    score = st.one_of(st.sampled_from(HALF_STEPS), st.sampled_from(HALF_STEPS).map(lambda x: f" {x:g} "),
                      st.sampled_from(NOT_SCORED), st.sampled_from(INVALID))
    score = st.one_of(*(st.sampled_from(HALF_STEPS),) * 4, score)  # mostly valid numbers
    n = draw(st.integers(0, 12))
    rows = [[f"Vendor {i}", *draw(st.lists(score, min_size=m, max_size=m))] for i in range(n)]
    minimums = draw(st.one_of(st.none(), st.lists(st.one_of(st.none(), st.sampled_from(HALF_STEPS)), min_size=m, max_size=m)))
    coverage = draw(st.sampled_from([0.0, 0.25, 0.5, 0.6, 0.75, 1.0]))
    return [["Vendor", *criteria], *rows], weights, minimums, coverage


def read(cell):
    """A score cell read by hand: a float on the scale, None (not scored) or "bad"."""
    if cell is None or (isinstance(cell, str) and cell.strip().lower() in ("", "n/a", "-")):
        return None
    if isinstance(cell, bool) or isinstance(cell, dt.datetime):
        return "bad"
    try:
        x = float(cell)
    except ValueError:
        return "bad"
    return x if 1 <= x <= 5 else "bad"


def direct(table, weights, minimums, min_coverage):
    """VENDOR_RANKING computed directly from its definition (README, "Which vendor?")."""
    criteria, rows = table[0][1:], table[1:]
    minimums = minimums or [None] * len(criteria)
    total = sum(weights)
    results = []
    for row in rows:
        x = [read(c) for c in row[1:]]
        scored = [j for j, v in enumerate(x) if isinstance(v, float)]
        scored_weight = sum(weights[j] for j in scored)
        score = sum(weights[j] * x[j] for j in scored) / scored_weight if scored_weight > 0 else None
        coverage = scored_weight / total
        bad = [j for j, v in enumerate(x) if v == "bad"]
        below = [j for j in scored if minimums[j] is not None and x[j] < minimums[j]]
        if bad:
            score, status = None, f"Invalid: {criteria[bad[0]]} is not a score from 1 to 5"
        elif below:
            status = f"Knocked out: {criteria[below[0]]}"
        elif (score is None or coverage < min_coverage
              or any(minimums[j] is not None and j not in scored for j in range(len(criteria)))):
            status = "Incomplete"
        else:
            status = "Eligible"
        results.append([row[0], score, None, coverage, status])
    eligible = [r for r in results if r[4] == "Eligible"]
    for r in eligible:
        r[2] = float(1 + sum(round(q[1], 9) > round(r[1], 9) for q in eligible))
    ranked = sorted(eligible, key=lambda r: r[2])  # stable: ties keep the table's order
    return [["Vendor", "Score", "Rank", "Coverage", "Status"], *ranked, *(r for r in results if r[4] != "Eligible")]


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


@settings(FAST, max_examples=300)
@given(vendor_tables())
def test_vendor_scores_equal_the_direct_computation(case):
    table, weights, minimums, coverage = case
    result = udfs.VENDOR_RANKING(table, weights, minimums, coverage)
    assert cell_safe(result)
    assert same(result, direct(table, weights, minimums, coverage)), (result, direct(*case))
    for row in result[1:]:
        assert row[1] is None or 1 <= row[1] <= 5


@settings(FAST, max_examples=200)
@given(st.data())
def test_scores_stay_on_the_scale_for_any_weights(data):
    """Arbitrary floats on the scale and arbitrary positive weights (tiny to huge): the weighted
    mean of numbers from 1 to 5 lies from 1 to 5, and equals the direct computation."""
    m = data.draw(st.integers(1, 8))
    weight = st.one_of(st.floats(min_value=0, max_value=1e6), st.floats(min_value=1e-300, max_value=1e-290),
                       st.floats(min_value=1e290, max_value=1e300))
    weights = data.draw(st.lists(weight, min_size=m, max_size=m).filter(lambda w: 0 < sum(w) < math.inf))
    score = st.one_of(st.floats(min_value=1, max_value=5), st.sampled_from([1.0, 5.0]), st.none())
    rows = data.draw(st.lists(st.lists(score, min_size=m, max_size=m), min_size=1, max_size=10))
    table = [["Vendor", *(f"C{j}" for j in range(m))], *([f"V{i}", *r] for i, r in enumerate(rows))]
    result = udfs.VENDOR_RANKING(table, weights, None, 0.0)
    assert cell_safe(result), result
    by_name = {r[0]: r for r in result[1:]}
    for i, cells in enumerate(rows):
        got = by_name[f"V{i}"][1]
        scored = [(w, x) for w, x in zip(weights, cells) if x is not None and w > 0]
        if not scored:
            assert got is None
            continue
        mean = sum(w * x for w, x in scored) / sum(w for w, _ in scored) if sum(w for w, _ in scored) < math.inf \
            else sum((w / 2**1000) * x for w, x in scored) / sum(w / 2**1000 for w, _ in scored)
        assert 1 <= got <= 5, got
        assert math.isclose(got, mean, rel_tol=1e-9), (got, mean)


def test_a_mean_of_fives_rounding_above_5_is_kept_on_the_scale():
    """(6.467 x 5 + 0.167 x 5) / 6.634 is 5.000000000000001 in floating point."""
    assert udfs.VENDOR_SCORE([5.0, 5.0], [6.467, 0.167]) == 5.0
    assert udfs.VENDOR_RANKING([["Vendor", "A", "B"], ["V", 5.0, 5.0]], [6.467, 0.167])[1][1] == 5.0


@settings(FAST, max_examples=100)
@given(vendor_tables())
def test_vendor_score_of_one_row_agrees_with_the_table(case):
    table, weights, minimums, coverage = case
    if len(table) < 2:
        return
    row = table[1][1:]
    one = udfs.VENDOR_SCORE(row, weights, minimums, coverage)
    expected = direct([["Vendor", *(f"criterion {j + 1}" for j in range(len(row)))], table[1]], weights, minimums, coverage)[1]
    assert same(one, expected[1] if expected[4] == "Eligible" else expected[4]), (one, expected)


# ------------------------------------------------------------------ the other functions, valid inputs

programmes = st.tuples(
    st.sampled_from(Stage.labels()),
    st.lists(st.sampled_from(Need.labels()), min_size=1, max_size=3, unique=True).map(" + ".join),
    st.sampled_from([None, *Process.labels()]),
    st.sampled_from([None, *CMCExperience.labels()]),
    st.sampled_from([None, *Modality.labels()]),
)


@FAST
@given(programmes)
def test_partner_fit_of_any_valid_programme(programme):
    kind = udfs.PARTNER_FIT(*programme)
    assert kind in ("CRO", "CMO", "CDMO", "CRO + CMO", "CRO + CDMO")
    header, scores = udfs.PARTNER_FIT_SCORES(*programme)
    assert header == ["CRO", "CMO", "CDMO"] and all(0 <= s <= 100 and s == int(s) for s in scores)
    assert udfs.PARTNER_FIT_WHY(*programme).startswith(kind + ":")


@FAST
@given(st.lists(st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 9.0]), min_size=1, max_size=8))
def test_ahp_weights_of_a_consistent_matrix(priorities):
    """a_ij = p_i / p_j is perfectly consistent: the weights are p normalised, CR 0."""
    matrix = [[p / q for q in priorities] for p in priorities]
    result = udfs.AHP_WEIGHTS(matrix)
    assert cell_safe(result), result
    weights = [row[1] for row in result[:len(priorities)]]
    assert all(math.isclose(w, p / sum(priorities), rel_tol=1e-9) for w, p in zip(weights, priorities))
    assert dict(r for r in result[len(priorities):] if len(r) == 2)["Consistent"] is True


@FAST
@given(st.dictionaries(st.tuples(st.sampled_from("ABC"), st.sampled_from(["ann", "bob", "cy"]), st.sampled_from(["Q", "C"])),
                       st.one_of(st.sampled_from(HALF_STEPS), st.none()), min_size=1, max_size=18))
def test_consensus_is_the_mean_of_the_evaluators(scores):
    rows = [["Vendor", "Evaluator", "Criterion", "Score"], *([v, e, c, s] for (v, e, c), s in scores.items())]
    result = udfs.CONSENSUS(rows)
    assert cell_safe(result), result
    header = result[0]
    for out in result[1:]:
        for criterion, value in zip(header[1:], out[1:]):
            given_ = [s for (v, _, c), s in scores.items() if v == out[0] and c == criterion and s is not None]
            assert same(value, sum(given_) / len(given_) if given_ else None), (out, criterion, given_)


@FAST
@given(vendor_tables(), st.floats(min_value=0, max_value=0.95), st.integers(1, 300))
def test_rank_acceptability_and_flip_margin_of_valid_tables(case, uncertainty, samples):
    table, weights, _, _ = case
    table = [table[0]] + [r for r in table[1:] if all(read(c) != "bad" for c in r[1:])]
    shares = udfs.RANK_ACCEPTABILITY(table, weights, uncertainty, float(samples))
    flips = udfs.FLIP_MARGIN(table, weights)
    for result in (shares, flips):
        assert cell_safe(result) and error_line(result), result
    if isinstance(shares, list):  # each vendor takes some rank in every draw
        assert all(math.isclose(sum(row[1:]), 1.0) for row in shares[1:]), shares
