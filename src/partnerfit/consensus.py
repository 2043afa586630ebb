"""Consensus of several evaluators who scored the same vendors, and where they disagree.

Input is long format, one row per (vendor, evaluator, criterion): Vendor, Evaluator,
Criterion, Score and optionally Evidence (kept for the audit trail, not used here). A blank or
"N/A" score means that evaluator did not score that cell: it is left out and does not count
as an evaluator. For every vendor x criterion cell with scores x_1..x_n:

    consensus = mean(x) or median(x)       (median of an even count: mean of the middle two)
    spread    = max(x) - min(x)
    count     = n
    flag      = spread >= threshold         (2 points on the 1-5 scale by default)

and NaN where nobody scored. The median resists one outlying evaluator; the flags show where
evaluators should talk before the scores are used.

`cell_statistics` is the numpy kernel (cells as integer codes); `consensus` reads and checks
the DataFrame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .cells import is_blank, number, score_matrix
from .criteria import SCALE
from .errors import PartnerfitError, show

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ("Vendor", "Evaluator", "Criterion", "Score")
"""Required columns (matched ignoring case and surrounding spaces); "Evidence" is optional."""

METHODS = ("mean", "median")

DISAGREEMENT = 2.0
"""Default spread, in score points, from which a cell is flagged."""


def cell_statistics(
    cell: np.ndarray, score: np.ndarray, n_cells: int, method: str = "mean"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(consensus, spread, count) per cell code 0..n_cells-1 of the scores; NaN where count is 0.

    One sort by (cell, score) gives min, max and median of every cell at once.
    """
    count = np.bincount(cell, minlength=n_cells)
    ordered = score[np.lexsort((score, cell))]
    has = count > 0
    first = (np.cumsum(count) - count)[has]
    n = count[has]
    spread = np.full(n_cells, np.nan)
    spread[has] = ordered[first + n - 1] - ordered[first]
    centre = np.full(n_cells, np.nan)
    if method == "mean":
        centre[has] = np.bincount(cell, weights=score, minlength=n_cells)[has] / n
    else:
        centre[has] = (ordered[first + (n - 1) // 2] + ordered[first + n // 2]) / 2
    return centre, spread, count


@dataclass(frozen=True)
class Consensus:
    """Vendor x criterion tables (index vendor, columns criterion), vendors and criteria in
    order of first appearance (criteria in the given order when given)."""

    table: pd.DataFrame
    """Consensus score; NaN where nobody scored. Feeds `score_vendors` directly."""
    spread: pd.DataFrame
    """max - min of the scores; NaN where nobody scored, 0 for a single evaluator."""
    count: pd.DataFrame
    """Number of evaluators who scored the cell."""
    flags: pd.DataFrame
    """True where spread >= threshold."""
    method: str
    threshold: float


def _name(value: object) -> str:
    return show(value) if isinstance(value, float) else str(value).strip()


def _where(vendor: str, evaluator: str, criterion: str) -> str:
    return f"vendor {show(vendor)}, evaluator {show(evaluator)}, criterion {show(criterion)}"


def _columns(evaluations: pd.DataFrame) -> dict[str, object]:
    """The DataFrame's column for each required name, matched ignoring case and spaces."""
    found = {str(c).strip().lower(): c for c in evaluations.columns}
    missing = [name for name in COLUMNS if name.lower() not in found]
    if missing:
        raise PartnerfitError(
            f'the evaluations have no "{missing[0]}" column; the header must be '
            f"{', '.join(COLUMNS)} (and optionally Evidence)"
        )
    return {name: found[name.lower()] for name in COLUMNS}


def consensus(
    evaluations: pd.DataFrame,
    method: str = "mean",
    criteria: Sequence[str] | None = None,
    threshold: float = DISAGREEMENT,
    scale: tuple[float, float] = SCALE,
) -> Consensus:
    """Consensus table, spread, count and disagreement flags (see the module docstring).

    `evaluations`: one row per vendor, evaluator and criterion (columns Vendor, Evaluator,
    Criterion, Score[, Evidence]; other columns are ignored); rows whose Vendor, Evaluator,
    Criterion and Score are all blank are ignored. `criteria`: optional column order;
    a criterion in the data that is not in it is an error (a typo, usually). Errors name the
    data row (1-based, header not counted).
    """
    import pandas as pd

    if not isinstance(evaluations, pd.DataFrame):
        raise PartnerfitError(f"evaluations is a {type(evaluations).__name__}, not a pandas DataFrame with the "
                              "columns Vendor, Evaluator, Criterion, Score")
    method = str(method).strip().lower()
    if method not in METHODS:
        raise PartnerfitError(f"method is {show(method)}; use mean or median")
    threshold = number(threshold, "threshold")
    if not threshold > 0:
        raise PartnerfitError(f"threshold is {threshold:g}; use a positive number of score points")
    cells = evaluations[list(_columns(evaluations).values())].to_numpy(dtype=object, na_value=None)
    blank = np.array([[is_blank(v) for v in row] for row in cells], dtype=bool).reshape(cells.shape)
    kept = np.flatnonzero(~blank.all(axis=1))
    missing = blank[kept, :3]
    if missing.any():
        i, j = np.argwhere(missing)[0]
        raise PartnerfitError(
            f"data row {kept[i] + 1} has no {COLUMNS[j]}; fill it or clear the whole row"
        )
    vendor, evaluator, criterion = ([_name(v) for v in cells[kept, j]] for j in range(3))
    raw = cells[kept, 3]
    score, unreadable = score_matrix(raw.reshape(-1, 1))
    score, unreadable = score.ravel(), unreadable.ravel()
    lo, hi = scale
    invalid = np.flatnonzero(unreadable | (score < lo) | (score > hi))
    if invalid.size:
        i = invalid[0]
        raise PartnerfitError(
            f"data row {kept[i] + 1} ({_where(vendor[i], evaluator[i], criterion[i])}) has score "
            f"{show(raw[i])}; enter a score from {lo:g} to {hi:g}, or leave it blank or N/A (not scored)"
        )
    frame = pd.DataFrame({"vendor": vendor, "evaluator": evaluator, "criterion": criterion})
    again = np.flatnonzero(frame.duplicated().to_numpy())
    if again.size:
        group = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
        j = again[0]
        i = np.flatnonzero(group == group[j])[0]
        raise PartnerfitError(
            f"{_where(vendor[i], evaluator[i], criterion[i])} is in data rows {kept[i] + 1} and "
            f"{kept[j] + 1}; keep one row per vendor, evaluator and criterion"
        )
    vendor_code, vendors = pd.factorize(frame["vendor"], sort=False)
    if criteria is None:
        criterion_code, criteria = pd.factorize(frame["criterion"], sort=False)
        criteria = list(criteria)
    else:
        criteria = [str(c).strip() for c in criteria]
        criterion_code = pd.Index(criteria).get_indexer(frame["criterion"])
        unknown = np.flatnonzero(criterion_code < 0)
        if unknown.size:
            i = unknown[0]
            raise PartnerfitError(
                f"data row {kept[i] + 1} has criterion {show(criterion[i])}, which is not one of "
                f"{', '.join(map(show, criteria))}; correct the name"
            )
    scored = ~np.isnan(score)
    shape = (len(vendors), len(criteria))
    cell = vendor_code[scored] * shape[1] + criterion_code[scored]
    centre, spread, count = cell_statistics(cell, score[scored], shape[0] * shape[1], method)

    def table(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            values.reshape(shape),
            index=pd.Index(list(vendors), name="vendor"),
            columns=pd.Index(criteria, name="criterion"),
        )

    return Consensus(
        table(centre), table(spread), table(count), table(spread >= threshold), method, float(threshold)
    )
