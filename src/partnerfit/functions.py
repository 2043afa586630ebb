"""The Excel functions as plain Python functions: a thin adapter over the engine.

`partnerfit.udfs` registers them for xlwings (the classic Windows add-in and xlwings Lite); the
workbook's cached values call them directly, without xlwings. No ``caller`` parameter; no NaN is
ever returned. Excel hands over floats,
``None`` for blanks, scalars for one cell, flat lists for one row or column and lists of lists
for blocks: every function accepts exactly that. Bad input returns one short line starting with
``#partnerfit:`` that names the argument and the fix, never a traceback (under xlwings Lite and
Server, `partnerfit.udfs` raises that line as an Excel error instead).
"""

from __future__ import annotations

import functools
import math

from . import __version__
from .ahp import STEPS_APART, aggregate_judgements, ahp_weights
from .cells import is_blank, number, numbers, score_matrix
from .criteria import SCALE as _SCALE
from .errors import PartnerfitError, show
from .partner_fit import recommend
from .robustness import check_scores, flip_margin, rank_acceptability
from .scoring import Status, check_coverage, check_minimums, check_weights, evaluate

RESULT_HEADER = ["Vendor", "Score", "Rank", "Coverage", "Status"]


def error_line(error: Exception) -> str:
    """The one line a cell shows for a failure: a PartnerfitError's message, else what went wrong."""
    if isinstance(error, PartnerfitError):
        return str(error)
    detail = str(error).splitlines()[0][:120] if str(error) else ""
    return f"unexpected {type(error).__name__} {detail}; please report it".strip()


def _excel_safe(function):
    """Turn any failure into one short line for the cell, never a traceback (`error_line`);
    `partnerfit.udfs` raises it instead where Excel shows a raised error as #VALUE!."""

    @functools.wraps(function)
    def wrapper(*args):
        try:
            return function(*args)
        except Exception as error:  # noqa: BLE001 - last line of defence for a cell
            return f"#partnerfit: {error_line(error)}"

    return wrapper


def _cell(value):
    """A result value as Excel should receive it: NaN becomes an empty cell."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _flat(values, what: str) -> list:
    """A scalar, a flat list or a one-row/one-column block as one flat list."""
    if not isinstance(values, (list, tuple)):
        return [values]
    if any(isinstance(row, (list, tuple)) for row in values):
        if not all(isinstance(row, (list, tuple)) for row in values):
            raise PartnerfitError(f"{what} mixes single cells and rows; select one row or one column")
        if len(values) == 1 or all(len(row) == 1 for row in values):
            return [v for row in values for v in row]
        raise PartnerfitError(f"{what} must be one row or one column, not a block")
    return list(values)


def _optional_minimums(minimums, criteria: list[str]):
    if minimums is None:
        return None
    flat = _flat(minimums, "minimums")
    if len(flat) != len(criteria):
        raise PartnerfitError(
            f"minimums has {len(flat)} cells for {len(criteria)} criteria; "
            "select one cell per criterion (blank = no must-have)"
        )
    return check_minimums(numbers(flat, "minimum", criteria, math.nan), criteria, _SCALE)


def _weights(weights, criteria: list[str]):
    flat = _flat(weights, "weights")
    if len(flat) != len(criteria):
        raise PartnerfitError(
            f"weights has {len(flat)} cells for {len(criteria)} criteria; "
            "select one weight per criterion"
        )
    return check_weights(numbers(flat, "weight", criteria, 0.0), criteria)



@_excel_safe
def PARTNER_FIT(stage, need, process=None, cmc_experience=None, modality=None):
    """Recommended partner type for a programme: CRO, CMO, CDMO, CRO + CMO or CRO + CDMO."""
    return recommend(stage, need, process, cmc_experience, modality).partner_type


@_excel_safe
def PARTNER_FIT_SCORES(stage, need, process=None, cmc_experience=None, modality=None):
    """Fit score 0-100 of CRO, CMO and CDMO: a 2x3 array, header row then scores (spills)."""
    scores = recommend(stage, need, process, cmc_experience, modality).scores
    return [list(scores), [float(v) for v in scores.values()]]


@_excel_safe
def PARTNER_FIT_WHY(stage, need, process=None, cmc_experience=None, modality=None):
    """One sentence explaining the recommended partner type and the inputs that decided it."""
    return recommend(stage, need, process, cmc_experience, modality).reason


@_excel_safe
def VENDOR_SCORE(scores, weights, minimums=None, min_coverage=0.5):
    """One vendor's weighted score (blanks and N/A left out of both sums); the status text if the vendor is not Eligible."""
    row = _flat(scores, "scores")
    criteria = [f"criterion {i + 1}" for i in range(len(row))]
    w = _weights(weights, criteria)
    matrix, unreadable = score_matrix([row])
    result = evaluate(
        matrix, w, _optional_minimums(minimums, criteria),
        check_coverage(number(min_coverage, "min_coverage", 0.5)), unreadable, _SCALE,
    )
    if result.status[0] != Status.ELIGIBLE:
        return str(result.status_text(criteria)[0])
    return float(result.score[0])


