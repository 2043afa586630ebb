"""The evaluation workbook: generate it, and compute the value of every formula cell in it.

Sheets: Start, Program, Criteria, Vendors, Evaluations, Consensus, Weights (AHP), Scores, Calc
(hidden helper blocks), xlwings.conf. Native formulas reproduce the engine exactly:
`scoring.evaluate` for the scores, `consensus.cell_statistics` for the consensus of several
evaluators and `ahp.ahp_weights` for the AHP weights (by repeated squaring of the matrix, see
`_ahp_values`). The add-in cells (`ADDIN_NAMES`) call the xlwings functions of `udfs.py` and show
`#NAME?` without them.

Several evaluators: as soon as the Evaluations sheet holds a row (any of Vendor, Evaluator,
Criterion or Score filled in), the whole workbook switches to the consensus: every vendor's
scores are the consensus of its evaluation rows (mean or median per vendor and criterion; blank
or N/A does not count) and the Vendors sheet's score columns are ignored. One switch for the
whole workbook, not per cell, so that a result never mixes one person's scores with a team's.
A vendor or criterion in an evaluation row matches the Vendors or Criteria sheet when the two
are equal, case included, after Excel's TRIM (see `read_evaluations`). While a row has a
problem (the Check column), every vendor's status is "Check the Evaluations sheet".

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
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import numpy as np

from . import __version__
from .ahp import CR_THRESHOLD, RANDOM_INDEX, ahp_weights
from .cells import NOT_SCORED
from .consensus import DISAGREEMENT, cell_statistics
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

DEFAULT_EVALUATION_ROWS = 400
"""Evaluation rows (vendor x evaluator x criterion) in a new workbook."""
MAX_EVALUATION_ROWS = 100_000
_IN_MEMORY_ROWS = 2_000
"""A workbook with at most this many vendor and evaluation rows together is assembled in memory
(XlsxWriter's temporary files took a tenth of the time of a new workbook), a larger one in
temporary files so that memory stays flat (its XML takes some 24 kB per vendor row)."""

START, PROGRAM, CRITERIA_SHEET, VENDORS, SCORES, CALC, CONF = (
    "Start", "Program", "Criteria", "Vendors", "Scores", "Calc", "xlwings.conf",
)
EVALUATIONS, CONSENSUS_SHEET, AHP_SHEET = "Evaluations", "Consensus", "Weights (AHP)"
SHEETS = (START, PROGRAM, CRITERIA_SHEET, VENDORS, EVALUATIONS, CONSENSUS_SHEET, AHP_SHEET, SCORES, CALC, CONF)

INPUT, FIXED, TABLE, FORMULA, ADDIN = "input", "fixed", "table", "formula", "addin"
"""Roles of a defined name: typed by users, written by the generator and locked, the vendor
table (header + names + scores, the argument of VENDOR_SCORES), native formulas, add-in formulas."""

ADDIN_NAMES = frozenset(
    {"Recommendation", "Fit_Scores", "Recommendation_Reason", "Addin_Results", "Addin_Version",
     "Addin_Consensus", "Robustness"}
)
"""Cells that call the xlwings functions: `#NAME?` in a spreadsheet without the add-in. All are
dynamic-array formulas except Robustness, one sentence in merged cells: an ordinary formula."""

AHP_STEPS = 10
"""Squarings of the normalised AHP matrix: the weights come from A^(2^10) (see `_ahp_values`)."""
ARRAY_NAMES = frozenset({"Calc_AHP_Start", *(f"Calc_AHP_Step_{k}" for k in range(1, AHP_STEPS + 1))})
"""Native names written as ONE legacy array formula over the whole area (MMULT blocks): only the
first cell holds the formula, the others its results as plain values (like an add-in's spill)."""
CELL_ARRAY_NAMES = frozenset({
    "Calc_Eval_Vendor_At", "Calc_Eval_Criterion_At", "Calc_Eval_Duplicate_Of",
    "Consensus_Scores", "Consensus_Spreads", "AHP_Lambda_Max",
})
"""Native names whose every cell is a single-cell legacy array formula (CSE, {=...}): they
compute over ranges with functions that take single values (EXACT, TRIM, IF inside MEDIAN,
MIN, MAX). Written so deliberately: Excel 2010 and LibreOffice evaluate them as arrays, and
Excel 365 shows them with braces."""

CHECK_OK = "OK"
CHECK_ROWS = "Fix the rows marked in the Check column"
CHECK_TOTAL = "The weights add up to 0: give at least one criterion a weight above 0"
CHECK_COVERAGE = "Minimum coverage must be a share from 0% to 100%"
WEIGHT_PROBLEM = "Weight must be a number, 0 or more"
MINIMUM_PROBLEM = "Must-have minimum must be blank or a score from {lo} to {hi}"
STATUS_CHECK = "Check the Criteria sheet"
STATUS_EVALUATIONS = "Check the Evaluations sheet"
CHECK_USE_AHP = "Use AHP weights must be Yes or No"
CHECK_AHP = "Use AHP weights is Yes, but the AHP judgements are incomplete (see the Weights (AHP) sheet)"
EVAL_OK = "OK"
EVAL_ROWS = "Fix the rows marked in the Check column"
EVAL_METHOD = "Consensus method must be mean or median"
EVAL_FILL = "Fill Vendor, Evaluator and Criterion, or clear the row"
EVAL_VENDOR = "Vendor is not on the Vendors sheet"
EVAL_CRITERION = "Criterion is not on the Criteria sheet"
EVAL_SCORE = "Score must be a number from {lo} to {hi}, N/A or blank"
EVAL_DUPLICATE = "Same vendor, evaluator and criterion as row "
"""The Check column of the Evaluations sheet (the duplicate's message ends with a row number)."""
AHP_TOO_MANY = "AHP compares at most 15 criteria"
AHP_INCOMPLETE = "Fill every cell above the diagonal with a judgement from 1/9 to 9, such as 3 or 1/3"
AHP_CONSISTENT = "Consistent: CR is at most 0.10"
AHP_INCONSISTENT = "Inconsistent: CR is above 0.10; revisit "
"""AHP_Check; the inconsistent message ends with the pair to revisit ("Cost vs Quality systems")."""
NO_QUALIFIED = "No qualified vendors to compare yet"
ROBUSTNESS_ARGS = (0.2, 10_000, 0)
"""ROBUSTNESS's uncertainty, samples and seed in the workbook (and in `partnerfit score`)."""
JUDGEMENT_RANGE = (0.1, 10.0)
"""AHP judgements accepted (Saaty's scale is 1/9 to 9; 0.11 typed for 1/9 passes, a date does not)."""
INVALID_CELL = "invalid"
"""What the hidden clean-scores block holds for a cell that is not a score."""

_LO, _HI = (f"{x:g}" for x in SCALE)
_NUMBER_CHARS = frozenset("0123456789.eE+-")
"""Characters a score typed as text may hold (the workbook reads it with VALUE)."""
_NOT_SCORED_TEXT = tuple(sorted(NOT_SCORED - {""}))
MAX_AHP_CRITERIA = len(RANDOM_INDEX)
_JUDGEMENT_CHARS = frozenset("0123456789./")
"""Characters an AHP judgement typed as text may hold once its spaces are removed ("1 / 3")."""


# --------------------------------------------------------------------------- the inputs


@dataclass(frozen=True)
class Filling:
    """Everything a user types into the workbook, each cell exactly as entered (None = blank).

    `criteria`, `weights` and `minimums` default to the `partner_type` profile (no must-haves);
    `vendors` are the vendor rows from the top (blank rows allowed), at most `capacity` of them.
    `evaluations` are rows (vendor, evaluator, criterion, score[, evidence]) of the Evaluations
    sheet from the top, at most `evaluation_rows` of them; `judgements` the criteria x criteria
    AHP block, of which only the cells above the diagonal are read (default: all 1).
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
    evaluations: tuple = ()
    evaluation_rows: int = DEFAULT_EVALUATION_ROWS
    consensus_method: object = "mean"
    use_ahp: object = "No"
    judgements: tuple | None = None

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
            "evaluations": tuple(tuple(row) + (None,) * (5 - len(row)) for row in self.evaluations),
            "judgements": tuple(tuple(row) for row in self.judgements) if self.judgements is not None
            else ((1.0,) * len(criteria),) * len(criteria),
        }
        for name, value in fields.items():
            object.__setattr__(self, name, value)
        if not 1 <= self.capacity <= MAX_CAPACITY:
            raise PartnerfitError(f"room for {self.capacity} vendors; use 1 to {MAX_CAPACITY}")
        if len(self.vendors) > self.capacity:
            raise PartnerfitError(f"{len(self.vendors)} vendors do not fit in {self.capacity} rows")
        if not 1 <= self.evaluation_rows <= MAX_EVALUATION_ROWS:
            raise PartnerfitError(f"room for {self.evaluation_rows} evaluation rows; use 1 to {MAX_EVALUATION_ROWS}")
        if len(self.evaluations) > self.evaluation_rows:
            raise PartnerfitError(f"{len(self.evaluations)} evaluations do not fit in {self.evaluation_rows} rows")
        if any(len(row) != 5 for row in self.evaluations):
            raise PartnerfitError("an evaluation is (vendor, evaluator, criterion, score[, evidence])")
        if len(self.judgements) != len(criteria) or any(len(row) != len(criteria) for row in self.judgements):
            raise PartnerfitError(f"the AHP judgements must be {len(criteria)} x {len(criteria)}")
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
        missing = [name for name in INPUT_NAMES if name not in values and name not in OPTIONAL_INPUT_NAMES]
        if missing:
            raise PartnerfitError(f"the workbook lacks the defined name {missing[0]}")

        def column(name):
            return tuple(row[0] for row in values[name])

        def cell(name):
            return values[name][0][0]

        rows = zip(column("Vendor_Names"), column("Vendor_Sites"), values["Vendor_Scores"],
                   column("Vendor_Evidence"), column("Vendor_Comments"), column("Vendor_Types"))
        vendors = tuple(Vendor(n, s, tuple(x), e, c, t) for n, s, x, e, c, t in rows)
        criteria = column("Criteria_Names")
        team = {}  # the names of a workbook made before the Evaluations and AHP sheets may be absent
        if all(name in values for name in EVALUATION_NAMES):
            columns = [column(name) for name in EVALUATION_NAMES]
            if len({len(c) for c in columns}) != 1:
                raise PartnerfitError("the Eval_ names cover different numbers of rows; they must cover the same rows")
            team.update(evaluations=tuple(zip(*columns)), evaluation_rows=len(columns[0]))
        if "Consensus_Method" in values:
            team["consensus_method"] = cell("Consensus_Method")
        if "Use_AHP" in values:
            team["use_ahp"] = cell("Use_AHP")
        block = values.get("AHP_Judgements")
        if block is not None and len(block) == len(criteria) and all(len(r) == len(criteria) for r in block):
            team["judgements"] = tuple(tuple(r) for r in block)
        return cls(
            partner_type=cell("Weight_Profile"), stage=cell("Program_Stage"),
            need=cell("Program_Need"), process=cell("Program_Process"),
            cmc_experience=cell("Program_CMC"), modality=cell("Program_Modality"),
            criteria=criteria, weights=column("Weights"),
            minimums=column("Minimums"), min_coverage=cell("Min_Coverage"),
            vendors=vendors, capacity=len(vendors), **team,
        )

    def rows(self) -> list[Vendor]:
        """All `capacity` vendor rows, blank ones included."""
        blank = Vendor(None, None, (None,) * len(self.criteria), None, None, None)
        return list(self.vendors) + [blank] * (self.capacity - len(self.vendors))

    def evaluation_cells(self) -> list[tuple]:
        """All `evaluation_rows` rows (vendor, evaluator, criterion, score, evidence), blank ones included."""
        return list(self.evaluations) + [(None,) * 5] * (self.evaluation_rows - len(self.evaluations))


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


@lru_cache(maxsize=None)
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
_C_USE_AHP = 4        # Criteria: the "Use AHP weights" row
_E_HEAD = 6           # Evaluations: table header row; evaluation rows below
_N_HEAD = 5           # Consensus: header row of the blocks; vendors below
_A_HEAD = 8           # Weights (AHP): header row of the judgements; the full matrix 3 rows below them


def _calc_columns(m: int) -> tuple[int, int, int, int]:
    """Calc: first column of the below-minimum, evaluation, robustness-table and AHP blocks."""
    below = _K_CLEAN + m + 1
    evals = below + m + 1
    robust = evals + 7
    return below, evals, robust, robust + m + 2


def layout(criteria: int, capacity: int, evaluations: int = DEFAULT_EVALUATION_ROWS) -> dict[str, Area]:
    """The defined names of a workbook with `criteria` criteria, room for `capacity` vendors and
    `evaluations` evaluation rows."""
    m, n, e = criteria, capacity, evaluations
    v0, s0, k0, c0 = _V_HEAD + 1, _S_HEAD + 1, _K_HEAD + 1, _C_TABLE + 1
    e0, n0, a0 = _E_HEAD + 1, _N_HEAD + 1, _A_HEAD + 1
    full = a0 + m + 2  # Weights (AHP): first row of the full matrix
    below, evals, robust, ahp = _calc_columns(m)
    after = 1 + m  # Vendors: first column after the scores

    def ahp_block(t: int) -> int:  # Calc: first row of the t-th stacked AHP block
        return k0 + t * (m + 1)

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
        "Use_AHP": Area(CRITERIA_SHEET, _C_USE_AHP, 1),
        "Criteria_Names": Area(CRITERIA_SHEET, c0, 0, m, role=FIXED),
        "Weights": Area(CRITERIA_SHEET, c0, 3, m),
        "Minimums": Area(CRITERIA_SHEET, c0, 4, m),
        "Effective_Weights": Area(CRITERIA_SHEET, c0, 5, m, role=FORMULA),
        "Weight_Shares": Area(CRITERIA_SHEET, c0, 6, m, role=FORMULA),
        "Criteria_Checks": Area(CRITERIA_SHEET, c0, 7, m, role=FORMULA),
        "Weights_Total": Area(CRITERIA_SHEET, c0 + m, 5, role=FORMULA),
        "Vendor_Table": Area(VENDORS, _V_HEAD, 0, n + 1, 1 + m, TABLE),
        "Vendor_Names": Area(VENDORS, v0, 0, n),
        "Vendor_Scores": Area(VENDORS, v0, 1, n, m),
        "Vendor_Types": Area(VENDORS, v0, after, n),
        "Vendor_Sites": Area(VENDORS, v0, after + 1, n),
        "Vendor_Evidence": Area(VENDORS, v0, after + 2, n),
        "Vendor_Comments": Area(VENDORS, v0, after + 3, n),
        "Consensus_Method": Area(EVALUATIONS, 2, 1),
        "Eval_Check": Area(EVALUATIONS, 3, 1, role=FORMULA),
        "Eval_Rows": Area(EVALUATIONS, 4, 1, role=FORMULA),
        "Eval_Table": Area(EVALUATIONS, _E_HEAD, 0, e + 1, 5, TABLE),
        **{name: Area(EVALUATIONS, e0, j, e) for j, name in enumerate(EVALUATION_NAMES)},
        "Eval_Checks": Area(EVALUATIONS, e0, 5, e, role=FORMULA),
        "Consensus_Disagreements": Area(CONSENSUS_SHEET, 2, 1, role=FORMULA),
        "Consensus_Table": Area(CONSENSUS_SHEET, _N_HEAD, 0, n + 1, m + 1, TABLE),
        "Consensus_Vendors": Area(CONSENSUS_SHEET, n0, 0, n, role=FORMULA),
        "Consensus_Scores": Area(CONSENSUS_SHEET, n0, 1, n, m, FORMULA),
        "Consensus_Spreads": Area(CONSENSUS_SHEET, n0, m + 2, n, m, FORMULA),
        "Consensus_Counts": Area(CONSENSUS_SHEET, n0, 2 * m + 3, n, m, FORMULA),
        "Addin_Consensus": Area(CONSENSUS_SHEET, n0 + n + 2, 0, n + 1, m + 1, ADDIN),
        "AHP_Check": Area(AHP_SHEET, 2, 1, role=FORMULA),
        "AHP_CR": Area(AHP_SHEET, 3, 1, role=FORMULA),
        "AHP_Lambda_Max": Area(AHP_SHEET, 4, 1, role=FORMULA),
        "AHP_CI": Area(AHP_SHEET, 5, 1, role=FORMULA),
        "AHP_Judgements": Area(AHP_SHEET, a0, 1, m, m),
        "AHP_Matrix": Area(AHP_SHEET, full, 1, m, m, FORMULA),
        "AHP_Weights": Area(AHP_SHEET, full, m + 1, m, role=FORMULA),
        "Vendor_Count": Area(SCORES, 2, 1, role=FORMULA),
        "Qualified_Count": Area(SCORES, 2, 3, role=FORMULA),
        "Score_Source": Area(SCORES, 2, _S_RANK + 1, role=FORMULA),
        "Robustness": Area(SCORES, 2, _S_ADDIN, role=ADDIN),
        "Result_Vendors": Area(SCORES, s0, 0, n, role=FORMULA),
        "Weighted_Scores": Area(SCORES, s0, 1, n, role=FORMULA),
        "Coverages": Area(SCORES, s0, 2, n, role=FORMULA),
        "Statuses": Area(SCORES, s0, 3, n, role=FORMULA),
        "Ranks": Area(SCORES, s0, 4, n, role=FORMULA),
        "Ranking": Area(SCORES, s0, _S_RANK, n, 3, FORMULA),
        "Addin_Results": Area(SCORES, _S_ADDIN_ROW, _S_ADDIN, n + 1, 5, ADDIN),
        "Calc_Inputs_OK": Area(CALC, 2, 1, role=FORMULA),
        **{name: Area(CALC, 2, 2 + k, role=FORMULA) for k, name in enumerate(_CALC_SWITCHES)},
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
        **{name: Area(CALC, k0, evals + k, e, role=FORMULA) for k, name in enumerate(_CALC_EVALUATION_COLUMNS)},
        "Calc_Robust_Table": Area(CALC, _K_HEAD, robust, n + 1, m + 1, FORMULA),
        "Calc_AHP_Parsed": Area(CALC, ahp_block(0), ahp, m, m, FORMULA),
        "Calc_AHP_Start": Area(CALC, ahp_block(1), ahp, m, m, FORMULA),
        **{f"Calc_AHP_Step_{k}": Area(CALC, ahp_block(1 + k), ahp, m, m, FORMULA) for k in range(1, AHP_STEPS + 1)},
        "Calc_AHP_Errors": Area(CALC, ahp_block(AHP_STEPS + 2), ahp, m, m, FORMULA),
        "Calc_AHP_Row_Max": Area(CALC, ahp_block(AHP_STEPS + 2), ahp + m, m, role=FORMULA),
        "Calc_AHP_Worst": Area(CALC, ahp_block(AHP_STEPS + 3), ahp, 1, 2, FORMULA),
    }


EVALUATION_NAMES = ("Eval_Vendors", "Eval_Evaluators", "Eval_Criteria", "Eval_Scores", "Eval_Evidence")
"""The input columns of the Evaluations sheet, left to right."""
_CALC_SWITCHES = (
    "Calc_Eval_Mode", "Calc_Median", "Calc_Method_OK", "Calc_Consensus_On", "Calc_Use_AHP",
    "Calc_Use_AHP_OK", "Calc_AHP_OK",
)
"""Calc's one-cell switches, on row 3 from column C."""
_CALC_EVALUATION_COLUMNS = (
    "Calc_Eval_Used", "Calc_Eval_Vendor_At", "Calc_Eval_Criterion_At", "Calc_Eval_Score",
    "Calc_Eval_Duplicate_Of", "Calc_Eval_Cell",
)
"""Calc's helper columns, one row per evaluation row: the row is used; its vendor's row on the
Vendors sheet and its criterion's row on the Criteria sheet (0: not found); its score as the
clean-scores block reads it; the earlier row it repeats (0: none); the consensus cell it counts
for, (vendor row - 1) x criteria + criterion row (0: none)."""


INPUT_NAMES = (
    "Weight_Profile", "Program_Stage", "Program_Need", "Program_Process", "Program_CMC",
    "Program_Modality", "Criteria_Names", "Weights", "Minimums", "Min_Coverage", "Vendor_Names",
    "Vendor_Scores", "Vendor_Types", "Vendor_Sites", "Vendor_Evidence", "Vendor_Comments",
    "Use_AHP", "AHP_Judgements", "Consensus_Method", *EVALUATION_NAMES,
)
"""The names `Filling.from_names` reads: everything a user types, plus the fixed criteria."""
OPTIONAL_INPUT_NAMES = frozenset({"Use_AHP", "AHP_Judgements", "Consensus_Method", *EVALUATION_NAMES})
"""Input names a workbook made before the Evaluations and AHP sheets lacks: no evaluations,
typed weights."""


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

    consensus0 = a["Consensus_Scores"].row

    def clean(i, j):
        consensus = f"{CONSENSUS_SHEET}!{_cell(consensus0 + i, 1 + j)}"
        return f"=IF(Calc_Eval_Mode,{consensus},{_clean_formula(score_cell(i, j))})"

    def effective(j):
        return f"{CRITERIA_SHEET}!{_cell(c0 + j, a['Effective_Weights'].col)}"

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
            f'=IF(NOT({present(i)}),"",IF(NOT(Calc_Inputs_OK),'
            f'IF(Criteria_Check<>"{CHECK_OK}","{STATUS_CHECK}","{STATUS_EVALUATIONS}"),'
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
            f'IF(NOT(Calc_Use_AHP_OK),"{CHECK_USE_AHP}",IF(AND(Calc_Use_AHP,NOT(Calc_AHP_OK)),"{CHECK_AHP}",'
            f'IF(NOT(Weights_Total>0),"{CHECK_TOTAL}",'
            f'IF(AND({number("Min_Coverage")},Min_Coverage>=0,Min_Coverage<=1),"{CHECK_OK}","{CHECK_COVERAGE}")))))'
        ),
        "Effective_Weights": lambda i, j: (
            f'=IF(Calc_Use_AHP,IF(Calc_AHP_OK,INDEX(AHP_Weights,{i + 1}),""),'
            f'IF({number(weight(i))},{weight(i)},""))'
        ),
        "Weight_Shares": lambda i, j: (
            f'=IF(AND(ISNUMBER({effective(i)}),Weights_Total>0),{effective(i)}/Weights_Total,"")'
        ),
        "Criteria_Checks": criterion_check,
        "Weights_Total": lambda i, j: "=SUM(Effective_Weights)",
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
        "Calc_Inputs_OK": lambda i, j: (
            f'=AND(Criteria_Check="{CHECK_OK}",OR(NOT(Calc_Eval_Mode),Eval_Check="{EVAL_OK}"))'
        ),
        "Calc_Weight_Row": lambda i, j: f"=IF(ISNUMBER({effective(j)}),{effective(j)},0)",
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
        **_team_formulas(names),
        **_ahp_formulas(names),
    }


