"""Weighted vendor scores: the published case, blanks, must-haves, statuses, ranks, bad input."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from partnerfit import PartnerfitError, score_vendors
from partnerfit.scoring import Status, evaluate, rank_eq, weighted_sum

W1_WEIGHTS = [30, 25, 20, 15, 10]
W1_SCORES = [5, 4, 4, 3, 4]
CRITERIA = ["a", "b", "c", "d", "e"]


def frame(rows: dict, columns=CRITERIA):
    return pd.DataFrame(list(rows.values()), index=list(rows), columns=columns, dtype=object)


# shared/reference/published_cases.md W1 (SAP vendor evaluation: a blank grade is not a zero).
@pytest.mark.parametrize("weights", [W1_WEIGHTS, [0.30, 0.25, 0.20, 0.15, 0.10], [300, 250, 200, 150, 100]])
def test_w1_published_case(weights):
    table = score_vendors(frame({"V": W1_SCORES}), weights)
    assert table.loc["V", "score"] == pytest.approx(4.15, abs=1e-12)
    assert table.loc["V", "coverage"] == 1.0


def test_w1_with_a_blank_leaves_both_sums():
    table = score_vendors(frame({"V": [5, 4, 4, None, 4]}), W1_WEIGHTS)
    assert table.loc["V", "score"] == pytest.approx(3.7 / 0.85, abs=1e-12)  # 4.352941...
    assert table.loc["V", "coverage"] == pytest.approx(0.85)
    assert table.loc["V", "status"] == "Eligible"


@pytest.mark.parametrize("blank", [None, np.nan, "", "  ", "N/A", "n/a", " NA ", "not applicable"])
def test_every_blank_spelling_means_not_scored(blank):
    table = score_vendors(frame({"V": [5, 4, 4, blank, 4]}), W1_WEIGHTS)
    assert table.loc["V", "score"] == pytest.approx(4.352941176470588)


def test_numbers_typed_as_text_are_accepted():
    table = score_vendors(frame({"V": ["5", " 4 ", "4.0", 3, 4.0]}), W1_WEIGHTS)
    assert table.loc["V", "score"] == pytest.approx(4.15)


@pytest.mark.parametrize(
    "bad, name",
    [(7, "d"), (0, "d"), (-1, "d"), ("good", "d"), ("3,5", "d"), (True, "d"), (dt.datetime(2026, 1, 1), "d"),
     (np.inf, "d"), ("inf", "d")],
)
def test_invalid_cells_make_the_vendor_invalid(bad, name):
    table = score_vendors(frame({"V": [5, 4, 4, bad, 4], "OK": W1_SCORES}), W1_WEIGHTS)
    assert table.loc["V", "status"] == f"Invalid: {name} is not a score from 1 to 5"
    assert pd.isna(table.loc["V", "score"]) and pd.isna(table.loc["V", "rank"])
    assert table.loc["OK", "rank"] == 1


def test_must_have_knock_out_and_incomplete():
    table = score_vendors(
        frame({
            "good": [5, 4, 4, 3, 4],
            "low": [5, 2, 4, 1, 4],  # below both must-haves: first one (column order) named
            "blank_must": [5, None, 4, 3, 4],
            "thin": [5, 4, None, None, None],  # coverage 0.55
            "thinner": [None, 4, None, None, None],  # coverage 0.25 < 0.5
        }),
        W1_WEIGHTS,
        minimums=[None, 3, None, 2, None],
    )
    assert table["status"].to_dict() == {
        "good": "Eligible",
        "thin": "Incomplete",  # must-have d not scored
        "low": "Knocked out: b",
        "blank_must": "Incomplete",
        "thinner": "Incomplete",
    }
    assert table.loc["low", "score"] == pytest.approx(1.5 + 0.5 + 0.8 + 0.15 + 0.4)


def test_precedence_invalid_over_knocked_out_over_incomplete():
    table = score_vendors(frame({"x": [1, 9, None, None, None], "y": [1, None, None, None, None]}), W1_WEIGHTS,
                          minimums=[3, None, None, None, None])
    assert table.loc["x", "status"] == "Invalid: b is not a score from 1 to 5"
    assert table.loc["y", "status"] == "Knocked out: a"


def test_coverage_threshold_is_inclusive():
    # a and c scored: exactly 50 % of the weight.
    table = score_vendors(frame({"V": [4, None, 4, None, None]}), W1_WEIGHTS)
    assert table.loc["V", "coverage"] == 0.5 and table.loc["V", "status"] == "Eligible"
    strict = score_vendors(frame({"V": [4, None, 4, None, None]}), W1_WEIGHTS, min_coverage=0.51)
    assert strict.loc["V", "status"] == "Incomplete"


def test_ranks_share_ties_like_rank_eq():
    table = score_vendors(
        frame({"w": [3] * 5, "x": [5] * 5, "y": [4] * 5, "z": [4] * 5, "k": [1] * 5}, ),
        W1_WEIGHTS, minimums=[2, None, None, None, None],
    )
    assert list(table.index) == ["w", "x", "y", "z", "k"]  # the rows of the input, in its order
    assert table["rank"].tolist()[:4] == [4, 1, 2, 2]
    assert pd.isna(table.loc["k", "rank"])
    # Sorted by rank, ties keep the input order and the unranked come last.
    assert list(table.sort_values("rank", kind="stable").index) == ["x", "y", "z", "w", "k"]


def test_ties_survive_floating_point_summation_order():
    # Both are exactly 1.4, but floating point gives 1.4 and 1.4000000000000001: still a tie.
    weights = [0.1, 0.2, 0.3, 0.1, 0.3]
    table = score_vendors(frame({"p": [1, 1, 1, 2, 2], "q": [1, 1, 1, 5, 1]}, CRITERIA), weights)
    assert table.loc["p", "score"] != table.loc["q", "score"]
    assert table.loc["p", "score"] == pytest.approx(table.loc["q", "score"], abs=1e-12)
    assert table["rank"].tolist() == [1, 1]


def test_weights_by_name_and_minimums_by_name():
    weights = dict(zip(reversed(CRITERIA), reversed(W1_WEIGHTS)))
    table = score_vendors(frame({"V": W1_SCORES}), weights, minimums={"d": 4})
    assert table.loc["V", "status"] == "Knocked out: d"
    assert table.loc["V", "score"] == pytest.approx(4.15)


def test_numeric_frames_take_the_fast_path_with_same_results():
    numeric = pd.DataFrame([[5, 4, 4, np.nan, 4]], index=["V"], columns=CRITERIA, dtype=float)
    assert score_vendors(numeric, W1_WEIGHTS).loc["V", "score"] == pytest.approx(4.352941176470588)


def test_zero_vendors_gives_an_empty_table():
    table = score_vendors(pd.DataFrame(columns=CRITERIA, dtype=float), W1_WEIGHTS)
    assert table.empty and list(table.columns) == ["score", "rank", "coverage", "status"]


def test_custom_scale():
    table = score_vendors(frame({"V": [10, 8, 6, 4, 2]}), W1_WEIGHTS, scale=(0, 10))
    assert table.loc["V", "score"] == pytest.approx(3 + 2 + 1.2 + 0.6 + 0.2)


@pytest.mark.parametrize(
    "weights, minimums, coverage, message",
    [
        ([0, 0, 0, 0, 0], None, 0.5, "all weights are 0"),
        ([30, -25, 20, 15, 10], None, 0.5, "weight for b is -25; weights must be 0 or more"),
        ([30, 25, 20], None, 0.5, "3 weights for 5 criteria"),
        ([30, 25, "lots", 15, 10], None, 0.5, 'weights for c is "lots", not a number'),
        ([30, 25, np.inf, 15, 10], None, 0.5, "enter a finite number"),
        ({"a": 1, "zz": 2}, None, 0.5, "weights names 'zz', which is not a column"),
        (W1_WEIGHTS, [None, 7, None, None, None], 0.5, "must-have minimum for b is 7"),
        (W1_WEIGHTS, [1, 2], 0.5, "2 minimums for 5 criteria"),
        (W1_WEIGHTS, None, 50, "min_coverage is 50; use a fraction from 0 to 1"),
    ],
)
def test_bad_parameters_raise_one_clear_line(weights, minimums, coverage, message):
    with pytest.raises(PartnerfitError) as error:
        score_vendors(frame({"V": W1_SCORES}), weights, minimums, coverage)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_duplicate_vendors_are_refused():
    scores = pd.DataFrame([W1_SCORES, W1_SCORES], index=["Acme", "Acme"], columns=CRITERIA)
    with pytest.raises(PartnerfitError, match="vendor 'Acme' appears more than once"):
        score_vendors(scores, W1_WEIGHTS)


# The pure kernels.
def test_weighted_sum_kernel():
    matrix = np.array([[5, 4, 4, 3, 4], [5, 4, 4, np.nan, 4], [np.nan] * 5])
    score, coverage = weighted_sum(matrix, np.array(W1_WEIGHTS, dtype=float))
    assert score[:2] == pytest.approx([4.15, 4.352941176470588])
    assert np.isnan(score[2])
    assert coverage == pytest.approx([1.0, 0.85, 0.0])


def test_rank_eq_kernel():
    rank = rank_eq(np.array([3.0, 5.0, 3.0, 1.0, 9.0]), np.array([True, True, True, True, False]))
    assert rank[:4].tolist() == [2, 1, 2, 4] and np.isnan(rank[4])


def test_evaluate_reports_culprits():
    matrix = np.array([[1.0, 9.0], [1.0, 5.0], [5.0, 5.0]])
    result = evaluate(matrix, np.array([1.0, 1.0]), np.array([3.0, np.nan]))
    assert result.status.tolist() == [Status.INVALID, Status.KNOCKED_OUT, Status.ELIGIBLE]
    assert result.culprit.tolist() == [1, 0, -1]
    assert result.status_text(["A", "B"]).tolist() == [
        "Invalid: B is not a score from 1 to 5", "Knocked out: A", "Eligible"]
