"""Price scores from the quotes: worked cases, an independent computation, blank and bad
quotes, abnormally low quotes, technical and total scores, the ranking paradox of the relative
formula, and PRICE_SCORE fed what Excel hands a function."""

import datetime as dt
import inspect
import math
import statistics

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from libreoffice import recalc
from partnerfit import udfs
from partnerfit.errors import PartnerfitError
from partnerfit.pricing import (
    Variant,
    abnormally_low,
    linear_scores,
    method_check,
    price_scores,
    ratio_scores,
    technical_and_total,
)
from partnerfit.scoring import score_vendors

FAST = settings(derandomize=True, database=None, deadline=None, max_examples=200)
NAN = math.nan


def same(actual, expected):
    """Element-wise equal within 1e-12, NaN where NaN is expected."""
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float),
                               rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ worked cases, by hand

def test_linear_between_the_lowest_and_the_highest_quote():
    # 125 is a quarter of the way from 100 to 200: 5 - 4 * 25 / 100 = 4.
    same(price_scores([100.0, 150.0, 200.0, 125.0]), [5, 3, 1, 4])


def test_linear_with_typed_bounds_clips_outside_them():
    # low 120 scores 5, high 180 scores 1; 135: 5 - 4 * 15 / 60 = 4; below 120: 5; above 180: 1.
    prices = [100.0, 120.0, 135.0, 150.0, 180.0, 200.0]
    same(price_scores(prices, "linear", 120, 180), [5, 5, 4, 3, 1, 1])
    # Only low typed: high is the highest quote, 200: 100 -> 5 - 4 * 50 / 150.
    same(price_scores([100.0, 200.0], low=50), [5 - 4 * 50 / 150, 1])
    # Only high typed: low is the lowest quote, 100: 150 -> 5 - 4 * 50 / 200.
    same(price_scores([100.0, 150.0], high=300), [5, 4])


def test_ratio_is_five_times_lowest_over_price_never_below_one():
    # 5 x 100/125 = 4; 5 x 100/200 = 2.5; 5 x 100/1000 = 0.5 -> 1.
    same(price_scores([100.0, 125.0, 200.0, 1000.0], "ratio"), [5, 4, 2.5, 1])
    same(price_scores([100.0, 125.0], " RATIO "), [5, 4])


def test_the_best_and_worst_quotes_score_exactly_5_and_1():
    prices = [0.1 + 0.2, 0.7, 3.3]  # numbers with no exact binary form
    assert price_scores(prices, "ratio")[0] == 5.0
    linear = price_scores(prices)
    assert (linear[0], linear[2]) == (5.0, 1.0)


def test_kernels_in_the_order_of_the_spreadsheet_formulas():
    """The engine computes as MAX(1, MIN(5, 5 - 4*(p-low)/(high-low))) and MAX(1, 5*(MIN(P)/p)),
    in that order, so that the workbook's ordinary formulas give the same bits."""
    rng = np.random.default_rng(7)
    prices = rng.uniform(1e3, 1e6, 500)
    low, high = 2e4, 7e5
    expected = [max(1.0, min(5.0, 5.0 - 4.0 * (p - low) / (high - low))) for p in prices.tolist()]
    assert linear_scores(prices, low, high).tolist() == expected
    lowest = min(prices.tolist())
    assert ratio_scores(prices).tolist() == [max(1.0, 5.0 * (lowest / p)) for p in prices.tolist()]


def test_series_in_series_out_array_otherwise():
    quotes = pd.Series([100.0, None, 200.0], index=["Acme", "Beta", "Gamma"], name="Quote")
    result = price_scores(quotes)
    assert isinstance(result, pd.Series) and result.name == "Quote"
    assert list(result.index) == ["Acme", "Beta", "Gamma"]
    same(result, [5, NAN, 1])
    assert isinstance(price_scores([100.0, 200.0]), np.ndarray)
    assert isinstance(price_scores(np.array([100, 200])), np.ndarray)
    same(price_scores(pd.Series([100, 300], dtype="Int64")), [5, 1])  # nullable integers
    same(price_scores(pd.Series([100.0, None], dtype="Float64")), [5, NAN])


# ------------------------------------------------------------------ an independent computation

def by_hand(prices, method, low, high):
    """Price scores in plain Python, written from the README's words, not from the code."""
    quotes = [p for p in prices if p is not None]
    out = []
    for p in prices:
        if p is None:
            out.append(NAN)
        elif method == "ratio":
            out.append(max(1.0, 5.0 * min(quotes) / p))
        else:
            lo = min(quotes) if low is None else low
            hi = max(quotes) if high is None else high
            if lo == hi:
                out.append(5.0)
            else:
                share_of_the_way_up = (p - lo) / (hi - lo)  # 0 at low, 1 at high
                out.append(min(5.0, max(1.0, 1.0 + 4.0 * (1.0 - share_of_the_way_up))))
    return out


