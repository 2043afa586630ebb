"""Checking a read workbook: every problem, one per cell, with the fix; the notes that are not
problems; and scoring once nothing blocks it."""

from __future__ import annotations

import math

import numpy as np

from .. import xlsx
from ..cells import cell_text, choice_value, is_blank, number, score_matrix
from ..consensus import DISAGREEMENT
from ..criteria import SCALE
from ..errors import PartnerfitError, show
from ..partner_fit import PROGRAMME_FIELDS, read_programme
from ..scoring import Status, check_coverage, check_minimums, check_weights, evaluate
from . import approvals, diligence
from .groups import group_weights
from .layout import (
    DEFAULT_MIN_COVERAGE,
    GRID_VENDOR,
    MAX_AHP_CRITERIA,
)
from .model import Code, Inputs, Problem
from .prices import apply_prices, price_column, price_notes, price_problems
from .results import Parameters, Results, agreed_mask, read_ahp, used_scores


def parameters(inputs: Inputs) -> tuple[Parameters | None, list[Problem]]:
    """Weights, minimums and minimum coverage, or the problems that prevent reading them."""
    problems: list[Problem] = []
    weights, minimums = [], []
    for k, name in enumerate(inputs.criteria):
        row = inputs.criteria_rows[k]
        weights.append(_number(inputs.weights[k], f"weight for {name}", 0.0,
                               inputs.list_cell("Weights", row), Code.WEIGHT, problems))
        minimums.append(_number(inputs.minimums[k], f"must-have minimum for {name}", math.nan,
                                inputs.list_cell("Minimums", row), Code.MINIMUM, problems))
    coverage_cell = inputs.areas["Min_Coverage"].address() if "Min_Coverage" in inputs.areas else "Min_Coverage"
    coverage = _number(inputs.min_coverage, "minimum coverage", DEFAULT_MIN_COVERAGE, coverage_cell,
                       Code.MIN_COVERAGE, problems)
    ahp_weights = _ahp_parameters(inputs, problems)
    if ahp_weights is None:
        grouped, cell, problem = group_weights(inputs, inputs.weights_all)
        if problem is not None:
            problems.append(Problem(cell, problem, Code.WEIGHT))
        elif grouped is not None and all(w >= 0 for w in weights):  # local weights: checked as typed
            weights = [grouped[i] for i in inputs.criteria_rows]
    if ahp_weights is not None:  # the typed weights are ignored, but a negative one is still a typo
        negative = [k for k, w in enumerate(weights) if w < 0]
        for k in negative:
            problems.append(Problem(inputs.list_cell("Weights", inputs.criteria_rows[k]),
                                    f"weight for {inputs.criteria[k]} is {weights[k]:g}; weights must be 0 or more",
                                    Code.WEIGHT))
        weights = ahp_weights
    if not inputs.criteria:
        problems.append(Problem(inputs.list_cell("Criteria_Names", 0), "no criteria are named; "
                                "enter at least one criterion with a weight", Code.NO_CRITERIA))
        return None, problems
    if problems:
        return None, problems
    w, mins = np.array(weights), np.array(minimums)
    for check, args, where, code in (
        (check_weights, (w, inputs.criteria), "Weights", Code.WEIGHT),
        (check_minimums, (mins, inputs.criteria, SCALE), "Minimums", Code.MINIMUM),
        (check_coverage, (coverage,), None, Code.MIN_COVERAGE),
    ):
        try:
            check(*args)
        except PartnerfitError as error:
            cell = coverage_cell if where is None else _range_text(inputs, where)
            bad = _first_bad(check, args)
            if bad is not None and where is not None:
                cell = inputs.list_cell(where, inputs.criteria_rows[bad])
            problems.append(Problem(cell, str(error), code))
    if problems:
        return None, problems
    return Parameters(w, mins, coverage), problems