def _text_array(texts) -> str:
    """An array constant of texts, as a formula writes it: {"a","b"}."""
    return "{" + ",".join(f'"{t}"' for t in texts) + "}"


_NOT_SCORED_ARRAY = _text_array(("", *_NOT_SCORED_TEXT))
_NUMBER_ARRAY = _text_array(sorted(_NUMBER_CHARS))
_JUDGEMENT_ARRAY = _text_array(sorted(_JUDGEMENT_CHARS))


def _clean_formula(x: str) -> str:
    """The clean score of cell `x` (no leading =): the score, "" when not scored, INVALID_CELL."""
    t = f"TRIM(CLEAN({x}))"
    number = f"VALUE({t})"
    return (
        f'IF(ISLOGICAL({x}),"{INVALID_CELL}",IF(ISNUMBER({x}),'
        f'IF(AND({x}>={_LO},{x}<={_HI}),{x},"{INVALID_CELL}"),IF(ISTEXT({x}),'
        f'IF(SUMPRODUCT(--(LOWER({t})={_NOT_SCORED_ARRAY}))>0,"",'
        f'IF(AND(SUMPRODUCT(LEN({t})-LEN(SUBSTITUTE({t},{_NUMBER_ARRAY},"")))=LEN({t}),ISNUMBER({number})),'
        f'IF(AND({number}>={_LO},{number}<={_HI}),{number},"{INVALID_CELL}"),"{INVALID_CELL}")),'
        f'IF(ISBLANK({x}),"","{INVALID_CELL}"))))'
    )