quotes = st.lists(st.one_of(st.none(), st.floats(1.0, 1e7)), min_size=1, max_size=30)


@FAST
@given(prices=quotes, method=st.sampled_from(["linear", "ratio"]),
       low=st.one_of(st.none(), st.floats(0.0, 5e6)), span=st.one_of(st.none(), st.floats(0.0, 5e6)))
def test_against_an_independent_computation(prices, method, low, span):
    if method == "ratio":
        low = span = None
    high = None if span is None else (low or 0.0) + span
    if any(p is not None for p in prices):
        lo = low if low is not None else min(p for p in prices if p is not None)
        hi = high if high is not None else max(p for p in prices if p is not None)
        if lo > hi:
            with pytest.raises(PartnerfitError, match="is above high"):
                price_scores(prices, method, low, high)
            return
    same(price_scores(prices, method, low, high), by_hand(prices, method, low, high))
    np.testing.assert_array_equal(
        abnormally_low(prices),
        [p is not None and p < 0.8 * statistics.median(q for q in prices if q is not None) for p in prices],
    )


# ------------------------------------------------------------------ blank and bad quotes

def test_a_blank_quote_is_not_scored_never_zero():
    prices = [None, 100.0, NAN, "", "  ", "N/A", 200.0]
    same(price_scores(prices), [NAN, 5, NAN, NAN, NAN, NAN, 1])
    same(price_scores(prices, "ratio"), [NAN, 5, NAN, NAN, NAN, NAN, 2.5])
    for method in ("linear", "ratio"):  # no quote at all: nothing scored, nothing refused
        same(price_scores([None, ""], method), [NAN, NAN])
    same(price_scores([None, None], "linear", 100, 200), [NAN, NAN])
    assert not abnormally_low([None, ""]).any()


def test_numbers_typed_as_text_are_read_as_score_cells_are():
    same(price_scores([" 100 ", "200", 150.0]), [5, 1, 3])


@pytest.mark.parametrize("bad, shown", [
    (0.0, "is 0;"), (-5.0, "is -5;"), ("abc", 'is "abc", not a number;'), (True, "is True, not a number;"),
    (math.inf, "is inf;"), ("-3", "is -3;"), (dt.datetime(2026, 1, 31), "is 2026-01-31 00:00:00, not a number;"),
])
def test_zero_negative_and_text_quotes_are_refused_in_one_line(bad, shown):
    fix = "enter the quoted price as a number above 0, or leave the cell blank if there is no quote"
    for function in (price_scores, abnormally_low):
        with pytest.raises(PartnerfitError) as error:
            function([100.0, bad, 200.0])
        assert str(error.value) == f"price 2 {shown} {fix}"
    with pytest.raises(PartnerfitError, match=f"^price for \"Beta\" {shown}") as error:
        price_scores(pd.Series([100.0, bad], index=["Acme", "Beta"]))
    assert "\n" not in str(error.value)


def test_low_equal_to_high_scores_every_quote_5():
    same(price_scores([150.0, None, 150.0]), [5, NAN, 5])  # every quote the same
    same(price_scores([100.0, 200.0], "linear", 150, 150), [5, 5])  # bounds typed equal
    same(price_scores([150.0]), [5])


@pytest.mark.parametrize("args, message", [
    (("linear", 300, 200), "low (300) is above high (200); the price that scores 5 must be at or below"),
    (("linear", 300), "low (300) is above high (200, the highest quote);"),
    (("linear", None, 50), "low (100, the lowest quote) is above high (50);"),
    (("linear", -1), "low is -1; enter a price of 0 or more, or leave it blank (the lowest quote)"),
    (("linear", None, "abc"), 'high is "abc", not a number; enter a number'),
    (("linear", True), "low is True, not a number"),
    (("ratio", 100), "low and high are bounds of the linear method; leave them blank for ratio"),
    (("log",), 'method is "log"; use linear or ratio'),
    ((None,), "method is None; use linear or ratio"),
])
def test_bad_bounds_and_methods(args, message):
    with pytest.raises(PartnerfitError, match=message.replace("(", r"\(").replace(")", r"\)")):
        price_scores([100.0, 200.0], *args)


def test_bounds_as_spreadsheet_cells():
    same(price_scores([100.0, 200.0], "linear", " 100 ", None), [5, 1])
    same(price_scores([100.0, 200.0], "linear", "", NAN), [5, 1])  # blank bounds: the quotes


