"""Writing the evaluation workbook with XlsxWriter: each sheet's cells, formats, validations,
protection and chart. What goes in a cell is decided elsewhere (`layout`, `formulas`, `results`):
the writer only writes it, each formula with its computed value as the cached result, so that
previewers, pandas and openpyxl (`data_only=True`) see the numbers.

Array functions are written as dynamic-array formulas (cell metadata `cm="1"`): they spill in
Excel 365 and are ordinary array formulas over the same range in older Excel.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from .. import __version__
from ..ahp import CR_THRESHOLD
from ..cells import is_empty, is_number
from ..consensus import DISAGREEMENT
from ..criteria import CRITERIA, PROFILES, SCALE
from ..domain import (
    PARTNER_PROFILES,
    CMCExperience,
    Modality,
    PartnerType,
    Process,
    Stage,
)
from ..errors import PartnerfitError
from ..partner_fit import need_options
from ..xlsx import MAX_UNPACKED_BYTES, ooxml_escape, unpacked_size
from . import diligence
from .approvals import write_sheet as write_approvals
from .formulas import _addin_formulas, _formulas
from .groups import write_part as write_groups
from .layout import (
    _C_TABLE,
    _C_USE_AHP,
    _CALC_SWITCHES,
    _E_HEAD,
    _HI,
    _IN_MEMORY_ROWS,
    _K_CLEAN,
    _K_HEAD,
    _LO,
    _N_HEAD,
    _P_INPUT,
    _P_RESULT,
    _S_ADDIN,
    _S_HEAD,
    _S_RANK,
    _START_LINES,
    _V_HEAD,
    AGREED_OK,
    AHP_SHEET,
    AHP_STEPS,
    ARRAY_NAMES,
    CALC,
    CELL_ARRAY_NAMES,
    CHART_TOP,
    CHECK_OK,
    CONF,
    CONSENSUS_SHEET,
    CRITERIA_SHEET,
    EVAL_OK,
    EVALUATIONS,
    FIXED,
    MERGE_HEADERS,
    PACK_LOCKED,
    PACK_LOCKED_NOTE,
    PACK_NAMES,
    PACK_START_PRICES,
    PRICES_SHEET,
    PROGRAM,
    SCORES,
    SHEETS,
    START,
    STATUS_CHECK,
    VENDOR_TABLE,
    VENDORS,
    Area,
    alias_refs,
    calc_fixed_cells,
    cell_ref,
    grid_names,
    layout,
    quote,
    table_names,
    vendor_tail,
)
from .levels import write_part as levels_part
from .model import Filling
from .prices import write_sheet as write_prices
from .results import _column, computed_values

# --------------------------------------------------------------------------- the writer

_NAVY, _GREY = "#1F3864", "#595959"
_STYLES = {
    "title": {"bold": True, "font_size": 16, "font_color": _NAVY},
    "subtitle": {"italic": True, "font_color": _GREY},
    "section": {"bold": True, "font_size": 12, "font_color": _NAVY, "bottom": 1, "bottom_color": _NAVY,
                "valign": "bottom"},
    "header": {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79", "text_wrap": True,
               "valign": "vcenter", "border": 1, "border_color": "#FFFFFF"},
    "label": {"bold": True},
    "input": {"bg_color": "#FFF8E1", "border": 1, "border_color": "#E0C36A", "locked": False},
    "computed": {"border": 1, "border_color": "#E7E6E6"},
    "addin": {"bg_color": "#E2EFDA", "border": 1, "border_color": "#A9D08E"},
    "wrap": {"text_wrap": True},
    "center": {"align": "center"},
    "left": {"align": "left"},
    "big": {"bold": True, "font_size": 14},
    "note": {"font_color": _GREY},
    "bold": {"bold": True},
    "score": {"num_format": "0.00"},
    "percent": {"num_format": "0%"},
    "share": {"num_format": "0.0%"},
    "whole": {"num_format": "0"},
    "good": {"font_color": "#006100", "bg_color": "#C6EFCE"},
    "bad": {"font_color": "#9C0006", "bg_color": "#FFC7CE"},
    "warn": {"font_color": "#9C5700", "bg_color": "#FFEB9C"},
    "orange": {"font_color": "#C65911"},
}


_PROGRAM_INPUTS = (
    ("Development stage", Stage.labels(), "stop", "Where the program is in its lifecycle."),
    ("What you need", None, "warning",
     'What the partner must do; join several needs with "+".'),
    ("Process maturity (optional)", Process.labels(), "stop", "How far the manufacturing process is."),
    ("In-house CMC experience (optional)", CMCExperience.labels(), "stop",
     "Chemistry, manufacturing and controls know-how in your own team."),
    ("Modality (optional)", Modality.labels(), "stop", "The kind of drug."),
)
_CONF = (
    ("UDF Modules", "partnerfit.udfs", "The Python module with the Excel functions: keep it."),
    ("Interpreter_Win", None, "Blank: the Python set in the xlwings ribbon. Otherwise the full path "
                              "of pythonw.exe in the environment where partnerfit is installed."),
    ("PYTHONPATH", None, "Blank unless partnerfit is not installed but its source folder is."),
    ("Conda Path", None, "Anaconda or Miniconda on Windows: the installation folder."),
    ("Conda Env", None, "Anaconda or Miniconda on Windows: the environment with partnerfit."),
    ("Debug UDFs", None, "Blank: the ribbon's setting."),
    ("Show Console", None, "Blank: the ribbon's setting."),
)
"""The xlwings.conf sheet: key in column A, value in B from A1 (a blank value falls back to the
ribbon's setting); notes in C, which xlwings does not read."""


def _cached(value):
    """A computed value as XlsxWriter stores it as a formula's cached result."""
    if type(value) is float or (type(value) is str and value.isprintable() and "_x" not in value):
        return value  # most values: nothing to convert or escape
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):  # XlsxWriter escapes XML's characters in a formula's result, not control characters
        return ooxml_escape(value)
    return "" if value is None else value


