"""The value of every formula and add-in cell of a workbook, computed from its inputs with the
engine, and the engine's results of a read workbook.

Native formulas reproduce the engine exactly: `scoring.evaluate` for the scores,
`consensus.cell_statistics` for the consensus of several evaluators and `ahp.ahp_weights` for the
AHP weights (by repeated squaring of the matrix, see `_ahp_values`). The add-in cells
(`ADDIN_NAMES`) hold what the Excel functions of `partnerfit.functions` return.
`computed_values(filling)` returns the value of every formula and add-in cell of the names
`layout()` lists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from itertools import compress
from numbers import Real

import numpy as np

from .. import functions
from ..ahp import ahp_weights
from ..cells import (
    cell_texts,
    choice_value,
    excel_trim,
    invisible_text,
    is_blank,
    is_empty,
    is_number,
    is_present,
    name_key,
    read_judgement,
    score_matrix,
    score_value,
)
from ..consensus import DISAGREEMENT, cell_statistics
from ..criteria import SCALE
from ..due_diligence import TRACK_RECORD, track_record_at, with_suggestions
from ..errors import PartnerfitError
from ..partner_fit import PROGRAMME_FIELDS, Recommendation, fit_lookup, read_programme
from ..scoring import Evaluation, Status, evaluate
from . import approvals, diligence
from .groups import CHECK_GROUPS, GROUP_MODE, GroupRead, read_groups
from .groups import values_part as groups_values
from .layout import (
    _HI,
    _LO,
    AGREED_INVALID,
    AGREED_NO_REASON,
    AGREED_OK,
    AHP_CONSISTENT,
    AHP_INCOMPLETE,
    AHP_INCONSISTENT,
    AHP_TOO_MANY,
    CHECK_AHP,
    CHECK_COVERAGE,
    CHECK_OK,
    CHECK_ROWS,
    CHECK_TOTAL,
    CHECK_USE_AHP,
    EVAL_DUPLICATE,
    EVAL_METHOD,
    EVAL_OK,
    EVAL_ROWS,
    EVAL_SCORE,
    GRID_SCORE,
    GRID_VENDOR,
    INVALID_CELL,
    INVISIBLE_NAME,
    JUDGEMENT_RANGE,
    MAX_AHP_CRITERIA,
    MINIMUM_PROBLEM,
    NO_ELIGIBLE,
    PRICE_SOURCE,
    ROBUSTNESS_ARGS,
    STATUS_CHECK,
    STATUS_EVALUATIONS,
    TRACK_SOURCE,
    VENDOR_BELOW,
    VENDORS_BEYOND,
    WEIGHT_PROBLEM,
    RowCheck,
    cell_ref,
    layout,
)
from .levels import G, LevelRead, addin_rows, chain_values, read_levels, same_group
from .levels import values_part as levels_values
from .model import Filling, Inputs
from .prices import STATUS_PRICES, method_values, price_column, read_prices, values_part
from .stakeholders import addin_size as team_addin_size
from .stakeholders import judgement_texts, judgements_used, read_team


def _clean(value):
    """The clean-scores cell: the score, "" when not scored, INVALID_CELL otherwise."""
    number = score_value(value)
    if number is None or not (math.isnan(number) or SCALE[0] <= number <= SCALE[1]):
        return INVALID_CELL
    return "" if math.isnan(number) else number



def _typed(value):
    """A score cell as Calc_Typed_Scores reads it once: a number, text as TRIM(CLEAN()) leaves it,
    "" for a blank cell, INVALID_CELL for a boolean or anything else."""
    if isinstance(value, bool):
        return INVALID_CELL
    if isinstance(value, str):
        return excel_trim(value)
    if is_blank(value):
        return ""
    return float(value) if isinstance(value, (Real, Decimal)) else INVALID_CELL


def typed_cells(rows) -> list[list]:
    """`_typed` of each cell of `rows` (a blank cell and a number without a call each)."""
    return [["" if x is None else x if type(x) is float and x == x else _typed(x) for x in row] for row in rows]


def team_cells(grids, grid_at) -> list[list]:
    """Calc_Team_Scores: per vendor row, criterion by criterion, each grid's cell at the row
    `grid_at` gives (Calc_Grid_At; one past the last: the blank row) when it holds a number, else ""."""
    rows, m = max(len(g.scores) for g in grids), len(grids[0].scores[0]) if grids[0].scores else 0
    cells = np.full((len(grids), rows + 1, m), np.nan)
    for g, grid in enumerate(grids):  # (most grid cells are blank: only the others are looked at)
        flat = [x for row in grid.scores for x in row]
        found = [k for k, x in enumerate(flat) if x is not None and x != "" and is_number(x)]
        block = np.full(len(flat), np.nan)
        block[found] = [float(flat[k]) for k in found]
        cells[g, :len(grid.scores)] = block.reshape(len(grid.scores), m)
    at = np.asarray(grid_at, dtype=np.intp).reshape(-1, len(grids)) - 1
    picked = cells[np.arange(len(grids)), np.minimum(at, rows), :].transpose(0, 2, 1).reshape(len(at), -1)
    return np.where(np.isnan(picked), "", picked.astype(object)).tolist()


def agreed_mask(agreed) -> np.ndarray:
    """Which cells of an Agreed_Scores block hold an agreed score (LEN(TRIM(cell))>0, N/A included)."""
    rows = len(agreed)
    return np.fromiter(map(is_present, (x for row in agreed for x in row)), dtype=bool,
                       count=sum(map(len, agreed))).reshape(rows, -1) if rows else np.zeros((0, 0), bool)


def counted_agreed(agreed, present, priced: int | None) -> np.ndarray:
    """Which cells of an Agreed_Scores block replace the consensus (Agreed_Count): an agreed score
    in a named vendor's row, not in the criterion `priced` the quotes score."""
    mask = agreed_mask(agreed) & np.asarray(present, dtype=bool)[:, np.newaxis]
    if priced is not None:
        mask[:, priced] = False
    return mask


