"""Names and layout of the evaluation workbook: its sheets, where each defined name lies, and the
texts its formulas show.

Every formula cell lies inside a defined name listed by `layout()`; the command line reads and
patches a workbook only through these names (`Area` here is 0-based, for writing; `xlsx.Area`
1-based, for reading). Cell references are built with `cell_ref` and `quote` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache

from ..ahp import RANDOM_INDEX
from ..cells import NOT_SCORED, NUMBER_CHARS
from ..criteria import SCALE
from ..partner_fit import fit_key, fit_lookup
from ..xlsx import column_letter
from . import diligence

DEFAULT_CAPACITY = 50
"""Vendor rows in a new workbook."""
MAX_CAPACITY = 100_000
CHART_TOP = 10
"""The bar chart shows this many best eligible vendors."""

DEFAULT_EVALUATION_ROWS = 400
"""Evaluation rows (vendor x evaluator x criterion) in a new workbook."""
MAX_EVALUATION_ROWS = 100_000
DEFAULT_EVALUATORS = 5
"""Evaluator grids in a new workbook (`partnerfit new --evaluators N`)."""
MAX_EVALUATORS = 50
NEW_CAPACITY = 5_000
NEW_GRID_ROWS = 50_000
"""The most vendor rows, and vendor rows times evaluator grids, `partnerfit new` makes: a workbook
that partnerfit reads back (about 60 KB a vendor row unpacked, growing with the grids; the reading
stops at xlsx.MAX_UNPACKED_BYTES). `write_workbook` checks what it wrote against that limit too."""
MERGE_ROWS = 50
"""Rows of the Evaluations sheet's record of merged packs (Merged_Packs)."""
PACK_NAMES = ("Pack_Evaluator", "Pack_Id")
"""A pack's own names, on its Vendors sheet right of the title: the evaluator and the evaluation's id."""
PACK_LOCKED = "Pack_Locked"
"""A pack's criterion scored from the quotes by procurement (blank: none), below `PACK_NAMES`:
its score column is locked in the pack and merge leaves a score typed there out."""
PACK_LOCKED_NOTE = "scored from the quotes by procurement"
PACK_START_PRICES = ("Prices: kept out of this pack. A criterion marked \"Scored from the quotes by procurement\" "
                     "above its column is not yours to score: its cells are locked.")
"""A pack's Start sheet line in place of the line on prices (`_START_LINES`)."""
MERGE_HEADERS = ("Merged evaluator", "Pack file", "SHA-256", "Merged at (UTC)")
_IN_MEMORY_ROWS = 2_000
"""A workbook with at most this many vendor and evaluation rows together is assembled in memory
(XlsxWriter's temporary files took a tenth of the time of a new workbook), a larger one in
temporary files so that memory stays flat (its XML takes some 24 kB per vendor row)."""

START, PROGRAM, CRITERIA_SHEET, VENDORS, SCORES, CALC, CONF = (
    "Start", "Program", "Criteria", "Vendors", "Scores", "Calc", "xlwings.conf",
)
EVALUATIONS, CONSENSUS_SHEET, AHP_SHEET = "Evaluations", "Consensus", "Weights (AHP)"
PRICES_SHEET = "Prices"
APPROVALS_SHEET = "Approvals"
SHEETS = (START, PROGRAM, CRITERIA_SHEET, VENDORS, EVALUATIONS, CONSENSUS_SHEET, AHP_SHEET, SCORES, PRICES_SHEET,
          APPROVALS_SHEET, CALC, CONF)

INPUT, FIXED, TABLE, FORMULA, ADDIN = "input", "fixed", "table", "formula", "addin"
"""Roles of a defined name: typed by users, written by the generator and locked, the vendor
table (header + names + scores, the argument of VENDOR_RANKING), native formulas, add-in formulas."""