def _choice(x: str) -> str:
    """A typed choice as the formulas compare it: lower case, trimmed, without control characters."""
    return f'LOWER(TRIM(CLEAN({x}&"")))'


def _team_formulas(names: dict[str, Area]):
    """The Evaluations, Consensus and Robustness formulas (see `_formulas`)."""
    a = names
    m = a["Criteria_Names"].rows
    e0, k0, n0, v0 = a["Eval_Vendors"].row, a["Calc_Present"].row, a["Consensus_Scores"].row, a["Vendor_Names"].row
    evals = a["Calc_Eval_Used"].col
    counts, s0 = a["Consensus_Counts"].col, a["Statuses"].row

    def typed(i, j):  # column j of evaluation row i
        return f"{EVALUATIONS}!{_cell(e0 + i, j)}"

    def helper(i, k, first=None):  # Calc's evaluation column k at row i (or rows first..i)
        column = _column_name(evals + k)
        start = "" if first is None else f"${column}${k0 + first + 1}:"
        return f"{CALC}!{start}${column}${k0 + i + 1}"

    def filled(x):
        return f"LEN(TRIM({x}))>0"

    def row_check(i, j):
        used, vendor, criterion, score, repeat = (helper(i, k) for k in range(5))
        return (
            f'=IF(NOT({used}),"",IF(OR(NOT({filled(typed(i, 0))}),NOT({filled(typed(i, 1))}),'
            f'NOT({filled(typed(i, 2))})),"{EVAL_FILL}",IF({vendor}=0,"{EVAL_VENDOR}",'
            f'IF({criterion}=0,"{EVAL_CRITERION}",IF({score}="{INVALID_CELL}","{EVAL_SCORE.format(lo=_LO, hi=_HI)}",'
            f'IF({repeat}>0,"{EVAL_DUPLICATE}"&({repeat}+{e0}),""))))))'
        )

    def found(i, j):  # the row of the evaluation's vendor (j=0) or criterion (j=2) in its list
        x, within = typed(i, j), ("Vendor_Names", None, "Criteria_Names")[j]
        return f"=IF({filled(x)},IFERROR(MATCH(TRUE,EXACT(TRIM({within}),TRIM({x})),0),0),0)"

    def duplicate(i, j):
        if i == 0:
            return "=0"
        vendor, criterion = helper(i, 1), helper(i, 2)
        evaluator = typed(i, 1)
        earlier = f"{EVALUATIONS}!$B${e0 + 1}:$B{e0 + i}"
        return (
            f"=IF(AND({vendor}>0,{criterion}>0,{filled(evaluator)}),IFERROR(MATCH(1,"
            f"({helper(i - 1, 1, 0)}={vendor})*({helper(i - 1, 2, 0)}={criterion})"
            f"*EXACT(TRIM({earlier}),TRIM({evaluator})),0),0),0)"
        )

    def block(col, i, j):
        return f"{CONSENSUS_SHEET}!{_cell(n0 + i, col + j)}"

    def consensus(i, j):
        count, code = block(counts, i, j), i * m + j + 1
        return (
            f'=IF(N({count})>0,IF(Calc_Median,MEDIAN(IF(Calc_Eval_Cell={code},Calc_Eval_Score)),'
            f'SUMIF(Calc_Eval_Cell,{code},Calc_Eval_Score)/{count}),"")'
        )

    def spread(i, j):
        count, code = block(counts, i, j), i * m + j + 1
        return (
            f'=IF(N({count})>0,MAX(IF(Calc_Eval_Cell={code},Calc_Eval_Score))'
            f'-MIN(IF(Calc_Eval_Cell={code},Calc_Eval_Score)),"")'
        )

    def robust_cell(i, j):
        if i == 0:
            return '="Vendor"' if j == 0 else f"={CRITERIA_SHEET}!{_cell(a['Criteria_Names'].row + j - 1, 0)}"
        qualified = f'{SCORES}!$D${s0 + i}="Qualified"'
        value = f"{VENDORS}!$A${v0 + i}" if j == 0 else f"{CALC}!{_cell(k0 + i - 1, _K_CLEAN + j - 1)}"
        return f'=IF({qualified},{value},"")'

    method = _choice("Consensus_Method")
    return {
        "Eval_Check": lambda i, j: (
            f'=IF(SUMPRODUCT(--(Eval_Checks<>""))>0,"{EVAL_ROWS}",IF(Calc_Method_OK,"{EVAL_OK}","{EVAL_METHOD}"))'
        ),
        "Eval_Rows": lambda i, j: "=SUMPRODUCT(--Calc_Eval_Used)",
        "Eval_Checks": row_check,
        "Calc_Eval_Mode": lambda i, j: "=Eval_Rows>0",
        "Calc_Median": lambda i, j: f'={method}="median"',
        "Calc_Method_OK": lambda i, j: f'=OR({method}="",{method}="mean",{method}="median")',
        "Calc_Consensus_On": lambda i, j: f'=AND(Calc_Eval_Mode,Eval_Check="{EVAL_OK}")',
        "Calc_Eval_Used": lambda i, j: "=OR(" + ",".join(filled(typed(i, c)) for c in range(4)) + ")",
        "Calc_Eval_Vendor_At": lambda i, j: found(i, 0),
        "Calc_Eval_Criterion_At": lambda i, j: found(i, 2),
        "Calc_Eval_Score": lambda i, j: "=" + _clean_formula(typed(i, 3)),
        "Calc_Eval_Duplicate_Of": duplicate,
        "Calc_Eval_Cell": lambda i, j: (
            f"=IF(AND({helper(i, 1)}>0,{helper(i, 2)}>0,ISNUMBER({helper(i, 3)})),"
            f"({helper(i, 1)}-1)*{m}+{helper(i, 2)},0)"
        ),
        "Consensus_Disagreements": lambda i, j: f'=COUNTIF(Consensus_Spreads,">={DISAGREEMENT:g}")',
        "Consensus_Vendors": lambda i, j: f'=IF({CALC}!$A${k0 + i + 1},{VENDORS}!$A${v0 + i + 1},"")',
        "Consensus_Scores": consensus,
        "Consensus_Spreads": spread,
        "Consensus_Counts": lambda i, j: (
            f'=IF(AND(Calc_Consensus_On,{CALC}!$A${k0 + i + 1}),COUNTIF(Calc_Eval_Cell,{i * m + j + 1}),"")'
        ),
        "Score_Source": lambda i, j: (
            '=IF(Calc_Eval_Mode,"Evaluations: "&IF(Calc_Median,"median","mean")&" of the evaluators","Vendors sheet")'
        ),
        "Calc_Robust_Table": robust_cell,
    }


