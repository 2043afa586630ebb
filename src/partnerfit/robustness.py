"""How much does the ranking depend on the exact weights? Rank acceptability and flip margins.

Both use the engine's weighted sum (see `scoring`): with X0 the scores (0 where not scored),
M the scored mask and w the weights, vendor i scores s_i = (X0 w)_i / (M w)_i.

**Rank acceptability** (SMAA-2; R. Lahdelma and P. Salminen, SMAA-2: Stochastic multicriteria
acceptability analysis for group decision making, Operations Research 49(3):444-454, 2001).
Each draw takes the normalised weights w / sum(w), multiplies every weight by its own
independent factor U(1 - u, 1 + u) and renormalises to sum 1 (a weight of 0 stays 0). The
vendors are ranked on each draw as the engine ranks them (descending, scores compared rounded
to 9 decimals, ties sharing the best rank as RANK.EQ) and b_i^r, the rank acceptability index,
is the share of draws in which vendor i takes rank r. With ties a rank can be shared, so a
column of b may add up to more than 1. numpy's default_rng(seed) makes it reproducible; the
draws do not depend on the chunking, so the first N draws of a longer run are the same.

**Flip margin**. Setting criterion k's normalised weight to t and rescaling the others
proportionally, w(t) = t e_k + (1 - t) / (1 - w_k) * w_-k, every score becomes
s_i(t) = (a_i + b_i t) / (c_i + d_i t) (d_i = 0 for a vendor who scored every criterion, so
the score is linear in t). The current leader L stays first until some vendor j is strictly
ahead; the crossings are the roots in [0, 1] of the quadratic
(a_j + b_j t)(c_L + d_L t) - (a_L + b_L t)(c_j + d_j t), solved exactly for every j and every
k at once. At the crossing the two tie; "changes the leader" means just past it. The margin of
k is the nearest such crossing above or below the current weight (the smaller absolute
change; a rise when both are equal). At the end points 0 and 1, where a vendor that did not
score k (at t = 1) or scored only k (at t = 0) has no score, the leader is compared directly.
The leader at given weights is the best score, the first listed on ties; with w_k = 1 the other
weights cannot be rescaled and there is no margin.

Kernels (`rank_acceptability`, `flip_margin`) take a vendors x criteria float matrix (NaN = not
scored) checked by `check_scores`; `vendor_acceptability` and `vendor_flip_margins` are the
pandas twins, and `robustness_summary` says it in one sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .cells import number, score_matrix
from .criteria import SCALE
from .errors import PartnerfitError, show
from .scoring import RANK_DECIMALS, _aligned, check_weights, weighted_sum

if TYPE_CHECKING:
    import pandas as pd

CHUNK_CELLS = 1 << 20
"""Draws are scored in chunks of about this many (draw, vendor) scores (8 MB of floats)."""

MAX_VENDORS = 5_000
"""Most vendors `rank_acceptability` ranks at once (its counts table is vendors x ranks)."""

_NOISE = 1e-12
"""Floating-point noise: crossings this close to the current weight or to 0 or 1 are taken to be there."""

_TOUCH = 1e-7
"""Two crossings closer together than about this (relative to the coefficients) are one touch."""

_PROBE = 1e-7
"""Vendors crossing the leader at the same weight are compared this far past it."""


def check_scores(
    matrix: np.ndarray,
    unreadable: np.ndarray | None,
    cells,
    vendors: Sequence[str],
    criteria: Sequence[str],
    weights: np.ndarray,
    scale: tuple[float, float] = SCALE,
) -> np.ndarray:
    """Every score readable and on the scale, every vendor scored on some weighted criterion."""
    lo, hi = scale
    invalid = (matrix < lo) | (matrix > hi)
    if unreadable is not None:
        invalid |= unreadable
    if invalid.any():
        i, j = np.argwhere(invalid)[0]
        value = cells[i][j] if unreadable is not None and unreadable[i, j] else float(matrix[i, j])
        raise PartnerfitError(
            f"score of vendor {show(vendors[i])} for {show(criteria[j])} is {show(value)}; "
            f"enter a score from {lo:g} to {hi:g}, or leave it blank (not scored)"
        )
    unscored = np.flatnonzero(np.isnan(weighted_sum(matrix, weights)[0]))
    if unscored.size:
        raise PartnerfitError(
            f"vendor {show(vendors[unscored[0]])} has no score on a criterion with a weight; "
            "score it or leave the vendor out"
        )
    return matrix


def _rank_counts(scores: np.ndarray) -> np.ndarray:
    """Flat (vendor, rank) counts of a draws x vendors score block, ties sharing the best rank."""
    n = scores.shape[1]
    np.round(scores, RANK_DECIMALS, out=scores)
    np.negative(scores, out=scores)
    order = np.argsort(scores, axis=1)
    ranked = np.take_along_axis(scores, order, axis=1)
    new = np.empty(ranked.shape, dtype=bool)
    new[:, 0] = True
    np.not_equal(ranked[:, 1:], ranked[:, :-1], out=new[:, 1:])
    position = np.arange(n)
    if new.all():
        rank = position  # no ties in this chunk: rank r - 1 is the sorted position
    else:
        rank = np.maximum.accumulate(np.where(new, position, 0), axis=1)
    return np.bincount((order * n + rank).ravel(), minlength=n * n)


def rank_acceptability(
    matrix: np.ndarray,
    weights: np.ndarray,
    uncertainty: float = 0.2,
    samples: int = 10_000,
    seed: int | None = 0,
    eligible: np.ndarray | None = None,
) -> np.ndarray:
    """Rank acceptability indices b[i, r] (share of draws where vendor i ranks r + 1).

    `matrix`: vendors x criteria, NaN = not scored, checked by `check_scores`; `weights`: one
    per criterion, non-negative, any positive total; `uncertainty` u in [0, 1): each weight is
    multiplied by U(1 - u, 1 + u) (see the module docstring). `eligible`: optional boolean mask
    of the vendors to rank (e.g. the Eligible ones); the others get rows of NaN and the number
    of rank columns is the number of eligible vendors.
    """
    uncertainty, samples = number(uncertainty, "uncertainty"), number(samples, "samples")
    if not 0 <= uncertainty < 1:
        raise PartnerfitError(
            f"uncertainty is {uncertainty:g}; use a fraction from 0 to below 1 (0.2 = weights +/- 20 %)"
        )
    if not (samples >= 1 and float(samples).is_integer()):
        raise PartnerfitError(f"samples is {samples:g}; use a whole number of draws such as 10000")
    samples = int(samples)
    if eligible is None:
        eligible = np.ones(len(matrix), dtype=bool)
    x = matrix[eligible]
    n, k = x.shape
    if n > MAX_VENDORS:
        raise PartnerfitError(
            f"{n:,} vendors to rank; rank acceptability keeps a vendors x ranks table, so rank "
            f"a shortlist of at most {MAX_VENDORS:,} (e.g. the eligible vendors)"
        )
    result = np.full((len(matrix), n), np.nan)
    if n == 0:
        return result
    scored = ~np.isnan(x)
    x0 = np.where(scored, x, 0.0).T
    mask = None if scored.all() else scored.T.astype(float)
    base = weights / weights.sum()
    try:
        rng = np.random.default_rng(seed)
    except (TypeError, ValueError):
        raise PartnerfitError(f"seed is {show(seed)}; use a whole number, 0 or more") from None
    counts = np.zeros(n * n, dtype=np.int64)
    chunk = max(1, CHUNK_CELLS // n)
    for start in range(0, samples, chunk):
        # Scores are ratios, so renormalising the drawn weights would not change them.
        drawn = base * rng.uniform(1 - uncertainty, 1 + uncertainty, size=(min(chunk, samples - start), k))
        scores = drawn @ x0
        if mask is not None:
            scores /= drawn @ mask
        counts += _rank_counts(scores)
    result[eligible] = counts.reshape(n, n) / samples
    return result


@dataclass(frozen=True)
class FlipMargin:
    """Per criterion: how far its weight can move before another vendor leads (see module)."""

    leader: int
    """Index of the vendor leading at the given weights."""
    weight: np.ndarray
    """Current normalised weights (sum 1)."""
    new_weight: np.ndarray
    """The weight at which the lead changes (the nearest crossing); NaN when none in [0, 1]."""
    new_leader: np.ndarray
    """Index of the vendor leading just past `new_weight`; -1 when none."""
    rises: np.ndarray
    """True where the lead changes as the weight rises, False as it falls; this gives the
    direction also for a change of 0 (the lead is shared now and any move in that direction
    hands it over)."""

    @property
    def change(self) -> np.ndarray:
        """new_weight - weight, in units of normalised weight (0.06 = 6 points); NaN when none."""
        return self.new_weight - self.weight


def _best(scores: np.ndarray, leader: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row of a criteria x vendors score block: the best vendor (first on ties, NaN never
    leads) and whether it is strictly ahead of `leader` (scores compared as the engine ranks)."""
    ranked = np.round(np.where(np.isnan(scores), -np.inf, scores), RANK_DECIMALS)
    best = np.argmax(ranked, axis=1)
    return best, ranked[np.arange(len(ranked)), best] > ranked[:, leader]