ADDIN_NAMES = frozenset(
    {"Addin_Recommendation", "Recommendation_Reason", "Addin_Results", "Addin_Version",
     "Addin_Consensus", "Robustness_Summary", "Addin_AHP", "Addin_AHP_Team"}
)
"""Cells that call the xlwings functions: `#NAME?` in a spreadsheet without the add-in. All are
dynamic-array formulas except Robustness, one sentence in merged cells: an ordinary formula."""

AHP_STEPS = 10
"""Squarings of the normalised AHP matrix: the weights come from A^(2^10) (see `_ahp_values`)."""
GROUP_CHAIN = ("Calc_AHP_Group_Start", *(f"Calc_AHP_Group_Step_{k}" for k in range(1, AHP_STEPS + 1)))
"""The groups' squaring chain (`levels`, AHP per level)."""
ARRAY_NAMES = frozenset({"Calc_AHP_Start", *(f"Calc_AHP_Step_{k}" for k in range(1, AHP_STEPS + 1)), *GROUP_CHAIN})
"""Native names written as ONE legacy array formula over the whole area (MMULT blocks): only the
first cell holds the formula, the others its results as plain values (like an add-in's spill)."""
CELL_ARRAY_NAMES = frozenset({
    "Vendor_Warning", "Calc_Grid_At", "AHP_Lambda_Max", "Calc_AHP_Level_Worst", "Calc_AHP_Level_First",
    "Calc_AHP_Level_Top", "Calc_AHP_Group_Worst",
})
"""Native names whose every cell is a single-cell legacy array formula (CSE, {=...}): they
compute over ranges with functions that take single values (EXACT, TRIM, IF inside MEDIAN,
MIN, MAX). Written so deliberately: Excel 2010 and LibreOffice evaluate them as arrays, and
Excel 365 shows them with braces."""

CHECK_OK = "OK"
CHECK_ROWS = "Fix the rows marked in the Check column"
CHECK_TOTAL = "The weights add up to 0: give at least one criterion a weight above 0"
CHECK_CRITERIA_COUNT = ("This workbook's formulas score {m} criteria, but a criterion row or a vendor-table column was "
                        "added or deleted: undo it (give an unwanted criterion the weight 0), or make a new workbook "
                        "with partnerfit new and copy your data into it")
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
"""The Check column of the version 0.1 Evaluations table (the duplicate's message ends with a row number)."""
GRID_SCORE = "Not a score: type a number from {lo} to {hi}, N/A or leave blank (a number typed as text is not a score)"
GRID_VENDOR = "Vendor is not on the Vendors sheet"
"""The Check column of an evaluator grid (Grid_{g}_Check)."""
AGREED_OK = "OK"
AGREED_INVALID = "An agreed score must be a number from {lo} to {hi} or N/A: fix the cells marked Invalid on the Scores sheet"
AGREED_NO_REASON = " agreed without a reason: give every agreed score its reason"
"""Agreed_Check (the count of agreed scores without a reason comes before AGREED_NO_REASON)."""


class RowCheck(Enum):
    """What the Evaluations sheet's Check column says about one row (the value: its text)."""

    OK = ""
    FILL = EVAL_FILL
    VENDOR = EVAL_VENDOR
    CRITERION = EVAL_CRITERION
    SCORE = EVAL_SCORE
    DUPLICATE = EVAL_DUPLICATE

AHP_TOO_MANY = "AHP compares at most 15 criteria"
AHP_INCOMPLETE = "Fill every cell above the diagonal with a judgement from 1/9 to 9, such as 3 or 1/3"
AHP_CONSISTENT = "Consistent: CR is at most 0.10"
AHP_INCONSISTENT = "Inconsistent: CR is above 0.10; revisit "
"""AHP_Check; the inconsistent message ends with the pair to revisit ("Cost vs Quality systems")."""
NO_ELIGIBLE = "No eligible vendors to compare yet"
REASON_NEEDS_ADDIN = "The reason needs the partnerfit add-in (see the Start sheet)"
VENDORS_BEYOND = ("Vendors beyond the first {n} rows of the vendor table are not scored: this workbook has room for "
                  "{n}; make one with more (partnerfit new --vendors N) and copy the vendors into it")
