"""The evaluation workbook: generate it, and compute the value of every formula cell in it.

Sheets: Start, Program, Criteria, Vendors, Scores, Calc (hidden helper blocks), xlwings.conf.
Native formulas on Criteria, Scores and Calc reproduce `scoring.evaluate` exactly; the add-in
cells (`ADDIN_NAMES`) call the xlwings functions of `udfs.py` and show `#NAME?` without them.

Contract with the command line: every formula cell lies inside a defined name listed by
`layout()`, and `computed_values(filling)` returns the value of every formula and add-in cell
of those names, computed from the input cells with the engine. `write_workbook` writes each
formula together with that value as its cached result, so previewers, pandas and openpyxl
(`data_only=True`) see the numbers. `Filling.from_names` turns the input names read from a
user's workbook back into a `Filling`.

Array functions are written as dynamic-array formulas (cell metadata `cm="1"`): they spill in
Excel 365 and are ordinary array formulas over the same range in older Excel.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import sys
import types
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import numpy as np

from . import __version__
from .cells import NOT_SCORED
from .criteria import CRITERIA, PROFILES, SCALE
from .domain import PARTNER_PROFILES, CMCExperience, Modality, Need, PartnerType, Process, Stage
from .errors import PartnerfitError
from .example import EXAMPLE, Vendor
from .scoring import evaluate

DEFAULT_CAPACITY = 50
"""Vendor rows in a new workbook."""
MAX_CAPACITY = 100_000
CHART_TOP = 10
"""The bar chart shows this many best qualified vendors."""

START, PROGRAM, CRITERIA_SHEET, VENDORS, SCORES, CALC, CONF = (
    "Start", "Program", "Criteria", "Vendors", "Scores", "Calc", "xlwings.conf",
)
SHEETS = (START, PROGRAM, CRITERIA_SHEET, VENDORS, SCORES, CALC, CONF)

INPUT, FIXED, TABLE, FORMULA, ADDIN = "input", "fixed", "table", "formula", "addin"
"""Roles of a defined name: typed by users, written by the generator and locked, the vendor
table (header + names + scores, the argument of VENDOR_SCORES), native formulas, add-in formulas."""

ADDIN_NAMES = frozenset(
    {"Recommendation", "Fit_Scores", "Recommendation_Reason", "Addin_Results", "Addin_Version"}
)
"""Cells that call the xlwings functions: `#NAME?` in a spreadsheet without the add-in."""

CHECK_OK = "OK"
CHECK_ROWS = "Fix the rows marked in the Check column"
CHECK_TOTAL = "The weights add up to 0: give at least one criterion a weight above 0"
CHECK_COVERAGE = "Minimum coverage must be a share from 0% to 100%"
WEIGHT_PROBLEM = "Weight must be a number, 0 or more"
MINIMUM_PROBLEM = "Must-have minimum must be blank or a score from {lo} to {hi}"
STATUS_CHECK = "Check the Criteria sheet"
INVALID_CELL = "invalid"
"""What the hidden clean-scores block holds for a cell that is not a score."""

_LO, _HI = (f"{x:g}" for x in SCALE)
_NUMBER_CHARS = frozenset("0123456789.eE+-")
"""Characters a score typed as text may hold (the workbook reads it with VALUE)."""
_NOT_SCORED_TEXT = tuple(sorted(NOT_SCORED - {""}))


# --------------------------------------------------------------------------- the inputs


@dataclass(frozen=True)
class Filling:
    """Everything a user types into the workbook, each cell exactly as entered (None = blank).

    `criteria`, `weights` and `minimums` default to the `partner_type` profile (no must-haves);
    `vendors` are the vendor rows from the top (blank rows allowed), at most `capacity` of them.
    """

    partner_type: str = "CDMO"
    stage: object = None
    need: object = None
    process: object = None
    cmc_experience: object = None
    modality: object = None
    criteria: tuple | None = None
    weights: tuple | None = None
    minimums: tuple | None = None
    min_coverage: object = 0.5
    vendors: tuple = ()
    capacity: int = DEFAULT_CAPACITY

    def __post_init__(self):
        profile = PROFILES[PartnerType.parse(self.partner_type, "partner type")]
        criteria = tuple(self.criteria or (c.name for c in profile.criteria))
        defaults = profile.as_dict()
        fields = {
            "partner_type": profile.partner_type.value,
            "criteria": criteria,
            "weights": tuple(self.weights if self.weights is not None
                             else (defaults.get(c) for c in criteria)),
            "minimums": tuple(self.minimums if self.minimums is not None else (None,) * len(criteria)),
            "vendors": tuple(self.vendors),
        }
        for name, value in fields.items():
            object.__setattr__(self, name, value)
        if not 1 <= self.capacity <= MAX_CAPACITY:
            raise PartnerfitError(f"room for {self.capacity} vendors; use 1 to {MAX_CAPACITY}")
        if len(self.vendors) > self.capacity:
            raise PartnerfitError(f"{len(self.vendors)} vendors do not fit in {self.capacity} rows")
        for what, cells in (("weights", self.weights), ("minimums", self.minimums)):
            if len(cells) != len(criteria):
                raise PartnerfitError(f"{len(cells)} {what} for {len(criteria)} criteria")
        for vendor in self.vendors:
            if len(vendor.scores) != len(criteria):
                raise PartnerfitError(
                    f"vendor {vendor.name!r} has {len(vendor.scores)} scores for {len(criteria)} criteria"
                )

    @classmethod
    def example(cls, capacity: int = DEFAULT_CAPACITY) -> "Filling":
        """The bundled example (example.py) as typed into the workbook."""
        e = EXAMPLE
        return cls(
            partner_type=e.partner_type.value, stage=e.stage, need=e.need, process=e.process,
            cmc_experience=e.cmc_experience, modality=e.modality,
            minimums=tuple(e.minimums.get(c) for c in e.criteria),
            vendors=e.vendors, capacity=capacity,
        )

    @classmethod
    def from_names(cls, values) -> "Filling":
        """A filling from the cells of the input names (`INPUT_NAMES` -> list of rows, as read)."""
        missing = [name for name in INPUT_NAMES if name not in values]
        if missing:
            raise PartnerfitError(f"the workbook lacks the defined name {missing[0]}")

        def column(name):
            return tuple(row[0] for row in values[name])

        def cell(name):
            return values[name][0][0]

        rows = zip(column("Vendor_Names"), column("Vendor_Sites"), values["Vendor_Scores"],
                   column("Vendor_Evidence"), column("Vendor_Comments"), column("Vendor_Types"))
        vendors = tuple(Vendor(n, s, tuple(x), e, c, t) for n, s, x, e, c, t in rows)
        return cls(
            partner_type=cell("Weight_Profile"), stage=cell("Program_Stage"),
            need=cell("Program_Need"), process=cell("Program_Process"),
            cmc_experience=cell("Program_CMC"), modality=cell("Program_Modality"),
            criteria=column("Criteria_Names"), weights=column("Weights"),
            minimums=column("Minimums"), min_coverage=cell("Min_Coverage"),
            vendors=vendors, capacity=len(vendors),
        )

    def rows(self) -> list[Vendor]:
        """All `capacity` vendor rows, blank ones included."""
        blank = Vendor(None, None, (None,) * len(self.criteria), None, None, None)
        return list(self.vendors) + [blank] * (self.capacity - len(self.vendors))


# --------------------------------------------------------------------------- the layout


@dataclass(frozen=True)
class Area:
    """The cells of one defined name (0-based first row and column)."""

    sheet: str
    row: int
    col: int
    rows: int = 1
    cols: int = 1
    role: str = INPUT

    @property
    def ref(self) -> str:
        """Absolute reference with the sheet, e.g. Scores!$B$5:$B$54."""
        first = _cell(self.row, self.col)
        last = _cell(self.row + self.rows - 1, self.col + self.cols - 1)
        return f"{_quote(self.sheet)}!{first}" + ("" if first == last else f":{last}")

    def cells(self):
        """(row, col) of every cell, row by row."""
        for i in range(self.rows):
            for j in range(self.cols):
                yield self.row + i, self.col + j


def _column_name(col: int) -> str:
    name = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(row: int, col: int, absolute: bool = True) -> str:
    dollar = "$" if absolute else ""
    return f"{dollar}{_column_name(col)}{dollar}{row + 1}"


def _quote(sheet: str) -> str:
    return sheet if sheet.isalnum() else "'" + sheet.replace("'", "''") + "'"


# Fixed positions (0-based). Vendor-sized blocks start at these rows.
_P_INPUT = 3          # Program: first input row (stage); fit scores at D..F from this row
_P_RESULT = 9         # Program: recommendation, then the reason
_C_TABLE = 5          # Criteria: header row; criteria below
_V_HEAD = 3           # Vendors: table header row; vendors below
_S_HEAD = 3           # Scores: header row; vendors below
_S_RANK = 6           # Scores: first column of the ranking (rank, vendor, score)
_S_ADDIN = 10         # Scores: first column of the add-in block
_S_ADDIN_ROW = 23     # Scores: anchor row of VENDOR_SCORES (its header row), below the chart
_K_HEAD = 5           # Calc: header row; vendors below
_K_CLEAN = 8          # Calc: first column of the clean-scores block


def layout(criteria: int, capacity: int) -> dict[str, Area]:
    """The defined names of a workbook with `criteria` criteria and room for `capacity` vendors."""
    m, n = criteria, capacity
    v0, s0, k0, c0 = _V_HEAD + 1, _S_HEAD + 1, _K_HEAD + 1, _C_TABLE + 1
    below = _K_CLEAN + m + 1
    after = 1 + m  # Vendors: first column after the scores
    return {
        "Addin_Version": Area(START, _START_ADDIN_ROW, 1, role=ADDIN),
        **{name: Area(PROGRAM, _P_INPUT + i, 1) for i, name in enumerate(
            ("Program_Stage", "Program_Need", "Program_Process", "Program_CMC", "Program_Modality"))},
        "Fit_Scores": Area(PROGRAM, _P_INPUT, 3, 2, 3, ADDIN),
        "Recommendation": Area(PROGRAM, _P_RESULT, 1, role=ADDIN),
        "Recommendation_Reason": Area(PROGRAM, _P_RESULT + 1, 1, role=ADDIN),
        "Weight_Profile": Area(CRITERIA_SHEET, 1, 1, role=FIXED),
        "Criteria_Check": Area(CRITERIA_SHEET, 2, 1, role=FORMULA),
        "Min_Coverage": Area(CRITERIA_SHEET, 3, 1),
        "Criteria_Names": Area(CRITERIA_SHEET, c0, 0, m, role=FIXED),
        "Weights": Area(CRITERIA_SHEET, c0, 3, m),
        "Minimums": Area(CRITERIA_SHEET, c0, 4, m),
        "Weight_Shares": Area(CRITERIA_SHEET, c0, 5, m, role=FORMULA),
        "Criteria_Checks": Area(CRITERIA_SHEET, c0, 6, m, role=FORMULA),
        "Weights_Total": Area(CRITERIA_SHEET, c0 + m, 3, role=FORMULA),
        "Vendor_Table": Area(VENDORS, _V_HEAD, 0, n + 1, 1 + m, TABLE),
        "Vendor_Names": Area(VENDORS, v0, 0, n),
        "Vendor_Scores": Area(VENDORS, v0, 1, n, m),
        "Vendor_Types": Area(VENDORS, v0, after, n),
        "Vendor_Sites": Area(VENDORS, v0, after + 1, n),
        "Vendor_Evidence": Area(VENDORS, v0, after + 2, n),
        "Vendor_Comments": Area(VENDORS, v0, after + 3, n),
        "Vendor_Count": Area(SCORES, 2, 1, role=FORMULA),
        "Qualified_Count": Area(SCORES, 2, 3, role=FORMULA),
        "Result_Vendors": Area(SCORES, s0, 0, n, role=FORMULA),
        "Weighted_Scores": Area(SCORES, s0, 1, n, role=FORMULA),
        "Coverages": Area(SCORES, s0, 2, n, role=FORMULA),
        "Statuses": Area(SCORES, s0, 3, n, role=FORMULA),
        "Ranks": Area(SCORES, s0, 4, n, role=FORMULA),
        "Ranking": Area(SCORES, s0, _S_RANK, n, 3, FORMULA),
        "Addin_Results": Area(SCORES, _S_ADDIN_ROW, _S_ADDIN, n + 1, 5, ADDIN),
        "Calc_Inputs_OK": Area(CALC, 2, 1, role=FORMULA),
        "Calc_Weight_Row": Area(CALC, 3, _K_CLEAN, 1, m, FORMULA),
        "Calc_Minimum_Row": Area(CALC, 4, _K_CLEAN, 1, m, FORMULA),
        "Calc_Present": Area(CALC, k0, 0, n, role=FORMULA),
        "Calc_Scored_Weight": Area(CALC, k0, 1, n, role=FORMULA),
        "Calc_Invalid_At": Area(CALC, k0, 2, n, role=FORMULA),
        "Calc_Knocked_At": Area(CALC, k0, 3, n, role=FORMULA),
        "Calc_Missing_Musts": Area(CALC, k0, 4, n, role=FORMULA),
        "Calc_Rank_Keys": Area(CALC, k0, 5, n, role=FORMULA),
        "Calc_Positions": Area(CALC, k0, 6, n, role=FORMULA),
        "Calc_Clean_Scores": Area(CALC, k0, _K_CLEAN, n, m, FORMULA),
        "Calc_Below_Minimum": Area(CALC, k0, below, n, m, FORMULA),
    }


INPUT_NAMES = (
    "Weight_Profile", "Program_Stage", "Program_Need", "Program_Process", "Program_CMC",
    "Program_Modality", "Criteria_Names", "Weights", "Minimums", "Min_Coverage", "Vendor_Names",
    "Vendor_Scores", "Vendor_Types", "Vendor_Sites", "Vendor_Evidence", "Vendor_Comments",
)
"""The names `Filling.from_names` reads: everything a user types, plus the fixed criteria."""


# --------------------------------------------------------------------------- the formulas


def _formulas(names: dict[str, Area]):
    """Formula text for every native formula name: name -> f(i, j) for the cell (i, j) of its area."""
    a = names
    m = a["Weights"].rows
    k0, s0, c0, v0 = a["Calc_Present"].row, a["Statuses"].row, a["Weights"].row, a["Vendor_Names"].row
    below = a["Calc_Below_Minimum"].col

    def calc(i, col, absolute_col=True):
        return f"{CALC}!{'$' if absolute_col else ''}{_column_name(col)}{k0 + i + 1}"

    def scores(i, col):
        return f"{SCORES}!${_column_name(col)}{s0 + i + 1}"

    def clean_row(i):
        return f"{calc(i, _K_CLEAN)}:${_column_name(_K_CLEAN + m - 1)}{k0 + i + 1}"

    def weight(j):
        return f"{CRITERIA_SHEET}!$D${c0 + j + 1}"

    def minimum(j):
        return f"{CRITERIA_SHEET}!$E${c0 + j + 1}"

    def score_cell(i, j):
        return f"{VENDORS}!{_cell(v0 + i, 1 + j, absolute=False)}"

    def present(i):
        return calc(i, 0)

    text_list = "{" + ",".join(f'"{t}"' for t in ("", *_NOT_SCORED_TEXT)) + "}"
    chars = "{" + ",".join(f'"{c}"' for c in sorted(_NUMBER_CHARS)) + "}"

    def clean(i, j):
        x = score_cell(i, j)
        t = f"TRIM(CLEAN({x}))"
        number = f"VALUE({t})"
        return (
            f'=IF(ISLOGICAL({x}),"{INVALID_CELL}",IF(ISNUMBER({x}),'
            f'IF(AND({x}>={_LO},{x}<={_HI}),{x},"{INVALID_CELL}"),IF(ISTEXT({x}),'
            f'IF(SUMPRODUCT(--(LOWER({t})={text_list}))>0,"",'
            f'IF(AND(SUMPRODUCT(LEN({t})-LEN(SUBSTITUTE({t},{chars},"")))=LEN({t}),ISNUMBER({number})),'
            f'IF(AND({number}>={_LO},{number}<={_HI}),{number},"{INVALID_CELL}"),"{INVALID_CELL}")),'
            f'IF(ISBLANK({x}),"","{INVALID_CELL}"))))'
        )

    def number(x):
        return f"AND(ISNUMBER({x}),NOT(ISLOGICAL({x})))"

    def criterion_check(i, j):
        w, x = weight(i), minimum(i)
        return (
            f'=IF(AND({w}<>"",NOT(AND({number(w)},{w}>=0))),"{WEIGHT_PROBLEM}",'
            f'IF(AND({x}<>"",NOT(AND({number(x)},{x}>={_LO},{x}<={_HI}))),'
            f'"{MINIMUM_PROBLEM.format(lo=_LO, hi=_HI)}",""))'
        )

    def status(i, j):
        weight_scored, invalid_at, knocked_at, missing = (calc(i, col) for col in (1, 2, 3, 4))
        return (
            f'=IF(NOT({present(i)}),"",IF(NOT(Calc_Inputs_OK),"{STATUS_CHECK}",'
            f'IF({invalid_at}>0,"Invalid: "&INDEX(Criteria_Names,{invalid_at})'
            f'&" is not a score from {_LO} to {_HI}",'
            f'IF({knocked_at}>0,"Knocked out: "&INDEX(Criteria_Names,{knocked_at}),'
            f'IF(OR({missing}>0,{weight_scored}=0,{scores(i, 2)}<Min_Coverage),'
            f'"Incomplete","Qualified")))))'
        )

    def ranking(i, j):
        source = ("Ranks", "Result_Vendors", "Weighted_Scores")[j]
        return f'=IF({i + 1}<=Qualified_Count,INDEX({source},MATCH({i + 1},Calc_Positions,0)),"")'

    must_row = a["Calc_Minimum_Row"].row + 1

    def below_minimum(i, j):
        x = calc(i, _K_CLEAN + j, False)
        floor = f"{CALC}!{_column_name(_K_CLEAN + j)}${must_row}"
        return f"=AND(ISNUMBER({x}),ISNUMBER({floor}),{x}<{floor})"

    return {
        "Criteria_Check": lambda i, j: (
            f'=IF(SUMPRODUCT(--(Criteria_Checks<>""))>0,"{CHECK_ROWS}",'
            f'IF(NOT(Weights_Total>0),"{CHECK_TOTAL}",'
            f'IF(AND({number("Min_Coverage")},Min_Coverage>=0,Min_Coverage<=1),"{CHECK_OK}","{CHECK_COVERAGE}")))'
        ),
        "Weight_Shares": lambda i, j: (
            f'=IF(AND({number(weight(i))},Weights_Total>0),{weight(i)}/Weights_Total,"")'
        ),
        "Criteria_Checks": criterion_check,
        "Weights_Total": lambda i, j: "=SUM(Weights)",
        "Vendor_Count": lambda i, j: "=SUMPRODUCT(--Calc_Present)",
        "Qualified_Count": lambda i, j: '=COUNTIF(Statuses,"Qualified")',
        "Result_Vendors": lambda i, j: f'=IF({present(i)},{VENDORS}!$A{v0 + i + 1},"")',
        "Weighted_Scores": lambda i, j: (
            f'=IF(AND({present(i)},Calc_Inputs_OK,{calc(i, 2)}=0,{calc(i, 1)}>0),'
            f'SUMPRODUCT({clean_row(i)},Calc_Weight_Row)/{calc(i, 1)},"")'
        ),
        "Coverages": lambda i, j: (
            f'=IF(AND({present(i)},Calc_Inputs_OK),{calc(i, 1)}/Weights_Total,"")'
        ),
        "Statuses": status,
        "Ranks": lambda i, j: (
            f'=IF({scores(i, 3)}="Qualified",_xlfn.RANK.EQ({calc(i, 5)},Calc_Rank_Keys,0),"")'
        ),
        "Ranking": ranking,
        "Calc_Inputs_OK": lambda i, j: f'=Criteria_Check="{CHECK_OK}"',
        "Calc_Weight_Row": lambda i, j: f"=IF({number(weight(j))},{weight(j)},0)",
        "Calc_Minimum_Row": lambda i, j: f'=IF({number(minimum(j))},{minimum(j)},"")',
        "Calc_Present": lambda i, j: f"=LEN(TRIM({VENDORS}!$A{v0 + i + 1}))>0",
        "Calc_Scored_Weight": lambda i, j: f"=SUMPRODUCT(--ISNUMBER({clean_row(i)}),Calc_Weight_Row)",
        "Calc_Invalid_At": lambda i, j: f'=IFERROR(MATCH("{INVALID_CELL}",{clean_row(i)},0),0)',
        "Calc_Knocked_At": lambda i, j: (
            f"=IFERROR(MATCH(TRUE,{calc(i, below)}:${_column_name(below + m - 1)}{k0 + i + 1},0),0)"
        ),
        "Calc_Missing_Musts": lambda i, j: (
            f"=COUNT(Calc_Minimum_Row)-SUMPRODUCT(--ISNUMBER(Calc_Minimum_Row),--ISNUMBER({clean_row(i)}))"
        ),
        "Calc_Rank_Keys": lambda i, j: (
            f'=IF({scores(i, 3)}="Qualified",ROUND({scores(i, 1)},9),"")'
        ),
        "Calc_Positions": lambda i, j: (
            f'=IF({scores(i, 3)}="Qualified",COUNTIF(Ranks,"<"&{scores(i, 4)})'
            f'+COUNTIF({SCORES}!$E${s0 + 1}:$E{s0 + i + 1},{scores(i, 4)}),"")'
        ),
        "Calc_Clean_Scores": clean,
        "Calc_Below_Minimum": below_minimum,
    }


def _addin_formulas() -> dict[str, str]:
    program = "Program_Stage,Program_Need,Program_Process,Program_CMC,Program_Modality"
    return {
        "Addin_Version": "=PARTNERFIT_VERSION()",
        "Fit_Scores": f"=PARTNER_FIT_SCORES({program})",
        "Recommendation": f"=PARTNER_FIT({program})",
        "Recommendation_Reason": f"=PARTNER_FIT_WHY({program})",
        "Addin_Results": "=VENDOR_SCORES(Vendor_Table,Weights,Minimums,Min_Coverage)",
    }


# --------------------------------------------------------------------------- the values


def _is_number(value) -> bool:
    """A number as Excel's ISNUMBER sees it in a typed cell (booleans are not numbers)."""
    return (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            and math.isfinite(value))


