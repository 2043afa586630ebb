"""Reading a filled evaluation workbook through its defined names, checking it, scoring it.

The template's defined names (`Program_Stage`, `Weights`, `Vendor_Scores`, ...) are the contract:
rows and sheets that users add do not confuse the reader, because it never looks anywhere else.
Reading uses python-calamine and no pandas, so `partnerfit score --json` costs little more than
reading the cells.

Workbooks with the Evaluations and Weights (AHP) sheets are read exactly as their formulas read
them, through the same functions that compute the workbook's cached values
(`template.read_evaluations`, `template.read_ahp`): when the Evaluations sheet holds rows the
scores are their consensus (`consensus.cell_statistics`), and with Use AHP weights = Yes the
weights are `ahp.ahp_weights` of the judgements. Workbooks made before those sheets lack their
names and are read as before.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path

import numpy as np

from . import xlsx
from .cells import cell_text, cell_texts, is_blank, number, score_matrix
from .criteria import SCALE
from .errors import PartnerfitError, show
from .partner_fit import Recommendation, recommend
from .scoring import Evaluation, check_coverage, check_minimums, check_weights, evaluate

PROGRAM_NAMES = {
    "stage": "Program_Stage",
    "need": "Program_Need",
    "process": "Program_Process",
    "cmc_experience": "Program_CMC",
    "modality": "Program_Modality",
}
REQUIRED_NAMES = (*PROGRAM_NAMES.values(), "Criteria_Names", "Weights", "Minimums", "Vendor_Names", "Vendor_Scores")
DEFAULT_MIN_COVERAGE = 0.5
EVALUATION_NAMES = ("Eval_Vendors", "Eval_Evaluators", "Eval_Criteria", "Eval_Scores", "Eval_Evidence")
"""The Evaluations sheet's input columns (as in `template.EVALUATION_NAMES`)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a workbook: where, and what to do about it."""

    cell: str
    message: str

    def __str__(self) -> str:
        # One line, even when a name typed with Alt+Enter holds a line break.
        return f"{self.cell}: {self.message}".replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