def _ahp_formulas(names: dict[str, Area]):
    """The Weights (AHP) formulas: the full reciprocal matrix, its principal eigenvector by
    repeated squaring (A/sum, then B <- B.B/sum(B.B) AHP_STEPS times; the row sums of A^1024
    are proportional to the eigenvector to double precision), lambda max, CI, CR and the
    judgement to revisit."""
    a = names
    m = a["Criteria_Names"].rows
    judged, full, parsed = a["AHP_Judgements"], a["AHP_Matrix"], a["Calc_AHP_Parsed"]
    errors, weights = a["Calc_AHP_Errors"], a["AHP_Weights"]
    last = a[f"Calc_AHP_Step_{AHP_STEPS}"]

    def at(area, i, j, absolute=True):
        return f"{_quote(area.sheet)}!{_cell(area.row + i, area.col + j, absolute)}"

    def whole(area):
        return area.ref

    def parse(i, j):
        if i >= j:
            return '=""'
        x = at(judged, i, j)
        t = f'SUBSTITUTE(TRIM(CLEAN({x}))," ","")'
        slash = f'FIND("/",{t})'
        value = f"IF(ISNUMBER({slash}),VALUE(LEFT({t},{slash}-1))/VALUE(MID({t},{slash}+1,LEN({t}))),VALUE({t}))"
        return (
            f'=IFERROR(IF(ISLOGICAL({x}),"",IF(ISNUMBER({x}),{x},IF(ISTEXT({x}),'
            f'IF(AND(LEN({t})>0,SUMPRODUCT(LEN({t})-LEN(SUBSTITUTE({t},{_JUDGEMENT_ARRAY},"")))=LEN({t}),'
            f'LEN({t})-LEN(SUBSTITUTE({t},"/",""))<=1),{value},""),""))),"")'
        )

    lo, hi = JUDGEMENT_RANGE

    def matrix(i, j):
        if i == j:
            return "=1"
        if i > j:
            upper = at(full, j, i)
            return f'=IF(ISNUMBER({upper}),1/{upper},"")'
        p = at(parsed, i, j)
        return f'=IF(ISNUMBER({p}),IF(AND({p}>={lo:g},{p}<={hi:g}),{p},""),"")'

    def step(previous):
        p = whole(previous)
        return lambda i, j: f'=IF(Calc_AHP_OK,MMULT({p},{p})/SUM(MMULT({p},{p})),"")'

    def weight(i, j):
        row = f"{at(last, i, 0)}:{_cell(last.row + i, last.col + m - 1)}"
        return f'=IF(Calc_AHP_OK,SUM({row})/SUM({whole(last)}),"")'

    def error(i, j):
        if i >= j:
            return "=-1"
        return f"=IF(Calc_AHP_OK,ABS(LN({at(full, i, j)}*{at(weights, j, 0)}/{at(weights, i, 0)})),-1)"

    too_many = m > MAX_AHP_CRITERIA
    steps = {f"Calc_AHP_Step_{k}": step(a["Calc_AHP_Start"] if k == 1 else a[f"Calc_AHP_Step_{k - 1}"])
             for k in range(1, AHP_STEPS + 1)}
    worst_row, worst_col = (at(a["Calc_AHP_Worst"], 0, k) for k in (0, 1))
    return {
        "Calc_Use_AHP": lambda i, j: f'={_choice("Use_AHP")}="yes"',
        "Calc_Use_AHP_OK": lambda i, j: f'=OR({_choice("Use_AHP")}="",{_choice("Use_AHP")}="yes",{_choice("Use_AHP")}="no")',
        "Calc_AHP_OK": lambda i, j: "=FALSE" if too_many else f"=COUNT(AHP_Matrix)={m * m}",
        "Calc_AHP_Parsed": parse,
        "AHP_Matrix": matrix,
        "Calc_AHP_Start": lambda i, j: '=IF(Calc_AHP_OK,AHP_Matrix/SUM(AHP_Matrix),"")',
        **steps,
        "AHP_Weights": weight,
        "AHP_Lambda_Max": lambda i, j: '=IF(Calc_AHP_OK,SUM(MMULT(AHP_Matrix,AHP_Weights)),"")',
        "AHP_CI": lambda i, j: f'=IF(Calc_AHP_OK,{f"(AHP_Lambda_Max-{m})/{m - 1}" if m > 1 else "0"},"")',
        "AHP_CR": lambda i, j: f'=IF(Calc_AHP_OK,{f"AHP_CI/{RANDOM_INDEX[m - 1]}" if 2 < m <= MAX_AHP_CRITERIA else "0"},"")',
        "Calc_AHP_Errors": error,
        "Calc_AHP_Row_Max": lambda i, j: f"=MAX({at(errors, i, 0)}:{_cell(errors.row + i, errors.col + m - 1)})",
        "Calc_AHP_Worst": lambda i, j: (  # only when inconsistent: among near-equal errors (all 1s) noise decides
            f"=IF(N(AHP_CR)>{CR_THRESHOLD:g},MATCH(MAX(Calc_AHP_Row_Max),Calc_AHP_Row_Max,0),0)" if j == 0
            else f"=IF(N(AHP_CR)>{CR_THRESHOLD:g},"
                 f"MATCH(INDEX(Calc_AHP_Row_Max,{worst_row}),INDEX(Calc_AHP_Errors,{worst_row},0),0),0)"
        ),
        "AHP_Check": lambda i, j: (
            f'="{AHP_TOO_MANY}"' if too_many else
            f'=IF(NOT(Calc_AHP_OK),"{AHP_INCOMPLETE}",IF(AHP_CR>{CR_THRESHOLD:g},"{AHP_INCONSISTENT}"'
            f'&INDEX(Criteria_Names,{worst_row})&" vs "&INDEX(Criteria_Names,{worst_col}),"{AHP_CONSISTENT}"))'
        ),
    }


