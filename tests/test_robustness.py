"""Rank acceptability (SMAA-2, Lahdelma & Salminen 2001) and exact flip margins."""

import numpy as np
import pandas as pd
import pytest

from partnerfit import robustness
from partnerfit.errors import PartnerfitError
from partnerfit.robustness import (
    flip_margin,
    rank_acceptability,
    robustness_summary,
    vendor_acceptability,
    vendor_flip_margins,
)
from partnerfit.scoring import rank_eq, weighted_sum

NAN = np.nan
# Rows 1 and 3 are the same vendor twice (they must share ranks); rows 0 and 2 have blanks.
MIXED = np.array([
    [5.0, 2.0, 4.0, NAN],
    [4.0, 4.0, 3.0, 3.0],
    [3.0, 5.0, NAN, 4.0],
    [4.0, 4.0, 3.0, 3.0],
])
MIXED_WEIGHTS = np.array([30.0, 30.0, 20.0, 20.0])


def smaa_by_hand(matrix, weights, uncertainty, samples, seed):
    """SMAA-2 as documented, one draw at a time with the engine's own score and rank."""
    rng = np.random.default_rng(seed)
    base = weights / weights.sum()
    n = len(matrix)
    counts = np.zeros((n, n))
    for factor in rng.uniform(1 - uncertainty, 1 + uncertainty, size=(samples, len(weights))):
        drawn = base * factor / (base * factor).sum()
        rank = rank_eq(weighted_sum(matrix, drawn)[0], np.ones(n, dtype=bool)).astype(int)
        counts[np.arange(n), rank - 1] += 1
    return counts / samples


def test_matches_a_draw_by_draw_implementation_with_blanks_and_ties():
    expected = smaa_by_hand(MIXED, MIXED_WEIGHTS, 0.5, 2000, 7)
    np.testing.assert_array_equal(rank_acceptability(MIXED, MIXED_WEIGHTS, 0.5, 2000, 7), expected)
    # The twins share every rank, so a rank column can add up to more than 1; each row adds to 1.
    np.testing.assert_array_equal(expected[1], expected[3])
    assert 0 < expected[1, 1] < 1 and expected[:, 1].sum() > 1
    np.testing.assert_allclose(expected.sum(axis=1), 1.0)


def test_reproducible_with_a_seed_and_independent_of_chunking(monkeypatch):
    first = rank_acceptability(MIXED, MIXED_WEIGHTS, 0.3, 3000, seed=11)
    np.testing.assert_array_equal(first, rank_acceptability(MIXED, MIXED_WEIGHTS, 0.3, 3000, seed=11))
    assert not np.array_equal(first, rank_acceptability(MIXED, MIXED_WEIGHTS, 0.3, 3000, seed=12))
    monkeypatch.setattr(robustness, "CHUNK_CELLS", 7 * len(MIXED))  # 7 draws per chunk
    np.testing.assert_array_equal(first, rank_acceptability(MIXED, MIXED_WEIGHTS, 0.3, 3000, seed=11))


def test_estimates_converge_as_samples_grow():
    def spread_of_estimates(samples):
        return np.std([rank_acceptability(MIXED, MIXED_WEIGHTS, 0.5, samples, seed)[0, 0] for seed in range(8)])

    small, large = spread_of_estimates(400), spread_of_estimates(6400)
    assert large < small / 2  # standard error ~ 1/sqrt(samples): 4 times smaller in theory
    a = rank_acceptability(MIXED, MIXED_WEIGHTS, 0.5, 100_000, seed=1)
    b = rank_acceptability(MIXED, MIXED_WEIGHTS, 0.5, 200_000, seed=2)
    np.testing.assert_allclose(a, b, atol=0.006)


def test_dominant_vendor_is_always_first():
    # (With blanks "best everywhere" is not enough: a vendor not scored on its weak criterion
    # is judged on the others. Here every vendor is scored everywhere.)
    matrix = np.array([[5.0, 5.0, 4.0], [4.0, 3.0, 4.0], [1.0, 5.0, 2.0]])
    shares = rank_acceptability(matrix, np.array([1.0, 2.0, 3.0]), uncertainty=0.9, samples=5000)
    assert shares[0, 0] == 1.0
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    np.testing.assert_allclose(shares.sum(axis=0), 1.0)  # no ties here


def test_no_uncertainty_gives_the_engine_ranking():
    shares = rank_acceptability(MIXED, MIXED_WEIGHTS, uncertainty=0.0, samples=50)
    rank = rank_eq(weighted_sum(MIXED, MIXED_WEIGHTS)[0], np.ones(4, dtype=bool)).astype(int)
    expected = np.zeros((4, 4))
    expected[np.arange(4), rank - 1] = 1.0
    np.testing.assert_array_equal(shares, expected)
    assert rank.tolist() == [2, 3, 1, 3]  # the twins tie for 3rd