VENDOR_BELOW = ("typed below the vendor table, so not scored: drag the table's bottom-right corner down over it, "
                "or insert a row inside the table and move it there")
INVISIBLE_NAME = ("the vendor name holds only invisible characters (a tab, a line break or a no-break space), "
                  "which counts as a vendor; type the vendor's name or clear the cell")
"""Vendor_Warning: the edits the workbook cannot follow and a name that shows nothing (the second
and third follow a cell address)."""
ROBUSTNESS_ARGS = (0.2, 10_000, 0)
"""ROBUSTNESS's uncertainty, samples and seed in the workbook (and in `partnerfit score`)."""
JUDGEMENT_RANGE = (0.1, 10.0)
"""AHP judgements accepted (Saaty's scale is 1/9 to 9; 0.11 typed for 1/9 passes, a date does not)."""
INVALID_CELL = "invalid"
PRICE_SOURCE, TRACK_SOURCE = 1, 2
"""Calc_Score_Sources, per criterion: its clean scores are the price scores / the suggested Regulatory
track record score where due diligence gives one and no reason stands against it (0: neither)."""

_LO, _HI = (f"{x:g}" for x in SCALE)
MAX_AHP_CRITERIA = len(RANDOM_INDEX)

_FUNCTIONS = ("PARTNER_FIT, PARTNER_FIT_SCORES, PARTNER_FIT_WHY, VENDOR_SCORE, VENDOR_RANKING, CONSENSUS, "
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
             "rank of every vendor, the eligible vendors best first, a chart, and (with the live functions) "
             "how robust the ranking is to the weights."),
    ("wrap", "Prices (optional): type each vendor's quoted total in the Quoted price column of the vendor "
             "table. The Prices sheet then scores the price criterion (Cost) from the quotes, linear between "
             "the low and high prices you set or ratio, flags abnormally low quotes, and the Scores sheet shows "
             "the technical score and whether the price formula decides the leader. Keep the quotes from the "
             "technical evaluators: partnerfit share evaluation.xlsx -o technical.xlsx --technical"),
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
        first = cell_ref(self.row, self.col)
        last = cell_ref(self.row + self.rows - 1, self.col + self.cols - 1)
        return f"{quote(self.sheet)}!{first}" + ("" if first == last else f":{last}")

    def cells(self):
        """(row, col) of every cell, row by row."""
        for i in range(self.rows):
            for j in range(self.cols):
                yield self.row + i, self.col + j


@cache
def column_name(col: int) -> str:
    """The letters of 0-based column `col` (0 -> A)."""
    return column_letter(col + 1)


def cell_ref(row: int, col: int, absolute: bool = True) -> str:
    """A1 reference of 0-based (row, col), absolute ($A$1) unless told otherwise."""
    dollar = "$" if absolute else ""
    return f"{dollar}{column_name(col)}{dollar}{row + 1}"


def quote(sheet: str) -> str:
    """A sheet name as a reference spells it (quoted unless letters and digits only)."""
    return sheet if sheet.isalnum() else "'" + sheet.replace("'", "''") + "'"


# Fixed positions (0-based). Vendor-sized blocks start at these rows.
_P_INPUT = 3          # Program: first input row (stage); fit scores at D..F from this row
_P_RESULT = 9         # Program: recommendation, then the reason
_C_TABLE = 5          # Criteria: header row; criteria below
_V_HEAD = 3           # Vendors: table header row; vendors below
_S_HEAD = 3           # Scores: header row; vendors below
_S_RANK = 6           # Scores: first column of the ranking (rank, vendor, score)
_S_ADDIN = 10         # Scores: first column of the add-in block
_S_ADDIN_ROW = 23     # Scores: anchor row of VENDOR_RANKING (its header row), below the chart
_K_HEAD = 5           # Calc: header row; vendors below
_K_CLEAN = 8          # Calc: first column of the clean-scores block
_C_USE_AHP = 4        # Criteria: the "Use AHP weights" row
_E_HEAD = 6           # Evaluations: header row of the first grid; its vendor rows below
_N_HEAD = 5           # Consensus: header row of the blocks; vendors below
_A_HEAD = 8           # Weights (AHP): header row of the judgements; the full matrix 3 rows below them


