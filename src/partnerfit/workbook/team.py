"""Team scoring: a pack per evaluator (`partnerfit pack`) and the packs merged back into the
evaluation (`partnerfit merge`).

A pack is an ordinary single-evaluator evaluation workbook built from an explicit list of what an
evaluator needs (`pack_filling`): the programme, the criteria with their guides, weights and
must-haves, and the vendors (name, type, site; locked), with empty score and evidence cells.
Never another evaluator's scores, never prices: no quote column, no Prices sheet, no price name
(the writer's layout without `priced`); when the evaluation's quotes score the price criterion,
that criterion's column is locked (`Pack_Locked`) and weighs 0 in the pack. `Pack_Evaluator`
names its evaluator and `Pack_Id` the evaluation it belongs to: a digest of the evaluation's
vendor names and criteria (`evaluation_id`), so that merge tells a pack of another evaluation
(its id is not the evaluation's) from a pack whose vendors or criteria were changed (its id is
not its own content's).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..cells import is_present, score_value
from ..criteria import SCALE
from ..errors import PartnerfitError, show
from ..example import Vendor
from .layout import MERGE_ROWS, PACK_LOCKED, PACK_LOCKED_NOTE, PACK_NAMES
from .model import Filling, Grid

_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')


def evaluation_id(vendors, criteria) -> str:
    """The id of an evaluation: the first 16 hex digits of the SHA-256 of its vendor names and
    criteria (blank vendor rows left out, spaces trimmed)."""
    text = "\x1e".join(("\x1f".join(str(v).strip() for v in vendors if is_present(v)),
                        "\x1f".join(str(c).strip() for c in criteria)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def priced_criterion(evaluation: Filling) -> int:
    """0-based column of the criterion the evaluation's quotes score (a quote typed and the price
    criterion on the Criteria sheet), else -1: procurement scores it, not the evaluators."""
    from .prices import criterion_at

    p = evaluation.prices
    return criterion_at(p.criterion, evaluation.criteria) - 1 if any(is_present(q) for q in p.quotes) else -1


def pack_filling(evaluation: Filling, evaluator: str) -> Filling:
    """The pack of `evaluator`: what the evaluator needs, listed field by field (nothing else of
    the evaluation is carried over: no scores, evidence, evaluations, comments, merge records or
    prices). The criterion the quotes score is locked, and weighs 0 in the pack's own scores
    (no must-have), as in the technical copy."""
    from .groups import technical_groups

    named = [v for v in evaluation.vendors if is_present(v.name)]
    blank = (None,) * len(evaluation.criteria)
    weights, minimums, groups = list(evaluation.weights), list(evaluation.minimums), evaluation.groups
    j = priced_criterion(evaluation)
    if j >= 0:
        weights[j], minimums[j] = 0.0, None
        groups = technical_groups(groups, evaluation.criteria, j, weights)
    return Filling(
        partner_type=evaluation.partner_type, stage=evaluation.stage, need=evaluation.need,
        process=evaluation.process, cmc_experience=evaluation.cmc_experience, modality=evaluation.modality,
        criteria=evaluation.criteria, weights=tuple(weights), minimums=tuple(minimums),
        min_coverage=evaluation.min_coverage, consensus_method=evaluation.consensus_method,
        groups=groups,
        vendors=tuple(Vendor(v.name, v.site, blank, None, None, v.partner_type) for v in named),
        capacity=max(len(named), 1), evaluation_rows=1, evaluators=1,
        pack=(evaluator, evaluation_id((v.name for v in named), evaluation.criteria),
              evaluation.criteria[j] if j >= 0 else None),
    )


def pack_name(evaluation: Path, evaluator: str) -> str:
    """The file name of an evaluator's pack: `<evaluation> - <evaluator>.xlsx`, safe on any system."""
    return _UNSAFE.sub("_", f"{evaluation.stem} - {evaluator}").strip(" .") + ".xlsx"


def evaluators_list(text: str) -> list[str]:
    """The evaluators of `--evaluators "QA lead, CMC lead"`: trimmed, at least one, none twice."""
    names = [name.strip() for name in text.split(",")]
    if not text.strip() or any(not name for name in names):
        raise PartnerfitError(f'--evaluators "{text}" has an empty name; separate the names with commas')
    twice = next((name for k, name in enumerate(names) if name.casefold() in
                  (n.casefold() for n in names[:k])), None)
    if twice:
        raise PartnerfitError(f'--evaluators names "{twice}" twice; give each evaluator once')
    return names


# --------------------------------------------------------------------------- merge