def _read_table(table) -> tuple[list[str], list[str], list[list]]:
    """Split an Excel table (header row, vendor names in the first column) into parts."""
    if not isinstance(table, (list, tuple)):
        raise PartnerfitError(
            "table must be a range: a header row (Vendor, criteria...) and one row per vendor"
        )
    if table and isinstance(table[0], (list, tuple)) and not all(isinstance(r, (list, tuple)) for r in table):
        raise PartnerfitError("table mixes single cells and rows; select a rectangular range")
    rows = list(map(list, table)) if table and isinstance(table[0], (list, tuple)) else [list(table)]
    width = len(rows[0])
    if set(map(len, rows)) != {width}:
        raise PartnerfitError("table rows have different lengths; select a rectangular range")
    header = rows[0]
    while width > 1 and all(is_blank(r[width - 1]) for r in rows):
        width -= 1  # trailing blank columns of a generous selection
    if width < 2:
        raise PartnerfitError("table needs a Vendor column and at least one criterion column")
    criteria = []
    for j, name in enumerate(header[1:width], start=2):
        if not (isinstance(name, str) and (stripped := name.strip())):  # not text, or blank
            raise PartnerfitError(
                f"table header column {j} is {show(name) if not is_blank(name) else 'blank'}; "
                "the first row must hold the criterion names"
            )
        criteria.append(stripped)
    vendors, body, seen = [], [], set()
    for i, row in enumerate(rows[1:], start=2):
        name = row[0]
        if type(name) is str and (stripped := name.strip()):  # the usual case first: a typed name
            name = stripped
        elif is_blank(name):  # only then can the whole row be blank: check the rest
            if all(is_blank(v) for v in row[1:width]):
                continue  # empty rows of a generous selection
            raise PartnerfitError(f"table row {i} has scores but no vendor name; fill column 1")
        else:
            name = show(name) if isinstance(name, float) else str(name).strip()
        if name in seen:
            raise PartnerfitError(f"vendor {show(name)} appears twice in the table; keep one row per vendor")
        seen.add(name)
        vendors.append(name)
        body.append(row[1:width])
    return criteria, vendors, body


@_excel_safe
def VENDOR_RANKING(table, weights, minimums=None, min_coverage=0.5):
    """Ranked vendor table (Vendor, Score, Rank, Coverage, Status), eligible vendors first; spills."""
    criteria, vendors, body = _read_table(table)
    w = _weights(weights, criteria)
    mins = _optional_minimums(minimums, criteria)
    coverage = check_coverage(number(min_coverage, "min_coverage", 0.5))
    if not vendors:
        return [RESULT_HEADER]
    matrix, unreadable = score_matrix(body)
    result = evaluate(matrix, w, mins, coverage, unreadable, _SCALE)
    # Whole columns to Python lists first: indexing numpy arrays cell by cell is slow.
    scores, ranks = result.score.tolist(), result.rank.tolist()
    covered, statuses = result.coverage.tolist(), result.status_text(criteria).tolist()
    out = [RESULT_HEADER]
    # `x if x == x else None` is _cell inlined (NaN is the one value not equal to itself).
    out += [[vendors[i], scores[i] if scores[i] == scores[i] else None, ranks[i] if ranks[i] == ranks[i] else None,
             covered[i], statuses[i]] for i in result.order().tolist()]
    return out


@_excel_safe
def PARTNERFIT_VERSION():
    """The installed partnerfit version."""
    return __version__