def test_a_block_of_prices_is_refused_a_column_is_not():
    same(price_scores(np.array([[100.0], [200.0]])), [5, 1])
    with pytest.raises(PartnerfitError, match="prices must be one row or one column of quotes, not a block"):
        price_scores([[100.0, 200.0], [150.0, 120.0]])


# ------------------------------------------------------------------ abnormally low quotes

def test_abnormally_low_below_80_percent_of_the_median():
    # median of 50, 100, 110, 120 is 105; 80 % of it is 84: only 50 is flagged.
    assert abnormally_low([50.0, 100.0, 110.0, 120.0]).tolist() == [True, False, False, False]
    assert abnormally_low([84.0, 100.0, 110.0, 120.0]).tolist() == [False] * 4  # 84 = 0.8 x 105: not below
    assert abnormally_low([83.0, 100.0, 110.0, 120.0]).tolist() == [True, False, False, False]
    # blanks are not flagged and leave the median: 80, 100, 110, 120 -> 105, 0.8 x 105 = 84 (with
    # the blanks as zeros the median would be 90 and 80 would not be flagged)
    assert abnormally_low([None, 80.0, 100.0, "", 110.0, 120.0]).tolist() == [False, True] + [False] * 4
    # the share is a parameter: half the median 105 is 52.5
    assert abnormally_low([50.0, 100.0, 110.0, 120.0], 0.5).tolist() == [True, False, False, False]
    assert abnormally_low([60.0, 100.0, 110.0, 120.0], 0.5).tolist() == [False] * 4
    flags = abnormally_low(pd.Series([40.0, 100.0], index=["Acme", "Beta"]))
    assert flags.to_dict() == {"Acme": True, "Beta": False}  # median 70, 0.8 x 70 = 56


def test_the_score_of_an_abnormally_low_quote_stands():
    prices = [50.0, 100.0, 110.0, 120.0]
    assert abnormally_low(prices)[0]
    assert price_scores(prices)[0] == 5.0 and price_scores(prices, "ratio")[0] == 5.0


@pytest.mark.parametrize("share", [0.0, -0.2, 1.5, "abc"])
def test_abnormally_low_share_must_be_a_fraction(share):
    with pytest.raises(PartnerfitError, match="share is"):
        abnormally_low([100.0, 200.0], share)


# ------------------------------------------------------------------ technical and total

SCORES = pd.DataFrame(
    {"Quality": [4, 3, 5], "Delivery": [5, 4, 2], "Cost": [2, "N/A", 3]}, index=["Acme", "Beta", "Gamma"],
)
WEIGHTS = {"Quality": 40, "Delivery": 20, "Cost": 40}


def test_technical_and_total_by_hand():
    quotes = pd.Series({"Acme": 100.0, "Beta": 150.0, "Gamma": 200.0})
    result = technical_and_total(SCORES, WEIGHTS, price_scores(quotes))  # Cost 5, 3, 1
    # technical = (40 Quality + 20 Delivery) / 60; total = (40 Q + 20 D + 40 Cost) / 100
    same(result.technical["score"], [(160 + 100) / 60, (120 + 80) / 60, (200 + 40) / 60])
    same(result.total["score"], [(160 + 100 + 200) / 100, (120 + 80 + 120) / 100, (200 + 40 + 40) / 100])
    assert result.technical["rank"].tolist() == [1, 3, 2] and result.total["rank"].tolist() == [1, 2, 3]
    same(result.scores["Cost"], [5, 3, 1])
    assert result.replaced.to_dict() == {"Acme": 2, "Gamma": 3}  # Beta's N/A was no score
    # Both are score_vendors' own results.
    pd.testing.assert_frame_equal(result.technical, score_vendors(SCORES[["Quality", "Delivery"]], [40, 20]))
    pd.testing.assert_frame_equal(result.total, score_vendors(result.scores, WEIGHTS))


def test_a_vendor_without_a_quote_is_not_scored_on_price():
    quotes = pd.Series({"Acme": 100.0, "Beta": 150.0})  # Gamma has not quoted
    result = technical_and_total(SCORES, WEIGHTS, price_scores(quotes), minimums={"Cost": 2})
    assert math.isnan(result.scores.loc["Gamma", "Cost"])
    assert result.replaced.to_dict() == {"Acme": 2, "Gamma": 3}  # Gamma's typed 3 is not used either
    assert result.total.loc["Gamma", "status"] == "Incomplete"  # a must-have without a quote
    assert result.technical.loc["Gamma", "status"] == "Eligible"  # the price must-have is not technical
    assert result.total.loc["Acme", "coverage"] == 1.0 and result.total.loc["Gamma", "coverage"] == 0.6