@dataclass(frozen=True)
class Pack:
    """One returned pack, as read: its evaluator, id, vendors, criteria, score and evidence cells."""

    path: Path
    sha256: str
    evaluator: str
    pack_id: str
    vendors: list
    criteria: list
    scores: list[list]
    evidence: list
    score_cell: object
    """(i, j) -> the Sheet!A1 address of score cell (i, j)."""
    locked: str = ""
    """The criterion the pack left to procurement (scored from the quotes; "" for none)."""


def read_pack(path) -> Pack:
    """A returned pack (vetted and read like any workbook); a workbook that is no pack is refused."""
    from .reader import Source

    source = Source(path)
    if not all(source.has(name) for name in PACK_NAMES):
        raise PartnerfitError(f"{path}: not a pack (it lacks the name Pack_Id); merge the packs that "
                              "partnerfit pack wrote")
    evaluator, pack_id = (source.block(name)[0][0] for name in PACK_NAMES)
    scores = source.area("Vendor_Scores")
    return Pack(
        path=Path(path), sha256=hashlib.sha256(Path(path).read_bytes()).hexdigest(),
        evaluator=str(evaluator or "").strip(), pack_id=str(pack_id or "").strip(),
        vendors=[row[0] for row in source.block("Vendor_Names")],
        criteria=[row[0] for row in source.block("Criteria_Names")],
        scores=source.block("Vendor_Scores"), evidence=[row[0] for row in source.block("Vendor_Evidence")],
        score_cell=scores.address,
        locked=str(source.block(PACK_LOCKED)[0][0] or "").strip() if source.has(PACK_LOCKED) else "",
    )


@dataclass(frozen=True)
class Merged:
    """What `merge` did: the evaluation with the packs' scores, and one line per pack left out."""

    filling: Filling
    refused: list[str]
    """Packs that stop the merge (nothing is written while one is listed)."""
    empty: list[str]
    """Packs returned without a score: reported, not merged."""
    ignored: tuple[str, ...] = ()
    """Packs with a score typed in their locked criterion (`Pack_Locked`): reported, that score
    not merged (the quotes score it)."""


def grids_from_rows(evaluation: Filling, first_row: int) -> tuple[Filling, list[str]]:
    """A workbook of version 0.1 carried over: its Evaluations table's rows as one grid per evaluator
    (in order of first appearance), each row's score as that version read it; one line per row it
    cannot carry (naming the row's cell, `first_row` the sheet row of the first), and nothing carried
    while one is listed."""
    from .layout import EVALUATIONS, RowCheck
    from .results import read_evaluations

    rows = evaluation.evaluations
    vendors = [v.name for v in evaluation.rows()]
    read = read_evaluations(vendors, evaluation.criteria, rows, first_row)
    refused = [f"{EVALUATIONS}!A{first_row + 1 + k}: {text}; correct the row in the old workbook and carry it "
               "over again" for k, (code, text) in enumerate(zip(read.codes, read.checks)) if code is not RowCheck.OK]
    if refused:
        return evaluation, refused
    m, order = len(evaluation.criteria), {}
    for k, row in enumerate(rows):
        if read.used[k]:
            order.setdefault(str(row[1]).strip(), []).append(k)
    grids = []
    for who, kept in order.items():
        scores = [[None] * m for _ in vendors]
        evidence: list[list[str]] = [[] for _ in vendors]
        for k in kept:
            i, j, value = read.vendor_at[k] - 1, read.criterion_at[k] - 1, read.score[k]
            scores[i][j] = value if isinstance(value, float) else "N/A" if is_present(rows[k][3]) else None
            if is_present(rows[k][4]) and str(rows[k][4]) not in evidence[i]:
                evidence[i].append(str(rows[k][4]))
        grids.append(Grid(who, tuple(vendors), tuple(map(tuple, scores)), tuple("; ".join(e) or None for e in evidence)))
    return replace(evaluation, grids=tuple(grids), evaluators=max(evaluation.evaluators, len(grids)),
                   evaluations=()), []


