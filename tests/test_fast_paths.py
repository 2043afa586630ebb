"""The engine's fast paths give the results of the plain implementations they replaced.

`reference_*` below are the straightforward versions (one np.where, one boolean matrix product,
a sort and searchsorted for ranks, one string per vendor). The engine computes the same in
cache-sized blocks, with a radix sort and with lookup tables, and takes shortcuts when nothing
is invalid or no minimum is set: on random inputs with blanks, text, off-scale cells and
must-haves, both must agree. Sums may differ in the last bit (BLAS adds in another order), so
scores and coverage are compared to 1e-13; statuses, culprits, ranks and order exactly.

Every test here runs twice: with the compiled kernels (src/partnerfit/_kernels.c) and with the
numpy code that takes their place where they are not built.
"""

import math
import os

import numpy as np
import pandas as pd
import pytest

from partnerfit import score_vendors, scoring, udfs
from partnerfit.cells import (
    cell_text,
    cell_texts,
    is_blank,
    number,
    numbers,
    score_matrix,
    score_value,
)
from partnerfit.scoring import (
    BLOCK_ROWS,
    RADIX_MIN,
    RANK_DECIMALS,
    Status,
    _blocked_products,
    evaluate,
    rank_eq,
    weighted_sum,
)

try:
    from partnerfit import _kernels
except ImportError:
    _kernels = None


@pytest.fixture(autouse=True, params=["compiled", "numpy"])
def engine(request, monkeypatch):
    """The compiled kernels, or the numpy fallback (as where no C compiler was at hand)."""
    if request.param == "numpy":
        monkeypatch.setattr(scoring, "_kernels", None)
    elif _kernels is None:
        pytest.skip("the C kernels are not built (pip install -e . with a C compiler)")
    return request.param


def test_the_compiled_kernels_are_built_where_the_project_is_tested():
    # CI measures what users with a C compiler get: the kernels must not silently be missing.
    if os.environ.get("CI") and _kernels is None:
        pytest.fail("partnerfit._kernels is not built: install with a C compiler (pip install -e .)")


def reference_weighted_sum(matrix, weights):
    scored = ~np.isnan(matrix)
    numerator = np.where(scored, matrix, 0.0) @ weights
    scored_weight = scored @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        score = numerator / scored_weight
    score[scored_weight == 0] = np.nan
    return score, scored_weight / weights.sum()


def reference_rank_eq(values, eligible):
    rank = np.full(values.shape, np.nan)
    keys = -np.round(values[eligible], RANK_DECIMALS)
    rank[eligible] = np.searchsorted(np.sort(keys), keys, side="left") + 1
    return rank


def reference_evaluate(matrix, weights, minimums=None, min_coverage=0.5, unreadable=None, scale=(1, 5)):
    lo, hi = scale
    invalid = (matrix < lo) | (matrix > hi)
    if unreadable is not None:
        invalid |= unreadable
    any_invalid = invalid.any(axis=1)
    if any_invalid.any():
        matrix = np.where(invalid, np.nan, matrix)
    score, coverage = reference_weighted_sum(matrix, weights)
    status = np.zeros(len(matrix), dtype=np.int8)
    culprit = np.where(any_invalid, invalid.argmax(axis=1), -1)
    incomplete = coverage < min_coverage
    incomplete |= np.isnan(score)
    if minimums is not None and not np.isnan(minimums).all():
        must = ~np.isnan(minimums)
        below = matrix[:, must] < minimums[must]
        knocked = below.any(axis=1) & ~any_invalid
        culprit = np.where(knocked, np.flatnonzero(must)[below.argmax(axis=1)], culprit)
        status[knocked] = Status.KNOCKED_OUT
        incomplete |= np.isnan(matrix[:, must]).any(axis=1)
        incomplete &= ~knocked
    status[incomplete] = Status.INCOMPLETE
    status[any_invalid] = Status.INVALID
    score[any_invalid] = np.nan
    rank = reference_rank_eq(score, status == Status.QUALIFIED)
    return score, coverage, status, culprit, rank