def test_price_scores_in_row_order_and_weights_in_column_order():
    by_name = technical_and_total(SCORES, WEIGHTS, pd.Series({"Gamma": 1.0, "Acme": 5.0, "Beta": 3.0}))
    by_position = technical_and_total(SCORES, [40, 20, 40], [5.0, 3.0, 1.0])
    pd.testing.assert_frame_equal(by_name.total, by_position.total)
    pd.testing.assert_frame_equal(by_name.technical, by_position.technical)


def test_another_price_criterion_name():
    table = SCORES.rename(columns={"Cost": "Price"})
    result = technical_and_total(table, [40, 20, 40], [5.0, 3.0, 1.0], criterion="Price")
    same(result.total["score"], [4.6, 3.2, 2.8])


@pytest.mark.parametrize("kwargs, message", [
    ({"price_scores": [5.0, 3.0]}, "2 price scores for 3 vendors; give one per row"),
    ({"price_scores": pd.Series({"Acme": 5.0, "Delta": 3.0})},
     'price score for "Delta", who is not in the scores table'),
    ({"price_scores": pd.Series({"Acme": 100.0, "Beta": 150.0})},
     'price score for "Acme" is 100, not a score from 1 to 5; pass price_scores'),
    ({"price_scores": [5.0, "abc", 1.0]}, 'price score for "Beta" is "abc", not a score from 1 to 5'),
    ({"price_scores": pd.Series([5.0, 3.0], index=["Acme", "Acme"])}, 'vendor "Acme" has two price scores'),
    ({"criterion": "Price"}, 'the scores table has no column "Price"; add the price criterion'),
    ({"weights": {"Quality": 40, "Risk": 10}}, "weights names 'Risk', which is not a column"),
    ({"scores": SCORES[["Cost"]], "weights": [1]}, 'only the price criterion "Cost"; add the technical criteria'),
    ({"scores": [[1, 2]]}, "scores is a list, not a pandas DataFrame"),
])
def test_technical_and_total_bad_input(kwargs, message):
    args = {"scores": SCORES, "weights": WEIGHTS, "price_scores": [5.0, 3.0, 1.0], **kwargs}
    with pytest.raises(PartnerfitError, match=message.replace("(", r"\(")):
        technical_and_total(**args)


# ------------------------------------------------------------------ the ranking paradox

TWO = pd.DataFrame({"Quality": [5, 4], "Cost": [None, None]}, index=["A", "B"])
THREE = pd.DataFrame({"Quality": [5, 4, 1], "Cost": [None, None, None]}, index=["A", "B", "C"])
QUOTES = pd.Series({"A": 100.0, "B": 70.0, "C": 35.0})
HALF = {"Quality": 50, "Cost": 50}


def leader(table, method, low=None, high=None):
    total = technical_and_total(table, HALF, price_scores(QUOTES[table.index], method, low, high)).total
    return total["score"].to_dict(), total["rank"].tolist()


def test_a_third_quote_reverses_two_vendors_under_ratio_not_under_fixed_bounds():
    # Ratio, A and B only: lowest 70; A's price score 5 x 70/100 = 3.5, B's 5: A 4.25 < B 4.5.
    scores, ranks = leader(TWO, "ratio")
    assert scores == pytest.approx({"A": 4.25, "B": 4.5}) and ranks == [2, 1]
    # C quotes 35: A's price score 5 x 35/100 = 1.75, B's 2.5: A 3.375 > B 3.25. C changed A and
    # B's order without touching their own quotes or quality.
    scores, ranks = leader(THREE, "ratio")
    assert scores == pytest.approx({"A": 3.375, "B": 3.25, "C": 3.0}) and ranks == [1, 2, 3]
    # Linear between 50 and 150 set in advance: A 5 - 4 x 50/100 = 3, B 4.2 with or without C.
    for table in (TWO, THREE):
        scores, ranks = leader(table, "linear", 50, 150)
        assert (scores["A"], scores["B"]) == pytest.approx((4.0, 4.1)) and ranks[:2] == [2, 1]
    # C's quote is also abnormally low: 35 < 0.8 x median(100, 70, 35) = 56.
    assert abnormally_low(QUOTES).to_dict() == {"A": False, "B": False, "C": True}


