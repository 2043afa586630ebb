"""The engine's numpy kernels against plain Python written differently, on random inputs.

`plain_*` below compute each vendor's result on its own, cell by cell, with Python floats: the
weighted mean over scored cells, the coverage, the first invalid or knocked-out criterion, the
status by precedence, and ranks from the position of the first equal key among the sorted
keys. On random inputs with blanks, text, off-scale cells, must-haves, ties, C- and
Fortran-ordered, strided, transposed and byte-swapped matrices, both must agree: statuses,
culprits, ranks and order exactly; scores and coverage to 1e-13 (numpy sums in another order).
"""

import math

import numpy as np
import pandas as pd
import pytest

from partnerfit import score_vendors, udfs
from partnerfit.cells import (
    cell_texts,
    invisible_text,
    number,
    numbers,
    score_matrix,
    score_value,
)
from partnerfit.scoring import RANK_DECIMALS, Status, evaluate, rank_eq, weighted_sum


def plain_weighted_sum(matrix, weights):
    """(score, coverage) per vendor: NaN cells are not scored."""
    total = sum(float(w) for w in weights)
    scores, coverages = [], []
    for row in np.asarray(matrix, dtype=float).tolist():
        numerator = scored_weight = 0.0
        for x, w in zip(row, weights):
            if not math.isnan(x):  # scored
                numerator += w * x
                scored_weight += w
        scores.append(numerator / scored_weight if scored_weight else math.nan)
        coverages.append(scored_weight / total)
    return scores, coverages


def rank_key(value):
    """What ranks compare: minus the value rounded half to even at the 9th decimal (as numpy
    rounds: the whole number of 1e-9 steps, over 1e9); NaN after every number."""
    if math.isnan(value):
        return (1, 0.0)
    if math.isinf(value):
        return (0, -value)
    return (0, -(round(value * 10.0**RANK_DECIMALS) / 10.0**RANK_DECIMALS))


def plain_ranks(values, eligible):
    """RANK.EQ: 1 + the position of the first equal key in the sorted keys; NaN if not eligible."""
    keys = [rank_key(v) for v, e in zip(values, eligible) if e]
    first = {}
    for position, key in enumerate(sorted(keys)):
        first.setdefault(key, position + 1)
    return [first[rank_key(v)] if e else math.nan for v, e in zip(values, eligible)]


def plain_evaluate(matrix, weights, minimums=None, min_coverage=0.5, unreadable=None, scale=(1, 5)):
    """(score, coverage, status, culprit, rank) lists, vendor by vendor."""
    lo, hi = scale
    rows = np.asarray(matrix, dtype=float).tolist()
    k = len(weights)
    mins = [math.nan] * k if minimums is None else list(minimums)
    text = [[False] * k for _ in rows] if unreadable is None else np.asarray(unreadable).tolist()
    scores, coverages, statuses, culprits = [], [], [], []
    for row, texts in zip(rows, text):
        bad = [j for j in range(k) if texts[j] or (x := row[j]) < lo or x > hi]
        kept = [math.nan if j in bad else x for j, x in enumerate(row)]
        (score,), (coverage,) = plain_weighted_sum([kept], weights)
        below = [j for j in range(k) if not math.isnan(mins[j]) and kept[j] < mins[j]]
        unscored_must = any(not math.isnan(mins[j]) and math.isnan(kept[j]) for j in range(k))
        if bad:
            status, culprit, score = Status.INVALID, bad[0], math.nan
        elif below:
            status, culprit = Status.KNOCKED_OUT, below[0]
        elif unscored_must or coverage < min_coverage or math.isnan(score):
            status, culprit = Status.INCOMPLETE, -1
        else:
            status, culprit = Status.ELIGIBLE, -1
        if not math.isnan(score):
            score = min(max(score, lo), hi)
        scores.append(score)
        coverages.append(coverage)
        statuses.append(status)
        culprits.append(culprit)
    ranks = plain_ranks(scores, [s == Status.ELIGIBLE for s in statuses])
    return scores, coverages, statuses, culprits, ranks


