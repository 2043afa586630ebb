"""Criteria weights from pairwise comparisons: Saaty's Analytic Hierarchy Process (AHP).

A judge fills a positive reciprocal matrix A (n x n, Saaty's 1-9 scale): a_ij says how much
more important criterion i is than criterion j, a_ji = 1 / a_ij and a_ii = 1. Then

    A w = lambda_max w            w = principal right eigenvector, normalised to sum 1
    CI  = (lambda_max - n) / (n - 1)
    CR  = CI / RI(n)              RI = Saaty's random index (Saaty 1980), CR = 0 for n <= 2

By Perron-Frobenius, lambda_max >= n with equality iff the matrix is consistent
(a_ij a_jk = a_ik). CR > 0.10 is Saaty's threshold for judgements to revisit; the
judgement furthest from what the weights imply is the pair i < j with the largest
|ln(a_ij w_j / w_i)|.

References: T. L. Saaty, The Analytic Hierarchy Process, McGraw-Hill 1980 (method, RI);
T. L. Saaty, Decision making with the analytic hierarchy process, Int. J. Services Sciences
1(1):83-98, 2008 (the drink-consumption example used in the tests).

`principal_eigenvector` is the numerical kernel, `check_pairwise` the validation,
`read_pairwise` reads spreadsheet cells (numbers, or fractions typed as text such as "1/3"),
and `ahp_weights` ties them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from .cells import is_blank
from .errors import PartnerfitError, show

RANDOM_INDEX = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)
"""Saaty's classic random index RI(n) for n = 1..15 (Saaty 1980)."""

CR_THRESHOLD = 0.10
"""Judgements with a consistency ratio above this should be revisited (Saaty)."""

RECIPROCAL_TOLERANCE = 1e-3
"""a_ij * a_ji may differ from 1 by this much (relative): 0.3333 passes for 1/3, 0.33 does not."""

_FIX = "fill every cell: 1 on the diagonal, a judgement such as 3 above it and its reciprocal 1/3 below"


@dataclass(frozen=True)
class AHPResult:
    weights: np.ndarray
    """Normalised priorities (sum 1), one per row of the matrix."""
    lambda_max: float
    ci: float
    cr: float
    consistent: bool
    """CR <= CR_THRESHOLD."""
    worst_pair: tuple[int, int] | None
    """0-based (row, column), row < column, of the judgement to revisit when not consistent."""
    message: str
    """One line saying whether the judgements are consistent and, if not, which one to revisit."""


def principal_eigenvector(matrix: np.ndarray) -> tuple[np.ndarray, float]:
    """(weights summing to 1, lambda_max) of a positive square matrix: its Perron root (the
    eigenvalue of largest real part, real and simple) and vector, by LAPACK's dense eigensolver."""
    values, vectors = np.linalg.eig(matrix)
    k = int(np.argmax(values.real))
    vector = np.abs(vectors[:, k].real)  # the Perron vector has one sign; eig may flip it
    return vector / vector.sum(), float(values[k].real)


def _fraction(value: float) -> str:
    """A judgement as a user would type it: 3, 1/3 or 0.4 (1e+200 when far off any scale)."""
    if 1e-6 <= value <= 1e6:
        if abs(value - round(value)) < 1e-9:
            return f"{round(value)}"
        if abs(1 / value - round(1 / value)) < 1e-6:
            return f"1/{round(1 / value)}"
    return f"{value:.4g}"


def _judgement(value: object, i: int, j: int) -> float:
    """One cell: a number, or text "3", "1/3", " 1 / 3 "."""
    where = f"pairwise matrix row {i + 1} col {j + 1}"
    if is_blank(value):
        raise PartnerfitError(f"{where} is blank; {_FIX}")
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        parts = value.split("/")
        try:
            if len(parts) == 1:
                return float(parts[0])
            if len(parts) == 2:
                return float(parts[0]) / float(parts[1])
        except (ValueError, ZeroDivisionError):
            pass
    if isinstance(value, date):
        raise PartnerfitError(
            f"{where} is the date {value:%Y-%m-%d}: Excel turned a fraction into a date; "
            "type it as =1/3 (or '1/3)"
        )
    raise PartnerfitError(
        f"{where} is {show(value)}, not a number or a fraction; enter a judgement such as 3 or 1/3"
    )