def replacing_agreed(inputs: Inputs) -> np.ndarray:
    """`counted_agreed` of a workbook's inputs, named vendors x used criteria (score --json's and
    the Audit sheet's agreed cells)."""
    if inputs.team is None or not inputs.agreed:
        return np.zeros((len(inputs.vendor_rows), len(inputs.criteria_rows)), dtype=bool)
    priced = price_column(inputs)
    rows = np.zeros(len(inputs.agreed), dtype=bool)
    rows[inputs.vendor_rows] = True
    at = None if priced is None else inputs.criteria_rows[priced[0]]
    return counted_agreed(inputs.agreed, rows, at)[np.ix_(inputs.vendor_rows, inputs.criteria_rows)]


def settle(centre: np.ndarray, agreed) -> tuple[np.ndarray, np.ndarray]:
    """(scores, unreadable): the consensus `centre` (vendor rows x criteria cells) with every
    agreed score in its place, read as a score cell is."""
    if not len(agreed):
        return centre, np.zeros(centre.shape, dtype=bool)
    mask = agreed_mask(agreed)
    values, invalid = score_matrix(agreed)
    return np.where(mask, values, centre), mask & invalid


def unreasoned(agreed, reasons) -> int:
    """How many agreed scores lack a reason (as Agreed_Check counts them)."""
    if not len(agreed):
        return 0
    return int((agreed_mask(agreed) & ~agreed_mask(reasons)).sum())


def _criterion_check(weight, minimum) -> str:
    if not is_empty(weight) and not (is_number(weight) and weight >= 0):
        return WEIGHT_PROBLEM
    if not is_empty(minimum) and not (is_number(minimum) and SCALE[0] <= minimum <= SCALE[1]):
        return MINIMUM_PROBLEM.format(lo=_LO, hi=_HI)
    return ""


def _first(flags) -> int:
    """1-based position of the first true flag, 0 if none (IFERROR(MATCH(...),0))."""
    return next((j + 1 for j, flag in enumerate(flags) if flag), 0)


def _column(values) -> list[list]:
    return [[v] for v in values]



@dataclass(frozen=True)
class EvaluationRead:
    """Version 0.1's Evaluations table as its formulas read it, row by row (to carry it over into
    grids, `team.grids_from_rows`).

    `vendor_at` / `criterion_at`: 1-based row in Vendor_Names / Criteria_Names of the first name
    equal to the row's (TRIM, case kept; 0: none); `duplicate_of`: 1-based index of the first
    earlier row with the same vendor, criterion and evaluator (0: none).
    """

    used: list[bool]
    vendor_at: list[int]
    criterion_at: list[int]
    score: list
    """Each row's score as the clean-scores block reads it: a number, "" or INVALID_CELL."""
    duplicate_of: list[int]
    codes: list[RowCheck]
    """What the Check column says about each row."""
    first_row: int
    """The 0-based sheet row of the first evaluation row (the duplicate's text names a row)."""

    @property
    def checks(self) -> list[str]:
        """The Check column's texts ("" when the row is fine)."""
        texts = {RowCheck.SCORE: EVAL_SCORE.format(lo=_LO, hi=_HI)}
        return [f"{EVAL_DUPLICATE}{self.first_row + duplicate}" if code is RowCheck.DUPLICATE
                else texts.get(code, code.value) for code, duplicate in zip(self.codes, self.duplicate_of)]


def grid_cell_ok(value) -> bool:
    """A grid cell as its Check column reads it (COUNTIFS >=1 and <=5, COUNTIF "N/A", COUNTBLANK):
    blank, N/A (any case) or a number from 1 to 5; a number typed as text is not a score."""
    if value is None or value == "":
        return True
    if isinstance(value, str):
        return value.upper() == "N/A"
    return is_number(value) and not isinstance(value, (bool, np.bool_)) and SCALE[0] <= value <= SCALE[1]


