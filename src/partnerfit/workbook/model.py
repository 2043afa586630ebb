"""The inputs of an evaluation workbook, one model: `Filling` holds every input cell (what the
generator writes, what the reader reads and what `results.compute` computes); `Inputs` is a read
`Filling` with where each value lives and the used rows and criteria the checks name; `Problem`
is what is wrong in a cell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, auto
from functools import cached_property

import numpy as np

from .. import xlsx
from ..cells import choice_value, is_present
from ..criteria import PROFILES
from ..domain import PartnerType
from ..errors import PartnerfitError
from ..example import EXAMPLE, Vendor
from .approvals import ApprovalFilling, approval_filling
from .diligence import COLUMN_NAMES, DD_NAMES, PROGRAM_NAMES
from .groups import GroupFilling, default_groups, group_filling
from .layout import (
    AGREED_NAMES,
    DEFAULT_CAPACITY,
    DEFAULT_EVALUATION_ROWS,
    DEFAULT_EVALUATORS,
    EVALUATION_NAMES,
    INPUT_NAMES,
    MAX_CAPACITY,
    MAX_EVALUATION_ROWS,
    MAX_EVALUATORS,
    MERGE_ROWS,
    OPTIONAL_INPUT_NAMES,
)
from .prices import PriceFilling, price_filling
from .stakeholders import BLOCK_NAMES, STAKEHOLDERS, blank_blocks

# --------------------------------------------------------------------------- the inputs


@dataclass(frozen=True)
class Grid:
    """One evaluator's grid on the Evaluations sheet (shaped like a pack), cells as entered:
    the evaluator's name, per grid row the vendor's name, one score per criterion and evidence."""

    evaluator: object = None
    vendors: tuple = ()
    scores: tuple = ()
    evidence: tuple = ()

    def padded(self, rows: int, criteria: int) -> Grid:
        """This grid with `rows` rows (blank ones added)."""
        extra = rows - len(self.vendors)
        return Grid(self.evaluator, tuple(self.vendors) + (None,) * extra,
                    tuple(tuple(r) for r in self.scores) + ((None,) * criteria,) * (rows - len(self.scores)),
                    tuple(self.evidence) + (None,) * (rows - len(self.evidence)))



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
    """Version 0.1's Evaluations table rows (vendor, evaluator, criterion, score[, evidence]), read from
    an old workbook only to carry them into grids (`team.grids_from_rows`); never written."""
    evaluation_rows: int = DEFAULT_EVALUATION_ROWS
    evaluators: int = DEFAULT_EVALUATORS
    """Evaluator grids on the Evaluations sheet."""
    grids: tuple = ()
    """The evaluator grids from the first (`Grid`s, at most `evaluators`, rows from the top)."""
    consensus_method: object = "mean"
    use_ahp: object = "No"
    judgements: tuple | None = None
    formula_rows: int | None = None
    """Vendor rows the workbook's formulas score (None: `capacity`): a table grown by the user's
    inserted rows may hold more, which the formulas do not see."""
    below_table: tuple = ()
    """(address, value) of cells typed right below the vendor table, which is not scored there."""
    prices: PriceFilling = PriceFilling()
    approvals: ApprovalFilling = ApprovalFilling()
    """The Approvals sheet: per role name, decision, date, meaning; the declarations."""
    """The Prices sheet: quotes by vendor row from the top, currency, method, bounds, share, criterion."""
    due_diligence: tuple = ()
    """Per vendor row from the top, the due-diligence columns of the vendor table (`diligence.COLUMN_NAMES`
    order: the DD_ names, then Track_Record_Reasons; a shorter row is blank on the right)."""
    supply_criticality: object = None
    evaluation_date: object = None
    pack: tuple | None = None
    """(evaluator, evaluation id, criterion scored from the quotes or None) when the workbook is one
    evaluator's pack (`team.pack_filling`): its vendor names and that criterion's scores are then
    locked, it carries the names Pack_Evaluator, Pack_Id and Pack_Locked, and no price."""
    merged: tuple = ()
    """(evaluator, file, SHA-256, time) of every pack merged into the evaluation (`team.merge`)."""
    agreed: tuple = ()
    """The consensus meeting's agreed scores (Agreed_Scores), rows of criteria cells by vendor row from the top."""
    agreed_reasons: tuple = ()
    """Their reasons (Agreed_Reasons), shaped alike."""
    groups: GroupFilling | None = None
    """Weigh by, each criterion's group and the groups table (`groups`; default: the catalogue's)."""
    stakeholders: tuple | None = None
    """The stakeholders' AHP judgement blocks (`stakeholders.STAKEHOLDERS` of criteria x criteria;
    default: blank), and their names."""
    stakeholder_names: tuple = ()

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
            "formula_rows": self.capacity if self.formula_rows is None else self.formula_rows,
            "below_table": tuple(self.below_table),
            "due_diligence": tuple(tuple(row) for row in self.due_diligence),
            "merged": tuple(tuple(row) for row in self.merged),
            "grids": tuple(self.grids),
            "stakeholders": (tuple(tuple(tuple(r) for r in block) for block in self.stakeholders)
                             if self.stakeholders is not None else blank_blocks(len(criteria))),
            "stakeholder_names": tuple(self.stakeholder_names) + (None,) * (STAKEHOLDERS - len(self.stakeholder_names)),
            "agreed": tuple(tuple(row) for row in self.agreed),
            "agreed_reasons": tuple(tuple(row) for row in self.agreed_reasons),
        }
        weights = fields["weights"]
        fields["groups"] = self.groups if self.groups is not None else default_groups(criteria, weights)
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
        if not 1 <= self.evaluators <= MAX_EVALUATORS:
            raise PartnerfitError(f"room for {self.evaluators} evaluators; use 1 to {MAX_EVALUATORS}")
        if len(self.grids) > self.evaluators:
            raise PartnerfitError(f"{len(self.grids)} evaluator grids do not fit in {self.evaluators}")
        if any(len(r) != len(criteria) for grid in self.grids for r in grid.scores):
            raise PartnerfitError(f"an evaluator grid's rows must have {len(criteria)} scores")
        if len(self.merged) > MERGE_ROWS:
            raise PartnerfitError(f"{len(self.merged)} merged packs do not fit in {MERGE_ROWS} rows")
        for what, block in (("agreed scores", self.agreed), ("agreed reasons", self.agreed_reasons)):
            if len(block) > self.capacity or any(len(row) != len(criteria) for row in block):
                raise PartnerfitError(f"the {what} must be at most {self.capacity} rows of {len(criteria)} cells")
        if len(self.groups.of) != len(criteria):
            raise PartnerfitError(f"{len(self.groups.of)} criteria groups for {len(criteria)} criteria")
        if any(len(row) != 5 for row in self.evaluations):
            raise PartnerfitError("an evaluation is (vendor, evaluator, criterion, score[, evidence])")
        if len(self.stakeholders) != STAKEHOLDERS or any(
                len(b) != len(criteria) or any(len(r) != len(criteria) for r in b) for b in self.stakeholders):
            raise PartnerfitError(f"give {STAKEHOLDERS} stakeholder blocks of {len(criteria)} x {len(criteria)}")
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
    def example(cls, capacity: int = DEFAULT_CAPACITY) -> Filling:
        """The bundled example (example.py) as typed into the workbook."""
        e = EXAMPLE
        return cls(
            partner_type=e.partner_type.value, stage=e.stage, need=e.need, process=e.process,
            cmc_experience=e.cmc_experience, modality=e.modality,
            minimums=tuple(e.minimums.get(c) for c in e.criteria),
            vendors=e.vendors, capacity=capacity,
        )

    @classmethod
    def from_names(cls, values) -> Filling:
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
        grids = []
        while f"Grid_{len(grids) + 1}_Scores" in values:
            g = len(grids) + 1
            block = values[f"Grid_{g}_Scores"]
            if any(len(r) != len(criteria) for r in block):
                raise PartnerfitError(f"Grid_{g}_Scores must have one column per criterion ({len(criteria)})")
            grids.append(Grid(cell(f"Grid_{g}_Evaluator"), column(f"Grid_{g}_Vendors"),
                              tuple(tuple(r) for r in block), column(f"Grid_{g}_Evidence")))
        if grids:
            team.update(grids=tuple(grids), evaluators=len(grids))
        elif all(name in values for name in EVALUATION_NAMES):
            columns = [column(name) for name in EVALUATION_NAMES]
            if len({len(c) for c in columns}) != 1:
                raise PartnerfitError("the Eval_ names cover different numbers of rows; they must cover the same rows")
            team.update(evaluations=tuple(zip(*columns)), evaluation_rows=len(columns[0]))
        if "Consensus_Method" in values:
            team["consensus_method"] = cell("Consensus_Method")
        for name, key in zip(AGREED_NAMES, ("agreed", "agreed_reasons")):
            block = values.get(name)
            if block is not None and all(len(r) == len(criteria) for r in block):
                team[key] = tuple(tuple(r) for r in block[:len(vendors)])
        if all(name in values for name in DD_NAMES):
            team["due_diligence"] = tuple(zip(*(column(name) for name in COLUMN_NAMES if name in values)))
        for name in PROGRAM_NAMES:
            if name in values:
                team[name.lower()] = cell(name)
        if "Use_AHP" in values:
            team["use_ahp"] = cell("Use_AHP")
        block = values.get("AHP_Judgements")
        if block is not None and len(block) == len(criteria) and all(len(r) == len(criteria) for r in block):
            team["judgements"] = tuple(tuple(r) for r in block)
        blocks = [values.get(name) for name in BLOCK_NAMES]
        if all(b is not None and len(b) == len(criteria) and all(len(r) == len(criteria) for r in b) for b in blocks):
            team["stakeholders"] = tuple(tuple(tuple(r) for r in b) for b in blocks)
        if "AHP_Stakeholder_Names" in values:
            team["stakeholder_names"] = column("AHP_Stakeholder_Names")
        return cls(
            partner_type=cell("Weight_Profile"), stage=cell("Program_Stage"),
            need=cell("Program_Need"), process=cell("Program_Process"),
            cmc_experience=cell("Program_CMC"), modality=cell("Program_Modality"),
            criteria=criteria, weights=column("Weights"),
            minimums=column("Minimums"), min_coverage=cell("Min_Coverage"),
            vendors=vendors, capacity=len(vendors), **team, **price_filling(values), **group_filling(values),
            **approval_filling(values),
        )

    @property
    def beyond_formulas(self) -> bool:
        """A vendor is named in a table row that the formulas do not reach."""
        return any(is_present(v.name) for v in self.vendors[self.formula_rows:])

    def rows(self) -> list[Vendor]:
        """All `capacity` vendor rows, blank ones included."""
        blank = Vendor(None, None, (None,) * len(self.criteria), None, None, None)
        return list(self.vendors) + [blank] * (max(self.capacity, self.formula_rows) - len(self.vendors))

    def agreed_cells(self) -> tuple[list[tuple], list[tuple]]:
        """(agreed scores, reasons): one row of criteria cells per vendor row, blank ones included."""
        blank = [(None,) * len(self.criteria)]
        rows = max(self.capacity, self.formula_rows)
        return (list(self.agreed) + blank * (rows - len(self.agreed)),
                list(self.agreed_reasons) + blank * (rows - len(self.agreed_reasons)))

    def grid_cells(self) -> list[Grid]:
        """All `evaluators` grids, each with one row per vendor row, blank ones included; a grid
        beyond `grids` lists the vendor table's names."""
        rows, m = self.grid_rows, len(self.criteria)
        unused = Grid(vendors=tuple(v.name for v in self.vendors))  # a new grid lists the vendor table's names
        return [g.padded(rows, m) for g in (*self.grids, *(unused,) * (self.evaluators - len(self.grids)))]

    @property
    def grid_rows(self) -> int:
        """Rows of every evaluator grid: `capacity`, or more when a grid was read with more (the
        vendor table lost a row; the grids keep theirs)."""
        return max(self.capacity, *(max(len(g.vendors), len(g.scores), len(g.evidence)) for g in self.grids), 0)

    def evaluation_cells(self) -> list[tuple]:
        """All `evaluation_rows` rows (vendor, evaluator, criterion, score, evidence), blank ones included."""
        return list(self.evaluations) + [(None,) * 5] * (self.evaluation_rows - len(self.evaluations))



