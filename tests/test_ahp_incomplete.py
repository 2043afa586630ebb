"""AHP with blank judgements: the optimal completion of Bozoki, Fulop and Ronyai (2010), against
their published example, the 8 x 8 case AHPy's tests transcribe from that paper, and an
independent implementation of their cyclic coordinates method."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerfit import udfs
from partnerfit.ahp import ahp_weights, complete_pairwise
from partnerfit.errors import PartnerfitError

SETTINGS = settings(derandomize=True, database=None, deadline=None, max_examples=60,
                    suppress_health_check=[HealthCheck.too_slow])

# S. Bozoki, J. Fulop, L. Ronyai, "On optimal completion of incomplete pairwise comparison
# matrices", Mathematical and Computer Modelling 52:318-333, 2010, Example 3: a 4 x 4 matrix
# with a_34 missing. Published optimum x = 0.7302965066047 ("equals van Uden's approximation
# sqrt(2/5 * 4/3) up to 6 digits"). AHPy's tests (github.com/PhilipGriffith/AHPy,
# tests/test_ahp.py, test_incomplete_example_*) give for it the weights 0.3738, 0.392, 0.0985,
# 0.1357 and CR 0.0372 with the Donegan-Dodd random index RI(4) = 0.8286.
EXAMPLE_3 = [
    [1, 1, 5, 2],
    [1, 1, 3, 4],
    [None, None, 1, None],  # below the diagonal: blank, the reciprocals are implied
    [None, None, None, 1],
]

# The incomplete 8 x 8 matrix M of Bozoki et al. 2010 (from Saaty's house example) as AHPy's
# test_incomplete_housing_missing_comparisons holds it, with the completed values AHPy asserts
# (its cyclic coordinates stop at a 1e-4 change, hence the tolerance). Judgements (row, col):
# value, some below the diagonal as a user may type them.
M_GIVEN = {("a", "b"): 5, ("a", "c"): 3, ("a", "d"): 7, ("a", "e"): 6, ("a", "f"): 6,
           ("b", "d"): 5, ("b", "f"): 3, ("c", "e"): 3, ("c", "g"): 6, ("f", "d"): 4,
           ("g", "a"): 3, ("g", "e"): 5, ("h", "a"): 4, ("h", "b"): 7, ("h", "d"): 8, ("h", "f"): 6}
M_COMPLETED = {("b", "c"): 0.3300187496240363, ("b", "e"): 1.7197409185349517,
               ("b", "g"): 0.4663515002203321, ("c", "d"): 9.920512661898753,
               ("c", "f"): 4.852486449214693, ("c", "h"): 0.5696073301509899,
               ("d", "e"): 0.5252768142894285, ("d", "g"): 0.1424438146531802,
               ("e", "f"): 0.9311973564754218, ("e", "h"): 0.10930828182051665,
               ("f", "g"): 0.2912120796181874, ("g", "h"): 0.4030898885178746}


def from_pairs(pairs: dict, labels: str) -> list[list]:
    """A matrix of cells with each judgement where it was given, blank elsewhere."""
    cells = [[1.0 if i == j else None for j in range(len(labels))] for i in range(len(labels))]
    for (row, col), value in pairs.items():
        cells[labels.index(row)][labels.index(col)] = float(value)
    return cells


def lambda_max(matrix: np.ndarray) -> float:
    return float(np.max(np.linalg.eigvals(matrix).real))


def cyclic_coordinates(cells: list[list]) -> dict[tuple[int, int], float]:
    """Bozoki et al.'s own method, written independently: minimise lambda_max over one blank
    at a time (golden-section search on its logarithm), sweeping until nothing moves."""
    n = len(cells)
    a = np.array([[1.0 if v is None else v for v in row] for row in cells])
    blanks = [(i, j) for i in range(n) for j in range(i + 1, n) if cells[i][j] is None and cells[j][i] is None]
    for i in range(n):
        for j in range(n):
            if cells[i][j] is not None and i != j and cells[j][i] is None:
                a[j, i] = 1 / cells[i][j]
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(500):
        moved = 0.0
        for i, j in blanks:
            def value(y, i=i, j=j):
                a[i, j], a[j, i] = math.exp(y), math.exp(-y)
                return lambda_max(a)
            before, lo, hi = math.log(a[i, j]), -8.0, 8.0
            left, right = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
            at_left, at_right = value(left), value(right)
            while hi - lo > 1e-9:
                if at_left < at_right:
                    hi, right, at_right = right, left, at_left
                    left = hi - ratio * (hi - lo)
                    at_left = value(left)
                else:
                    lo, left, at_left = left, right, at_right
                    right = lo + ratio * (hi - lo)
                    at_right = value(right)
            value((lo + hi) / 2)
            moved = max(moved, abs(math.log(a[i, j]) - before))
        if moved < 1e-9:
            break
    return {(i, j): float(a[i, j]) for i, j in blanks}


def test_example_3_of_bozoki_fulop_ronyai_2010():
    result = ahp_weights(EXAMPLE_3)
    assert result.matrix[2, 3] == pytest.approx(0.7302965066047, rel=1e-6)
    assert result.matrix[3, 2] == pytest.approx(1 / 0.7302965066047, rel=1e-6)
    assert result.matrix[2, 3] == pytest.approx(math.sqrt(2 / 5 * 4 / 3), rel=1e-6)  # van Uden
    np.testing.assert_allclose(result.weights, [0.3738, 0.392, 0.0985, 0.1357], atol=1e-4)
    assert result.ci == pytest.approx(0.0372 * 0.8286, abs=1e-4)  # AHPy's CR, Donegan-Dodd RI
    assert result.cr == pytest.approx(result.ci / 0.90)  # Saaty's RI(4) here
    assert result.completed.tolist() == [[False] * 4, [False] * 4, [False, False, False, True],
                                         [False, False, True, False]]
    assert result.message == "consistent: CR 0.034 is at most 0.10; 1 blank judgement completed"


def test_example_3_matches_the_cyclic_coordinates_method():
    expected = cyclic_coordinates(EXAMPLE_3)
    assert ahp_weights(EXAMPLE_3).matrix[2, 3] == pytest.approx(expected[(2, 3)], rel=1e-7)


def test_matrix_m_of_bozoki_et_al_as_ahpy_completes_it():
    labels = "abcdefgh"
    result = ahp_weights(from_pairs(M_GIVEN, labels))
    for (row, col), value in M_COMPLETED.items():
        i, j = labels.index(row), labels.index(col)
        assert result.matrix[i, j] == pytest.approx(value, rel=2e-4), (row, col)
        assert result.completed[i, j] and result.completed[j, i]
    for (row, col), value in M_GIVEN.items():  # the judgements given are kept as they are
        assert result.matrix[labels.index(row), labels.index(col)] == value
    assert int(result.completed.sum()) == 2 * len(M_COMPLETED)
    assert result.message.endswith("; 12 blank judgements completed")


def test_matrix_m_completion_is_a_minimum_of_lambda_max():
    """First-order check, independent of the method: moving any completed value by 0.01 %
    either way does not lower lambda max."""
    result = ahp_weights(from_pairs(M_GIVEN, "abcdefgh"))
    assert lambda_max(result.matrix) == pytest.approx(result.lambda_max, abs=1e-12)
    for i, j in zip(*np.nonzero(np.triu(result.completed))):
        for factor in (1.0001, 1 / 1.0001):
            moved = result.matrix.copy()
            moved[i, j] *= factor
            moved[j, i] /= factor
            assert lambda_max(moved) >= result.lambda_max - 1e-12


def test_five_criteria_match_the_cyclic_coordinates_method():
    cells = [
        [1, 3, None, 5, 1 / 2],
        [None, 1, 2, None, 7],
        [None, None, 1, 1 / 3, 4],
        [None, None, None, 1, 2],
        [None, None, None, None, 1],
    ]
    result = ahp_weights(cells)
    for (i, j), value in cyclic_coordinates(cells).items():
        assert result.matrix[i, j] == pytest.approx(value, rel=1e-6)


def test_a_tree_of_judgements_completes_to_the_consistent_matrix():
    """n - 1 judgements that connect every criterion fix one consistent matrix: lambda max = n."""
    result = ahp_weights([[1, 2, None, None], [None, 1, 3, None], [None, None, 1, None], [0.25, None, None, 1]])
    np.testing.assert_allclose(result.weights, np.array([6, 3, 1, 1.5]) / 11.5, rtol=1e-9)  # w4 = w1 / 4
    assert result.lambda_max == pytest.approx(4, abs=1e-9) and result.cr == pytest.approx(0, abs=1e-9)


@SETTINGS
@given(st.lists(st.sampled_from([1.0, 2.0, 3.0, 5.0, 7.0, 9.0]), min_size=3, max_size=9), st.data())
def test_blanks_of_a_consistent_matrix_complete_to_its_values(priorities, data):
    n = len(priorities)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    blank = data.draw(st.sets(st.sampled_from(pairs), max_size=len(pairs) - (n - 1)), label="blank")
    cells = [[priorities[i] / priorities[j] if i == j or (min(i, j), max(i, j)) not in blank and i < j else None
              for j in range(n)] for i in range(n)]
    linked = {0}
    for _ in range(n):
        linked |= {b for a, b in pairs if a in linked and (a, b) not in blank}
        linked |= {a for a, b in pairs if b in linked and (a, b) not in blank}
    if len(linked) < n:
        with pytest.raises(PartnerfitError, match="unconnected to criteri"):
            ahp_weights(cells)
        return
    result = ahp_weights(cells)
    expected = np.array(priorities) / sum(priorities)
    np.testing.assert_allclose(result.weights, expected, rtol=1e-8)
    np.testing.assert_allclose(result.matrix, np.array(priorities)[:, None] / np.array(priorities)[None, :], rtol=1e-8)


@SETTINGS
@given(st.integers(3, 8), st.data())
def test_completion_of_random_judgements_is_a_minimum(n, data):
    scale = [1 / 9, 1 / 7, 1 / 5, 1 / 3, 1.0, 3.0, 5.0, 7.0, 9.0]
    cells = [[1.0 if i == j else None for j in range(n)] for i in range(n)]
    for j in range(1, n):  # a chain 1-2-...-n connects every criterion, then more at random
        cells[j - 1][j] = data.draw(st.sampled_from(scale))
    for i in range(n):
        for j in range(i + 2, n):
            cells[i][j] = data.draw(st.one_of(st.none(), st.sampled_from(scale)))
    result = ahp_weights(cells)
    a = result.matrix
    assert np.all(a * a.T == pytest.approx(1.0)) and np.isfinite(a).all()
    assert result.worst_pair is None or not result.completed[result.worst_pair]
    for i, j in zip(*np.nonzero(np.triu(result.completed))):
        for factor in (1.001, 1 / 1.001):
            moved = a.copy()
            moved[i, j] *= factor
            moved[j, i] /= factor
            assert lambda_max(moved) >= result.lambda_max - 1e-10


def test_blank_cells_in_every_excel_shape():
    expected = ahp_weights(EXAMPLE_3).weights
    for blank in (None, "", "  ", float("nan")):
        cells = [[blank if v is None else v for v in row] for row in EXAMPLE_3]
        np.testing.assert_allclose(ahp_weights(cells).weights, expected, rtol=1e-12)
    as_array = np.array([[np.nan if v is None else v for v in row] for row in EXAMPLE_3], dtype=float)
    np.testing.assert_allclose(ahp_weights(as_array).weights, expected, rtol=1e-12)


def test_judgements_below_the_diagonal_or_a_blank_diagonal_are_read():
    full = ahp_weights([[1, 4, 3, 7], [1 / 4, 1, 1 / 3, 3], [1 / 3, 3, 1, 5], [1 / 7, 1 / 3, 1 / 5, 1]])
    lower_only = ahp_weights([[None] * 4, [0.25, None, None, None], ["1/3", 3, None, None],
                              ["1/7", "1/3", "1/5", None]])
    np.testing.assert_allclose(lower_only.weights, full.weights, rtol=1e-12)
    assert not lower_only.completed.any() and lower_only.message == full.message


def test_the_pair_to_revisit_is_a_judgement_given_never_a_completed_one():
    # 1 > 2 > 3 strongly, but 3 > 1: inconsistent; row 1 col 4 is blank and completed.
    result = ahp_weights([[1, 9, "1/9", None], [None, 1, 9, 1], [None, None, 1, None], [None, None, 1, 1]])
    assert not result.consistent and result.worst_pair is not None
    i, j = result.worst_pair
    assert not result.completed[i, j] and result.completed[0, 3]
    assert result.message.endswith("; 1 blank judgement completed")


@pytest.mark.parametrize(
    "cells, names, message",
    [
        ([[1, None], [None, 1]], None,
         ("pairwise judgements leave criterion 2 unconnected to criterion 1: no judgement links them, "
          "directly or through other criteria; fill one such as row 1 col 2")),
        ([[1, None, 3, None], [None, 1, None, 2], [None, None, 1, None], [None, None, None, 1]], None,
         "pairwise judgements leave criteria 2 and 4 unconnected to criteria 1 and 3: "),
        ([[1, None, None], [None, 1, 5], [None, None, 1]], ["Cost", "Capacity", "Timeline"],
         "pairwise judgements leave Capacity and Timeline unconnected to Cost: "),
        ([[1, 1e60, None, None], [None, 1, 1e60, None], [None, None, 1, 2], [None, None, None, 1]], None,
         "pairwise judgements as far from 1 as 1e+60 cannot complete blanks: a chain of 3 of them passes 1e+100"),
    ],
)
def test_blanks_that_cannot_be_completed_are_one_line_errors(cells, names, message):
    with pytest.raises(PartnerfitError) as error:
        ahp_weights(cells, names)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_complete_pairwise_leaves_a_complete_matrix_alone():
    a = np.array([[1, 4, 3], [1 / 4, 1, 1 / 3], [1 / 3, 3, 1]])
    assert np.array_equal(complete_pairwise(a), a)


def test_ahp_weights_udf_lists_the_completed_judgements():
    cells = [[1.0, 1.0, 5.0, 2.0], [1.0, 1.0, 3.0, 4.0], [None, None, 1.0, None], [None, None, None, 1.0]]
    result = udfs.AHP_WEIGHTS(cells)
    assert [row[0] for row in result] == ["Weight 1", "Weight 2", "Weight 3", "Weight 4", "Lambda max", "CI", "CR",
                                          "Consistent", "Note", "Completed row 3 col 4"]
    assert result[-1][1] == pytest.approx(0.7302965066047, rel=1e-6)
    assert result[8][1] == "consistent: CR 0.034 is at most 0.10; 1 blank judgement completed"
    assert udfs.AHP_WEIGHTS([[1.0, None], [None, 1.0]]).startswith("#partnerfit: pairwise judgements leave criterion 2")


def test_ahp_weights_udf_with_groups_completes_each_level():
    """Per level: Example 3 as one group (criteria 2, 3, 5, 6 of the matrix), a second group of two,
    and the groups compared with one blank among three; the weights are `ahp_hierarchy`'s with
    None, the completions are listed at their row and column of the matrix and of group_matrix."""
    from partnerfit.groups import ahp_hierarchy

    at = [1, 2, 4, 5]  # Example 3's rows in the 7 x 7 block
    block = [[1.0 if i == j else None for j in range(7)] for i in range(7)]
    for i, row in enumerate(EXAMPLE_3):
        for j, value in enumerate(row):
            if i < j:
                block[at[i]][at[j]] = value
    block[0][3] = 3.0  # group B: criteria 1 and 4
    groups = ["B", "A", "A", "B", "A", "A", "C"]
    group_matrix = [[1.0, 2.0, None], [None, 1.0, 4.0], [None, None, 1.0]]  # B, A, C: B vs C blank
    out = udfs.AHP_WEIGHTS(block, groups, group_matrix)
    completed = {row[0]: row[1] for row in out if row[0].startswith("Completed")}
    assert list(completed) == ["Completed row 5 col 6", "Completed group row 1 col 3"]
    assert completed["Completed row 5 col 6"] == pytest.approx(0.7302965066047, rel=1e-6)
    assert completed["Completed group row 1 col 3"] == pytest.approx(8.0, rel=1e-9)  # consistent: 2 x 4
    want = ahp_hierarchy({"B": ["1", "4"], "A": ["2", "3", "5", "6"], "C": ["7"]}, group_matrix,
                         {"B": [[1, 3], [None, 1]], "A": EXAMPLE_3}).weights.as_dict()
    weights = dict(row for row in out if row[0].startswith("Weight"))
    assert [weights[f"Weight {k}"] for k in range(1, 8)] == pytest.approx([want[str(k)] for k in range(1, 8)],
                                                                          abs=1e-12)


@pytest.mark.parametrize("group_matrix, message", [
    ([[1.0, 2.0], [None, 1.0]],
     '#partnerfit: group "A": pairwise judgements leave criterion 2 unconnected to criterion 1 and criterion 3: '
     "no judgement links them, directly or through other criteria; fill one such as criterion 1 vs criterion 2"),
    ([[1.0, None], [None, 1.0]], "#partnerfit: groups: pairwise judgements leave B unconnected to A: "),
])
def test_ahp_weights_udf_with_groups_names_an_unconnected_level(group_matrix, message):
    block = [[1.0, None, 3.0, None], [None, 1.0, None, None], [None, None, 1.0, None], [None, None, None, 1.0]]
    if group_matrix[0][1] is None:
        block[0][1] = 2.0
    out = udfs.AHP_WEIGHTS(block, ["A", "A", "A", "B"], group_matrix)
    assert isinstance(out, str) and out.startswith(message) and "\n" not in out
