"""AHP per level on the Weights (AHP) sheet: with Weigh by = Group, the groups compared in one
matrix (`AHP_Group_Judgements`, rows and columns in the order of the groups table) and the
criteria compared within each group (the cells of `AHP_Judgements` that pair two criteria of
one group; the others are not read). Global weight = group weight x local weight, as
`groups.ahp_hierarchy` composes them.

The native formulas reuse the criteria matrix's squaring chain with a same-group mask
(`Calc_AHP_Same`): every step renormalises each group's block to sum 1, so the row sums of the
last step are the local weights; the groups run a second chain of their own. Each level has its
lambda max, CI, CR and the judgement to revisit (`AHP_Level_*`, one row for the groups, then one
per row of the groups table). Without groups the mask is all ones and the chain is the plain one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..ahp import CR_THRESHOLD, RANDOM_INDEX, AHPResult
from ..cells import read_judgement
from ..errors import PartnerfitError
from ..groups import AHPHierarchy, ahp_hierarchy
from .groups import GROUP_ROWS, GroupRead
from .layout import (
    _A_HEAD,
    _K_HEAD,
    ADDIN,
    AHP_SHEET,
    AHP_STEPS,
    CALC,
    CHECK_OK,
    FORMULA,
    GROUP_CHAIN,
    JUDGEMENT_RANGE,
    MAX_AHP_CRITERIA,
    Area,
    _calc_columns,
    cell_ref,
    quote,
)
from .stakeholders import BLOCK_NAMES, TEXT_NAMES
from .stakeholders import calc_rows as team_rows
from .stakeholders import layout_part as team_layout
from .stakeholders import write_part as write_team

G = GROUP_ROWS
LEVELS = 1 + G
"""Rows of the levels table: the groups, then one per row of the groups table."""
LEVEL_COLUMNS = ("AHP_Level_Names", "AHP_Level_Sizes", "AHP_Level_Lambda_Max", "AHP_Level_CI", "AHP_Level_CR",
                 "AHP_Level_Revisit")
LEVEL_HEADERS = ("Level", "Compared", "Lambda max", "CI", "CR", "Revisit")

LEVELS_GROUPS = "Weigh by is Group, but the groups table has a problem (see Groups check on the Criteria sheet)"
LEVELS_TOO_MANY = f"AHP compares at most {MAX_AHP_CRITERIA} criteria in a group"
LEVELS_INCOMPLETE = ("Weigh by is Group: fill the groups' matrix and, in each group, every cell above the diagonal "
                     "that compares two of its criteria, with a judgement from 1/9 to 9 such as 3 or 1/3")
"""AHP_Check with Weigh by = Group, before the judgements give weights."""
BLANKS_NOTE = ("Blank judgements: the add-in completes them as Bozoki, Fulop and Ronyai (2010), the values that "
               "minimise lambda max (with Weigh by = Group per level: within each group and between the groups), "
               "and the full matrices show them; partnerfit score -o and share write them into the file. Without "
               "the add-in, fill every cell above the diagonal. If the judgements do not connect every criterion "
               "(or group) of a level, the add-in's first cell names those left out.")
JUDGEMENT_TEXTS = {"Calc_AHP_Text": "AHP_Judgements", "Calc_AHP_Group_Text": "AHP_Group_Judgements",
                   **dict(zip(TEXT_NAMES, BLOCK_NAMES))}
"""Calc text block -> the judgement block it cleans once (`cells.judgement_text`) for its reader."""
TIE = 1e-9
"""Errors |ln(a_ij w_j / w_i)| this close count as equal: the pair to revisit is the first such in
reading order (the engine's argmax may pick another of pairs equal but for rounding)."""
_RI = "{" + ",".join(f"{x:g}" for x in RANDOM_INDEX) + "}"


def positions(m: int) -> dict[str, int]:
    """Rows and columns (0-based) of the level blocks for `m` criteria."""
    full = _A_HEAD + 1 + m + 2  # Weights (AHP): the criteria's full matrix
    gj = full + m + 3           # the groups' judgements (title and header above)
    gf = gj + G + 3             # the groups' full matrix
    lv = gf + G + 3             # the levels table
    ahp = _calc_columns(m)[3]

    def block(t):
        return _K_HEAD + 1 + t * (m + 1)

    return {"full": full, "gj": gj, "gf": gf, "lv": lv, "ahp": ahp, "same": block(AHP_STEPS + 4),
            "sums": block(AHP_STEPS + 5), "rows": block(AHP_STEPS + 2), "chain": block(AHP_STEPS + 6)}


def addin_rows(m: int) -> int:
    """Rows of Addin_AHP's spill: the weights, five lines (per level: three, plus two) and a line per
    blank completed (with groups also between the groups)."""
    levels = 1 + min(G, m)
    return m + max(5, 3 * levels + 2 + G * (G - 1) // 2) + m * (m - 1) // 2


def completed_group_label(i: int, j: int) -> str:
    """AHP_WEIGHTS's label of the completed value of the groups' row i, column j (0-based)."""
    return f"Completed group row {i + 1} col {j + 1}"


def completed_label(i: int, j: int) -> str:
    """AHP_WEIGHTS's label of the completed value of row i, column j (0-based)."""
    return f"Completed row {i + 1} col {j + 1}"


def layout_part(m: int) -> dict[str, Area]:
    """The names of the AHP per level for `m` criteria."""
    p = positions(m)
    ahp, c0 = p["ahp"], p["chain"]

    def calc(t):  # Calc: the t-th block of the groups' chain
        return c0 + t * (G + 1)

    tail = calc(AHP_STEPS + 3)
    texts = tail + G + 5 + team_rows(m)  # below the stakeholders' blocks
    return {
        "AHP_Local_Weights": Area(AHP_SHEET, p["full"], m + 2, m, role=FORMULA),
        "Addin_AHP": Area(AHP_SHEET, p["full"], max(m + 4, G + 3), addin_rows(m), 2, ADDIN),
        "AHP_Group_Row_Names": Area(AHP_SHEET, p["gj"], 0, G, role=FORMULA),
        "AHP_Group_Column_Names": Area(AHP_SHEET, p["gj"] - 1, 1, 1, G, FORMULA),
        "AHP_Group_Judgements": Area(AHP_SHEET, p["gj"], 1, G, G),
        "AHP_Group_Matrix_Rows": Area(AHP_SHEET, p["gf"], 0, G, role=FORMULA),
        "AHP_Group_Matrix_Columns": Area(AHP_SHEET, p["gf"] - 1, 1, 1, G, FORMULA),
        "AHP_Group_Matrix": Area(AHP_SHEET, p["gf"], 1, G, G, FORMULA),
        "AHP_Group_Weights": Area(AHP_SHEET, p["gf"], G + 1, G, role=FORMULA),
        **{name: Area(AHP_SHEET, p["lv"], k, LEVELS, role=FORMULA) for k, name in enumerate(LEVEL_COLUMNS)},
        "Calc_AHP_Row_Group": Area(CALC, p["rows"], ahp + m + 1, m, role=FORMULA),
        "Calc_AHP_Same": Area(CALC, p["same"], ahp, m, m, FORMULA),
        "Calc_AHP_Row_Sums": Area(CALC, p["sums"], ahp, 1, m, FORMULA),
        "Calc_AHP_Col_Terms": Area(CALC, p["sums"] + 1, ahp, 1, m, FORMULA),
        "Calc_AHP_Group_Parsed": Area(CALC, calc(0), ahp, G, G, FORMULA),
        **{name: Area(CALC, calc(1 + t), ahp, G, G, FORMULA) for t, name in enumerate(GROUP_CHAIN)},
        "Calc_AHP_Group_Errors": Area(CALC, calc(AHP_STEPS + 2), ahp, G, G, FORMULA),
        "Calc_AHP_Group_Row_Max": Area(CALC, calc(AHP_STEPS + 2), ahp + G, G, role=FORMULA),
        "Calc_AHP_Group_Worst": Area(CALC, tail, ahp, 1, 2, FORMULA),
        "Calc_AHP_Group_OK": Area(CALC, tail, ahp + 2, role=FORMULA),
        "Calc_AHP_Level_First": Area(CALC, tail, ahp + 3, role=FORMULA),
        "Calc_AHP_Level_Top": Area(CALC, tail, ahp + 4, role=FORMULA),
        "Calc_AHP_Group_Size": Area(CALC, tail + 1, ahp, 1, G, FORMULA),
        "Calc_AHP_Group_Col_Terms": Area(CALC, tail + 2, ahp, 1, G, FORMULA),
        "Calc_AHP_Level_Worst": Area(CALC, tail + 3, ahp, G, 2, FORMULA),
        **team_layout(m, p["lv"] + LEVELS + 1, tail + G + 5, ahp, max(m + 4, G + 3) + 3),
        "Calc_AHP_Text": Area(CALC, texts, ahp, m, m, FORMULA),
        "Calc_AHP_Group_Text": Area(CALC, texts + m + 1, ahp, G, G, FORMULA),
    }


# --------------------------------------------------------------------------- formulas


def formulas_part(names: dict[str, Area], judgement):
    """Formula text of the level names: name -> f(i, j); `judgement(name, i, j)` is the formula
    (no =) reading cell (i, j) of the Calc text block `name` as Calc_AHP_Parsed does."""
    a = names
    m = a["Criteria_Names"].rows
    last = a[f"Calc_AHP_Step_{AHP_STEPS}"]
    glast, gfull, gparsed = a[GROUP_CHAIN[-1]], a["AHP_Group_Matrix"], a["Calc_AHP_Group_Parsed"]
    gerrors, gweights = a["Calc_AHP_Group_Errors"], a["AHP_Group_Weights"]
    lo, hi = JUDGEMENT_RANGE

    def at(area, i, j):
        return f"{quote(area.sheet)}!{cell_ref(area.row + i, area.col + j)}"

    def row_of(area, i, cols):
        return f"{at(area, i, 0)}:{cell_ref(area.row + i, area.col + cols - 1)}"

    def col_of(area, j, rows):
        return f"{at(area, 0, j)}:{cell_ref(area.row + rows - 1, area.col + j)}"

    def size(k):
        return f"INDEX(Calc_AHP_Group_Size,{k + 1})"

    def group_matrix(i, j):
        both = f"AND({size(i)}>0,{size(j)}>0)"
        if i == j:
            return f'=IF({size(i)}>0,1,"")'
        if i > j:
            upper = at(gfull, j, i)
            return f'=IF(ISNUMBER({upper}),1/{upper},"")'
        p, typed = at(gparsed, i, j), at(a["AHP_Group_Judgements"], i, j)
        completed = f'IFERROR(VLOOKUP("{completed_group_label(i, j)}",Addin_AHP,2,FALSE)+0,"")'  # the add-in's
        return (f'=IF(AND({both},ISNUMBER({p})),IF(AND({p}>={lo:g},{p}<={hi:g}),{p},""),'
                f'IF(AND({both},LEN(TRIM(CLEAN({typed}&"")))=0),{completed},""))')

    def step(previous):
        p = previous.ref
        return lambda i, j: f"=IF({level_ok},MMULT({p},{p})/SUM(MMULT({p},{p})),0)"

    level_ok = "AND(Calc_By_Group,Calc_AHP_OK)"
    chain = {name: step(a["Calc_AHP_Group_Start"] if t == 0 else a[GROUP_CHAIN[t - 1]])
             for t, name in enumerate(GROUP_CHAIN) if t > 0}

    def level(column):  # a level's value: the groups (row 0) or group i
        def make(i, j):
            n = "COUNTIF(Calc_AHP_Group_Size,\">0\")" if i == 0 else size(i - 1)
            terms = ("SUM(Calc_AHP_Group_Col_Terms)" if i == 0
                     else f"SUMIF(Calc_Group_At,{i},Calc_AHP_Col_Terms)")
            lam, ci = at(a["AHP_Level_Lambda_Max"], i, 0), at(a["AHP_Level_CI"], i, 0)
            cr = at(a["AHP_Level_CR"], i, 0)
            shown = f"AND({level_ok},{n}>0)"
            if column == "AHP_Level_Names":
                return f'=IF({shown},"Groups","")' if i == 0 else f'=IF({shown},INDEX(Group_Names,{i})&"","")'
            if column == "AHP_Level_Sizes":
                return f'=IF({shown},{n},"")'
            if column == "AHP_Level_Lambda_Max":
                return f'=IF({shown},{terms},"")'
            if column == "AHP_Level_CI":
                return f'=IF({shown},IF({n}>1,MAX({lam}-{n},0)/({n}-1),0),"")'
            if column == "AHP_Level_CR":
                return f'=IF({shown},IF({n}>2,{ci}/INDEX({_RI},{n}),0),"")'
            worst = "Calc_AHP_Group_Worst" if i == 0 else None
            r = f"INDEX({worst},1)" if worst else f"INDEX(Calc_AHP_Level_Worst,{i},1)"
            c = f"INDEX({worst},2)" if worst else f"INDEX(Calc_AHP_Level_Worst,{i},2)"
            names_ = "Group_Names" if i == 0 else "Criteria_Names"
            return (f'=IF(AND({shown},N({cr})>{CR_THRESHOLD:g}),'
                    f'INDEX({names_},{r})&" vs "&INDEX({names_},{c}),"")')
        return make

    def near(values, top):  # the first of `values` within TIE of `top` (equal errors: rounding must not decide)
        return f"MATCH(1,({values}>={top}-{TIE:g})*1,0)"

    def level_worst(i, j):
        key = f'IF(Calc_AHP_Row_Group={i + 1},Calc_AHP_Row_Max,-2)'
        cr = at(a["AHP_Level_CR"], i + 1, 0)
        if j == 0:
            return f"=IF(N({cr})>{CR_THRESHOLD:g},{near(key, f'MAX({key})')},0)"
        r = at(a["Calc_AHP_Level_Worst"], i, 0)
        return f"=IF(N({cr})>{CR_THRESHOLD:g},{near(f'INDEX(Calc_AHP_Errors,{r},0)', f'INDEX(Calc_AHP_Row_Max,{r})')},0)"

    gworst_row = at(a["Calc_AHP_Group_Worst"], 0, 0)
    group_cr = at(a["AHP_Level_CR"], 0, 0)
    numeric = "IF(ISNUMBER(AHP_Group_Matrix),AHP_Group_Matrix,0)"
    return {
        "AHP_Local_Weights": lambda i, j: (
            f'=IF(Calc_AHP_OK,INDEX(Calc_AHP_Row_Sums,{i + 1})/IF(Calc_By_Group,'
            f'SUMIF(Calc_Group_At,INDEX(Calc_Group_At,{i + 1}),Calc_AHP_Row_Sums),SUM(Calc_AHP_Row_Sums)),"")'
        ),
        "AHP_Group_Row_Names": lambda i, j: f'=INDEX(Group_Names,{i + 1})&""',
        "AHP_Group_Column_Names": lambda i, j: f'=INDEX(Group_Names,{j + 1})&""',
        "AHP_Group_Matrix_Rows": lambda i, j: f'=INDEX(Group_Names,{i + 1})&""',
        "AHP_Group_Matrix_Columns": lambda i, j: f'=INDEX(Group_Names,{j + 1})&""',
        "AHP_Group_Matrix": group_matrix,
        "AHP_Group_Weights": lambda i, j: (
            f'=IF(AND({level_ok},{size(i)}>0),SUM({row_of(glast, i, G)})/SUM({glast.ref}),"")'
        ),
        **{name: level(name) for name in LEVEL_COLUMNS},
        "Calc_AHP_Row_Group": lambda i, j: f"=INDEX(Calc_Group_At,{i + 1})",
        "Calc_AHP_Same": lambda i, j: (
            f"=IF(Calc_By_Group,--(INDEX(Calc_Group_At,{i + 1})=INDEX(Calc_Group_At,{j + 1})),1)"
        ),
        "Calc_AHP_Row_Sums": lambda i, j: f'=IF(Calc_AHP_OK,SUM({row_of(last, j, m)}),"")',
        "Calc_AHP_Col_Terms": lambda i, j: (
            f'=IF(Calc_AHP_OK,INDEX(AHP_Local_Weights,{j + 1})*SUM({col_of(a["AHP_Matrix"], j, m)}),"")'
        ),
        "Calc_AHP_Group_Parsed": lambda i, j: '=""' if i >= j else "=" + judgement("Calc_AHP_Group_Text", i, j),
        "Calc_AHP_Group_Start": lambda i, j: f"=IF({level_ok},{numeric}/SUM({numeric}),0)",  # 0, not "": see
        # the chain's values
        **chain,
        "Calc_AHP_Group_Errors": lambda i, j: "=-1" if i >= j else (
            f"=IF(AND({level_ok},ISNUMBER({at(gfull, i, j)}),ISNUMBER({at(gparsed, i, j)})),"
            f"ABS(LN({at(gfull, i, j)}*{at(gweights, j, 0)}/{at(gweights, i, 0)})),-1)"
        ),
        "Calc_AHP_Group_Row_Max": lambda i, j: f"=MAX({row_of(gerrors, i, G)})",
        "Calc_AHP_Group_Worst": lambda i, j: (
            f"=IF(N({group_cr})>{CR_THRESHOLD:g},"
            + (near("Calc_AHP_Group_Row_Max", "MAX(Calc_AHP_Group_Row_Max)") if j == 0 else
               near(f"INDEX(Calc_AHP_Group_Errors,{gworst_row},0)", f"INDEX(Calc_AHP_Group_Row_Max,{gworst_row})"))
            + ",0)"
        ),
        "Calc_AHP_Group_OK": lambda i, j: '=COUNT(AHP_Group_Matrix)=COUNTIF(Calc_AHP_Group_Size,">0")^2',
        "Calc_AHP_Level_First": lambda i, j: (
            f"=IFERROR(MATCH(1,(IF(ISNUMBER(AHP_Level_CR),AHP_Level_CR,0)>{CR_THRESHOLD:g})*1,0),0)"
        ),
        "Calc_AHP_Level_Top": lambda i, j: (
            f"=IFERROR({near('IF(ISNUMBER(AHP_Level_CR),AHP_Level_CR,-1)', 'MAX(AHP_Level_CR)')},1)"
        ),
        "Calc_AHP_Group_Size": lambda i, j: f"=IF(Calc_By_Group,COUNTIF(Calc_Group_At,{j + 1}),0)",
        "Calc_AHP_Group_Col_Terms": lambda i, j: (
            f'=IF({level_ok},N(INDEX(AHP_Group_Weights,{j + 1}))*SUM({col_of(gfull, j, G)}),"")'
        ),
        "Calc_AHP_Level_Worst": level_worst,
    }


def ok_formula(m: int) -> str:
    """Calc_AHP_OK's condition (no =) with Weigh by = Group."""
    return (f'AND(Group_Check="{CHECK_OK}",MAX(Calc_AHP_Group_Size)<={MAX_AHP_CRITERIA},'
            "COUNT(AHP_Matrix)=SUMPRODUCT(Calc_AHP_Group_Size,Calc_AHP_Group_Size),Calc_AHP_Group_OK)")


def check_formula(consistent: str, inconsistent: str) -> str:
    """AHP_Check's value (no =) with Weigh by = Group."""
    return (f'IF(NOT(Calc_AHP_OK),IF(Group_Check<>"{CHECK_OK}","{LEVELS_GROUPS}",'
            f'IF(MAX(Calc_AHP_Group_Size)>{MAX_AHP_CRITERIA},"{LEVELS_TOO_MANY}","{LEVELS_INCOMPLETE}")),'
            f'IF(Calc_AHP_Level_First>0,"{inconsistent}"&INDEX(AHP_Level_Revisit,Calc_AHP_Level_First),'
            f'"{consistent}"))')


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class LevelRead:
    """The AHP per level as the formulas read it (the groups' block is read whatever Weigh by says)."""

    by_group: bool
    at: list[int]
    """Each criterion's row in the groups table (1-based; 0 not found)."""
    size: list[int]
    """Criteria per row of the groups table (all 0 unless Weigh by is Group)."""
    group_parsed: list[list]
    group_matrix: list[list]
    ok: bool
    """Weigh by is Group and every level is complete."""
    hierarchy: AHPHierarchy | None
    check: str
    """AHP_Check's message before consistency (LEVELS_*), "" when the judgements give weights."""

    @property
    def group_ok(self) -> bool:
        """Calc_AHP_Group_OK: every pair of groups with criteria is judged."""
        active = [k for k in range(G) if self.size[k]]
        return all(self.group_matrix[i][j] != "" for i in active for j in active)


def _read_block(cells, active: list[bool]) -> tuple[list[list], list[list]]:
    """(parsed, full reciprocal matrix) of a judgement block, "" where a cell is not read."""
    n = len(active)
    lo, hi = JUDGEMENT_RANGE
    parsed = [["" for _ in range(n)] for _ in range(n)]
    matrix = [[1.0 if i == j and active[i] else "" for j in range(n)] for i in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            value = read_judgement(cells[i][j]) if i < len(cells) and j < len(cells[i]) else None
            if value is not None:
                parsed[i][j] = value
                if active[i] and active[j] and lo <= value <= hi:
                    matrix[i][j], matrix[j][i] = value, 1 / value
    return parsed, matrix


def read_levels(matrix: list[list], group_cells, grouped: GroupRead, typed=None) -> LevelRead:
    """The levels of a criteria matrix already read (`results.read_ahp`: cross-group pairs "")
    and the groups' judgement block, weighed with `ahp_hierarchy` when every level is complete
    but for blank cells (of `typed`, the judgements read, and of the groups' block) that each
    level's judgements connect: the add-in's completions then fill `matrix`
    and the groups' full matrix, as the native cells read them."""
    m = len(matrix)
    at = list(grouped.at)
    size = [at.count(k + 1) if grouped.by_group else 0 for k in range(G)]
    group_parsed, group_matrix = _read_block(group_cells, [s > 0 for s in size])
    read = LevelRead(grouped.by_group, at, size, group_parsed, group_matrix, False, None, "")
    if not grouped.by_group:
        return read
    active = [k for k in range(G) if size[k]]
    pairs = [(i, j) for i in range(m) for j in range(i + 1, m) if at[i] == at[j] and matrix[i][j] == ""]
    group_pairs = [(i, j) for i in active for j in active if i < j and group_matrix[i][j] == ""]
    blanks = typed is not None and all(_blank_cell(typed, i, j) for i, j in pairs) and all(
        _blank_cell(group_cells, i, j) for i, j in group_pairs)
    if grouped.check != CHECK_OK:
        check = LEVELS_GROUPS
    elif max(size) > MAX_AHP_CRITERIA:
        check = LEVELS_TOO_MANY
    elif (pairs or group_pairs) and not blanks:
        check = LEVELS_INCOMPLETE
    else:
        check = ""
    hierarchy = None
    if not check:
        members = {str(k): [str(i) for i in range(m) if at[i] == k + 1] for k in active}
        top = [[group_matrix[i][j] if group_matrix[i][j] != "" else None for j in active] for i in active]
        within = {str(k): [[matrix[int(x)][int(y)] if matrix[int(x)][int(y)] != "" else None for y in members[str(k)]]
                           for x in members[str(k)]] for k in active if size[k] > 1}
        try:
            hierarchy = ahp_hierarchy(members, top, within)
        except PartnerfitError:  # a level not connected: the add-in's first cell says which
            check = LEVELS_INCOMPLETE
        else:
            for k, r in hierarchy.within.items():
                ks = [int(x) for x in members[k]]
                for x, y in zip(*np.nonzero(r.completed)):
                    matrix[ks[x]][ks[y]] = float(r.matrix[x, y])
            for x, y in zip(*np.nonzero(hierarchy.groups.completed)):
                group_matrix[active[x]][active[y]] = float(hierarchy.groups.matrix[x, y])
    return LevelRead(True, at, size, group_parsed, group_matrix, not check, hierarchy if not check else None, check)


def _blank_cell(cells, i: int, j: int) -> bool:
    """Cell (i, j) of a block as the formulas find it blank: LEN(TRIM(CLEAN(cell)))=0 (absent too)."""
    cell = cells[i][j] if i < len(cells) and j < len(cells[i]) else None
    return cell is None or isinstance(cell, str) and not "".join(ch for ch in cell if ord(ch) >= 32).strip(" ")


def chain_values(matrix: list[list], same: np.ndarray, ok: bool) -> dict[str, list[list]]:
    """Calc_AHP_Start .. Step_AHP_STEPS and the row sums of the last, each same-group block
    renormalised to sum 1 at every step ("" unless ok)."""
    m = len(matrix)
    if not ok:
        blank = [["" for _ in range(m)] for _ in range(m)]
        return {"Calc_AHP_Start": blank, **{f"Calc_AHP_Step_{k}": blank for k in range(1, AHP_STEPS + 1)},
                "Calc_AHP_Row_Sums": [[""] * m]}
    b = np.array([[v if v != "" else 0.0 for v in row] for row in matrix], dtype=float)
    out = {}
    for k in range(AHP_STEPS + 1):
        if k:
            b = b @ b
        b = b / (same @ b @ same + 1 - same)
        out["Calc_AHP_Start" if k == 0 else f"Calc_AHP_Step_{k}"] = b.tolist()
    out["Calc_AHP_Row_Sums"] = [b.sum(axis=1).tolist()]
    return out


def same_group(read: LevelRead) -> np.ndarray:
    """Calc_AHP_Same: 1 where two criteria share a group (everywhere without groups)."""
    m = len(read.at)
    return np.equal.outer(read.at, read.at).astype(float) if read.by_group else np.ones((m, m))


def values_part(read: LevelRead, ok: bool, matrix: list[list], local, group_names, criteria_names) -> dict:
    """The values of the level names, Calc_AHP_Same, the local weights and the column terms;
    `ok`: Calc_AHP_OK, `local`: the local weights when ok."""
    m = len(matrix)
    labels = [_text(x) for x in group_names]
    size = read.size
    levels = {name: [[""] for _ in range(LEVELS)] for name in LEVEL_COLUMNS}
    values = {
        "Calc_AHP_Same": same_group(read).tolist(),
        "Calc_AHP_Row_Group": [[x] for x in read.at],
        "AHP_Local_Weights": [[float(x)] for x in local] if ok else [[""] for _ in range(m)],
        "Calc_AHP_Col_Terms": ([[float(local[j]) * sum(row[j] for row in matrix if row[j] != "") for j in range(m)]]
                               if ok else [[""] * m]),
        "AHP_Group_Row_Names": [[x] for x in labels],
        "AHP_Group_Column_Names": [labels],
        "AHP_Group_Matrix_Rows": [[x] for x in labels],
        "AHP_Group_Matrix_Columns": [labels],
        "Calc_AHP_Group_Size": [list(size)],
        "Calc_AHP_Group_Parsed": read.group_parsed,
        "AHP_Group_Matrix": read.group_matrix,
        "Calc_AHP_Group_OK": [[read.group_ok]],
    }
    errors = [[-1.0] * G for _ in range(G)]
    worst, level_worst, first, top = [0, 0], [[0, 0] for _ in range(G)], 0, 1
    gweights, col_terms = [[""] for _ in range(G)], [[""] * G]
    # Unused, the groups' chain holds 0s: a text result in an array formula's other cells is saved by
    # LibreOffice as t="str" without a formula, which Excel never writes (the ooxml-check gate).
    values.update({name: [[0.0] * G for _ in range(G)] for name in GROUP_CHAIN})
    if read.ok and ok:
        h, gm = read.hierarchy, read.group_matrix
        active = [k for k in range(G) if size[k]]
        gw = [0.0] * G
        for k, w in zip(active, h.groups.weights.tolist()):
            gw[k] = w
        gweights = [[gw[k]] if size[k] else [""] for k in range(G)]
        col_terms = [[gw[j] * sum(row[j] for row in gm if row[j] != "") for j in range(G)]]
        b = np.array([[v if v != "" else 0.0 for v in row] for row in gm], dtype=float)
        for k, name in enumerate(GROUP_CHAIN):
            if k:
                b = b @ b
            b = b / b.sum()
            values[name] = b.tolist()
        for i in active:
            for j in active:
                if i < j:
                    errors[i][j] = float(abs(math.log(gm[i][j] * gw[j] / gw[i])))
        rows = [(h.groups, active, labels)] + [
            (h.within[str(k)], [i for i in range(m) if read.at[i] == k + 1], [_text(x) for x in criteria_names])
            if size[k] else (None, [], []) for k in range(G)]
        crs = []
        for row, (r, members, names) in enumerate(rows):
            if r is None:
                crs.append(None)
                continue
            revisit = ""
            if not r.consistent:
                i, j = worst_pair(level_errors(r, members, gm if row == 0 else matrix))
                pair = [members[i] + 1, members[j] + 1]
                if row == 0:
                    worst = pair
                else:
                    level_worst[row - 1] = pair
                revisit = f"{names[members[i]]} vs {names[members[j]]}"
            label = "Groups" if row == 0 else labels[row - 1]
            for name, value in zip(LEVEL_COLUMNS, (label, len(members), float(r.lambda_max), float(r.ci),
                                                   float(r.cr), revisit)):
                levels[name][row] = [value]
            crs.append(float(r.cr))
        first = next((k + 1 for k, cr in enumerate(crs) if cr is not None and cr > CR_THRESHOLD), 0)
        highest = max(cr for cr in crs if cr is not None)
        top = next(k for k, cr in enumerate(crs) if cr is not None and cr >= highest - TIE) + 1
    values.update({
        "AHP_Group_Weights": gweights,
        "Calc_AHP_Group_Col_Terms": col_terms,
        "Calc_AHP_Group_Errors": errors,
        "Calc_AHP_Group_Row_Max": [[max(row)] for row in errors],
        "Calc_AHP_Group_Worst": [worst],
        "Calc_AHP_Level_Worst": level_worst,
        "Calc_AHP_Level_First": [[first]],
        "Calc_AHP_Level_Top": [[top]],
        **levels,
    })
    return values


def level_errors(r: AHPResult, members: list[int], matrix: list[list]) -> np.ndarray:
    """|ln(a_ij w_j / w_i)| of one level's judgements given above the diagonal (-1 elsewhere), with the
    cells of `matrix` (the level's members' rows and columns) as the formulas read them."""
    a = np.array([[matrix[x][y] for y in members] for x in members], dtype=float)
    w = r.weights
    errors = np.abs(np.log(a * w[None, :] / w[:, None]))
    errors[np.tril_indices(len(members))] = -1.0
    errors[r.completed] = -1.0  # a completed value is never revisited
    return errors


def worst_pair(errors: np.ndarray) -> tuple[int, int]:
    """0-based (row, column) of the pair to revisit, as the formulas find it: the first row whose
    largest error is within TIE of the largest, then that row's first error within TIE of its largest."""
    rows = errors.max(axis=1)
    i = int(np.flatnonzero(rows >= rows.max() - TIE)[0])
    return i, int(np.flatnonzero(errors[i] >= rows[i] - TIE)[0])


def _text(x) -> str:
    """A cell as `&""` shows it (a whole number without decimals)."""
    if x is None or x == "":
        return ""
    if isinstance(x, float):
        return str(int(x)) if x == int(x) else f"{x:.15g}"
    return str(x)


# --------------------------------------------------------------------------- writing


def write_part(w) -> None:
    """The groups' judgements, their full matrix and weights, the local weights and the levels
    table on the Weights (AHP) sheet."""
    ws, f, m = w.ws[AHP_SHEET], w.f, w.m
    names = w.names
    header, label, section = w.style("header"), w.style("computed", "bold"), w.style("section")
    ws.set_column(m + 2, max(m + 2, G + 1), 11)
    ws.write_string(names["AHP_Local_Weights"].row - 1, m + 2, "Within its group", header)
    w.formula("AHP_Local_Weights", w.style("computed", "share", "center"))
    addin = names["Addin_AHP"]
    ws.set_column(addin.col, addin.col, 26)
    ws.set_column(addin.col + 1, addin.col + 1, 12)
    ws.write_string(addin.row - 2, addin.col, "Add-in cross-check: AHP_WEIGHTS (with groups per level)", section)
    ws.write_string(addin.row - 1, addin.col, BLANKS_NOTE, w.style("note"))
    w.addin("Addin_AHP", [w.style("addin"), w.style("addin", num_format="0.0000")])
    judged, full = names["AHP_Group_Judgements"], names["AHP_Group_Matrix"]
    ws.write_string(judged.row - 2, 0, "With Weigh by = Group (Criteria sheet): the groups compared, row group vs "
                    "column group; above, only the cells pairing two criteria of one group are read", section)
    ws.write_string(full.row - 2, 0, "The groups' full matrix and the group weights (weight used = group weight x "
                    "weight within the group)", section)
    for top in (judged.row - 1, full.row - 1):
        ws.write_string(top, 0, "Group", header)
        ws.set_row(top, 48)
    w.formula("AHP_Group_Column_Names", header)
    w.formula("AHP_Group_Matrix_Columns", header)
    w.formula("AHP_Group_Row_Names", label)
    w.formula("AHP_Group_Matrix_Rows", label)
    ws.write_string(full.row - 1, G + 1, "Group weight", header)
    upper = w.style("input", "center", num_format="@")
    for i in range(G):
        for j in range(G):
            r, c = judged.row + i, judged.col + j
            if i < j:
                w.put(AHP_SHEET, r, c, f.groups.judgements[i][j], upper)
            elif i == j:
                ws.write_number(r, c, 1, w.style("computed", "center"))
            else:
                ws.write_blank(r, c, None, w.style("computed", bg_color="#F2F2F2"))
    saaty = ["9", "8", "7", "6", "5", "4", "3", "2", "1", "1/2", "1/3", "1/4", "1/5", "1/6", "1/7", "1/8", "1/9"]
    for i in range(G - 1):
        ws.data_validation(judged.row + i, judged.col + i + 1, judged.row + i, judged.col + G - 1, {
            "validate": "list", "source": saaty, "error_type": "warning",
            "input_title": "Judgement", "input_message": "Row group vs column group: 1 equal ... 9 extremely "
                                                         "more important; 1/3 etc. when the column one is.",
            "error_title": "Not on Saaty's scale",
            "error_message": "Judgements run from 1/9 to 9 (type fractions such as 1/3 as they are). Keep it anyway?",
        })
    w.formula("AHP_Group_Matrix", w.style("computed", "center", num_format="# ?/?"))
    w.formula("AHP_Group_Weights", w.style("computed", "share", "center", "bold"))
    first = names[LEVEL_COLUMNS[0]]
    ws.write_string(first.row - 2, 0, "Each level: lambda max, CI, CR and the judgement to revisit when CR is "
                    f"above {CR_THRESHOLD:.2f} (with Weigh by = Group)", section)
    for k, text in enumerate(LEVEL_HEADERS):
        ws.write_string(first.row - 1, k, text, header)
    styles = (label, w.style("computed", "center"), *[w.style("computed", "center", num_format="0.000")] * 3,
              w.style("computed"))
    for name, style in zip(LEVEL_COLUMNS, styles):
        w.formula(name, style)
    cr = names["AHP_Level_CR"]
    corner = cell_ref(cr.row, cr.col, absolute=False)
    ws.conditional_format(cr.row, cr.col, cr.row + cr.rows - 1, cr.col, {
        "type": "formula", "criteria": f"=AND(ISNUMBER({corner}),{corner}>{CR_THRESHOLD:g})",
        "format": w.style("bad")})
    write_team(w)