class Code(Enum):
    """What a `Problem` is about: compare codes, never message text."""

    PROGRAM = auto()
    """A programme field (stage, need, ...) that is not one of its drop-down list's values."""
    NOT_SCORED_VENDOR = auto()
    """A vendor the workbook's formulas cannot see (typed below the table, beyond its formula rows)."""
    UNNAMED_VENDOR = auto()
    UNNAMED_CRITERION = auto()
    NO_CRITERIA = auto()
    WEIGHT = auto()
    MINIMUM = auto()
    MIN_COVERAGE = auto()
    USE_AHP = auto()
    JUDGEMENT = auto()
    DUPLICATE_VENDOR = auto()
    SCORE = auto()
    """A score cell that is not a score on the scale."""
    MISSING_MUST = auto()
    """A must-have criterion nobody scored."""
    CONSENSUS_METHOD = auto()
    EVALUATION_FILL = auto()
    EVALUATION_VENDOR = auto()
    EVALUATION_CRITERION = auto()
    EVALUATION_SCORE = auto()
    EVALUATION_DUPLICATE = auto()
    AGREED_SCORE = auto()
    """An agreed score that is not a score on the scale (or N/A)."""
    AGREED_REASON = auto()
    """An agreed score without a reason."""
    SCORES_SET_ASIDE = auto()
    """Notes (not problems): the Vendors sheet's scores set aside for the consensus, evaluators
    who disagree, inconsistent AHP judgements in use."""
    DISAGREEMENT = auto()
    INCONSISTENT_AHP = auto()
    COMPLETED_AHP = auto()
    JUDGEMENT_LEFT_OUT = auto()
    """A note: a stakeholder's cell that is not a judgement, left out of their mean."""
    STAKEHOLDERS_APART = auto()
    """A note: stakeholders more than 3 scale steps apart on a pair."""
    """Blank AHP judgements completed (a note)."""
    NO_PROGRAMME = auto()
    """A note: the Program sheet lacks the stage or the need, so no partner type is recommended."""
    PRICE = auto()
    """A quote that is not a number above 0, or a bad Prices setting (method, bounds, share, criterion)."""
    ABNORMALLY_LOW = auto()
    """A note: a quote below the share of the median quote (the score stands)."""
    PRICE_REPLACES = auto()
    APPROVAL = auto()
    """A decision that is neither Approve nor Reject, a declaration that is neither None nor Declared,
    or Declared without saying what (the status stays Not approved; `score` is not refused)."""
    DUE_DILIGENCE = auto()
    """A due-diligence cell the rule cannot read, or an override without its reason."""
    """A note: scores typed in the price criterion's column are ignored (the quotes score it)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a workbook: where, what to do about it, and its `Code`."""

    cell: str
    message: str
    code: Code

    def __str__(self) -> str:
        # One line, even when a name typed with Alt+Enter holds a line break.
        return f"{self.cell}: {self.message}".replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