def _is_blank(value) -> bool:
    """An empty cell as the formulas' `cell=""` test sees it."""
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _trim(text: str) -> str:
    """Excel's TRIM(CLEAN(text)): control characters removed, runs of spaces folded, ends trimmed."""
    return " ".join(part for part in "".join(c for c in text if c >= " ").split(" ") if part)


def read_score(value) -> float | None:
    """One score cell as the workbook's formulas read it: a number, NaN (not scored) or None.

    Like `cells.score_value`, except that text must consist of digits, `.`, `e`, `+` and `-`
    once trimmed of spaces and control characters (Excel's VALUE reads "$4" or "96:00" too).
    """
    if _is_blank(value):
        return math.nan
    if _is_number(value):
        return float(value)
    if not isinstance(value, str):
        return None  # booleans, dates, error values
    text = _trim(value)
    if text.lower() in NOT_SCORED:
        return math.nan
    if not set(text) <= _NUMBER_CHARS:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _clean(value):
    """The clean-scores cell: the score, "" when not scored, INVALID_CELL otherwise."""
    number = read_score(value)
    if number is None or not (math.isnan(number) or SCALE[0] <= number <= SCALE[1]):
        return INVALID_CELL
    return "" if math.isnan(number) else number


def _present(name) -> bool:
    """A vendor row counts when its name is not blank (LEN(TRIM(name))>0)."""
    if _is_blank(name):
        return False
    return not isinstance(name, str) or bool(name.strip(" "))


