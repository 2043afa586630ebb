"""Reading spreadsheet-shaped values: what Excel, openpyxl or a DataFrame hand over.

Excel gives floats (never ints), `None` for blanks, text with stray spaces, `datetime` for
dates and `bool` for TRUE/FALSE. These helpers turn such cells into float arrays for the
engine and say precisely which cell could not be read. No Excel or file code here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from numbers import Real
from itertools import chain

import numpy as np

from .errors import PartnerfitError, show

NOT_SCORED = frozenset({"", "n/a", "na", "n.a.", "not applicable", "not scored", "-"})
"""Texts that mean "not scored" (compared trimmed and lower-cased). A blank cell means the same."""

_NUMBER_TYPES = frozenset({float, int, type(None)})
_PLAIN_NUMBER_TYPES = frozenset({float, int})  # exact types: bool, a subclass of int, is not one


def is_blank(value: object) -> bool:
    """True for a cell that holds nothing: None, NaN, or only spaces."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def is_not_scored(value: object) -> bool:
    """True for a blank cell or one marked N/A."""
    return is_blank(value) or (isinstance(value, str) and value.strip().lower() in NOT_SCORED)


def score_value(value: object) -> float | None:
    """One score cell as a float; NaN when not scored; None when it cannot be read as a number.

    Numbers typed as text (" 4 ") are accepted; booleans and dates are not scores.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, (Real, Decimal)):  # Fraction, Decimal (from a database, say)
        try:
            number = float(value)
        except (ValueError, OverflowError):
            return None
        return number if math.isfinite(number) else None
    if is_not_scored(value):
        return math.nan
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def score_matrix(rows: Sequence[Sequence[object]]) -> tuple[np.ndarray, np.ndarray]:
    """A block of score cells as (float matrix with NaN for "not scored", mask of unreadable cells).

    `rows` is a list of equally long lists (or a 2-D array). Out-of-scale numbers are not
    judged here: that is the engine's business.
    """
    n = len(rows)
    m = len(rows[0]) if n else 0
    if isinstance(rows, np.ndarray) and rows.dtype.kind in "fiu":
        return rows.astype(float, copy=False).reshape(n, m), np.zeros((n, m), dtype=bool)
    flat = list(chain.from_iterable(rows))
    # Excel's usual case, floats and blanks: the type check loops in C, numpy reads None as NaN.
    if _NUMBER_TYPES.issuperset(map(type, flat)):
        matrix = np.fromiter(flat, dtype=float, count=len(flat)).reshape(n, m)
        return matrix, np.zeros((n, m), dtype=bool)
    # Mixed cells (text numbers, N/A, blanks as ""): numbers are taken in bulk; the other cells
    # are few distinct values, each read once (unhashable ones, rare, every time).
    cells = np.empty(len(flat), dtype=object)
    cells[:] = flat
    kinds = _TYPE_OF(cells)
    numeric = (kinds == float) | (kinds == int)
    matrix = np.full(len(flat), math.nan)
    matrix[numeric] = cells[numeric].astype(float)
    invalid = np.zeros(len(flat), dtype=bool)
    read: dict = {}
    for i in np.flatnonzero(~numeric).tolist():
        v = flat[i]
        try:
            value = read[v]
        except KeyError:
            value = read[v] = score_value(v)
        except TypeError:
            value = score_value(v)
        if value is None:
            invalid[i] = True
        else:
            matrix[i] = value
    return matrix.reshape(n, m), invalid.reshape(n, m)


_TYPE_OF = np.frompyfunc(type, 1, 1)


def number(value: object, what: str, blank: float | None = None) -> float:
    """A single number from a cell (weight, minimum, coverage); `blank` is used for an empty cell."""
    if is_blank(value):
        if blank is None:
            raise PartnerfitError(f"{what} is blank; enter a number")
        return blank
    if isinstance(value, bool) or not isinstance(value, (Real, Decimal, str)):  # Real: numpy numbers too
        raise PartnerfitError(f"{what} is {show(value)}, not a number; enter a number")
    try:
        result = float(value.strip()) if isinstance(value, str) else float(value)
    except ValueError:
        raise PartnerfitError(f"{what} is {show(value)}, not a number; enter a number") from None
    if not math.isfinite(result):
        raise PartnerfitError(f"{what} is {show(value)}; enter a finite number")
    return result


def numbers(values: Iterable[object], what: str, names: Sequence[str], blank: float) -> np.ndarray:
    """A row of numbers (weights, minimums); blank cells take the value `blank`."""
    values = list(values)
    if len(values) == len(names) and _PLAIN_NUMBER_TYPES.issuperset(map(type, values)):
        row = np.array(values, dtype=float)
        if np.isfinite(row).all():  # the usual case: no blank (NaN) and nothing to report
            return row
    return np.array(
        [number(v, f"{what} for {name}", blank) for v, name in zip(values, names)], dtype=float
    )