def _calc_columns(m: int) -> tuple[int, int, int, int]:
    """Calc: first column of the below-minimum, evaluation, robustness-table and AHP blocks."""
    below = _K_CLEAN + m + 1
    evals = below + m + 1
    robust = evals + 7
    return below, evals, robust, robust + m + 2


def grid_top(g: int, capacity: int) -> int:
    """Evaluations: the 0-based row of grid `g`'s (1-based) Evaluator cell; its header row is the
    next, its vendor rows below, then one locked blank row (the consensus reads it for a vendor
    the grid lacks) and a gap."""
    return _E_HEAD - 1 + (g - 1) * (capacity + 4)


def grid_names(g: int) -> tuple[str, ...]:
    """The defined names of evaluator grid `g` (1-based)."""
    return tuple(f"Grid_{g}_{part}" for part in ("Evaluator", "Vendors", "Scores", "Evidence", "Check"))


def _grids(m: int, n: int, evaluators: int) -> dict[str, Area]:
    """The evaluator grids on the Evaluations sheet, one below the other, shaped like the packs:
    an Evaluator cell, then per vendor row its name, one score per criterion, evidence and Check."""
    out = {}
    for g in range(1, evaluators + 1):
        top = grid_top(g, n)
        evaluator, vendors, scores, evidence, check = grid_names(g)
        out.update({
            evaluator: Area(EVALUATIONS, top, 1),
            f"Grid_{g}_Table": Area(EVALUATIONS, top + 1, 0, n + 1, 1 + m, TABLE),
            vendors: Area(EVALUATIONS, top + 2, 0, n),
            scores: Area(EVALUATIONS, top + 2, 1, n, m),
            evidence: Area(EVALUATIONS, top + 2, m + 1, n),
            check: Area(EVALUATIONS, top + 2, m + 2, n, role=FORMULA),
        })
    return out


