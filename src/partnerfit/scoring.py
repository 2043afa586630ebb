"""Weighted vendor scores, must-have knock-outs, coverage, status and rank.

The maths (weighted sum model as procurement systems define it, e.g. SAP vendor evaluation):

    score_i    = sum_j w_j x_ij / sum_j w_j        over the criteria j vendor i has scored
    coverage_i = sum_j w_j [x_ij scored] / sum_j w_j

A blank ("not scored", "N/A") is not a zero: it leaves both sums. Weights need not add up to
anything. A vendor is then, in this order of precedence:

* ``Invalid: <criterion> is not a score from 1 to 5`` if a cell is text or off the scale;
* ``Knocked out: <criterion>`` if a score is below that criterion's must-have minimum;
* ``Incomplete`` if a must-have is not scored or the coverage is below `min_coverage`;
* ``Qualified`` otherwise.

Only qualified vendors are ranked, by score descending, ties sharing a rank (1, 2, 2, 4 as
Excel's RANK.EQ). Scores are compared rounded to 9 decimals, so that sums that differ only
in the last bit of floating point (summation order) still tie.

`weighted_sum` and `evaluate` are pure kernels (numpy, with two hot loops in C where
`_kernels.c` is built); `score_vendors` is the pandas API.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from .cells import number, numbers, score_matrix
from .criteria import SCALE
from .errors import PartnerfitError

try:
    from . import _kernels
except ImportError:  # not built (no C compiler at install, or Pyodide): numpy does the same work
    _kernels = None

if TYPE_CHECKING:
    import pandas as pd

RANK_DECIMALS = 9
"""Scores are compared for ranking after rounding to this many decimals."""


class Status(IntEnum):
    QUALIFIED = 0
    KNOCKED_OUT = 1
    INCOMPLETE = 2
    INVALID = 3


@functools.lru_cache(maxsize=64)  # an Excel sheet recalculates with the same criteria again and again
def _status_texts(criteria: tuple[str, ...], scale: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """The texts of `Evaluation.status_codes`, and a table of codes: texts[codes[status, culprit + 1]]
    is a vendor's status (a culprit of -1 takes the first column). Read-only: shared by calls."""
    lo, hi = (f"{x:g}" for x in scale)
    names = ("",) + criteria  # a culprit of -1 names ""
    texts = np.array([
        "Qualified", "Incomplete", *(f"Knocked out: {c}" for c in names),
        *(f"Invalid: {c} is not a score from {lo} to {hi}" for c in names),
    ], dtype=object)
    codes = np.zeros((len(Status), len(names)), dtype=np.intp)
    codes[Status.INCOMPLETE] = 1
    codes[Status.KNOCKED_OUT] = np.arange(2, 2 + len(names))
    codes[Status.INVALID] = np.arange(2 + len(names), 2 + 2 * len(names))
    texts.flags.writeable = codes.flags.writeable = False
    return texts, codes


# Status codes as numpy scalars: numpy compares an array with an IntEnum member slowly.
_QUALIFIED, _KNOCKED_OUT, _INCOMPLETE, _INVALID = (
    np.int8(s) for s in (Status.QUALIFIED, Status.KNOCKED_OUT, Status.INCOMPLETE, Status.INVALID)
)

BLOCK_ROWS = 8192
"""Rows per block in `weighted_sum` without the C kernels: a block's temporaries (3 MB at 20
criteria) stay in the CPU cache; longer blocks also read a column-major matrix (a DataFrame's)
in longer runs."""


