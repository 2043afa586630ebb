"""Several stakeholders' AHP judgements on the Weights (AHP) sheet: one block per stakeholder
(`AHP_Stakeholder_1` .. `_4`, criteria x criteria, the cells above the diagonal read), combined by
the geometric mean of the judgements each gave (a blank leaves that stakeholder out of that cell),
as `ahp.aggregate_judgements` combines them. When any stakeholder block holds a judgement the
mean (`AHP_Team_Mean`) replaces the judgement block above it (`AHP_Judgements` is then not read);
`AHP_Team_Spread` shows how far apart they are in scale steps, flagged above 3
(`ahp.STEPS_APART`), and the add-in cell (AHP_AGGREGATE) adds each stakeholder's CR.
"""

from __future__ import annotations

import math

from ..ahp import STEPS_APART
from ..cells import judgement_text, read_judgement
from .layout import ADDIN, AHP_SHEET, CALC, FORMULA, JUDGEMENT_RANGE, Area, cell_ref, quote

STAKEHOLDERS = 4
"""Stakeholder blocks in a workbook."""
BLOCK_NAMES = tuple(f"AHP_Stakeholder_{k + 1}" for k in range(STAKEHOLDERS))
TEXT_NAMES = tuple(f"Calc_AHP_Team_Text_{k + 1}" for k in range(STAKEHOLDERS))
"""Each stakeholder block's judgements cleaned once (`cells.judgement_text`), for Calc_AHP_Team_Read_*."""
TEAM_NOTE = (f"Optional: up to {STAKEHOLDERS} stakeholders, one block each (the cells above the diagonal). "
             "Once any block holds a judgement, the weights come from the geometric mean of the judgements "
             "given per pair (blank: that stakeholder left out) and the judgement block at the top is not read. "
             f"Pairs judged more than {STEPS_APART:g} scale steps apart (3 vs 1/3 is 4) are flagged: discuss them. "
             "Each stakeholder's CR: the add-in cell AHP_AGGREGATE on the right.")


def addin_size(m: int) -> tuple[int, int]:
    """Rows and columns of AHP_AGGREGATE's spill: the mean, a CR per stakeholder, the flagged pairs."""
    return m + STAKEHOLDERS + 1 + m * (m - 1) // 2, max(m, 2)


def layout_part(m: int, top: int, calc_row: int, calc_col: int, addin_col: int) -> dict[str, Area]:
    """The stakeholders' names for `m` criteria, from row `top` of the Weights (AHP) sheet (the
    add-in cell at `addin_col`) and row `calc_row`, column `calc_col` of the Calc sheet."""
    names = top + 2
    first = names + STAKEHOLDERS + 2  # first block's first row (its header above)

    def block(k):
        return first + k * (m + 2)

    mean = block(STAKEHOLDERS)
    rows, cols = addin_size(m)
    return {
        "AHP_Stakeholder_Names": Area(AHP_SHEET, names, 1, STAKEHOLDERS),
        "AHP_Team_Flags": Area(AHP_SHEET, names, 3, role=FORMULA),
        **{name: Area(AHP_SHEET, block(k), 1, m, m) for k, name in enumerate(BLOCK_NAMES)},
        "AHP_Team_Mean": Area(AHP_SHEET, mean, 1, m, m, FORMULA),
        "AHP_Team_Spread": Area(AHP_SHEET, mean + m + 2, 1, m, m, FORMULA),
        "Addin_AHP_Team": Area(AHP_SHEET, first, addin_col, rows, cols, ADDIN),
        "Calc_AHP_Team_On": Area(CALC, calc_row - 1, calc_col, role=FORMULA),
        **{f"Calc_AHP_Team_Parsed_{k + 1}": Area(CALC, calc_row + k * (m + 1), calc_col, m, m, FORMULA)
           for k in range(STAKEHOLDERS)},
        **{f"Calc_AHP_Team_Steps_{k + 1}": Area(CALC, calc_row + (STAKEHOLDERS + k) * (m + 1), calc_col, m, m, FORMULA)
           for k in range(STAKEHOLDERS)},
        **{f"Calc_AHP_Team_Read_{k + 1}": Area(CALC, calc_row + (2 * STAKEHOLDERS + k) * (m + 1), calc_col, m, m,
                                               FORMULA) for k in range(STAKEHOLDERS)},
        **{name: Area(CALC, calc_row + (3 * STAKEHOLDERS + k) * (m + 1), calc_col, m, m, FORMULA)
           for k, name in enumerate(TEXT_NAMES)},
    }


