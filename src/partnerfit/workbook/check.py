"""Checking a read workbook: every problem, one per cell, with the fix; the notes that are not
problems; and scoring once nothing blocks it."""

from __future__ import annotations

import math

import numpy as np

from .. import xlsx
from ..ahp import STEPS_APART, ahp_weights
from ..cells import cell_text, choice_value, is_blank, number, score_matrix
from ..consensus import DISAGREEMENT
from ..criteria import SCALE
from ..errors import PartnerfitError, show
from ..groups import ahp_hierarchy
from ..partner_fit import PROGRAMME_FIELDS, read_programme
from ..scoring import check_coverage, check_minimums, check_weights, evaluate
from .groups import group_weights, read_groups
from .layout import (
    DEFAULT_MIN_COVERAGE,
    GRID_VENDOR,
    MAX_AHP_CRITERIA,
)
from .levels import LEVELS_GROUPS, LEVELS_TOO_MANY, level_errors, worst_pair
from .model import Code, Inputs, Problem
from .prices import price_column, price_notes, price_problems, price_result
from .results import Parameters, Results, agreed_mask, compute, read_ahp, used_scores
from .stakeholders import judgements_used, read_team


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
    read = ahp_read(inputs)
    levels = read.levels is not None and read.levels.by_group
    if m > MAX_AHP_CRITERIA and not levels:
        problems.append(Problem(cell, f"AHP compares at most {MAX_AHP_CRITERIA} criteria, not {m}; "
                                      "set Use AHP weights to No, or Weigh by to Group", Code.USE_AHP))
        return None
    if not read.ok:
        problems += _level_problems(inputs, read) if levels else _whole_problems(inputs, read)
        return None
    return [float(read.weights[i]) for i in inputs.criteria_rows]


def ahp_read(inputs: Inputs):
    """The Weights (AHP) sheet as its formulas read it (`results.read_ahp`): per level with
    Weigh by = Group, else the whole matrix."""
    judgements = judgements_used(inputs.judgements, inputs.stakeholders)
    if inputs.groups is None or choice_value(inputs.groups.mode) != "group":
        return read_ahp(judgements)
    grouped = read_groups(inputs.groups, inputs.criteria_cells, inputs.weights_all)
    return read_ahp(judgements, grouped, inputs.groups.judgements)


def _entered(inputs: Inputs, i: int, j: int) -> str:
    """The judgement of criteria i vs j as the AHP read it: entered, or the stakeholders' mean."""
    return _shown(judgements_used(inputs.judgements, inputs.stakeholders)[i][j], _team_on(inputs))


def _shown(x, mean: bool = False) -> str:
    return f"the stakeholders' mean {x:.3g}" if mean else f"entered {show(x)}"


def _judged_area(inputs: Inputs):
    """Where the criteria's judgements read lie: the stakeholders' mean once they judged, else AHP_Judgements."""
    return inputs.areas.get("AHP_Team_Mean", inputs.areas["AHP_Judgements"]) if _team_on(inputs) \
        else inputs.areas["AHP_Judgements"]


def _team_on(inputs: Inputs) -> bool:
    """The stakeholders' blocks hold a judgement: their mean is read."""
    return judgements_used(inputs.judgements, inputs.stakeholders) is not inputs.judgements


def _missing(inputs: Inputs, read, rows, pairs=None) -> list[Problem]:
    """One problem per judgement of the criteria matrix that is missing or unusable (among `pairs`)."""
    area, names, block = inputs.areas["AHP_Judgements"], inputs.criteria_cells, inputs.judgements
    out = []
    if _team_on(inputs):
        mean = inputs.areas.get("AHP_Team_Mean", area)
        return [Problem(mean.address(i, j), f"no stakeholder judged {cell_text(names[i])} vs {cell_text(names[j])} "
                        "with a number from 1/9 to 9; enter a judgement such as 3 or 1/3 in a stakeholder's block "
                        "(Use AHP weights is Yes)", Code.JUDGEMENT)
                for i in rows for j in range(i + 1, len(names))
                if read.matrix[i][j] == "" and (pairs is None or pairs(i, j))]
    for i in rows:
        for j in range(i + 1, len(names)):
            if read.matrix[i][j] == "" and (pairs is None or pairs(i, j)):
                out.append(Problem(area.address(i, j), (
                    f"judgement {show(block[i][j]) if not is_blank(block[i][j]) else 'blank'} for "
                    f"{cell_text(names[i])} vs {cell_text(names[j])} is not a number from 1/9 to 9; "
                    "enter a judgement such as 3 or 1/3 (Use AHP weights is Yes)"), Code.JUDGEMENT))
    return out


