"""Reading a filled evaluation workbook through its defined names.

The template's defined names (`Program_Stage`, `Weights`, `Vendor_Scores`, ...) are the contract:
rows and sheets that users add do not confuse the reader, because it never looks anywhere else.
Reading uses python-calamine and no pandas, so `partnerfit score --json` costs little more than
reading the cells. Workbooks with the Evaluations and Weights (AHP) sheets are read exactly as
their formulas read them (`results.read_grids`); workbooks made before those sheets lack
their names and are read as before.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import replace
from itertools import compress
from pathlib import Path

import numpy as np

from .. import xlsx
from ..cells import cell_texts, invisible_text, is_blank
from ..errors import PartnerfitError, show
from . import diligence
from .diligence import DD_NAMES
from .layout import (
    AGREED_NAMES,
    APPROVAL_INPUT_NAMES,
    BELOW_ROWS,
    CHECK_CRITERIA_COUNT,
    DEFAULT_MIN_COVERAGE,
    EVALUATION_NAMES,
    GROUP_INPUT_NAMES,
    INPUT_NAMES,
    INVISIBLE_NAME,
    OPTIONAL_INPUT_NAMES,
    PRICE_INPUT_NAMES,
    PROGRAM_NAMES,
    RENAMED,
    REQUIRED_NAMES,
    VENDOR_BELOW,
    VENDORS_BEYOND,
    grid_names,
    vendor_tail,
)
from .model import Code, Filling, Grid, Inputs, Problem
from .results import read_grids
from .stakeholders import BLOCK_NAMES


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

    def _spelled(self, name: str) -> str:
        """`name` as this workbook spells it: a workbook of version 0.1 has the old name."""
        old = RENAMED.get(name)
        return old if name not in self.book.names and old in self.book.names else name

    def has(self, name: str) -> bool:
        return self._spelled(name) in self.book.names

    def area(self, name: str) -> xlsx.Area:
        if name not in self._areas:
            if not self.has(name):
                raise PartnerfitError(f"{self.path}: defined name {name} is missing; regenerate the "
                                      "workbook with partnerfit new and copy your data into it")
            self._areas[name] = self.book.area(self._spelled(name))
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
    sizes = [areas[name].rows * areas[name].cols for name in ("Criteria_Names", "Weights", "Minimums")]
    if len(set(sizes)) > 1:
        raise PartnerfitError(
            f"{path}: Criteria_Names, Weights and Minimums cover {sizes[0]}, {sizes[1]} and "
            f"{sizes[2]} cells; they must be the same length"
        )
    vendor_area, score_area, cells = areas["Vendor_Names"], areas["Vendor_Scores"], sizes[0]
    if source.has("Calc_Weight_Row"):  # the workbook's formulas were made for this many criteria
        m = source.area("Calc_Weight_Row").cols
        if cells != m or score_area.cols != m:
            raise PartnerfitError(f"{areas['Criteria_Names'].address()}: " + CHECK_CRITERIA_COUNT.format(m=m))
    if score_area.cols != cells:
        raise PartnerfitError(
            f"{path}: Vendor_Scores has {score_area.cols} columns for {cells} criteria cells; "
            "the block needs one column per criterion"
        )
    if vendor_area.rows != score_area.rows:
        raise PartnerfitError(
            f"{path}: Vendor_Names covers {vendor_area.rows} rows but Vendor_Scores {score_area.rows}; "
            "they must cover the same rows"
        )
    problems: list[Problem] = []
    fill = filling(source)  # every input cell, read once: the checks below and the computation use it
    names_block = [v.name for v in fill.vendors]
    score_block = np.array([v.scores for v in fill.vendors] or np.empty((0, cells)),
                           dtype=object).reshape(len(names_block), cells)
    names = cell_texts(names_block)  # "" for a blank cell
    unscored = [Problem(cell, f"{show(value)} is {VENDOR_BELOW}", Code.NOT_SCORED_VENDOR)
                for cell, value in fill.below_table[:1]]
    if source.has("Result_Vendors"):  # the workbook's formulas score its first rows only
        reach = source.area("Result_Vendors").rows
        if any(names[reach:]):
            first = reach + next(i for i, v in enumerate(names[reach:]) if v)
            unscored.insert(0, Problem(vendor_area.address(first), VENDORS_BEYOND.format(n=reach), Code.NOT_SCORED_VENDOR))
        names, names_block, score_block = names[:reach], names_block[:reach], score_block[:reach]
    program = {key: getattr(fill, key) for key in PROGRAM_NAMES}
    names_all, weights_all, minimums_all = list(fill.criteria), list(fill.weights), list(fill.minimums)
    criteria_rows = [i for i, name in enumerate(names_all) if not is_blank(name)]
    vendor_rows = list(compress(range(len(names)), names))
    problems += [Problem(vendor_area.address(i), INVISIBLE_NAME, Code.UNNAMED_VENDOR)
                 for i in vendor_rows if invisible_text(names[i])]
    for i in compress(range(len(names)), map(operator.not_, names)):
        if not all(is_blank(v) for v in score_block[i]):
            problems.append(Problem(vendor_area.address(i), "this row has scores but no vendor name; "
                                    "enter the vendor's name or clear the row", Code.UNNAMED_VENDOR))
    inputs = Inputs(
        program=program,
        program_cells={k: areas[n].address() for k, n in PROGRAM_NAMES.items()},
        criteria=[str(names_all[i]).strip() for i in criteria_rows],
        weights=[weights_all[i] for i in criteria_rows],
        minimums=[minimums_all[i] for i in criteria_rows],
        min_coverage=fill.min_coverage,
        vendors=list(compress(names, names)),
        cells=score_block if score_block.shape == (len(vendor_rows), len(criteria_rows))  # all in use
        else score_block[np.ix_(vendor_rows, criteria_rows)],
        areas=areas,
        criteria_rows=criteria_rows,
        vendor_rows=vendor_rows,
        problems=problems,
        unscored=unscored,
        filling=fill,
    )
    for i, name in enumerate(names_all):
        if is_blank(name) and not (is_blank(weights_all[i]) and is_blank(minimums_all[i])):
            problems.append(Problem(inputs.list_cell("Criteria_Names", i),
                                    "a weight or minimum is set for a criterion with no name; name it or clear the row",
                                    Code.UNNAMED_CRITERION))
    inputs.vendor_cells, inputs.criteria_cells = names_block, names_all
    _read_team(source, inputs)
    inputs.weights_all = weights_all
    inputs.evaluation_date, inputs.partner_type = fill.evaluation_date, fill.partner_type
    # the parts a workbook made by an older partnerfit lacks (None), and where check names their cells
    for part, names in (("prices", PRICE_INPUT_NAMES), ("groups", GROUP_INPUT_NAMES),
                        ("approvals", APPROVAL_INPUT_NAMES)):
        if all(source.has(n) for n in names):
            setattr(inputs, part, getattr(fill, part))
            inputs.areas.update({n: source.area(n) for n in names})
    if source.has("AHP_Group_Judgements"):
        inputs.areas["AHP_Group_Judgements"] = source.area("AHP_Group_Judgements")
    if all(source.has(n) for n in DD_NAMES):
        inputs.due_diligence_read = functools.partial(diligence.columns, inputs)
        inputs.areas.update({n: source.area(n) for n in (*DD_NAMES, "Evaluation_Date") if source.has(n)})
    return inputs


def _read_team(source: Source, inputs: Inputs) -> None:
    """The Evaluations and Weights (AHP) inputs, when the workbook has their names."""
    fill, m, rows = inputs.filling, len(inputs.criteria_cells), len(inputs.vendor_cells)
    for name in ("Use_AHP", "AHP_Judgements", "Consensus_Method", "Consensus_Scores", "Consensus_Spreads",
                 *BLOCK_NAMES, "AHP_Team_Mean"):
        if source.has(name):
            inputs.areas[name] = source.area(name)

    def square(name):  # the filling keeps a block of m x m cells only; check names any other
        area = source.area(name)
        return area.rows == area.cols == m

    if source.has("Use_AHP"):
        inputs.use_ahp = fill.use_ahp
    if source.has("AHP_Judgements"):
        inputs.judgements = ([list(r) for r in fill.judgements] if square("AHP_Judgements")
                             else source.block("AHP_Judgements"))
    if all(source.has(name) for name in BLOCK_NAMES):
        inputs.stakeholders = ([[list(r) for r in block] for block in fill.stakeholders]
                               if all(map(square, BLOCK_NAMES)) else [source.block(name) for name in BLOCK_NAMES])
    if source.has("Consensus_Method"):
        inputs.consensus_method = fill.consensus_method
    if all(source.has(name) for name in AGREED_NAMES):  # one row per row of Vendor_Names, blank ones added
        areas = [source.area(name) for name in AGREED_NAMES]
        if any(area.cols != m for area in areas):
            raise PartnerfitError(f"{source.path}: Agreed_Scores and Agreed_Reasons must have one column per "
                                  f"criterion ({m}); restore them (Formulas > Name Manager)")
        inputs.areas.update(zip(AGREED_NAMES, areas))
        inputs.agreed, inputs.agreed_reasons = ([list(row) for row in cells[:rows]] for cells in fill.agreed_cells())
    if fill.grids:
        for g in range(1, len(fill.grids) + 1):
            inputs.areas.update({name: source.area(name) for name in grid_names(g)[:4]})
        team = read_grids(inputs.vendor_cells, fill.grids, inputs.consensus_method)
        inputs.team = team if team.mode else None
        inputs.grids, inputs.evaluations = list(fill.grids), grid_rows(fill.grids, inputs.criteria_cells)
        return
    if any(not is_blank(v) for row in fill.evaluations for v in row[:4]):
        raise PartnerfitError(OLD_TABLE.format(path=source.path, new=source.path.with_name(
            source.path.stem + " grids.xlsx").name))


OLD_TABLE = ("{path}: its scores are on the Evaluations table of partnerfit 0.1, which this version reads as one "
             "grid per evaluator; carry them over with: partnerfit merge {path} -o \"{new}\"")
"""The one line for a workbook of version 0.1 whose Evaluations table holds rows."""


def grid_rows(grids: list[Grid], criteria) -> list[tuple]:
    """The grids' entered score cells as rows (vendor, evaluator, criterion, score, evidence)."""
    return [(vendor, grid.evaluator, c, x, evidence) for grid in grids
            for vendor, row, evidence in zip(grid.vendors, grid.scores, grid.evidence)
            for c, x in zip(criteria, row) if x is not None and x != ""]