# Decisions that hold up: AHP weights, evaluator consensus, robustness of the ranking
# (pandas only inside CONSENSUS).

MAX_SAMPLES = 100_000
"""Most weight draws one RANK_ACCEPTABILITY cell may ask for (about 5 s for 1,000 vendors)."""


def _whole(value, what: str, default: float, least: int, most: int) -> int:
    """A whole number from a cell, within [least, most]."""
    x = number(value, what, default)
    if x != int(x) or not least <= x <= most:
        raise PartnerfitError(f"{what} is {show(x)}; use a whole number from {least:,} to {most:,}")
    return int(x)


def _scored_table(table, weights):
    """(criteria, vendors, checked score matrix, weights) of a VENDOR_RANKING-shaped table."""
    criteria, vendors, body = _read_table(table)
    w = _weights(weights, criteria)
    if not vendors:
        raise PartnerfitError("table has no vendor rows; add one row per vendor under the header")
    matrix, unreadable = score_matrix(body)
    return criteria, vendors, check_scores(matrix, unreadable, body, vendors, criteria, w, _SCALE), w


def _ahp_levels(matrix, groups, group_matrix) -> list[list]:
    """AHP_WEIGHTS with groups: the criteria compared within each group (the pairs of `matrix`
    within a group; the others are not read), the groups compared in `group_matrix`, in the order
    they first appear in `groups`; global weight = group weight x local weight (`ahp_hierarchy`)."""
    from .groups import ahp_hierarchy

    cells = matrix if isinstance(matrix, (list, tuple)) else [[matrix]]
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in cells]
    of = _flat(groups, "groups")
    if len(of) != len(rows) or any(len(r) != len(rows) for r in rows):
        raise PartnerfitError(f"groups has {len(of)} cells for a pairwise matrix of {len(rows)} x "
                              f"{len(rows[0]) if rows else 0}; give one group per criterion, in the matrix's order")
    labels: dict[str, str] = {}
    members: dict[str, list[int]] = {}
    for k, g in enumerate(of):
        if is_blank(g):
            raise PartnerfitError(f"groups cell {k + 1} is blank; give criterion {k + 1} its group")
        key = show(g).strip().lower() if not isinstance(g, str) else g.strip().lower()
        labels.setdefault(key, g.strip() if isinstance(g, str) else show(g))
        members.setdefault(key, []).append(k)
    if group_matrix is None and len(members) > 1:
        raise PartnerfitError(f"{len(members)} groups but no group_matrix; compare the groups in a square range, "
                              "in the order they first appear in groups")
    top = 1.0 if group_matrix is None else group_matrix
    rank = _numbered(of, group_matrix)
    if rank is not None:  # groups 1..r: rows of group_matrix (the workbook's groups table); unused rows dropped
        members = dict(sorted(members.items(), key=lambda item: rank[item[0]]))
        used = [rank[key] for key in members]
        top = [[group_matrix[i][j] for j in used] for i in used]
    named = {labels[key]: [f"criterion {k + 1}" for k in ks] for key, ks in members.items()}
    within = {labels[key]: [[rows[i][j] for j in ks] for i in ks] for key, ks in members.items() if len(ks) > 1}
    result = ahp_hierarchy(named, top, within)
    weights = result.weights.as_dict()
    out = [[f"Weight {k + 1}", weights[f"criterion {k + 1}"]] for k in range(len(rows))]
    for where, level in (("Groups", result.groups), *((g, r) for g, r in result.within.items() if len(r.weights) > 1)):
        out += [[f"{where} lambda max", level.lambda_max], [f"{where} CI", level.ci], [f"{where} CR", level.cr]]
    out += [["Consistent", result.consistent], ["Note", result.message]]
    for key, ks in members.items():  # blanks within a group, at their row and column of `matrix`
        level = result.within[labels[key]]
        out += [[f"Completed row {ks[i] + 1} col {ks[j] + 1}", float(level.matrix[i, j])]
                for i, j in _pairs(level.completed)]
    at = [rank[key] for key in members] if rank is not None else list(range(len(members)))
    out += [[f"Completed group row {at[i] + 1} col {at[j] + 1}", float(result.groups.matrix[i, j])]
            for i, j in _pairs(result.groups.completed)]
    return out