def _whole_problems(inputs: Inputs, read) -> list[Problem]:
    """Why the whole matrix gives no weights: judgements that are not numbers from 1/9 to 9 (a
    blank is allowed), else blanks the judgements given cannot complete (one line naming the
    criteria they leave unconnected)."""
    block, m = judgements_used(inputs.judgements, inputs.stakeholders), len(read.matrix)
    bad = _missing(inputs, read, range(m), lambda i, j: not is_blank(block[i][j]))
    if bad:
        return bad
    names = [cell_text(x) for x in inputs.criteria_cells]
    cells = [[np.nan if x == "" else x for x in row] for row in read.matrix]
    try:
        ahp_weights(np.array(cells, dtype=float), names)
    except PartnerfitError as error:
        first = next((i, j) for i in range(m) for j in range(i + 1, m) if read.matrix[i][j] == "")
        return [Problem(_judged_area(inputs).address(*first), f"{error} (Use AHP weights is Yes)",
                        Code.JUDGEMENT)]
    return []


def _level_problems(inputs: Inputs, read) -> list[Problem]:
    """Why the AHP per level gives no weights: the groups table, a group too large, or the
    judgements missing within a group and between the groups."""
    level, g = read.levels, inputs.groups
    if level.check == LEVELS_GROUPS:  # `parameters` reports the groups table's problem
        return []
    if level.check == LEVELS_TOO_MANY:
        k = max(range(len(level.size)), key=level.size.__getitem__)
        return [Problem(inputs.areas["Use_AHP"].address(), (
            f"group {show(g.names[k])} holds {level.size[k]} criteria; AHP compares at most {MAX_AHP_CRITERIA}: "
            "split it into two groups"), Code.USE_AHP)]
    area = inputs.areas.get("AHP_Group_Judgements")
    active = [k for k in range(len(level.size)) if level.size[k]]
    unconnected = _unconnected_level(inputs, read, active)
    if unconnected:
        return unconnected
    out = _missing(inputs, read, range(len(read.matrix)), lambda i, j: level.at[i] == level.at[j])
    for i in active:
        for j in active:
            if i < j and level.group_matrix[i][j] == "":
                where = area.address(i, j) if area is not None else inputs.areas["Use_AHP"].address()
                x = g.judgements[i][j]
                out.append(Problem(where, (
                    f"judgement {show(x) if not is_blank(x) else 'blank'} for groups {show(g.names[i])} vs "
                    f"{show(g.names[j])} is not a number from 1/9 to 9; enter a judgement such as 3 or 1/3 "
                    "(Use AHP weights is Yes, Weigh by is Group)"), Code.JUDGEMENT))
    return out