def _ahp_parameters(inputs: Inputs, problems: list[Problem]) -> list[float] | None:
    """The AHP weights of the named criteria when Use AHP weights is Yes (else None); the
    problems that prevent them go to `problems`, one per unusable judgement."""
    choice = choice_value(inputs.use_ahp)
    if choice in ("", "no"):
        return None
    cell = inputs.areas["Use_AHP"].address()
    if choice != "yes":
        problems.append(Problem(cell, f"use AHP weights is {show(inputs.use_ahp)}; choose Yes or No", Code.USE_AHP))
        return None
    block, m = inputs.judgements, len(inputs.criteria_cells)
    if block is None or len(block) != m or any(len(row) != m for row in block):
        problems.append(Problem(cell, "use AHP weights is Yes, but the workbook has no AHP_Judgements block of "
                                      f"{m} x {m} cells; set it to No or regenerate the workbook", Code.USE_AHP))
        return None
    if m > MAX_AHP_CRITERIA:
        problems.append(Problem(cell, f"AHP compares at most {MAX_AHP_CRITERIA} criteria, not {m}; "
                                      "set Use AHP weights to No", Code.USE_AHP))
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
                        "enter a judgement such as 3 or 1/3 (Use AHP weights is Yes)"), Code.JUDGEMENT))
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


def _number(value, what: str, blank: float, cell: str, code: Code, problems: list[Problem]) -> float:
    try:
        return number(value, what, blank)
    except PartnerfitError as error:
        problems.append(Problem(cell, str(error), code))
        return blank


def check(inputs: Inputs) -> list[Problem]:
    """Every problem in the workbook, one per cell, in sheet order."""
    problems = list(inputs.problems) + inputs.unscored + _program_problems(inputs)
    params, parameter_problems = parameters(inputs)
    problems += parameter_problems + check_duplicates(inputs) + evaluation_problems(inputs) + price_problems(inputs)
    problems += agreed_problems(inputs)
    problems += diligence_statuses(inputs)[1] + approval_problems(inputs)
    priced = price_column(inputs)  # the quotes' scores fill the price criterion: its typed cells are ignored
    if inputs.vendors and inputs.team is not None:  # the consensus replaces the Vendors sheet's scores
        if params is not None and not evaluation_problems(inputs, rows_only=True):
            matrix, unreadable = used_scores(inputs)
            if priced is not None:
                matrix[:, priced[0]], unreadable[:, priced[0]] = priced[1], False
            must = np.flatnonzero(~np.isnan(params.minimums))
            where = inputs.areas.get("Consensus_Scores")
            for i, k in zip(*np.nonzero(np.isnan(matrix[:, must]) & ~unreadable[:, must])):
                j = must[k]
                row, col = inputs.vendor_rows[i], inputs.criteria_rows[j]
                problems.append(Problem(
                    where.address(row, col) if where else inputs.areas["Grid_1_Scores"].address(),
                    f"no evaluator scored {inputs.vendors[i]} on the must-have {inputs.criteria[j]}; "
                    "score it in an evaluator grid (the vendor stays Incomplete until then)", Code.MISSING_MUST,
                ))
    elif inputs.vendors:
        matrix, unreadable = score_matrix(inputs.cells)
        if priced is not None:
            matrix[:, priced[0]], unreadable[:, priced[0]] = priced[1], False
        lo, hi = SCALE
        off = unreadable | (matrix < lo) | (matrix > hi)
        for i, j in zip(*np.nonzero(off)):
            value = inputs.cells[i][j]
            problems.append(Problem(
                inputs.areas["Vendor_Scores"].address(inputs.vendor_rows[i], inputs.criteria_rows[j]),
                f"{show(value)} for {inputs.vendors[i]} / {inputs.criteria[j]} is not a score from "
                f"{lo:g} to {hi:g}; enter a number from {lo:g} to {hi:g}, or N/A", Code.SCORE,
            ))
        if params is not None:
            must = np.flatnonzero(~np.isnan(params.minimums))
            blank = np.isnan(matrix[:, must]) & ~unreadable[:, must]
            for i, k in zip(*np.nonzero(blank)):
                j = must[k]
                if priced is not None and j == priced[0]:  # the quote scores it
                    cell, fix = inputs.areas["Prices"].address(inputs.vendor_rows[i]), "enter its quote"
                else:
                    cell = inputs.areas["Vendor_Scores"].address(inputs.vendor_rows[i], inputs.criteria_rows[j])
                    fix = "score it"
                problems.append(Problem(
                    cell, f"{inputs.vendors[i]} has no score for the must-have {inputs.criteria[j]}; "
                    f"{fix} (the vendor stays Incomplete until then)", Code.MISSING_MUST,
                ))
    return problems


