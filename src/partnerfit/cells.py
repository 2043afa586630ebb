"""Reading spreadsheet-shaped values: what Excel, openpyxl or a DataFrame hand over.

Excel gives floats (never ints), `None` for blanks, text with stray spaces, `datetime` for
dates and `bool` for TRUE/FALSE. These helpers turn such cells into float arrays for the
engine and say precisely which cell could not be read. No Excel or file code here.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import chain, repeat
from numbers import Real

import numpy as np

from .errors import PartnerfitError, show

NOT_SCORED = frozenset({"", "n/a", "na", "n.a.", "not applicable", "not scored", "-"})
"""Texts that mean "not scored" (compared trimmed and lower-cased). A blank cell means the same."""

_NUMBER_TYPES = frozenset({float, int, type(None)})
_KEYED_TYPES = _NUMBER_TYPES | {str}
"""Cell types whose values are equal only when they read as the same score."""
_PLAIN_NUMBER_TYPES = frozenset({float, int})  # exact types: bool, a subclass of int, is not one


def is_blank(value: object) -> bool:
    """True for a cell that holds nothing: None, NaN, or only spaces."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def cell_text(value: object) -> str:
    """A cell as a name in a message or a list: text trimmed, a whole number without ".0"."""
    return show(value) if isinstance(value, float) else str(value).strip()


def cell_texts(cells: list) -> list[str]:
    """Each cell as the formulas' LEN(TRIM(x))>0 sees it: text with its spaces (only) trimmed, a
    number as `cell_text`, "" for an empty cell; without a function call per cell for text and
    empty cells (a column of vendor names, say). A tab stays: see `invisible_text`."""
    if {str, type(None)}.issuperset(map(type, cells)):
        return ["" if cell is None else cell.strip(" ") for cell in cells]
    return [cell.strip(" ") if isinstance(cell, str) else "" if is_blank(cell) else cell_text(cell)
            for cell in cells]


def invisible_text(text: str) -> bool:
    """Text that shows nothing although LEN(TRIM(x))>0 counts it: only tabs, line breaks, other
    control characters, no-break spaces and spaces (TRIM(SUBSTITUTE(CLEAN(x),UNICHAR(160),""))="")."""
    return bool(text) and not excel_trim(text.replace("\u00a0", ""))


NUMBER_CHARS = frozenset("0123456789.eE+-")
"""Characters a score typed as text may hold (the workbook reads it with VALUE)."""
JUDGEMENT_CHARS = frozenset("0123456789./")
"""Characters an AHP judgement typed as text may hold once its spaces are removed ("1 / 3")."""


def excel_trim(text: str) -> str:
    """Excel's TRIM(CLEAN(text)): control characters removed, runs of spaces folded, ends trimmed."""
    return " ".join(part for part in "".join(c for c in text if c >= " ").split(" ") if part)