def calc_rows(m: int) -> int:
    """Calc rows the stakeholders' blocks take."""
    return 4 * STAKEHOLDERS * (m + 1)


# --------------------------------------------------------------------------- formulas


def formulas_part(names: dict[str, Area], judgement) -> dict:
    """Formula text of the stakeholders' formula names; `judgement(name, i, j)` reads cell (i, j) of
    the Calc text block `name` (no =)."""
    a = names
    lo, hi = JUDGEMENT_RANGE

    def at(area, i, j):
        return f"{quote(area.sheet)}!{cell_ref(area.row + i, area.col + j)}"

    def parsed(k, i, j):
        return at(a[f"Calc_AHP_Team_Parsed_{k + 1}"], i, j)

    def mean(i, j):
        if i >= j:
            return '=""'
        cells = [parsed(k, i, j) for k in range(STAKEHOLDERS)]
        total = "+".join(f"IF(ISNUMBER({c}),LN({c}),0)" for c in cells)
        count = f"COUNT({','.join(cells)})"
        return f'=IF({count}>0,EXP(({total})/{count}),"")'

    def spread(i, j):
        if i >= j:
            return '=""'
        steps = ",".join(at(a[f"Calc_AHP_Team_Steps_{k + 1}"], i, j) for k in range(STAKEHOLDERS))
        return f'=IF(COUNT({steps})>1,MAX({steps})-MIN({steps}),"")'

    def read(k):  # each judgement read once (`judgement`), then checked by Calc_AHP_Team_Parsed_k
        return lambda i, j: '=""' if i >= j else "=" + judgement(TEXT_NAMES[k], i, j)

    def parse(k):
        def make(i, j):
            if i >= j:
                return '=""'
            x = at(a[f"Calc_AHP_Team_Read_{k + 1}"], i, j)
            return f'=IFERROR(IF(AND({x}>={lo:g},{x}<={hi:g}),{x},""),"")'
        return make

    def steps(k):
        def make(i, j):
            if i >= j:
                return '=""'
            p = parsed(k, i, j)
            return f'=IF(ISNUMBER({p}),IF({p}>=1,{p}-1,1-1/{p}),"")'
        return make

    on = "+".join(f"COUNT(Calc_AHP_Team_Parsed_{k + 1})" for k in range(STAKEHOLDERS))
    return {
        "Calc_AHP_Team_On": lambda i, j: f"=({on})>0",
        "AHP_Team_Mean": lambda i, j: mean(i, j),
        "AHP_Team_Spread": lambda i, j: spread(i, j),
        "AHP_Team_Flags": lambda i, j: f'=COUNTIF(AHP_Team_Spread,">{STEPS_APART:g}")',
        **{f"Calc_AHP_Team_Read_{k + 1}": read(k) for k in range(STAKEHOLDERS)},
        **{f"Calc_AHP_Team_Parsed_{k + 1}": parse(k) for k in range(STAKEHOLDERS)},
        **{f"Calc_AHP_Team_Steps_{k + 1}": steps(k) for k in range(STAKEHOLDERS)},
    }


def addin_formula() -> str:
    return "=AHP_AGGREGATE(" + ",".join(BLOCK_NAMES) + ")"


# --------------------------------------------------------------------------- values


def blank_blocks(m: int) -> tuple:
    """STAKEHOLDERS blank m x m blocks."""
    return tuple(((None,) * m,) * m for _ in range(STAKEHOLDERS))


def _steps(x: float) -> float:
    return x - 1 if x >= 1 else 1 - 1 / x


def judgement_texts(block, n: int) -> list[list]:
    """The values of a Calc text block (TEXT_NAMES, levels.JUDGEMENT_TEXTS) for the n x n `block`
    as typed: each cell above the diagonal as `cells.judgement_text` reads it, else ""."""
    return [[judgement_text(block[i][j]) if i < j and i < len(block) and j < len(block[i]) else ""
             for j in range(n)] for i in range(n)]