def layout(criteria: int, capacity: int, evaluators: int = DEFAULT_EVALUATORS,
           priced: bool = True) -> dict[str, Area]:
    """The defined names of a workbook with `criteria` criteria, room for `capacity` vendors and
    `evaluators` evaluator grids; without `priced` (an evaluator's pack) no price name: no quote
    column, no Prices sheet, no technical score or method check."""
    from .approvals import layout_part as approvals_part  # the Approvals and Prices sheets' modules read this one
    from .groups import layout_part as groups_part  # the groups' and the Prices sheet's modules read this one
    from .levels import layout_part as levels_part
    from .prices import layout_part

    m, n, e = criteria, capacity, evaluators
    v0, s0, k0, c0 = _V_HEAD + 1, _S_HEAD + 1, _K_HEAD + 1, _C_TABLE + 1
    n0, a0 = _N_HEAD + 1, _A_HEAD + 1
    full = a0 + m + 2  # Weights (AHP): first row of the full matrix
    below, evals, robust, ahp = _calc_columns(m)
    after = 1 + m  # Vendors: first column after the scores
    fit, options = ahp + m + 2, len(fit_lookup())  # Calc: the partner-fit lookup, right of the AHP blocks
    prices = layout_part(n, fit + 7)  # Calc: right of the partner-fit lookup (fit .. fit + 5)
    dd_col = 2 + max(a.col + a.cols - 1 for a in prices.values() if a.sheet == CALC)  # Calc: then due diligence

    def ahp_block(t: int) -> int:  # Calc: first row of the t-th stacked AHP block
        return k0 + t * (m + 1)

    names = {
        "Addin_Version": Area(START, _START_ADDIN_ROW, 1, role=ADDIN),
        **{name: Area(PROGRAM, _P_INPUT + i, 1) for i, name in enumerate(
            ("Program_Stage", "Program_Need", "Program_Process", "Program_CMC", "Program_Modality"))},
        "Fit_Scores": Area(PROGRAM, _P_INPUT, 3, 2, 3, FORMULA),
        "Recommendation": Area(PROGRAM, _P_RESULT, 1, role=FORMULA),
        "Recommendation_Reason": Area(PROGRAM, _P_RESULT + 1, 1, role=ADDIN),
        "Addin_Recommendation": Area(PROGRAM, _P_RESULT + 2, 1, role=ADDIN),
        "Calc_Fit_Keys": Area(CALC, k0, fit, options, role=FIXED),
        "Calc_Fit_Points": Area(CALC, k0, fit + 1, options, 3, FIXED),
        "Calc_Fit_Flags": Area(CALC, k0, fit + 4, options, 2, FIXED),
        "Calc_Fit_Rows": Area(CALC, 2, fit, 1, 5, FORMULA),
        "Calc_Fit_Total": Area(CALC, 3, fit, 1, 3, FORMULA),
        "Calc_Fit_Status": Area(CALC, 4, fit, role=FORMULA),
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
        "Vendor_Warning": Area(VENDORS, _V_HEAD - 1, 0, role=FORMULA),
        "Prices": Area(VENDORS, v0, after + vendor_tail().index(QUOTE_HEADER), n),
        **diligence.layout_part(lambda sheet, *cells: Area({"vendors": VENDORS, "program": PROGRAM}[sheet], *cells),
                                v0, after + len(VENDOR_EXTRA), n),
        "Consensus_Method": Area(EVALUATIONS, 2, 1),
        "Eval_Check": Area(EVALUATIONS, 3, 1, role=FORMULA),
        "Eval_Rows": Area(EVALUATIONS, 4, 1, role=FORMULA),
        **_grids(m, n, e),
        "Eval_Grids": Area(EVALUATIONS, grid_top(1, n) + 1, 0, grid_top(e, n) - grid_top(1, n) + n + 1, 1 + m, TABLE),
        "Merged_Packs": Area(EVALUATIONS, _E_HEAD + 1, m + 4, MERGE_ROWS, len(MERGE_HEADERS), FIXED),
        "Consensus_Disagreements": Area(CONSENSUS_SHEET, 2, 1, role=FORMULA),
        "Consensus_Table": Area(CONSENSUS_SHEET, _N_HEAD, 0, n + 1, m + 1, TABLE),
        "Consensus_Vendors": Area(CONSENSUS_SHEET, n0, 0, n, role=FORMULA),
        "Consensus_Scores": Area(CONSENSUS_SHEET, n0, 1, n, m, FORMULA),
        "Consensus_Spreads": Area(CONSENSUS_SHEET, n0, m + 2, n, m, FORMULA),
        "Consensus_Counts": Area(CONSENSUS_SHEET, n0, 2 * m + 3, n, m, FORMULA),
        "Addin_Consensus": Area(CONSENSUS_SHEET, n0 + n + 2, 0, n + 1, m + 1, ADDIN),
        "Agreed_Check": Area(CONSENSUS_SHEET, 3, 1, role=FORMULA),
        "Agreed_Scores": Area(CONSENSUS_SHEET, n0, 3 * m + 4, n, m),
        "Agreed_Reasons": Area(CONSENSUS_SHEET, n0, 4 * m + 5, n, m),
        "Agreed_Count": Area(SCORES, 2, 5, role=FORMULA),
        "AHP_Check": Area(AHP_SHEET, 2, 1, role=FORMULA),
        "AHP_CR": Area(AHP_SHEET, 3, 1, role=FORMULA),
        "AHP_Lambda_Max": Area(AHP_SHEET, 4, 1, role=FORMULA),
        "AHP_CI": Area(AHP_SHEET, 5, 1, role=FORMULA),
        "AHP_Judgements": Area(AHP_SHEET, a0, 1, m, m),
        "AHP_Matrix": Area(AHP_SHEET, full, 1, m, m, FORMULA),
        "AHP_Result_Weights": Area(AHP_SHEET, full, m + 1, m, role=FORMULA),
        "Vendor_Count": Area(SCORES, 2, 1, role=FORMULA),
        "Qualified_Count": Area(SCORES, 2, 3, role=FORMULA),
        "Score_Source": Area(SCORES, 2, _S_RANK + 1, role=FORMULA),
        "Robustness_Summary": Area(SCORES, 2, _S_ADDIN, role=ADDIN),
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
        "Calc_Robust_Table": Area(CALC, _K_HEAD, robust, n + 1, m + 1, FORMULA),
        "Calc_Scored_Table": Area(CALC, _K_HEAD + n + 3, robust, n + 1, m + 1, FORMULA),  # below it
        "Calc_AHP_Parsed": Area(CALC, ahp_block(0), ahp, m, m, FORMULA),
        "Calc_AHP_Start": Area(CALC, ahp_block(1), ahp, m, m, FORMULA),
        **{f"Calc_AHP_Step_{k}": Area(CALC, ahp_block(1 + k), ahp, m, m, FORMULA) for k in range(1, AHP_STEPS + 1)},
        "Calc_AHP_Errors": Area(CALC, ahp_block(AHP_STEPS + 2), ahp, m, m, FORMULA),
        "Calc_AHP_Row_Max": Area(CALC, ahp_block(AHP_STEPS + 2), ahp + m, m, role=FORMULA),
        "Calc_AHP_Worst": Area(CALC, ahp_block(AHP_STEPS + 3), ahp, 1, 2, FORMULA),
        **prices,
        **diligence.calc_part(lambda row, col, rows, cols=1: Area(CALC, row, col, rows, cols, FORMULA), k0, dd_col, n),
        **groups_part(m),
        **levels_part(m),
        **approvals_part(),
    }
    right = 1 + max(a.col + a.cols for a in names.values() if a.sheet == CALC)
    names["Calc_Typed_Scores"] = Area(CALC, k0, right, n, m, FORMULA)  # rightmost: the others keep their cells
    names["Calc_Score_Sources"] = Area(CALC, _K_HEAD - 1, right, 1, m, FORMULA)  # above the typed scores
    names["Calc_Team_Scores"] = Area(CALC, k0, right + m + 1, n, m * e, FORMULA)  # criterion by criterion
    words = right + m + 1 + m * e + 1  # then the texts the clean scores compare with
    names["Calc_Not_Scored"] = Area(CALC, k0, words, len(NOT_SCORED) - 1, role=FIXED)
    names["Calc_Number_Chars"] = Area(CALC, k0, words + 1, len(NUMBER_CHARS), role=FIXED)
    names["Calc_Grid_At"] = Area(CALC, k0, words + 3, n, e, FORMULA)  # then each vendor row's row in each grid
    return names if priced else {k: a for k, a in names.items() if k != "Prices" and k not in layout_part(1)}