def flip_margin(matrix: np.ndarray, weights: np.ndarray) -> FlipMargin:
    """The smallest change of each criterion's weight that changes the leader (see the module).

    `matrix`: vendors x criteria, NaN = not scored, checked by `check_scores`; `weights`: one
    per criterion, non-negative, any positive total.
    """
    if len(matrix) == 0:
        raise PartnerfitError("no vendors to compare; give at least one vendor row")
    w = weights / weights.sum()
    scored = ~np.isnan(matrix)
    x0, m = np.where(scored, matrix, 0.0), scored.astype(float)
    leader = int(_best(weighted_sum(matrix, w)[0][None, :], 0)[0][0])
    # Row k of `rest`: the other weights rescaled to sum 1 (w_-k / (1 - w_k)), 0 at k.
    movable = w < 1
    rest = np.where(np.eye(len(w), dtype=bool), 0.0, w) / np.where(movable, 1 - w, 1.0)[:, None]
    # Score of vendor i when criterion k weighs t: (a + b t) / (c + d t); criteria x vendors.
    a, c = rest @ x0.T, rest @ m.T
    b, d = x0.T - a, m.T - c
    with np.errstate(divide="ignore", invalid="ignore"):
        at_0 = a / c
        # Constant scores, whose denominator vanishes at an end point: not scored on k (no
        # score at t = 1) or scored on nothing else that weighs (no score at t = 0).
        constant = np.where(m.T == 0, at_0, np.where(c == 0, x0.T, np.nan))
    fixed = ~np.isnan(constant)
    a, b = np.where(fixed, constant, a), np.where(fixed, 0.0, b)
    c, d = np.where(fixed, 1.0, c), np.where(fixed, 0.0, d)
    al, bl, cl, dl = (z[:, leader, None] for z in (a, b, c, d))
    # q_j(t) = alpha t^2 + beta t + gamma has the sign of s_j(t) - s_L(t).
    alpha = b * dl - bl * d
    beta = a * dl + b * cl - al * d - bl * c
    gamma = a * cl - al * c
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.sqrt(beta**2 - 4 * alpha * gamma)  # NaN: no real crossing
        half = -0.5 * (beta + np.copysign(root, beta))  # numerically stable pair of roots
        roots = np.stack([half / alpha, gamma / half])  # 2 x criteria x vendors
        roots[:, :, leader] = np.nan
        # The slope at a root is +-sqrt(discriminant): > 0, vendor j gets ahead as t rises
        # past it; about 0, the two roots merge into a touch, which hands over no lead.
        slope = 2 * alpha * roots + beta
    touch = _NOISE + _TOUCH * (np.abs(alpha) + np.abs(beta) + np.abs(gamma))
    t0 = w[:, None]
    roots = np.where(np.abs(roots - t0) <= _NOISE, t0, roots)  # a tie now
    up_roots = np.where((slope > touch) & (roots >= t0) & (roots < 1 - _NOISE), roots, np.inf)
    down_roots = np.where((slope < -touch) & (roots <= t0) & (roots > _NOISE), roots, -np.inf)
    up, down = up_roots.min(axis=(0, 2)), down_roots.max(axis=(0, 2))

    # At the end points a vendor may have no score: compare the scores there directly.
    top_at_1, ahead_at_1 = _best(matrix.T, leader)
    top_at_0, ahead_at_0 = _best(at_0, leader)
    up_end = np.isinf(up) & ahead_at_1 & movable
    down_end = np.isinf(down) & ahead_at_0 & (w > 0)
    up[up_end], down[down_end] = 1.0, 0.0
    rise = up - w <= w - down  # the nearer crossing; a rise on equal distance
    new_weight = np.where(rise, up, down)
    new_weight[~(movable & np.isfinite(new_weight))] = np.nan

    # The new leader: the best at an end point; otherwise the best just past the crossing
    # among the vendors that cross the leader there (usually one).
    crossing = np.where(rise[:, None], up_roots <= up[:, None] + _NOISE, down_roots >= down[:, None] - _NOISE)
    probe = np.clip(new_weight + np.where(rise, _PROBE, -_PROBE), 0.0, 1.0)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        just_past = (a + b * probe) / (c + d * probe)
    just_past[~crossing.any(axis=0)] = np.nan
    new_leader = _best(just_past, leader)[0]
    new_leader = np.where(rise & up_end, top_at_1, np.where(~rise & down_end, top_at_0, new_leader))
    new_leader[np.isnan(new_weight)] = -1
    return FlipMargin(leader, w, new_weight, new_leader, rise)