def test_method_check_says_the_formula_decides():
    check = method_check(THREE, HALF, QUOTES, 50, 150)
    assert check.leaders == {Variant.LINEAR: ("B",), Variant.LINEAR_TYPED: ("B",), Variant.RATIO: ("A",)}
    assert check.changed
    assert check.message == (
        "The price formula decides who leads: B with linear scores between the lowest and the highest quote, "
        "B with linear scores between 50 and 150, A with ratio scores (lowest quote / quote).")
    check = method_check(TWO, HALF, QUOTES[["A", "B"]])  # no typed bounds: two formulas
    assert check.leaders == {Variant.LINEAR: ("B",), Variant.RATIO: ("B",)} and not check.changed
    assert check.message == ("B leads whichever price formula is used: linear scores between the lowest and "
                             "the highest quote or ratio scores (lowest quote / quote).")


def test_method_check_with_one_typed_bound_ties_and_no_eligible_vendor():
    check = method_check(TWO, HALF, [100.0, 70.0], high=1_000_000)
    assert Variant.LINEAR_TYPED in check.leaders
    assert "linear scores between the lowest quote and 1,000,000" in check.message
    twins = pd.DataFrame({"Quality": [4, 4], "Cost": [None, None]}, index=["A", "B"])
    check = method_check(twins, HALF, [80.0, 80.0])
    assert check.leaders[Variant.RATIO] == ("A", "B") and not check.changed
    assert check.message.startswith("A and B (tied) lead whichever price formula is used")
    check = method_check(TWO, HALF, [100.0, 70.0], minimums={"Quality": 5.0})  # B knocked out
    assert set(check.leaders.values()) == {("A",)} and not check.changed
    check = method_check(TWO, {"Quality": 50, "Cost": 50}, [None, None], min_coverage=1.0)
    assert check.leaders == {Variant.LINEAR: (), Variant.RATIO: ()} and not check.changed
    assert check.message.startswith("No vendor qualifies, whichever price formula is used")


# ------------------------------------------------------------------ the Excel function

# PRICE_SCORE's worked and bad-input cases: tests/udf_cases.py (run by test_udfs.py and test_officejs.py).


def test_price_score_signature_suits_xlwings():
    parameters = inspect.signature(udfs.PRICE_SCORE).parameters
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in parameters.values())
    assert list(parameters) == ["prices", "method", "low", "high"]
    assert udfs.PRICE_SCORE.__doc__ and len(udfs.PRICE_SCORE.__doc__) <= 255


# ------------------------------------------------------------------ the same in spreadsheet formulas

FORMULAS = {  # row r; prices in A2:A8, typed low in F1, high in F2 (blank: the quotes')
    "linear": "=IF(ISNUMBER(A{r}),IF($F$4=$F$3,5,MAX(1,MIN(5,5-4*(A{r}-$F$3)/($F$4-$F$3)))),\"\")",
    "ratio": "=IF(ISNUMBER(A{r}),MAX(1,5*(MIN($A$2:$A$8)/A{r})),\"\")",
    "low": "=AND(ISNUMBER(A{r}),A{r}<0.8*MEDIAN($A$2:$A$8))",
}


@pytest.mark.libreoffice
@pytest.mark.parametrize("bounds", [(None, None), (60000.0, 310000.0)])
def test_ordinary_formulas_give_the_engine_results(tmp_path, bounds):
    """The workbook can compute the price scores natively: LibreOffice recalculating the formulas
    above gives the engine's scores (to the 15 significant digits it saves) and the same flags."""
    prices = [123456.78, None, 98765.43, 250000.0, 70001.0, 31000.0, 199999.99]
    path = tmp_path / "prices.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    for i, p in enumerate(prices, start=2):
        if p is not None:
            sheet.write_number(f"A{i}", p)
        for column, key in zip("BCD", FORMULAS):
            sheet.write_formula(f"{column}{i}", FORMULAS[key].format(r=i))
    for row, bound in ((1, bounds[0]), (2, bounds[1])):
        if bound is not None:
            sheet.write_number(f"F{row}", bound)
    sheet.write_formula("F3", "=IF(ISNUMBER(F1),F1,MIN(A2:A8))")
    sheet.write_formula("F4", "=IF(ISNUMBER(F2),F2,MAX(A2:A8))")
    book.close()
    recalculated = openpyxl.load_workbook(recalc([path], tmp_path / "out")[0], data_only=True).active
    column = {key: [recalculated[f"{c}{i}"].value for i in range(2, 9)] for c, key in zip("BCD", FORMULAS)}
    for method in ("linear", "ratio"):
        expected = price_scores(prices, method, *bounds if method == "linear" else ())
        assert [NAN if v in ("", None) else v for v in column[method]] == pytest.approx(
            expected.tolist(), rel=1e-14, nan_ok=True)
    assert column["low"] == abnormally_low(prices).tolist()