def _addin_formulas() -> dict[str, str]:
    program = "Program_Stage,Program_Need,Program_Process,Program_CMC,Program_Modality"
    return {
        "Addin_Version": "=PARTNERFIT_VERSION()",
        "Fit_Scores": f"=PARTNER_FIT_SCORES({program})",
        "Recommendation": f"=PARTNER_FIT({program})",
        "Recommendation_Reason": f"=PARTNER_FIT_WHY({program})",
        "Addin_Results": (
            "=VENDOR_SCORES(IF(Calc_Eval_Mode,Consensus_Table,Vendor_Table),Effective_Weights,Minimums,Min_Coverage)"
        ),
        "Addin_Consensus": "=CONSENSUS(Eval_Table,Consensus_Method)",
        "Robustness": (
            f"=IF(Qualified_Count>0,ROBUSTNESS(Calc_Robust_Table,Effective_Weights,"
            f'{",".join(f"{x:g}" for x in ROBUSTNESS_ARGS)}),"{NO_QUALIFIED}")'
        ),
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


def _excel_text(value) -> str:
    """A cell as Excel's text functions see it (TRIM(x), x&""): numbers in General format."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if _is_number(value):
        return f"{float(value):.15g}".upper()
    return str(value)


def _spaces(text: str) -> str:
    """Excel's TRIM: spaces (only) removed at both ends and runs of them folded to one."""
    return " ".join(part for part in text.split(" ") if part)


def _name_key(value) -> str:
    """A vendor, evaluator or criterion name as the formulas compare it: TRIM(x), case kept (EXACT)."""
    return _spaces(_excel_text(value))


def _choice_value(value) -> str:
    """A typed choice (Use AHP weights, Consensus method) as `_choice` reads it."""
    return _trim(_excel_text(value)).lower()


def read_judgement(value) -> float | None:
    """One AHP judgement cell as the workbook reads it: a number, text such as "3", "1/3" or
    "1 / 3", or None (blank, not a judgement). The range check (JUDGEMENT_RANGE) comes after."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if _is_number(value):
        return float(value)
    if not isinstance(value, str):
        return None  # blank, a date (a fraction Excel took for a date), an error value
    text = _trim(value).replace(" ", "")
    if not text or not set(text) <= _JUDGEMENT_CHARS or text.count("/") > 1:
        return None
    try:
        if "/" in text:
            top, bottom = text.split("/")
            return float(top) / float(bottom)
        return float(text)
    except (ValueError, ZeroDivisionError):
        return None


@dataclass(frozen=True)
class EvaluationRead:
    """The Evaluations sheet as its formulas read it (Calc's evaluation columns), row by row.

    `vendor_at` / `criterion_at`: 1-based row in Vendor_Names / Criteria_Names of the first name
    equal to the row's (TRIM, case kept; 0: none); `duplicate_of`: 1-based index of the first
    earlier row with the same vendor, criterion and evaluator (0: none); `cell`: the consensus
    cell the row counts for, (vendor_at - 1) x criteria + criterion_at (0: none).
    """

    used: list[bool]
    vendor_at: list[int]
    criterion_at: list[int]
    score: list
    """Each row's score as the clean-scores block reads it: a number, "" or INVALID_CELL."""
    duplicate_of: list[int]
    cell: list[int]
    checks: list[str]
    """The Check column ("" when the row is fine)."""
    median: bool
    method_ok: bool

    @property
    def rows(self) -> int:
        return sum(self.used)

    @property
    def mode(self) -> bool:
        """Any evaluation row: the consensus replaces the Vendors sheet's scores everywhere."""
        return self.rows > 0

    @property
    def check(self) -> str:
        return EVAL_ROWS if any(self.checks) else EVAL_OK if self.method_ok else EVAL_METHOD

    @property
    def method(self) -> str:
        return "median" if self.median else "mean"

    def statistics(self, vendors: int, criteria: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(consensus, spread, count), vendor rows x criteria, from the engine's kernel
        (`consensus.cell_statistics`); NaN where nobody scored."""
        kept = [k for k, c in enumerate(self.cell) if c]
        codes = np.array([self.cell[k] - 1 for k in kept], dtype=np.intp)
        scores = np.array([self.score[k] for k in kept], dtype=float)
        centre, spread, count = cell_statistics(codes, scores, vendors * criteria, self.method)
        shape = (vendors, criteria)
        return centre.reshape(shape), spread.reshape(shape), count.reshape(shape)


def read_evaluations(vendor_names, criteria_names, rows, method, first_row: int) -> EvaluationRead:
    """Read evaluation rows (vendor, evaluator, criterion, score, ...) against the Vendors sheet's
    `vendor_names` and the `criteria_names`, exactly as the workbook's formulas do.

    `first_row`: the 0-based sheet row of the first evaluation row, for the duplicate message.
    """
    def index(names) -> dict[str, int]:
        found: dict[str, int] = {}
        for k, name in enumerate(names):
            key = _name_key(name)
            if key:
                found.setdefault(key, k + 1)
        return found

    vendors, criteria = index(vendor_names), index(criteria_names)
    m = len(criteria_names)
    first: dict[tuple, int] = {}
    out = {key: [] for key in ("used", "vendor_at", "criterion_at", "score", "duplicate_of", "cell", "checks")}
    for k, row in enumerate(rows):
        vendor, evaluator, criterion, score = row[:4]
        filled = [_present(x) for x in (vendor, evaluator, criterion, score)]
        used = any(filled)
        vendor_at = vendors.get(_name_key(vendor), 0) if filled[0] else 0
        criterion_at = criteria.get(_name_key(criterion), 0) if filled[2] else 0
        clean = _clean(score)
        duplicate = 0
        if vendor_at and criterion_at and filled[1]:
            duplicate = first.setdefault((vendor_at, criterion_at, _name_key(evaluator)), k + 1)
            duplicate = 0 if duplicate == k + 1 else duplicate
        if not used:
            check = ""
        elif not all(filled[:3]):
            check = EVAL_FILL
        elif not vendor_at:
            check = EVAL_VENDOR
        elif not criterion_at:
            check = EVAL_CRITERION
        elif clean == INVALID_CELL:
            check = EVAL_SCORE.format(lo=_LO, hi=_HI)
        elif duplicate:
            check = f"{EVAL_DUPLICATE}{first_row + duplicate}"
        else:
            check = ""
        cell = (vendor_at - 1) * m + criterion_at if vendor_at and criterion_at and isinstance(clean, float) else 0
        for key, value in zip(out, (used, vendor_at, criterion_at, clean, duplicate, cell, check)):
            out[key].append(value)
    choice = _choice_value(method)
    return EvaluationRead(**out, median=choice == "median", method_ok=choice in ("", "mean", "median"))


@dataclass(frozen=True)
class AHPRead:
    """The Weights (AHP) sheet as its formulas read it."""

    parsed: list[list]
    """Calc_AHP_Parsed: each judgement above the diagonal read (`read_judgement`), else ""."""
    matrix: list[list]
    """AHP_Matrix: the full reciprocal matrix ("" where a judgement is missing or off the scale)."""
    ok: bool
    result: object
    """`ahp.ahp_weights` of the matrix when `ok`, else None."""

    def first_bad(self) -> tuple[int, int] | None:
        """0-based (row, column) of the first missing or unusable judgement, in reading order."""
        m = len(self.matrix)
        return next(((i, j) for i in range(m) for j in range(i + 1, m) if self.matrix[i][j] == ""), None)


def read_ahp(judgements) -> AHPRead:
    """Read an AHP judgement block (criteria x criteria; only the cells above the diagonal count)
    and, when complete, weigh it with the engine (`ahp.ahp_weights`)."""
    m = len(judgements)
    lo, hi = JUDGEMENT_RANGE
    parsed = [["" for _ in range(m)] for _ in range(m)]
    matrix = [[1.0 if i == j else "" for j in range(m)] for i in range(m)]
    for i in range(m):
        for j in range(i + 1, m):
            value = read_judgement(judgements[i][j])
            if value is not None:
                parsed[i][j] = value
                if lo <= value <= hi:
                    matrix[i][j], matrix[j][i] = value, 1 / value
    ok = m <= MAX_AHP_CRITERIA and all(x != "" for row in matrix for x in row)
    result = ahp_weights(np.array(matrix, dtype=float)) if ok else None
    return AHPRead(parsed, matrix, ok, result)


def _ahp_values(f: Filling) -> tuple[dict[str, list[list]], AHPRead]:
    """The Weights (AHP) sheet's values and its Calc blocks.

    The native formulas find the principal eigenvector by repeated squaring: B0 = A / sum(A),
    B(k+1) = B(k).B(k) / sum(B(k).B(k)), and the weights are the row sums of B(AHP_STEPS)
    (A^1024 up to a factor). For a positive matrix A^k / |A^k| tends to w v' (Perron), with an
    error shrinking like (|lambda_2| / lambda_max)^k: after 1,024 powers it is far below double
    precision for any reciprocal matrix of judgements from 1/9 to 9 (tests/test_template.py
    checks 1e-9 against the engine on the published cases and random matrices). The cached
    weights, lambda max, CI and CR are the engine's (`ahp.ahp_weights`, LAPACK); the Calc blocks
    hold the same squaring done in numpy.
    """
    m = len(f.criteria)
    read = read_ahp(f.judgements)
    blank = [["" for _ in range(m)] for _ in range(m)]
    values = {"Calc_AHP_Parsed": read.parsed, "AHP_Matrix": read.matrix}
    errors = [[-1.0] * m for _ in range(m)]
    if read.ok:
        a, result = np.array(read.matrix, dtype=float), read.result
        b = a / a.sum()
        values["Calc_AHP_Start"] = b.tolist()
        for k in range(1, AHP_STEPS + 1):
            c = b @ b
            b = c / c.sum()
            values[f"Calc_AHP_Step_{k}"] = b.tolist()
        w = result.weights
        for i in range(m):
            for j in range(i + 1, m):
                errors[i][j] = float(abs(math.log(a[i, j] * w[j] / w[i])))
        values.update({
            "AHP_Weights": _column(float(x) for x in w),
            "AHP_Lambda_Max": [[float(result.lambda_max)]],
            "AHP_CI": [[float(result.ci)]],
            "AHP_CR": [[float(result.cr)]],
        })
    else:
        values.update({"Calc_AHP_Start": blank, **{f"Calc_AHP_Step_{k}": blank for k in range(1, AHP_STEPS + 1)},
                       "AHP_Weights": _column([""] * m), "AHP_Lambda_Max": [[""]], "AHP_CI": [[""]], "AHP_CR": [[""]]})
    worst = [0, 0]
    if m > MAX_AHP_CRITERIA:
        check = AHP_TOO_MANY
    elif not read.ok:
        check = AHP_INCOMPLETE
    elif read.result.consistent:
        check = AHP_CONSISTENT
    else:  # the engine's pair: the largest |ln(a_ij w_j / w_i)| above the diagonal, first in reading order
        i, j = read.result.worst_pair
        worst = [i + 1, j + 1]
        check = f"{AHP_INCONSISTENT}{_result_name(f.criteria[i])} vs {_result_name(f.criteria[j])}"
    values.update({
        "Calc_AHP_Errors": errors,
        "Calc_AHP_Row_Max": _column(max(row) for row in errors),
        "Calc_AHP_Worst": [worst],
        "AHP_Check": [[check]],
    })
    return values, read


def effective_weights(weights, use_ahp, ahp: AHPRead) -> tuple[list, bool, bool]:
    """(Effective_Weights as the Criteria sheet shows them, use AHP, Use AHP weights is valid):
    the AHP weights when Use AHP weights is Yes ("" while the judgements are incomplete), else
    the typed weights ("" for a blank or a weight that is not a number)."""
    choice = _choice_value(use_ahp)
    use = choice == "yes"
    if use:
        effective = [float(x) for x in ahp.result.weights] if ahp.ok else [""] * len(weights)
    else:
        effective = [float(w) if _is_number(w) else "" for w in weights]
    return effective, use, choice in ("", "yes", "no")


def computed_values(filling: Filling) -> dict[str, list[list]]:
    """The value of every formula and add-in cell of the workbook holding `filling`.

    Name -> rows of values, shaped like `layout()`'s areas; "" for an empty result. Native
    results come from the engine (`scoring.evaluate`, `consensus.cell_statistics`,
    `ahp.ahp_weights`) on the cells as the formulas read them.
    """
    f = filling
    rows = f.rows()
    n, m = f.capacity, len(f.criteria)
    names = [v.name for v in rows]
    present = [_present(name) for name in names]
    team = read_evaluations(names, f.criteria, f.evaluation_cells(), f.consensus_method, _E_HEAD + 1)
    consensus_on = team.mode and team.check == EVAL_OK
    if consensus_on:
        centre, spread, count = team.statistics(n, m)
    if team.mode:
        clean = ([["" if math.isnan(x) else float(x) for x in row] for row in centre.tolist()] if consensus_on
                 else [[""] * m for _ in range(n)])
    else:
        clean = [[_clean(x) for x in v.scores] for v in rows]
    ahp_values, ahp = _ahp_values(f)
    effective, use_ahp, use_ok = effective_weights(f.weights, f.use_ahp, ahp)

    weight_row = [x if isinstance(x, float) else 0.0 for x in effective]
    minimum_row = [float(x) if _is_number(x) else "" for x in f.minimums]
    total = sum(x for x in effective if isinstance(x, float))
    checks = [_criterion_check(w, x) for w, x in zip(f.weights, f.minimums)]
    coverage_ok = _is_number(f.min_coverage) and 0 <= f.min_coverage <= 1
    check = (CHECK_ROWS if any(checks) else CHECK_USE_AHP if not use_ok
             else CHECK_AHP if use_ahp and not ahp.ok else CHECK_TOTAL if not total > 0
             else CHECK_OK if coverage_ok else CHECK_COVERAGE)
    inputs_ok = check == CHECK_OK and (not team.mode or team.check == EVAL_OK)

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
            status[i] = STATUS_CHECK if check != CHECK_OK else STATUS_EVALUATIONS
    elif listed:
        if team.mode:
            matrix = centre[listed]
            unreadable = np.zeros(matrix.shape, dtype=bool)
        else:
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

    shown = [consensus_on and p for p in present]
    nothing = [[""] * m for _ in range(n)]

    def block(values):  # a consensus or spread block: shown where the vendor is listed and scored
        return [[float(x) if s and c > 0 else "" for x, c in zip(row, counts)]
                for s, row, counts in zip(shown, values.tolist(), count.tolist())]

    spreads = block(spread) if consensus_on else nothing
    result_names = [_result_name(name) if p else "" for name, p in zip(names, present)]
    robust = [["Vendor", *(_result_name(c) for c in f.criteria)]] + [
        [result_names[i], *clean[i]] if status[i] == "Qualified" else [""] * (m + 1) for i in range(n)
    ]
    values = {
        "Criteria_Check": [[check]],
        "Effective_Weights": _column(effective),
        "Weight_Shares": _column(x / total if isinstance(x, float) and total > 0 else "" for x in effective),
        "Criteria_Checks": _column(checks),
        "Weights_Total": [[total]],
        "Vendor_Count": [[sum(present)]],
        "Qualified_Count": [[sum(s == "Qualified" for s in status)]],
        "Result_Vendors": _column(result_names),
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
        "Eval_Check": [[team.check]],
        "Eval_Rows": [[team.rows]],
        "Eval_Checks": _column(team.checks),
        "Calc_Eval_Mode": [[team.mode]],
        "Calc_Median": [[team.median]],
        "Calc_Method_OK": [[team.method_ok]],
        "Calc_Consensus_On": [[consensus_on]],
        "Calc_Use_AHP": [[use_ahp]],
        "Calc_Use_AHP_OK": [[use_ok]],
        "Calc_AHP_OK": [[ahp.ok]],
        "Calc_Eval_Used": _column(team.used),
        "Calc_Eval_Vendor_At": _column(team.vendor_at),
        "Calc_Eval_Criterion_At": _column(team.criterion_at),
        "Calc_Eval_Score": _column(team.score),
        "Calc_Eval_Duplicate_Of": _column(team.duplicate_of),
        "Calc_Eval_Cell": _column(team.cell),
        "Consensus_Disagreements": [[sum(isinstance(x, float) and x >= DISAGREEMENT for row in spreads for x in row)]],
        "Consensus_Vendors": _column(result_names),
        "Consensus_Scores": block(centre) if consensus_on else nothing,
        "Consensus_Spreads": spreads,
        "Consensus_Counts": ([[int(c) if s else "" for c in row] for s, row in zip(shown, count.tolist())]
                             if consensus_on else nothing),
        "Score_Source": [[f"Evaluations: {team.method} of the evaluators" if team.mode else "Vendors sheet"]],
        "Calc_Robust_Table": robust,
        **ahp_values,
    }
    values.update(_addin_values(f, n, values, team))
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


def _addin_values(f: Filling, n: int, native: dict[str, list[list]], team: EvaluationRead) -> dict[str, list[list]]:
    """What the add-in functions return for these inputs (`native`: the native formulas' values)."""
    udfs = _udfs()
    m = len(f.criteria)
    program = [_excel(x) for x in (f.stage, f.need, f.process, f.cmc_experience, f.modality)]
    if team.mode:  # VENDOR_SCORES(IF(Calc_Eval_Mode,Consensus_Table,Vendor_Table), ...)
        table = [["Vendor", *f.criteria]] + [
            [_excel(x) for x in (name, *row)]
            for (name,), row in zip(native["Consensus_Vendors"], native["Consensus_Scores"])
        ]
    else:
        table = [["Vendor", *f.criteria]] + [[_excel(x) for x in (v.name, *v.scores)] for v in f.rows()]
    weights = [_excel(w) for (w,) in native["Effective_Weights"]]
    results = udfs.VENDOR_SCORES(table, weights, [_excel(x) for x in f.minimums], _excel(f.min_coverage))
    if team.rows:  # CONSENSUS imports pandas: only when there is something to compute
        evaluations = [["Vendor", "Evaluator", "Criterion", "Score", "Evidence"]]
        evaluations += [[_excel(x) for x in row] for row in f.evaluation_cells()]
        consensus = udfs.CONSENSUS(evaluations, _excel(f.consensus_method))
    else:
        consensus = [["Vendor"]]  # what CONSENSUS returns for no evaluations (a test checks it)
    if native["Qualified_Count"][0][0] > 0:
        robust = [[_excel(x) for x in row] for row in native["Calc_Robust_Table"]]
        robustness = udfs.ROBUSTNESS(robust, weights, *ROBUSTNESS_ARGS)
    else:
        robustness = NO_QUALIFIED
    return {
        "Addin_Version": [[udfs.PARTNERFIT_VERSION()]],
        "Recommendation": [[udfs.PARTNER_FIT(*program)]],
        "Fit_Scores": _block(udfs.PARTNER_FIT_SCORES(*program), 2, 3),
        "Recommendation_Reason": [[udfs.PARTNER_FIT_WHY(*program)]],
        "Addin_Results": _block(results, n + 1, 5),
        "Addin_Consensus": _block(consensus, n + 1, m + 1),
        "Robustness": [[robustness]],
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

_FUNCTIONS = ("PARTNER_FIT, PARTNER_FIT_SCORES, PARTNER_FIT_WHY, VENDOR_SCORE, VENDOR_SCORES, CONSENSUS, "
              "AHP_WEIGHTS, RANK_ACCEPTABILITY, FLIP_MARGIN, ROBUSTNESS")
_START_LINES = (
    ("title", "Partner evaluation workbook"),
    ("wrap", "Choose the kind of outsourcing partner for a biopharma program (CRO, CMO or CDMO), "
             "then score candidate vendors on weighted criteria and rank them. "
             "Made with partnerfit {version}."),
    ("section", "How to use it"),
    ("wrap", "1. Program: describe the program with the drop-down lists (stage, need, process "
             "maturity, CMC experience, modality); the recommended partner type appears below them."),
    ("wrap", "2. Criteria: adjust the weights (any total; the defaults are the {profile} profile) and "
             "set must-have minimums: a vendor scoring below one is knocked out. Or compare the criteria in "
             "pairs on the Weights (AHP) sheet and set Use AHP weights to Yes."),
    ("wrap", "3. Vendors: one row per vendor; score each criterion from {lo} (poor) to {hi} (excellent) "
             "with the guide on the Criteria sheet. Leave a cell blank or enter N/A when you cannot "
             "score it: it is left out, not counted as zero. Several evaluators? Enter one row per vendor, "
             "evaluator and criterion on the Evaluations sheet instead: their consensus (mean or median) then "
             "replaces the Vendors sheet's scores, and the Consensus sheet flags where they disagree."),
    ("wrap", "4. Scores: weighted score, coverage (the share of the weight that was scored), status and "
             "rank of every vendor, the qualified vendors best first, a chart, and (with the live functions) "
             "how robust the ranking is to the weights."),
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
    """An XlsxWriter worksheet that writes our native formulas as they are, many at a time.

    For every formula XlsxWriter searches for Excel 365's dynamic-array functions (to write it as
    a dynamic array) and runs about thirty regular expressions to prefix future functions with
    `_xlfn.`: some 20 us a cell, a third of the time a new workbook took. The native formulas use
    none of them (RANK.EQ is written prefixed; the add-in cells are written as dynamic arrays on
    purpose). tests/test_template.py checks that XlsxWriter's own handling would leave every
    formula as is.
    """
    from xlsxwriter.worksheet import CellFormulaTuple, Worksheet

    class PreparedSheet(Worksheet):
        def _prepare_formula(self, formula, expand_future_functions=False):
            formula = formula[1:] if formula.startswith("{") else formula
            formula = formula[1:] if formula.startswith("=") else formula
            return formula[:-1] if formula.endswith("}") else formula

        def write_formulas(self, cells, array: bool = False) -> None:
            """Write (row, col, formula, format, cached value) cells as ordinary formulas, or as
            single-cell legacy array formulas when `array`."""
            for row, col, formula, cell_format, value in cells:
                if array:
                    self._write_array_formula(row, col, row, col, formula, cell_format, value)
                elif not self._check_dimensions(row, col):
                    self.table[row][col] = CellFormulaTuple(self._prepare_formula(formula), cell_format, value)

    return PreparedSheet


class _Writer:
    """Writes one workbook; one method per sheet."""

    def __init__(self, path: Path, filling: Filling):
        import xlsxwriter

        self.f = filling
        self.m, self.n = len(filling.criteria), filling.capacity
        self.names = layout(self.m, self.n, filling.evaluation_rows)
        self.values = computed_values(filling)
        self.formulas = _formulas(self.names)
        self.wb = xlsxwriter.Workbook(
            str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
                        "in_memory": filling.capacity + filling.evaluation_rows <= _IN_MEMORY_ROWS},
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
        ws.write_formulas(
            [(area.row + i, area.col + j, make(i, j), formats[j], _cached(values[i][j]))
             for i in range(area.rows) for j in range(area.cols)],
            array=name in CELL_ARRAY_NAMES,
        )

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
            ws.write_string(row, 8, profile.weights.get(criterion.key, (None, ""))[1], wrap)
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

    def evaluations(self):
        ws, f = self.ws[EVALUATIONS], self.f
        e = f.evaluation_rows
        ws.set_tab_color("#BF9000")
        for col, width in enumerate((28, 18, 30, 8, 48, 44)):
            ws.set_column(col, col, width)
        ws.write_string(0, 0, "Evaluations: several evaluators", self.style("title"))
        ws.set_row(0, 24)
        ws.write_string(1, 0, "Optional. One row per vendor, evaluator and criterion. As soon as this sheet holds a "
                              "row, the Scores sheet uses the consensus of these rows (Consensus sheet) for every "
                              "vendor, and the scores on the Vendors sheet are ignored. Blank or N/A = not scored.",
                        self.style("subtitle"))
        for row, label in ((2, "Consensus method"), (3, "Evaluations check"), (4, "Rows entered")):
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
        headers = ("Vendor", "Evaluator", "Criterion", "Score", "Evidence")
        ws.add_table(_E_HEAD, 0, _E_HEAD + e, len(headers) - 1, {
            "name": "EvaluationTable", "style": "Table Style Light 1", "autofilter": True,
            "columns": [{"header": h, "header_format": self.style("header")} for h in headers],
        })
        ws.write_string(_E_HEAD, 5, "Check", self.style("header"))
        ws.set_row(_E_HEAD, 32)
        cells = f.evaluation_cells()
        for k, name in enumerate(EVALUATION_NAMES):
            extra = ("center",) if name == "Eval_Scores" else ("wrap",) if name == "Eval_Evidence" else ()
            self.fill(name, _column(row[k] for row in cells), self.style("input", *extra))
        self.formula("Eval_Checks", self.style("computed", "wrap", font_color="#9C0006"))
        first, last = _E_HEAD + 1, _E_HEAD + e
        for col, source, title in ((0, "=Vendor_Names", "Vendor"), (2, "=Criteria_Names", "Criterion")):
            ws.data_validation(first, col, last, col, {
                "validate": "list", "source": source, "error_type": "warning",
                "input_title": title, "input_message": f"As named on the {title == 'Vendor' and 'Vendors' or 'Criteria'} sheet.",
                "error_title": f"Unknown {title.lower()}",
                "error_message": f"Not on the {title == 'Vendor' and 'Vendors' or 'Criteria'} sheet. Keep it anyway?",
            })
        choices = [f"{s:g}" for s in range(int(SCALE[0]), int(SCALE[1]) + 1)] + ["N/A"]
        ws.data_validation(first, 3, last, 3, {
            "validate": "list", "source": choices, "error_type": "warning",
            "input_title": "Score", "input_message": f"{_LO} (poor) to {_HI} (excellent); blank or N/A = not scored.",
            "error_title": "Not a score",
            "error_message": f"A score is a number from {_LO} to {_HI}, or N/A. Keep it anyway?",
        })
        ws.freeze_panes(_E_HEAD + 1, 1)
        self.finish(EVALUATIONS, (_E_HEAD, _E_HEAD))

    def consensus(self):
        ws, f, m = self.ws[CONSENSUS_SHEET], self.f, self.m
        ws.set_tab_color("#548235")
        ws.set_column(0, 0, 28)
        ws.set_column(1, 3 * m + 2, 9)
        for col in (m + 1, 2 * m + 2):
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
        for col, title in ((1, "Consensus score"), (m + 2, "Spread (highest - lowest)"), (2 * m + 3, "Evaluators")):
            ws.write_string(_N_HEAD - 1, col, title, self.style("section"))
        ws.write_string(_N_HEAD, 0, "Vendor", header)
        for start in (1, m + 2, 2 * m + 3):
            for j, name in enumerate(f.criteria):
                ws.write_string(_N_HEAD, start + j, str(name), header)
        ws.set_row(_N_HEAD, 80)
        self.formula("Consensus_Vendors", self.style("computed", "bold"))
        self.formula("Consensus_Scores", self.style("computed", "score", "center"))
        self.formula("Consensus_Spreads", self.style("computed", "center", num_format="0.##"))
        self.formula("Consensus_Counts", self.style("computed", "center"))
        scores, spreads = self.names["Consensus_Scores"], self.names["Consensus_Spreads"]
        last = scores.row + scores.rows - 1
        # Relative to each block's first cell: a flagged spread, and the consensus score it belongs to.
        corner = _cell(spreads.row, spreads.col, absolute=False)
        flagged = f"=AND(ISNUMBER({corner}),{corner}>={DISAGREEMENT:g})"
        ws.conditional_format(spreads.row, spreads.col, last, spreads.col + m - 1, {
            "type": "formula", "criteria": flagged, "format": self.style("bad", bold=True)})
        ws.conditional_format(scores.row, scores.col, last, scores.col + m - 1, {
            "type": "formula", "criteria": flagged, "format": self.style("warn")})
        area = self.names["Addin_Consensus"]
        ws.write_string(area.row - 1, 0, "Cross-check with the add-in: CONSENSUS(Eval_Table, Consensus_Method), "
                                         "vendors and criteria in order of first appearance", self.style("label"))
        self.addin("Addin_Consensus", [self.style("addin", "bold")] + [self.style("addin", "score", "center")] * m,
                   self.style("addin", "bold", bottom=2, bottom_color="#548235"))
        ws.freeze_panes(_N_HEAD + 1, 1)
        self.finish(CONSENSUS_SHEET, (_N_HEAD, _N_HEAD))

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
        check = _cell(2, 1, False)
        for prefix, style in (("Consistent", "good"), ("Inconsistent", "bad"), ("Fill", "bad"), ("AHP", "bad")):
            ws.conditional_format(check, {"type": "text", "criteria": "begins with", "value": prefix,
                                          "format": self.style(style)})
        ws.conditional_format(_cell(3, 1, False), {
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
        self.formula("AHP_Weights", self.style("computed", "share", "center", "bold"))
        ws.freeze_panes(judged.row, 1)
        self.finish(AHP_SHEET)

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
        ws.write_string(2, _S_RANK, "Scores from", self.style("label", align="right"))
        self.formula("Score_Source", self.style("computed", "bold"))
        ws.write_string(1, _S_ADDIN, "Robustness of the ranking (weights varied +/-20 %; needs the live functions)",
                        self.style("label"))
        # One sentence on two lines across the add-in block: merged cells, so an ordinary formula
        # (ROBUSTNESS returns one value; an array formula cannot be entered in merged cells in
        # Excel 2010-2019).
        robustness = self.style("addin", "wrap")
        area = self.names["Robustness"]
        ws.merge_range(area.row, area.col, area.row, area.col + 4, "", robustness)
        ws.write_formula(area.row, area.col, _addin_formulas()["Robustness"], robustness,
                         _cached(self.values["Robustness"][0][0]))
        ws.set_row(area.row, 32)
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
        for k, (name, label) in enumerate(zip(_CALC_SWITCHES, (
                "Evaluations used", "Median", "Method OK", "Consensus on", "Use AHP", "Use AHP OK", "AHP OK"))):
            ws.write_string(1, 2 + k, label, self.style("label"))
        evals = self.names["Calc_Eval_Used"].col
        for k, text in enumerate(("Evaluation used", "Vendor row", "Criterion row", "Score", "Repeats row",
                                  "Consensus cell")):
            ws.write_string(_K_HEAD, evals + k, text, self.style("header"))
        ws.write_string(_K_HEAD - 1, self.names["Calc_Robust_Table"].col,
                        "Qualified vendors and their scores (ROBUSTNESS reads this)", self.style("label"))
        for name in ("Calc_AHP_Parsed", "Calc_AHP_Start", *(f"Calc_AHP_Step_{k}" for k in range(1, AHP_STEPS + 1)),
                     "Calc_AHP_Errors", "Calc_AHP_Worst"):
            area = self.names[name]
            ws.write_string(area.row - 1, area.col, name.removeprefix("Calc_"), self.style("label"))
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


def build_workbook(path, partner_type="CDMO", vendors: int = DEFAULT_CAPACITY, example: bool = False,
                   evaluations: int = DEFAULT_EVALUATION_ROWS) -> None:
    """A new evaluation workbook: blank with `partner_type`'s default weights, or the example.

    `vendors` is the number of vendor rows, `evaluations` the number of rows on the Evaluations
    sheet. The example is a CDMO evaluation by one evaluator (its Evaluations sheet is empty).
    """
    if example:
        if PartnerType.parse(partner_type, "partner type") is not EXAMPLE.partner_type:
            raise PartnerfitError(
                f"the example is a {EXAMPLE.partner_type.value} evaluation; leave out the partner type"
            )
        filling = replace(Filling.example(vendors), evaluation_rows=evaluations)
    else:
        filling = Filling(partner_type=partner_type, capacity=vendors, evaluation_rows=evaluations)
    write_workbook(path, filling)
