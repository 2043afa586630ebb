"""AHP_WEIGHTS, CONSENSUS, RANK_ACCEPTABILITY and FLIP_MARGIN fed exactly what Excel hands a
UDF: floats (3.0, never 3), None for blanks, text as typed ("1/3", "N/A"), lists of lists for
the ranges declared ndim=2 and flat lists for one-row or one-column weights."""

import datetime as dt
import inspect
import math

import pytest

from partnerfit import udfs

# A2 of shared/reference/published_cases.md (the leader example of the English Wikipedia
# article on the AHP), with the fractions typed as text as a user does.
LEADER = [
    [1.0, 4.0, 3.0, 7.0],
    ["1/4", 1.0, "1/3", 3.0],
    ["1/3", 3.0, 1.0, 5.0],
    ["1/7", "1/3", "1/5", 1.0],
]

EVALUATIONS = [
    ["Vendor", "Evaluator", "Criterion", "Score", "Evidence"],
    ["Vendor A", "Ann", "Quality", 5.0, "audit 2024"],
    ["Vendor A", "Bob", "Quality", 5.0, None],
    ["Vendor A", "Ann", "Cost", 2.0, None],
    ["Vendor A", "Bob", "Cost", "N/A", None],
    [None, None, None, None, None],  # a blank row of a generous selection
    ["Vendor B", "Ann", "Quality", 1.0, None],
    ["Vendor B", "Bob", "Quality", 4.0, None],
    ["Vendor B", "Ann", "Cost", " 3 ", None],
    ["Vendor B", "Bob", "Cost", 3.0, None],
]

# Vendor A = [5, -, 2] and Vendor B = [3, 3, 3] under equal weights (hand-computed margins in
# tests/test_robustness.py: Quality down to 0.2, Speed up to 1, Cost up to 0.5).
TABLE = [
    ["Vendor", "Quality", "Speed", "Cost"],
    ["Vendor A", 5.0, None, 2.0],
    ["Vendor B", 3.0, 3.0, 3.0],
    [None, None, None, None],
]
WEIGHTS = [1.0, 1.0, 1.0]


def finite(value):
    if isinstance(value, list):
        return all(finite(v) for v in value)
    return not (isinstance(value, float) and not math.isfinite(value))


def is_error(result, *parts):
    return isinstance(result, str) and result.startswith("#partnerfit: ") and "\n" not in result and all(
        p in result for p in parts
    )


def test_ahp_weights_spills_labels_and_values():
    result = udfs.AHP_WEIGHTS(LEADER)
    assert [row[0] for row in result] == [
        "Weight 1", "Weight 2", "Weight 3", "Weight 4", "Lambda max", "CI", "CR", "Consistent", "Note",
    ]
    values = dict(result)
    for i, expected in enumerate([0.5476, 0.1266, 0.2699, 0.0559]):
        assert values[f"Weight {i + 1}"] == pytest.approx(expected, abs=1e-3)
    assert values["CR"] == pytest.approx(0.044, abs=2e-3)
    assert values["Consistent"] is True and values["Note"] == "consistent: CR 0.044 is at most 0.10"
    assert all(type(v) in (float, bool, str) for _, v in result) and finite(result)


def test_ahp_weights_single_cell_and_inconsistent_matrix():
    assert udfs.AHP_WEIGHTS(1.0)[0] == ["Weight 1", 1.0]
    result = dict(udfs.AHP_WEIGHTS([[1.0, 9.0, "1/9"], ["1/9", 1.0, 9.0], [9.0, "1/9", 1.0]]))
    assert result["Consistent"] is False and result["Note"].startswith("inconsistent: CR 6.130 is above 0.10")


@pytest.mark.parametrize(
    "matrix, parts",
    [
        ([[1.0, 3.0], [0.5, 1.0]], ("row 1 col 2 is 3 but row 2 col 1 is 1/2", "enter 1/3 in row 2 col 1")),
        ([[1.0, 3.0], [None, 1.0]], ("row 2 col 1 is blank",)),
        ([[1.0, 3.0], ["one third", 1.0]], ('row 2 col 1 is "one third", not a number or a fraction',)),
        ([[1.0, 3.0], [dt.datetime(2025, 1, 3), 1.0]], ("Excel turned a fraction into a date; type it as =1/3",)),
        ([[1.0, 3.0, 2.0], ["1/3", 1.0, 1.0]], ("pairwise matrix is 2 x 3",)),
    ],
)
def test_ahp_weights_bad_input(matrix, parts):
    assert is_error(udfs.AHP_WEIGHTS(matrix), *parts)


def test_consensus_spills_a_table_that_vendor_scores_takes():
    table = udfs.CONSENSUS(EVALUATIONS)
    assert table == [
        ["Vendor", "Quality", "Cost"],
        ["Vendor A", 5.0, 2.0],
        ["Vendor B", 2.5, 3.0],
    ]
    ranked = udfs.VENDOR_RANKING(table, [60.0, 40.0])
    assert [row[:3] for row in ranked[1:]] == [["Vendor A", 3.8, 1.0], ["Vendor B", 2.7, 2.0]]


def test_consensus_median_blanks_and_defaults():
    rows = EVALUATIONS + [["Vendor B", "Cy", "Quality", 5.0, None], ["Vendor C", "Ann", "Cost", None, None]]
    assert udfs.CONSENSUS(rows, "median")[2] == ["Vendor B", 4.0, 3.0]  # 1, 4, 5
    assert udfs.CONSENSUS(rows, None)[2][1] == pytest.approx(10 / 3)  # a blank cell: the mean
    assert udfs.CONSENSUS(rows)[3] == ["Vendor C", None, None]  # nobody scored: blank, never NaN
    assert udfs.CONSENSUS([EVALUATIONS[0]]) == [["Vendor"]]