def plain_status_text(status, culprit, criteria, scale=(1, 5)):
    text = []
    for s, c in zip(status, culprit):
        name = criteria[c] if c >= 0 else ""
        text.append({
            Status.ELIGIBLE: "Eligible",
            Status.INCOMPLETE: "Incomplete",
            Status.KNOCKED_OUT: f"Knocked out: {name}",
            Status.INVALID: f"Invalid: {name} is not a score from {scale[0]:g} to {scale[1]:g}",
        }[s])
    return text


def plain_order(rank):
    """Ranked vendors by rank, then the others; ties and the others as given."""
    return sorted(range(len(rank)), key=lambda i: math.inf if math.isnan(rank[i]) else rank[i])


def random_case(rng, n, k, *, fortran=False, invalid=True, minimums=True, half_points=True):
    """Scores with blanks (and optionally off-scale cells, unreadable cells and must-haves)."""
    if half_points:  # many exact ties
        matrix = rng.integers(2, 11, size=(n, k)) / 2.0
        weights = rng.integers(0, 6, size=k).astype(float)
    else:
        matrix = rng.uniform(1, 5, size=(n, k))
        weights = rng.uniform(0, 1, size=k) * (rng.random(k) < 0.9)
    weights[rng.integers(k)] += 1  # a positive total
    matrix[rng.random(matrix.shape) < rng.uniform(0, 0.6)] = np.nan
    unreadable = None
    if invalid:
        off = rng.random(matrix.shape) < 0.01
        matrix[off] = rng.choice([0.0, 0.5, 5.5, 7.0, -1.0, np.inf, -np.inf], size=off.sum())
        unreadable = (rng.random(matrix.shape) < 0.005) & np.isnan(matrix)
    mins = None
    if minimums:
        mins = np.where(rng.random(k) < 0.3, rng.integers(1, 6, size=k).astype(float), np.nan)
    if fortran:
        matrix = np.asfortranarray(matrix)
    return matrix, weights, mins, unreadable


SIZES = [1, 2, 7, 30, 301, 2_000]


@pytest.mark.parametrize("n", [0, *SIZES])
@pytest.mark.parametrize("fortran", [False, True], ids=["C", "F"])
def test_weighted_sum_matches_plain_python(n, fortran):
    rng = np.random.default_rng(n)
    for half_points in (True, False):
        matrix, weights, _, _ = random_case(rng, n, 13, fortran=fortran, invalid=False, minimums=False,
                                            half_points=half_points)
        score, coverage = weighted_sum(matrix, weights)
        expected_score, expected_coverage = plain_weighted_sum(matrix, weights)
        np.testing.assert_allclose(score, expected_score, rtol=1e-13, atol=0)
        np.testing.assert_allclose(coverage, expected_coverage, rtol=1e-13, atol=0)


def test_weighted_sum_keeps_infinities_and_odd_inputs():
    # Only `evaluate` screens cells off the scale: the bare sum keeps an infinity where its
    # weight counts (a weight of 0 times infinity is NaN, as in any weighted sum).
    matrix = np.array([[np.inf, 1.0], [-np.inf, np.nan], [np.nan, np.nan], [-0.0, 2.0]])
    score, coverage = weighted_sum(matrix, np.array([1.0, 0.0]))
    np.testing.assert_array_equal(score, [np.inf, -np.inf, np.nan, 0.0])
    np.testing.assert_array_equal(coverage, [1.0, 1.0, 0.0, 1.0])
    # No vendors, whatever the width of the empty block.
    for empty in (np.zeros((0, 0)), np.zeros((0, 2))):
        assert [len(a) for a in weighted_sum(empty, np.array([70.0, 30.0]))] == [0, 0]
    # Integer matrices and list weights are accepted.
    np.testing.assert_array_equal(weighted_sum(np.array([[1, 3]]), [1, 1])[0], [2.0])