def cells_below_table(source: Source) -> tuple[tuple[str, object], ...]:
    """(address, value) of the cells with a value in the `BELOW_ROWS` rows right below the vendor
    table, across its width: typed there, they are not part of the table (nor of its names)."""
    names, scores = source.area("Vendor_Names"), source.area("Vendor_Scores")
    band = xlsx.Area(names.sheet, names.bottom + 1, names.left, names.bottom + BELOW_ROWS,
                     scores.right + len(vendor_tail(source.has("Prices"))))
    return tuple((band.address(i), next(v for v in row if not is_blank(v)))
                 for i, row in enumerate(source.values.block(band)) if not all(is_blank(v) for v in row))


def filling(source: Source):
    """The workbook's input cells as a `model.Filling` (to compute every formula's value)."""
    rows = source.area("Vendor_Names").rows
    blocks = {}
    for name in INPUT_NAMES:
        if source.has(name):
            blocks[name] = source.block(name)
        elif name == "Weight_Profile":
            blocks[name] = [["CDMO"]]
        elif name == "Min_Coverage":
            blocks[name] = [[DEFAULT_MIN_COVERAGE]]
        elif name not in OPTIONAL_INPUT_NAMES:  # optional vendor columns (type, site, evidence, comments)
            blocks[name] = [[None]] * rows
    g = 1
    while source.has(f"Grid_{g}_Scores"):
        blocks.update({name: source.block(name) for name in grid_names(g) if not name.endswith("_Check")})
        g += 1
    if g == 1 and all(source.has(name) for name in EVALUATION_NAMES):  # version 0.1: carried over by merge
        blocks.update({name: source.block(name) for name in EVALUATION_NAMES})
    formula_rows = source.area("Result_Vendors").rows if source.has("Result_Vendors") else rows
    records = source.block("Merged_Packs") if source.has("Merged_Packs") else []
    merged = tuple(row for row in records if not is_blank(row[0]))
    return replace(Filling.from_names(blocks), formula_rows=formula_rows, below_table=cells_below_table(source),
                   merged=merged)