def merge(evaluation: Filling, packs: list[Pack], replace_evaluator: bool = False,
          now: dt.datetime | None = None) -> Merged:
    """Each pack's scores and evidence into its evaluator's grid (the first free grid, a new one
    when none is free), and one merge record per pack (evaluator, file, SHA-256, time). A pack is
    refused, with one line naming its file and the fix, when it belongs to another evaluation, its
    vendors or criteria were changed, its evaluator already scored this evaluation (unless
    `replace_evaluator`) or was returned twice, or a score is off the scale; a pack without a score
    is reported, not merged, and so is a score typed in the pack's locked criterion (one line per
    pack, naming its first cell): procurement scores that criterion from the quotes."""
    lo, hi = SCALE
    own = evaluation_id((v.name for v in evaluation.vendors), evaluation.criteria)
    grids = list(evaluation.grid_cells())
    earlier = {str(g.evaluator).strip() for g in grids if is_present(g.evaluator)}
    earlier |= {str(row[0]).strip() for row in evaluation.merged}
    refused, empty, ignored, records, seen, filled = [], [], [], [], set(), {}
    vendors = [v.name for v in evaluation.rows()]
    where = {str(v).strip(): i for i, v in reversed(list(enumerate(vendors))) if is_present(v)}
    m = len(evaluation.criteria)
    for pack in packs:
        name, who = pack.path.name, pack.evaluator
        if evaluation_id(pack.vendors, pack.criteria) != pack.pack_id:
            refused.append(f"{name}: its vendors or criteria were changed after it was made; ask {who} to "
                           "score in an unchanged pack (partnerfit pack makes a new one)")
            continue
        if pack.pack_id != own:
            refused.append(f"{name}: a pack of another evaluation (id {pack.pack_id}, this one is {own}), or "
                           "the evaluation's vendors or criteria changed since; merge it into its own "
                           "evaluation, or make new packs with partnerfit pack")
            continue
        if who in seen:
            refused.append(f"{name}: a second pack of {who} in this merge; merge one pack per evaluator")
            continue
        seen.add(who)
        if who in earlier and not replace_evaluator:
            refused.append(f"{name}: {who} is already merged into this evaluation; add --replace to put "
                           "this pack in place of their scores")
            continue
        scores, evidence, bad, skipped, any_score = [[None] * m for _ in vendors], [None] * len(vendors), [], [], False
        for i, vendor in enumerate(pack.vendors):
            if not is_present(vendor):
                continue
            row = where[str(vendor).strip()]
            evidence[row] = pack.evidence[i]
            for j, criterion in enumerate(pack.criteria):
                cell = pack.scores[i][j]
                if pack.locked and str(criterion).strip() == pack.locked:
                    if is_present(cell):
                        skipped.append(pack.score_cell(i, j))
                    continue
                value = score_value(cell)
                if value is None or (not math.isnan(value) and not lo <= value <= hi):
                    bad.append(f"{name}: {pack.score_cell(i, j)}: {show(cell)} for {vendor} / {criterion} is not "
                               f"a score from {lo:g} to {hi:g}; ask {who} to correct it in the pack, or leave it blank")
                elif not math.isnan(value):
                    scores[row][j], any_score = value, True
                elif is_present(cell):
                    scores[row][j] = "N/A"
        if skipped:
            more = f" and {len(skipped) - 1} more cell(s)" if len(skipped) > 1 else ""
            ignored.append(f"{name}: {skipped[0]}{more}: a score for {pack.locked}, which is {PACK_LOCKED_NOTE}: "
                           "not merged (the pack locks that column)")
        if bad:
            refused.extend(bad)
        elif not any_score:
            empty.append(f"{name}: {who}'s pack holds no score: not merged; ask {who} to score it and send it again")
        else:
            filled[who] = Grid(who, tuple(vendors), tuple(map(tuple, scores)), tuple(evidence))
            when = now or dt.datetime.now(dt.timezone.utc)
            records.append((who, name, pack.sha256, when.strftime("%Y-%m-%d %H:%M:%S")))
    if refused:
        return Merged(evaluation, refused, empty, tuple(ignored))
    replaced = set(filled) if replace_evaluator else set()
    merged = tuple(r for r in evaluation.merged if str(r[0]).strip() not in replaced) + tuple(records)
    if len(merged) > MERGE_ROWS:
        return Merged(evaluation, [f"{len(merged)} merged packs do not fit the {MERGE_ROWS} rows of the "
                                   "record; merge into a new evaluation"], empty, tuple(ignored))
    for who, grid in filled.items():
        k = next((k for k, g in enumerate(grids) if str(g.evaluator or "").strip() == who), None)
        if k is None:
            k = next((k for k, g in enumerate(grids) if _free(g)), len(grids))
        grids[k:k + 1] = [grid]
    return Merged(replace(evaluation, grids=tuple(grids), evaluators=len(grids), merged=merged), refused, empty,
                  tuple(ignored))


def _free(grid: Grid) -> bool:
    """A grid nobody has used: no evaluator, vendor evidence or score typed."""
    return not any(is_present(x) for x in (grid.evaluator, *grid.evidence, *(y for r in grid.scores for y in r)))