VENDOR_TABLE = "VendorTable"
VENDOR_EXTRA = ("Partner type", "Site / country", "Evidence", "Comments")
"""The vendor table's descriptive columns after the criteria (Vendor_Types, _Sites, _Evidence, _Comments)."""
QUOTE_HEADER = "Quoted price"
"""The vendor table's column of quotes (`Prices`): in the table, so that a quote moves with its vendor."""


def vendor_tail(priced: bool = True) -> tuple[str, ...]:
    """The headers of the vendor table's columns after the criteria, left to right: every width and
    position right of the scores derives from it. Without `priced` (a pack): no quote column."""
    return (*VENDOR_EXTRA, *diligence.headers(), *((QUOTE_HEADER,) if priced else ()))
BELOW_ROWS = 20
"""Rows right below the vendor table in which a typed vendor is reported (it is not scored)."""


def structured_ref(table: str, first: str, last: str | None = None, headers: bool = False) -> str:
    """A structured reference to the data rows (and with `headers` the header row) of table
    columns `first` to `last`: a defined name written so grows and shrinks with the table."""
    def column(name: str) -> str:
        return "[" + "".join("'" + ch if ch in "[]#'" else ch for ch in name) + "]"

    columns = column(first) + (f":{column(last)}" if last else "")
    if headers:
        return f"{table}[[#Headers],[#Data],{columns}]"
    return f"{table}[{columns}]" if last else f"{table}{column(first)}"