@pytest.mark.parametrize(
    "rows, method, parts",
    [
        (EVALUATIONS + [["Vendor B", "Cy", "Cost", 6.0, None]], "mean",
         ('data row 10 (vendor "Vendor B", evaluator "Cy", criterion "Cost") has score 6',)),
        (EVALUATIONS + [["Vendor B", "Bob", "Cost", 4.0, None]], "mean",
         ('vendor "Vendor B", evaluator "Bob", criterion "Cost" is in data rows 9 and 10',)),
        (EVALUATIONS, "average", ('method is "average"; use mean or median',)),
        ([["Vendor", "Rater", "Criterion", "Score"], ["A", "x", "Cost", 3.0]], "mean", ('no "Evaluator" column',)),
        ("Vendor", "mean", ("evaluations must be a range",)),
    ],
)
def test_consensus_bad_input(rows, method, parts):
    assert is_error(udfs.CONSENSUS(rows, method), *parts)


def test_rank_acceptability_spills_shares_in_table_order():
    result = udfs.RANK_ACCEPTABILITY(TABLE, WEIGHTS, 0.6, 2000.0, 5.0)
    assert result[0] == ["Vendor", "Rank 1", "Rank 2"]
    assert [row[0] for row in result[1:]] == ["Vendor A", "Vendor B"]
    assert all(isinstance(v, float) for row in result[1:] for v in row[1:]) and finite(result)
    assert result[1][1] + result[2][1] == pytest.approx(1.0)
    assert 0.5 < result[1][1] < 1.0  # A leads at these weights, but not in every weighting
    assert udfs.RANK_ACCEPTABILITY(TABLE, WEIGHTS, 0.6, 2000.0, 5.0) == result  # the seed
    assert udfs.RANK_ACCEPTABILITY(TABLE, WEIGHTS, 0.6, 2000.0, 6.0) != result


def test_rank_acceptability_without_uncertainty_and_with_blank_options():
    assert udfs.RANK_ACCEPTABILITY(TABLE, WEIGHTS, 0.0, 10.0)[1:] == [["Vendor A", 1.0, 0.0], ["Vendor B", 0.0, 1.0]]
    assert udfs.RANK_ACCEPTABILITY(TABLE, WEIGHTS, None, None, None) == udfs.RANK_ACCEPTABILITY(TABLE, WEIGHTS)


@pytest.mark.parametrize(
    "args, parts",
    [
        ((TABLE, WEIGHTS, 0.2, 200000.0), ("samples is 200000; use a whole number from 1 to 100,000",)),
        ((TABLE, WEIGHTS, 0.2, 99.5), ("samples is 99.5",)),
        ((TABLE, WEIGHTS, 1.0), ("uncertainty is 1; use a fraction from 0 to below 1",)),
        ((TABLE, WEIGHTS, "a lot"), ('uncertainty is "a lot", not a number',)),
        ((TABLE, WEIGHTS, 0.2, 100.0, -1.0), ("seed is -1; use a whole number",)),
        ((TABLE, [1.0, 1.0]), ("weights has 2 cells for 3 criteria",)),
        ([[["Vendor", "Quality"], ["Vendor A", "N/A"]], [1.0]], ('vendor "Vendor A" has no score on a criterion with a weight',)),
        ([[["Vendor", "Quality"], ["Vendor A", 6.0]], [1.0]], ('score of vendor "Vendor A" for "Quality" is 6',)),
        ([[["Vendor", "Quality"]], [1.0]], ("table has no vendor rows",)),
        ([[["Vendor", "Quality"], ["Vendor\nA", 0.0]], [1.0]], ('vendor "Vendor A" for "Quality" is 0',)),
    ],
)
def test_rank_acceptability_and_flip_margin_bad_input(args, parts):
    assert is_error(udfs.RANK_ACCEPTABILITY(*args), *parts)
    if len(args) == 2:
        assert is_error(udfs.FLIP_MARGIN(*args), *parts)


def test_flip_margin_spills_one_row_per_criterion():
    result = udfs.FLIP_MARGIN(TABLE, WEIGHTS)
    assert result[0] == ["Criterion", "Weight", "Change", "New weight", "New leader"]
    assert [row[0] for row in result[1:]] == ["Quality", "Speed", "Cost"]
    assert [row[4] for row in result[1:]] == ["Vendor B"] * 3
    expected = [[1 / 3, 0.2 - 1 / 3, 0.2], [1 / 3, 2 / 3, 1.0], [1 / 3, 1 / 6, 0.5]]
    for row, numbers in zip(result[1:], expected):
        assert row[1:4] == pytest.approx(numbers, abs=1e-12)


def test_flip_margin_none_is_blank_and_a_word():
    result = udfs.FLIP_MARGIN([["Vendor", "Quality", "Cost"], ["A", 5.0, 5.0], ["B", 4.0, 1.0]], [1.0, 1.0])
    assert result[1:] == [["Quality", 0.5, None, None, "none"], ["Cost", 0.5, None, None, "none"]]


def test_one_row_weights_as_flat_list_and_one_column_as_block():
    as_column = [[1.0], [1.0], [1.0]]
    assert udfs.FLIP_MARGIN(TABLE, as_column) == udfs.FLIP_MARGIN(TABLE, WEIGHTS)


def test_signatures_suit_xlwings():
    for name in ("AHP_WEIGHTS", "CONSENSUS", "RANK_ACCEPTABILITY", "FLIP_MARGIN"):
        function = getattr(udfs, name)
        parameters = inspect.signature(function).parameters
        assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in parameters.values())
        assert "caller" not in parameters
        assert function.__doc__ and len(function.__doc__) <= 255
