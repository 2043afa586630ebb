"""Criteria weights from pairwise comparisons: Saaty's Analytic Hierarchy Process (AHP).

A judge fills a positive reciprocal matrix A (n x n, Saaty's 1-9 scale): a_ij says how much
more important criterion i is than criterion j, a_ji = 1 / a_ij and a_ii = 1. Then

    A w = lambda_max w            w = principal right eigenvector, normalised to sum 1
    CI  = (lambda_max - n) / (n - 1)
    CR  = CI / RI(n)              RI = Saaty's random index (Saaty 1980), CR = 0 for n <= 2

By Perron-Frobenius, lambda_max >= n with equality iff the matrix is consistent
(a_ij a_jk = a_ik). CR > 0.10 is Saaty's threshold for judgements to revisit; the
judgement furthest from what the weights imply is the given pair i < j with the largest
|ln(a_ij w_j / w_i)|.

Blank judgements are allowed as long as the given ones connect every criterion (directly or
through others): the blanks are then completed with the values that minimise lambda_max, the
optimal completion of Bozoki, Fulop and Ronyai (2010), unique exactly when the judgements
connect every criterion; CI and CR are those of the completed matrix (`complete_pairwise`).

Several stakeholders' matrices combine into one by the geometric mean of the judgements given
per cell, Saaty's aggregation of individual judgements (`aggregate_judgements`).

References: T. L. Saaty, The Analytic Hierarchy Process, McGraw-Hill 1980 (method, RI);
T. L. Saaty, Decision making with the analytic hierarchy process, Int. J. Services Sciences
1(1):83-98, 2008 (the drink-consumption example used in the tests); S. Bozoki, J. Fulop,
L. Ronyai, On optimal completion of incomplete pairwise comparison matrices, Mathematical and
Computer Modelling 52:318-333, 2010; J. Aczel, T. L. Saaty, Procedures for synthesizing ratio
judgements, J. Mathematical Psychology 27:93-102, 1983 and E. Forman, K. Peniwati, Aggregating
individual judgments and priorities with the analytic hierarchy process, European J.
Operational Research 108:165-169, 1998 (the geometric mean of judgements).

`principal_eigenvector` and `complete_pairwise` are the numerical kernels, `check_pairwise` the
validation, `read_pairwise` reads spreadsheet cells (numbers, fractions typed as text such as
"1/3", blanks), and `ahp_weights` ties them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from .cells import is_blank, read_judgement
from .errors import PartnerfitError, show

RANDOM_INDEX = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)
"""Saaty's classic random index RI(n) for n = 1..15 (Saaty 1980)."""

CR_THRESHOLD = 0.10
"""Judgements with a consistency ratio above this should be revisited (Saaty)."""

RECIPROCAL_TOLERANCE = 1e-3
"""a_ij * a_ji may differ from 1 by this much (relative): 0.3333 passes for 1/3, 0.33 does not."""

CHAIN_LIMIT = 1e100
"""Blanks are completed only when no chain of given judgements can multiply beyond this."""

STEPS_APART = 3.0
"""Stakeholders whose judgements of a pair lie more than this many scale steps apart are flagged
(`scale_steps`: 3 vs 1/3 is 4 steps apart, 5 vs 2 is 3)."""

_FIX = "enter a judgement such as 3 above the diagonal (its reciprocal 1/3 below it may stay blank)"


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
    """0-based (row, column), row < column, of the given judgement to revisit when not consistent."""
    message: str
    """One line saying whether the judgements are consistent and, if not, which one to revisit."""
    matrix: np.ndarray
    """The full reciprocal matrix weighed: the judgements given, and the completed ones."""
    completed: np.ndarray
    """True where `matrix` holds a completed value (both a_ij and a_ji of a blank pair)."""


def principal_eigenvector(matrix: np.ndarray) -> tuple[np.ndarray, float]:
    """(weights summing to 1, lambda_max) of a positive square matrix: its Perron root (the
    eigenvalue of largest real part, real and simple) and vector, by LAPACK's dense eigensolver."""
    values, vectors = np.linalg.eig(matrix)
    k = int(np.argmax(values.real))
    vector = np.abs(vectors[:, k].real)  # the Perron vector has one sign; eig may flip it
    return vector / vector.sum(), float(values[k].real)