def _criterion_check(weight, minimum) -> str:
    if not _is_blank(weight) and not (_is_number(weight) and weight >= 0):
        return WEIGHT_PROBLEM
    if not _is_blank(minimum) and not (_is_number(minimum) and SCALE[0] <= minimum <= SCALE[1]):
        return MINIMUM_PROBLEM.format(lo=_LO, hi=_HI)
    return ""


def _first(flags) -> int:
    """1-based position of the first true flag, 0 if none (IFERROR(MATCH(...),0))."""
    return next((j + 1 for j, flag in enumerate(flags) if flag), 0)


def _column(values) -> list[list]:
    return [[v] for v in values]


def computed_values(filling: Filling) -> dict[str, list[list]]:
    """The value of every formula and add-in cell of the workbook holding `filling`.

    Name -> rows of values, shaped like `layout()`'s areas; "" for an empty result. Native
    results come from the engine (`scoring.evaluate`) on the cells as the formulas read them.
    """
    f = filling
    rows = f.rows()
    n = f.capacity
    names = [v.name for v in rows]
    present = [_present(name) for name in names]
    clean = [[_clean(x) for x in v.scores] for v in rows]

    weight_row = [float(w) if _is_number(w) else 0.0 for w in f.weights]
    minimum_row = [float(x) if _is_number(x) else "" for x in f.minimums]
    total = sum(float(w) for w in f.weights if _is_number(w))
    checks = [_criterion_check(w, x) for w, x in zip(f.weights, f.minimums)]
    coverage_ok = _is_number(f.min_coverage) and 0 <= f.min_coverage <= 1
    check = (CHECK_ROWS if any(checks) else CHECK_TOTAL if not total > 0
             else CHECK_OK if coverage_ok else CHECK_COVERAGE)
    inputs_ok = check == CHECK_OK

    scored = [[isinstance(x, float) for x in row] for row in clean]
    below = [[s and isinstance(lo, float) and x < lo for s, x, lo in zip(srow, row, minimum_row)]
             for srow, row in zip(scored, clean)]
    musts = [isinstance(x, float) for x in minimum_row]
    missing = [sum(musts) - sum(mu and s for mu, s in zip(musts, srow)) for srow in scored]

    score, coverage, status, rank = [""] * n, [""] * n, [""] * n, [""] * n
    ranking = [["", "", ""] for _ in range(n)]
    rank_keys, positions = [""] * n, [""] * n
    listed = [i for i in range(n) if present[i]]
    if not inputs_ok:
        for i in listed:
            status[i] = STATUS_CHECK
    elif listed:
        read = [[read_score(x) for x in rows[i].scores] for i in listed]
        unreadable = np.array([[x is None for x in row] for row in read], dtype=bool)
        matrix = np.array([[math.nan if x is None else x for x in row] for row in read], dtype=float)
        minimums = np.array([math.nan if x == "" else x for x in minimum_row], dtype=float)
        result = evaluate(matrix, np.array(weight_row), minimums, float(f.min_coverage), unreadable, SCALE)
        texts = result.status_text([str(c) for c in f.criteria])
        for k, i in enumerate(listed):
            if not math.isnan(result.score[k]):
                score[i] = float(result.score[k])
            coverage[i] = float(result.coverage[k])
            status[i] = str(texts[k])
            if not math.isnan(result.rank[k]):
                rank[i] = int(result.rank[k])
                rank_keys[i] = round(score[i], 9)
        qualified = [k for k in result.order().tolist() if not math.isnan(result.rank[k])]
        for position, k in enumerate(qualified):
            i = listed[k]
            positions[i] = position + 1
            ranking[position] = [rank[i], names[i], score[i]]

    values = {
        "Criteria_Check": [[check]],
        "Weight_Shares": _column(float(w) / total if _is_number(w) and total > 0 else "" for w in f.weights),
        "Criteria_Checks": _column(checks),
        "Weights_Total": [[total]],
        "Vendor_Count": [[sum(present)]],
        "Qualified_Count": [[sum(s == "Qualified" for s in status)]],
        "Result_Vendors": _column(_result_name(name) if p else "" for name, p in zip(names, present)),
        "Weighted_Scores": _column(score),
        "Coverages": _column(coverage),
        "Statuses": _column(status),
        "Ranks": _column(rank),
        "Ranking": ranking,
        "Calc_Inputs_OK": [[inputs_ok]],
        "Calc_Weight_Row": [weight_row],
        "Calc_Minimum_Row": [minimum_row],
        "Calc_Present": _column(present),
        "Calc_Scored_Weight": _column(sum(w for w, s in zip(weight_row, srow) if s) for srow in scored),
        "Calc_Invalid_At": _column(_first(x == INVALID_CELL for x in row) for row in clean),
        "Calc_Knocked_At": _column(_first(row) for row in below),
        "Calc_Missing_Musts": _column(missing),
        "Calc_Rank_Keys": _column(rank_keys),
        "Calc_Positions": _column(positions),
        "Calc_Clean_Scores": clean,
        "Calc_Below_Minimum": below,
    }
    values.update(_addin_values(f, n))
    return values