@dataclass
class Inputs:
    """Everything the engine needs, as found in the workbook, with where each value lives."""

    program: dict[str, object]
    program_cells: dict[str, str]
    criteria: list[str]
    weights: list[object]
    minimums: list[object]
    min_coverage: object
    vendors: list[str]
    cells: np.ndarray
    """Score cells exactly as entered (objects, None for blanks), one row per (non-empty) vendor row."""
    areas: dict[str, xlsx.Area]
    criteria_rows: list[int]
    """Offsets of the used criteria within Criteria_Names / Weights / Minimums."""
    vendor_rows: list[int]
    """Offsets of the used vendor rows within Vendor_Names / Vendor_Scores."""
    problems: list[Problem] = field(default_factory=list)
    vendor_cells: list = field(default_factory=list)
    """Every cell of Vendor_Names, as entered (the evaluations refer to them by row)."""
    criteria_cells: list = field(default_factory=list)
    """Every cell of Criteria_Names, as entered."""
    evaluations: list = field(default_factory=list)
    """The Evaluations sheet's rows (vendor, evaluator, criterion, score, evidence) as entered."""
    consensus_method: object = None
    team: object = None
    """`template.EvaluationRead` when the Evaluations sheet holds rows, else None."""
    use_ahp: object = None
    judgements: list | None = None
    """The AHP judgement block as entered, when the workbook has one."""

    @property
    def uses_ahp(self) -> bool:
        """Use AHP weights is Yes (exactly as the workbook reads it)."""
        value = self.use_ahp
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "no")):
            return False  # the usual answers, without loading the template module
        from .template import _choice_value

        return _choice_value(value) == "yes"

    def consensus(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(consensus, spread, count) over every vendor row and criteria cell (see `team`)."""
        return self.team.statistics(len(self.vendor_cells), len(self.criteria_cells))

    def list_cell(self, name: str, index: int) -> str:
        """Address of item `index` of a one-row or one-column named range."""
        area = self.areas[name]
        return area.address(index, 0) if area.rows >= area.cols else area.address(0, index)


def _flat(block: list[list]) -> list:
    return [v for row in block for v in row]


class Source:
    """A vetted workbook opened for reading: its defined names and cell values."""

    def __init__(self, path):
        self.path = Path(path)
        self.package = xlsx.open_package(path)
        self.book = xlsx.read_workbook(self.package)
        self.values = xlsx.SheetValues(self.package, self.book)
        self._areas: dict[str, xlsx.Area] = {}

    def has(self, name: str) -> bool:
        return name in self.book.names

    def area(self, name: str) -> xlsx.Area:
        if name not in self._areas:
            if name not in self.book.names:
                raise PartnerfitError(f"{self.path}: defined name {name} is missing; regenerate the "
                                      "workbook with partnerfit new and copy your data into it")
            self._areas[name] = self.book.area(name)
        return self._areas[name]

    def block(self, name: str) -> list[list]:
        return self.values.block(self.area(name))

    def array(self, name: str) -> np.ndarray:
        return self.values.array(self.area(name))


def read_inputs(source: Source) -> Inputs:
    """Read a filled workbook. Structural faults raise; cell-level faults are in `.problems`."""
    path = source.path
    missing = [n for n in REQUIRED_NAMES if not source.has(n)]
    if missing:
        raise PartnerfitError(
            f"{path}: defined name {missing[0]} is missing"
            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
            + "; this is not a partnerfit workbook, or its names were deleted: start from `partnerfit new`"
        )
    areas = {n: source.area(n) for n in (*REQUIRED_NAMES, "Min_Coverage") if source.has(n)}
    program = {key: source.block(name)[0][0] for key, name in PROGRAM_NAMES.items()}
    names_all = _flat(source.block("Criteria_Names"))
    weights_all = _flat(source.block("Weights"))
    minimums_all = _flat(source.block("Minimums"))
    if not len(names_all) == len(weights_all) == len(minimums_all):
        raise PartnerfitError(
            f"{path}: Criteria_Names, Weights and Minimums cover {len(names_all)}, {len(weights_all)} and "
            f"{len(minimums_all)} cells; they must be the same length"
        )
    problems: list[Problem] = []
    criteria_rows = [i for i, name in enumerate(names_all) if not is_blank(name)]
    vendor_area, score_area = areas["Vendor_Names"], areas["Vendor_Scores"]
    if score_area.cols != len(names_all):
        raise PartnerfitError(
            f"{path}: Vendor_Scores has {score_area.cols} columns for {len(names_all)} criteria cells; "
            "the block needs one column per criterion"
        )
    if vendor_area.rows != score_area.rows:
        raise PartnerfitError(
            f"{path}: Vendor_Names covers {vendor_area.rows} rows but Vendor_Scores {score_area.rows}; "
            "they must cover the same rows"
        )
    names_block = source.array("Vendor_Names").ravel().tolist()
    score_block = source.array("Vendor_Scores")
    names = cell_texts(names_block)  # "" for a blank cell
    vendor_rows = list(compress(range(len(names)), names))
    for i in compress(range(len(names)), map(operator.not_, names)):
        if not all(is_blank(v) for v in score_block[i]):
            problems.append(Problem(vendor_area.address(i), "this row has scores but no vendor name; "
                                    "enter the vendor's name or clear the row"))
    inputs = Inputs(
        program=program,
        program_cells={k: areas[n].address() for k, n in PROGRAM_NAMES.items()},
        criteria=[str(names_all[i]).strip() for i in criteria_rows],
        weights=[weights_all[i] for i in criteria_rows],
        minimums=[minimums_all[i] for i in criteria_rows],
        min_coverage=source.block("Min_Coverage")[0][0] if "Min_Coverage" in areas else DEFAULT_MIN_COVERAGE,
        vendors=list(compress(names, names)),
        cells=score_block if score_block.shape == (len(vendor_rows), len(criteria_rows))  # all in use
        else score_block[np.ix_(vendor_rows, criteria_rows)],
        areas=areas,
        criteria_rows=criteria_rows,
        vendor_rows=vendor_rows,
        problems=problems,
    )
    for i, name in enumerate(names_all):
        if is_blank(name) and not (is_blank(weights_all[i]) and is_blank(minimums_all[i])):
            problems.append(Problem(inputs.list_cell("Criteria_Names", i),
                                    "a weight or minimum is set for a criterion with no name; name it or clear the row"))
    inputs.vendor_cells, inputs.criteria_cells = names_block, names_all
    _read_team(source, inputs)
    return inputs


def _read_team(source: Source, inputs: Inputs) -> None:
    """The Evaluations and Weights (AHP) inputs, when the workbook has their names."""
    for name in ("Use_AHP", "AHP_Judgements", "Consensus_Method", "Consensus_Scores", "Consensus_Spreads"):
        if source.has(name):
            inputs.areas[name] = source.area(name)
    if source.has("Use_AHP"):
        inputs.use_ahp = source.block("Use_AHP")[0][0]
    if source.has("AHP_Judgements"):
        inputs.judgements = source.block("AHP_Judgements")
    if source.has("Consensus_Method"):
        inputs.consensus_method = source.block("Consensus_Method")[0][0]
    if not all(source.has(name) for name in EVALUATION_NAMES):
        return
    areas = [source.area(name) for name in EVALUATION_NAMES]
    if len({area.rows for area in areas}) != 1:
        raise PartnerfitError(f"{source.path}: the Eval_ names cover {', '.join(str(a.rows) for a in areas)} "
                              "rows; they must cover the same rows")
    inputs.areas.update(zip(EVALUATION_NAMES, areas))
    inputs.evaluations = list(zip(*(_flat(source.block(name)) for name in EVALUATION_NAMES)))
    if all(v is None or v == "" for row in inputs.evaluations for v in row[:4]):
        return  # no evaluation rows: the Vendors sheet's scores count
    from .template import read_evaluations

    team = read_evaluations(inputs.vendor_cells, inputs.criteria_cells, inputs.evaluations,
                            inputs.consensus_method, areas[0].top - 1)
    inputs.team = team if team.mode else None


# ---------------------------------------------------------------- checking


@dataclass(frozen=True)
class Parameters:
    """The validated numeric parameters of an evaluation."""

    weights: np.ndarray
    minimums: np.ndarray
    min_coverage: float


def parameters(inputs: Inputs) -> tuple[Parameters | None, list[Problem]]:
    """Weights, minimums and minimum coverage, or the problems that prevent reading them."""
    problems: list[Problem] = []
    weights, minimums = [], []
    for k, name in enumerate(inputs.criteria):
        row = inputs.criteria_rows[k]
        weights.append(_number(inputs.weights[k], f"weight for {name}", 0.0,
                               inputs.list_cell("Weights", row), problems))
        minimums.append(_number(inputs.minimums[k], f"must-have minimum for {name}", math.nan,
                                inputs.list_cell("Minimums", row), problems))
    coverage_cell = inputs.areas["Min_Coverage"].address() if "Min_Coverage" in inputs.areas else "Min_Coverage"
    coverage = _number(inputs.min_coverage, "minimum coverage", DEFAULT_MIN_COVERAGE, coverage_cell, problems)
    ahp_weights = _ahp_parameters(inputs, problems)
    if ahp_weights is not None:  # the typed weights are ignored, but a negative one is still a typo
        negative = [k for k, w in enumerate(weights) if w < 0]
        for k in negative:
            problems.append(Problem(inputs.list_cell("Weights", inputs.criteria_rows[k]),
                                    f"weight for {inputs.criteria[k]} is {weights[k]:g}; weights must be 0 or more"))
        weights = ahp_weights
    if not inputs.criteria:
        problems.append(Problem(inputs.list_cell("Criteria_Names", 0), "no criteria are named; "
                                "enter at least one criterion with a weight"))
        return None, problems
    if problems:
        return None, problems
    w, mins = np.array(weights), np.array(minimums)
    for check, args, where in (
        (check_weights, (w, inputs.criteria), "Weights"),
        (check_minimums, (mins, inputs.criteria, SCALE), "Minimums"),
        (check_coverage, (coverage,), None),
    ):
        try:
            check(*args)
        except PartnerfitError as error:
            cell = coverage_cell if where is None else _range_text(inputs, where)
            bad = _first_bad(check, args)
            if bad is not None and where is not None:
                cell = inputs.list_cell(where, inputs.criteria_rows[bad])
            problems.append(Problem(cell, str(error)))
    if problems:
        return None, problems
    return Parameters(w, mins, coverage), problems


def _ahp_parameters(inputs: Inputs, problems: list[Problem]) -> list[float] | None:
    """The AHP weights of the named criteria when Use AHP weights is Yes (else None); the
    problems that prevent them go to `problems`, one per unusable judgement."""
    value = inputs.use_ahp
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "no")):
        return None
    from .template import MAX_AHP_CRITERIA, _choice_value, read_ahp

    cell = inputs.areas["Use_AHP"].address()
    if _choice_value(value) not in ("", "yes", "no"):
        problems.append(Problem(cell, f"use AHP weights is {show(value)}; choose Yes or No"))
        return None
    if _choice_value(value) != "yes":
        return None
    block, m = inputs.judgements, len(inputs.criteria_cells)
    if block is None or len(block) != m or any(len(row) != m for row in block):
        problems.append(Problem(cell, "use AHP weights is Yes, but the workbook has no AHP_Judgements block of "
                                      f"{m} x {m} cells; set it to No or regenerate the workbook"))
        return None
    if m > MAX_AHP_CRITERIA:
        problems.append(Problem(cell, f"AHP compares at most {MAX_AHP_CRITERIA} criteria, not {m}; "
                                      "set Use AHP weights to No"))
        return None
    read = read_ahp(block)
    if not read.ok:
        area, names = inputs.areas["AHP_Judgements"], inputs.criteria_cells
        for i in range(m):
            for j in range(i + 1, m):
                if read.matrix[i][j] == "":
                    problems.append(Problem(area.address(i, j), (
                        f"judgement {show(block[i][j]) if not is_blank(block[i][j]) else 'blank'} for "
                        f"{cell_text(names[i])} vs {cell_text(names[j])} is not a number from 1/9 to 9; "
                        "enter a judgement such as 3 or 1/3 (Use AHP weights is Yes)")))
        return None
    return [float(read.result.weights[i]) for i in inputs.criteria_rows]


def _first_bad(check, args) -> int | None:
    """Which criterion a weights/minimums check complained about (None: the whole range)."""
    values = args[0]
    if check is check_weights:
        negative = np.flatnonzero(values < 0)
        return int(negative[0]) if negative.size else None
    if check is check_minimums:
        lo, hi = args[2]
        off = np.flatnonzero((values < lo) | (values > hi))
        return int(off[0]) if off.size else None
    return None


def _range_text(inputs: Inputs, name: str) -> str:
    area = inputs.areas[name]
    return f"{area.address()}:{xlsx.column_letter(area.right)}{area.bottom}"


def _number(value, what: str, blank: float, cell: str, problems: list[Problem]) -> float:
    try:
        return number(value, what, blank)
    except PartnerfitError as error:
        problems.append(Problem(cell, str(error)))
        return blank


def check(inputs: Inputs) -> list[Problem]:
    """Every problem in the workbook, one per cell, in sheet order."""
    problems = list(inputs.problems) + _program_problems(inputs)
    params, parameter_problems = parameters(inputs)
    problems += parameter_problems + check_duplicates(inputs) + evaluation_problems(inputs)
    if inputs.vendors and inputs.team is not None:  # the consensus replaces the Vendors sheet's scores
        if params is not None and not evaluation_problems(inputs, rows_only=True):
            matrix = _score_matrix(inputs)[0]
            must = np.flatnonzero(~np.isnan(params.minimums))
            where = inputs.areas.get("Consensus_Scores")
            for i, k in zip(*np.nonzero(np.isnan(matrix[:, must]))):
                j = must[k]
                row, col = inputs.vendor_rows[i], inputs.criteria_rows[j]
                problems.append(Problem(
                    where.address(row, col) if where else inputs.areas["Eval_Vendors"].address(),
                    f"no evaluator scored {inputs.vendors[i]} on the must-have {inputs.criteria[j]}; "
                    "add an evaluation row (the vendor stays Incomplete until then)",
                ))
    elif inputs.vendors:
        matrix, unreadable = score_matrix(inputs.cells)
        lo, hi = SCALE
        off = unreadable | (matrix < lo) | (matrix > hi)
        for i, j in zip(*np.nonzero(off)):
            value = inputs.cells[i][j]
            problems.append(Problem(
                inputs.areas["Vendor_Scores"].address(inputs.vendor_rows[i], inputs.criteria_rows[j]),
                f"{show(value)} for {inputs.vendors[i]} / {inputs.criteria[j]} is not a score from "
                f"{lo:g} to {hi:g}; enter a number from {lo:g} to {hi:g}, or N/A",
            ))
        if params is not None:
            must = np.flatnonzero(~np.isnan(params.minimums))
            blank = np.isnan(matrix[:, must]) & ~unreadable[:, must]
            for i, k in zip(*np.nonzero(blank)):
                j = must[k]
                problems.append(Problem(
                    inputs.areas["Vendor_Scores"].address(inputs.vendor_rows[i], inputs.criteria_rows[j]),
                    f"{inputs.vendors[i]} has no score for the must-have {inputs.criteria[j]}; "
                    "score it (the vendor stays Incomplete until then)",
                ))
    return problems


def evaluation_problems(inputs: Inputs, rows_only: bool = False) -> list[Problem]:
    """The Evaluations sheet's problems, one per row marked in its Check column (and the
    consensus method when it is neither mean nor median), each at the cell to fix."""
    problems: list[Problem] = []
    if inputs.consensus_method is not None and not rows_only:
        from .template import _choice_value

        if _choice_value(inputs.consensus_method) not in ("", "mean", "median"):
            problems.append(Problem(inputs.areas["Consensus_Method"].address(),
                                    f"consensus method is {show(inputs.consensus_method)}; choose mean or median"))
    team = inputs.team
    if team is None:
        return problems
    from .template import EVAL_CRITERION, EVAL_FILL, EVAL_SCORE, EVAL_VENDOR

    areas = [inputs.areas[name] for name in EVALUATION_NAMES]
    for k, check in enumerate(team.checks):
        if not check:
            continue
        vendor, evaluator, criterion, score = inputs.evaluations[k][:4]
        who = f"{cell_text(vendor)} / {cell_text(criterion)} by {cell_text(evaluator)}"
        if check == EVAL_FILL:
            j = next(j for j, x in enumerate((vendor, evaluator, criterion)) if not _filled(x))
            message = (f"this evaluation row has no {('vendor', 'evaluator', 'criterion')[j]}; "
                       "fill Vendor, Evaluator and Criterion, or clear the row")
        elif check == EVAL_VENDOR:
            j, message = 0, (f"vendor {show(vendor)} is not on the Vendors sheet (the name must match, "
                             "case included); pick it from the drop-down list")
        elif check == EVAL_CRITERION:
            j, message = 2, (f"criterion {show(criterion)} is not on the Criteria sheet; "
                             "pick it from the drop-down list")
        elif check == EVAL_SCORE.format(lo=f"{SCALE[0]:g}", hi=f"{SCALE[1]:g}"):
            j, message = 3, (f"{show(score)} for {who} is not a score from {SCALE[0]:g} to {SCALE[1]:g}; "
                             f"enter a number from {SCALE[0]:g} to {SCALE[1]:g}, or N/A")
        else:  # the same vendor, evaluator and criterion as an earlier row
            j, message = 0, (f"{who} is also in {areas[0].address(team.duplicate_of[k] - 1)}; "
                             "keep one row per vendor, evaluator and criterion")
        problems.append(Problem(areas[j].address(k), message))
    return problems


def _filled(value) -> bool:
    """Not blank as the workbook sees it (LEN(TRIM(x))>0)."""
    from .template import _present

    return _present(value)


def notes(inputs: Inputs) -> list[Problem]:
    """What `check` mentions without counting it a problem: disagreements of 2 points or more
    between evaluators, the Vendors sheet's scores set aside for the consensus, inconsistent
    AHP judgements in use."""
    out: list[Problem] = []
    team = inputs.team
    if team is not None and not evaluation_problems(inputs):
        from .consensus import DISAGREEMENT

        if any(not is_blank(x) for row in inputs.cells for x in row):
            area = inputs.areas["Vendor_Scores"]
            out.append(Problem(f"{area.address()}:{xlsx.column_letter(area.right)}{area.bottom}",
                               "the Vendors sheet's scores are set aside: the Evaluations sheet holds rows, "
                               "so every score is the evaluators' consensus"))
        centre, spread, count = inputs.consensus()
        lowest, highest = _extremes(team, spread.shape)
        where = inputs.areas.get("Consensus_Spreads")
        for k, i in enumerate(inputs.vendor_rows):
            for j, c in enumerate(inputs.criteria_rows):
                if spread[i, c] >= DISAGREEMENT:
                    cell = where.address(i, c) if where else inputs.areas["Eval_Vendors"].address()
                    out.append(Problem(cell, (
                        f"the evaluators disagree on {inputs.vendors[k]} / {inputs.criteria[j]}: scores from "
                        f"{lowest[i, c]:g} to {highest[i, c]:g} by {int(count[i, c])} evaluators (spread "
                        f"{spread[i, c]:g}); discuss before relying on the {team.method}")))
    if inputs.uses_ahp:
        from .template import read_ahp

        read = read_ahp(inputs.judgements) if inputs.judgements is not None else None
        if read is not None and read.ok and not read.result.consistent:
            i, j = read.result.worst_pair
            names = inputs.criteria_cells
            area = inputs.areas["AHP_Judgements"]
            out.append(Problem(area.address(i, j), (
                f"the AHP judgements are inconsistent (CR {read.result.cr:.3f}, above 0.10): revisit "
                f"{cell_text(names[i])} vs {cell_text(names[j])}, entered {show(inputs.judgements[i][j])} while the "
                f"weights imply {read.result.weights[i] / read.result.weights[j]:.2g}")))
    return out


def _extremes(team, shape) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest score per consensus cell (NaN where nobody scored)."""
    lowest, highest = np.full(shape, np.nan), np.full(shape, np.nan)
    flat_low, flat_high = lowest.reshape(-1), highest.reshape(-1)
    for code, score in zip(team.cell, team.score):
        if code:
            k = code - 1
            flat_low[k] = score if np.isnan(flat_low[k]) else min(flat_low[k], score)
            flat_high[k] = score if np.isnan(flat_high[k]) else max(flat_high[k], score)
    return lowest, highest