def table_names(criteria) -> dict[str, str]:
    """The defined names of the vendor table's columns, as structured references (see `layout`
    for the cells they start as)."""
    first, last = "Vendor", str(criteria[-1])
    return {
        "Vendor_Table": structured_ref(VENDOR_TABLE, first, last, headers=True),
        "Vendor_Names": structured_ref(VENDOR_TABLE, first),
        "Vendor_Scores": structured_ref(VENDOR_TABLE, str(criteria[0]), last),
        **{name: structured_ref(VENDOR_TABLE, header) for name, header in zip(
            ("Vendor_Types", "Vendor_Sites", "Vendor_Evidence", "Vendor_Comments"), VENDOR_EXTRA)},
        **{name: structured_ref(VENDOR_TABLE, header) for name, (header, _, _) in diligence.INPUT_COLUMNS.items()},
        "Prices": structured_ref(VENDOR_TABLE, QUOTE_HEADER),
    }


def calc_fixed_cells() -> dict[str, list[list]]:
    """The fixed cells of the Calc sheet, by name: the partner-fit lookup (`partner_fit.fit_lookup`),
    and the texts a typed score is compared with (`cells.NOT_SCORED` but the empty text,
    `cells.NUMBER_CHARS`), one per row."""
    options = fit_lookup()
    return {
        "Calc_Fit_Keys": [[fit_key(o.factor, o.label)] for o in options],
        "Calc_Fit_Points": [[float(p) for p in o.points] for o in options],
        "Calc_Fit_Flags": [[o.clinical, o.makes] for o in options],
        "Calc_Not_Scored": [[text] for text in NOT_SCORED_TEXTS],
        "Calc_Number_Chars": [[char] for char in sorted(NUMBER_CHARS)],
    }


NOT_SCORED_TEXTS = tuple(sorted(NOT_SCORED - {""}))
"""The texts that mark a score cell as not scored, besides the empty one (Calc_Not_Scored)."""


RENAMED = {"Robustness_Summary": "Robustness", "AHP_Result_Weights": "AHP_Weights"}
"""Names of version 0.2 -> their spelling in version 0.1, read in old workbooks. Renamed because an
add-in call is stored as a reference to a name: a defined name `Robustness` captured every
`ROBUSTNESS(...)` call (and `AHP_Weights` `AHP_WEIGHTS(...)`); see the test that no function shares a
name with a defined name. (The function VENDOR_SCORES became VENDOR_RANKING for the same reason:
`Vendor_Scores` is a name other tools read.)"""


EVALUATION_NAMES = ("Eval_Vendors", "Eval_Evaluators", "Eval_Criteria", "Eval_Scores", "Eval_Evidence")
"""The input columns of the version 0.1 Evaluations table, left to right (a workbook made before the
grids; now names of grid 1, see `ALIASES`)."""
ALIASES = {
    "Eval_Table": "Grid_1_Table", "Eval_Vendors": "Grid_1_Vendors", "Eval_Evaluators": "Grid_1_Evaluator",
    "Eval_Scores": "Grid_1_Scores", "Eval_Evidence": "Grid_1_Evidence", "Eval_Checks": "Grid_1_Check",
    **{f"Calc_Eval_{part}": "Calc_Grid_At" for part in
       ("Used", "Vendor_At", "Criterion_At", "Score", "Duplicate_Of", "Cell")},
}
"""Names of version 0.1's Evaluations table kept defined (a contract) on the grids: grid 1's parts,
and Calc's helper columns on Calc_Grid_At (each vendor row's row in each grid). Eval_Criteria:
grid 1's header of criteria (`alias_refs`)."""
AGREED_NAMES = ("Agreed_Scores", "Agreed_Reasons")
"""The consensus meeting's inputs on the Consensus sheet, one row per row of Vendor_Names and one
column per criterion: an agreed score replaces the evaluators' consensus in the scoring."""
_CALC_SWITCHES = (
    "Calc_Eval_Mode", "Calc_Median", "Calc_Method_OK", "Calc_Consensus_On", "Calc_Use_AHP",
    "Calc_Use_AHP_OK", "Calc_AHP_OK",
)
"""Calc's one-cell switches, on row 3 from column C."""


