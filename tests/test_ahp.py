"""AHP weights and consistency against published cases (shared/reference/published_cases.md)."""

import dataclasses
import datetime as dt

import numpy as np
import pytest

from partnerfit.ahp import RANDOM_INDEX, ahp_weights
from partnerfit.errors import PartnerfitError

# A1. T. L. Saaty, "Decision making with the analytic hierarchy process", Int. J. Services
# Sciences 1(1):83-98, 2008: relative drink consumption in the United States, typed as a
# spreadsheet user would (fractions as text). Rows: coffee, wine, tea, beer, sodas, milk, water.
DRINKS = [
    [1, 9, 5, 2, 1, 1, "1/2"],
    ["1/9", 1, "1/3", "1/9", "1/9", "1/9", "1/9"],
    ["1/5", 3, 1, "1/3", "1/4", "1/3", "1/9"],
    ["1/2", 9, 3, 1, "1/2", 1, "1/3"],
    [1, 9, 4, 2, 1, 2, "1/2"],
    [1, 9, 3, 1, "1/2", 1, "1/3"],
    [2, 9, 9, 3, 2, 3, 1],
]
DRINKS_WEIGHTS = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]

# A2. The leader example of the English Wikipedia article "Analytic hierarchy process – leader
# example" (criteria: experience, education, charisma, age).
LEADER = [
    [1, 4, 3, 7],
    [1 / 4, 1, 1 / 3, 3],
    [1 / 3, 3, 1, 5],
    [1 / 7, 1 / 3, 1 / 5, 1],
]
LEADER_WEIGHTS = [0.5476, 0.1266, 0.2699, 0.0559]


def test_a1_saaty_2008_drinks():
    result = ahp_weights(DRINKS)
    np.testing.assert_allclose(result.weights, DRINKS_WEIGHTS, atol=1e-3)
    assert result.lambda_max == pytest.approx(7.1766, abs=1e-3)
    assert result.cr == pytest.approx(0.022, abs=1e-3)
    assert result.ci == pytest.approx((result.lambda_max - 7) / 6)
    assert result.consistent and result.worst_pair is None
    assert result.message == "consistent: CR 0.022 is at most 0.10"


def test_a2_wikipedia_leader():
    result = ahp_weights(np.array(LEADER))
    np.testing.assert_allclose(result.weights, LEADER_WEIGHTS, atol=1e-3)
    assert result.cr == pytest.approx(0.044, abs=2e-3)
    assert result.cr == pytest.approx(result.ci / 0.90)


def test_text_fractions_equal_numbers():
    as_text = [[v if i == j else f"{v:.0f}" if v >= 1 else f" 1 / {1 / v:.0f} " for j, v in enumerate(row)]
               for i, row in enumerate(LEADER)]
    assert as_text[1][0] == " 1 / 4 " and as_text[0][1] == "4"
    np.testing.assert_allclose(ahp_weights(as_text).weights, ahp_weights(LEADER).weights, rtol=1e-12)


def test_random_index_is_saatys_1980_table():
    assert RANDOM_INDEX == (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)


def test_consistent_matrix_gives_back_its_weights():
    w = np.array([0.4, 0.3, 0.2, 0.1])
    result = ahp_weights(w[:, None] / w[None, :])
    np.testing.assert_allclose(result.weights, w, rtol=1e-12)
    assert result.lambda_max == pytest.approx(4.0, abs=1e-12)
    assert result.cr == pytest.approx(0.0, abs=1e-12) and result.consistent


def test_inconsistent_matrix_names_the_judgement_to_revisit():
    w = np.array([0.4, 0.3, 0.2, 0.1])
    matrix = w[:, None] / w[None, :]
    matrix[0, 3], matrix[3, 0] = 1 / 4, 4.0  # should be 4: entered the wrong way round
    result = ahp_weights(matrix)
    assert result.cr > 0.10 and not result.consistent
    assert result.worst_pair == (0, 3)
    assert result.message.startswith("inconsistent: CR 0.403 is above 0.10; revisit row 1 col 4 (entered 1/4")


def test_one_and_two_criteria_are_always_consistent():
    one = ahp_weights(1.0)
    assert one.weights.tolist() == [1.0] and one.cr == 0.0 and one.ci == 0.0
    two = ahp_weights([[1.0, 3.0], ["1/3", 1.0]])
    np.testing.assert_allclose(two.weights, [0.75, 0.25])
    assert two.cr == 0.0 and two.consistent


def test_result_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ahp_weights(LEADER).cr = 0.0


def test_reciprocal_tolerance_accepts_rounded_fractions_only():
    assert ahp_weights([[1.0, 3.0], [0.3333, 1.0]]).weights[0] == pytest.approx(0.75, abs=1e-4)
    with pytest.raises(PartnerfitError, match=r"row 1 col 2 is 3 but row 2 col 1 is 0\.33; enter 1/3 in row 2 col 1"):
        ahp_weights([[1.0, 3.0], [0.33, 1.0]])


@pytest.mark.parametrize(
    "matrix, message",
    [
        ([[1.0, 2.0, 3.0], [0.5, 1.0, 1.0]], "pairwise matrix is 2 x 3 (rows x columns); it must be square"),
        ([], "pairwise matrix is empty"),
        (np.ones((16, 16)), "has 16 criteria; the random index is tabulated for at most 15"),
        ([[1.0, None], [None, 1.0]], "pairwise judgements leave criterion 2 unconnected to criterion 1: no judgement links them"),
        ([[1.0, "abc"], [1.0, 1.0]], 'row 1 col 2 is "abc", not a number or a fraction'),
        ([[1.0, "1/0"], [1.0, 1.0]], 'row 1 col 2 is "1/0", not a number or a fraction'),
        ([[1.0, True], [1.0, 1.0]], "row 1 col 2 is True, not a number"),
        ([[1.0, 0.0], [1.0, 1.0]], "row 1 col 2 is 0; judgements must be positive"),
        ([[1.0, -2.0], [-0.5, 1.0]], "row 1 col 2 is -2; judgements must be positive"),
        ([[1.0, float("inf")], [0.0, 1.0]], "row 1 col 2 is inf; judgements must be positive"),
        ([[1.0, 3.0], [2.0, 1.0]], "not reciprocal: row 1 col 2 is 3 but row 2 col 1 is 2; enter 1/3 in row 2 col 1 (or 1/2 in row 1 col 2)"),
        ([[1.0, 1.0], [1.0, 2.0]], "row 2 col 2 is 2; a criterion compared with itself is 1"),
        ([[1.0, 3.0], [dt.datetime(2025, 1, 3), 1.0]], "row 2 col 1 is the date 2025-01-03: Excel turned a fraction into a date; type it as =1/3"),
        ([[1.0, 2.0], [0.5]], "rows have different lengths"),
    ],
)
def test_bad_matrices_are_one_line_errors(matrix, message):
    with pytest.raises(PartnerfitError) as error:
        ahp_weights(matrix)
    assert message in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("text", ["3", "1/3", " 1 / 3 ", "0.5", "1e2", "-3", "３", "1/0", "1//3", "abc", "9.", "\u00a03"])
def test_the_excel_function_reads_a_typed_judgement_as_the_workbook_does(text):
    from partnerfit.cells import read_judgement

    workbook = read_judgement(text)
    if workbook is None:
        with pytest.raises(PartnerfitError, match="not a number or a fraction"):
            ahp_weights([[1.0, text], [None, 1.0]])
    else:
        assert ahp_weights([[1.0, text], [None, 1.0]]).matrix[0][1] == pytest.approx(workbook)