def weighted_sum(matrix: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean over scored cells, and the share of the weight that was scored.

        score_i    = sum_j w_j x0_ij / sum_j w_j s_ij      (NaN where sum_j w_j s_ij = 0)
        coverage_i = sum_j w_j s_ij / sum_j w_j

    where s_ij = 1 if x_ij is scored (not NaN) else 0, and x0_ij = x_ij if scored else 0.
    `matrix` is vendors x criteria with NaN for "not scored"; `weights` non-negative with a
    positive sum. Returns (score, coverage). Both sums take one pass of the compiled kernel
    (`_kernels.weighted_sums`) or, without it, two float64 matrix-vector products (BLAS).
    """
    score, coverage, _ = _weighted_mean(matrix, weights)
    return score, coverage


def _weighted_mean(matrix, weights, scale: tuple[float, float] | None = None) -> tuple[np.ndarray, np.ndarray, bool]:
    """`weighted_sum`, and whether every scored cell lies on `scale` (True if no scale given)."""
    matrix = np.asarray(matrix, dtype=float)
    weights = np.ascontiguousarray(weights, dtype=float)
    # Extreme weights are scaled by a power of two, which is exact and changes no result: weights
    # of 1e308 cannot overflow the sums (NaN coverage) and subnormal ones keep their digits; the
    # largest goes no lower than 2**960, so that a weight far below it does not drop to 0.
    exponent = math.frexp(np.maximum.reduce(weights, initial=0.0))[1]
    if not -960 <= exponent <= 960:
        weights = np.ldexp(weights, (960 if exponent > 0 else 0) - exponent)
    numerator, scored_weight, on_scale = _products(matrix, weights, scale)
    with np.errstate(invalid="ignore"):
        score = numerator / scored_weight  # 0 / 0 = NaN: nothing scored (or only weights of 0)
    coverage = np.divide(scored_weight, np.add.reduce(weights), out=scored_weight)
    coverage += 0.0  # nothing scored is 0, not -0
    return score, coverage, on_scale


def _products(matrix: np.ndarray, weights: np.ndarray, scale) -> tuple[np.ndarray, np.ndarray, bool]:
    """(x0 @ w, s @ w) as in `weighted_sum`, and whether every scored cell lies on `scale`."""
    n = len(matrix)
    if n == 0:  # no vendors, whatever the width of the empty table
        return np.empty(0), np.empty(0), True
    if _kernels is not None and matrix.ndim == 2 and not (matrix.strides[0] % 8 or matrix.strides[1] % 8):
        numerator, scored_weight = np.empty(n), np.empty(n)
        lo, hi = scale or (-math.inf, math.inf)
        return numerator, scored_weight, _kernels.weighted_sums(matrix, weights, lo, hi, numerator, scored_weight)
    # Off-scale cells (inf, 1e308) may overflow: evaluate then sums again without them.
    with np.errstate(invalid="ignore", over="ignore"):
        if n <= BLOCK_ROWS:  # one block (an Excel table, say): the plain way takes fewest numpy calls
            scored = matrix == matrix  # False only for NaN
            numerator, scored_weight = np.where(scored, matrix, 0.0) @ weights, scored @ weights
        else:
            numerator, scored_weight = _blocked_products(matrix, weights)
    # NaN-ignoring min and max: two reductions and no full-size temporary.
    on_scale = scale is None or (np.fmin.reduce(matrix, axis=None, initial=np.inf) >= scale[0]
                                 and np.fmax.reduce(matrix, axis=None, initial=-np.inf) <= scale[1])
    return numerator, scored_weight, bool(on_scale)


def _blocked_products(matrix: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x0 @ w, s @ w) as in `weighted_sum` with numpy, block by block so that x0 and s are never
    built at full size, and without branches."""
    n = len(matrix)
    numerator, scored_weight = np.empty(n), np.empty(n)
    bounds = list(range(0, n, BLOCK_ROWS)) + [n]
    if len(bounds) > 2 and n - bounds[-2] == 1:  # numpy takes one row as a vector: other kernel,
        bounds[-2] -= 64  # other last bit; BLAS takes rows in groups (of 4, 8...): keep them whole
    # Buffers for one block, in the memory order of the matrix (converting the order of a block
    # costs more than all the rest).
    like = matrix[:BLOCK_ROWS]
    scored, keep = np.empty_like(like, dtype=bool), np.empty_like(like, dtype=np.int8)
    x0, minus_s = np.empty_like(like), np.empty_like(like)
    minus_w = -weights  # (-s) @ (-w) is exactly s @ w: negation is exact
    for start, stop in zip(bounds[:-1], bounds[1:]):
        x, m = matrix[start:stop], stop - start
        np.equal(x, x, out=scored[:m])  # False only for NaN
        # keep = -1 (all 64 bits set) where scored, 0 where blank: x0 = x & keep, without
        # branches, which np.where would mispredict on scattered blanks.
        np.negative(scored[:m].view(np.int8), out=keep[:m])
        np.bitwise_and(x.view(np.int64), keep[:m], out=x0[:m].view(np.int64), casting="unsafe")
        np.matmul(x0[:m], weights, out=numerator[start:stop])
        np.copyto(minus_s[:m], keep[:m])  # -1.0 where scored
        np.matmul(minus_s[:m], minus_w, out=scored_weight[start:stop])
    return numerator, scored_weight


def rank_eq(values: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Descending rank with shared ties (Excel RANK.EQ) among `eligible`; NaN elsewhere."""
    return _rank_and_order(values, eligible)[0]


def _rank_and_order(values: np.ndarray, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RANK.EQ among `eligible` (NaN elsewhere), and the row order: eligible rows by rank, ties
    and the other rows in input order (one stable sort serves both).

        rank_i = 1 + #{eligible k : key_k < key_i},   key = -round(value, RANK_DECIMALS)

    In sorted order, a row's rank is 1 + the position of the first row with the same key.
    """
    eligible = np.asarray(eligible, dtype=bool)
    if _kernels is not None:  # one compiled pass: keys as below, a radix sort and the runs
        values = np.ascontiguousarray(values, dtype=float)
        rank, order = np.empty(len(values)), np.empty(len(values), dtype=np.intp)
        if _kernels.rank_scores(values, np.ascontiguousarray(eligible), 10.0**RANK_DECIMALS, rank, order):
            return rank, order
    rows = eligible.nonzero()[0]
    picked = values[rows]
    n = len(rows)
    if n >= RADIX_MIN and -1e6 < picked.min() and picked.max() < 1e6:
        # numpy rounds as rint(value * 10**d) / 10**d: those whole numbers of steps, counted down
        # from the highest, order and tie as the keys do (one to one below 1e6) and, spanning
        # few bits, take fewer radix passes (2 for scores from 1 to 5, in 32-bit keys).
        steps = np.rint(picked * 10.0**RANK_DECIMALS)
        steps -= steps.max()
        keys = np.negative(steps, out=steps).astype(np.uint32 if steps.max() < 2**32 else np.uint64)
        by_key = _radix_argsort(keys)
    else:
        keys = -picked.round(RANK_DECIMALS)
        by_key = _stable_argsort(keys)
    ranked, sorted_keys = rows[by_key], keys[by_key]
    rank = np.empty(len(values))
    rank.fill(np.nan)
    if n < RADIX_MIN:  # a binary search takes fewest numpy calls (NaN keys tie too)
        rank[ranked] = sorted_keys.searchsorted(sorted_keys) + 1
    else:  # each run of equal keys takes the position of its first row: linear time
        starts = np.empty(n, dtype=bool)
        starts[0] = True
        np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=starts[1:])
        if keys.dtype.kind == "f" and math.isnan(sorted_keys[-1]):  # NaN keys (last) share one rank
            starts[1:] &= ~np.isnan(sorted_keys[:-1])
        first = starts.nonzero()[0]
        rank[ranked] = np.repeat((first + 1).astype(float), np.diff(first, append=n))
    return rank, np.concatenate([ranked, (~eligible).nonzero()[0]])


RADIX_MIN = 2048
"""From this many keys up, `_stable_argsort` sorts by radix (below, numpy's own sort is faster)."""


def _stable_argsort(keys: np.ndarray) -> np.ndarray:
    """np.argsort(keys, kind="stable") for floats; for long arrays, `_radix_argsort` of
    `_sortable(keys)`, about three times faster on 100,000 keys."""
    if len(keys) < RADIX_MIN:
        return keys.argsort(kind="stable")
    return _radix_argsort(_sortable(keys))


def _radix_argsort(keys: np.ndarray) -> np.ndarray:
    """np.argsort(keys, kind="stable") for unsigned integers, as an LSD radix sort.

    numpy sorts 16-bit integers stably by radix in linear time, but wider ones by timsort: one
    stable pass per 16-bit digit that the largest key has, least significant digit first.
    """
    order = keys.astype(np.uint16).argsort(kind="stable")  # the lowest 16 bits
    for shift in range(16, int(keys.max(initial=0)).bit_length(), 16):
        digit = (keys >> keys.dtype.type(shift)).astype(np.uint16)
        order = order[digit[order].argsort(kind="stable")]
    return order


def _sortable(values: np.ndarray) -> np.ndarray:
    """Floats as unsigned integers in the same order, as numpy sorts floats: 0.0 and -0.0 equal,
    every NaN equal and after +inf.

    The IEEE-754 bits of a float order it by magnitude: set the sign bit of positives and flip
    all bits of negatives, and unsigned integer order is float order.
    """
    values = np.where(np.isnan(values), np.nan, values + 0.0)  # one NaN; -0.0 + 0.0 = 0.0
    bits = values.view(np.uint64)
    negative = bits >= np.uint64(1 << 63)
    return bits ^ np.where(negative, np.uint64(2**64 - 1), np.uint64(1 << 63))


@dataclass(frozen=True)
class Evaluation:
    """The engine's per-vendor results as arrays (one entry per vendor)."""

    score: np.ndarray
    coverage: np.ndarray
    status: np.ndarray
    """`Status` codes."""
    culprit: np.ndarray
    """Index of the criterion behind an Invalid or Knocked-out status, else -1."""
    rank: np.ndarray
    """RANK.EQ among qualified vendors; NaN for the others."""
    scale: tuple[float, float] = SCALE
    _order: np.ndarray | None = field(default=None, repr=False, compare=False)
    """`order()` as `evaluate` found it while ranking; None: sort the ranks again."""

    def status_codes(self, criteria: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Status strings as (codes, texts): vendor i's status is texts[codes[i]].

        texts = Qualified, Incomplete, "Knocked out: <c>" and "Invalid: <c> ..." for every
        criterion c (and "" for a culprit of -1), so each vendor's text is one array lookup.
        """
        texts, codes = _status_texts(tuple(criteria), tuple(self.scale))
        key = self.status.astype(np.intp)
        key *= codes.shape[1]
        key += self.culprit
        key += 1
        return codes.ravel().take(key), texts

    def status_text(self, criteria: list[str]) -> np.ndarray:
        """Status strings ("Qualified", "Knocked out: Cost", ...) as an object array."""
        codes, texts = self.status_codes(criteria)
        return texts[codes]

    def order(self) -> np.ndarray:
        """Row order of the results table: qualified vendors by rank, then the rest as given."""
        if self._order is not None:
            return self._order.copy()  # a fresh array, as sorting gives: callers may change it
        key = np.where(np.isnan(self.rank), np.inf, self.rank)
        return np.argsort(key, kind="stable")


def _invalid_cells(matrix: np.ndarray, scale: tuple[float, float], unreadable: np.ndarray | None) -> np.ndarray:
    """Mask of cells that are text or off the scale."""
    invalid = (matrix < scale[0]) | (matrix > scale[1])
    if unreadable is not None:
        invalid |= unreadable
    return invalid


def evaluate(
    matrix: np.ndarray,
    weights: np.ndarray,
    minimums: np.ndarray | None = None,
    min_coverage: float = 0.5,
    unreadable: np.ndarray | None = None,
    scale: tuple[float, float] = SCALE,
) -> Evaluation:
    """Score, coverage, status and rank for a vendors x criteria matrix (see module docstring).

    `unreadable` marks cells that held text which is not a number (they are NaN in `matrix`);
    numbers outside `scale` are found here. Inputs are assumed validated by `check_weights`
    and friends.
    """
    matrix = np.asarray(matrix, dtype=float)
    score, coverage, on_scale = _weighted_mean(matrix, weights, scale)
    invalid = None  # the common case: every cell a score on the scale or blank
    if not on_scale or (unreadable is not None and unreadable.any()):
        invalid = _invalid_cells(matrix, scale, unreadable)
        any_invalid = invalid.any(axis=1)
        matrix = np.where(invalid, np.nan, matrix)
        culprit = np.where(any_invalid, invalid.argmax(axis=1), -1)
        score, coverage, _ = _weighted_mean(matrix, weights)  # again, without the invalid cells
    else:
        any_invalid = np.zeros(len(matrix), dtype=bool)
        culprit = np.full(len(matrix), -1, dtype=np.intp)
    # A weighted mean of scores on the scale leaves it only by rounding (5.000000000000002).
    score.clip(scale[0], scale[1], out=score)

    incomplete = coverage < min_coverage
    incomplete |= np.isnan(score)
    knocked = None
    if minimums is not None and not np.isnan(minimums).all():
        must = ~np.isnan(minimums)
        below = matrix[:, must] < minimums[must]
        knocked = below.any(axis=1) & ~any_invalid
        must_index = np.flatnonzero(must)
        culprit = np.where(knocked, must_index[below.argmax(axis=1)], culprit)
        incomplete |= np.isnan(matrix[:, must]).any(axis=1)
        incomplete &= ~knocked
    # Precedence Invalid > Knocked out > Incomplete > Qualified (incomplete excludes knocked).
    status = np.where(incomplete, _INCOMPLETE, _QUALIFIED)
    if knocked is not None:
        status[knocked] = _KNOCKED_OUT
    if invalid is not None:
        status[any_invalid] = _INVALID
        score[any_invalid] = np.nan
    rank, order = _rank_and_order(score, status == _QUALIFIED)
    return Evaluation(score, coverage, status, culprit, rank, scale, order)


def check_weights(weights: np.ndarray, criteria: list[str]) -> np.ndarray:
    """Weights must be finite, non-negative and not all zero."""
    if len(weights) != len(criteria):
        raise PartnerfitError(
            f"{len(weights)} weights for {len(criteria)} criteria; give one weight per criterion"
        )
    negative = (weights < 0).nonzero()[0]
    if negative.size:
        i = negative[0]
        raise PartnerfitError(
            f"weight for {criteria[i]} is {weights[i]:g}; weights must be 0 or more"
        )
    with np.errstate(over="ignore"):
        total = weights.sum()
    if not total > 0:
        raise PartnerfitError("all weights are 0; give at least one criterion a positive weight")
    if total == np.inf:  # each weight finite, their sum not: every share would be 0
        raise PartnerfitError(f"the weights add up to more than {np.finfo(float).max:.3g}; "
                              "use smaller numbers (only their proportions count)")
    return weights


def check_minimums(minimums: np.ndarray, criteria: list[str], scale: tuple[float, float]) -> np.ndarray:
    """Must-have minimums: NaN (none) or a number on the scale."""
    if len(minimums) != len(criteria):
        raise PartnerfitError(
            f"{len(minimums)} minimums for {len(criteria)} criteria; "
            "give one per criterion (blank = no must-have)"
        )
    lo, hi = scale
    off = np.flatnonzero((minimums < lo) | (minimums > hi))
    if off.size:
        i = off[0]
        raise PartnerfitError(
            f"must-have minimum for {criteria[i]} is {minimums[i]:g}; "
            f"use a score from {lo:g} to {hi:g} or leave it blank"
        )
    return minimums


def check_coverage(min_coverage: float) -> float:
    if not 0 <= min_coverage <= 1:
        raise PartnerfitError(
            f"min_coverage is {min_coverage:g}; use a fraction from 0 to 1 (0.5 = half the weight)"
        )
    return min_coverage


def _aligned(values, criteria: list[str], what: str, blank: float) -> np.ndarray:
    """Weights or minimums given as a mapping (by criterion name) or a sequence (by position)."""
    if hasattr(values, "keys"):
        mapping = dict(values.items()) if hasattr(values, "items") else values
        # Column names are compared as text, as `criteria` holds them (a column 0 is "0").
        mapping = {k if isinstance(k, str) else str(k): v for k, v in mapping.items()}
        unknown = [k for k in mapping if k not in criteria]
        if unknown:
            raise PartnerfitError(
                f"{what} names {unknown[0]!r}, which is not a column of the scores; "
                f"use one of {', '.join(map(str, criteria))}"
            )
        values = [mapping.get(c) for c in criteria]
    else:
        values = list(np.atleast_1d(np.asarray(values, dtype=object)))
        if len(values) != len(criteria):
            raise PartnerfitError(
                f"{len(values)} {what} for {len(criteria)} criteria; give one per criterion"
            )
    return numbers(values, what, criteria, blank)


def _check_scale(scale) -> tuple[float, float]:
    """The scoring scale: two finite numbers, lowest first."""
    try:
        lo, hi = (float(x) for x in scale)
    except (TypeError, ValueError):
        raise PartnerfitError(f"scale is {scale!r:.40}; give the lowest and highest score, e.g. (1, 5)") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise PartnerfitError(f"scale is ({lo:g}, {hi:g}); give the lowest and then the highest score, e.g. (1, 5)")
    return lo, hi


def score_vendors(
    scores: "pd.DataFrame",
    weights,
    minimums=None,
    min_coverage: float = 0.5,
    scale: tuple[float, float] = SCALE,
) -> "pd.DataFrame":
    """Weighted scores of vendors (see the module docstring for the method).

    `scores`: one row per vendor (index = vendor name), one column per criterion; cells are
    numbers, blank/NaN or "N/A" (not scored), or numbers typed as text.
    `weights`, `minimums`: a sequence in column order or a mapping by column name; a missing or
    blank minimum means no must-have; a blank weight counts as 0.
    Returns a DataFrame with the index and row order of `scores` (so it lines up with them) and
    columns score, rank (nullable integer), coverage and status (categorical);
    ``.sort_values("rank")`` lists the qualified vendors best first.
    """
    import pandas as pd

    if not isinstance(scores, pd.DataFrame):
        raise PartnerfitError(
            f"scores is a {type(scores).__name__}, not a pandas DataFrame; give one row per vendor "
            "(index = vendor name) and one column per criterion"
        )
    scale = _check_scale(scale)
    criteria = [str(c) for c in scores.columns]
    if not criteria:
        raise PartnerfitError("the scores table has no criteria columns")
    if not scores.index.is_unique:  # cached by pandas: a cheap check in the common case
        duplicated = scores.index[scores.index.duplicated()]
        raise PartnerfitError(
            f"vendor {duplicated[0]!r} appears more than once; give each vendor one row"
        )
    w = check_weights(_aligned(weights, criteria, "weights", 0.0), criteria)
    mins = None
    if minimums is not None:
        mins = check_minimums(_aligned(minimums, criteria, "minimums", np.nan), criteria, scale)
    if all(dtype.kind in "fiu" for dtype in scores.dtypes):
        matrix, unreadable = scores.to_numpy(dtype=float, na_value=np.nan), None
    else:
        # Missing values of any kind (None, NaN, pd.NA of nullable columns, NaT) are "not scored".
        matrix, unreadable = score_matrix(scores.to_numpy(dtype=object, na_value=None))
    coverage = check_coverage(number(min_coverage, "min_coverage", 0.5))
    result = evaluate(matrix, w, mins, coverage, unreadable, scale)
    unranked = np.isnan(result.rank)
    return pd.DataFrame(
        {
            "score": result.score,
            # Nullable integers built from values and mask directly (pd.array(..., "Int64")
            # would check every float for being whole).
            "rank": pd.arrays.IntegerArray(np.where(unranked, 0, result.rank).astype(np.int64), unranked),
            "coverage": result.coverage,
            "status": _status_categorical(*result.status_codes(criteria)),
        },
        index=scores.index.rename("vendor"),
        copy=False,
    )


def _status_categorical(codes: np.ndarray, texts: np.ndarray) -> "pd.Categorical":
    """Vendors' statuses texts[codes] as a pandas Categorical of the statuses that occur."""
    import pandas as pd

    present = np.bincount(codes, minlength=len(texts)).nonzero()[0]
    labels = list(dict.fromkeys(texts[present]))  # unique: two criteria may share a name
    recode = np.zeros(len(texts), dtype=np.intp)
    recode[present] = [labels.index(text) for text in texts[present]]
    return pd.Categorical.from_codes(recode[codes], categories=labels, validate=False)  # codes in range by construction