def complete_pairwise(matrix: np.ndarray) -> np.ndarray:
    """The optimal completion of a reciprocal matrix with blank pairs (NaN in a_ij and a_ji)
    whose given judgements connect every criterion: the values that minimise lambda_max.

    Bozoki, Fulop and Ronyai (2010): with a_ij = exp(y_k) and a_ji = exp(-y_k) for the k-th
    blank pair, lambda_max(A(y)) is convex in y, strictly when the given judgements connect
    every criterion, so its minimiser is unique. They minimise it by cyclic coordinates (one
    blank at a time); this takes Newton steps on the same function, a handful where cyclic
    coordinates needs hundreds of eigen-decompositions. With v, u the right and left Perron
    vectors (u'v = 1), E_k = dA/dy_k (a_ij at ij, -a_ji at ji) and F_k = d2A/dy_k2 (a_ij, +a_ji):

        g_k  = u' E_k v
        H_kl = [k = l] u' F_k v + u' E_k S E_l v + u' E_l S E_k v,
        S    = (lambda I - A)^#  = (lambda I - A + v u')^-1 - v u'   (group inverse)

    (C. D. Meyer, G. W. Stewart, Derivatives and perturbations of eigenvectors, SIAM J. Numer.
    Anal. 25:679-691, 1988). Start: the logarithmic least squares completion a_ij =
    exp(z_i - z_j), z fitted to the logarithms of the given judgements (exact when they form a
    tree). Backtracking (Armijo) makes every step a decrease; it stops once a step promises a
    decrease (-g'd / 2) below rounding, 1e-14 lambda_max, after taking it, or when rounding
    leaves no step that lowers lambda_max.
    """
    a = matrix.copy()
    n = len(a)
    i, j = np.nonzero(np.triu(np.isnan(a)))
    gi, gj = np.nonzero(np.triu(~np.isnan(a), 1))
    incidence = np.zeros((len(gi), n))
    incidence[np.arange(len(gi)), gi], incidence[np.arange(len(gi)), gj] = 1.0, -1.0
    z = np.linalg.lstsq(incidence, np.log(a[gi, gj]), rcond=None)[0]
    y = z[i] - z[j]
    k, eye = np.arange(len(i)), np.eye(n)

    def fill(y: np.ndarray) -> float:
        with np.errstate(over="ignore"):  # a step far out: rejected, not an error
            a[i, j], a[j, i] = np.exp(y), np.exp(-y)
        return float(np.max(np.linalg.eigvals(a).real)) if np.isfinite(a).all() else np.inf

    fill(y)
    for _ in range(100):
        v, lam = principal_eigenvector(a)
        u = principal_eigenvector(a.T)[0]
        u /= u @ v
        x, r = a[i, j], a[j, i]
        ev = np.zeros((n, len(k)))
        ev[i, k], ev[j, k] = x * v[j], -r * v[i]
        ue = np.zeros((len(k), n))
        ue[k, j], ue[k, i] = u[i] * x, -u[j] * r
        g = ue @ v
        p = np.outer(v, u)
        c = ue @ (np.linalg.inv(lam * eye - a + p) - p) @ ev
        d = -np.linalg.solve(np.diag(u[i] * x * v[j] + u[j] * r * v[i]) + c + c.T, g)
        decrease = -(g @ d)  # twice what the quadratic model promises: < 0 only if H is not positive definite
        if decrease <= 1e-14 * lam:  # at the minimum up to rounding: a last step, too small to check
            if decrease > 0:
                fill(y + d)
            break
        t = 1.0
        while fill(y + t * d) > lam + 1e-4 * t * (g @ d):
            t /= 2
            if t < 1e-6:  # rounding: no step lowers lambda_max any more
                fill(y)
                return a
        y = y + t * d
    return a


def _fraction(value: float) -> str:
    """A judgement as a user would type it: 3, 1/3 or 0.4 (1e+200 when far off any scale)."""
    if 1e-6 <= value <= 1e6:
        if abs(value - round(value)) < 1e-9:
            return f"{round(value)}"
        if abs(1 / value - round(1 / value)) < 1e-6:
            return f"1/{round(1 / value)}"
    return f"{value:.4g}"


def _judgement(value: object, i: int, j: int) -> float:
    """One cell read as the workbook reads it (`cells.read_judgement`: a number, text "3", "1/3",
    " 1 / 3 "), NaN for a blank; anything else is refused naming the cell."""
    if is_blank(value):
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)  # judged by check_pairwise (positive, finite)
    number = read_judgement(value) if isinstance(value, str) else None
    if number is not None:
        return number
    where = f"pairwise matrix row {i + 1} col {j + 1}"
    if isinstance(value, date):
        raise PartnerfitError(
            f"{where} is the date {value:%Y-%m-%d}: Excel turned a fraction into a date; "
            "type it as =1/3 (or '1/3)"
        )
    raise PartnerfitError(
        f"{where} is {show(value)}, not a number or a fraction; enter a judgement such as 3 or 1/3"
    )