def evaluation_problems(inputs: Inputs, rows_only: bool = False) -> list[Problem]:
    """The Evaluations sheet's problems, one per row marked in its Check column (and the
    consensus method when it is neither mean nor median), each at the cell to fix."""
    problems: list[Problem] = []
    if inputs.consensus_method is not None and not rows_only:
        if choice_value(inputs.consensus_method) not in ("", "mean", "median"):
            problems.append(Problem(inputs.areas["Consensus_Method"].address(),
                                    f"consensus method is {show(inputs.consensus_method)}; choose mean or median",
                                    Code.CONSENSUS_METHOD))
    team = inputs.team
    if team is None:
        return problems
    lo, hi = SCALE
    for g, (grid, texts) in enumerate(zip(inputs.grids, team.checks), start=1):
        who = cell_text(grid.evaluator) or f"grid {g}"
        scores, vendors = inputs.areas[f"Grid_{g}_Scores"], inputs.areas[f"Grid_{g}_Vendors"]
        for r, text in enumerate(texts):
            vendor = cell_text(grid.vendors[r]) or "a row without a vendor"
            if text == GRID_VENDOR:
                problems.append(Problem(vendors.address(r), (
                    f"{who} scored vendor {show(grid.vendors[r])}, which is not on the Vendors sheet (the name must "
                    "match, case included); type the vendor's name as on the Vendors sheet"), Code.EVALUATION_VENDOR))
            elif text:
                problems += [Problem(scores.address(r, j), (
                    f"{show(x)} for {vendor} / {cell_text(inputs.criteria_cells[j])} by {who} is not a score from "
                    f"{lo:g} to {hi:g}; type a number from {lo:g} to {hi:g} (a number, not text), N/A or leave it "
                    "blank"), Code.EVALUATION_SCORE)
                    for j, x in enumerate(grid.scores[r]) if team.invalid[g - 1, r, j]]
    return problems


def agreed_problems(inputs: Inputs) -> list[Problem]:
    """An agreed score that is not a score (when the consensus is in use, as the workbook reads it
    only then) and one without a reason, each at its cell (Agreed_Check counts the same cells)."""
    if inputs.agreed is None:
        return []
    lo, hi = SCALE
    values, unreadable = score_matrix(inputs.agreed)
    present = agreed_mask(inputs.agreed)
    off = present & (unreadable | (values < lo) | (values > hi)) if inputs.team is not None else present & False
    priced = price_column(inputs)
    if priced is not None:  # the quotes score the price criterion: its agreed cells are not read
        off[:, inputs.criteria_rows[priced[0]]] = False
    lacking = present & ~agreed_mask(inputs.agreed_reasons)
    scores, reasons = inputs.areas["Agreed_Scores"], inputs.areas["Agreed_Reasons"]

    def about(i, j):
        vendor = cell_text(inputs.vendor_cells[i]) or "a vendor row without a name"
        return f"{vendor} / {cell_text(inputs.criteria_cells[j])}"

    problems = [Problem(scores.address(i, j), f"agreed score {show(inputs.agreed[i][j])} for {about(i, j)} is not a "
                        f"score from {lo:g} to {hi:g}; enter a number from {lo:g} to {hi:g}, or N/A", Code.AGREED_SCORE)
                for i, j in zip(*np.nonzero(off))]
    problems += [Problem(reasons.address(i, j), f"the agreed score for {about(i, j)} has no reason; give the "
                         "consensus meeting's reason next to it", Code.AGREED_REASON)
                 for i, j in zip(*np.nonzero(lacking))]
    return problems