@dataclass(frozen=True)
class GridRead:
    """The evaluator grids as their formulas read them.

    `at`: per vendor row (Vendor_Names) and grid, the 1-based grid row holding that vendor (the
    first whose TRIMmed name is EXACTly the vendor's; 0: none), Calc_Grid_At; `scores`: grids x
    grid rows x criteria, NaN where not scored; `invalid`: the cells that are not scores;
    `checks`: per grid its Check column's texts."""

    at: np.ndarray
    scores: np.ndarray
    invalid: np.ndarray
    checks: list[list[str]]
    entered: int
    """Score cells that hold anything (Eval_Rows)."""
    used: list[bool]
    """Per grid: it holds a score cell."""
    evaluators: list
    median: bool
    method_ok: bool

    @property
    def rows(self) -> int:
        return self.entered

    @property
    def mode(self) -> bool:
        """A grid holds a score cell: the consensus replaces the Vendors sheet's scores everywhere."""
        return self.entered > 0

    @property
    def check(self) -> str:
        if any(text for grid in self.checks for text in grid):
            return EVAL_ROWS
        return EVAL_OK if self.method_ok else EVAL_METHOD

    @property
    def method(self) -> str:
        return "median" if self.median else "mean"

    def statistics(self, vendors: int, criteria: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(consensus, spread, count), vendor rows x criteria, from the engine's kernel
        (`consensus.cell_statistics`); NaN where nobody scored."""
        i, g = np.nonzero(self.at[:vendors] > 0)
        values = self.scores[g, self.at[i, g] - 1, :] if i.size else np.empty((0, criteria))
        codes = i[:, None] * criteria + np.arange(criteria)
        kept = ~np.isnan(values)
        centre, spread, count = cell_statistics(codes[kept], values[kept], vendors * criteria, self.method)
        shape = (vendors, criteria)
        return centre.reshape(shape), spread.reshape(shape), count.reshape(shape)

    def extremes(self, vendors: int, criteria: int) -> tuple[np.ndarray, np.ndarray]:
        """Lowest and highest score per consensus cell (NaN where nobody scored)."""
        i, g = np.nonzero(self.at[:vendors] > 0)
        values = self.scores[g, self.at[i, g] - 1, :] if i.size else np.empty((0, criteria))
        low, high = np.full((vendors, criteria), np.nan), np.full((vendors, criteria), np.nan)
        np.fmin.at(low, i, values)
        np.fmax.at(high, i, values)
        return low, high

    def scored_by(self) -> np.ndarray:
        """Per vendor row, how many grids hold a score for it."""
        i, g = np.nonzero(self.at > 0)
        has = ~np.isnan(self.scores[g, self.at[i, g] - 1, :]).all(axis=1) if i.size else np.zeros(0, bool)
        return np.bincount(i[has], minlength=self.at.shape[0])


def read_grids(vendor_names, grids, method) -> GridRead:
    """Read the evaluator `grids` (`model.Grid`s, all rows) against the Vendors sheet's
    `vendor_names`, exactly as the workbook's formulas do."""
    keys = [name_key(v) for v in vendor_names]
    known = {k for k in keys if k}
    rows = max((len(grid.vendors) for grid in grids), default=0)
    m = max((len(r) for grid in grids for r in grid.scores), default=0)
    scores = np.full((len(grids), rows, m), np.nan)
    invalid = np.zeros((len(grids), rows, m), bool)
    at = np.zeros((len(keys), len(grids)), dtype=np.intp)
    checks, entered, used = [], 0, []
    for g, grid in enumerate(grids):
        cells = [x for row in grid.scores for x in row]
        filled = np.fromiter((x is not None and x != "" for x in cells), bool, len(cells))
        typed = list(compress(cells, filled))  # (a blank cell is fine and no score: most of a grid)
        ok, values = np.ones(len(cells), bool), np.full(len(cells), math.nan)
        ok[filled] = list(map(grid_cell_ok, typed))
        number = [good and is_number(x) for x, good in zip(typed, ok[filled].tolist())]
        values[np.flatnonzero(filled)[number]] = [float(x) for x in compress(typed, number)]
        ok, values, filled = (a.reshape(len(grid.scores), m) for a in (ok, values, filled))
        scores[g, :len(grid.scores)], invalid[g, :len(grid.scores)] = values, ~ok
        entered += int(filled.sum())
        used.append(bool(filled.any()))
        names = [name_key(v) for v in grid.vendors]
        row_ok, row_filled = ok.all(axis=1).tolist(), filled.any(axis=1).tolist()
        checks.append([GRID_SCORE.format(lo=_LO, hi=_HI) if not row_ok[r]
                       else GRID_VENDOR if row_filled[r] and names[r] not in known else ""
                       for r in range(len(names))])
        first = {}
        for r, key in enumerate(names):
            if key:
                first.setdefault(key, r + 1)
        at[:, g] = [first.get(k, 0) if k else 0 for k in keys]
    choice = choice_value(method)
    return GridRead(at, scores, invalid, checks, entered, used, [g.evaluator for g in grids],
                    median=choice == "median", method_ok=choice in ("", "mean", "median"))


def read_evaluations(vendor_names, criteria_names, rows, first_row: int) -> EvaluationRead:
    """Read evaluation rows (vendor, evaluator, criterion, score, ...) against the Vendors sheet's
    `vendor_names` and the `criteria_names`, exactly as the workbook's formulas do.

    `first_row`: the 0-based sheet row of the first evaluation row, for the duplicate message.
    """
    def index(names) -> dict[str, int]:
        found: dict[str, int] = {}
        for k, name in enumerate(names):
            key = name_key(name)
            if key:
                found.setdefault(key, k + 1)
        return found

    vendors, criteria = index(vendor_names), index(criteria_names)
    first: dict[tuple, int] = {}
    out = {key: [] for key in ("used", "vendor_at", "criterion_at", "score", "duplicate_of", "codes")}
    for k, row in enumerate(rows):
        vendor, evaluator, criterion, score = row[:4]
        filled = [is_present(x) for x in (vendor, evaluator, criterion, score)]
        used = any(filled)
        vendor_at = vendors.get(name_key(vendor), 0) if filled[0] else 0
        criterion_at = criteria.get(name_key(criterion), 0) if filled[2] else 0
        clean = _clean(score)
        duplicate = 0
        if vendor_at and criterion_at and filled[1]:
            duplicate = first.setdefault((vendor_at, criterion_at, name_key(evaluator)), k + 1)
            duplicate = 0 if duplicate == k + 1 else duplicate
        if not used:
            check = RowCheck.OK
        elif not all(filled[:3]):
            check = RowCheck.FILL
        elif not vendor_at:
            check = RowCheck.VENDOR
        elif not criterion_at:
            check = RowCheck.CRITERION
        elif clean == INVALID_CELL:
            check = RowCheck.SCORE
        elif duplicate:
            check = RowCheck.DUPLICATE
        else:
            check = RowCheck.OK
        for key, value in zip(out, (used, vendor_at, criterion_at, clean, duplicate, check)):
            out[key].append(value)
    return EvaluationRead(**out, first_row=first_row)


@dataclass(frozen=True)
class AHPRead:
    """The Weights (AHP) sheet as its formulas read it."""

    parsed: list[list]
    """Calc_AHP_Parsed: each judgement above the diagonal read (`read_judgement`), else ""."""
    matrix: list[list]
    """AHP_Matrix: the full reciprocal matrix ("" where a judgement is missing or off the scale,
    and with Weigh by = Group where two criteria of different groups meet)."""
    ok: bool
    result: object
    """`ahp.ahp_weights` of the matrix when `ok` (without groups), else None."""
    levels: LevelRead | None = None
    """The AHP per level (`levels.read_levels`), when read with the groups."""

    @property
    def weights(self) -> list[float] | None:
        """The weights used (group weight x local weight with Weigh by = Group), None unless ok."""
        if not self.ok:
            return None
        if self.levels is not None and self.levels.by_group:
            composed = self.levels.hierarchy.weights.as_dict()  # criteria named by their index
            return [composed[str(i)] for i in range(len(self.matrix))]
        return [float(x) for x in self.result.weights]

    @property
    def local(self) -> list[float] | None:
        """AHP_Local_Weights: the weights within each group (the weights without groups)."""
        if not self.ok:
            return None
        if self.levels is not None and self.levels.by_group:
            h = self.levels.hierarchy
            out = [0.0] * len(self.matrix)
            for g, result in h.within.items():
                members = [i for i, a in enumerate(self.levels.at) if a == int(g) + 1]
                for i, w in zip(members, result.weights.tolist()):
                    out[i] = w
            return out
        return [float(x) for x in self.result.weights]

    def first_bad(self) -> tuple[int, int] | None:
        """0-based (row, column) of the first missing or unusable judgement, in reading order
        (among the pairs read)."""
        m = len(self.matrix)
        same = self.levels is None or not self.levels.by_group
        return next(((i, j) for i in range(m) for j in range(i + 1, m) if self.matrix[i][j] == ""
                     and (same or self.levels.at[i] == self.levels.at[j])), None)


def read_ahp(judgements, groups: GroupRead | None = None, group_judgements=None) -> AHPRead:
    """Read an AHP judgement block (criteria x criteria; only the cells above the diagonal count)
    and, when complete, weigh it with the engine (`ahp.ahp_weights`). With `groups` reading
    Weigh by = Group, only the pairs within a group are read, `group_judgements` compares the
    groups and the engine's `ahp_hierarchy` weighs them (`levels.read_levels`)."""
    m = len(judgements)
    lo, hi = JUDGEMENT_RANGE
    by_group = groups is not None and groups.by_group
    at = list(groups.at) if by_group else None
    parsed = [["" for _ in range(m)] for _ in range(m)]
    matrix = [[1.0 if i == j else "" for j in range(m)] for i in range(m)]
    for i in range(m):
        for j in range(i + 1, m):
            value = read_judgement(judgements[i][j])
            if value is not None:
                parsed[i][j] = value
                if lo <= value <= hi and (at is None or at[i] == at[j]):
                    matrix[i][j], matrix[j][i] = value, 1 / value
    if groups is not None:
        level = read_levels(matrix, group_judgements if group_judgements is not None else (), groups, judgements)
        if by_group:
            return AHPRead(parsed, matrix, level.ok, None, level)
    else:
        level = None
    blanks = [(i, j) for i in range(m) for j in range(i + 1, m) if matrix[i][j] == "" and _blank(judgements[i][j])]
    ok = m <= MAX_AHP_CRITERIA and sum(x == "" for row in matrix for x in row) == 2 * len(blanks)
    result = None
    if ok and blanks:  # the add-in completes the blanks (AHP_WEIGHTS, Addin_AHP); the native cells read them
        try:
            result = ahp_weights(np.array([[np.nan if x == "" else x for x in row] for row in matrix], dtype=float))
        except PartnerfitError:  # not connected: the add-in cell says which criteria
            ok = False
        else:
            for i, j in blanks:
                matrix[i][j], matrix[j][i] = float(result.matrix[i, j]), float(result.matrix[j, i])
    elif ok:
        result = ahp_weights(np.array(matrix, dtype=float))
    return AHPRead(parsed, matrix, ok, result, level)


def _blank(cell) -> bool:
    """A judgement cell as the formulas find it blank: LEN(TRIM(CLEAN(cell)))=0."""
    if cell is None:
        return True
    return isinstance(cell, str) and not "".join(ch for ch in cell if ord(ch) >= 32).strip(" ")


def _ahp_values(f: Filling, grouped: GroupRead) -> tuple[dict[str, list[list]], AHPRead]:
    """The Weights (AHP) sheet's values and its Calc blocks.

    The native formulas find the principal eigenvector by repeated squaring: B0 = A / sum(A),
    B(k+1) = B(k).B(k) / sum(B(k).B(k)), and the weights are the row sums of B(AHP_STEPS)
    (A^1024 up to a factor). For a positive matrix A^k / |A^k| tends to w v' (Perron), with an
    error shrinking like (|lambda_2| / lambda_max)^k: after 1,024 powers it is far below double
    precision for any reciprocal matrix of judgements from 1/9 to 9 (tests/test_template.py
    checks 1e-9 against the engine on the published cases and random matrices). With Weigh by =
    Group the sums are taken per same-group block (`levels`). The cached weights, lambda max, CI
    and CR are the engine's (`ahp.ahp_weights`, `groups.ahp_hierarchy`, LAPACK); the Calc blocks
    hold the same squaring done in numpy.
    """
    m = len(f.criteria)
    team = read_team(f.stakeholders)
    read = read_ahp(judgements_used(f.judgements, f.stakeholders), grouped, f.groups.judgements)
    level = read.levels
    values = {"Calc_AHP_Parsed": read.parsed, "AHP_Matrix": read.matrix, **team,
              "Calc_AHP_Text": judgement_texts(f.judgements, m),
              "Calc_AHP_Group_Text": judgement_texts(f.groups.judgements, G)}
    values.update(chain_values(read.matrix, same_group(level), read.ok))
    values.update(levels_values(level, read.ok, read.matrix, read.local, f.groups.names, f.criteria))
    errors = [[-1.0] * m for _ in range(m)]
    if read.ok:
        w = read.weights
        for i in range(m):
            for j in range(i + 1, m):
                if read.matrix[i][j] != "" and read.parsed[i][j] != "":  # a completed value is never revisited
                    errors[i][j] = float(abs(math.log(read.matrix[i][j] * w[j] / w[i])))
        if level.by_group:
            top = values["Calc_AHP_Level_Top"][0][0] - 1
            stats = [values[f"AHP_Level_{x}"][top][0] for x in ("Lambda_Max", "CI", "CR")]
        else:
            stats = [float(read.result.lambda_max), float(read.result.ci), float(read.result.cr)]
        values.update({
            "AHP_Result_Weights": _column(w),
            "AHP_Lambda_Max": [[stats[0]]],
            "AHP_CI": [[stats[1]]],
            "AHP_CR": [[stats[2]]],
        })
    else:
        values.update({"AHP_Result_Weights": _column([""] * m), "AHP_Lambda_Max": [[""]], "AHP_CI": [[""]],
                       "AHP_CR": [[""]]})
    worst = [0, 0]
    if level.by_group:
        first = values["Calc_AHP_Level_First"][0][0]
        check = (level.check if not read.ok else AHP_CONSISTENT if not first
                 else f"{AHP_INCONSISTENT}{values['AHP_Level_Revisit'][first - 1][0]}")
    elif m > MAX_AHP_CRITERIA:
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


def effective_weights(weights, use_ahp, ahp: AHPRead, groups: GroupRead) -> tuple[list, bool, bool]:
    """(Effective_Weights as the Criteria sheet shows them, use AHP, Use AHP weights is valid):
    the AHP weights when Use AHP weights is Yes ("" while the judgements are incomplete), else
    by group when Weigh by is Group ("" while the groups have a problem), else the typed weights
    ("" for a blank or a weight that is not a number)."""
    choice = choice_value(use_ahp)
    use = choice == "yes"
    if use:
        effective = ahp.weights if ahp.ok else [""] * len(weights)
    elif groups.by_group:
        effective = groups.weights if groups.weights is not None else [""] * len(weights)
    else:
        effective = [float(w) if is_number(w) else "" for w in weights]
    return effective, use, choice in ("", "yes", "no")


def vendor_warning(filling: Filling) -> str:
    """The Vendors sheet's warning: vendors the formulas cannot see (as `Vendor_Warning` says it)."""
    if filling.beyond_formulas:
        return VENDORS_BEYOND.format(n=filling.formula_rows)
    if filling.below_table:
        return f"{filling.below_table[0][0]}: {VENDOR_BELOW}"
    names = cell_texts([v.name for v in filling.rows()[:filling.formula_rows]])
    shows_nothing = [i for i, name in enumerate(names) if invisible_text(name)]
    if shows_nothing:
        area = layout(len(filling.criteria), filling.capacity, filling.evaluators)["Vendor_Names"]
        return f"{area.sheet}!{cell_ref(area.row + shows_nothing[0], area.col, absolute=False)}: {INVISIBLE_NAME}"
    return ""


@dataclass(frozen=True)
class Computation:
    """One computation of a workbook's inputs (`compute`): the value of every native formula cell
    and the engine's results behind them; the add-in cells' values when first asked (`values`)."""

    filling: Filling
    native: dict[str, list[list]]
    """Name -> rows of values of every native formula cell, shaped like `layout()`'s areas."""
    listed: list[int]
    """The vendor rows scored: named, within the formula rows."""
    evaluation: Evaluation | None
    """The engine's results of the listed rows (None when the inputs stop the scores); a culprit
    indexes every criteria cell."""
    matrix: np.ndarray | None
    """The scores ranked, listed rows x every criteria cell (consensus, agreed, suggested and price
    scores in)."""
    leaders: dict | None
    """The vendor rows leading under each price formula (`prices.method_values`), with quotes."""
    team: GridRead

    @cached_property
    def values(self) -> dict[str, list[list]]:
        """Every formula and add-in cell's value (the add-in functions run on the native values)."""
        f = self.filling
        return {**self.native, **_addin_values(f, f.formula_rows, self.native, self.team)}


def computed_values(filling: Filling) -> dict[str, list[list]]:
    """The value of every formula and add-in cell of the workbook holding `filling` (`compute`).

    Name -> rows of values, shaped like `layout()`'s areas; "" for an empty result.
    """
    return compute(filling).values


def compute(filling: Filling) -> Computation:
    """Compute a workbook's inputs once, as its formulas do: native results come from the engine
    (`scoring.evaluate`, `consensus.cell_statistics`, `ahp.ahp_weights`) on the cells as the
    formulas read them."""
    f = filling
    rows = f.rows()[:f.formula_rows]
    n, m = f.formula_rows, len(f.criteria)
    names = [v.name for v in rows]
    present = [is_present(name) for name in names]
    team = read_grids(names, f.grid_cells(), f.consensus_method)
    consensus_on = team.mode and team.check == EVAL_OK
    if consensus_on:
        centre, spread, count = team.statistics(n, m)
    agreed, reasons = (cells[:n] for cells in f.agreed_cells())
    if team.mode:
        clean = ([["" if math.isnan(x) else float(x) for x in row] for row in centre.tolist()] if consensus_on
                 else [[""] * m for _ in range(n)])
        for i, j in zip(*np.nonzero(agreed_mask(agreed))):  # the agreed score replaces the consensus
            clean[i][j] = _clean(agreed[i][j])
    else:
        clean = [[_clean(x) for x in v.scores] for v in rows]
    diligence_values = diligence.values_part(f, present)
    track = track_record_at(f.criteria)
    use = np.array([u for (u,) in diligence_values["Calc_DD_Use_Suggested"]], dtype=bool)
    if track is None:
        use[:] = False
    suggested = np.array([math.nan if x == "" else x for (x,) in diligence_values["DD_Suggested_Scores"]], dtype=float)
    for i in np.flatnonzero(use).tolist():  # the suggested Regulatory track record score (Calc_Clean_Scores)
        clean[i][track] = float(suggested[i])
    price = read_prices(f.prices, f.criteria, n)
    if price.on:  # the price scores fill the price criterion's column (Calc_Clean_Scores)
        for row, x in zip(clean, price.scores.tolist()):
            row[price.at - 1] = "" if math.isnan(x) else x
    grouped = read_groups(f.groups, f.criteria, f.weights)
    ahp_values, ahp = _ahp_values(f, grouped)
    effective, use_ahp, use_ok = effective_weights(f.weights, f.use_ahp, ahp, grouped)

    weight_row = [x if isinstance(x, float) else 0.0 for x in effective]
    minimum_row = [float(x) if is_number(x) else "" for x in f.minimums]
    total = sum(x for x in effective if isinstance(x, float))
    checks = [_criterion_check(w, x) for w, x in zip(f.weights, f.minimums)]
    coverage_ok = is_number(f.min_coverage) and 0 <= f.min_coverage <= 1
    check = (CHECK_ROWS if any(checks) else CHECK_USE_AHP if not use_ok
             else CHECK_AHP if use_ahp and not ahp.ok else GROUP_MODE if not grouped.mode_ok
             else CHECK_GROUPS if not use_ahp and grouped.by_group and grouped.check != CHECK_OK
             else CHECK_TOTAL if not total > 0
             else CHECK_OK if coverage_ok else CHECK_COVERAGE)
    inputs_ok = check == CHECK_OK and (not team.mode or team.check == EVAL_OK) and price.check == CHECK_OK

    scored = [[isinstance(x, float) for x in row] for row in clean]
    below = [[s and isinstance(lo, float) and x < lo for s, x, lo in zip(srow, row, minimum_row)]
             for srow, row in zip(scored, clean)]
    musts = [isinstance(x, float) for x in minimum_row]
    missing = [sum(musts) - sum(mu and s for mu, s in zip(musts, srow)) for srow in scored]

    score, coverage, status, rank = [""] * n, [""] * n, [""] * n, [""] * n
    ranking = [["", "", ""] for _ in range(n)]
    rank_keys, positions, technical = [""] * n, [""] * n, [""] * n
    listed = [i for i in range(n) if present[i]]
    rank_of = None  # with quotes: the ranks with another price formula (prices.method_values)
    result = matrix = None
    if not inputs_ok:
        for i in listed:
            status[i] = (STATUS_CHECK if check != CHECK_OK else STATUS_PRICES if price.check != CHECK_OK
                         else STATUS_EVALUATIONS)
    elif listed:
        if team.mode:
            matrix, unreadable = settle(centre, agreed)
            matrix, unreadable = matrix[listed], unreadable[listed]
        else:
            matrix, unreadable = score_matrix([rows[i].scores for i in listed])
        matrix, unreadable = with_suggestions(matrix, unreadable, track, suggested[listed], use[listed])
        minimums = np.array([math.nan if x == "" else x for x in minimum_row], dtype=float)
        if price.on:
            matrix, unreadable = matrix.copy(), unreadable.copy()
            matrix[:, price.at - 1], unreadable[:, price.at - 1] = price.scores[listed], False
            others = np.arange(m) != price.at - 1
            kept = evaluate(matrix[:, others], np.array(weight_row)[others], minimums[others],
                            float(f.min_coverage), unreadable[:, others], SCALE).score
            for k, i in enumerate(listed):
                if not math.isnan(kept[k]):
                    technical[i] = float(kept[k])

            def rank_of(column, matrix=matrix, at=price.at - 1):
                other = matrix.copy()
                other[:, at] = column[listed]
                ranked = evaluate(other, np.array(weight_row), minimums, float(f.min_coverage), unreadable, SCALE)
                total, rank = np.full(n, math.nan), np.full(n, math.nan)
                rank[listed] = ranked.rank
                total[listed] = [math.nan if math.isnan(r) else round(float(x), 9)
                                 for x, r in zip(ranked.score.tolist(), ranked.rank.tolist())]
                return total, rank
        dd_status = np.array([diligence_values["DD_Statuses"][i][0] for i in listed], dtype=object)
        excluded = diligence.knocked_out(dd_status)
        result = evaluate(matrix, np.array(weight_row), minimums, float(f.min_coverage), unreadable, SCALE, excluded)
        texts = np.where(excluded & (result.status != Status.INVALID), dd_status,
                         result.status_text([str(c) for c in f.criteria]))
        for k, i in enumerate(listed):
            if not math.isnan(result.score[k]):
                score[i] = float(result.score[k])
            coverage[i] = float(result.coverage[k])
            status[i] = str(texts[k])
            if not math.isnan(result.rank[k]):
                rank[i] = int(result.rank[k])
                rank_keys[i] = round(score[i], 9)
        eligible = [k for k in result.order().tolist() if not math.isnan(result.rank[k])]
        for position, k in enumerate(eligible):
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
    header = ["Vendor", *(_result_name(c) for c in f.criteria)]
    robust = [header] + [[result_names[i], *clean[i]] if status[i] == "Eligible" else [""] * (m + 1)
                         for i in range(n)]
    vendor_table = [header] + [[result_names[i], *clean[i]] if present[i] else [""] * (m + 1) for i in range(n)]
    grid_at = [[int(x) if p and team.mode else f.grid_rows + 1 for x in row] for p, row in  # the blank row
               zip(present, np.where(team.at[:n] > 0, team.at[:n], f.grid_rows + 1).tolist())]
    values = {
        "Criteria_Check": [[check]],
        "Effective_Weights": _column(effective),
        "Weight_Shares": _column(x / total if isinstance(x, float) and total > 0 else "" for x in effective),
        "Criteria_Checks": _column(checks),
        "Weights_Total": [[total]],
        "Vendor_Count": [[sum(present)]],
        "Qualified_Count": [[sum(s == "Eligible" for s in status)]],
        "Result_Vendors": _column(result_names),
        "Vendor_Warning": [[vendor_warning(f)]],
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
        "Calc_Typed_Scores": typed_cells(agreed if team.mode else [v.scores for v in rows]),
        "Calc_Clean_Scores": clean,
        "Calc_Score_Sources": [[PRICE_SOURCE if price.on and price.at == j + 1 else TRACK_SOURCE
                                if excel_trim(str(c)).lower() == TRACK_RECORD.lower() else 0
                                for j, c in enumerate(f.criteria)]],
        **diligence_values,
        **approvals.values_part(f.approvals, f.partner_type),
        "Calc_Below_Minimum": below,
        "Eval_Check": [[team.check]],
        "Eval_Rows": [[team.rows]],
        **{f"Grid_{g + 1}_Check": _column(texts) for g, texts in enumerate(team.checks)},
        "Calc_Grid_At": grid_at,
        "Calc_Team_Scores": team_cells(f.grid_cells(), grid_at),
        "Calc_Eval_Mode": [[team.mode]],
        "Calc_Median": [[team.median]],
        "Calc_Method_OK": [[team.method_ok]],
        "Calc_Consensus_On": [[consensus_on]],
        "Calc_Use_AHP": [[use_ahp]],
        "Calc_Use_AHP_OK": [[use_ok]],
        "Calc_AHP_OK": [[ahp.ok]],
        "Agreed_Check": [[AGREED_INVALID.format(lo=_LO, hi=_HI) if team.mode and any(
            x == INVALID_CELL for row in clean for x in row) else f"{missing_reason}{AGREED_NO_REASON}"
            if (missing_reason := unreasoned(agreed, reasons)) else AGREED_OK]],
        "Agreed_Count": [[int(counted_agreed(agreed, present, price.at - 1 if price.on else None).sum())
                          if team.mode else 0]],
        "Consensus_Disagreements": [[sum(isinstance(x, float) and x >= DISAGREEMENT for row in spreads for x in row)]],
        "Consensus_Vendors": _column(result_names),
        "Consensus_Scores": block(centre) if consensus_on else nothing,
        "Consensus_Spreads": spreads,
        "Consensus_Counts": ([[int(c) if s else "" for c in row] for s, row in zip(shown, count.tolist())]
                             if consensus_on else nothing),
        "Score_Source": [[f"Evaluations: {team.method} of the evaluators" if team.mode else "Vendors sheet"]],
        "Calc_Robust_Table": robust,
        "Calc_Scored_Table": vendor_table,
        **ahp_values,
    }
    values.update(fit_values(f))
    values.update(groups_values(grouped))
    values.update(values_part(f.prices, f.criteria, names), Technical_Scores=_column(technical))
    method, leaders = method_values(f.prices, price, names, rank_of)
    values.update(method)
    return Computation(f, values, listed, result, matrix, leaders, team)


def _result_name(name):
    """A vendor name as a formula referring to its cell returns it."""
    return name if isinstance(name, (str, int, float, bool)) else str(name)


def _excel(value):
    """A cell value as Excel hands it to an xlwings function (floats, None for blank)."""
    if is_empty(value):
        return None
    if is_number(value):
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


def fit_values(f: Filling) -> dict[str, list[list]]:
    """The Program sheet's native partner-fit cells (see `formulas._fit_formulas`)."""
    options = fit_lookup()
    reading = read_programme({field: getattr(f, field) for field in PROGRAMME_FIELDS})
    rows = [reading.rows[field] for field in PROGRAMME_FIELDS]
    total = [float(sum(options[r - 1].points[t] for r in rows if r > 0)) for t in range(3)]
    rec = reading.recommendation
    return {
        "Calc_Fit_Rows": [[float(r) for r in rows]],
        "Calc_Fit_Total": [total],
        "Calc_Fit_Status": [[reading.message]],
        "Fit_Scores": [["CRO", "CMO", "CDMO"], [float(rec.scores[t]) for t in ("CRO", "CMO", "CDMO")] if rec
                       else ["", "", ""]],
        "Recommendation": [[rec.partner_type if rec else reading.message]],
    }


def grid_stack(f: Filling) -> list[list]:
    """The cells of Eval_Grids as Excel hands them to CONSENSUS: each grid's header and rows, the
    two rows below it and, from the second grid on, its Evaluator row."""
    blank = [None] * (1 + len(f.criteria))
    out = []
    for g, grid in enumerate(f.grid_cells()):
        if g:
            out += [blank, blank, ["Evaluator", _excel(grid.evaluator), *blank[2:]]]
        out.append(["Vendor", *f.criteria])
        out += [[_excel(v), *map(_excel, row)] for v, row in zip(grid.vendors, grid.scores)]
    return out


def _addin_values(f: Filling, n: int, native: dict[str, list[list]], team: GridRead) -> dict[str, list[list]]:
    """What the add-in functions return for these inputs (`native`: the native formulas' values)."""
    m = len(f.criteria)
    program = [_excel(x) for x in (f.stage, f.need, f.process, f.cmc_experience, f.modality)]
    table = [[_excel(x) for x in row] for row in native["Calc_Scored_Table"]]  # VENDOR_RANKING(Calc_Scored_Table, ...)
    weights = [_excel(w) for (w,) in native["Effective_Weights"]]
    used = judgements_used(f.judgements, f.stakeholders)  # IF(Calc_AHP_Team_On,AHP_Team_Mean,AHP_Judgements)
    mean = used is not f.judgements  # the mean's diagonal is "" too
    judged = [[_excel(x) if i < j else None if mean or i > j else 1.0 for j, x in enumerate(row)]
              for i, row in enumerate(used)]
    if native["Calc_By_Group"][0][0]:  # IF(Calc_By_Group,AHP_WEIGHTS(AHP_Judgements,Calc_Group_At,...),...)
        groups = [[_excel(x) if i < j else 1.0 if i == j else None for j, x in enumerate(row)]
                  for i, row in enumerate(f.groups.judgements)]
        ahp = _block(functions.AHP_WEIGHTS(judged, native["Calc_Group_At"], groups), addin_rows(m), 2)
    else:
        ahp = _block(functions.AHP_WEIGHTS(judged), addin_rows(m), 2)
    blocks = [[[_excel(x) if i < j else None for j, x in enumerate(row)] for i, row in enumerate(block)]
              for block in f.stakeholders]
    aggregate = _block(functions.AHP_AGGREGATE(*blocks), *team_addin_size(m))
    results = functions.VENDOR_RANKING(table, weights, [_excel(x) for x in f.minimums], _excel(f.min_coverage))
    if team.rows:  # CONSENSUS imports pandas: only when there is something to compute
        consensus = functions.CONSENSUS(grid_stack(f), _excel(f.consensus_method))
    else:
        consensus = [["Vendor"]]  # what CONSENSUS returns for no evaluations (a test checks it)
    if native["Qualified_Count"][0][0] > 0:
        robust = [[_excel(x) for x in row] for row in native["Calc_Robust_Table"]]
        robustness = functions.ROBUSTNESS(robust, weights, *ROBUSTNESS_ARGS)
    else:
        robustness = NO_ELIGIBLE
    reading = read_programme(dict(zip(PROGRAMME_FIELDS, program)))
    return {
        "Addin_Version": [[functions.PARTNERFIT_VERSION()]],
        "Addin_Recommendation": [[functions.PARTNER_FIT(*program)]],
        "Recommendation_Reason": [[reading.recommendation.reason if reading.recommendation else ""]],
        "Addin_Results": _block(results, n + 1, 5),
        "Addin_Consensus": _block(consensus, n + 1, m + 1),
        "Robustness_Summary": [[robustness]],
        "Addin_AHP": ahp,
        "Addin_AHP_Team": aggregate,
    }



@dataclass(frozen=True)
class Parameters:
    """The validated numeric parameters of an evaluation."""

    weights: np.ndarray
    minimums: np.ndarray
    min_coverage: float



def used_scores(inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
    """(scores, unreadable) of the named vendors and criteria: the consensus when the
    Evaluations sheet holds rows, else the Vendors sheet's cells; the suggested Regulatory track
    record score where the vendor's Track_Record_Reasons cell is blank (`diligence.suggested_scores`)."""
    if inputs.team is not None:
        matrix, unreadable = settle(inputs.consensus()[0], inputs.agreed or [])
        rows = np.ix_(inputs.vendor_rows, inputs.criteria_rows)
        matrix, unreadable = matrix[rows], unreadable[rows]
    elif inputs.vendors:
        matrix, unreadable = score_matrix(inputs.cells)
    else:
        return np.empty((0, len(inputs.criteria))), np.zeros((0, len(inputs.criteria)), bool)
    suggestions = diligence.suggested_scores(inputs)
    if suggestions is None:
        return matrix, unreadable
    return with_suggestions(matrix, unreadable, track_record_at(inputs.criteria), *suggestions)



# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Results:
    """A scored workbook: the recommendation and the engine's per-vendor results."""

    inputs: Inputs
    parameters: Parameters
    recommendation: Recommendation | None
    evaluation: Evaluation
    status: list[str]
    matrix: np.ndarray | None = None
    """The scores the engine ranked (the consensus when the Evaluations sheet holds rows)."""
    programme_message: str = ""
    """Why there is no recommendation (`recommendation` None): the Program sheet's own words."""
    price: object = None
    """`prices.PriceResult` when quotes score the price criterion, else None."""
    due_diligence: list[str] | None = None
    """Each vendor's due-diligence status (`due_diligence.vendor_statuses`); None without DD_ columns."""
    approval: str | None = None
    """"Approved", "Not approved" or "Not approved: rejected" (`approvals.status`); None without the sheet."""
    computation: Computation | None = None
    """The one computation these results were read from: every cell's value (`Computation.values`)."""

    def vendor_table(self) -> list[dict]:
        """Vendors in the engine's order (eligible by rank, then the rest as entered)."""
        e, order = self.evaluation, self.evaluation.order()
        score, rank = e.score[order], e.rank[order]
        scores = np.where(np.isnan(score), None, score).tolist()  # Python floats, None where NaN
        ranks = np.where(np.isnan(rank), None, np.nan_to_num(rank).astype(np.int64)).tolist()
        vendors, status = self.inputs.vendors, self.status
        dd = self.due_diligence
        table = [{"vendor": vendors[i], "score": s, "rank": r, "coverage": c, "status": status[i],
                  "due_diligence": None if dd is None else dd[i]}
                 for i, s, r, c in zip(order.tolist(), scores, ranks, e.coverage[order].tolist())]
        p = self.price
        for row, i in zip(table, order.tolist() if p is not None else ()):  # the total stays "score"
            row.update(technical_score=None if np.isnan(p.technical[i]) else float(p.technical[i]),
                       quote=p.quotes[i], price_score=p.scores[i], abnormally_low=p.abnormally_low[i])
        return table

    def team_counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per vendor (as entered): how many evaluators scored it (1 or 0 without evaluation
        rows), how many of its criteria are flagged (spread of DISAGREEMENT or more) and how many
        carry an agreed score that replaced the consensus."""
        inputs = self.inputs
        if inputs.team is None:
            nobody = np.zeros(len(inputs.vendors), int)
            return (~np.isnan(self.matrix).all(axis=1)).astype(int), nobody, nobody
        team, rows = inputs.team, np.asarray(inputs.vendor_rows, dtype=np.intp)
        _, spread, _ = inputs.consensus()
        cells = np.ix_(rows, inputs.criteria_rows)
        flagged = (np.nan_to_num(spread[cells], nan=0.0) >= DISAGREEMENT).sum(axis=1)
        agreed = replacing_agreed(inputs).sum(axis=1)
        return team.scored_by()[rows], flagged, agreed

    def as_json(self) -> dict:
        """The results; with quotes scoring the price criterion, "price" and each vendor's
        technical_score, quote, price_score and abnormally_low too."""
        price = {} if self.price is None else {"price": {
            "currency": self.price.currency, "method": self.price.method, "criterion": self.price.criterion,
            "method_decides": self.price.method_check.changed, "method_check": self.price.method_check.message,
        }}
        evaluators, flagged, agreed = self.team_counts()
        order = self.evaluation.order().tolist()
        return {
            "recommendation": {  # with no recommendation: no type, no scores, and the reason why
                "partner_type": self.recommendation.partner_type if self.recommendation else None,
                "scores": dict(self.recommendation.scores) if self.recommendation else None,
                "reason": self.recommendation.reason if self.recommendation else self.programme_message,
            },
            "vendors": [{**row, "evaluators": int(evaluators[i]), "flagged": int(flagged[i]), "agreed": int(agreed[i])}
                        for row, i in zip(self.vendor_table(), order)],
            **({} if self.approval is None else {"approval": self.approval}),
            **price,
        }