def _percent(share: float) -> str:
    """91 %, never "100 %" or "0 %" for a share that is not exactly 1 or 0."""
    text = f"{100 * share:.0f} %"
    if text == "100 %" and share < 1:
        return "over 99 %"
    if text == "0 %" and share > 0:
        return "under 1 %"
    return text


def _points(weight: float) -> str:
    """A normalised weight in percentage points, to one decimal: 0.25 -> "25", 0.133 -> "13.3"."""
    return f"{100 * weight:.1f}".removesuffix(".0")


def robustness_summary(
    acceptability: np.ndarray, flips: FlipMargin, vendors: Sequence[str], criteria: Sequence[str]
) -> str:
    """One sentence: how often the leader is first, and the smallest weight change that unseats it.

    `acceptability` from `rank_acceptability`, `flips` from `flip_margin` on the same vendors.
    Points are percentage points of the normalised weight.
    """
    leader = flips.leader
    first = np.nan_to_num(acceptability[:, 0], nan=-1.0)
    text = f"{vendors[leader]} leads in {_percent(first[leader])} of weightings"
    rival = int(np.argmax(first))
    if first[rival] > first[leader]:
        text += f" ({vendors[rival]} in {_percent(first[rival])})"
    if np.isnan(flips.new_weight).all():
        return text + "; no change of one criterion's weight within 0-100 % changes the leader."
    k = int(np.nanargmin(np.abs(flips.change)))
    move = "rise" if flips.rises[k] else "cut"
    change, before, after = (_points(x) for x in (abs(flips.change[k]), flips.weight[k], flips.new_weight[k]))
    if change == "0":  # the lead is shared now
        move = f"the slightest {move} in the weight of {criteria[k]}"
    else:
        move = f"a {change}-point {move} in the weight of {criteria[k]} (from {before} % to {after} %)"
    return f"{text}; {move} would make {vendors[flips.new_leader[k]]} first."