def test_eligible_mask_ranks_only_those_vendors():
    mask = np.array([True, False, True, True])
    shares = rank_acceptability(MIXED, MIXED_WEIGHTS, 0.4, 1000, 3, eligible=mask)
    assert shares.shape == (4, 3) and np.isnan(shares[1]).all()
    np.testing.assert_array_equal(shares[mask], rank_acceptability(MIXED[mask], MIXED_WEIGHTS, 0.4, 1000, 3))


@pytest.mark.parametrize(
    "uncertainty, samples, message",
    [(1.0, 10, "uncertainty is 1; use a fraction from 0 to below 1"),
     (-0.1, 10, "uncertainty is -0.1"),
     (0.2, 0, "samples is 0; use a whole number"),
     (0.2, 2.5, "samples is 2.5")],
)
def test_bad_sampling_arguments(uncertainty, samples, message):
    with pytest.raises(PartnerfitError, match=message):
        rank_acceptability(MIXED, MIXED_WEIGHTS, uncertainty, samples)


# Flip margins. Vendor A = [5, -, 2], Vendor B = [3, 3, 3], equal weights: A leads 3.5 to 3.
# Quality's weight t (others equal): A = (2 + 8t) / (1 + t), B = 3, so they cross at t = 0.2.
# Cost's weight t: A = (5 - t) / (1 + t), crossing at t = 0.5. Speed: A is not scored there,
# so A keeps 3.5 up to t < 1 and has no score at t = 1, where B is first.
HAND = np.array([[5.0, NAN, 2.0], [3.0, 3.0, 3.0]])
HAND_VENDORS, HAND_CRITERIA = ["Vendor A", "Vendor B"], ["Quality", "Speed", "Cost"]


def leader_at(matrix, weights, k, t):
    """The best vendor (unrounded scores) when criterion k weighs t (one t or an array of them)."""
    w = weights / weights.sum()
    t = np.atleast_1d(t)[:, None]
    moved = np.where(np.arange(len(w)) == k, t, w * (1 - t) / (1 - w[k]))  # one row per t
    scored = ~np.isnan(matrix)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = (np.where(scored, matrix, 0.0) @ moved.T) / (scored @ moved.T)
    best = np.argmax(np.where(np.isnan(score), -np.inf, score), axis=0)
    return best if len(best) > 1 else int(best[0])


def test_flip_margin_by_hand():
    flips = flip_margin(HAND, np.ones(3))
    assert flips.leader == 0
    np.testing.assert_allclose(flips.weight, [1 / 3] * 3)
    np.testing.assert_allclose(flips.new_weight, [0.2, 1.0, 0.5], rtol=1e-12)
    np.testing.assert_allclose(flips.change, [0.2 - 1 / 3, 2 / 3, 0.5 - 1 / 3], rtol=1e-12)
    assert flips.new_leader.tolist() == [1, 1, 1]
    assert flips.rises.tolist() == [False, True, True]


def test_flip_margin_complete_rows_are_linear():
    # A = 1 + 4t and B = 5 - 4t in Quality's weight t: they cross at t = 0.5.
    flips = flip_margin(np.array([[5.0, 1.0], [1.0, 5.0]]), np.array([0.6, 0.4]))
    np.testing.assert_allclose(flips.new_weight, [0.5, 0.5])
    np.testing.assert_allclose(flips.change, [-0.1, 0.1])


def test_flip_margin_is_exact_just_before_and_just_past():
    for k, t in enumerate(flip_margin(HAND, np.ones(3)).new_weight):
        if t < 1:
            step = 1e-9 if k == 2 else -1e-9  # Cost rises, Quality falls
            assert leader_at(HAND, np.ones(3), k, t - step) == 0
            assert leader_at(HAND, np.ones(3), k, t + step) == 1
    rng = np.random.default_rng(8)
    checked = 0
    for _ in range(200):
        matrix = rng.uniform(1, 5, size=(5, 4))
        matrix[rng.random(matrix.shape) < 0.25] = NAN
        weights = rng.uniform(0.1, 1, size=4)
        if np.isnan(weighted_sum(matrix, weights)[0]).any():
            continue
        flips = flip_margin(matrix, weights)
        grid = np.linspace(0, 1, 201)
        for k in range(4):
            t0, t = flips.weight[k], flips.new_weight[k]
            leads = leader_at(matrix, weights, k, grid)
            if np.isnan(t):
                assert (leads[grid < 1] == flips.leader).all()
                continue
            inside = np.abs(grid - t0) < abs(t - t0) - 1e-6
            assert (leads[inside] == flips.leader).all()  # nothing nearer changes the leader
            if 0 < t < 1:
                step = 1e-9 if flips.rises[k] else -1e-9
                assert leader_at(matrix, weights, k, t - step) == flips.leader
                assert leader_at(matrix, weights, k, t + step) == flips.new_leader[k] != flips.leader
                checked += 1
    assert checked > 100