def notes(inputs: Inputs) -> list[Problem]:
    """What `check` mentions without counting it a problem: disagreements of 2 points or more
    between evaluators, the Vendors sheet's scores set aside for the consensus, inconsistent
    AHP judgements in use."""
    out: list[Problem] = []
    programme = read_programme(inputs.program)
    if programme.recommendation is None and min(programme.rows.values()) >= 0:
        out.append(Problem(inputs.program_cells["stage"], f"{programme.message} for a recommended partner "
                           "type (the vendors are scored all the same)", Code.NO_PROGRAMME))
    team = inputs.team
    if team is not None and not evaluation_problems(inputs):
        if any(not is_blank(x) for row in inputs.cells for x in row):
            area = inputs.areas["Vendor_Scores"]
            out.append(Problem(f"{area.address()}:{xlsx.column_letter(area.right)}{area.bottom}",
                               "the Vendors sheet's scores are set aside: the evaluator grids hold scores, "
                               "so every score is the evaluators' consensus", Code.SCORES_SET_ASIDE))
        centre, spread, count = inputs.consensus()
        lowest, highest = team.extremes(*spread.shape)
        where = inputs.areas.get("Consensus_Spreads")
        for k, i in enumerate(inputs.vendor_rows):
            for j, c in enumerate(inputs.criteria_rows):
                if spread[i, c] >= DISAGREEMENT:
                    cell = where.address(i, c) if where else inputs.areas["Grid_1_Scores"].address()
                    out.append(Problem(cell, (
                        f"the evaluators disagree on {inputs.vendors[k]} / {inputs.criteria[j]}: scores from "
                        f"{lowest[i, c]:g} to {highest[i, c]:g} by {int(count[i, c])} evaluators (spread "
                        f"{spread[i, c]:g}); discuss before relying on the {team.method}"), Code.DISAGREEMENT))
    if inputs.uses_ahp:
        read = read_ahp(inputs.judgements) if inputs.judgements is not None else None
        if read is not None and read.ok and not read.result.consistent:
            i, j = read.result.worst_pair
            names = inputs.criteria_cells
            area = inputs.areas["AHP_Judgements"]
            out.append(Problem(area.address(i, j), (
                f"the AHP judgements are inconsistent (CR {read.result.cr:.3f}, above 0.10): revisit "
                f"{cell_text(names[i])} vs {cell_text(names[j])}, entered {show(inputs.judgements[i][j])} while the "
                f"weights imply {read.result.weights[i] / read.result.weights[j]:.2g}"), Code.INCONSISTENT_AHP))
    return out + price_notes(inputs)


def _program_problems(inputs: Inputs) -> list[Problem]:
    """A problem for each Program input that is not a value of its drop-down list (as the
    workbook's formulas read it); blank inputs are no problem (see `notes`)."""
    reading = read_programme(inputs.program)
    return [Problem(inputs.program_cells[field], f"{show(inputs.program[field])} is not on the list for "
                    f"{PROGRAMME_FIELDS[field]}; pick one from the drop-down list", Code.PROGRAM)
            for field in PROGRAMME_FIELDS if reading.rows[field] < 0]