def read_team(blocks) -> dict[str, list[list]]:
    """The values of the stakeholders' formula names for the blocks as typed."""
    m = len(blocks[0]) if blocks else 0
    lo, hi = JUDGEMENT_RANGE
    parsed, read = [], []
    for block in blocks:
        rows = [["" for _ in range(m)] for _ in range(m)]
        cells = [["" for _ in range(m)] for _ in range(m)]
        for i in range(m):
            for j in range(i + 1, m):
                x = read_judgement(block[i][j])
                cells[i][j] = "" if x is None else x
                if x is not None and lo <= x <= hi:
                    rows[i][j] = x
        parsed.append(rows)
        read.append(cells)
    mean = [["" for _ in range(m)] for _ in range(m)]
    spread = [["" for _ in range(m)] for _ in range(m)]
    for i in range(m):
        for j in range(i + 1, m):
            given = [p[i][j] for p in parsed if p[i][j] != ""]
            if given:
                mean[i][j] = math.exp(sum(math.log(x) for x in given) / len(given))
            if len(given) > 1:
                steps = [_steps(x) for x in given]
                spread[i][j] = max(steps) - min(steps)
    values = {
        "Calc_AHP_Team_On": [[any(x != "" for p in parsed for row in p for x in row)]],
        "AHP_Team_Mean": mean,
        "AHP_Team_Spread": spread,
        "AHP_Team_Flags": [[sum(isinstance(x, float) and x > STEPS_APART for row in spread for x in row)]],
    }
    for k, p in enumerate(parsed):
        values[f"Calc_AHP_Team_Read_{k + 1}"] = read[k]
        values[TEXT_NAMES[k]] = judgement_texts(blocks[k], m)
        values[f"Calc_AHP_Team_Parsed_{k + 1}"] = p
        values[f"Calc_AHP_Team_Steps_{k + 1}"] = [[_steps(x) if x != "" else "" for x in row] for row in p]
    return values


def judgements_used(judgements, blocks):
    """The judgement cells the AHP reads: the stakeholders' geometric mean when any block holds a
    judgement (None where nobody judged), else `judgements` as typed."""
    if not blocks:
        return judgements
    team = read_team(blocks)
    if not team["Calc_AHP_Team_On"][0][0]:
        return judgements
    return tuple(tuple(None if x == "" else x for x in row) for row in team["AHP_Team_Mean"])


# --------------------------------------------------------------------------- writing


def write_part(w) -> None:
    """The stakeholders' names, blocks, mean, spread and the add-in cell."""
    ws, f, m = w.ws[AHP_SHEET], w.f, w.m
    n = w.names
    names, header, label = n["AHP_Stakeholder_Names"], w.style("header"), w.style("computed", "bold")
    ws.write_string(names.row - 2, 0, "Several stakeholders (optional)", w.style("section"))
    ws.write_string(names.row - 1, 0, TEAM_NOTE, w.style("note"))
    for k in range(STAKEHOLDERS):
        ws.write_string(names.row + k, 0, f"Stakeholder {k + 1}", label)
    w.fill("AHP_Stakeholder_Names", [[x] for x in f.stakeholder_names], w.style("input"))
    ws.write_string(names.row, 2, f"Pairs over {STEPS_APART:g} steps apart", w.style("label"))
    w.formula("AHP_Team_Flags", w.style("computed", "bold"))
    upper = w.style("input", "center", num_format="@")
    for k, name in enumerate((*BLOCK_NAMES, "AHP_Team_Mean", "AHP_Team_Spread")):
        area = n[name]
        title = (f"Stakeholder {k + 1}" if k < STAKEHOLDERS else
                 "Geometric mean (used when any stakeholder judged)" if name == "AHP_Team_Mean"
                 else f"Spread in scale steps (flagged above {STEPS_APART:g})")
        ws.write_string(area.row - 1, 0, title, header)
        for j, criterion in enumerate(f.criteria):
            ws.write_string(area.row - 1, 1 + j, str(criterion), header)
        for i in range(m):
            ws.write_string(area.row + i, 0, str(f.criteria[i]), label)
        if k < STAKEHOLDERS:
            for i in range(m):
                for j in range(m):
                    if i < j:
                        w.put(AHP_SHEET, area.row + i, area.col + j, f.stakeholders[k][i][j], upper)
                    else:
                        ws.write_blank(area.row + i, area.col + j, None, w.style("computed", bg_color="#F2F2F2"))
    w.formula("AHP_Team_Mean", w.style("computed", "center", num_format="0.000"))
    w.formula("AHP_Team_Spread", w.style("computed", "center", num_format="0.0"))
    spread = n["AHP_Team_Spread"]
    corner = cell_ref(spread.row, spread.col, absolute=False)
    ws.conditional_format(spread.row, spread.col, spread.row + m - 1, spread.col + m - 1, {
        "type": "formula", "criteria": f"=AND(ISNUMBER({corner}),{corner}>{STEPS_APART:g})", "format": w.style("bad")})
    addin = n["Addin_AHP_Team"]
    ws.write_string(addin.row - 1, addin.col, "Add-in: AHP_AGGREGATE(the stakeholders' blocks): the mean, each "
                    "stakeholder's CR, the pairs far apart", w.style("label"))
    w.addin("Addin_AHP_Team", w.style("addin"))