def test_a_shared_lead_flips_at_once():
    flips = flip_margin(np.array([[5.0, 1.0], [1.0, 5.0]]), np.array([1.0, 1.0]))
    assert flips.leader == 0  # first listed of the tied pair
    assert flips.change.tolist() == [0.0, 0.0]
    assert flips.rises.tolist() == [False, True] and flips.new_leader.tolist() == [1, 1]


def test_no_margin_when_one_vendor_dominates_or_weight_cannot_move():
    flips = flip_margin(np.array([[5.0, 5.0], [4.0, 1.0]]), np.array([2.0, 1.0]))
    assert np.isnan(flips.new_weight).all() and flips.new_leader.tolist() == [-1, -1]
    alone = flip_margin(np.array([[5.0, 1.0], [1.0, 5.0]]), np.array([1.0, 0.0]))
    assert np.isnan(alone.new_weight[0])  # all the weight: the others cannot be rescaled
    assert alone.new_weight[1] == pytest.approx(0.5) and alone.new_leader[1] == 1


def test_summary_sentence():
    flips = flip_margin(HAND, np.ones(3))
    shares = np.array([[0.91, 0.09], [0.09, 0.91]])
    assert robustness_summary(shares, flips, HAND_VENDORS, HAND_CRITERIA) == (
        "Vendor A leads in 91 % of weightings; a 13.3-point cut in the weight of Quality "
        "(from 33.3 % to 20 %) would make Vendor B first."
    )
    rival = robustness_summary(np.array([[0.4, 0.6], [0.6, 0.4]]), flips, HAND_VENDORS, HAND_CRITERIA)
    assert rival.startswith("Vendor A leads in 40 % of weightings (Vendor B in 60 %); ")
    steady = flip_margin(np.array([[5.0, 5.0], [4.0, 1.0]]), np.ones(2))
    assert robustness_summary(np.array([[0.9995, 0.0005], [0.0005, 0.9995]]), steady, HAND_VENDORS, ["Q", "C"]) == (
        "Vendor A leads in over 99 % of weightings; no change of one criterion's weight "
        "within 0-100 % changes the leader."
    )
    tied = flip_margin(np.array([[5.0, 1.0], [1.0, 5.0]]), np.ones(2))
    assert "; the slightest cut in the weight of Q would make Vendor B first." in (
        robustness_summary(np.array([[0.5, 0.5], [0.5, 0.5]]), tied, HAND_VENDORS, ["Q", "C"])
    )


def test_dataframe_twins_read_cells_like_the_engine():
    scores = pd.DataFrame(
        {"Quality": [5.0, "3"], "Speed": ["N/A", 3.0], "Cost": [" 2 ", 3.0]}, index=HAND_VENDORS
    )
    weights = {"Quality": 1, "Speed": 1, "Cost": 1}
    shares = vendor_acceptability(scores, weights, 0.2, 500, 4)
    assert list(shares.columns) == ["Rank 1", "Rank 2"] and shares.index.name == "vendor"
    np.testing.assert_array_equal(shares.to_numpy(), rank_acceptability(HAND, np.ones(3), 0.2, 500, 4))
    margins = vendor_flip_margins(scores, weights)
    assert margins.attrs["leader"] == "Vendor A"
    assert margins["new_leader"].tolist() == ["Vendor B"] * 3
    np.testing.assert_allclose(margins.loc["Cost", ["weight", "change", "new_weight"]].astype(float), [1 / 3, 1 / 6, 0.5])
    steady = vendor_flip_margins(pd.DataFrame({"Q": [5.0, 4.0], "C": [5.0, 1.0]}, index=["A", "B"]), [1, 1])
    assert steady["new_leader"].tolist() == [None, None] and steady["change"].isna().all()


@pytest.mark.parametrize(
    "cells, weights, message",
    [
        ({"Q": [5.0, 7.0], "C": [1.0, 1.0]}, [1, 1], 'score of vendor "B" for "Q" is 7; enter a score from 1 to 5'),
        ({"Q": [5.0, "good"], "C": [1.0, 1.0]}, [1, 1], 'score of vendor "B" for "Q" is "good"'),
        ({"Q": [5.0, None], "C": [1.0, 1.0]}, [1, 0], 'vendor "B" has no score on a criterion with a weight'),
        ({"Q": [5.0, 4.0], "C": [1.0, 1.0]}, [1, -1], "weight for C is -1; weights must be 0 or more"),
        ({"Q": [5.0, 4.0], "C": [1.0, 1.0]}, {"Cots": 1}, "weights names 'Cots', which is not a column"),
    ],
)
def test_dataframe_twins_bad_input(cells, weights, message):
    scores = pd.DataFrame(cells, index=["A", "B"])
    for twin in (vendor_acceptability, vendor_flip_margins):
        with pytest.raises(PartnerfitError) as error:
            twin(scores, weights)
        assert message in str(error.value)