def read_pairwise(cells) -> np.ndarray:
    """Spreadsheet cells (a scalar, a list of rows or an array) as a float matrix, NaN for blanks.

    Numbers pass as they are; text such as "3" or "1/3" is read as a number; None, "" and NaN
    are blank. Unreadable cells raise an error naming the cell. Shape and values are judged by
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
    """A square positive reciprocal matrix of 1 to 15 criteria, or a one-line error.

    NaN is a blank. A blank diagonal cell is 1; a pair given on one side only takes the
    reciprocal on the other; a pair blank on both sides stays NaN in the matrix returned.
    """
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
    with np.errstate(divide="ignore", over="ignore"):
        bad = np.argwhere(~(np.isfinite(matrix) & (matrix > 0) & np.isfinite(1 / matrix) | np.isnan(matrix)))
    if bad.size:
        i, j = bad[0]
        raise PartnerfitError(
            f"pairwise matrix row {i + 1} col {j + 1} is {show(float(matrix[i, j]))}; "
            "judgements must be positive numbers such as 3 or 1/3"
        )
    with np.errstate(over="ignore", divide="ignore"):  # 1e200 * 1e200 is inf: off by far, as it should be
        a = np.where(np.isnan(matrix), 1 / matrix.T, matrix)
        a[np.diag_indices(n)] = np.where(np.isnan(a.diagonal()), 1.0, a.diagonal())
        off = np.argwhere(np.abs(a * a.T - 1) > RECIPROCAL_TOLERANCE)
    if off.size:
        i, j = min(map(tuple, off))  # report i <= j, in reading order
        x, y = float(a[i, j]), float(a[j, i])
        if i == j:
            raise PartnerfitError(
                f"pairwise matrix row {i + 1} col {i + 1} is {show(x)}; a criterion compared "
                "with itself is 1, so enter 1 on the diagonal"
            )
        raise PartnerfitError(
            f"pairwise matrix is not reciprocal: row {i + 1} col {j + 1} is {_fraction(x)} but "
            f"row {j + 1} col {i + 1} is {_fraction(y)}; enter {_fraction(1 / x)} in row {j + 1} "
            f"col {i + 1} (or {_fraction(1 / y)} in row {i + 1} col {j + 1})"
        )
    return a


def _connected_to_first(given: np.ndarray) -> np.ndarray:
    """Which criteria the given judgements (a boolean matrix) link to criterion 1, directly or
    through others: the first row of the transitive closure, by repeated squaring."""
    reach = given | np.eye(len(given), dtype=bool)
    for _ in range(int(np.ceil(np.log2(max(len(given), 2))))):
        reach = (reach.astype(np.int64) @ reach.astype(np.int64)) > 0
    return reach[0]


def _criteria(indices, names: Sequence[str] | None) -> str:
    """ "criterion 2", "criteria 3, 4 and 6", or their names."""
    label = [str(names[k]) if names is not None else str(k + 1) for k in indices]
    listed = label[0] if len(label) == 1 else ", ".join(label[:-1]) + " and " + label[-1]
    return listed if names is not None else f"criteri{'on' if len(label) == 1 else 'a'} {listed}"


def check_connected(matrix: np.ndarray, names: Sequence[str] | None = None) -> None:
    """One-line error naming the criteria that the judgements given (not NaN) leave unconnected."""
    linked = _connected_to_first(~np.isnan(matrix))
    if not linked.all():
        apart = np.flatnonzero(~linked)
        raise PartnerfitError(
            f"pairwise judgements leave {_criteria(apart, names)} unconnected to "
            f"{_criteria(np.flatnonzero(linked), names)}: no judgement links them, directly or "
            f"through other criteria; fill one such as "
            + (f"{names[0]} vs {names[apart[0]]}" if names is not None else f"row 1 col {apart[0] + 1}")
        )


def ahp_weights(matrix, names: Sequence[str] | None = None) -> AHPResult:
    """AHP weights and consistency of a pairwise-comparison matrix (see the module docstring).

    `matrix`: a float array (NaN for a blank) or spreadsheet cells (numbers, text such as "1/3",
    None or "" for a blank). Blank pairs are completed (`complete_pairwise`) when the given
    judgements connect every criterion; `names` (one per row) name them in that error.
    """
    a = check_pairwise(read_pairwise(matrix))
    n = len(a)
    completed = np.isnan(a)
    if completed.any():
        check_connected(a, names)
        far = float(np.abs(np.log(a[~completed])).max())
        if far * (n - 1) > np.log(CHAIN_LIMIT):
            raise PartnerfitError(
                f"pairwise judgements as far from 1 as {_fraction(np.exp(far))} cannot complete "
                f"blanks: a chain of {n - 1} of them passes {CHAIN_LIMIT:.0e}; use judgements from 1/9 to 9"
            )
        a = complete_pairwise(a)
    weights, lambda_max = principal_eigenvector(a)
    ci = max(lambda_max - n, 0.0) / (n - 1) if n > 1 else 0.0  # lambda_max >= n: below is rounding
    cr = ci / RANDOM_INDEX[n - 1] if n > 2 else 0.0
    blanks = int(completed.sum()) // 2
    note = f"; {blanks} blank judgement{'s' if blanks > 1 else ''} completed" if blanks else ""
    if cr <= CR_THRESHOLD:
        return AHPResult(
            weights, lambda_max, ci, cr, True, None,
            f"consistent: CR {cr:.3f} is at most {CR_THRESHOLD:.2f}{note}", a, completed,
        )
    error = np.abs(np.log(a * weights[None, :] / weights[:, None]))
    error[np.tril_indices(n)] = -1.0
    error[completed] = -1.0  # revisit a judgement given, never a completed one
    i, j = (int(x) for x in np.unravel_index(np.argmax(error), error.shape))
    return AHPResult(
        weights, lambda_max, ci, cr, False, (i, j),
        f"inconsistent: CR {cr:.3f} is above {CR_THRESHOLD:.2f}; revisit row {i + 1} col {j + 1} "
        f"(entered {_fraction(float(a[i, j]))}, the weights imply {weights[i] / weights[j]:.2g}){note}",
        a, completed,
    )


def scale_steps(judgements: np.ndarray) -> np.ndarray:
    """Position of judgements on Saaty's scale 1/9 .. 1/2, 1, 2 .. 9 as steps -8 .. -1, 0, 1 .. 8:
    a - 1 for a >= 1, 1 - 1/a below (3 -> 2, 1/3 -> -2; in between linearly, 2.5 -> 1.5)."""
    with np.errstate(divide="ignore"):
        return np.where(judgements >= 1, judgements - 1, 1 - 1 / judgements)


@dataclass(frozen=True)
class AggregatedJudgements:
    """Several stakeholders' pairwise matrices combined cell by cell (`aggregate_judgements`)."""

    matrix: np.ndarray
    """Geometric mean of the judgements given per cell; NaN where nobody judged the pair, 1 on
    the diagonal. `ahp_weights(result.matrix)` weighs it (completing those blanks)."""
    count: np.ndarray
    """How many stakeholders judged each cell."""
    spread: np.ndarray
    """Highest minus lowest `scale_steps` among the judgements of each cell (0 with fewer than 2)."""
    apart: np.ndarray
    """spread > STEPS_APART: the pairs (both cells) the stakeholders should discuss."""
    stakeholder_cr: tuple[float | None, ...]
    """Each stakeholder's CR (of the completed matrix when blanks); None when that stakeholder's
    judgements do not connect every criterion."""