def _result_name(name):
    """A vendor name as a formula referring to its cell returns it."""
    return name if isinstance(name, (str, int, float, bool)) else str(name)


@lru_cache(maxsize=1)
def _udfs():
    """`partnerfit.udfs`, imported without xlwings when that is not loaded yet.

    Importing xlwings costs about 0.4 s (it imports pandas); its decorators only register the
    functions for Excel, which computing cached values does not need.
    """
    if "xlwings" in sys.modules:
        return importlib.import_module(".udfs", __package__)

    def passthrough(*args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return lambda function: function

    stub = types.ModuleType("xlwings")
    stub.func = stub.arg = stub.ret = passthrough
    spec = importlib.util.find_spec(".udfs", __package__)
    module = importlib.util.module_from_spec(spec)
    sys.modules["xlwings"] = stub
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["xlwings"]
    return module


def _excel(value):
    """A cell value as Excel hands it to an xlwings function (floats, None for blank)."""
    if _is_blank(value):
        return None
    if _is_number(value):
        return float(value)
    return value


def _block(result, rows: int, cols: int) -> list[list]:
    """A function's result laid into its area; a single value goes to the first cell."""
    data = result if isinstance(result, list) else [[result]]
    grid = [[""] * cols for _ in range(rows)]
    for i, row in enumerate(data[:rows]):
        for j, value in enumerate(row[:cols]):
            grid[i][j] = "" if value is None else value
    return grid


def _addin_values(f: Filling, n: int) -> dict[str, list[list]]:
    """What the add-in functions return for these inputs."""
    udfs = _udfs()
    program = [_excel(x) for x in (f.stage, f.need, f.process, f.cmc_experience, f.modality)]
    table = [["Vendor", *f.criteria]] + [[_excel(x) for x in (v.name, *v.scores)] for v in f.rows()]
    results = udfs.VENDOR_SCORES(
        table, [_excel(w) for w in f.weights], [_excel(x) for x in f.minimums], _excel(f.min_coverage)
    )
    return {
        "Addin_Version": [[udfs.PARTNERFIT_VERSION()]],
        "Recommendation": [[udfs.PARTNER_FIT(*program)]],
        "Fit_Scores": _block(udfs.PARTNER_FIT_SCORES(*program), 2, 3),
        "Recommendation_Reason": [[udfs.PARTNER_FIT_WHY(*program)]],
        "Addin_Results": _block(results, n + 1, 5),
    }


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

_FUNCTIONS = "PARTNER_FIT, PARTNER_FIT_SCORES, PARTNER_FIT_WHY, VENDOR_SCORE, VENDOR_SCORES"
_START_LINES = (
    ("title", "Partner evaluation workbook"),
    ("wrap", "Choose the kind of outsourcing partner for a biopharma program (CRO, CMO or CDMO), "
             "then score candidate vendors on weighted criteria and rank them. "
             "Made with partnerfit {version}."),
    ("section", "How to use it"),
    ("wrap", "1. Program: describe the program with the drop-down lists (stage, need, process "
             "maturity, CMC experience, modality); the recommended partner type appears below them."),
    ("wrap", "2. Criteria: adjust the weights (any total; the defaults are the {profile} profile) and "
             "set must-have minimums: a vendor scoring below one is knocked out."),
    ("wrap", "3. Vendors: one row per vendor; score each criterion from {lo} (poor) to {hi} (excellent) "
             "with the guide on the Criteria sheet. Leave a cell blank or enter N/A when you cannot "
             "score it: it is left out, not counted as zero."),
    ("wrap", "4. Scores: weighted score, coverage (the share of the weight that was scored), status and "
             "rank of every vendor, the qualified vendors best first, and a chart."),
    ("wrap", "5. Share: send this file, or make a copy for procurement that needs no Python: "
             "partnerfit share evaluation.xlsx -o for_procurement.xlsx"),
    ("section", "Live functions: the recommendation and the add-in cross-check"),
    ("wrap", "Windows (Excel with Python): pip install partnerfit, then xlwings addin install. Save this "
             "workbook as .xlsm (File > Save As > Excel Macro-Enabled Workbook) and click Import "
             "Functions on the xlwings tab. The xlwings.conf sheet already names the module "
             "(partnerfit.udfs); if Excel does not find Python, set Interpreter_Win there."),
    ("wrap", "Mac and Excel on the web: install the free xlwings Lite add-in (Home > Add-ins, search "
             "for xlwings), add partnerfit to its requirements.txt and "
             "from partnerfit.udfs import * to its main.py."),
    ("wrap", "Functions: " + _FUNCTIONS + " and PARTNERFIT_VERSION (see their descriptions "
             "in Insert Function, category partnerfit)."),
    ("section", "What works without Python"),
    ("wrap", "Everything but the green cells: weights, must-haves, scores, coverage, status, rank, "
             "the ranking and the chart are ordinary formulas (Excel 2010 or later, LibreOffice). "
             "Without Excel, partnerfit check, score and share read this workbook from the command line."),
    ("addin", "Add-in check: the partnerfit version when the live functions work, #NAME? when they are off"),
    ("section", "Colours and protection"),
    ("input", "Yellow cells are yours to fill in."),
    ("computed", "White cells are computed and locked."),
    ("addin", "Green cells need the live functions."),
    ("wrap", "The sheets are protected without a password against accidental edits (Review > Unprotect "
             "Sheet). Keep the defined names (Formulas > Name Manager): other tools read the workbook "
             "through them."),
)
_START_ADDIN_ROW = next(i for i, (style, text) in enumerate(_START_LINES) if text.startswith("Add-in check"))

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


def _needs() -> list[str]:
    """The need drop-down: every combination of needs, joined by " + "."""
    labels = Need.labels()
    return [" + ".join(c) for k in range(1, len(labels) + 1) for c in combinations(labels, k)]


def _cached(value):
    """A computed value as XlsxWriter stores it as a formula's cached result."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer, np.floating)):
        return float(value)
    return "" if value is None else value


@lru_cache(maxsize=1)
def _prepared_sheet():
    """An XlsxWriter worksheet that writes our formulas as they are.

    XlsxWriter runs about thirty regular expressions over every formula to prefix Excel 365's
    dynamic-array functions with `_xlfn.`; the template uses none of them (RANK.EQ is written
    prefixed), and on large workbooks those substitutions took most of the writing time.
    tests/test_template.py checks that XlsxWriter's own preparation leaves every formula as is.
    """
    from xlsxwriter.worksheet import Worksheet

    class PreparedSheet(Worksheet):
        def _prepare_formula(self, formula, expand_future_functions=False):
            formula = formula[1:] if formula.startswith("{") else formula
            formula = formula[1:] if formula.startswith("=") else formula
            return formula[:-1] if formula.endswith("}") else formula

    return PreparedSheet


class _Writer:
    """Writes one workbook; one method per sheet."""

    def __init__(self, path: Path, filling: Filling):
        import xlsxwriter

        self.f = filling
        self.m, self.n = len(filling.criteria), filling.capacity
        self.names = layout(self.m, self.n)
        self.values = computed_values(filling)
        self.formulas = _formulas(self.names)
        self.wb = xlsxwriter.Workbook(
            str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
        )
        self.formats = {}
        self.ws = {name: self.wb.add_worksheet(name, worksheet_class=_prepared_sheet()) for name in SHEETS}

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
        if _is_blank(value):
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif _is_number(value):
            ws.write_number(row, col, value, fmt)
        else:
            ws.write_string(row, col, str(value), fmt)

    def fill(self, name: str, rows, fmt):
        """Write the cells of an input or fixed name."""
        area = self.names[name]
        for (r, c), value in zip(area.cells(), (v for row in rows for v in row)):
            self.put(area.sheet, r, c, value, fmt)

    def formula(self, name: str, fmt):
        """Write a native formula name, each cell with its cached value; `fmt` or one per column."""
        area, values, make = self.names[name], self.values[name], self.formulas[name]
        ws = self.ws[area.sheet]
        for (r, c) in area.cells():
            i, j = r - area.row, c - area.col
            cell_format = fmt[j] if isinstance(fmt, list) else fmt
            ws.write_formula(r, c, make(i, j), cell_format, _cached(values[i][j]))

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
        self.scores()
        self.calc()
        self.conf()
        for name, area in self.names.items():
            self.wb.define_name(name, "=" + area.ref)
        self.wb.set_properties({
            "title": "Partner evaluation", "subject": "Outsourcing partner choice and vendor scores",
            "author": "partnerfit", "comments": f"Generated by partnerfit {__version__}",
        })
        self.wb.close()

    def finish(self, sheet: str, header_rows: tuple[int, int] | None = None, protect: bool = True):
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
        ws.write_string(1, 0, "Describe the program in the yellow cells. The recommendation needs the "
                              "live functions (see Start); the other sheets work without them.",
                        self.style("subtitle"))
        ws.write_string(_P_INPUT - 1, 3, "Fit score (0-100)", self.style("label"))
        inputs = [self.f.stage, self.f.need, self.f.process, self.f.cmc_experience, self.f.modality]
        for k, ((label, choices, error, message), value) in enumerate(zip(_PROGRAM_INPUTS, inputs)):
            row = _P_INPUT + k
            ws.write_string(row, 0, label, self.style("label"))
            self.put(PROGRAM, row, 1, value, self.style("input"))
            choices = choices or _needs()
            ws.data_validation(row, 1, row, 1, {
                "validate": "list", "source": choices, "error_type": error,
                "input_title": label.split(" (")[0][:32], "input_message": message[:255],
                "error_title": "Not in the list", "error_message": ("Choose one of: " + ", ".join(choices))[:255],
            })
        result = _P_RESULT
        ws.write_string(result, 0, "Recommended partner type", self.style("label"))
        self.addin("Recommendation", self.style("addin", "big"))
        ws.set_row(result, 22)
        ws.write_string(result + 1, 0, "Why", self.style("label"))
        self.addin("Recommendation_Reason", self.style("addin", "wrap"))
        ws.set_row(result + 1, 48)
        self.addin("Fit_Scores", self.style("addin", "center", "whole"), self.style("addin", "center", "bold"))
        top = result + 3
        ws.write_string(top, 0, "The three partner types", self.style("section"))
        ws.write_string(top, 1, "", self.style("section"))
        for k, profile in enumerate(PARTNER_PROFILES.values()):
            row = top + 1 + k
            stages = ", ".join(s.label for s in profile.stages)
            ws.write_string(row, 0, f"{profile.type.value}: {profile.name}", self.style("wrap", "bold"))
            text = f"{profile.focus} From {stages}. Delivers: {profile.deliverables}"
            ws.write_string(row, 1, text, self.style("wrap"))
            ws.set_row(row, 15 * max(2, math.ceil(len(text) / 74)))
        self.finish(PROGRAM)

    def criteria(self):
        ws, f, m = self.ws[CRITERIA_SHEET], self.f, self.m
        profile = PROFILES[PartnerType.parse(f.partner_type, "partner type")]
        widths = (30, 46, 46, 9, 11, 9, 24, 40)
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
        headers = ("Criterion", "What it measures", f"Scoring guide ({_LO}-{_HI})", "Weight",
                   "Must-have minimum", "Share of weight", "Check", "Why this default weight")
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
            ws.write_string(row, 7, profile.weights.get(criterion.key, (None, ""))[1], wrap)
            ws.set_row(row, 15 * max(3, math.ceil(len(criterion.description) / 44)))
        self.fill("Criteria_Names", _column(f.criteria), self.style("computed", "wrap", "bold"))
        self.fill("Weights", _column(f.weights), self.style("input", "center"))
        self.fill("Minimums", _column(f.minimums), self.style("input", "center"))
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
        cell = _cell(check.row, check.col)
        ws.conditional_format(cell, {"type": "cell", "criteria": "==", "value": f'"{CHECK_OK}"',
                                     "format": self.style("good")})
        ws.conditional_format(cell, {"type": "cell", "criteria": "!=", "value": f'"{CHECK_OK}"',
                                     "format": self.style("bad")})
        ws.freeze_panes(_C_TABLE + 1, 1)
        self.finish(CRITERIA_SHEET, (_C_TABLE, _C_TABLE))

    def vendors(self):
        ws, f, m, n = self.ws[VENDORS], self.f, self.m, self.n
        ws.set_tab_color("#BF9000")
        ws.write_string(0, 0, "Vendors", self.style("title"))
        ws.set_row(0, 24)
        ws.write_string(1, 0, f"One row per vendor. Score each criterion from {_LO} (poor) to {_HI} "
                              "(excellent) with the guide on the Criteria sheet; blank or N/A = not "
                              "scored (left out, not a zero). Empty rows are ignored.",
                        self.style("subtitle"))
        extra = ("Partner type", "Site / country", "Evidence", "Comments")
        headers = ("Vendor", *f.criteria, *extra)
        ws.add_table(_V_HEAD, 0, _V_HEAD + n, len(headers) - 1, {
            "name": "VendorTable", "style": "Table Style Light 1", "autofilter": True,
            "columns": [{"header": str(h), "header_format": self.style("header")} for h in headers],
        })
        ws.set_row(_V_HEAD, 80)
        ws.set_column(0, 0, 28)
        ws.set_column(1, m, 13)
        for col, width in zip(range(m + 1, m + 5), (12, 18, 48, 48)):
            ws.set_column(col, col, width)
        rows = f.rows()
        self.fill("Vendor_Names", _column(v.name for v in rows), self.style("input", "bold"))
        self.fill("Vendor_Scores", [v.scores for v in rows], self.style("input", "center"))
        self.fill("Vendor_Types", _column(v.partner_type for v in rows), self.style("input"))
        self.fill("Vendor_Sites", _column(v.site for v in rows), self.style("input"))
        self.fill("Vendor_Evidence", _column(v.evidence for v in rows), self.style("input"))
        self.fill("Vendor_Comments", _column(v.comments for v in rows), self.style("input"))
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

    def scores(self):
        ws, n = self.ws[SCORES], self.n
        ws.set_tab_color("#548235")
        widths = {0: 28, 1: 8, 2: 10, 3: 40, 4: 6, 5: 2, 6: 6, 7: 28, 8: 8, 9: 2,
                  10: 26, 11: 8, 12: 6, 13: 10, 14: 40}
        for col, width in widths.items():
            ws.set_column(col, col, width)
        ws.write_string(0, 0, "Scores", self.style("title"))
        ws.set_row(0, 24)
        ws.write_string(1, 0, "Ordinary formulas: they work without Python. Score = weighted mean of "
                              "the scored criteria (blank and N/A left out); coverage = share of the "
                              "weight scored; ties share a rank.", self.style("subtitle"))
        ws.write_string(2, 0, "Vendors entered", self.style("label"))
        ws.write_string(2, 2, "Qualified", self.style("label", align="right"))
        self.formula("Vendor_Count", self.style("computed", "bold", "center"))
        self.formula("Qualified_Count", self.style("computed", "bold", "left"))
        header = self.style("header")
        for col, text in enumerate(("Vendor", "Score", "Coverage", "Status", "Rank", None,
                                    "Rank", "Qualified vendors, best first", "Score")):
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
        for prefix, style in (("Qualified", "good"), ("Knocked out", "bad"), ("Invalid", "bad"),
                              ("Incomplete", "warn"), (STATUS_CHECK, "bad")):
            ws.conditional_format(first, 3, last, 3, {"type": "text", "criteria": "begins with",
                                                      "value": prefix, "format": self.style(style)})
        ws.conditional_format(first, 2, last, 2, {
            "type": "formula", "criteria": f"=AND(ISNUMBER({_cell(first, 2, False)}),"
                                           f"{_cell(first, 2, False)}<Min_Coverage)",
            "format": self.style("orange", bold=True)})
        self.chart()
        area = self.names["Addin_Results"]
        ws.write_string(area.row - 1, area.col, "Cross-check with the add-in (needs the live functions)",
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
        chart.set_title({"name": f"Top {top} qualified vendors", "name_font": {"size": 12}})
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
        below = self.names["Calc_Below_Minimum"].col
        for j, name in enumerate(self.f.criteria):
            ws.write_string(_K_HEAD, _K_CLEAN + j, str(name), self.style("header"))
            ws.write_string(_K_HEAD, below + j, f"Below must-have: {name}", self.style("header"))
        plain = self.style("computed")
        for name, area in self.names.items():
            if area.sheet == CALC:
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
    """Write the evaluation workbook holding `filling` to `path` (an .xlsx file)."""
    _Writer(Path(path), filling).write()


def build_workbook(path, partner_type="CDMO", vendors: int = DEFAULT_CAPACITY, example: bool = False) -> None:
    """A new evaluation workbook: blank with `partner_type`'s default weights, or the example.

    `vendors` is the number of vendor rows. The example is a CDMO evaluation.
    """
    if example:
        if PartnerType.parse(partner_type, "partner type") is not EXAMPLE.partner_type:
            raise PartnerfitError(
                f"the example is a {EXAMPLE.partner_type.value} evaluation; leave out the partner type"
            )
        filling = Filling.example(vendors)
    else:
        filling = Filling(partner_type=partner_type, capacity=vendors)
    write_workbook(path, filling)
