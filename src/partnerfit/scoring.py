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

`weighted_sum` and `evaluate` are pure numpy kernels; `score_vendors` is the pandas API.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from .cells import numbers, score_matrix
from .criteria import SCALE
from .errors import PartnerfitError

if TYPE_CHECKING:
    import pandas as pd

RANK_DECIMALS = 9
"""Scores are compared for ranking after rounding to this many decimals."""


class Status(IntEnum):
    QUALIFIED = 0
    KNOCKED_OUT = 1
    INCOMPLETE = 2
    INVALID = 3


def weighted_sum(matrix: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean over scored cells, and the share of the weight that was scored.

    `matrix` is vendors x criteria with NaN for "not scored"; `weights` non-negative with a
    positive sum. Returns (score, coverage); score is NaN where no weighted criterion is scored.
    """
    scored = ~np.isnan(matrix)
    numerator = np.where(scored, matrix, 0.0) @ weights
    scored_weight = scored @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        score = numerator / scored_weight
    score[scored_weight == 0] = np.nan
    return score, scored_weight / weights.sum()


def rank_eq(values: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Descending rank with shared ties (Excel RANK.EQ) among `eligible`; NaN elsewhere."""
    rank = np.full(values.shape, np.nan)
    keys = -np.round(values[eligible], RANK_DECIMALS)
    rank[eligible] = np.searchsorted(np.sort(keys), keys, side="left") + 1
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
    """RANK.EQ among qualified vendors; NaN for the others."""
    scale: tuple[float, float] = SCALE

    def status_text(self, criteria: list[str]) -> np.ndarray:
        """Status strings ("Qualified", "Knocked out: Cost", ...) as an object array."""
        lo, hi = (f"{x:g}" for x in self.scale)
        names = np.asarray(list(criteria) + [""], dtype=object)
        text = np.full(self.status.shape, "Qualified", dtype=object)
        text[self.status == Status.INCOMPLETE] = "Incomplete"
        for code, pattern in (
            (Status.KNOCKED_OUT, "Knocked out: {}"),
            (Status.INVALID, "Invalid: {} is not a score from %s to %s" % (lo, hi)),
        ):
            where = self.status == code
            if where.any():
                culprits = names[self.culprit[where]]
                text[where] = [pattern.format(c) for c in culprits]
        return text

    def order(self) -> np.ndarray:
        """Row order of the results table: qualified vendors by rank, then the rest as given."""
        key = np.where(np.isnan(self.rank), np.inf, self.rank)
        return np.argsort(key, kind="stable")


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
    lo, hi = scale
    invalid = (matrix < lo) | (matrix > hi)
    if unreadable is not None:
        invalid |= unreadable
    any_invalid = invalid.any(axis=1)
    if any_invalid.any():
        matrix = np.where(invalid, np.nan, matrix)
    score, coverage = weighted_sum(matrix, weights)

    status = np.zeros(len(matrix), dtype=np.int8)
    culprit = np.where(any_invalid, invalid.argmax(axis=1), -1)
    incomplete = coverage < min_coverage
    incomplete |= np.isnan(score)
    if minimums is not None and not np.isnan(minimums).all():
        must = ~np.isnan(minimums)
        below = matrix[:, must] < minimums[must]
        knocked = below.any(axis=1) & ~any_invalid
        must_index = np.flatnonzero(must)
        culprit = np.where(knocked, must_index[below.argmax(axis=1)], culprit)
        status[knocked] = Status.KNOCKED_OUT
        incomplete |= np.isnan(matrix[:, must]).any(axis=1)
        incomplete &= ~knocked
    status[incomplete] = Status.INCOMPLETE
    status[any_invalid] = Status.INVALID
    score[any_invalid] = np.nan
    rank = rank_eq(score, status == Status.QUALIFIED)
    return Evaluation(score, coverage, status, culprit, rank, scale)


def check_weights(weights: np.ndarray, criteria: list[str]) -> np.ndarray:
    """Weights must be finite, non-negative and not all zero."""
    if len(weights) != len(criteria):
        raise PartnerfitError(
            f"{len(weights)} weights for {len(criteria)} criteria; give one weight per criterion"
        )
    negative = np.flatnonzero(weights < 0)
    if negative.size:
        i = negative[0]
        raise PartnerfitError(
            f"weight for {criteria[i]} is {weights[i]:g}; weights must be 0 or more"
        )
    if not weights.sum() > 0:
        raise PartnerfitError("all weights are 0; give at least one criterion a positive weight")
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
    Returns a DataFrame indexed by vendor with columns score, rank, coverage, status: qualified
    vendors first in rank order, then the others in input order.
    """
    import pandas as pd

    criteria = [str(c) for c in scores.columns]
    if not criteria:
        raise PartnerfitError("the scores table has no criteria columns")
    duplicated = scores.index[scores.index.duplicated()]
    if len(duplicated):
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
        matrix, unreadable = score_matrix(scores.to_numpy(dtype=object))
    result = evaluate(matrix, w, mins, check_coverage(float(min_coverage)), unreadable, scale)
    order = result.order()
    return pd.DataFrame(
        {
            "score": result.score[order],
            "rank": pd.array(result.rank[order], dtype="Int64"),
            "coverage": result.coverage[order],
            "status": result.status_text(criteria)[order],
        },
        index=pd.Index(scores.index[order], name="vendor"),
    )