def aggregate_judgements(matrices: Sequence[object]) -> AggregatedJudgements:
    """Combine stakeholders' pairwise matrices of one shape by the element-wise geometric mean of
    the judgements each gave (Aczel and Saaty 1983; Forman and Peniwati 1998: the aggregation
    of individual judgements). A blank leaves that stakeholder out of that cell; a judgement
    given on one side of the diagonal counts for both. The geometric mean keeps the matrix
    reciprocal, and combines consistent matrices of weights w_s into a consistent matrix of
    weights proportional to the geometric mean of the w_s.

    `matrices`: one matrix per stakeholder, each as `ahp_weights` accepts it.
    """
    if not isinstance(matrices, (list, tuple)) or not matrices:
        raise PartnerfitError("give the stakeholders' pairwise matrices as a list of one or more matrices")
    stack = []
    for s, cells in enumerate(matrices):
        try:
            stack.append(check_pairwise(read_pairwise(cells)))
        except PartnerfitError as error:
            raise PartnerfitError(f"stakeholder {s + 1}: {error}") from None
        if stack[-1].shape != stack[0].shape:
            raise PartnerfitError(
                f"stakeholder {s + 1}'s pairwise matrix is {len(stack[-1])} x {len(stack[-1])}, "
                f"stakeholder 1's {len(stack[0])} x {len(stack[0])}; compare the same criteria in the same order"
            )
    stack = np.array(stack)
    judged = ~np.isnan(stack)
    count = judged.sum(axis=0)
    with np.errstate(invalid="ignore"):  # 0 / 0 where nobody judged: NaN, a blank
        matrix = np.exp(np.where(judged, np.log(stack), 0.0).sum(axis=0) / count)
    steps = scale_steps(stack)
    spread = np.where(judged, steps, -np.inf).max(axis=0) - np.where(judged, steps, np.inf).min(axis=0)
    spread = np.where(count >= 2, spread, 0.0)
    crs = tuple(
        ahp_weights(a).cr if _connected_to_first(~np.isnan(a)).all() else None for a in stack
    )
    return AggregatedJudgements(matrix, count, spread, spread > STEPS_APART, crs)