def _numbered(groups: list, group_matrix) -> dict[str, int] | None:
    """Group key -> 0-based row of group_matrix when every group is a number 1, 2, ... up to its
    number of rows (group k is row k), else None (the groups in order of first appearance)."""
    if not isinstance(group_matrix, (list, tuple)):
        return None
    out = {}
    for g in groups:
        if isinstance(g, bool) or not isinstance(g, (int, float)) or g != int(g) or not 1 <= g <= len(group_matrix):
            return None
        out[show(g).strip().lower()] = int(g) - 1
    return out


@_excel_safe
def AHP_WEIGHTS(matrix, groups=None, group_matrix=None):
    """AHP weights (eigenvector, sum 1): spills Weight 1..n, Lambda max, CI, CR, Consistent (CR <= 0.10), Note, then each blank completed (min lambda max). With groups: lambda max, CI, CR per level; weight = group weight x weight in group."""
    if groups is not None:
        return _ahp_levels(matrix, groups, group_matrix)
    result = ahp_weights(matrix)
    out = [[f"Weight {i + 1}", float(w)] for i, w in enumerate(result.weights)]
    out += [
        ["Lambda max", result.lambda_max], ["CI", result.ci], ["CR", result.cr],
        ["Consistent", result.consistent], ["Note", result.message],
    ]
    out += [[f"Completed row {i + 1} col {j + 1}", float(result.matrix[i, j])] for i, j in _pairs(result.completed)]
    return out


def _pairs(mask) -> list[tuple[int, int]]:
    """(row, column) of the cells above the diagonal where a square boolean array is True."""
    return [(i, j) for i, row in enumerate(mask.tolist()) for j in range(i + 1, len(row)) if row[j]]


def _stacked(block, k: int) -> list:
    """Argument k of AHP_AGGREGATE (a range) as its square matrices, stacked one below the other."""
    if not isinstance(block, (list, tuple)):
        block = [[block]]
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in block]
    width = len(rows[0]) if rows else 0
    if not width or any(len(r) != width for r in rows) or len(rows) % width:
        raise PartnerfitError(
            f"matrices argument {k} is {len(rows)} x {width} cells; give square matrices, "
            "one per stakeholder, as separate ranges or stacked one below the other"
        )
    return [rows[start:start + width] for start in range(0, len(rows), width)]


@_excel_safe
def AHP_AGGREGATE(*matrices):
    """Stakeholders' pairwise matrices combined by the geometric mean of the judgements given per cell (blank where nobody judged). Spills that matrix, then each stakeholder's CR, then the pairs judged more than 3 scale steps apart."""
    if not matrices:
        raise PartnerfitError("give at least one pairwise matrix, one per stakeholder")
    result = aggregate_judgements([m for k, block in enumerate(matrices) for m in _stacked(block, k + 1)])
    n = len(result.matrix)
    width = max(n, 2)
    out = [[None if math.isnan(x) else x for x in row] + [None] * (width - n) for row in result.matrix.tolist()]
    out += [[f"CR stakeholder {s + 1}", "not connected" if cr is None else cr]
            for s, cr in enumerate(result.stakeholder_cr)]
    apart = _pairs(result.apart)
    out.append([f"Pairs over {STEPS_APART:g} steps apart", len(apart)])
    out += [[f"row {i + 1} col {j + 1}", float(result.spread[i, j])] for i, j in apart]
    return [row + [None] * (width - len(row)) for row in out]


def _grid_rows(grids) -> list[list]:
    """Evaluator grids stacked in one range (each headed Vendor, criteria...; rows starting
    "Evaluator" and blank rows between them skipped) as rows (vendor, grid k, criterion, score)."""
    rows, header, k = [], None, 0
    for row in grids:
        first = "" if is_blank(row[0]) else str(row[0]).strip()
        if first.lower() == "vendor":
            header, k = row, k + 1
        elif first and first.lower() != "evaluator" and header is not None:
            rows += [[row[0], f"grid {k}", c, x] for c, x in zip(header[1:], row[1:]) if not is_blank(c)]
    return rows