def _score_matrix(inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
    """(scores, unreadable) of the named vendors and criteria: the consensus when the
    Evaluations sheet holds rows, else the Vendors sheet's cells."""
    if inputs.team is not None:
        centre = inputs.consensus()[0]
        matrix = centre[np.ix_(inputs.vendor_rows, inputs.criteria_rows)]
        return matrix, np.zeros(matrix.shape, dtype=bool)
    if inputs.vendors:
        return score_matrix(inputs.cells)
    return np.empty((0, len(inputs.criteria))), np.zeros((0, len(inputs.criteria)), bool)


def _program_problems(inputs: Inputs) -> list[Problem]:
    """Each programme field checked on its own, so that every bad field is reported."""
    from .domain import CMCExperience, Modality, Process, Stage, parse_needs

    parsers = {
        "stage": lambda v: Stage.parse(v, "stage") if not is_blank(v) else _blank_stage(),
        "need": parse_needs,
        "process": lambda v: is_blank(v) or Process.parse(v, "process"),
        "cmc_experience": lambda v: is_blank(v) or CMCExperience.parse(v, "CMC experience"),
        "modality": lambda v: is_blank(v) or Modality.parse(v, "modality"),
    }
    problems = []
    for key in PROGRAM_NAMES:
        try:
            parsers[key](inputs.program[key])
        except PartnerfitError as error:
            problems.append(Problem(inputs.program_cells[key], f"{error}; pick one from the drop-down list"))
    return problems


def _blank_stage():
    from .domain import Stage

    raise PartnerfitError(f"stage is blank; enter one of {', '.join(Stage.labels())}")


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Results:
    """A scored workbook: the recommendation and the engine's per-vendor results."""

    inputs: Inputs
    parameters: Parameters
    recommendation: Recommendation
    evaluation: Evaluation
    status: list[str]
    matrix: np.ndarray | None = None
    """The scores the engine ranked (the consensus when the Evaluations sheet holds rows)."""

    def vendor_table(self) -> list[dict]:
        """Vendors in the engine's order (qualified by rank, then the rest as entered)."""
        e, order = self.evaluation, self.evaluation.order()
        score, rank = e.score[order], e.rank[order]
        scores = np.where(np.isnan(score), None, score).tolist()  # Python floats, None where NaN
        ranks = np.where(np.isnan(rank), None, np.nan_to_num(rank).astype(np.int64)).tolist()
        vendors, status = self.inputs.vendors, self.status
        return [{"vendor": vendors[i], "score": s, "rank": r, "coverage": c, "status": status[i]}
                for i, s, r, c in zip(order.tolist(), scores, ranks, e.coverage[order].tolist())]

    def as_json(self) -> dict:
        return {
            "recommendation": {
                "partner_type": self.recommendation.partner_type,
                "scores": dict(self.recommendation.scores),
                "reason": self.recommendation.reason,
            },
            "vendors": self.vendor_table(),
        }


def score_inputs(inputs: Inputs) -> Results:
    """Score a workbook's inputs; raise one line naming the first blocking problem."""
    params, problems = parameters(inputs)
    team_problems = evaluation_problems(inputs) if inputs.team is not None else []
    fatal = _program_problems(inputs) + problems + check_duplicates(inputs) + team_problems
    if fatal:
        more = f" (and {len(fatal) - 1} more; run partnerfit check)" if len(fatal) > 1 else ""
        raise PartnerfitError(f"{fatal[0]}{more}")
    p = inputs.program
    recommendation = recommend(p["stage"], p["need"], p["process"], p["cmc_experience"], p["modality"])
    matrix, unreadable = _score_matrix(inputs)
    evaluation = evaluate(matrix, params.weights, params.minimums, params.min_coverage, unreadable, SCALE)
    return Results(inputs, params, recommendation, evaluation, evaluation.status_text(inputs.criteria).tolist(),
                   matrix)


def robustness_sentence(results: Results) -> str | None:
    """What the workbook's Robustness cell says (ROBUSTNESS over the qualified vendors, with the
    workbook's uncertainty, samples and seed); None when no vendor qualified."""
    from .robustness import flip_margin, rank_acceptability, robustness_summary
    from .template import ROBUSTNESS_ARGS

    ranked = np.flatnonzero(~np.isnan(results.evaluation.rank))
    if not ranked.size:
        return None
    matrix, weights = results.matrix[ranked], results.parameters.weights
    uncertainty, samples, seed = ROBUSTNESS_ARGS
    shares = rank_acceptability(matrix, weights, uncertainty, samples, seed)
    vendors = [results.inputs.vendors[i] for i in ranked]
    return robustness_summary(shares, flip_margin(matrix, weights), vendors, results.inputs.criteria)


def check_duplicates(inputs: Inputs) -> list[Problem]:
    """A problem for every repeated vendor name, at the repeat, naming the first row."""
    if len(set(inputs.vendors)) == len(inputs.vendors):
        return []
    first: dict[str, int] = {}
    problems = []
    area = inputs.areas["Vendor_Names"]
    for k, name in enumerate(inputs.vendors):
        if name in first:
            problems.append(Problem(area.address(inputs.vendor_rows[k]), f'vendor "{name}" is also in '
                                    f"{area.address(inputs.vendor_rows[first[name]])}; keep one row per vendor"))
        else:
            first[name] = k
    return problems


# ---------------------------------------------------------------- writing results


def filling(source: Source):
    """The workbook's input cells as a `template.Filling` (to compute every formula's value)."""
    from .template import INPUT_NAMES, OPTIONAL_INPUT_NAMES, Filling

    rows = source.area("Vendor_Names").rows
    blocks = {}
    for name in INPUT_NAMES:
        if source.has(name):
            blocks[name] = source.block(name)
        elif name == "Weight_Profile":
            blocks[name] = [["CDMO"]]
        elif name not in OPTIONAL_INPUT_NAMES:  # optional vendor columns (type, site, evidence, comments)
            blocks[name] = [[None]] * rows
    return Filling.from_names(blocks)


def result_patches(source: Source, computed: dict[str, list[list]]) -> tuple[dict[str, dict[str, object]], list[str]]:
    """Per sheet part, the A1 ref -> value of every computed cell; and names that did not fit."""
    patches: dict[str, dict[str, object]] = {}
    skipped = []
    for name, rows in computed.items():
        if not source.has(name):  # a workbook made before the name existed
            continue
        area = source.area(name)
        if (area.rows, area.cols) != (len(rows), len(rows[0]) if rows else 0):
            skipped.append(name)
            continue
        part = patches.setdefault(source.book.sheets.get(area.sheet, ""), {})
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                part[f"{xlsx.column_letter(area.left + j)}{area.top + i}"] = value
    patches.pop("", None)
    return patches, skipped


def write_results(source: Source, target, keep_formulas: bool, fallback: bool = False) -> list[str]:
    """Copy the workbook to `target` (a temporary path) with every computed cell's result set.

    `keep_formulas`: formulas stay with fresh cached results (a scored working copy); otherwise
    each formula becomes its value. `fallback`: formulas partnerfit does not own keep the value
    Excel last cached. Every other part of the file is copied unchanged. Returns warnings.
    """
    from .template import ADDIN_NAMES, ARRAY_NAMES, computed_values

    patches, skipped = result_patches(source, computed_values(filling(source)))
    warnings = [f"{name}: the named range has a different shape than partnerfit writes; left as it was"
                for name in skipped]
    # An add-in array's results beyond its anchor are plain values that another program (Excel
    # without the add-in, LibreOffice, an old run) may have left stale or as errors: set them too.
    spill: dict[str, set[str]] = {}
    for name in ADDIN_NAMES | ARRAY_NAMES:
        if source.has(name) and name not in skipped:
            area = source.area(name)
            spill.setdefault(source.book.sheets.get(area.sheet, ""), set()).update(
                f"{xlsx.column_letter(c)}{r}" for r in range(area.top, area.bottom + 1)
                for c in range(area.left, area.right + 1))
    parts = {}
    sheet_of_part = {part: sheet for sheet, part in source.book.sheets.items()}
    for part in ([p for p in source.package.parts if p in sheet_of_part] if fallback else patches):
        values = patches.get(part, {})
        cached = _Cached(source, sheet_of_part[part]) if fallback else None
        parts[part], patched = xlsx.patch_sheet(xlsx.read_part(source.package, part), values,
                                                keep_formulas, cached, spill.get(part, frozenset()))
        if cached is not None and cached.used:
            warnings.append(f"{sheet_of_part[part]}: {len(cached.used)} formula(s) of your own "
                            f"(e.g. {sorted(cached.used)[0]}) keep the value Excel last computed")
    xlsx.copy_with_patches(source.package, target, parts)
    return warnings


class _Cached:
    """The value Excel cached for a cell of one sheet, for formulas partnerfit does not own."""

    def __init__(self, source: Source, sheet: str):
        self.source, self.sheet, self.used = source, sheet, set()

    def __call__(self, ref: str):
        self.used.add(ref)
        letters = ref.rstrip("0123456789")
        row, col = int(ref[len(letters):]), xlsx.column_index(letters)
        return self.source.values.block(xlsx.Area(self.sheet, row, col, row, col))[0][0]
