"""The Excel functions, fed exactly what Excel hands a UDF: floats, None, scalars, flat lists."""

import datetime as dt
import inspect
import math

import pytest

import partnerfit
from partnerfit import functions, udfs

HEADER = ["Vendor", "Scope", "Quality", "Cost"]
TABLE = [
    HEADER,
    ["Alpha", 5.0, 4.0, 3.0],
    ["Beta", 4.0, " 5 ", None],
    [None, None, None, None],  # a blank row of a generous selection
    ["Gamma", "N/A", 2.0, 5.0],
]
WEIGHTS = [50.0, 30.0, 20.0]


def no_nan(value):
    if isinstance(value, list):
        return all(no_nan(v) for v in value)
    return not (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


def test_partner_fit_family_with_excel_values():
    args = ("Commercial", "manufacturing", "validated", "strong", "small molecule")
    assert udfs.PARTNER_FIT(*args) == "CMO"
    assert udfs.PARTNER_FIT_SCORES(*args) == [["CRO", "CMO", "CDMO"], [0.0, 91.0, 27.0]]
    assert udfs.PARTNER_FIT_WHY(*args).startswith("CMO: CMO fits 91")
    # Omitted optional arguments arrive as the defaults; blank cells as None.
    assert udfs.PARTNER_FIT("Phase II", "clinical") == "CRO"
    assert udfs.PARTNER_FIT("Phase II", "clinical", None, None, None) == "CRO"
    assert udfs.PARTNER_FIT(" preclinical ", "development + manufacturing", "none", "limited", "cell therapy") == "CDMO"


@pytest.mark.parametrize(
    "args, message",
    [
        (("Phase 9", "clinical"), '#partnerfit: stage "Phase 9" is not one of Discovery'),
        ((None, "clinical"), "#partnerfit: stage is blank"),
        (("Phase II", None), "#partnerfit: need is blank"),
        ((2.0, "clinical"), "#partnerfit: stage 2 is not one of"),
        ((dt.datetime(2026, 1, 1), "clinical"), "#partnerfit: stage 2026-01-01"),
        (("Phase II", "clinical", True), "#partnerfit: process True is not one of"),
    ],
)
def test_partner_fit_bad_input_is_a_short_line(args, message):
    for function in (udfs.PARTNER_FIT, udfs.PARTNER_FIT_SCORES, udfs.PARTNER_FIT_WHY):
        result = function(*args)
        assert isinstance(result, str) and result.startswith(message)
        assert "\n" not in result and "Traceback" not in result


def test_vendor_score_published_case_w1():
    assert udfs.VENDOR_SCORE([5.0, 4.0, 4.0, 3.0, 4.0], [30.0, 25.0, 20.0, 15.0, 10.0]) == pytest.approx(4.15)
    assert udfs.VENDOR_SCORE([5.0, 4.0, 4.0, None, 4.0], [0.3, 0.25, 0.2, 0.15, 0.1]) == pytest.approx(
        4.352941176470588)


def test_vendor_score_single_cell_and_statuses():
    assert udfs.VENDOR_SCORE(4.0, 1.0) == 4.0  # one criterion: scalars
    assert udfs.VENDOR_SCORE([5.0, 2.0], [1.0, 1.0], [None, 3.0]) == "Knocked out: criterion 2"
    assert udfs.VENDOR_SCORE([5.0, 9.0], [1.0, 1.0]) == "Invalid: criterion 2 is not a score from 1 to 5"
    assert udfs.VENDOR_SCORE([5.0, None, None], [1.0, 1.0, 1.0]) == "Incomplete"
    assert udfs.VENDOR_SCORE([5.0, None, None], [1.0, 1.0, 1.0], None, 0.3) == 5.0
    # A column-shaped selection (list of one-cell rows) is read like a row.
    assert udfs.VENDOR_SCORE([[5.0], [3.0]], [[1.0], [1.0]]) == 4.0


def test_vendor_scores_spills_a_ranked_table():
    result = udfs.VENDOR_RANKING(TABLE, WEIGHTS, [None, 3.0, None])
    assert result[0] == ["Vendor", "Score", "Rank", "Coverage", "Status"]
    assert result[1] == ["Beta", pytest.approx(4.375), 1.0, 0.8, "Qualified"]  # (200 + 150) / 80
    assert result[2] == ["Alpha", pytest.approx(4.3), 2.0, 1.0, "Qualified"]
    assert result[3][0] == "Gamma" and result[3][2] is None and result[3][4] == "Knocked out: Quality"
    assert len(result) == 4  # the blank row is ignored
    assert no_nan(result)


def test_vendor_scores_matches_the_engine():
    import pandas as pd

    body = [row for row in TABLE[1:] if row[0]]
    frame = pd.DataFrame([r[1:] for r in body], index=[r[0] for r in body], columns=HEADER[1:], dtype=object)
    engine = partnerfit.score_vendors(frame, WEIGHTS).sort_values("rank", kind="stable")  # as the sheet lists them
    excel = udfs.VENDOR_RANKING(TABLE, WEIGHTS)
    assert [r[0] for r in excel[1:]] == list(engine.index)
    for row, (_, expected) in zip(excel[1:], engine.iterrows()):
        assert row[1] == pytest.approx(expected["score"])
        assert row[3] == pytest.approx(expected["coverage"])
        assert row[4] == expected["status"]


def test_vendor_scores_header_only_and_one_row_flat_list():
    assert udfs.VENDOR_RANKING(HEADER, WEIGHTS) == [udfs.RESULT_HEADER]  # 1-row table arrives flat
    assert udfs.VENDOR_RANKING([HEADER, [None] * 4], WEIGHTS) == [udfs.RESULT_HEADER]


def test_vendor_scores_trailing_blank_columns_are_ignored():
    table = [row + [None] for row in TABLE]
    assert udfs.VENDOR_RANKING(table, WEIGHTS) == udfs.VENDOR_RANKING(TABLE, WEIGHTS)


def test_numeric_vendor_names_are_shown_as_typed():
    result = udfs.VENDOR_RANKING([HEADER, [101.0, 4.0, 4.0, 4.0]], WEIGHTS)
    assert result[1][0] == "101"


def test_blank_weight_counts_as_zero_and_minimum_blank_as_none():
    assert udfs.VENDOR_SCORE([5.0, 1.0], [1.0, None]) == 5.0


@pytest.mark.parametrize(
    "table, weights, minimums, coverage, message",
    [
        (TABLE, [0.0, 0.0, 0.0], None, 0.5, "all weights are 0"),
        (TABLE, [1.0, -1.0, 1.0], None, 0.5, "weight for Quality is -1"),
        (TABLE, [1.0, 1.0], None, 0.5, "weights has 2 cells for 3 criteria"),
        (TABLE, [1.0, "1,5", 1.0], None, 0.5, 'weight for Quality is "1,5", not a number'),
        (TABLE, [1.0, True, 1.0], None, 0.5, "weight for Quality is True, not a number"),
        (TABLE, [[1.0, 2.0], [3.0, 4.0]], None, 0.5, "weights must be one row or one column"),
        (TABLE, WEIGHTS, [None, 6.0, None], 0.5, "must-have minimum for Quality is 6"),
        (TABLE, WEIGHTS, [1.0], 0.5, "minimums has 1 cells for 3 criteria"),
        (TABLE, WEIGHTS, None, 2.0, "min_coverage is 2"),
        (TABLE, WEIGHTS, None, "half", 'min_coverage is "half", not a number'),
        ([HEADER, ["A", 1.0, 1.0, 1.0], ["A", 2.0, 2.0, 2.0]], WEIGHTS, None, 0.5, 'vendor "A" appears twice'),
        ([HEADER, [None, 1.0, 1.0, 1.0]], WEIGHTS, None, 0.5, "table row 2 has scores but no vendor name"),
        ([["Vendor", 1.0, 2.0, 3.0], ["A", 1.0, 1.0, 1.0]], WEIGHTS, None, 0.5, "table header column 2 is 1"),
        ([["Vendor", "A", None, "C"], ["A", 1.0, 1.0, 1.0]], WEIGHTS, None, 0.5, "table header column 3 is blank"),
        ([["Vendor", "A"], ["A", 1.0, 1.0]], WEIGHTS, None, 0.5, "table rows have different lengths"),
        (5.0, WEIGHTS, None, 0.5, "table must be a range"),
        (["Vendor"], WEIGHTS, None, 0.5, "table needs a Vendor column and at least one criterion"),
    ],
)
def test_vendor_scores_bad_input(table, weights, minimums, coverage, message):
    result = udfs.VENDOR_RANKING(table, weights, minimums, coverage)
    assert isinstance(result, str) and result.startswith("#partnerfit: ")
    assert message in result and "\n" not in result


def test_unexpected_errors_never_show_a_traceback(monkeypatch):
    def boom(*args):
        raise RuntimeError("kaboom\nline two")

    monkeypatch.setattr(functions, "recommend", boom)
    result = udfs.PARTNER_FIT("Phase II", "clinical")
    assert result == "#partnerfit: unexpected RuntimeError kaboom; please report it"


def test_version_and_signatures_suit_xlwings():
    assert udfs.PARTNERFIT_VERSION() == partnerfit.__version__
    for name in ("PARTNER_FIT", "PARTNER_FIT_SCORES", "PARTNER_FIT_WHY", "VENDOR_SCORE", "VENDOR_RANKING"):
        function = getattr(udfs, name)
        parameters = inspect.signature(function).parameters.values()
        # xlwings refuses keyword-only arguments; "caller" would break xlwings Lite.
        assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in parameters)
        assert "caller" not in inspect.signature(function).parameters
        assert function.__doc__ and len(function.__doc__) <= 255