def reference_status_text(status, culprit, criteria, scale=(1, 5)):
    names = list(criteria) + [""]
    text = []
    for s, c in zip(status, culprit):
        text.append({
            Status.QUALIFIED: "Qualified",
            Status.INCOMPLETE: "Incomplete",
            Status.KNOCKED_OUT: f"Knocked out: {names[c]}",
            Status.INVALID: f"Invalid: {names[c]} is not a score from {scale[0]:g} to {scale[1]:g}",
        }[s])
    return text


def reference_order(rank):
    return np.argsort(np.where(np.isnan(rank), np.inf, rank), kind="stable")


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


SIZES = [0, 1, 2, 7, 30, BLOCK_ROWS - 1, BLOCK_ROWS, BLOCK_ROWS + 1, 3 * BLOCK_ROWS + 17, 4 * BLOCK_ROWS + 1]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("fortran", [False, True], ids=["C", "F"])
def test_weighted_sum_matches_the_plain_version(n, fortran):
    rng = np.random.default_rng(n)
    for half_points in (True, False):
        matrix, weights, _, _ = random_case(rng, n, 13, fortran=fortran, invalid=False, minimums=False,
                                            half_points=half_points)
        score, coverage = weighted_sum(matrix, weights)
        expected_score, expected_coverage = reference_weighted_sum(matrix, weights)
        np.testing.assert_allclose(score, expected_score, rtol=1e-13, atol=0)
        np.testing.assert_allclose(coverage, expected_coverage, rtol=1e-13, atol=0)


@pytest.mark.parametrize("n", [1, 2, 5, 30, 300, BLOCK_ROWS, BLOCK_ROWS + 1, 2 * BLOCK_ROWS + 1])
@pytest.mark.parametrize("fortran", [False, True], ids=["C", "F"])
def test_blocked_products_match_the_one_block_formula(n, fortran):
    # weighted_sum takes up to one block of rows the plain way, more block by block.
    rng = np.random.default_rng(n)
    matrix, weights, _, _ = random_case(rng, n, 11, fortran=fortran, invalid=False, minimums=False,
                                        half_points=False)
    numerator, scored_weight = _blocked_products(matrix, weights)
    scored = ~np.isnan(matrix)
    plain_numerator, plain_scored_weight = np.where(scored, matrix, 0.0) @ weights, scored @ weights
    np.testing.assert_allclose(numerator, plain_numerator, rtol=1e-15, atol=0)
    np.testing.assert_allclose(scored_weight, plain_scored_weight, rtol=1e-15, atol=0)
    if n <= 300:  # BLAS on one thread, the same calls on the same numbers: the same bits
        np.testing.assert_array_equal(numerator, plain_numerator)
        if not fortran:  # numpy casts the mask to C order for `scored @ weights`; blocks keep F
            np.testing.assert_array_equal(scored_weight, plain_scored_weight)


def test_weighted_sum_keeps_infinities_and_odd_inputs():
    matrix = np.array([[np.inf, 1.0], [-np.inf, np.nan], [np.nan, np.nan], [-0.0, 2.0]])
    weights = np.array([1.0, 0.0])
    score, coverage = weighted_sum(matrix, weights)
    expected_score, expected_coverage = reference_weighted_sum(matrix, weights)
    np.testing.assert_array_equal(score, expected_score)
    np.testing.assert_array_equal(coverage, expected_coverage)
    # No vendors, whatever the width of the empty block.
    for empty in (np.zeros((0, 0)), np.zeros((0, 2))):
        assert [len(a) for a in weighted_sum(empty, np.array([70.0, 30.0]))] == [0, 0]
    # Integer matrices and list weights are accepted as before.
    np.testing.assert_array_equal(weighted_sum(np.array([[1, 3]]), [1, 1])[0], [2.0])


@pytest.mark.parametrize("n", [1, 2, 30, RADIX_MIN - 1, RADIX_MIN, 20_000])
def test_rank_eq_matches_sort_and_searchsorted(n):
    rng = np.random.default_rng(n)
    values = rng.choice([1.0, 1.5, 2.0, 4.25, 3.0000000000000004, 3.0, -0.0, 0.0, -2.5, np.inf, -np.inf, 1e15],
                        size=n)
    values = np.where(rng.random(n) < 0.5, values, rng.normal(size=n))
    values[rng.random(n) < 0.05] = np.nan
    eligible = rng.random(n) < 0.8
    rank = rank_eq(values, eligible)
    np.testing.assert_array_equal(rank, reference_rank_eq(values, eligible))