@pytest.mark.parametrize("n", [1, 2, 30, 3_000])
def test_rank_eq_matches_plain_python(n):
    rng = np.random.default_rng(n)
    values = rng.choice([1.0, 1.5, 2.0, 4.25, 3.0000000000000004, 3.0, -0.0, 0.0, -2.5, np.inf, -np.inf, 1e15],
                        size=n)
    values = np.where(rng.random(n) < 0.5, values, rng.normal(size=n))
    values[rng.random(n) < 0.05] = np.nan  # NaN ranks after every number, NaNs tied
    eligible = rng.random(n) < 0.8
    np.testing.assert_array_equal(rank_eq(values, eligible), plain_ranks(values.tolist(), eligible.tolist()))


def test_rank_eq_of_ordinary_scores_ties_at_the_ninth_decimal():
    rng = np.random.default_rng(5)
    n = 3_000
    values = rng.uniform(1, 5, size=n)
    values[: n // 3] = np.round(values[: n // 3], 2)  # many exact ties
    values[n // 3: n // 2] = rng.uniform(-1e5, 1e5, size=n // 2 - n // 3)
    tie = rng.random(n) < 0.2  # equal at 9 decimals, or not, and both zeros
    values[tie] = rng.choice([4.15, 4.1500000000000004, 4.1500000004, 4.1500000006, -0.0, 0.0], size=tie.sum())
    eligible = rng.random(n) < 0.9
    np.testing.assert_array_equal(rank_eq(values, eligible), plain_ranks(values.tolist(), eligible.tolist()))
    # A worked case: RANK.EQ descending, ties sharing the best rank, 1, 2, 2, 4.
    assert rank_eq(np.array([4.1500000006, 3.0, 4.15, 4.1500000004, 9.0]),
                   np.array([True, True, True, True, False])).tolist()[:4] == [1.0, 4.0, 2.0, 2.0]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("fortran", [False, True], ids=["C", "F"])
def test_evaluate_matches_plain_python(n, fortran):
    rng = np.random.default_rng(1000 + n)
    k = 9
    criteria = [f"c{j}" for j in range(k)]
    for case in range(4):
        matrix, weights, mins, unreadable = random_case(
            rng, n, k, fortran=fortran, invalid=case % 2 == 0, minimums=case < 2, half_points=case != 1)
        coverage_floor = rng.choice([0.0, 0.5, 0.8])
        result = evaluate(matrix, weights, mins, coverage_floor, unreadable)
        score, coverage, status, culprit, rank = plain_evaluate(matrix, weights, mins, coverage_floor, unreadable)
        np.testing.assert_allclose(result.score, score, rtol=1e-13, atol=0)
        np.testing.assert_allclose(result.coverage, coverage, rtol=1e-13, atol=0)
        np.testing.assert_array_equal(result.status, status)
        np.testing.assert_array_equal(result.culprit, culprit)
        np.testing.assert_array_equal(result.rank, rank)
        np.testing.assert_array_equal(result.order(), plain_order(rank))
        assert result.status_text(criteria).tolist() == plain_status_text(status, culprit, criteria)


def test_order_puts_ranked_vendors_first_ties_and_the_rest_as_given():
    result = evaluate(np.array([[3.0], [5.0], [np.nan], [5.0]]), np.array([1.0]))
    assert result.rank[[0, 1, 3]].tolist() == [3.0, 1.0, 1.0] and np.isnan(result.rank[2])
    assert result.order().tolist() == [1, 3, 0, 2]


def test_status_text_for_a_culprit_of_minus_one():
    result = evaluate(np.array([[4.0]]), np.array([1.0]))
    odd = type(result)(result.score, result.coverage, np.array([Status.KNOCKED_OUT], dtype=np.int8),
                       np.array([-1]), result.rank, (0, 10))
    assert odd.status_text(["A"]).tolist() == ["Knocked out: "]


@pytest.mark.parametrize("n", [1, 30, 2_000])
def test_score_vendors_matches_plain_python(n):
    rng = np.random.default_rng(n)
    k = 6
    criteria = [f"c{j}" for j in range(k)]
    matrix, weights, mins, _ = random_case(rng, n, k)
    frame = pd.DataFrame(matrix, index=[f"vendor {i}" for i in range(n)], columns=criteria)
    table = score_vendors(frame, weights, mins)
    score, coverage, status, culprit, rank = plain_evaluate(matrix, weights, mins)
    expected = pd.DataFrame(
        {
            "score": score,
            "rank": pd.array([None if math.isnan(r) else r for r in rank], dtype="Int64"),
            "coverage": coverage,
            "status": pd.Categorical(plain_status_text(status, culprit, criteria)),
        },
        index=pd.Index(frame.index, name="vendor"),
    )
    # Categories: the statuses that occur, in the order Eligible, Incomplete, Knocked out, Invalid.
    pd.testing.assert_frame_equal(table, expected, rtol=1e-13, atol=0, check_categorical=False)
    assert set(table["status"].cat.categories) == set(expected["status"])


def test_score_matrix_fast_path_reads_cells_as_score_value_does():
    rng = np.random.default_rng(7)
    cells = rng.choice(np.array([1.0, 2.5, 5.0, None, 3, 0, 7.0, math.nan, math.inf, -1], dtype=object), size=(40, 7))
    rows = cells.tolist()
    matrix, unreadable = score_matrix(rows)
    expected = np.array([[score_value(v) for v in row] for row in rows], dtype=float)
    np.testing.assert_array_equal(matrix, expected)
    assert not unreadable.any()
    # One text cell sends the block through the cell-by-cell path; the numbers read the same.
    rows[3][2] = " 4 "
    slow, unreadable = score_matrix(rows)
    expected[3, 2] = 4.0
    np.testing.assert_array_equal(slow, expected)
    assert not unreadable.any()
    rows[5][1] = True  # a boolean is not a score, even though it is an int
    _, unreadable = score_matrix(rows)
    assert unreadable.tolist() == [[i == 5 and j == 1 for j in range(7)] for i in range(40)]


@pytest.mark.parametrize(
    "values",
    [[30.0, 25.0, 20.0], [1, 2.5, 0], [0.3, None, 0.1], [1.0, math.nan, 2.0], [1.0, " 2 ", 3.0],
     [1.0, math.inf, 2.0], [1.0, True, 2.0], [1.0, "lots", 2.0], [1.0, -2.0, 3.0]],
)
def test_numbers_fast_path_reads_cells_as_number_does(values):
    names = ["a", "b", "c"]

    def plain():
        return np.array([number(v, f"weight for {n}", 0.0) for v, n in zip(values, names)], dtype=float)

    try:
        expected = plain()
    except Exception as error:  # noqa: BLE001 - the same error must come out
        with pytest.raises(type(error), match=str(error).replace("(", r"\(").replace(")", r"\)")):
            numbers(values, "weight", names, 0.0)
    else:
        np.testing.assert_array_equal(numbers(values, "weight", names, 0.0), expected)


def test_vendor_scores_matches_the_plain_version_on_random_tables():
    rng = np.random.default_rng(3)
    for _ in range(30):
        n, k = int(rng.integers(1, 40)), int(rng.integers(1, 8))
        matrix, weights, mins, _ = random_case(rng, n, k, invalid=False)
        header = ["Vendor"] + [f"Criterion {j}" for j in range(k)]
        body = [[f" Vendor {i} "] + [None if math.isnan(v) else float(v) for v in row] for i, row in enumerate(matrix)]
        body[int(rng.integers(n))][1:] = ["N/A"] * k if rng.random() < 0.5 else [None] * k
        cells, unreadable = score_matrix([row[1:] for row in body])
        score, coverage, status, culprit, rank = plain_evaluate(cells, weights, mins, 0.5, unreadable)
        criteria = header[1:]
        text = plain_status_text(status, culprit, criteria)
        expected = [udfs.RESULT_HEADER] + [
            [f"Vendor {i}", None if math.isnan(score[i]) else pytest.approx(score[i], rel=1e-13, abs=0),
             None if math.isnan(rank[i]) else rank[i], pytest.approx(coverage[i], rel=1e-13, abs=0), text[i]]
            for i in plain_order(rank)
        ]
        minimums = [None if math.isnan(m) else float(m) for m in mins] if mins is not None else None
        assert udfs.VENDOR_RANKING([header] + body, weights.tolist(), minimums) == expected


@pytest.mark.parametrize("name, message", [("   ", "table row 2 has scores but no vendor name"),
                                           ("", "table row 2 has scores but no vendor name")])
def test_vendor_scores_blank_names(name, message):
    assert message in udfs.VENDOR_RANKING([["Vendor", "A"], [name, 3.0]], [1.0])
    assert udfs.VENDOR_RANKING([["Vendor", "A"], [name, None], ["  Acme ", 3.0]], [1.0])[1][0] == "Acme"


def test_weighted_sum_with_huge_weights_and_nothing_scored():
    score, coverage = weighted_sum(np.array([[4.0, 2.0], [np.nan, np.nan]]), np.array([1e308, 1e308]))
    assert score[0] == 3.0 and coverage[0] == 1.0
    assert np.isnan(score[1]) and coverage[1] == 0 and not np.signbit(coverage[1])


@pytest.mark.parametrize("cells, expected", [
    # text and empty cells (the quick way): only spaces are trimmed, as LEN(TRIM(x)) does; a tab, a
    # line break or a no-break space stays, so the workbook and the command line both count the name
    (["Acme", None, "", "  ", "\t\n", " Beta ", "\u00a0"], ["Acme", "", "", "", "\t\n", "Beta", "\u00a0"]),
    # anything else, cell by cell: a number as a name shows it, NaN is empty
    (["Acme", None, 3.0, math.nan, "", True, 0.0, " "], ["Acme", "", "3", "", "", "True", "0", ""]),
])
def test_cell_texts_trims_spaces_only_as_the_workbook_does(cells, expected):
    assert cell_texts(cells) == expected
    assert [invisible_text(t) for t in cell_texts(cells)] == [t in ("\t\n", "\u00a0") for t in expected]


@pytest.mark.parametrize("view", ["reversed rows", "every other criterion", "transposed", "byte-swapped"])
def test_weighted_sum_of_strided_and_foreign_matrices(view):
    rng = np.random.default_rng(11)
    base, weights, _, _ = random_case(rng, 300, 8, invalid=False, minimums=False, half_points=False)
    matrix = {"reversed rows": base[::-1], "every other criterion": base[:, ::2],
              "transposed": np.ascontiguousarray(base.T).T, "byte-swapped": base.astype(">f8")}[view]
    weights = weights[: matrix.shape[1]] + 1
    score, coverage = weighted_sum(matrix, weights)
    expected_score, expected_coverage = plain_weighted_sum(matrix, weights)
    np.testing.assert_allclose(score, expected_score, rtol=1e-13, atol=0)
    np.testing.assert_allclose(coverage, expected_coverage, rtol=1e-13, atol=0)
    # And the whole evaluation of such a view (an Excel range read column-major, say).
    result = evaluate(matrix, weights)
    plain_score, _, status, _, rank = plain_evaluate(matrix, weights)
    np.testing.assert_allclose(result.score, plain_score, rtol=1e-13, atol=0)
    np.testing.assert_array_equal(result.status, status)
    np.testing.assert_array_equal(result.rank, rank)


def test_one_off_scale_cell_anywhere_is_found():
    rng = np.random.default_rng(12)
    for n, k in [(1, 1), (5, 3), (300, 7), (10_003, 9)]:
        matrix = rng.integers(2, 11, size=(n, k)) / 2.0
        matrix[rng.random(matrix.shape) < 0.3] = np.nan
        i, j = int(rng.integers(n)), int(rng.integers(k))
        for bad in (0.99, 5.01, np.inf, -np.inf):
            matrix[i, j] = bad
            result = evaluate(matrix, np.ones(k))
            assert result.status[i] == Status.INVALID and result.culprit[i] == j
            assert (np.delete(result.status, i) != Status.INVALID).all()