@dataclass
class Inputs:
    """A read workbook: its input cells (`filling`, read once) as the checks use them, with where
    each value lives and which vendor rows and criteria are used."""

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
    due_diligence_read: Callable[[], object] | None = field(default=None, repr=False)
    """Reads `due_diligence_cells` when first asked (`due_diligence` needs pandas, which scoring,
    sharing and verifying do not load)."""
    evaluation_date: object = None
    unscored: list[Problem] = field(default_factory=list)
    """Vendors the workbook's formulas cannot see (typed below its table, beyond its formula rows):
    a problem for `check`, a line under `score`'s table; neither the workbook nor the engine scores them."""
    vendor_cells: list = field(default_factory=list)
    """Every cell of Vendor_Names, as entered (the evaluations refer to them by row)."""
    criteria_cells: list = field(default_factory=list)
    """Every cell of Criteria_Names, as entered."""
    evaluations: list = field(default_factory=list)
    """The grids' scores as rows (vendor, evaluator, criterion, score, evidence), one per entered
    score cell (`results.GridRead.rows_entered`)."""
    consensus_method: object = None
    team: object = None
    """`results.GridRead` when a grid holds a score, else None."""
    grids: list = field(default_factory=list)
    """The evaluator grids as entered (`Grid`s), when the workbook has them."""
    use_ahp: object = None
    judgements: list | None = None
    """The AHP judgement block as entered, when the workbook has one."""
    stakeholders: list | None = None
    """The stakeholders' AHP judgement blocks as entered, when the workbook has them."""
    agreed: list | None = None
    """Agreed_Scores as entered (every row of Vendor_Names), when the workbook has the name."""
    agreed_reasons: list | None = None
    """Agreed_Reasons as entered, shaped alike."""
    prices: PriceFilling | None = None
    approvals: ApprovalFilling | None = None
    """The Approvals sheet (None: a workbook made before it)."""
    partner_type: str = "CDMO"
    """The workbook's partner type (Weight_Profile): CRO requires the Clinical operations approval."""
    """The Prices sheet's inputs (quotes by row of Vendor_Names), when the workbook has one."""
    groups: GroupFilling | None = None
    """Weigh by, the Group column and the groups table, when the workbook has them."""
    weights_all: list = field(default_factory=list)
    """Every cell of Weights, as entered."""
    filling: Filling | None = None
    """The workbook's input cells as one `Filling`: what `results.compute` computes."""

    @cached_property
    def due_diligence_cells(self) -> dict[str, list] | None:
        """The scored vendors' DD_ cells and the supply's criticality as entered (`diligence.columns`)."""
        return None if self.due_diligence_read is None else self.due_diligence_read()

    @cached_property
    def due_diligence(self):
        """The scored vendors' DD_ columns and the supply's criticality (`diligence.as_frame`, a DataFrame
        indexed by vendor), None for a workbook without them; `evaluation_date` the Program sheet's."""
        from .diligence import as_frame

        return as_frame(self.due_diligence_cells, self.vendors)

    @property
    def uses_ahp(self) -> bool:
        """Use AHP weights is Yes (exactly as the workbook reads it)."""
        return choice_value(self.use_ahp) == "yes"

    @property
    def ahp_by_group(self) -> bool:
        """Use AHP weights is Yes and Weigh by is Group: AHP per level (groups, then within each group)."""
        return self.uses_ahp and self.groups is not None and choice_value(self.groups.mode) == "group"

    @property
    def weighs_by_group(self) -> bool:
        """Weigh by is Group and Use AHP weights is not Yes: the weights used are group x within group."""
        return self.groups is not None and choice_value(self.groups.mode) == "group" and not self.uses_ahp

    def consensus(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(consensus, spread, count) over every vendor row and criteria cell (see `team`)."""
        return self.team.statistics(len(self.vendor_cells), len(self.criteria_cells))

    def list_cell(self, name: str, index: int) -> str:
        """Address of item `index` of a one-row or one-column named range."""
        area = self.areas[name]
        return area.address(index, 0) if area.rows >= area.cols else area.address(0, index)

