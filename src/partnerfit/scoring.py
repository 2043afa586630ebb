"""Weighted vendor scores, must-have knock-outs, coverage, status and rank.

The maths (weighted sum model as procurement systems define it, e.g. SAP vendor evaluation):

    score_i    = sum_j w_j x_ij / sum_j w_j        over the criteria j vendor i has scored
    coverage_i = sum_j w_j [x_ij scored] / sum_j w_j

A blank ("not scored", "N/A") is not a zero: it leaves both sums. Weights need not add up to
anything. A vendor is then, in this order of precedence:

* ``Invalid: <criterion> is not a score from 1 to 5`` if a cell is text or off the scale;
* knocked out by its due diligence (`evaluate`'s `excluded`: the caller names the cause, e.g.
  ``Knocked out: warning letter 2025-03-14``; see due_diligence.py);
* ``Knocked out: <criterion>`` if a score is below that criterion's must-have minimum;
* ``Incomplete`` if a must-have is not scored or the coverage is below `min_coverage`;
* ``Eligible`` otherwise.

Only eligible vendors are ranked, by score descending, ties sharing a rank (1, 2, 2, 4 as
Excel's RANK.EQ). Scores are compared rounded to 9 decimals, so that sums that differ only
in the last bit of floating point (summation order) still tie.

`weighted_sum`, `rank_eq` and `evaluate` are pure numpy kernels; `score_vendors` is the pandas API.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from .cells import number, numbers, score_matrix
from .criteria import SCALE
from .errors import PartnerfitError

if TYPE_CHECKING:
    import pandas as pd

RANK_DECIMALS = 9
"""Scores are compared for ranking after rounding to this many decimals."""


class Status(IntEnum):
    ELIGIBLE = 0
    KNOCKED_OUT = 1
    INCOMPLETE = 2
    INVALID = 3


def weighted_sum(matrix, weights) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean over scored cells, and the share of the weight that was scored.

        score_i    = sum_j w_j x0_ij / sum_j w_j s_ij      (NaN where sum_j w_j s_ij = 0)
        coverage_i = sum_j w_j s_ij / sum_j w_j

    where s_ij = 1 if x_ij is scored (not NaN) else 0, and x0_ij = x_ij if scored else 0.
    `matrix` is vendors x criteria with NaN for "not scored"; `weights` non-negative with a
    positive sum. Returns (score, coverage): two matrix-vector products.
    """
    matrix = np.asarray(matrix, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if not len(matrix):  # no vendors, whatever the width of the empty table
        return np.empty(0), np.empty(0)
    # Extreme weights are scaled by a power of two, which is exact and changes no result: weights
    # of 1e308 cannot overflow the sums (NaN coverage) and subnormal ones keep their digits; the
    # largest goes no lower than 2**960, so that a weight far below it does not drop to 0.
    exponent = math.frexp(np.max(weights, initial=0.0))[1]
    if not -960 <= exponent <= 960:
        weights = np.ldexp(weights, (960 if exponent > 0 else 0) - exponent)
    scored = matrix == matrix  # False only for NaN
    scored_weight = scored @ weights
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        score = (np.where(scored, matrix, 0.0) @ weights) / scored_weight  # 0 / 0: nothing scored
    return score, scored_weight / weights.sum() + 0.0  # + 0.0: nothing scored is 0, not -0


def rank_eq(values, eligible) -> np.ndarray:
    """Descending rank with shared ties (Excel RANK.EQ) among `eligible`; NaN elsewhere.

        rank_i = 1 + #{eligible k : key_k < key_i},   key = -round(value, RANK_DECIMALS)

    that is, 1 + the position of the first equal key in the sorted keys (found by a binary
    search of the keys in sorted order, which is far faster than in random order).
    """
    values, eligible = np.asarray(values, dtype=float), np.asarray(eligible, dtype=bool)
    keys = -np.round(values[eligible], RANK_DECIMALS)
    by_key = keys.argsort()
    sorted_keys = keys[by_key]
    rank = np.full(len(values), np.nan)
    rank[eligible.nonzero()[0][by_key]] = sorted_keys.searchsorted(sorted_keys) + 1
    return rank


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
    """RANK.EQ among eligible vendors; NaN for the others."""
    scale: tuple[float, float] = SCALE

    def status_codes(self, criteria: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Status strings as (codes, texts): vendor i's status is texts[codes[i]].

        texts = Eligible, Incomplete, "Knocked out: <c>" and "Invalid: <c> ..." for every
        criterion c (and "" for a culprit of -1), so each vendor's text is one array lookup.
        """
        lo, hi = (f"{x:g}" for x in self.scale)
        names = [*criteria, ""]  # a culprit of -1 names ""
        texts = np.array(["Eligible", "Incomplete", *(f"Knocked out: {c}" for c in names),
                          *(f"Invalid: {c} is not a score from {lo} to {hi}" for c in names)], dtype=object)
        # By Status (ELIGIBLE, KNOCKED_OUT, INCOMPLETE, INVALID): the first code, and whether a
        # criterion is named.
        first, named = np.array([0, 2, 1, 2 + len(names)]), np.array([False, True, False, True])
        codes = first[self.status] + np.where(named[self.status], self.culprit % len(names), 0)
        return codes, texts

    def status_text(self, criteria: list[str]) -> np.ndarray:
        """Status strings ("Eligible", "Knocked out: Cost", ...) as an object array."""
        codes, texts = self.status_codes(criteria)
        return texts[codes]

    def order(self) -> np.ndarray:
        """Row order of the results table: eligible vendors by rank, then the rest as given."""
        return np.argsort(np.where(np.isnan(self.rank), np.inf, self.rank), kind="stable")


def evaluate(
    matrix: np.ndarray,
    weights: np.ndarray,
    minimums: np.ndarray | None = None,
    min_coverage: float = 0.5,
    unreadable: np.ndarray | None = None,
    scale: tuple[float, float] = SCALE,
    excluded: np.ndarray | None = None,
) -> Evaluation:
    """Score, coverage, status and rank for a vendors x criteria matrix (see module docstring).

    `excluded` marks vendors knocked out by their due diligence: Knocked out with no criterion
    (culprit -1) unless Invalid, and never ranked; their score and coverage stay.
    `unreadable` marks cells that held text which is not a number (they are NaN in `matrix`);
    numbers outside `scale` are found here. Inputs are assumed validated by `check_weights`
    and friends.
    """
    matrix = np.asarray(matrix, dtype=float)
    invalid = (matrix < scale[0]) | (matrix > scale[1])
    if unreadable is not None:
        invalid |= unreadable
    any_invalid = invalid.any(axis=1)
    culprit = np.full(len(matrix), -1)
    if any_invalid.any():  # the first invalid cell is named; the invalid cells leave the sums
        culprit[any_invalid] = invalid[any_invalid].argmax(axis=1)
        matrix = np.where(invalid, np.nan, matrix)
    score, coverage = weighted_sum(matrix, weights)
    # A weighted mean of scores on the scale leaves it only by rounding (5.000000000000002).
    score.clip(scale[0], scale[1], out=score)

    incomplete = (coverage < min_coverage) | np.isnan(score)
    knocked = np.zeros(len(matrix), dtype=bool)  # no must-have minimum
    if minimums is not None and not np.isnan(minimums).all():
        must = ~np.isnan(minimums)
        below = matrix[:, must] < minimums[must]
        knocked = below.any(axis=1) & ~any_invalid
        culprit = np.where(knocked, np.flatnonzero(must)[below.argmax(axis=1)], culprit)
        incomplete |= np.isnan(matrix[:, must]).any(axis=1)
    # Precedence Invalid > due diligence > must-have > Incomplete > Eligible: each overwrites the ones before.
    status = np.full(len(matrix), Status.ELIGIBLE, dtype=np.int8)
    status[incomplete] = Status.INCOMPLETE
    status[knocked] = Status.KNOCKED_OUT
    if excluded is not None:
        excluded = np.asarray(excluded, dtype=bool)
        status[excluded] = Status.KNOCKED_OUT
        culprit[excluded & ~any_invalid] = -1
    status[any_invalid] = Status.INVALID
    score[any_invalid] = np.nan
    return Evaluation(score, coverage, status, culprit, rank_eq(score, status == Status.ELIGIBLE), scale)


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


def _suggested(matrix, unreadable, criteria, table, evaluation_date):
    """The scores with the suggested Regulatory track record score where `table` has no
    Track_Record_Reasons text for the vendor (`due_diligence.suggestion_used`)."""
    from .due_diligence import REASONS, due_diligence, suggestion_used, track_record_at, with_suggestions

    at = track_record_at(criteria)
    if at is None:
        return matrix, unreadable
    reasons = next((table[c] for c in table.columns if str(c).strip().lower() == REASONS.lower()), None)
    suggested = due_diligence(table, evaluation_date)["suggested_score"].to_numpy(dtype=float)
    used = suggestion_used(suggested, [None] * len(table) if reasons is None else reasons.tolist())
    if unreadable is None:
        unreadable = np.zeros(matrix.shape, dtype=bool)
    return with_suggestions(matrix, unreadable, at, suggested, used)


def score_vendors(
    scores: pd.DataFrame,
    weights,
    minimums=None,
    min_coverage: float = 0.5,
    scale: tuple[float, float] = SCALE,
    due_diligence: pd.DataFrame | None = None,
    evaluation_date=None,
) -> pd.DataFrame:
    """Weighted scores of vendors (see the module docstring for the method).

    `scores`: one row per vendor (index = vendor name), one column per criterion; cells are
    numbers, blank/NaN or "N/A" (not scored), or numbers typed as text.
    `weights`, `minimums`: a sequence in column order or a mapping by column name; a missing or
    blank minimum means no must-have; a blank weight counts as 0.
    Returns a DataFrame with the index and row order of `scores` (so it lines up with them) and
    columns score, rank (nullable integer), coverage and status (categorical);
    ``.sort_values("rank")`` lists the eligible vendors best first.
    `due_diligence`: DD_ columns by vendor (`due_diligence.due_diligence`; vendors missing from
    it are blank) read on `evaluation_date` (None: today); a knock-out that is not overridden
    becomes the status ("Knocked out: warning letter 2025-03-14") unless the vendor is Invalid,
    and a due_diligence column gives every vendor's due-diligence status; the suggested
    Regulatory track record score replaces that criterion's score unless the vendor's
    Track_Record_Reasons cell gives a reason for it.
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
    dd_status = excluded = None
    if due_diligence is not None:
        from .due_diligence import vendor_statuses

        if not isinstance(due_diligence, pd.DataFrame):
            raise PartnerfitError(f"due_diligence is a {type(due_diligence).__name__}, not a pandas DataFrame "
                                  "indexed by vendor with DD_... columns")
        dd_status, refused = vendor_statuses(due_diligence.reindex(scores.index), evaluation_date)
        if refused:
            raise PartnerfitError(refused[0][1])
        excluded = np.char.startswith(dd_status.astype(str), "Knocked out")
        matrix, unreadable = _suggested(matrix, unreadable, criteria, due_diligence.reindex(scores.index),
                                        evaluation_date)
    result = evaluate(matrix, w, mins, coverage, unreadable, scale, excluded)
    status = _status_categorical(*result.status_codes(criteria))
    extra = {}
    if dd_status is not None:  # Invalid > due diligence > must-have > Incomplete > Eligible
        texts = np.where(excluded & (result.status != Status.INVALID), dd_status, np.asarray(status, dtype=object))
        status = pd.Categorical(texts, categories=list(dict.fromkeys(texts)))
        extra["due_diligence"] = dd_status
    return pd.DataFrame(
        {
            "score": result.score,
            "rank": pd.array(result.rank, dtype="Int64"),  # NaN (not ranked) becomes <NA>
            "coverage": result.coverage,
            "status": status,
            **extra,
        },
        index=scores.index.rename("vendor"),
        copy=False,
    )


def _status_categorical(codes: np.ndarray, texts: np.ndarray) -> pd.Categorical:
    """Vendors' statuses texts[codes] as a pandas Categorical of the statuses that occur."""
    import pandas as pd

    present = np.bincount(codes, minlength=len(texts)).nonzero()[0]
    labels = list(dict.fromkeys(texts[present]))  # unique: two criteria may share a name
    recode = np.zeros(len(texts), dtype=np.intp)
    recode[present] = [labels.index(text) for text in texts[present]]
    return pd.Categorical.from_codes(recode[codes], categories=labels, validate=False)  # codes in range by construction