def read_pairwise(cells) -> np.ndarray:
    """Spreadsheet cells (a scalar, a list of rows or an array) as a float matrix.

    Numbers pass as they are; text such as "3" or "1/3" is read as a number. Blank or
    unreadable cells raise an error naming the cell. Shape and values are judged by
    `check_pairwise`.
    """
    if isinstance(cells, np.ndarray) and cells.dtype.kind in "fiu":
        return np.atleast_2d(cells.astype(float))
    if not isinstance(cells, (list, tuple, np.ndarray)):
        cells = [[cells]]
    rows = [list(r) if isinstance(r, (list, tuple, np.ndarray)) else [r] for r in cells]
    if any(len(r) != len(rows[0]) for r in rows):
        raise PartnerfitError("pairwise matrix rows have different lengths; select a square range")
    return np.array(
        [[_judgement(v, i, j) for j, v in enumerate(row)] for i, row in enumerate(rows)], dtype=float
    ).reshape(len(rows), len(rows[0]) if rows else 0)


def check_pairwise(matrix: np.ndarray) -> np.ndarray:
    """A square positive reciprocal matrix of 1 to 15 criteria, or a one-line error."""
    n, m = matrix.shape
    if n != m:
        raise PartnerfitError(
            f"pairwise matrix is {n} x {m} (rows x columns); it must be square, "
            "one row and one column per criterion in the same order"
        )
    if n < 1:
        raise PartnerfitError(f"pairwise matrix is empty; {_FIX}")
    if n > len(RANDOM_INDEX):
        raise PartnerfitError(
            f"pairwise matrix has {n} criteria; the random index is tabulated for at most "
            f"{len(RANDOM_INDEX)}, so group the criteria and compare within groups"
        )
    bad = np.argwhere(~(np.isfinite(matrix) & (matrix > 0)))
    if bad.size:
        i, j = bad[0]
        raise PartnerfitError(
            f"pairwise matrix row {i + 1} col {j + 1} is {show(float(matrix[i, j]))}; "
            "judgements must be positive numbers such as 3 or 1/3"
        )
    with np.errstate(over="ignore"):  # 1e200 * 1e200 is inf: off by far, as it should be
        off = np.argwhere(np.abs(matrix * matrix.T - 1) > RECIPROCAL_TOLERANCE)
    if off.size:
        i, j = min(map(tuple, off))  # report i <= j, in reading order
        a, b = float(matrix[i, j]), float(matrix[j, i])
        if i == j:
            raise PartnerfitError(
                f"pairwise matrix row {i + 1} col {i + 1} is {show(a)}; a criterion compared "
                "with itself is 1, so enter 1 on the diagonal"
            )
        raise PartnerfitError(
            f"pairwise matrix is not reciprocal: row {i + 1} col {j + 1} is {_fraction(a)} but "
            f"row {j + 1} col {i + 1} is {_fraction(b)}; enter {_fraction(1 / a)} in row {j + 1} "
            f"col {i + 1} (or {_fraction(1 / b)} in row {i + 1} col {j + 1})"
        )
    return matrix


def ahp_weights(matrix) -> AHPResult:
    """AHP weights and consistency of a pairwise-comparison matrix (see the module docstring).

    `matrix`: a float array or spreadsheet cells (numbers, or text such as "1/3").
    """
    a = check_pairwise(read_pairwise(matrix))
    n = len(a)
    weights, lambda_max = principal_eigenvector(a)
    ci = (lambda_max - n) / (n - 1) if n > 1 else 0.0
    cr = ci / RANDOM_INDEX[n - 1] if n > 2 else 0.0
    consistent = cr <= CR_THRESHOLD
    if consistent:
        return AHPResult(
            weights, lambda_max, ci, cr, True, None,
            f"consistent: CR {cr:.3f} is at most {CR_THRESHOLD:.2f}",
        )
    error = np.abs(np.log(a * weights[None, :] / weights[:, None]))
    error[np.tril_indices(n)] = -1.0
    i, j = (int(x) for x in np.unravel_index(np.argmax(error), error.shape))
    return AHPResult(
        weights, lambda_max, ci, cr, False, (i, j),
        f"inconsistent: CR {cr:.3f} is above {CR_THRESHOLD:.2f}; revisit row {i + 1} col {j + 1} "
        f"(entered {_fraction(float(a[i, j]))}, the weights imply {weights[i] / weights[j]:.2g})",
    )