def score_inputs(inputs: Inputs) -> Results:
    """Score a workbook's inputs; raise one line naming the first blocking problem."""
    params, problems = parameters(inputs)
    team_problems = evaluation_problems(inputs) if inputs.team is not None else []
    dd_status, dd_problems = diligence_statuses(inputs)
    fatal = problems + check_duplicates(inputs) + team_problems + price_problems(inputs) + dd_problems
    if fatal:
        more = f" (and {len(fatal) - 1} more; run partnerfit check)" if len(fatal) > 1 else ""
        raise PartnerfitError(f"{fatal[0]}{more}")
    programme = read_programme(inputs.program)  # no recommendation is a note, never a refusal
    recommendation = programme.recommendation
    matrix, unreadable, price = apply_prices(inputs, *used_scores(inputs), params)
    excluded = None if dd_status is None else diligence.knocked_out(dd_status)
    evaluation = evaluate(matrix, params.weights, params.minimums, params.min_coverage, unreadable, SCALE, excluded)
    status = evaluation.status_text(inputs.criteria)
    if excluded is not None:  # Invalid > due diligence > must-have > Incomplete > Eligible
        status = np.where(excluded & (evaluation.status != Status.INVALID), dd_status, status)
    approval = None if inputs.approvals is None else approvals.status(inputs.approvals, inputs.partner_type)
    return Results(inputs, params, recommendation, evaluation, status.tolist(), matrix, programme.message, price,
                   None if dd_status is None else dd_status.tolist(), approval)



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
                                    f"{area.address(inputs.vendor_rows[first[name]])}; keep one row per vendor",
                                    Code.DUPLICATE_VENDOR))
        else:
            first[name] = k
    return problems


def diligence_statuses(inputs):
    """(status per scored vendor as `due_diligence.vendor_statuses` gives it, problems naming the
    cell of each refused row); (None, []) for a workbook without DD_ names."""
    import re

    from ..due_diligence import vendor_statuses
    from .diligence import DD_COLUMNS, DD_NAMES
    if inputs.due_diligence is None:
        return None, []
    status, refused = vendor_statuses(inputs.due_diligence, inputs.evaluation_date)
    problems = []
    for k, message in refused:
        if k < 0:
            problems.append(Problem(inputs.list_cell("Evaluation_Date", 0), "the evaluation date " + message.split(
                " is ", 1)[-1].replace("evaluation_date ", ""), Code.DUE_DILIGENCE))
            continue
        field = next((f for f in re.findall(r"DD_\w+", message) if f in DD_COLUMNS), DD_NAMES[0])
        text = re.sub(r"DD_\w+", lambda m: DD_COLUMNS[m[0]][0] if m[0] in DD_COLUMNS else m[0], message)
        problems.append(Problem(inputs.list_cell(field, inputs.vendor_rows[k]), text, Code.DUE_DILIGENCE))
    return status, problems


def approval_problems(inputs) -> list[Problem]:
    """The Approvals sheet's cells that the status cannot read as meant (see `Code.APPROVAL`)."""
    a = inputs.approvals
    if a is None:
        return []
    problems = []
    for i, (_, decision, _, _) in enumerate(a.roles):
        if not is_blank(decision) and str(decision).strip().lower() not in ("approve", "reject"):
            problems.append(Problem(inputs.list_cell("Approval_Decisions", i), f"decision {show(decision)} is not "
                                    "Approve or Reject; pick one from the list (the role has not approved)",
                                    Code.APPROVAL))
    for i, (evaluator, declared, text) in enumerate(a.declarations):
        kind = "" if is_blank(declared) else str(declared).strip().lower()
        if kind not in ("", "none", "declared"):
            problems.append(Problem(inputs.list_cell("Declaration_Statuses", i), f"declaration {show(declared)} "
                                    "is not None or Declared; pick one from the list", Code.APPROVAL))
        elif kind == "declared" and is_blank(text):
            problems.append(Problem(inputs.list_cell("Declaration_Texts", i), f"{cell_text(evaluator) or 'the evaluator'} "
                                    "declared an interest without saying what; describe it", Code.APPROVAL))
        elif not is_blank(evaluator) and kind == "":
            problems.append(Problem(inputs.list_cell("Declaration_Statuses", i), f"{cell_text(evaluator)} has no "
                                    "declaration; enter None, or Declared and what", Code.APPROVAL))
    return problems