def alias_refs(names: dict[str, Area]) -> dict[str, str]:
    """The references of the `ALIASES` (and Eval_Criteria) in a workbook laid out as `names`."""
    table = names["Grid_1_Table"]
    return {**{alias: names[target].ref for alias, target in ALIASES.items()},
            "Eval_Criteria": Area(EVALUATIONS, table.row, 1, 1, table.cols - 1).ref}


TEAM_INPUT_NAMES = ("AHP_Stakeholder_Names", *(f"AHP_Stakeholder_{k + 1}" for k in range(4)))
"""The stakeholders' AHP inputs (`stakeholders`; a workbook made before them has none)."""
GROUP_INPUT_NAMES = ("Weight_Mode", "Criteria_Groups", "Group_Names", "Group_Weights")
"""The criteria groups' inputs (`groups`; a workbook made before them lacks them: weights per criterion)."""
PRICE_INPUT_NAMES = ("Prices", "Price_Currency", "Price_Method", "Price_Low", "Price_High", "Price_Low_Share",
                     "Price_Criterion")
"""The Prices sheet's inputs (a workbook made before it lacks them: no quotes)."""
APPROVAL_INPUT_NAMES = ("Approval_Names", "Approval_Decisions", "Approval_Dates", "Approval_Meanings",
                        "Declaration_Evaluators", "Declaration_Statuses", "Declaration_Texts")
"""The Approvals sheet's inputs: per role, then per declaration row (a workbook made before lacks them)."""
INPUT_NAMES = (
    "Weight_Profile", "Program_Stage", "Program_Need", "Program_Process", "Program_CMC",
    "Program_Modality", "Criteria_Names", "Weights", "Minimums", "Min_Coverage", "Vendor_Names",
    "Vendor_Scores", "Vendor_Types", "Vendor_Sites", "Vendor_Evidence", "Vendor_Comments",
    "Use_AHP", "AHP_Judgements", "AHP_Group_Judgements", *TEAM_INPUT_NAMES, "Consensus_Method",
    *AGREED_NAMES, *PRICE_INPUT_NAMES, *diligence.COLUMN_NAMES, *diligence.PROGRAM_NAMES, *GROUP_INPUT_NAMES,
    *APPROVAL_INPUT_NAMES,
)
"""The names `Filling.from_names` reads: everything a user types, plus the fixed criteria."""
OPTIONAL_INPUT_NAMES = frozenset({"Use_AHP", "AHP_Judgements", "AHP_Group_Judgements", *TEAM_INPUT_NAMES,
                                  "Consensus_Method", *EVALUATION_NAMES, *AGREED_NAMES,
                                  *PRICE_INPUT_NAMES, *diligence.COLUMN_NAMES, *diligence.PROGRAM_NAMES,
                                  *GROUP_INPUT_NAMES, *APPROVAL_INPUT_NAMES})
"""Input names a workbook made before the Evaluations and AHP sheets lacks: no evaluations,
typed weights."""

PROGRAM_NAMES = {
    "stage": "Program_Stage",
    "need": "Program_Need",
    "process": "Program_Process",
    "cmc_experience": "Program_CMC",
    "modality": "Program_Modality",
}
REQUIRED_NAMES = (*PROGRAM_NAMES.values(), "Criteria_Names", "Weights", "Minimums", "Vendor_Names", "Vendor_Scores")
DEFAULT_MIN_COVERAGE = 0.5