def score_value(value: object) -> float | None:
    """One score cell as the workbook's formulas read it: a float; NaN when not scored (blank,
    N/A, ...); None when it is not a number (a boolean, a date, other text).

    Text is read as the workbook's VALUE(TRIM(CLEAN(...))) does: control characters dropped,
    spaces trimmed, then digits, ".", "e", "+" and "-" only, so " 4 " is 4 but "４" (full
    width), "0_3", "$4" or "96:00" are not scores (Python's float or Excel's VALUE alone would
    read some of them). Numbers of other types (Fraction, Decimal from a database) are read too.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if value is None:
        return math.nan
    if isinstance(value, (Real, Decimal)):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            return None
        return number if math.isfinite(number) else None
    if not isinstance(value, str):
        return None  # dates, error values
    text = excel_trim(value)
    if text.lower() in NOT_SCORED:
        return math.nan
    if not set(text) <= NUMBER_CHARS:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def score_matrix(rows: Sequence[Sequence[object]]) -> tuple[np.ndarray, np.ndarray]:
    """A block of score cells as (float matrix with NaN for "not scored", mask of unreadable cells).

    `rows` is a list of equally long lists (or a 2-D array). Out-of-scale numbers are not
    judged here: that is the engine's business.
    """
    n = len(rows)
    m = len(rows[0]) if n else 0
    if isinstance(rows, np.ndarray) and rows.dtype.kind in "fiu":
        return rows.astype(float, copy=False).reshape(n, m), np.zeros((n, m), dtype=bool)
    flat = rows.ravel().tolist() if isinstance(rows, np.ndarray) else list(chain.from_iterable(rows))
    kinds = set(map(type, flat))
    # Excel's usual case, floats and blanks: the type check loops in C, numpy reads None as NaN.
    if _NUMBER_TYPES.issuperset(kinds):
        matrix = np.fromiter(flat, dtype=float, count=len(flat)).reshape(n, m)
        return matrix, np.zeros((n, m), dtype=bool)
    # Mixed cells (text numbers, N/A, blanks as ""): a few distinct values, each read once and
    # then looked up in C. Other types (booleans, dates) are read cell by cell: True == 1.0
    # would share a dictionary key with a number.
    if _KEYED_TYPES.issuperset(kinds):
        scores = _Scores()
        matrix = np.fromiter(map(scores.__getitem__, flat), dtype=float, count=len(flat))  # None as NaN
        unreadable = {value for value, score in scores.items() if score is None}
        invalid = np.fromiter(map(unreadable.__contains__, flat), dtype=bool, count=len(flat)) \
            if unreadable else np.zeros(len(flat), dtype=bool)
    else:
        values = list(map(score_value, flat))
        matrix = np.fromiter(values, dtype=float, count=len(values))
        invalid = np.fromiter(map(operator.is_, values, repeat(None)), dtype=bool, count=len(values))
    return matrix.reshape(n, m), invalid.reshape(n, m)


class _Scores(dict):
    """`score_value` of each distinct cell value, read at its first lookup."""

    def __missing__(self, value):
        score = self[value] = score_value(value)
        return score


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


# ---------------------------------------------------------------- as the workbook's formulas read a cell

def is_number(value) -> bool:
    """A number as Excel's ISNUMBER sees it in a typed cell (booleans are not numbers)."""
    return (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            and math.isfinite(value))


def is_empty(value) -> bool:
    """An empty cell as the formulas' `cell=""` test sees it."""
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def is_present(name) -> bool:
    """A vendor row counts when its name is not blank (LEN(TRIM(name))>0)."""
    if is_empty(name):
        return False
    return not isinstance(name, str) or bool(name.strip(" "))



def excel_text(value) -> str:
    """A cell as Excel's text functions see it (TRIM(x), x&""): numbers in General format."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if is_number(value):
        return f"{float(value):.15g}".upper()
    return str(value)


def _spaces(text: str) -> str:
    """Excel's TRIM: spaces (only) removed at both ends and runs of them folded to one."""
    return " ".join(part for part in text.split(" ") if part)


def name_key(value) -> str:
    """A vendor, evaluator or criterion name as the formulas compare it: TRIM(x), case kept (EXACT)."""
    return _spaces(excel_text(value))


def choice_value(value) -> str:
    """A typed choice (Use AHP weights, Consensus method) as `_choice` reads it."""
    return excel_trim(excel_text(value)).lower()


def judgement_text(value) -> float | str:
    """One AHP judgement cell as the workbook first reads it (its Calc_AHP_*Text cell): a number,
    text without control characters and spaces (SUBSTITUTE(CLEAN(x)," ","")), else ""."""
    if isinstance(value, (bool, np.bool_)):
        return ""
    if is_number(value):
        return float(value)
    if not isinstance(value, str):
        return ""  # blank, a date (a fraction Excel took for a date), an error value
    return "".join(c for c in value if c > " ")


def read_judgement(value) -> float | None:
    """One AHP judgement cell as the workbook reads it: a number, text such as "3", "1/3" or
    "1 / 3", or None (blank, not a judgement). The range check (JUDGEMENT_RANGE) comes after."""
    text = judgement_text(value)
    if not isinstance(text, str):
        return text
    if not text or not set(text) <= JUDGEMENT_CHARS or text.count("/") > 1:
        return None
    try:
        if "/" in text:
            top, bottom = text.split("/")
            return float(top) / float(bottom)
        return float(text)
    except (ValueError, ZeroDivisionError):
        return None

