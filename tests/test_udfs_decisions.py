"""AHP_WEIGHTS, CONSENSUS, RANK_ACCEPTABILITY and FLIP_MARGIN fed exactly what Excel hands a
UDF: floats (3.0, never 3), None for blanks, text as typed ("1/3", "N/A"), lists of lists for
the ranges declared ndim=2 and flat lists for one-row or one-column weights."""

import inspect
import math

import pytest

from partnerfit import udfs
from udf_cases import EVALUATIONS, LEADER, RISK_TABLE, RISK_WEIGHTS


def finite(value):
    if isinstance(value, list):
        return all(finite(v) for v in value)
    return not (isinstance(value, float) and not math.isfinite(value))


def test_ahp_weights_spills_labels_and_values():
    result = udfs.AHP_WEIGHTS(LEADER)  # the values: udf_cases.PUBLISHED, A2
    assert [row[0] for row in result] == [
        "Weight 1", "Weight 2", "Weight 3", "Weight 4", "Lambda max", "CI", "CR", "Consistent", "Note",
    ]
    assert all(type(v) in (float, bool, str) for _, v in result) and finite(result)


def test_ahp_weights_single_cell_and_inconsistent_matrix():
    assert udfs.AHP_WEIGHTS(1.0)[0] == ["Weight 1", 1.0]
    result = dict(udfs.AHP_WEIGHTS([[1.0, 9.0, "1/9"], ["1/9", 1.0, 9.0], [9.0, "1/9", 1.0]]))
    assert result["Consistent"] is False and result["Note"].startswith("inconsistent: CR 6.130 is above 0.10")


def test_consensus_spills_a_table_that_vendor_scores_takes():
    table = udfs.CONSENSUS(EVALUATIONS)  # Vendor A 5 / 2, Vendor B 2.5 / 3: udf_cases.WORKED
    ranked = udfs.VENDOR_RANKING(table, [60.0, 40.0])
    assert [row[:3] for row in ranked[1:]] == [["Vendor A", 3.8, 1.0], ["Vendor B", 2.7, 2.0]]


def test_consensus_median_blanks_and_defaults():
    rows = EVALUATIONS + [["Vendor B", "Cy", "Quality", 5.0, None], ["Vendor C", "Ann", "Cost", None, None]]
    assert udfs.CONSENSUS(rows, "median")[2] == ["Vendor B", 4.0, 3.0]  # 1, 4, 5
    assert udfs.CONSENSUS(rows, None)[2][1] == pytest.approx(10 / 3)  # a blank cell: the mean
    assert udfs.CONSENSUS(rows)[3] == ["Vendor C", None, None]  # nobody scored: blank, never NaN
    assert udfs.CONSENSUS([EVALUATIONS[0]]) == [["Vendor"]]


def test_rank_acceptability_spills_shares_in_table_order():
    result = udfs.RANK_ACCEPTABILITY(RISK_TABLE, RISK_WEIGHTS, 0.6, 2000.0, 5.0)
    assert result[0] == ["Vendor", "Rank 1", "Rank 2"]
    assert [row[0] for row in result[1:]] == ["Vendor A", "Vendor B"]
    assert all(isinstance(v, float) for row in result[1:] for v in row[1:]) and finite(result)
    assert result[1][1] + result[2][1] == pytest.approx(1.0)
    assert 0.5 < result[1][1] < 1.0  # A leads at these weights, but not in every weighting
    assert udfs.RANK_ACCEPTABILITY(RISK_TABLE, RISK_WEIGHTS, 0.6, 2000.0, 5.0) == result  # the seed
    assert udfs.RANK_ACCEPTABILITY(RISK_TABLE, RISK_WEIGHTS, 0.6, 2000.0, 6.0) != result


def test_rank_acceptability_with_blank_options():
    # Without uncertainty: udf_cases.WORKED.
    blank = udfs.RANK_ACCEPTABILITY(RISK_TABLE, RISK_WEIGHTS, None, None, None)
    assert blank == udfs.RANK_ACCEPTABILITY(RISK_TABLE, RISK_WEIGHTS)


def test_flip_margin_none_is_blank_and_a_word():
    result = udfs.FLIP_MARGIN([["Vendor", "Quality", "Cost"], ["A", 5.0, 5.0], ["B", 4.0, 1.0]], [1.0, 1.0])
    assert result[1:] == [["Quality", 0.5, None, None, "none"], ["Cost", 0.5, None, None, "none"]]


def test_one_row_weights_as_flat_list_and_one_column_as_block():
    as_column = [[1.0], [1.0], [1.0]]
    assert udfs.FLIP_MARGIN(RISK_TABLE, as_column) == udfs.FLIP_MARGIN(RISK_TABLE, RISK_WEIGHTS)


def test_signatures_suit_xlwings():
    for name in ("AHP_WEIGHTS", "CONSENSUS", "RANK_ACCEPTABILITY", "FLIP_MARGIN"):
        function = getattr(udfs, name)
        parameters = inspect.signature(function).parameters
        assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in parameters.values())
        assert "caller" not in parameters
        assert function.__doc__ and len(function.__doc__) <= 255
