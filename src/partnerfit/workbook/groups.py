"""The criteria groups of the Criteria sheet whole: names, formulas, values, writing, reading, problems.

Every criterion has a Group (`Criteria_Groups`, defaults from the catalogue, `criteria.Group`);
the groups table lists the groups and their weights (`Group_Names`, `Group_Weights`). With
Weigh by = Group (`Weight_Mode`) the Weight column holds each criterion's weight within its
group, and the weight used is the group's share x the criterion's share of its group
(`groups.compose_weights`); with Criterion (the default) the Weight column
is used as it is. Use AHP weights = Yes takes precedence over both.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..cells import excel_text, excel_trim, is_blank, is_number
from ..criteria import CRITERIA, Group
from ..errors import PartnerfitError, show
from .layout import (
    _C_TABLE,
    _C_USE_AHP,
    CALC,
    CHECK_OK,
    CRITERIA_SHEET,
    FORMULA,
    GROUP_INPUT_NAMES,
    Area,
    _calc_columns,
    cell_ref,
    quote,
)

GROUP_ROWS = 8
"""Rows of the groups table: the catalogue's five groups and room for three of the user's own."""
WEIGH_BY = ("Criterion", "Group")
GROUP_COLUMN = 9
"""Criteria sheet: the Group column of the criteria table (right of "Why this default weight")."""
TABLE_COLUMN = 11
"""Criteria sheet: first column of the groups table (Group, Group weight, Group share)."""
GROUP_MODE = "Weigh by must be Criterion or Group"
GROUP_TWICE = "Group {} is listed twice in the groups table: list each group once"
GROUP_WEIGHT = "Group weight of {} must be a number, 0 or more"
GROUP_UNKNOWN = "The group of {} is not in the groups table: type one of the groups listed, or add it to the table"
GROUP_TOTAL = "The group weights add up to 0: give at least one group a weight above 0"
GROUP_EMPTY = ("Group {} weighs more than 0 but its criteria weigh 0 (or it has none): give one of its "
               "criteria a weight, or the group the weight 0")
CHECK_GROUPS = "Weigh by is Group, but the groups table has a problem (see Groups check)"
"""Group_Check's messages (each names the group or criterion) and Criteria_Check's."""


@dataclass(frozen=True)
class GroupFilling:
    """What a user types about groups (None = blank): Weigh by, each criterion's group, the table."""

    mode: object = WEIGH_BY[0]
    of: tuple = ()
    names: tuple = ()
    weights: tuple = ()
    judgements: tuple | None = None
    """The groups compared (`AHP_Group_Judgements`, GROUP_ROWS square, rows and columns in the
    order of the groups table; only the cells above the diagonal are read; default: all 1)."""

    def __post_init__(self):
        for name in ("of", "names", "weights"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        cells = self.judgements if self.judgements is not None else ((1.0,) * GROUP_ROWS,) * GROUP_ROWS
        cells = tuple(tuple(row) for row in cells)
        if len(cells) != GROUP_ROWS or any(len(row) != GROUP_ROWS for row in cells):
            raise PartnerfitError(f"the groups' AHP judgements must be {GROUP_ROWS} x {GROUP_ROWS}")
        object.__setattr__(self, "judgements", cells)


def default_groups(criteria, weights) -> GroupFilling:
    """Groups from the catalogue: each criterion's group (blank for one not in the catalogue), the
    five groups, each weighing the sum of its criteria's weights (so that the weights used stay the
    profile's when Weigh by is Group)."""
    catalogue = {c.name.lower(): c.group.label for c in CRITERIA.values()}
    of = tuple(catalogue.get(str(c).strip().lower()) for c in criteria)
    labels = [g.label for g in Group]
    sums = [sum(float(w) for g, w in zip(of, weights) if g == label and is_number(w)) for label in labels]
    pad = GROUP_ROWS - len(labels)
    return GroupFilling(WEIGH_BY[0], of, (*labels, *(None,) * pad), (*sums, *(None,) * pad))


def group_filling(values) -> dict:
    """`Filling.from_names`' argument `groups` from the cells of the input names, when the workbook
    has them (else the catalogue's defaults)."""
    if not all(name in values for name in GROUP_INPUT_NAMES):
        return {}
    return {"groups": GroupFilling(values["Weight_Mode"][0][0], (r[0] for r in values["Criteria_Groups"]),
                                   (r[0] for r in values["Group_Names"]), (r[0] for r in values["Group_Weights"]),
                                   _judgements(values.get("AHP_Group_Judgements")))}


def _judgements(block):
    """The groups' judgement block when it has the expected shape (else None: the default)."""
    if block is not None and len(block) == GROUP_ROWS and all(len(r) == GROUP_ROWS for r in block):
        return tuple(tuple(r) for r in block)
    return None


def layout_part(m: int) -> dict[str, Area]:
    """The names of the groups for `m` criteria."""
    c0 = _C_TABLE + 1
    below = _calc_columns(m)[0]
    return {
        "Group_Check": Area(CRITERIA_SHEET, _C_USE_AHP - 1, TABLE_COLUMN + 1, role=FORMULA),
        "Weight_Mode": Area(CRITERIA_SHEET, _C_USE_AHP, TABLE_COLUMN + 1),
        "Criteria_Groups": Area(CRITERIA_SHEET, c0, GROUP_COLUMN, m),
        "Group_Names": Area(CRITERIA_SHEET, c0, TABLE_COLUMN, GROUP_ROWS),
        "Group_Weights": Area(CRITERIA_SHEET, c0, TABLE_COLUMN + 1, GROUP_ROWS),
        "Group_Shares": Area(CRITERIA_SHEET, c0, TABLE_COLUMN + 2, GROUP_ROWS, role=FORMULA),
        "Calc_By_Group": Area(CALC, 2, 9, role=FORMULA),
        "Calc_Group_Bad": Area(CALC, 1, below, 1, GROUP_ROWS, FORMULA),
        "Calc_Group_Empty": Area(CALC, 1, below + GROUP_ROWS, 1, GROUP_ROWS, FORMULA),
        "Calc_Group_Twice": Area(CALC, 2, below, 1, GROUP_ROWS, FORMULA),
        "Calc_Group_At": Area(CALC, 3, below, 1, m, FORMULA),
        "Calc_Group_Sums": Area(CALC, 4, below, 1, GROUP_ROWS, FORMULA),
    }


# --------------------------------------------------------------------------- formulas


def _key(x: str) -> str:
    """A group name as the formulas compare it (`choice_value`)."""
    return f'LOWER(TRIM(CLEAN({x}&"")))'


def formulas_part(names: dict[str, Area]):
    """Formula text of the groups' formula names: name -> f(i, j)."""
    g = names["Group_Names"]
    listed = f'(LEN({_key("Group_Names")})>0)'
    position = f"(ROW(Group_Names)-{g.row})"

    def number(x):
        return f"AND(ISNUMBER({x}),NOT(ISLOGICAL({x})))"

    def name(k):
        return f"INDEX(Group_Names,{k + 1})"

    def weight(k):
        return f"INDEX(Group_Weights,{k + 1})"

    def matches(x):
        return f"{listed}*({_key('Group_Names')}={_key(x)})"

    def upto(j):  # the groups table down to row j
        return f"{quote(g.sheet)}!{cell_ref(g.row, g.col)}:{cell_ref(g.row + j, g.col)}"

    def first(row):  # the first TRUE of a Calc row, 0 for none
        return f"IFERROR(MATCH(TRUE,{row},0),0)"

    def message(text, names_, k):  # text with {} for INDEX(names_, k)
        before, after = text.split("{}")
        return f'"{before}"&INDEX({names_},{k})&"{after}"'

    def at(j):
        x = f"INDEX(Criteria_Groups,{j + 1})"
        return f"=IF(SUMPRODUCT({matches(x)})=1,SUMPRODUCT({matches(x)}*{position}),0)"

    def check(i, j):
        twice, bad, empty = (first(f"Calc_Group_{x}") for x in ("Twice", "Bad", "Empty"))
        unknown = "IFERROR(MATCH(0,Calc_Group_At,0),0)"
        mode = _key("Weight_Mode")
        return (
            f'=IF(NOT(OR({mode}="",{mode}="criterion",{mode}="group")),"{GROUP_MODE}",'
            f'IF({twice}>0,{message(GROUP_TWICE, "Group_Names", twice)},'
            f'IF({bad}>0,{message(GROUP_WEIGHT, "Group_Names", bad)},'
            f'IF({unknown}>0,{message(GROUP_UNKNOWN, "Criteria_Names", unknown)},'
            f'IF(NOT(SUMPRODUCT(--{listed},Group_Weights)>0),"{GROUP_TOTAL}",'
            f'IF({empty}>0,{message(GROUP_EMPTY, "Group_Names", empty)},"{CHECK_OK}"))))))'
        )

    return {
        "Group_Check": check,
        "Group_Shares": lambda i, j: (
            f'=IF(AND(Group_Check="{CHECK_OK}",LEN({_key(name(i))})>0),'
            f'IF({number(weight(i))},{weight(i)},0)/SUMPRODUCT(--{listed},Group_Weights),"")'
        ),
        "Calc_By_Group": lambda i, j: f'={_key("Weight_Mode")}="group"',
        "Calc_Group_Bad": lambda i, j: (
            f'=AND(LEN({_key(name(j))})>0,{weight(j)}<>"",NOT(AND({number(weight(j))},{weight(j)}>=0)))'
        ),
        "Calc_Group_Twice": lambda i, j: (
            f"=AND(LEN({_key(name(j))})>0,SUMPRODUCT(--({_key(upto(j))}={_key(name(j))}))>1)"
        ),
        "Calc_Group_At": lambda i, j: at(j),
        "Calc_Group_Empty": lambda i, j: (
            f"=AND(LEN({_key(name(j))})>0,INDEX(Calc_Group_Sums,{j + 1})=0,{number(weight(j))},{weight(j)}>0)"
        ),
        "Calc_Group_Sums": lambda i, j: (
            f"=IF(LEN({_key(name(j))})>0,SUMPRODUCT(--({_key('Criteria_Groups')}={_key(name(j))}),Weights),0)"
        ),
    }


def effective_formula(i: int, typed: str, number) -> str:
    """Effective_Weights' value for criterion i (no leading =) when Use AHP weights is No:
    by group, its group's share x its weight / its group's criteria's weights; else as typed."""
    at = f"INDEX(Calc_Group_At,{i + 1})"
    sums = f"INDEX(Calc_Group_Sums,{at})"
    grouped = (f'IF(Group_Check="{CHECK_OK}",IF({number(typed)},IF({sums}>0,'
               f'INDEX(Group_Shares,{at})*{typed}/{sums},0),""),"")')
    return f'IF(Calc_By_Group,{grouped},IF({number(typed)},{typed},""))'


# --------------------------------------------------------------------------- values


def _key_value(x) -> str:
    return excel_trim(excel_text(x)).lower()


@dataclass
class GroupRead:
    """The groups as the formulas read them, and the weights they compose."""

    by_group: bool
    mode_ok: bool
    bad: list[bool]
    empty: list[bool]
    twice: list[bool]
    at: list[int]
    sums: list[float]
    check: str
    where: tuple[str, int] | None
    """(name, offset) of the cell the check is about, None when OK."""
    shares: list = field(default_factory=list)
    weights: list | None = None
    """Per criterion, the weight used by group when OK: its group's share x its weight / its
    group's criteria's weights, as `groups.compose_weights` composes them ("" for a weight that
    is not a number)."""


def read_groups(g: GroupFilling, criteria, weights) -> GroupRead:
    """Read the groups of a filling (`g`) as the workbook's formulas do, and the weights they compose."""
    mode = _key_value(g.mode)
    keys = [_key_value(x) for x in g.names]
    typed = [float(w) if is_number(w) else 0.0 for w in weights]
    bad = [k != "" and not is_blank(w) and not (is_number(w) and w >= 0) for k, w in zip(keys, g.weights)]
    twice = [k != "" and keys[:i + 1].count(k) > 1 for i, k in enumerate(keys)]
    at = []
    for x in g.of:
        found = [k + 1 for k, key in enumerate(keys) if key and key == _key_value(x)]
        at.append(found[0] if len(found) == 1 else 0)
    of = [_key_value(x) for x in g.of]
    sums = [sum(w for x, w in zip(of, typed) if k and x == k) for k in keys]
    gw = [float(w) if is_number(w) and k else 0.0 for k, w in zip(keys, g.weights)]
    empty = [bool(k) and s == 0 and is_number(w) and w > 0 for k, s, w in zip(keys, sums, g.weights)]
    where = None
    if mode not in ("", "criterion", "group"):
        check, where = GROUP_MODE, ("Weight_Mode", 0)
    elif any(twice):
        k = twice.index(True)
        check, where = GROUP_TWICE.format(excel_text(g.names[k])), ("Group_Names", k)
    elif any(bad):
        k = bad.index(True)
        check, where = GROUP_WEIGHT.format(excel_text(g.names[k])), ("Group_Weights", k)
    elif 0 in at:
        k = at.index(0)
        check, where = GROUP_UNKNOWN.format(excel_text(criteria[k])), ("Criteria_Groups", k)
    elif not sum(gw) > 0:
        check, where = GROUP_TOTAL, ("Group_Weights", 0)
    elif any(empty):
        k = empty.index(True)
        check, where = GROUP_EMPTY.format(excel_text(g.names[k])), ("Group_Names", k)
    else:
        check = CHECK_OK
    read = GroupRead(mode == "group", where is None or where[0] != "Weight_Mode", bad, empty, twice, at, sums, check, where)
    if check != CHECK_OK:
        read.shares = [""] * len(keys)
        return read
    total = sum(gw)
    read.shares = [w / total if k else "" for k, w in zip(keys, gw)]
    read.weights = [(read.shares[a - 1] * x / sums[a - 1] if sums[a - 1] > 0 else 0.0) if is_number(w) else ""
                    for a, x, w in zip(at, typed, weights)]
    return read


def values_part(read: GroupRead) -> dict[str, list[list]]:
    """The values of the groups' formula names."""
    return {
        "Group_Check": [[read.check]],
        "Group_Shares": [[x] for x in read.shares],
        "Calc_By_Group": [[read.by_group]],
        "Calc_Group_Bad": [read.bad],
        "Calc_Group_Empty": [read.empty],
        "Calc_Group_Twice": [read.twice],
        "Calc_Group_At": [read.at],
        "Calc_Group_Sums": [read.sums],
    }


# --------------------------------------------------------------------------- writing


def write_part(w) -> None:
    """The Group column, Weigh by, Groups check and the groups table on the Criteria sheet."""
    ws, f = w.ws[CRITERIA_SHEET], w.f
    ws.set_column(GROUP_COLUMN, GROUP_COLUMN, 24)
    ws.set_column(TABLE_COLUMN, TABLE_COLUMN, 28)
    ws.set_column(TABLE_COLUMN + 1, TABLE_COLUMN + 2, 13)
    ws.write_string(_C_TABLE, GROUP_COLUMN, "Group", w.style("header"))
    for col, text in enumerate(("Group", "Group weight", "Group share")):
        ws.write_string(_C_TABLE, TABLE_COLUMN + col, text, w.style("header"))
    ws.write_string(_C_USE_AHP - 1, TABLE_COLUMN, "Groups check", w.style("label"))
    ws.write_string(_C_USE_AHP, TABLE_COLUMN, "Weigh by", w.style("label"))
    ws.write_string(1, TABLE_COLUMN, "Criterion: the Weight column as it is. Group: the Weight "
                    "column within each group; weight used = group share x share within the group.",
                    w.style("note"))
    w.fill("Weight_Mode", [[f.groups.mode]], w.style("input", "left"))
    mode = w.names["Weight_Mode"]
    ws.data_validation(mode.row, mode.col, mode.row, mode.col, {
        "validate": "list", "source": list(WEIGH_BY), "error_type": "stop",
        "input_title": "Weigh by", "input_message": "Criterion: the Weight column. Group: group x within group.",
        "error_title": "Criterion or Group", "error_message": "Choose Criterion or Group.",
    })
    w.formula("Group_Check", w.style("computed", "bold"))
    check = w.names["Group_Check"]
    cell = cell_ref(check.row, check.col)
    for criteria, style in (("==", "good"), ("!=", "bad")):
        ws.conditional_format(cell, {"type": "cell", "criteria": criteria, "value": f'"{CHECK_OK}"',
                                     "format": w.style(style)})
    w.fill("Criteria_Groups", [[x] for x in f.groups.of], w.style("input"))
    groups = w.names["Criteria_Groups"]
    listed = w.names["Group_Names"]
    ws.data_validation(groups.row, groups.col, groups.row + groups.rows - 1, groups.col, {
        "validate": "list", "source": "=" + listed.ref, "error_type": "warning",
        "input_title": "Group", "input_message": "One of the groups of the groups table.",
        "error_title": "Not a listed group", "error_message": "Add the group to the groups table first.",
    })
    w.fill("Group_Names", [[x] for x in f.groups.names], w.style("input"))
    w.fill("Group_Weights", [[x] for x in f.groups.weights], w.style("input", "center"))
    weights = w.names["Group_Weights"]
    ws.data_validation(weights.row, weights.col, weights.row + weights.rows - 1, weights.col, {
        "validate": "decimal", "criteria": ">=", "value": 0,
        "input_title": "Group weight", "input_message": "0 or more; any total (only the proportions count).",
        "error_title": "Not a weight", "error_message": "Enter a number, 0 or more.",
    })
    w.formula("Group_Shares", w.style("computed", "share", "center"))


# --------------------------------------------------------------------------- reading and problems


def group_weights(inputs, weights_all) -> tuple[list[float] | None, str | None, str | None]:
    """(the weights used by group over every criteria cell, the cell of a problem, the problem):
    (None, None, None) when Weigh by is not Group (or the workbook has no groups)."""
    g = inputs.groups
    if g is None:
        return None, None, None
    if len(g.of) != len(weights_all):
        raise PartnerfitError(f"Criteria_Groups covers {len(g.of)} cells for {len(weights_all)} criteria cells; "
                              "they must be the same length")
    read = read_groups(g, inputs.criteria_cells, weights_all)
    if not read.mode_ok:
        return None, inputs.areas["Weight_Mode"].address(), f"weigh by is {show(g.mode)}; choose Criterion or Group"
    if not read.by_group:
        return None, None, None
    if read.check != CHECK_OK:
        name, k = read.where
        area = inputs.areas[name]
        return None, area.address(k) if area.rows > 1 or k == 0 else area.address(0, k), read.check
    return [x if x != "" else 0.0 for x in read.weights], None, None


def technical_groups(g: GroupFilling, criteria, j: int, weights) -> GroupFilling:
    """The groups of a technical copy whose price criterion `j` weighs 0: a group left without a
    criterion of positive weight weighs 0 too (else its group share would have nothing to go to)."""
    read = read_groups(g, criteria, weights)
    at = read.at[j] if j < len(read.at) else 0
    if not at or read.sums[at - 1] > 0:
        return g
    group_weights = list(g.weights)
    group_weights[at - 1] = 0.0
    return replace(g, weights=tuple(group_weights))