@_excel_safe
def CONSENSUS(evaluations, method="mean"):
    """Consensus score of several evaluators per vendor and criterion: spills a table (Vendor, criteria...) that VENDOR_RANKING takes as it is; blank where nobody scored."""
    import pandas as pd

    from .consensus import consensus

    if not isinstance(evaluations, (list, tuple)) or not evaluations or not isinstance(evaluations[0], (list, tuple)):
        raise PartnerfitError(
            "evaluations must be a range: a header row (Vendor, Evaluator, Criterion, Score) and data rows"
        )
    if any(not isinstance(row, (list, tuple)) or len(row) != len(evaluations[0]) for row in evaluations):
        raise PartnerfitError("evaluations rows have different lengths; select a rectangular range")
    header = ["" if is_blank(h) else show(h) if isinstance(h, float) else str(h).strip() for h in evaluations[0]]
    if header and header[0].lower() == "vendor" and not {"evaluator", "criterion", "score"} & {h.lower() for h in header}:
        frame = pd.DataFrame(_grid_rows(evaluations), columns=["Vendor", "Evaluator", "Criterion", "Score"], dtype=object)
    else:
        frame = pd.DataFrame([list(r) for r in evaluations[1:]], columns=header, dtype=object)
    result = consensus(frame, "mean" if is_blank(method) else method).table
    out = [["Vendor", *result.columns]]
    out += [[vendor, *map(_cell, row)] for vendor, row in zip(result.index, result.to_numpy().tolist())]
    return out


def _acceptability(table, weights, uncertainty, samples, seed):
    """The table read as for VENDOR_RANKING, and its rank acceptability (RANK_ACCEPTABILITY, ROBUSTNESS)."""
    criteria, vendors, matrix, w = _scored_table(table, weights)
    u = number(uncertainty, "uncertainty", 0.2)
    n = _whole(samples, "samples", 10000.0, 1, MAX_SAMPLES)
    shares = rank_acceptability(matrix, w, u, n, _whole(seed, "seed", 0.0, 0, 2**31 - 1))
    return criteria, vendors, matrix, w, shares


@_excel_safe
def RANK_ACCEPTABILITY(table, weights, uncertainty=0.2, samples=10000, seed=0):
    """Share of random weightings (each weight x U(1-u, 1+u), renormalised) in which each vendor ranks 1st, 2nd, ...: spills Vendor, Rank 1, Rank 2, ... in table order (SMAA-2)."""
    _, vendors, _, _, shares = _acceptability(table, weights, uncertainty, samples, seed)
    out = [["Vendor", *(f"Rank {r + 1}" for r in range(len(vendors)))]]
    out += [[vendor, *row] for vendor, row in zip(vendors, shares.tolist())]
    return out


@_excel_safe
def FLIP_MARGIN(table, weights):
    """Per criterion, the smallest change of its share of the weight (others rescaled) that puts another vendor first: spills Criterion, Weight, Change, New weight, New leader ("none" if no weight from 0 to 1 does)."""
    criteria, vendors, matrix, w = _scored_table(table, weights)
    flips = flip_margin(matrix, w)
    out = [["Criterion", "Weight", "Change", "New weight", "New leader"]]
    for k, name in enumerate(criteria):
        leader = int(flips.new_leader[k])
        out.append([
            name, float(flips.weight[k]), _cell(float(flips.change[k])),
            _cell(float(flips.new_weight[k])), vendors[leader] if leader >= 0 else "none",
        ])
    return out


@_excel_safe
def ROBUSTNESS(table, weights, uncertainty=0.2, samples=10000, seed=0):
    """One sentence: how often the leader stays first when the weights vary (RANK_ACCEPTABILITY) and the smallest change of one weight that puts another vendor first (FLIP_MARGIN)."""
    from .robustness import robustness_summary

    criteria, vendors, matrix, w, shares = _acceptability(table, weights, uncertainty, samples, seed)
    return robustness_summary(shares, flip_margin(matrix, w), vendors, criteria)


@_excel_safe
def PRICE_SCORE(prices, method="linear", low=None, high=None):
    """Price score 1-5 of each quote, in the shape of the prices (spills): linear between low and high (default) or ratio to the lowest quote; blank where there is no quote."""
    from .pricing import price_scores

    scores = [_cell(s) for s in price_scores(_flat(prices, "prices"), "linear" if is_blank(method) else method,
                                             low, high).tolist()]
    if not isinstance(prices, (list, tuple)):
        return scores[0]
    if prices and isinstance(prices[0], (list, tuple)):  # a block: a row stays a row, a column a column
        return [scores] if len(prices) == 1 else [[s] for s in scores]
    return scores