def _frame_inputs(scores: pd.DataFrame, weights, scale: tuple[float, float]):
    """(vendors, criteria, checked matrix, weights) of a scores DataFrame, as `score_vendors` reads it."""
    import pandas as pd

    if not isinstance(scores, pd.DataFrame):
        raise PartnerfitError(f"scores is a {type(scores).__name__}, not a pandas DataFrame; give one row per "
                              "vendor (index = vendor name) and one column per criterion")
    vendors, criteria = [str(v) for v in scores.index], [str(c) for c in scores.columns]
    if not criteria:
        raise PartnerfitError("the scores table has no criteria columns")
    duplicated = scores.index[scores.index.duplicated()]
    if len(duplicated):
        raise PartnerfitError(f"vendor {show(str(duplicated[0]))} appears more than once; give each vendor one row")
    w = check_weights(_aligned(weights, criteria, "weights", 0.0), criteria)
    cells = scores.to_numpy(dtype=object, na_value=None)  # None, NaN, pd.NA: not scored
    if all(dtype.kind in "fiu" for dtype in scores.dtypes):
        matrix, unreadable = scores.to_numpy(dtype=float, na_value=np.nan), None
    else:
        matrix, unreadable = score_matrix(cells)
    return vendors, criteria, check_scores(matrix, unreadable, cells, vendors, criteria, w, scale), w


def vendor_acceptability(
    scores: pd.DataFrame,
    weights,
    uncertainty: float = 0.2,
    samples: int = 10_000,
    seed: int | None = 0,
    eligible=None,
    scale: tuple[float, float] = SCALE,
) -> pd.DataFrame:
    """`rank_acceptability` of a scores table (index vendors, one column per criterion).

    `weights` as for `score_vendors` (sequence in column order or mapping by name); `eligible`
    an optional boolean per row. Returns one row per vendor (NaN for ineligible ones) and
    columns "Rank 1", "Rank 2", ...
    """
    import pandas as pd

    vendors, _, matrix, w = _frame_inputs(scores, weights, scale)
    mask = None if eligible is None else np.asarray(eligible, dtype=bool)
    shares = rank_acceptability(matrix, w, uncertainty, samples, seed, mask)
    columns = [f"Rank {r + 1}" for r in range(shares.shape[1])]
    return pd.DataFrame(shares, index=pd.Index(vendors, name="vendor"), columns=columns)


def vendor_flip_margins(
    scores: pd.DataFrame, weights, scale: tuple[float, float] = SCALE
) -> pd.DataFrame:
    """`flip_margin` of a scores table: one row per criterion with its weight, change, new
    weight and new leader (NaN / None when no weight in 0-1 changes the leader). The current
    leader is in `.attrs["leader"]`."""
    import pandas as pd

    vendors, criteria, matrix, w = _frame_inputs(scores, weights, scale)
    flips = flip_margin(matrix, w)
    result = pd.DataFrame(
        {
            "weight": flips.weight,
            "change": flips.change,
            "new_weight": flips.new_weight,
            "new_leader": [vendors[i] if i >= 0 else None for i in flips.new_leader.tolist()],
        },
        index=pd.Index(criteria, name="criterion"),
    )
    result.attrs["leader"] = vendors[flips.leader]
    return result