@lru_cache(maxsize=1)
def _prepared_sheet():
    """An XlsxWriter worksheet that writes our native formulas as they are, many at a time.

    For every formula XlsxWriter searches for Excel 365's dynamic-array functions (to write it as
    a dynamic array) and runs about thirty regular expressions to prefix future functions with
    `_xlfn.`: some 20 us a cell, a third of the time a new workbook took. The native formulas use
    none of them (RANK.EQ is written prefixed; the add-in cells are written as dynamic arrays on
    purpose). tests/test_template.py checks that XlsxWriter's own handling would leave every
    formula as is.

    It also writes the sheet's rows as XlsxWriter does, byte for byte, in less time: each row's
    cells in order rather than every column of the sheet tried in every row, and a formula, blank,
    number or shared-string cell with a format in one write (the rest as XlsxWriter writes them).
    """
    from xlsxwriter.utility import xl_rowcol_to_cell_fast
    from xlsxwriter.worksheet import (
        CellBlankTuple,
        CellFormulaTuple,
        CellNumberTuple,
        CellStringTuple,
        Worksheet,
    )

    errors = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"}

    class PreparedSheet(Worksheet):
        def _prepare_formula(self, formula, expand_future_functions=False):
            formula = formula[1:] if formula.startswith("{") else formula
            formula = formula[1:] if formula.startswith("=") else formula
            return formula[:-1] if formula.endswith("}") else formula

        def write_formulas(self, row: int, col: int, columns: list[list[str]], formats: list, values,
                           array: bool = False) -> None:
            """Write an area from (`row`, `col`) of formulas given column by column, each column with
            its format, as ordinary formulas or as single-cell legacy array formulas when `array`;
            `values[i][j]`: the cached value of column j's i-th cell."""
            last_row, last_col = row + len(columns[0]) - 1, col + len(columns) - 1
            if array or self._check_dimensions(row, col) or self._check_dimensions(last_row, last_col):
                for j, (column, cell_format) in enumerate(zip(columns, formats)):
                    for i, formula in enumerate(column):
                        if array:
                            self._write_array_formula(row + i, col + j, row + i, col + j, formula, cell_format,
                                                      _cached(values[i][j]))
                        elif not self._check_dimensions(row + i, col + j):
                            self.table[row + i][col + j] = CellFormulaTuple(
                                self._prepare_formula(formula), cell_format, _cached(values[i][j]))
                return
            table, prepare = self.table, self._prepare_formula  # the area's corners are in the sheet: every cell is
            for j, (column, cell_format) in enumerate(zip(columns, formats)):
                for i, formula in enumerate(column):
                    formula = formula[1:] if formula[:1] == "=" and formula[-1:] != "}" else prepare(formula)
                    table[row + i][col + j] = CellFormulaTuple(formula, cell_format, _cached(values[i][j]))

        def _calculate_spans(self) -> None:
            if self.comments:
                return super()._calculate_spans()
            spans = {}
            for row, cells in self.table.items():
                if cells and self.dim_rowmin <= row <= self.dim_rowmax:
                    low, high = spans.get(row // 16, (min(cells), max(cells)))
                    spans[row // 16] = min(low, *cells), max(high, *cells)
            self.row_spans = {block: f"{low + 1}:{high + 1}" for block, (low, high) in spans.items()}

        def _write_rows(self) -> None:
            if self.comments or self.constant_memory:
                return super()._write_rows()
            self._calculate_spans()
            for row in range(self.dim_rowmin, self.dim_rowmax + 1):
                cells, span = self.table.get(row), self.row_spans.get(row // 16)
                if cells:
                    self._write_row(row, span, self.row_info.get(row))
                    for col in sorted(cells):
                        self._write_cell(row, col, cells[col])
                    self._xml_end_tag("row")
                elif row in self.row_info:
                    self._write_empty_row(row, span, self.row_info[row])

        def _write_cell(self, row: int, col: int, cell) -> None:
            kind = type(cell)
            if not cell.format or self.constant_memory or kind not in (
                    CellFormulaTuple, CellBlankTuple, CellNumberTuple, CellStringTuple):
                return super()._write_cell(row, col, cell)
            head = f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{cell.format._get_xf_index()}"'
            if kind is CellFormulaTuple:  # XML's escapes as XlsxWriter's _escape_data makes them, without a regex
                value, kind = cell.value, ""
                if isinstance(value, bool):
                    value, kind = int(value), ' t="b"'
                elif isinstance(value, str):
                    kind = "" if not value else ' t="e"' if value in errors else ' t="str"'
                    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                formula = cell.formula.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                self.fh.write(f"{head}{kind}><f>{formula}</f><v>{value}</v></c>")
            elif kind is CellBlankTuple:
                self.fh.write(f"{head}/>")
            elif kind is CellNumberTuple:
                self.fh.write(f"{head}><v>{cell.number:.16G}</v></c>")
            else:
                self.fh.write(f'{head} t="s"><v>{cell.string}</v></c>')

    return PreparedSheet


_STRING = re.compile(r'"[^"]*"')
_ROW_INDEX = re.compile(r"(INDEX\([A-Za-z_][\w.]*,|ROWS\([A-Za-z_][\w.]*\)>=)(\d+)(?=[,)])")
_CELL = re.compile(r"(?<![\w.$])(\$?[A-Z]{1,3}\$?)(\d+)(?![\w(])")
_LOGICAL = re.compile(r"(?<![\w.])(TRUE|FALSE)(?![\w(.])")


@lru_cache
def _own_sheet(sheet: str) -> tuple[str, re.Pattern]:
    """A reference's prefix naming `sheet` (Calc!, 'Weights (AHP)'!) and the pattern that finds it
    where it is not the end of a longer name."""
    prefix = f"{quote(sheet)}!"
    return prefix, re.compile(r"(?<![\w.'])" + re.escape(prefix))


def _outside_strings(formula: str, pattern: re.Pattern, replace) -> str:
    """`pattern.sub(replace, ...)` applied to the parts of a formula outside its string literals
    (in one pass over the whole formula when no literal holds a match)."""
    literals = _STRING.findall(formula)
    if not any(pattern.search(text) for text in literals):
        return pattern.sub(replace, formula)  # a match holds no quote: it lies outside every literal
    parts, at = [], 0
    for m in _STRING.finditer(formula):
        parts += [pattern.sub(replace, formula[at:m.start()]), m.group()]
        at = m.end()
    return "".join([*parts, pattern.sub(replace, formula[at:])])


def _respelled(formula: str, sheet: str, position) -> str:
    """`formula` on `sheet` with `_same_down`'s rules that need no neighbour: on Calc, `position`
    (a `re.sub` replacement) for each INDEX or ROWS position; no name of its own sheet; TRUE()."""
    prefix, own = _own_sheet(sheet)
    if sheet == CALC and ("INDEX(" in formula or "ROWS(" in formula):
        formula = _outside_strings(formula, _ROW_INDEX, position)
    if prefix in formula:
        formula = _outside_strings(formula, own, "")
    if "TRUE" in formula or "FALSE" in formula:
        formula = _outside_strings(formula, _LOGICAL, r"\1()")
    return formula


def _spelled(formula: str, k: int, top: int, sheet: str) -> str:
    """The `k`-th formula of a column spelled as LibreOffice reads it fastest (see `_same_down`)."""
    return _respelled(formula, sheet, lambda m: f"{m.group(1)}ROW()-{top}" if int(m.group(2)) == k + 1 else m.group())


def _moved_down(formula: str, other: str, step: int) -> str:
    """A spelled formula with each absolute row made relative where it is one `step` further in
    `other` (the spelled formula of the next cell down, or with `step` -1 of the cell above),
    when the two differ in nothing else than rows that keep or move by `step`."""
    if other == formula:
        return formula
    mine, theirs = _CELL.split(formula), _CELL.split(other)
    if len(mine) == 1 or len(mine) != len(theirs):  # no cell reference, or another shape
        return formula
    rows = [(int(a), int(b)) for a, b in zip(mine[2::3], theirs[2::3])]
    if mine[::3] != theirs[::3] or mine[1::3] != theirs[1::3] or any(b - a not in (0, step) for a, b in rows):
        return formula
    for at, (a, b) in zip(range(1, len(mine), 3), rows):
        if b == a + step and mine[at].endswith("$"):  # a row one further down: relative
            mine[at] = mine[at][:-1]
    return "".join(mine)


_DIGITS = re.compile(r"(\d+)")
_SITE = re.compile("([0\x01\x02])")
_OTHER, _INDEX, _ROW = "0\x01\x02"
_MARKS = _INDEX + _ROW


def _sites(skeleton: str, sheet: str) -> tuple[list[str], str]:
    """A formula whose every number is 0 (`skeleton`) spelled by `_spelled`'s rules that do not
    depend on numbers, cut at its numbers: the texts between them and each number's kind (_OTHER,
    _INDEX: an INDEX or ROWS position `_spelled` may replace, _ROW: a cell's row, absolute when
    the text before it ends in "$"). The rules read a digit only as a digit, so the numbers of the
    formula itself would give the same cuts."""
    cut = _SITE.split(_CELL.sub(r"\1" + _ROW, _respelled(skeleton, sheet, r"\1" + _INDEX)))
    return cut[::2], "".join(cut[1::2])


def _template(texts: list[str], numbers: list[str]) -> str:
    """`texts` and `numbers` interleaved, as a `str.format` template (the texts hold no digit)."""
    parts = texts + numbers
    parts[::2] = "0".join(texts).replace("{", "{{").replace("}", "}}").split("0")
    parts[1::2] = numbers
    return "".join(parts)


def _same_down(column: list[str], top: int, sheet: str) -> list[str]:
    """A column of formulas (the first in 0-based row `top`) spelled so that each is the one above
    it moved down a row wherever its value allows, without changing any value.

    LibreOffice compiles a formula once per run of such cells and copies it down the rest (each
    cell compiled anew took most of the time of opening a generated workbook). So: an absolute row
    that grows by one from cell to cell becomes relative ($B$7, $B$8 -> $B7, $B8); with
    on Calc (a sheet whose rows nobody inserts) an INDEX position equal to the cell's place in the
    column becomes ROW() less a constant (INDEX(Vendor_Names,3) -> ...,ROW()-k, and so does
    ROWS(Vendor_Names)>=3); a reference to a cell of the formula's own `sheet` loses the sheet's
    name (Calc!$A7 -> $A7: LibreOffice spends about 50,000 instructions writing each reference
    that names a sheet, against a few thousand for one that does not); TRUE and FALSE are written
    as the functions TRUE() and FALSE(), as LibreOffice spells them.

    Cell by cell (`_spelled`, `_moved_down`) this took a third of `partnerfit new`. A column is
    mostly runs of one formula whose numbers grow by a constant from cell to cell: a run's first
    two cells give those steps and the cuts of the formula at its numbers (`_sites`), which spell
    the run at once (`_run`), as long as each cell is the one so predicted. A cell that begins no
    run, ends one, or whose value makes a rule apply to it alone is spelled cell by cell, and so is
    the cell whose neighbour it is.
    """
    size, out, odd, start = len(column), list(column), set(), 0
    while start < size:
        end = _run(column, start, top, sheet, out, odd)
        if end < size:  # the run's last cell: its neighbour below is in the next run
            odd.add(end - 1)
        start = end
    redo = sorted({k for j in odd for k in (j - 1, j, size - 1 if j == size - 2 else j) if k >= 0})
    for k, formula in zip(redo, _cell_by_cell(column, top, sheet, redo)):
        out[k] = formula
    return out


def _run(column: list[str], start: int, top: int, sheet: str, out: list[str], odd: set[int]) -> int:
    """Spell into `out` the run of cells from `start` whose numbers grow as from the first cell to
    the second; the end of the run. A cell that begins no run, or one whose value makes an INDEX
    position equal its place (the cells above and below not), goes into `odd`."""
    if start + 1 >= len(column) or any(c in column[start] for c in _MARKS):  # control characters
        odd.add(start)
        return start + 1
    first, second = _DIGITS.split(column[start]), _DIGITS.split(column[start + 1])
    texts = first[::2]
    if texts != second[::2]:
        odd.add(start)
        return start + 1
    starts = list(map(int, first[1::2]))
    steps = [int(b) - a for a, b in zip(starts, second[1::2])]
    pieces, kinds = _sites("0".join(texts), sheet)
    if len(kinds) != len(starts):
        odd.add(start)
        return start + 1
    every_row = [(a, d) == (start + 1, 1) for a, d in zip(starts, steps)]  # an INDEX position replaced in every cell
    moves = all(d == 0 or (kind == _INDEX and always) or (kind == _ROW and d == 1)
                for kind, d, always in zip(kinds, steps, every_row))
    fields: dict[tuple[int, int], int] = {}  # (start, step) of a growing number -> its field in the templates
    numbers = [text if d == 0 else f"{{{fields.setdefault((a, d), len(fields))}}}"
               for a, d, text in zip(starts, steps, first[1::2])]
    raw = _template(texts, numbers)
    if moves:  # the column's "$" before each row that grows by one
        pieces = [text[:-1] if kind == _ROW and d == 1 and text[-1:] == "$" else text
                  for text, kind, d in zip(pieces, kinds, steps)] + pieces[-1:]
    spelled = _template(pieces, [f"ROW()-{top}" if kind == _INDEX and always else n
                                 for kind, always, n in zip(kinds, every_row, numbers)])
    left = len(column) - start
    numbers = zip(*(range(a, a + d * left, d) for a, d in fields)) if fields else [()] * left
    end = start
    for n, formula in zip(numbers, column[start:]):
        if raw.format(*n) != formula:  # a number written otherwise (07), or another formula: the run ends
            break
        out[end] = spelled.format(*n)
        end += 1
    if end == start:
        odd.add(start)
        return start + 1
    for kind, a, d, always in zip(kinds, starts, steps, every_row):
        if kind == _INDEX and not always and d != 1 and (start + 1 - a) % (d - 1) == 0:
            k = start + (start + 1 - a) // (d - 1)  # a + (k - start) d = k + 1
            if start <= k < end:
                odd.add(k)
    return end


def _cell_by_cell(column: list[str], top: int, sheet: str, rows) -> list[str]:
    """`_same_down` of the given rows of a column, each cell spelled on its own."""
    size, spelled = len(column), {}

    def at(k):
        if k not in spelled:
            spelled[k] = _spelled(column[k], k, top, sheet)
        return spelled[k]

    return [at(k) if size < 2 else _moved_down(at(k), at(k + 1), 1) if k + 1 < size else _moved_down(at(k), at(k - 1), -1)
            for k in rows]


class _Writer:
    """Writes one workbook; one method per sheet."""

    def __init__(self, path: Path, filling: Filling):
        import xlsxwriter

        self.f = filling
        self.m, self.n = len(filling.criteria), filling.capacity
        self.priced = filling.pack is None  # a pack carries no price: no quote column, no Prices sheet
        self.names = layout(self.m, self.n, filling.evaluators, self.priced)
        self.values = computed_values(filling)
        self.formulas = _formulas(self.names)
        self.wb = xlsxwriter.Workbook(
            str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
                        "in_memory": filling.capacity * (1 + filling.evaluators) <= _IN_MEMORY_ROWS},
        )
        self.formats = {}
        self.ws = {name: self.wb.add_worksheet(name, worksheet_class=_prepared_sheet()) for name in SHEETS
                   if self.priced or name != PRICES_SHEET}

    def style(self, *keys: str, **extra):
        props = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
        for key in keys:
            props.update(_STYLES[key])
        props.update(extra)
        key = tuple(sorted(props.items()))
        if key not in self.formats:
            self.formats[key] = self.wb.add_format(props)
        return self.formats[key]

    def put(self, sheet: str, row: int, col: int, value, fmt):
        """Write one value as typed: text stays text, whatever it starts with."""
        ws = self.ws[sheet]
        if is_empty(value):
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif is_number(value):
            ws.write_number(row, col, value, fmt)
        else:
            ws.write_string(row, col, str(value), fmt)

    def fill(self, name: str, rows, fmt):
        """Write the cells of an input or fixed name."""
        area = self.names[name]
        for (r, c), value in zip(area.cells(), (v for row in rows for v in row)):
            self.put(area.sheet, r, c, value, fmt)

    def formula(self, name: str, fmt):
        """Write a native formula name, each cell with its cached value; `fmt` or one per column.

        CELL_ARRAY_NAMES: every cell a single-cell array formula; ARRAY_NAMES: one array formula
        over the area, the other cells holding its results."""
        area, values, make = self.names[name], self.values[name], self.formulas[name]
        ws = self.ws[area.sheet]
        if name in ARRAY_NAMES:
            last_row, last_col = area.row + area.rows - 1, area.col + area.cols - 1
            ws.write_array_formula(area.row, area.col, last_row, last_col, make(0, 0), fmt, _cached(values[0][0]))
            for (r, c) in area.cells():
                if (r, c) != (area.row, area.col):
                    self.put(area.sheet, r, c, _cached(values[r - area.row][c - area.col]), fmt)
            return
        formats = fmt if isinstance(fmt, list) else [fmt] * area.cols
        columns = [_same_down([make(i, j) for i in range(area.rows)], area.row, area.sheet)
                   for j in range(area.cols)]
        ws.write_formulas(area.row, area.col, columns, formats, values, array=name in CELL_ARRAY_NAMES)

    def addin(self, name: str, fmt, header=None):
        """Write an add-in name as one dynamic-array formula over its area, with cached values.

        `fmt`: one format or one per column; `header`: the format of the first row, if any.
        """
        area, values = self.names[name], self.values[name]
        ws = self.ws[area.sheet]
        formats = fmt if isinstance(fmt, list) else [fmt] * area.cols

        def cell_format(i, j):
            return header if header and i == 0 else formats[j]

        ws.write_dynamic_array_formula(
            area.row, area.col, area.row + area.rows - 1, area.col + area.cols - 1,
            _addin_formulas()[name], cell_format(0, 0), _cached(values[0][0]),
        )
        for (r, c) in area.cells():
            i, j = r - area.row, c - area.col
            if (i, j) != (0, 0):
                self.put(area.sheet, r, c, _cached(values[i][j]), cell_format(i, j))

    def write(self):
        self.start()
        self.program()
        self.criteria()
        self.vendors()
        self.evaluations()
        self.consensus()
        self.ahp()
        self.scores()
        if self.priced:
            write_prices(self)
        write_approvals(self)
        self.calc()
        self.conf()
        structured = table_names(self.f.criteria)
        for name, area in self.names.items():
            self.wb.define_name(name, "=" + structured.get(name, area.ref))
        for name, ref in alias_refs(self.names).items():
            self.wb.define_name(name, "=" + ref)
        if self.f.pack is not None:
            for row, name in enumerate((*PACK_NAMES, PACK_LOCKED)):
                self.wb.define_name(name, "=" + Area(VENDORS, row, self.m + 2).ref)
        self.wb.set_properties({
            "title": "Partner evaluation", "subject": "Outsourcing partner choice and vendor scores",
            "author": "partnerfit", "comments": f"Generated by partnerfit {__version__}",
        })
        self.wb.close()

    def finish(self, sheet: str, header_rows: tuple[int, int] | None = None, protect: bool = True):
        """Page set-up and protection; `header_rows` repeat on every printed page (only the Vendors
        and Scores sheets have them: LibreOffice lays out the pages of every sheet again for each
        sheet that has them, 0.2 s an open in a team workbook)."""
        ws = self.ws[sheet]
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        ws.set_footer("&L&A&R&P / &N")
        if header_rows:
            ws.repeat_rows(*header_rows)
        if protect:
            ws.protect("", {"format_columns": True, "format_rows": True, "autofilter": True})

    def start(self):
        ws = self.ws[START]
        ws.set_column(0, 0, 110)
        ws.set_column(1, 1, 16)
        ws.hide_gridlines(2)
        ws.set_tab_color("#1F4E79")
        words = {"version": __version__, "profile": self.f.partner_type, "lo": _LO, "hi": _HI}
        for row, (style, text) in enumerate(_START_LINES):
            text = text.format(**words)
            if not self.priced and text.startswith("Prices"):
                text = PACK_START_PRICES
            fmt = self.style("wrap", style) if style in ("input", "computed", "addin") else self.style(style)
            ws.write_string(row, 0, text, fmt)
            if style == "wrap":
                ws.set_row(row, 15 * math.ceil(len(text) / 118))
            elif style == "title":
                ws.set_row(row, 24)
            elif style == "section":
                ws.set_row(row, 24, None)
        self.addin("Addin_Version", self.style("addin", "center", "bold"))
        self.finish(START)

    def program(self):
        ws = self.ws[PROGRAM]
        ws.set_column(0, 0, 34)
        ws.set_column(1, 1, 70)
        ws.set_column(2, 2, 3)
        ws.set_column(3, 5, 9)
        ws.hide_gridlines(2)
        ws.set_tab_color("#BF9000")
        ws.write_string(0, 0, "Program: which partner type fits?", self.style("title"))
        ws.set_row(0, 24)
        ws.write_string(1, 0, "Pick from the lists in the yellow cells. The reason needs the live functions "
                              "(see Start); the rest are ordinary formulas.", self.style("subtitle"))
        ws.write_string(_P_INPUT - 1, 3, "Fit score (0-100)", self.style("label"))
        inputs = [self.f.stage, self.f.need, self.f.process, self.f.cmc_experience, self.f.modality]
        for k, ((label, choices, error, message), value) in enumerate(zip(_PROGRAM_INPUTS, inputs)):
            row = _P_INPUT + k
            ws.write_string(row, 0, label, self.style("label"))
            self.put(PROGRAM, row, 1, value, self.style("input"))
            choices = choices or need_options()
            ws.data_validation(row, 1, row, 1, {
                "validate": "list", "source": choices, "error_type": error,
                "input_title": label.split(" (")[0][:32], "input_message": message[:255],
                "error_title": "Not in the list", "error_message": ("Choose one of: " + ", ".join(choices))[:255],
            })
        result = _P_RESULT
        ws.write_string(result, 0, "Recommended partner type", self.style("label"))
        self.formula("Recommendation", self.style("computed", "big"))
        ws.set_row(result, 22)
        ws.write_string(result + 1, 0, "Why", self.style("label"))
        self.addin("Recommendation_Reason", self.style("addin", "wrap"))
        ws.set_row(result + 1, 48)
        ws.write_string(result + 2, 0, "Add-in check (PARTNER_FIT)", self.style("note"))
        self.addin("Addin_Recommendation", self.style("addin"))
        fit = self.names["Fit_Scores"]
        self.formula("Fit_Scores", [self.style("computed", "center", "whole")] * fit.cols)
        top = result + 3
        ws.write_string(top, 0, "The three partner types", self.style("section"))
        ws.write_blank(top, 1, None, self.style("section"))
        for k, profile in enumerate(PARTNER_PROFILES.values()):
            row = top + 1 + k
            stages = ", ".join(s.label for s in profile.stages)
            ws.write_string(row, 0, f"{profile.type.value}: {profile.name}", self.style("wrap", "bold"))
            text = f"{profile.focus} From {stages}. Delivers: {profile.deliverables}"
            ws.write_string(row, 1, text, self.style("wrap"))
            ws.set_row(row, 15 * max(2, math.ceil(len(text) / 74)))
        diligence.write_program(self, self.f.supply_criticality, self.f.evaluation_date)
        self.finish(PROGRAM)

    def criteria(self):
        ws, f, m = self.ws[CRITERIA_SHEET], self.f, self.m
        profile = PROFILES[PartnerType.parse(f.partner_type, "partner type")]
        widths = (30, 46, 46, 9, 11, 9, 9, 24, 40)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        ws.set_tab_color("#BF9000")
        ws.write_string(0, 0, "Criteria, weights and must-haves", self.style("title"))
        ws.set_row(0, 24)
        for row, label in enumerate(("Default weights", "Weights check", "Minimum coverage"), start=1):
            ws.write_string(row, 0, label, self.style("label"))
        self.fill("Weight_Profile", [[f.partner_type]], self.style("bold", "left"))
        ws.write_string(1, 2, profile.rationale, self.style("note"))
        self.formula("Criteria_Check", self.style("computed", "bold"))
        self.fill("Min_Coverage", [[f.min_coverage]], self.style("input", "percent", "left"))
        ws.write_string(3, 2, "A vendor is Incomplete when its scored criteria carry less than this "
                              "share of the total weight.", self.style("note"))
        ws.data_validation(3, 1, 3, 1, {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
            "input_title": "Minimum coverage", "input_message": "A share from 0% to 100%, e.g. 50%.",
            "error_title": "Not a share", "error_message": "Enter a share from 0% to 100%.",
        })
        ws.write_string(_C_USE_AHP, 0, "Use AHP weights", self.style("label"))
        self.fill("Use_AHP", [[f.use_ahp]], self.style("input", "left"))
        ws.write_string(_C_USE_AHP, 2, "Yes: the weights come from the pairwise comparisons on the Weights (AHP) "
                                      "sheet and the Weight column is ignored. No: the Weight column.",
                        self.style("note"))
        ws.data_validation(_C_USE_AHP, 1, _C_USE_AHP, 1, {
            "validate": "list", "source": ["No", "Yes"], "error_type": "stop",
            "input_title": "Use AHP weights", "input_message": "Yes: weights from the Weights (AHP) sheet.",
            "error_title": "Yes or No", "error_message": "Choose Yes or No.",
        })
        headers = ("Criterion", "What it measures", f"Scoring guide ({_LO}-{_HI})", "Weight",
                   "Must-have minimum", "Weight used", "Share of weight", "Check", "Why this default weight")
        for col, header in enumerate(headers):
            ws.write_string(_C_TABLE, col, header, self.style("header"))
        ws.set_row(_C_TABLE, 32)
        wrap = self.style("computed", "wrap")
        catalogue = {c.name: c for c in CRITERIA.values()}
        for row, name in enumerate(f.criteria, start=_C_TABLE + 1):
            criterion = catalogue.get(name)
            if criterion is None:  # not from the catalogue: no texts to show
                continue
            guide = "\n".join(f"{score} = {text}" for score, text in sorted(criterion.guide.items()))
            ws.write_string(row, 1, criterion.description, wrap)
            ws.write_string(row, 2, guide, wrap)
            rationale = profile.weights.get(criterion.key, (None, ""))[1]
            (ws.write_string if rationale else ws.write_blank)(row, 8, rationale or None, wrap)
            ws.set_row(row, 15 * max(3, math.ceil(len(criterion.description) / 44)))
        self.fill("Criteria_Names", _column(f.criteria), self.style("computed", "wrap", "bold"))
        self.fill("Weights", _column(f.weights), self.style("input", "center"))
        self.fill("Minimums", _column(f.minimums), self.style("input", "center"))
        self.formula("Effective_Weights", self.style("computed", "center", num_format="0.###"))
        self.formula("Weight_Shares", self.style("computed", "share", "center"))
        self.formula("Criteria_Checks", self.style("computed", "wrap", font_color="#9C0006"))
        first, last = _C_TABLE + 1, _C_TABLE + m
        ws.data_validation(first, 3, last, 3, {
            "validate": "decimal", "criteria": ">=", "value": 0,
            "input_title": "Weight", "input_message": "0 or more; any total (only the proportions count).",
            "error_title": "Not a weight", "error_message": "Enter a number, 0 or more.",
        })
        ws.data_validation(first, 4, last, 4, {
            "validate": "decimal", "criteria": "between", "minimum": SCALE[0], "maximum": SCALE[1],
            "input_title": "Must-have minimum",
            "input_message": f"Blank, or the least acceptable score ({_LO}-{_HI}): a vendor below it is knocked out.",
            "error_title": "Not a score", "error_message": f"Enter a score from {_LO} to {_HI} or leave it blank.",
        })
        total = last + 1
        ws.write_string(total, 0, "Total", self.style("label"))
        self.formula("Weights_Total", self.style("computed", "bold", "center"))
        check = self.names["Criteria_Check"]
        cell = cell_ref(check.row, check.col)
        ws.conditional_format(cell, {"type": "cell", "criteria": "==", "value": f'"{CHECK_OK}"',
                                     "format": self.style("good")})
        ws.conditional_format(cell, {"type": "cell", "criteria": "!=", "value": f'"{CHECK_OK}"',
                                     "format": self.style("bad")})
        write_groups(self)
        ws.freeze_panes(_C_TABLE + 1, 1)
        self.finish(CRITERIA_SHEET)

    def vendors(self):
        ws, f, m, n = self.ws[VENDORS], self.f, self.m, self.n
        ws.set_tab_color("#BF9000")
        ws.write_string(0, 0, "Vendors", self.style("title"))
        ws.set_row(0, 24)
        ws.write_string(1, 0, f"One row per vendor. Score each criterion from {_LO} (poor) to {_HI} "
                              "(excellent) with the guide on the Criteria sheet; blank or N/A = not "
                              "scored (left out, not a zero). Empty rows are ignored.",
                        self.style("subtitle"))
        headers = ("Vendor", *f.criteria, *vendor_tail(self.priced))
        ws.add_table(_V_HEAD, 0, _V_HEAD + n, len(headers) - 1, {
            "name": VENDOR_TABLE, "style": "Table Style Light 1", "autofilter": True,
            "columns": [{"header": str(h), "header_format": self.style("header")} for h in headers],
        })
        ws.set_row(_V_HEAD, 80)
        ws.set_column(0, 0, 28)
        ws.set_column(1, m, 13)
        for col, width in zip(range(m + 1, m + 5), (12, 18, 48, 48)):
            ws.set_column(col, col, width)
        rows = f.rows()
        fixed = f.pack is not None  # a pack: the evaluator scores the vendors given, named as given
        self.fill("Vendor_Names", _column(v.name for v in rows), self.style("computed" if fixed else "input", "bold"))
        self.fill("Vendor_Scores", [v.scores for v in rows], self.style("input", "center"))
        self.fill("Vendor_Types", _column(v.partner_type for v in rows), self.style("computed" if fixed else "input"))
        self.fill("Vendor_Sites", _column(v.site for v in rows), self.style("computed" if fixed else "input"))
        if fixed:
            self.pack_header()
        self.fill("Vendor_Evidence", _column(v.evidence for v in rows), self.style("input"))
        self.fill("Vendor_Comments", _column(v.comments for v in rows), self.style("input"))
        diligence.write_columns(self, f.due_diligence)
        self.formula("Vendor_Warning", self.style("bold", font_color="#9C0006"))  # red text, no fill when empty
        first, last = _V_HEAD + 1, _V_HEAD + n
        choices = [f"{s:g}" for s in range(int(SCALE[0]), int(SCALE[1]) + 1)] + ["N/A"]
        ws.data_validation(first, 1, last, m, {
            "validate": "list", "source": choices, "error_type": "warning",
            "input_title": "Score",
            "input_message": f"{_LO} (poor) to {_HI} (excellent); blank or N/A = not scored.",
            "error_title": "Not a score",
            "error_message": f"A score is a number from {_LO} to {_HI}, or N/A. Keep it anyway?",
        })
        ws.data_validation(first, m + 1, last, m + 1, {
            "validate": "list", "source": PartnerType.labels(), "error_type": "warning",
            "error_title": "Unknown partner type", "error_message": "Expected CRO, CMO or CDMO. Keep it anyway?",
        })
        ws.freeze_panes(_V_HEAD + 1, 1)
        self.finish(VENDORS, (_V_HEAD, _V_HEAD))

    def pack_header(self):
        """A pack's evaluator, evaluation id and the criterion procurement scores from the quotes,
        right of the title; that criterion's score cells locked and greyed, with a note above."""
        ws, f, m = self.ws[VENDORS], self.f, self.m
        evaluator, pack_id, locked = (*f.pack, None)[:3]
        for row, (label, value) in enumerate(zip(("Evaluator", "Evaluation", "Scored by procurement"),
                                                 (evaluator, pack_id, locked))):
            ws.write_string(row, m + 1, label, self.style("label"))
            self.put(VENDORS, row, m + 2, None if locked is None and row == 2 else str(value),
                     self.style("computed", "bold"))
        if locked is None:
            return
        j = f.criteria.index(locked)
        grey = self.style("computed", "center", bg_color="#D9D9D9")
        scores = self.names["Vendor_Scores"]
        for row in range(scores.row, scores.row + scores.rows):
            ws.write_blank(row, scores.col + j, None, grey)
        ws.write_string(_V_HEAD - 1, scores.col + j, PACK_LOCKED_NOTE[0].upper() + PACK_LOCKED_NOTE[1:],
                        self.style("note", "wrap"))

    def evaluations(self):
        ws, f, m = self.ws[EVALUATIONS], self.f, self.m
        ws.set_tab_color("#BF9000")
        ws.set_column(0, 0, 28)
        ws.set_column(1, m, 9)
        ws.set_column(m + 1, m + 1, 40)
        ws.set_column(m + 2, m + 2, 44)
        ws.write_string(0, 0, "Evaluations: several evaluators", self.style("title"))
        ws.set_row(0, 24)
        ws.write_string(1, 0, "Optional. One grid per evaluator (partnerfit merge fills them from the evaluators' "
                              "packs). As soon as a grid holds a score, the Scores sheet uses the consensus of the "
                              "grids (Consensus sheet) for every vendor, and the scores on the Vendors sheet are "
                              "ignored. Blank or N/A = not scored.", self.style("subtitle"))
        for row, label in ((2, "Consensus method"), (3, "Evaluations check"), (4, "Score cells entered")):
            ws.write_string(row, 0, label, self.style("label"))
        self.fill("Consensus_Method", [[f.consensus_method]], self.style("input", "left"))
        ws.write_string(2, 2, "mean (default) or median: the median is not swayed by one outlying evaluator.",
                        self.style("note"))
        ws.data_validation(2, 1, 2, 1, {
            "validate": "list", "source": ["mean", "median"], "error_type": "stop",
            "input_title": "Consensus method", "input_message": "mean or median of the evaluators' scores.",
            "error_title": "mean or median", "error_message": "Choose mean or median.",
        })
        self.formula("Eval_Check", self.style("computed", "bold"))
        self.formula("Eval_Rows", self.style("computed", "left"))
        check = self.names["Eval_Check"]
        for criteria, style in (("==", "good"), ("!=", "bad")):
            ws.conditional_format(check.row, check.col, check.row, check.col, {
                "type": "cell", "criteria": criteria, "value": f'"{EVAL_OK}"', "format": self.style(style)})
        merged = self.names["Merged_Packs"]
        ws.write_row(merged.row - 1, merged.col, MERGE_HEADERS, self.style("header"))
        for col, width in zip(range(merged.col, merged.col + merged.cols), (20, 30, 66, 20)):
            ws.set_column(col, col, width)
        self.fill("Merged_Packs", list(f.merged) + [(None,) * merged.cols] * (merged.rows - len(f.merged)),
                  self.style("computed"))
        choices = [f"{s:g}" for s in range(int(SCALE[0]), int(SCALE[1]) + 1)] + ["N/A"]
        header = self.style("header")
        for g, grid in enumerate(f.grid_cells(), start=1):
            evaluator, vendors, scores, evidence, checks = grid_names(g)
            top = self.names[evaluator].row
            ws.write_string(top, 0, "Evaluator", self.style("label"))
            self.fill(evaluator, [[grid.evaluator]], self.style("input", "left"))
            ws.write_row(top + 1, 0, ["Vendor", *(str(c) for c in f.criteria), "Evidence", "Check"], header)
            ws.set_row(top + 1, 32)
            self.fill(vendors, _column(grid.vendors), self.style("input", "bold"))
            self.fill(scores, grid.scores, self.style("input", "center"))
            self.fill(evidence, _column(grid.evidence), self.style("input", "wrap"))
            self.formula(checks, self.style("computed", "wrap", font_color="#9C0006"))
            area = self.names[scores]
            ws.data_validation(area.row, area.col, area.row + area.rows - 1, area.col + m - 1, {
                "validate": "list", "source": choices, "error_type": "warning",
                "input_title": "Score", "input_message": f"{_LO} (poor) to {_HI} (excellent); blank or N/A = not scored.",
                "error_title": "Not a score",
                "error_message": f"A score is a number from {_LO} to {_HI}, or N/A. Keep it anyway?",
            })
        ws.freeze_panes(_E_HEAD - 1, 1)
        self.finish(EVALUATIONS)
        if f.pack is not None:  # one evaluator scores on the Vendors sheet; merge reads nothing else
            ws.hide()

    def consensus(self):
        ws, f, m = self.ws[CONSENSUS_SHEET], self.f, self.m
        ws.set_tab_color("#548235")
        ws.set_column(0, 0, 28)
        ws.set_column(1, 5 * m + 4, 9)
        for col in (m + 1, 2 * m + 2, 3 * m + 3, 4 * m + 4):
            ws.set_column(col, col, 2)
        ws.write_string(0, 0, "Consensus and disagreement", self.style("title"))
        ws.set_row(0, 24)
        ws.write_string(1, 0, "Per vendor and criterion: the consensus of the evaluators (Evaluations sheet; mean "
                              "or median), the spread (highest minus lowest score) and how many scored it. Spreads "
                              f"of {DISAGREEMENT:g} points or more are flagged: discuss them before relying on the "
                              "consensus.", self.style("subtitle"))
        ws.write_string(2, 0, f"Cells with a spread of {DISAGREEMENT:g} or more", self.style("label"))
        self.formula("Consensus_Disagreements", self.style("computed", "bold", "left"))
        header = self.style("header")
        agreed, reasons = self.names["Agreed_Scores"], self.names["Agreed_Reasons"]
        for col, title in ((1, "Consensus score"), (m + 2, "Spread (highest - lowest)"), (2 * m + 3, "Evaluators"),
                           (agreed.col, "Agreed score (consensus meeting; replaces the consensus)"),
                           (reasons.col, "Reason for the agreed score")):
            ws.write_string(_N_HEAD - 1, col, title, self.style("section"))
        ws.write_string(_N_HEAD, 0, "Vendor", header)
        for start in (1, m + 2, 2 * m + 3, agreed.col, reasons.col):
            for j, name in enumerate(f.criteria):
                ws.write_string(_N_HEAD, start + j, str(name), header)
        ws.set_row(_N_HEAD, 80)
        self.formula("Consensus_Vendors", self.style("computed", "bold"))
        self.formula("Consensus_Scores", self.style("computed", "score", "center"))
        self.formula("Consensus_Spreads", self.style("computed", "center", num_format="0.##"))
        self.formula("Consensus_Counts", self.style("computed", "center"))
        ws.write_string(3, 0, "Agreed scores check", self.style("label"))
        self.formula("Agreed_Check", self.style("computed", "bold"))
        check = self.names["Agreed_Check"]
        for criteria, style in (("==", "good"), ("!=", "bad")):
            ws.conditional_format(check.row, check.col, check.row, check.col, {
                "type": "cell", "criteria": criteria, "value": f'"{AGREED_OK}"', "format": self.style(style)})
        agreed_cells, reason_cells = f.agreed_cells()
        self.fill("Agreed_Scores", agreed_cells, self.style("input", "center"))
        self.fill("Agreed_Reasons", reason_cells, self.style("input"))
        choices = [f"{s:g}" for s in range(int(SCALE[0]), int(SCALE[1]) + 1)] + ["N/A"]
        ws.data_validation(agreed.row, agreed.col, agreed.row + agreed.rows - 1, agreed.col + m - 1, {
            "validate": "list", "source": choices, "error_type": "warning", "input_title": "Agreed score",
            "input_message": f"{_LO} to {_HI} or N/A, agreed in the consensus meeting; give the reason on the right.",
            "error_title": "Not a score", "error_message": f"A score is a number from {_LO} to {_HI}, or N/A. Keep it anyway?",
        })
        scores, spreads = self.names["Consensus_Scores"], self.names["Consensus_Spreads"]
        last = scores.row + scores.rows - 1
        # Relative to each block's first cell: a flagged spread, and the consensus score it belongs to.
        corner = cell_ref(spreads.row, spreads.col, absolute=False)
        flagged = f"=AND(ISNUMBER({corner}),{corner}>={DISAGREEMENT:g})"
        ws.conditional_format(spreads.row, spreads.col, last, spreads.col + m - 1, {
            "type": "formula", "criteria": flagged, "format": self.style("bad", bold=True)})
        ws.conditional_format(scores.row, scores.col, last, scores.col + m - 1, {
            "type": "formula", "criteria": flagged, "format": self.style("warn")})
        area = self.names["Addin_Consensus"]
        ws.write_string(area.row - 1, 0, "Cross-check with the add-in: CONSENSUS(Eval_Grids, Consensus_Method), "
                                         "vendors and criteria in order of first appearance", self.style("label"))
        self.addin("Addin_Consensus", [self.style("addin", "bold")] + [self.style("addin", "score", "center")] * m,
                   self.style("addin", "bold", bottom=2, bottom_color="#548235"))
        ws.freeze_panes(_N_HEAD + 1, 1)
        self.finish(CONSENSUS_SHEET)

    def ahp(self):
        ws, f, m = self.ws[AHP_SHEET], self.f, self.m
        ws.set_tab_color("#BF9000")
        ws.set_column(0, 0, 40)
        ws.set_column(1, m + 1, 11)
        ws.write_string(0, 0, "Weights from pairwise comparisons (AHP)", self.style("title"))
        ws.set_row(0, 24)
        ws.write_string(1, 0, "Optional. For each pair above the diagonal: how much more important is the row "
                              "criterion than the column criterion? 1 equally, 3 moderately, 5 strongly, 7 very "
                              "strongly, 9 extremely (2, 4, 6, 8 in between); 1/3, 1/5, ... when the column "
                              "criterion is the more important. To use the result, set Use AHP weights to Yes "
                              "on the Criteria sheet.", self.style("subtitle"))
        for row, label in ((2, "Check"), (3, "Consistency ratio (CR)"), (4, "Lambda max"), (5, "Consistency index (CI)")):
            ws.write_string(row, 0, label, self.style("label"))
        self.formula("AHP_Check", self.style("computed", "bold"))
        self.formula("AHP_CR", self.style("computed", "left", num_format="0.000"))
        self.formula("AHP_Lambda_Max", self.style("computed", "left", num_format="0.000"))
        self.formula("AHP_CI", self.style("computed", "left", num_format="0.000"))
        ws.write_string(3, 2, f"Saaty: revisit the judgements when CR is above {CR_THRESHOLD:.2f}.", self.style("note"))
        check = cell_ref(2, 1, False)
        for prefix, style in (("Consistent", "good"), ("Inconsistent", "bad"), ("Fill", "bad"), ("AHP", "bad"),
                              ("Weigh by", "bad")):
            ws.conditional_format(check, {"type": "text", "criteria": "begins with", "value": prefix,
                                          "format": self.style(style)})
        ws.conditional_format(cell_ref(3, 1, False), {
            "type": "formula", "criteria": f"=AND(ISNUMBER(B4),B4>{CR_THRESHOLD:g})", "format": self.style("bad")})
        judged, full = self.names["AHP_Judgements"], self.names["AHP_Matrix"]
        header, label = self.style("header"), self.style("computed", "bold")
        ws.write_string(judged.row - 2, 0, "Your judgements: the row criterion compared with the column criterion",
                        self.style("section"))
        ws.write_string(full.row - 2, 0, "The full matrix (reciprocals below the diagonal) and the weights it gives",
                        self.style("section"))
        for top in (judged.row - 1, full.row - 1):
            ws.write_string(top, 0, "Criterion", header)
            for j, name in enumerate(f.criteria):
                ws.write_string(top, 1 + j, str(name), header)
            ws.set_row(top, 80)
        ws.write_string(full.row - 1, m + 1, "AHP weight", header)
        upper = self.style("input", "center", num_format="@")
        diagonal = self.style("computed", "center")
        lower = self.style("computed", bg_color="#F2F2F2")
        for i in range(m):
            ws.write_string(judged.row + i, 0, str(f.criteria[i]), label)
            ws.write_string(full.row + i, 0, str(f.criteria[i]), label)
            for j in range(m):
                r, c = judged.row + i, judged.col + j
                if i < j:
                    self.put(AHP_SHEET, r, c, f.judgements[i][j], upper)
                elif i == j:
                    ws.write_number(r, c, 1, diagonal)
                else:
                    ws.write_blank(r, c, None, lower)
        saaty = ["9", "8", "7", "6", "5", "4", "3", "2", "1", "1/2", "1/3", "1/4", "1/5", "1/6", "1/7", "1/8", "1/9"]
        for i in range(m - 1):
            ws.data_validation(judged.row + i, judged.col + i + 1, judged.row + i, judged.col + m - 1, {
                "validate": "list", "source": saaty, "error_type": "warning",
                "input_title": "Judgement", "input_message": "Row vs column: 1 equal ... 9 extremely more "
                                                             "important; 1/3 etc. when the column one is.",
                "error_title": "Not on Saaty's scale",
                "error_message": "Judgements run from 1/9 to 9 (type fractions such as 1/3 as they are). Keep it anyway?",
            })
        self.formula("AHP_Matrix", self.style("computed", "center", num_format="# ?/?"))
        self.formula("AHP_Result_Weights", self.style("computed", "share", "center", "bold"))
        levels_part(self)
        ws.freeze_panes(judged.row, 1)
        self.finish(AHP_SHEET)

    def scores(self):
        ws, n = self.ws[SCORES], self.n
        ws.set_tab_color("#548235")
        widths = {0: 28, 1: 8, 2: 10, 3: 40, 4: 6, 5: 10, 6: 11, 7: 28, 8: 8, 9: 2,
                  10: 26, 11: 8, 12: 6, 13: 10, 14: 40}
        for col, width in widths.items():
            ws.set_column(col, col, width)
        ws.write_string(0, 0, "Scores", self.style("title"))
        ws.set_row(0, 24)
        ws.write_string(1, 0, "Ordinary formulas: they work without Python. Score = weighted mean of "
                              "the scored criteria (blank and N/A left out); coverage = share of the "
                              "weight scored; ties share a rank.", self.style("subtitle"))
        ws.write_string(2, 0, "Vendors entered", self.style("label"))
        ws.write_string(2, _S_RANK, "Scores from", self.style("label", align="right"))
        self.formula("Score_Source", self.style("computed", "bold"))
        ws.write_string(1, _S_ADDIN, "Robustness of the ranking (weights varied +/-20 %; needs the live functions)",
                        self.style("label"))
        # One sentence on two lines across the add-in block: merged cells, so an ordinary formula
        # (ROBUSTNESS returns one value; an array formula cannot be entered in merged cells in
        # Excel 2010-2019).
        robustness = self.style("addin", "wrap")
        area = self.names["Robustness_Summary"]
        ws.merge_range(area.row, area.col, area.row, area.col + 4, "", robustness)
        ws.write_formula(area.row, area.col, _addin_formulas()["Robustness_Summary"], robustness,
                         _cached(self.values["Robustness_Summary"][0][0]))
        ws.set_row(area.row, 32)
        ws.write_string(2, 2, "Eligible", self.style("label", align="right"))
        ws.write_string(2, 4, "Agreed", self.style("label", align="right"))
        self.formula("Agreed_Count", self.style("computed", "bold", "left"))
        self.formula("Vendor_Count", self.style("computed", "bold", "center"))
        self.formula("Qualified_Count", self.style("computed", "bold", "left"))
        header = self.style("header")
        for col, text in enumerate(("Vendor", "Score", "Coverage", "Status", "Rank", None,
                                    "Rank", "Eligible vendors, best first", "Score")):
            if text:
                ws.write_string(_S_HEAD, col, text, header)
        ws.set_row(_S_HEAD, 32)
        cell = self.style("computed")
        self.formula("Result_Vendors", self.style("computed", "bold"))
        self.formula("Weighted_Scores", self.style("computed", "score", "center"))
        self.formula("Coverages", self.style("computed", "percent", "center"))
        self.formula("Statuses", cell)
        self.formula("Ranks", self.style("computed", "center"))
        self.formula("Ranking", [self.style("computed", "center"), self.style("computed", "bold"),
                                 self.style("computed", "score", "center")])
        first, last = _S_HEAD + 1, _S_HEAD + n
        scale = {"type": "3_color_scale", "min_type": "num", "min_value": SCALE[0],
                 "mid_type": "num", "mid_value": sum(SCALE) / 2, "max_type": "num", "max_value": SCALE[1],
                 "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"}
        for col in (1, _S_RANK + 2):
            ws.conditional_format(first, col, last, col, scale)
        status = cell_ref(first, 3, False)  # an overridden knock-out shown as such; the value stays "Eligible"
        ws.conditional_format(first, 3, last, 3, {  # first: LibreOffice applies only the first rule that holds
            "type": "formula", "criteria": f'=AND({status}="Eligible",'
                                           f'LEFT(INDEX(DD_Statuses,ROW()-{first}),11)="Overridden:")',
            "format": self.style("good", num_format=f'@"{diligence.OVERRIDE_SHOWN}"')})
        for prefix, style in (("Eligible", "good"), ("Knocked out", "bad"), ("Invalid", "bad"),
                              ("Incomplete", "warn"), (STATUS_CHECK, "bad")):
            ws.conditional_format(first, 3, last, 3, {"type": "text", "criteria": "begins with",
                                                      "value": prefix, "format": self.style(style)})
        ws.conditional_format(first, 2, last, 2, {
            "type": "formula", "criteria": f"=AND(ISNUMBER({cell_ref(first, 2, False)}),"
                                           f"{cell_ref(first, 2, False)}<Min_Coverage)",
            "format": self.style("orange", bold=True)})
        self.chart()
        area = self.names["Addin_Results"]
        ws.write_string(area.row - 1, area.col, "Cross-check with the add-in (needs the live functions; "
                        "due-diligence knock-outs not applied)",
                        self.style("label"))
        self.addin("Addin_Results", [self.style("addin", *extra) for extra in
                                     (("bold",), ("score", "center"), ("center",), ("percent", "center"), ())],
                   self.style("addin", "bold", bottom=2, bottom_color="#548235"))
        ws.freeze_panes(_S_HEAD + 1, 1)
        self.finish(SCORES, (_S_HEAD, _S_HEAD))

    def chart(self):
        top = min(CHART_TOP, self.n)
        first = _S_HEAD + 1
        chart = self.wb.add_chart({"type": "bar"})
        chart.add_series({
            "name": "Score",
            "categories": [SCORES, first, _S_RANK + 1, first + top - 1, _S_RANK + 1],
            "values": [SCORES, first, _S_RANK + 2, first + top - 1, _S_RANK + 2],
            "fill": {"color": "#2E75B6"}, "gap": 60,
            "data_labels": {"value": True, "num_format": "0.00;;;"},
        })
        chart.set_title({"name": f"Top {top} eligible vendors", "name_font": {"size": 12}})
        chart.set_legend({"none": True})
        chart.set_x_axis({"min": 0, "max": SCALE[1], "major_unit": 1,
                          "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        chart.set_y_axis({"reverse": True, "crossing": "max"})
        chart.set_size({"width": 560, "height": 380})
        self.ws[SCORES].insert_chart(_S_HEAD, _S_ADDIN, chart, {"x_offset": 4, "y_offset": 4})

    def calc(self):
        ws, m = self.ws[CALC], self.m
        ws.hide()
        ws.write_string(0, 0, "Helper blocks for the Scores sheet (hidden and locked; do not edit).",
                        self.style("bold"))
        ws.write_string(2, 0, "Inputs OK", self.style("label"))
        ws.write_string(3, _K_CLEAN - 1, "Weight", self.style("label"))
        ws.write_string(4, _K_CLEAN - 1, "Must-have", self.style("label"))
        headers = ("Present", "Scored weight", "Invalid at", "Knocked out at", "Must-haves missing",
                   "Rank key", "Position")
        for col, text in enumerate(headers):
            ws.write_string(_K_HEAD, col, text, self.style("header"))
        below, typed = self.names["Calc_Below_Minimum"].col, self.names["Calc_Typed_Scores"].col
        for j, name in enumerate(self.f.criteria):
            ws.write_string(_K_HEAD, _K_CLEAN + j, str(name), self.style("header"))
            ws.write_string(_K_HEAD, below + j, f"Below must-have: {name}", self.style("header"))
            ws.write_string(_K_HEAD, typed + j, f"Typed: {name}", self.style("header"))
        sources = self.names["Calc_Score_Sources"]
        ws.write_string(sources.row, sources.col - 1, "Source: 1 price, 2 suggested", self.style("label"))
        for name, text in (("Calc_Not_Scored", "Not scored"), ("Calc_Number_Chars", "Number characters")):
            ws.write_string(_K_HEAD, self.names[name].col, text, self.style("header"))
        team, grids = self.names["Calc_Team_Scores"], self.names["Calc_Grid_At"].cols
        ws.write_string(_K_HEAD - 1, team.col, "Each grid's score of the vendor, criterion by criterion "
                        "(the Consensus sheet reads these)", self.style("label"))
        for c in range(team.cols):
            ws.write_string(_K_HEAD, team.col + c, f"Grid {c % grids + 1}: {self.f.criteria[c // grids]}",
                            self.style("header"))
        dd = self.names["Calc_DD_Valid"]
        for k, text in enumerate(diligence.CALC_HEADERS):
            if text:  # a spacer column holds no empty string (openpyxl would save it as an empty inline string)
                ws.write_string(_K_HEAD, dd.col + k, text, self.style("header"))
        ws.write_string(1, dd.col, "Evaluation date, window start (serials)", self.style("label"))
        for k, (_switch, label) in enumerate(zip(_CALC_SWITCHES, (
                "Evaluations used", "Median", "Method OK", "Consensus on", "Use AHP", "Use AHP OK", "AHP OK"))):
            ws.write_string(1, 2 + k, label, self.style("label"))
        at = self.names["Calc_Grid_At"]
        ws.write_string(_K_HEAD - 1, at.col, "Each vendor row's row in each evaluator grid (beyond the last: not "
                        "in it)", self.style("label"))
        for g in range(at.cols):
            ws.write_string(_K_HEAD, at.col + g, f"Row in grid {g + 1}", self.style("header"))
        ws.write_string(_K_HEAD - 1, self.names["Calc_Robust_Table"].col,
                        "Eligible vendors and their scores (ROBUSTNESS reads this)", self.style("label"))
        ws.write_string(self.names["Calc_Scored_Table"].row - 1, self.names["Calc_Scored_Table"].col,
                        "Every vendor and the scores ranked (VENDOR_RANKING reads this)", self.style("label"))
        for name in ("Calc_AHP_Parsed", "Calc_AHP_Start", *(f"Calc_AHP_Step_{k}" for k in range(1, AHP_STEPS + 1)),
                     "Calc_AHP_Errors", "Calc_AHP_Worst"):
            area = self.names[name]
            ws.write_string(area.row - 1, area.col, name.removeprefix("Calc_"), self.style("label"))
        plain = self.style("computed")
        fit, lookup = self.names["Calc_Fit_Keys"], calc_fixed_cells()
        ws.write_string(fit.row - 1, fit.col, "Partner-fit lookup: key, points CRO CMO CDMO, clinical, makes",
                        self.style("label"))
        for name, area in self.names.items():
            if area.sheet == CALC:
                if area.role == FIXED:
                    self.fill(name, lookup[name], plain)
                elif name in diligence.SERIAL_NAMES:  # numbers, not dates as LibreOffice infers
                    self.formula(name, self.style("computed", num_format="0"))
                else:
                    self.formula(name, plain)
        ws.set_column(0, below + m, 12)
        self.finish(CALC)

    def conf(self):
        ws = self.ws[CONF]
        ws.set_column(0, 0, 18)
        ws.set_column(1, 1, 22)
        ws.set_column(2, 2, 100)
        ws.set_tab_color("#808080")
        for row, (key, value, note) in enumerate(_CONF):
            ws.write_string(row, 0, key)
            self.put(CONF, row, 1, value, None)
            ws.write_string(row, 2, note, self.style("note"))
        self.finish(CONF, protect=False)


def write_workbook(path, filling: Filling) -> None:
    """Write the evaluation workbook holding `filling` to `path` (an .xlsx file); refused, and
    removed, when it unpacks to more than partnerfit reads back."""
    _Writer(Path(path), filling).write()
    size = unpacked_size(path)
    if size > MAX_UNPACKED_BYTES:
        Path(path).unlink()
        raise PartnerfitError(
            f"room for {filling.capacity} vendors and {filling.evaluators} evaluator grids makes a workbook of "
            f"{size / 2**20:.0f} MiB, more than the {MAX_UNPACKED_BYTES // 2**20} MiB partnerfit reads; "
            "make room for fewer vendors or evaluator grids")