def _unconnected_level(inputs: Inputs, read, active: list[int]) -> list[Problem]:
    """When the judgements missing per level are all blank cells (which the add-in completes), the
    one line saying which level's blanks leave criteria (or groups) unconnected (`ahp_hierarchy`)."""
    level, g, m = read.levels, inputs.groups, len(read.matrix)
    pairs = [(i, j) for i in range(m) for j in range(i + 1, m) if level.at[i] == level.at[j] and read.matrix[i][j] == ""]
    group_pairs = [(i, j) for i in active for j in active if i < j and level.group_matrix[i][j] == ""]
    used = judgements_used(inputs.judgements, inputs.stakeholders)
    if not (pairs or group_pairs) or not all(is_blank(used[i][j]) for i, j in pairs) \
            or not all(is_blank(g.judgements[i][j]) for i, j in group_pairs):
        return []
    names = [cell_text(x) for x in inputs.criteria_cells]
    members = {show(g.names[k]): [i for i in range(m) if level.at[i] == k + 1] for k in active}
    cells = [[np.nan if x == "" else x for x in row] for row in read.matrix]
    try:
        ahp_hierarchy({k: [names[i] for i in ks] for k, ks in members.items()},
                      [[np.nan if level.group_matrix[i][j] == "" else level.group_matrix[i][j] for j in active]
                       for i in active],
                      {k: np.array([[cells[i][j] for j in ks] for i in ks], dtype=float)
                       for k, ks in members.items() if len(ks) > 1})
    except PartnerfitError as error:
        where = (_judged_area(inputs).address(*pairs[0]) if pairs else
                 inputs.areas.get("AHP_Group_Judgements", inputs.areas["Use_AHP"]).address(*group_pairs[0]))
        return [Problem(where, f"{error} (Use AHP weights is Yes, Weigh by is Group)", Code.JUDGEMENT)]
    return []


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
    if inputs.uses_ahp and _team_on(inputs):
        out += _team_notes(inputs)
    if inputs.uses_ahp:
        read = ahp_read(inputs) if inputs.judgements is not None else None
        levels = read is not None and read.ok and read.levels is not None and read.levels.by_group
        if levels:
            out += _level_notes(inputs, read)
            h = read.levels.hierarchy
            blanks = sum(int(r.completed.sum()) // 2 for r in (h.groups, *h.within.values()))
        else:
            blanks = int(read.result.completed.sum()) // 2 if read is not None and read.ok else 0
        if blanks:
            out.append(Problem(inputs.areas["AHP_Judgements"].address(), (
                f"{blanks} blank AHP judgement{'s' if blanks > 1 else ''} completed as Bozoki, Fulop and Ronyai (2010), "
                f"the values that minimise lambda max{' (per level)' if levels else ''} (the add-in does it in the "
                "workbook; score -o and share write them)"), Code.COMPLETED_AHP))
        if read is not None and read.ok and read.result is not None and not read.result.consistent:
            i, j = read.result.worst_pair
            names = inputs.criteria_cells
            area = _judged_area(inputs)
            out.append(Problem(area.address(i, j), (
                f"the AHP judgements are inconsistent (CR {read.result.cr:.3f}, above 0.10): revisit "
                f"{cell_text(names[i])} vs {cell_text(names[j])}, {_entered(inputs, i, j)} while the "
                f"weights imply {read.result.weights[i] / read.result.weights[j]:.2g}"), Code.INCONSISTENT_AHP))
    return out + price_notes(inputs)


def _team_notes(inputs: Inputs) -> list[Problem]:
    """The stakeholders' cells left out of their mean (not a judgement from 1/9 to 9), and the
    pairs they judged more than STEPS_APART scale steps apart."""
    team = read_team(inputs.stakeholders)
    names, out = inputs.criteria_cells, []
    for k, block in enumerate(inputs.stakeholders):
        parsed, area = team[f"Calc_AHP_Team_Parsed_{k + 1}"], inputs.areas[f"AHP_Stakeholder_{k + 1}"]
        for i, row in enumerate(block):
            for j in range(i + 1, len(row)):
                if parsed[i][j] == "" and not is_blank(row[j]):
                    out.append(Problem(area.address(i, j), (
                        f"stakeholder {k + 1}'s judgement {show(row[j])} for {cell_text(names[i])} vs "
                        f"{cell_text(names[j])} is not a number from 1/9 to 9, so it is left out of the mean"),
                        Code.JUDGEMENT_LEFT_OUT))
    mean = inputs.areas.get("AHP_Team_Mean")
    for i, row in enumerate(team["AHP_Team_Spread"]):
        for j, x in enumerate(row):
            if isinstance(x, float) and x > STEPS_APART and mean is not None:
                out.append(Problem(mean.address(i, j), (
                    f"the stakeholders judge {cell_text(names[i])} vs {cell_text(names[j])} {x:g} scale steps apart "
                    f"(more than {STEPS_APART:g}): discuss it before relying on their mean"), Code.STAKEHOLDERS_APART))
    return out


def _level_notes(inputs: Inputs, read) -> list[Problem]:
    """The inconsistent levels of the AHP per level, each with the judgement to revisit."""
    h, level, g = read.levels.hierarchy, read.levels, inputs.groups
    active = [k for k in range(len(level.size)) if level.size[k]]
    names = inputs.criteria_cells
    rows = [("the groups", h.groups, active, g.names, inputs.areas.get("AHP_Group_Judgements"), g.judgements,
             level.group_matrix, False)]
    for k in active:
        members = [i for i, a in enumerate(level.at) if a == k + 1]
        rows.append((f"group {show(g.names[k])}", h.within[str(k)], members, names, _judged_area(inputs),
                     judgements_used(inputs.judgements, inputs.stakeholders), read.matrix, _team_on(inputs)))
    out = []
    for where, r, members, labels, area, cells, matrix, mean in rows:
        if r.consistent or area is None:
            continue
        x, y = worst_pair(level_errors(r, members, matrix))
        i, j = members[x], members[y]
        out.append(Problem(area.address(i, j), (
            f"the AHP judgements of {where} are inconsistent (CR {r.cr:.3f}, above 0.10): revisit "
            f"{cell_text(labels[i])} vs {cell_text(labels[j])}, {_shown(cells[i][j], mean)} while the weights imply "
            f"{r.weights[x] / r.weights[y]:.2g}"), Code.INCONSISTENT_AHP))
    return out


def _program_problems(inputs: Inputs) -> list[Problem]:
    """A problem for each Program input that is not a value of its drop-down list (as the
    workbook's formulas read it); blank inputs are no problem (see `notes`)."""
    reading = read_programme(inputs.program)
    return [Problem(inputs.program_cells[field], f"{show(inputs.program[field])} is not on the list for "
                    f"{PROGRAMME_FIELDS[field]}; pick one from the drop-down list", Code.PROGRAM)
            for field in PROGRAMME_FIELDS if reading.rows[field] < 0]


def score_inputs(inputs: Inputs) -> Results:
    """Score a workbook's inputs by computing them once as the workbook does (`results.compute`,
    which also gives every cell's value); raise one line naming the first blocking problem."""
    params, problems = parameters(inputs)
    team_problems = evaluation_problems(inputs) if inputs.team is not None else []
    fatal = problems + check_duplicates(inputs) + team_problems + price_problems(inputs)
    computation = None if fatal else compute(inputs.filling)
    if computation is not None and not all(computation.native["Calc_DD_Valid"][i][0] for i in computation.listed):
        fatal = diligence_statuses(inputs)[1]  # the cells the rule cannot read, named
    if fatal:
        more = f" (and {len(fatal) - 1} more; run partnerfit check)" if len(fatal) > 1 else ""
        raise PartnerfitError(f"{fatal[0]}{more}")
    native = computation.native
    if not native["Calc_Inputs_OK"][0][0] or computation.listed != inputs.vendor_rows:  # what check let through
        raise PartnerfitError(f"{inputs.areas['Vendor_Names'].address()}: the workbook does not score its vendors "
                              f"({native['Criteria_Check'][0][0] or native['Statuses'][0][0]}); run partnerfit check")
    programme = read_programme(inputs.program)  # no recommendation is a note, never a refusal
    rows, used = inputs.vendor_rows, inputs.criteria_rows
    shown = [native["Statuses"][i][0] for i in rows]
    dd = [native["DD_Statuses"][i][0] for i in rows] if inputs.due_diligence_read is not None else None
    approval = None if inputs.approvals is None else native["Approval_Status"][0][0]
    if computation.evaluation is None:  # no vendor named: an empty table
        evaluation, matrix = evaluate(np.empty((0, len(used))), params.weights), np.empty((0, len(used)))
    else:
        evaluation, matrix = computation.evaluation, computation.matrix[:, used]
    return Results(inputs, params, programme.recommendation, evaluation, shown, matrix, programme.message,
                   price_result(inputs, computation), dd, approval, computation)


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
