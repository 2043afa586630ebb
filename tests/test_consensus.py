"""Consensus of several evaluators: hand-computed tables, flags, and one-line errors."""

import numpy as np
import pandas as pd
import pytest

from partnerfit.consensus import cell_statistics, consensus
from partnerfit.errors import PartnerfitError
from partnerfit.scoring import score_vendors

COLUMNS = ["Vendor", "Evaluator", "Criterion", "Score", "Evidence"]
ROWS = [
    ("Zeta", "Ann", "Cost", 4.0, "quote 2024-03"),
    ("Zeta", "Bob", "Cost", 2.0, ""),
    ("Zeta", "Cy", "Cost", " 5 ", ""),  # a number typed as text
    ("Zeta", "Ann", "Quality", 3.0, "audit"),
    ("Zeta", "Bob", "Quality", "N/A", ""),  # not scored: does not count
    (None, None, None, None, None),  # an empty row
    ("Alpha", "Ann", "Cost", 1.0, ""),
    ("Alpha", "Bob", "Cost", 2.0, ""),
    ("Alpha", "Ann", "Quality", None, ""),  # blank: not scored
]


def frame(rows=ROWS, columns=COLUMNS):
    return pd.DataFrame(rows, columns=columns)


def test_mean_spread_count_and_flags_by_hand():
    result = consensus(frame())
    # Vendors and criteria in order of first appearance, not sorted.
    assert list(result.table.index) == ["Zeta", "Alpha"]
    assert list(result.table.columns) == ["Cost", "Quality"]
    np.testing.assert_allclose(result.table.to_numpy(), [[11 / 3, 3.0], [1.5, np.nan]])
    np.testing.assert_allclose(result.spread.to_numpy(), [[3.0, 0.0], [1.0, np.nan]])
    assert result.count.to_numpy().tolist() == [[3, 1], [2, 0]]
    assert result.flags.to_numpy().tolist() == [[True, False], [False, False]]
    assert result.method == "mean" and result.threshold == 2.0


def test_median_takes_the_middle_and_averages_the_middle_two():
    result = consensus(frame(), method=" Median ")
    np.testing.assert_allclose(result.table.to_numpy(), [[4.0, 3.0], [1.5, np.nan]])
    four = frame([("A", e, "Cost", s, "") for e, s in zip("wxyz", (5.0, 1.0, 4.0, 2.0))])
    assert consensus(four, "median").table.loc["A", "Cost"] == 3.0
    assert consensus(four, "mean").table.loc["A", "Cost"] == 3.0
    skewed = frame([("A", e, "Cost", s, "") for e, s in zip("xyz", (5.0, 5.0, 1.0))])
    assert consensus(skewed, "median").table.loc["A", "Cost"] == 5.0
    assert consensus(skewed, "mean").table.loc["A", "Cost"] == pytest.approx(11 / 3)


def test_flag_threshold_is_inclusive_and_a_parameter():
    two_apart = frame([("A", "x", "Cost", 2.0, ""), ("A", "y", "Cost", 4.0, "")])
    assert consensus(two_apart).flags.loc["A", "Cost"]
    assert not consensus(two_apart, threshold=2.5).flags.loc["A", "Cost"]


def test_criteria_fix_the_column_order_and_add_unscored_columns():
    result = consensus(frame(), criteria=["Quality", "Speed", "Cost"])
    assert list(result.table.columns) == ["Quality", "Speed", "Cost"]
    assert result.table["Speed"].isna().all() and (result.count["Speed"] == 0).all()
    assert not result.flags["Speed"].any()


def test_columns_are_matched_ignoring_case_and_other_columns_ignored():
    renamed = frame().rename(columns={"Vendor": " vendor ", "Score": "SCORE"}).assign(Comment="x")
    pd.testing.assert_frame_equal(consensus(renamed).table, consensus(frame()).table)


def test_missing_values_of_nullable_columns_are_not_scored():
    data = frame([("A", "x", "Cost", 4.0, ""), ("A", "y", "Cost", None, "")])
    data["Score"] = data["Score"].astype("Float64")  # None becomes pd.NA
    result = consensus(data)
    assert result.table.loc["A", "Cost"] == 4.0 and result.count.loc["A", "Cost"] == 1


def test_consensus_table_feeds_the_engine():
    ranked = score_vendors(consensus(frame()).table, {"Cost": 1, "Quality": 1}, min_coverage=0)
    assert list(ranked.index) == ["Zeta", "Alpha"]
    assert ranked.loc["Zeta", "score"] == pytest.approx((11 / 3 + 3) / 2)
    assert ranked.loc["Alpha", "score"] == pytest.approx(1.5)  # Quality unscored: left out


def test_kernel_matches_pandas_groupby():
    rng = np.random.default_rng(3)
    cell = rng.integers(0, 40, size=500)
    score = rng.integers(1, 6, size=500).astype(float)
    expected = pd.Series(score).groupby(cell).agg(["mean", "median", "min", "max", "count"]).reindex(range(50))
    for method in ("mean", "median"):
        centre, spread, count = cell_statistics(cell, score, 50, method)
        np.testing.assert_allclose(centre, expected[method], rtol=1e-12)
        np.testing.assert_allclose(spread, expected["max"] - expected["min"])
        assert count.tolist() == expected["count"].fillna(0).astype(int).tolist()


def test_no_rows_gives_empty_tables():
    result = consensus(frame([(None, None, None, None, None)]))
    assert result.table.shape == (0, 0)


@pytest.mark.parametrize(
    "extra, message",
    [
        (("Alpha", "Cy", "Cost", 7.0, ""),
         'data row 10 (vendor "Alpha", evaluator "Cy", criterion "Cost") has score 7; enter a score from 1 to 5'),
        (("Alpha", "Cy", "Cost", "good", ""),
         'data row 10 (vendor "Alpha", evaluator "Cy", criterion "Cost") has score "good"'),
        (("Zeta", "Bob", "Cost", 3.0, "second thoughts"),
         'vendor "Zeta", evaluator "Bob", criterion "Cost" is in data rows 2 and 10; keep one row per'),
        (("Alpha", None, "Cost", 3.0, ""), "data row 10 has no Evaluator; fill it or clear the whole row"),
        ((None, "Ann", "Cost", 3.0, ""), "data row 10 has no Vendor"),
        (("Two\nlines", "Ann", "Cost", 0.0, ""), 'data row 10 (vendor "Two lines", evaluator "Ann"'),
    ],
)
def test_bad_rows_are_named(extra, message):
    with pytest.raises(PartnerfitError) as error:
        consensus(frame(ROWS + [extra]))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_bad_arguments():
    with pytest.raises(PartnerfitError, match='method is "mode"; use mean or median'):
        consensus(frame(), "mode")
    with pytest.raises(PartnerfitError, match="threshold is 0; use a positive number"):
        consensus(frame(), threshold=0)
    with pytest.raises(PartnerfitError, match='no "Evaluator" column; the header must be Vendor, Evaluator'):
        consensus(frame().drop(columns="Evaluator"))
    with pytest.raises(PartnerfitError, match='data row 1 has criterion "Cost", which is not one of "Quality"; correct the name'):
        consensus(frame(), criteria=["Quality"])