@pytest.mark.parametrize("n", [RADIX_MIN, 20_000])
def test_rank_eq_of_ordinary_scores_matches_sort_and_searchsorted(n):
    # Values below 1e6 are ranked by their whole numbers of 1e-9 steps: ties at the 9th decimal.
    rng = np.random.default_rng(n)
    values = rng.uniform(1, 5, size=n)
    values[: n // 3] = np.round(values[: n // 3], 2)  # many exact ties
    values[n // 3: n // 2] = rng.uniform(-1e5, 1e5, size=n // 2 - n // 3)
    tie = rng.random(n) < 0.2  # equal at 9 decimals, or not, and both zeros
    values[tie] = rng.choice([4.15, 4.1500000000000004, 4.1500000004, 4.1500000006, -0.0, 0.0], size=tie.sum())
    eligible = rng.random(n) < 0.9
    np.testing.assert_array_equal(rank_eq(values, eligible), reference_rank_eq(values, eligible))


@pytest.mark.parametrize("n", SIZES[1:])
@pytest.mark.parametrize("fortran", [False, True], ids=["C", "F"])
def test_evaluate_matches_the_plain_version(n, fortran):
    rng = np.random.default_rng(1000 + n)
    k = 9
    criteria = [f"c{j}" for j in range(k)]
    for case in range(4):
        matrix, weights, mins, unreadable = random_case(
            rng, n, k, fortran=fortran, invalid=case % 2 == 0, minimums=case < 2, half_points=case != 1)
        coverage_floor = rng.choice([0.0, 0.5, 0.8])
        result = evaluate(matrix, weights, mins, coverage_floor, unreadable)
        score, coverage, status, culprit, rank = reference_evaluate(matrix, weights, mins, coverage_floor, unreadable)
        np.testing.assert_allclose(result.score, score, rtol=1e-13, atol=0)
        np.testing.assert_allclose(result.coverage, coverage, rtol=1e-13, atol=0)
        np.testing.assert_array_equal(result.status, status)
        np.testing.assert_array_equal(result.culprit, culprit)
        np.testing.assert_array_equal(result.rank, rank)
        np.testing.assert_array_equal(result.order(), reference_order(rank))
        assert result.status_text(criteria).tolist() == reference_status_text(status, culprit, criteria)


def test_evaluation_without_a_stored_order_sorts_the_ranks():
    result = evaluate(np.array([[3.0], [5.0], [np.nan], [5.0]]), np.array([1.0]))
    again = type(result)(result.score, result.coverage, result.status, result.culprit, result.rank)
    np.testing.assert_array_equal(again.order(), result.order())
    assert result.order().tolist() == [1, 3, 0, 2]


def test_status_text_for_a_culprit_of_minus_one():
    result = evaluate(np.array([[4.0]]), np.array([1.0]))
    odd = type(result)(result.score, result.coverage, np.array([Status.KNOCKED_OUT], dtype=np.int8),
                       np.array([-1]), result.rank, (0, 10))
    assert odd.status_text(["A"]).tolist() == reference_status_text([Status.KNOCKED_OUT], [-1], ["A"], (0, 10))


@pytest.mark.parametrize("n", [1, 30, 5000])
def test_score_vendors_matches_the_plain_version(n):
    rng = np.random.default_rng(n)
    k = 6
    criteria = [f"c{j}" for j in range(k)]
    matrix, weights, mins, _ = random_case(rng, n, k)
    frame = pd.DataFrame(matrix, index=[f"vendor {i}" for i in range(n)], columns=criteria)
    table = score_vendors(frame, weights, mins)
    score, coverage, status, culprit, rank = reference_evaluate(matrix, weights, mins)
    expected = pd.DataFrame(
        {
            "score": score,
            "rank": pd.array(rank, dtype="Int64"),
            "coverage": coverage,
            "status": pd.Categorical(reference_status_text(status, culprit, criteria)),
        },
        index=pd.Index(frame.index, name="vendor"),
    )
    # Categories: the statuses that occur, in the order Qualified, Incomplete, Knocked out, Invalid.
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
        score, coverage, status, culprit, rank = reference_evaluate(cells, weights, mins, 0.5, unreadable)
        criteria = header[1:]
        text = reference_status_text(status, culprit, criteria)
        expected = [udfs.RESULT_HEADER] + [
            [f"Vendor {i}", None if math.isnan(score[i]) else pytest.approx(score[i], rel=1e-13, abs=0),
             None if math.isnan(rank[i]) else rank[i], pytest.approx(coverage[i], rel=1e-13, abs=0), text[i]]
            for i in reference_order(rank)
        ]
        minimums = [None if math.isnan(m) else float(m) for m in mins] if mins is not None else None
        assert udfs.VENDOR_SCORES([header] + body, weights.tolist(), minimums) == expected


@pytest.mark.parametrize("name, message", [("   ", "table row 2 has scores but no vendor name"),
                                           ("", "table row 2 has scores but no vendor name")])
def test_vendor_scores_blank_names(name, message):
    assert message in udfs.VENDOR_SCORES([["Vendor", "A"], [name, 3.0]], [1.0])
    assert udfs.VENDOR_SCORES([["Vendor", "A"], [name, None], ["  Acme ", 3.0]], [1.0])[1][0] == "Acme"


def test_weighted_sum_with_huge_weights_and_nothing_scored():
    score, coverage = weighted_sum(np.array([[4.0, 2.0], [np.nan, np.nan]]), np.array([1e308, 1e308]))
    assert score[0] == 3.0 and coverage[0] == 1.0
    assert np.isnan(score[1]) and coverage[1] == 0 and not np.signbit(coverage[1])


@pytest.mark.parametrize("cells", [
    ["Acme", None, "", "  ", "\t\n", " Beta ", "\u00a0"],  # text and empty cells: the quick way
    ["Acme", None, 3.0, math.nan, "", True, 0.0, " "],  # anything else: cell by cell
])
def test_cell_texts_reads_as_is_blank_and_cell_text_do(cells):
    assert cell_texts(cells) == ["" if is_blank(c) else cell_text(c) for c in cells]


@pytest.mark.parametrize("view", ["reversed rows", "every other criterion", "transposed", "byte-swapped"])
def test_weighted_sum_of_strided_and_foreign_matrices(view):
    rng = np.random.default_rng(11)
    base, weights, _, _ = random_case(rng, 300, 8, invalid=False, minimums=False, half_points=False)
    matrix = {"reversed rows": base[::-1], "every other criterion": base[:, ::2],
              "transposed": np.ascontiguousarray(base.T).T, "byte-swapped": base.astype(">f8")}[view]
    weights = weights[: matrix.shape[1]] + 1
    score, coverage = weighted_sum(matrix, weights)
    expected_score, expected_coverage = reference_weighted_sum(np.array(matrix, dtype=float), weights)
    np.testing.assert_allclose(score, expected_score, rtol=1e-13, atol=0)
    np.testing.assert_allclose(coverage, expected_coverage, rtol=1e-13, atol=0)


def test_off_scale_cells_are_found_in_the_same_pass():
    # The scale check rides along the weighted sum: one cell off the scale anywhere is found.
    rng = np.random.default_rng(12)
    for n, k in [(1, 1), (5, 3), (300, 7), (BLOCK_ROWS + 3, 9)]:
        matrix = rng.integers(2, 11, size=(n, k)) / 2.0
        matrix[rng.random(matrix.shape) < 0.3] = np.nan
        i, j = int(rng.integers(n)), int(rng.integers(k))
        for bad in (0.99, 5.01, np.inf, -np.inf):
            matrix[i, j] = bad
            result = evaluate(matrix, np.ones(k))
            assert result.status[i] == Status.INVALID and result.culprit[i] == j
            assert (np.delete(result.status, i) != Status.INVALID).all()
