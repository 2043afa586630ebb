"""The formula text of every native and add-in formula cell of the workbook, by defined name."""

from __future__ import annotations

from ..ahp import CR_THRESHOLD, RANDOM_INDEX
from ..cells import JUDGEMENT_CHARS
from ..consensus import DISAGREEMENT
from ..due_diligence import INVALID_STATUS, TRACK_RECORD
from ..partner_fit import NO_PROGRAMME, PICK_FROM_LIST, PROGRAMME_FIELDS, fit_ranges
from . import approvals, diligence
from .groups import CHECK_GROUPS, GROUP_MODE, effective_formula
from .groups import formulas_part as groups_formulas
from .layout import (
    _HI,
    _K_CLEAN,
    _LO,
    AGREED_INVALID,
    AGREED_NO_REASON,
    AGREED_OK,
    AHP_CONSISTENT,
    AHP_INCOMPLETE,
    AHP_INCONSISTENT,
    AHP_STEPS,
    AHP_TOO_MANY,
    BELOW_ROWS,
    CALC,
    CHECK_AHP,
    CHECK_COVERAGE,
    CHECK_CRITERIA_COUNT,
    CHECK_OK,
    CHECK_ROWS,
    CHECK_TOTAL,
    CHECK_USE_AHP,
    CONSENSUS_SHEET,
    CRITERIA_SHEET,
    EVAL_METHOD,
    EVAL_OK,
    EVAL_ROWS,
    GRID_SCORE,
    GRID_VENDOR,
    INVALID_CELL,
    INVISIBLE_NAME,
    JUDGEMENT_RANGE,
    MAX_AHP_CRITERIA,
    MINIMUM_PROBLEM,
    NO_ELIGIBLE,
    PRICE_SOURCE,
    PROGRAM_NAMES,
    REASON_NEEDS_ADDIN,
    ROBUSTNESS_ARGS,
    SCORES,
    STATUS_CHECK,
    STATUS_EVALUATIONS,
    TRACK_SOURCE,
    VENDOR_BELOW,
    VENDORS,
    VENDORS_BEYOND,
    WEIGHT_PROBLEM,
    Area,
    cell_ref,
    column_name,
    quote,
    vendor_tail,
)
from .levels import JUDGEMENT_TEXTS, check_formula, completed_label, ok_formula
from .levels import formulas_part as levels_formulas
from .prices import STATUS_PRICES, formulas_part
from .stakeholders import addin_formula as team_addin
from .stakeholders import formulas_part as team_formulas

# --------------------------------------------------------------------------- the formulas


def _formulas(names: dict[str, Area]):
    """Formula text for every native formula name: name -> f(i, j) for the cell (i, j) of its area."""
    a = names
    m = a["Weights"].rows
    priced = "Prices" in a  # a pack has no price name (layout's `priced`)
    k0, s0, c0 = a["Calc_Present"].row, a["Statuses"].row, a["Weights"].row
    below = a["Calc_Below_Minimum"].col

    def calc(i, col, absolute_col=True):
        return f"{CALC}!{'$' if absolute_col else ''}{column_name(col)}{k0 + i + 1}"

    def scores(i, col):
        return f"{SCORES}!${column_name(col)}{s0 + i + 1}"

    def clean_row(i):
        return f"{calc(i, _K_CLEAN)}:${column_name(_K_CLEAN + m - 1)}{k0 + i + 1}"

    def weight(j):
        return f"{CRITERIA_SHEET}!$D${c0 + j + 1}"

    def minimum(j):
        return f"{CRITERIA_SHEET}!$E${c0 + j + 1}"

    def score_cell(i, j):  # by position in the vendor table, which grows and shrinks with the user's edits
        return f"INDEX(Vendor_Scores,{i + 1},{j + 1})"

    def present(i):
        return calc(i, 0)

    band = f"OFFSET(INDEX(Vendor_Names,ROWS(Vendor_Names)),1,0,{BELOW_ROWS},{1 + m + len(vendor_tail(priced))})"
    invisible = '(LEN(TRIM(Vendor_Names))>0)*(TRIM(SUBSTITUTE(CLEAN(Vendor_Names),_xlfn.UNICHAR(160),""))="")'
    vendor_warning = (
        f'=IF(SUMPRODUCT(--(LEN(TRIM(Vendor_Names))>0))>Vendor_Count,"{VENDORS_BEYOND.format(n=a["Calc_Present"].rows)}",'
        f'IF(COUNTA({band})>0,"{VENDORS}!A"&MIN(IF(LEN({band})>0,ROW({band})))&": {VENDOR_BELOW}",'
        f'IF(SUM({invisible})>0,"{VENDORS}!A"&MIN(IF({invisible},ROW(Vendor_Names)))&": {INVISIBLE_NAME}","")))'
    )

    typed_at = a["Calc_Typed_Scores"].col

    def typed(i, j):  # the cell the clean score reads, read once (team: the agreed score)
        settled = f"INDEX(Agreed_Scores,{i + 1},{j + 1})"  # (by name: LibreOffice writes a sheet's name slowly)
        row = f"ROWS(Vendor_Names)>={i + 1}"  # a row the table has (not its name: a nameless row's scores count)
        return f'=IF(Calc_Eval_Mode,{_typed_formula(settled)},IF({row},{_typed_formula(score_cell(i, j))},""))'

    sources = a["Calc_Score_Sources"]

    def source(j):  # what fills criterion j's clean scores: 1 the price scores, 2 the suggested track record
        track = f'IF(TRIM(INDEX(Criteria_Names,{j + 1}))="{TRACK_RECORD}",{TRACK_SOURCE},0)'
        return f"=IF(AND(Price_On,Price_Criterion_At={j + 1}),{PRICE_SOURCE},{track})" if priced else f"={track}"

    def clean(i, j):
        consensus = f"INDEX(Consensus_Scores,{i + 1},{j + 1})"
        settled = f"INDEX(Agreed_Scores,{i + 1},{j + 1})"  # the agreed score replaces it
        score = f'IF(AND(Calc_Eval_Mode,LEN(TRIM({settled}&""))=0),{consensus},{_clean_formula(calc(i, typed_at + j))})'
        flag = f"{CALC}!{column_name(sources.col + j)}${sources.row + 1}"
        if "DD_Suggested_Scores" in a:  # the suggested Regulatory track record score, unless a reason is given
            use = f"{calc(i, a['Calc_DD_Use_Suggested'].col)}"
            score = f"IF(AND({flag}={TRACK_SOURCE},{use}),{calc(i, a['DD_Suggested_Scores'].col)},{score})"
        if not priced:
            return f"={score}"
        return f"=IF({flag}={PRICE_SOURCE},INDEX(Price_Scores,{i + 1}),{score})"

    def effective(j):
        return f"{CRITERIA_SHEET}!{cell_ref(c0 + j, a['Effective_Weights'].col)}"

    def number(x):
        return f"AND(ISNUMBER({x}),NOT(ISLOGICAL({x})))"

    def criterion_check(i, j):
        w, x = weight(i), minimum(i)
        return (
            f'=IF(AND({w}<>"",NOT(AND({number(w)},{w}>=0))),"{WEIGHT_PROBLEM}",'
            f'IF(AND({x}<>"",NOT(AND({number(x)},{x}>={_LO},{x}<={_HI}))),'
            f'"{MINIMUM_PROBLEM.format(lo=_LO, hi=_HI)}",""))'
        )

    not_ok = (f'IF(Price_Check<>"{CHECK_OK}","{STATUS_PRICES}","{STATUS_EVALUATIONS}")' if priced
              else f'"{STATUS_EVALUATIONS}"')
    inputs_ok = f'=AND(Criteria_Check="{CHECK_OK}",OR(NOT(Calc_Eval_Mode),Eval_Check="{EVAL_OK}")' + (
        f',Price_Check="{CHECK_OK}")' if priced else ")")

    def status(i, j):
        weight_scored, invalid_at, knocked_at, missing = (calc(i, col) for col in (1, 2, 3, 4))
        return (
            f'=IF(NOT({present(i)}),"",IF(NOT(Calc_Inputs_OK),'
            f'IF(Criteria_Check<>"{CHECK_OK}","{STATUS_CHECK}",{not_ok}),'
            f'IF({invalid_at}>0,"Invalid: "&INDEX(Criteria_Names,{invalid_at})'
            f'&" is not a score from {_LO} to {_HI}",'
            f'IF(OR(LEFT({dd(i)},12)="Knocked out:",{dd(i)}="{INVALID_STATUS}"),{dd(i)},'
            f'IF({knocked_at}>0,"Knocked out: "&INDEX(Criteria_Names,{knocked_at}),'
            f'IF(OR({missing}>0,{weight_scored}=0,{scores(i, 2)}<Min_Coverage),'
            f'"Incomplete","Eligible"))))))'
        )

    def dd(i):  # the vendor's due-diligence status (Calc)
        return calc(i, a["DD_Statuses"].col)

    def ranking(i, j):
        source = ("Ranks", "Result_Vendors", "Weighted_Scores")[j]
        return f'=IF({i + 1}<=Qualified_Count,INDEX({source},MATCH({i + 1},Calc_Positions,0)),"")'

    must_row = a["Calc_Minimum_Row"].row + 1

    def below_minimum(i, j):
        x = calc(i, _K_CLEAN + j, False)
        floor = f"{CALC}!{column_name(_K_CLEAN + j)}${must_row}"
        return f"=AND(ISNUMBER({x}),ISNUMBER({floor}),{x}<{floor})"

    return {
        "Criteria_Check": lambda i, j: (
            f'=IF(OR(ROWS(Criteria_Names)<>{m},COLUMNS(Vendor_Scores)<>{m}),"{CHECK_CRITERIA_COUNT.format(m=m)}",'
            f'IF(SUMPRODUCT(--(Criteria_Checks<>""))>0,"{CHECK_ROWS}",'
            f'IF(NOT(Calc_Use_AHP_OK),"{CHECK_USE_AHP}",IF(AND(Calc_Use_AHP,NOT(Calc_AHP_OK)),"{CHECK_AHP}",'
            f'IF(Group_Check="{GROUP_MODE}","{GROUP_MODE}",'
            f'IF(AND(NOT(Calc_Use_AHP),Calc_By_Group,Group_Check<>"{CHECK_OK}"),"{CHECK_GROUPS}",'
            f'IF(NOT(Weights_Total>0),"{CHECK_TOTAL}",'
            f'IF(AND({number("Min_Coverage")},Min_Coverage>=0,Min_Coverage<=1),"{CHECK_OK}","{CHECK_COVERAGE}"))))))))'
        ),
        "Effective_Weights": lambda i, j: (
            f'=IF(Calc_Use_AHP,IF(Calc_AHP_OK,INDEX(AHP_Result_Weights,{i + 1}),""),'
            f'{effective_formula(i, weight(i), number)})'
        ),
        "Weight_Shares": lambda i, j: (
            f'=IF(AND(ISNUMBER({effective(i)}),Weights_Total>0),{effective(i)}/Weights_Total,"")'
        ),
        "Criteria_Checks": criterion_check,
        "Weights_Total": lambda i, j: "=SUM(Effective_Weights)",
        "Vendor_Count": lambda i, j: "=SUMPRODUCT(--Calc_Present)",
        "Qualified_Count": lambda i, j: '=COUNTIF(Statuses,"Eligible")',
        "Result_Vendors": lambda i, j: f'=IF({present(i)},INDEX(Vendor_Names,{i + 1}),"")',
        "Vendor_Warning": lambda i, j: vendor_warning,
        "Weighted_Scores": lambda i, j: (
            f'=IF(AND({present(i)},Calc_Inputs_OK,{calc(i, 2)}=0,{calc(i, 1)}>0),'
            f'SUMPRODUCT({clean_row(i)},Calc_Weight_Row)/{calc(i, 1)},"")'
        ),
        "Coverages": lambda i, j: (
            f'=IF(AND({present(i)},Calc_Inputs_OK),{calc(i, 1)}/Weights_Total,"")'
        ),
        "Statuses": status,
        "Ranks": lambda i, j: (
            f'=IF({scores(i, 3)}="Eligible",_xlfn.RANK.EQ({calc(i, 5)},Calc_Rank_Keys,0),"")'
        ),
        "Ranking": ranking,
        "Calc_Inputs_OK": lambda i, j: inputs_ok,
        "Calc_Weight_Row": lambda i, j: f"=IF(ISNUMBER({effective(j)}),{effective(j)},0)",
        "Calc_Minimum_Row": lambda i, j: f'=IF({number(minimum(j))},{minimum(j)},"")',
        "Calc_Present": lambda i, j: f"=IF(ROWS(Vendor_Names)>={i + 1},LEN(TRIM(INDEX(Vendor_Names,{i + 1})))>0,FALSE)",
        "Calc_Scored_Weight": lambda i, j: f"=SUMPRODUCT(--ISNUMBER({clean_row(i)}),Calc_Weight_Row)",
        "Calc_Invalid_At": lambda i, j: f'=IFERROR(MATCH("{INVALID_CELL}",{clean_row(i)},0),0)',
        "Calc_Knocked_At": lambda i, j: (
            f"=IFERROR(MATCH(TRUE,{calc(i, below)}:${column_name(below + m - 1)}{k0 + i + 1},0),0)"
        ),
        "Calc_Missing_Musts": lambda i, j: (
            f"=COUNT(Calc_Minimum_Row)-SUMPRODUCT(--ISNUMBER(Calc_Minimum_Row),--ISNUMBER({clean_row(i)}))"
        ),
        "Calc_Rank_Keys": lambda i, j: (
            f'=IF({scores(i, 3)}="Eligible",ROUND({scores(i, 1)},9),"")'
        ),
        "Calc_Positions": lambda i, j: (
            f'=IF({scores(i, 3)}="Eligible",COUNTIF(Ranks,"<"&{scores(i, 4)})'
            f'+COUNTIF({SCORES}!$E${s0 + 1}:$E{s0 + i + 1},{scores(i, 4)}),"")'
        ),
        "Calc_Typed_Scores": typed,
        "Calc_Clean_Scores": clean,
        "Calc_Score_Sources": lambda i, j: source(j),
        "Calc_Below_Minimum": below_minimum,
        **_team_formulas(names),
        **_ahp_formulas(names),
        **_fit_formulas(),
        **(formulas_part(names) if priced else {}),
        **diligence.formulas_part(present, lambda i, name, k=0: calc(i, a[name].col + k)),
        **approvals.formulas_part(),
        **groups_formulas(names),
    }


_UNREASONED = 'SUMPRODUCT((LEN(TRIM(Agreed_Scores&""))>0)*(LEN(TRIM(Agreed_Reasons&""))=0))'
"""How many agreed scores lack a reason."""


def _text_array(texts) -> str:
    """An array constant of texts, as a formula writes it: {"a","b"}."""
    return "{" + ",".join(f'"{t}"' for t in texts) + "}"


_JUDGEMENT_ARRAY = _text_array(sorted(JUDGEMENT_CHARS))


def _typed_formula(x: str) -> str:
    """Score cell `x` read once for `_clean_formula` (no leading =): a number as it is, text trimmed
    of spaces and control characters, "" for a blank cell, INVALID_CELL for a boolean or an error."""
    return (f'IF(ISBLANK({x}),"",IF(ISTEXT({x}),TRIM(CLEAN({x})),IF(ISLOGICAL({x}),"{INVALID_CELL}",'
            f'IFERROR({x}+0,"{INVALID_CELL}"))))')


def _clean_formula(v: str) -> str:
    """The clean score of `v`, a `_typed_formula` cell (no leading =): the score, "" when not
    scored, INVALID_CELL."""
    number = f"VALUE({v})"
    return (
        f'IF(ISNUMBER({v}),IF(AND({v}>={_LO},{v}<={_HI}),{v},"{INVALID_CELL}"),'
        f'IF(OR({v}="",SUMPRODUCT(--(LOWER({v})=Calc_Not_Scored))>0),"",'
        f'IF(AND(SUMPRODUCT(LEN({v})-LEN(SUBSTITUTE({v},Calc_Number_Chars,"")))=LEN({v}),ISNUMBER({number})),'
        f'IF(AND({number}>={_LO},{number}<={_HI}),{number},"{INVALID_CELL}"),"{INVALID_CELL}")))'
    )


def _choice(x: str) -> str:
    """A typed choice as the formulas compare it: lower case, trimmed, without control characters."""
    return f'LOWER(TRIM(CLEAN({x}&"")))'


def _team_formulas(names: dict[str, Area]):
    """The evaluator grids', Consensus and Robustness formulas (see `_formulas`): a consensus cell
    reads only its vendor's and criterion's cell of each grid (INDEX at Calc_Grid_At)."""
    a = names
    m = a["Criteria_Names"].rows
    k0, n0, s0 = a["Calc_Present"].row, a["Consensus_Scores"].row, a["Statuses"].row
    counts, at = a["Consensus_Counts"].col, a["Calc_Grid_At"]
    n, grids = at.rows, at.cols
    scores = [a[f"Grid_{g}_Scores"] for g in range(1, grids + 1)]

    unpriced = ("*(COLUMN(Agreed_Scores)-COLUMN(INDEX(Agreed_Scores,1,1))+1<>IF(Price_On,Price_Criterion_At,0))"
                if "Prices" in a else "")  # the agreed cells the scores read: named vendors, not the priced column

    def grid_check(g):
        def check(i, j):
            area, vendors = scores[g], a[f"Grid_{g + 1}_Vendors"]
            row = f"{cell_ref(area.row + i, area.col)}:{cell_ref(area.row + i, area.col + m - 1)}"
            vendor = cell_ref(vendors.row + i, vendors.col)
            name = f"TRIM({vendor})"  # on the Vendors sheet: MATCH finds it at once when typed alike
            found = f"IFERROR(EXACT(TRIM(INDEX(Vendor_Names,MATCH({name},Vendor_Names,0))),{name}),FALSE)"
            return (  # (else, or for a case or spacing MATCH overlooks, every name is compared)
                f'=IF(COUNTIFS({row},">={_LO}",{row},"<={_HI}")+COUNTIF({row},"N/A")+COUNTBLANK({row})<>{m},'
                f'"{GRID_SCORE.format(lo=_LO, hi=_HI)}",IF(COUNTA({row})=0,"",IF(LEN({name})=0,"{GRID_VENDOR}",'
                f'IF({found},"",IF(SUMPRODUCT(--EXACT(TRIM(Vendor_Names),{name}))=0,"{GRID_VENDOR}","")))))'
            )
        return check

    def grid_at(i, g):  # the vendor row's row in grid g; n + 1: the grid's blank row below its last (or no score yet)
        area = a[f"Grid_{g + 1}_Vendors"]  # with the blank row: never a single cell, never a vendor's name
        vendors = f"{quote(area.sheet)}!{cell_ref(area.row, area.col)}:{cell_ref(area.row + n, area.col)}"
        return (f"=IF(AND(Calc_Eval_Mode,{CALC}!$A${k0 + i + 1}),IFERROR(MATCH(TRUE,EXACT(TRIM({vendors}),"
                f"TRIM(INDEX(Vendor_Names,{i + 1}))),0),{n + 1}),{n + 1})")

    team = a["Calc_Team_Scores"]

    def team_score(i, c):  # grid c % grids's cell for the vendor and criterion c // grids, if a number
        j, g = divmod(c, grids)  # (the row past the grid, for a vendor it lacks, is no number: #REF!)
        x = f"INDEX(Grid_{g + 1}_Scores,{CALC}!{cell_ref(at.row + i, at.col + g)},{j + 1})"
        return f'=IF(ISNUMBER({x}),{x},"")'

    def cells(i, j):  # the vendor's score for criterion j in every grid (Calc_Team_Scores)
        first = team.col + j * grids
        return f"{CALC}!{cell_ref(team.row + i, first)}:{cell_ref(team.row + i, first + grids - 1)}"

    def block(col, i, j):
        return f"{CONSENSUS_SHEET}!{cell_ref(n0 + i, col + j)}"

    def consensus(i, j):
        listed = cells(i, j)
        return f'=IF(N({block(counts, i, j)})>0,IF(Calc_Median,MEDIAN({listed}),AVERAGE({listed})),"")'

    def spread(i, j):
        listed = cells(i, j)
        return f'=IF(N({block(counts, i, j)})>0,MAX({listed})-MIN({listed}),"")'

    def table_cell(shown):  # a vendor table of the scores ranked: header, then a row per vendor row
        def cell(i, j):
            if i == 0:
                return '="Vendor"' if j == 0 else f"={CRITERIA_SHEET}!{cell_ref(a['Criteria_Names'].row + j - 1, 0)}"
            value = f"INDEX(Vendor_Names,{i})" if j == 0 else f"{CALC}!{cell_ref(k0 + i - 1, _K_CLEAN + j - 1)}"
            return f'=IF({shown(i)},{value},"")'
        return cell

    method = _choice("Consensus_Method")
    marked = "+".join(f'COUNTIF(Grid_{g}_Check,"?*")' for g in range(1, grids + 1))
    entered = "+".join(f"COUNTA(Grid_{g}_Scores)" for g in range(1, grids + 1))
    return {
        "Eval_Check": lambda i, j: (
            f'=IF({marked}>0,"{EVAL_ROWS}",IF(Calc_Method_OK,"{EVAL_OK}","{EVAL_METHOD}"))'
        ),
        "Eval_Rows": lambda i, j: f"={entered}",
        **{f"Grid_{g + 1}_Check": grid_check(g) for g in range(grids)},
        "Calc_Grid_At": grid_at,
        "Calc_Team_Scores": team_score,
        "Calc_Eval_Mode": lambda i, j: "=Eval_Rows>0",
        "Calc_Median": lambda i, j: f'={method}="median"',
        "Calc_Method_OK": lambda i, j: f'=OR({method}="",{method}="mean",{method}="median")',
        "Calc_Consensus_On": lambda i, j: f'=AND(Calc_Eval_Mode,Eval_Check="{EVAL_OK}")',
        "Agreed_Check": lambda i, j: (
            f'=IF(AND(Calc_Eval_Mode,COUNTIF(Calc_Clean_Scores,"{INVALID_CELL}")>0),'
            f'"{AGREED_INVALID.format(lo=_LO, hi=_HI)}",IF({_UNREASONED}>0,{_UNREASONED}&"{AGREED_NO_REASON}",'
            f'"{AGREED_OK}"))'
        ),
        "Agreed_Count": lambda i, j: f'=IF(Calc_Eval_Mode,SUMPRODUCT((LEN(TRIM(Agreed_Scores&""))>0)*Calc_Present{unpriced}),0)',
        "Consensus_Disagreements": lambda i, j: f'=COUNTIF(Consensus_Spreads,">={DISAGREEMENT:g}")',
        "Consensus_Vendors": lambda i, j: f'=IF({CALC}!$A${k0 + i + 1},INDEX(Vendor_Names,{i + 1}),"")',
        "Consensus_Scores": consensus,
        "Consensus_Spreads": spread,
        "Consensus_Counts": lambda i, j: (
            f'=IF(AND(Calc_Consensus_On,{CALC}!$A${k0 + i + 1}),COUNT({cells(i, j)}),"")'
        ),
        "Score_Source": lambda i, j: (
            '=IF(Calc_Eval_Mode,"Evaluations: "&IF(Calc_Median,"median","mean")&" of the evaluators","Vendors sheet")'
        ),
        "Calc_Robust_Table": table_cell(lambda i: f'{SCORES}!$D${s0 + i}="Eligible"'),
        "Calc_Scored_Table": table_cell(lambda i: f"{CALC}!$A${k0 + i}"),
    }


def _judgement_text(x: str) -> str:
    """Judgement cell `x` as its Calc_AHP_*Text cell holds it (no leading =; `cells.judgement_text`):
    a number, text without control characters and spaces (TRIM would only remove spaces too), else ""."""
    return f'IF(ISTEXT({x}),SUBSTITUTE(CLEAN({x})," ",""),IF(AND(ISNUMBER({x}),NOT(ISLOGICAL({x}))),{x},""))'


def _judgement(t: str) -> str:
    """One AHP judgement read from its Calc_AHP_*Text cell `t` as `cells.read_judgement` reads it
    (no leading =): a number, text such as "3", "1/3" (once "1 / 3"), else ""."""
    slash = f'FIND("/",{t})'
    value = f"IF(ISNUMBER({slash}),VALUE(LEFT({t},{slash}-1))/VALUE(MID({t},{slash}+1,LEN({t}))),VALUE({t}))"
    return (
        f'IFERROR(IF(ISNUMBER({t}),{t},IF(AND(LEN({t})>0,'
        f'SUMPRODUCT(LEN({t})-LEN(SUBSTITUTE({t},{_JUDGEMENT_ARRAY},"")))=LEN({t}),'
        f'LEN({t})-LEN(SUBSTITUTE({t},"/",""))<=1),{value},"")),"")'
    )


def _ahp_formulas(names: dict[str, Area]):
    """The Weights (AHP) formulas: the full reciprocal matrix, its principal eigenvector by
    repeated squaring (A/sum, then B <- B.B/sum(B.B) AHP_STEPS times; the row sums of A^1024
    are proportional to the eigenvector to double precision), lambda max, CI, CR and the
    judgement to revisit."""
    a = names
    m = a["Criteria_Names"].rows
    judged, full, parsed = a["AHP_Judgements"], a["AHP_Matrix"], a["Calc_AHP_Parsed"]
    errors, weights = a["Calc_AHP_Errors"], a["AHP_Result_Weights"]

    def at(area, i, j, absolute=True):
        return f"{quote(area.sheet)}!{cell_ref(area.row + i, area.col + j, absolute)}"

    def whole(area):
        return area.ref

    def judgement(name, i, j):  # cell (i, j) of the Calc text block `name` read
        return _judgement(at(a[name], i, j))

    def text(block):  # each judgement above the diagonal of `block` cleaned once, for `judgement`
        return lambda i, j: '=""' if i >= j else "=" + _judgement_text(at(a[block], i, j))

    def parse(i, j):  # the stakeholders' mean once any of them judged, else the block as typed
        if i >= j:
            return '=""'
        mean = at(a["AHP_Team_Mean"], i, j)
        return f'=IF(Calc_AHP_Team_On,IF(ISNUMBER({mean}),{mean},""),{judgement("Calc_AHP_Text", i, j)})'

    lo, hi = JUDGEMENT_RANGE

    def matrix(i, j):
        if i == j:
            return "=1"
        if i > j:
            upper = at(full, j, i)
            return f'=IF(ISNUMBER({upper}),1/{upper},"")'
        p, same, typed = at(parsed, i, j), at(a["Calc_AHP_Same"], i, j), at(judged, i, j)
        mean = at(a["AHP_Team_Mean"], i, j)  # once a stakeholder judged: blank where nobody did
        completed = f'IFERROR(VLOOKUP("{completed_label(i, j)}",Addin_AHP,2,FALSE)+0,"")'  # the add-in's
        return (f'=IF(AND({same}=1,ISNUMBER({p})),IF(AND({p}>={lo:g},{p}<={hi:g}),{p},""),'
                f'IF(AND({same}=1,IF(Calc_AHP_Team_On,NOT(ISNUMBER({mean})),LEN(TRIM(CLEAN({typed}&"")))=0)),{completed},""))')

    def blocks(x):  # x with each same-group block divided by its sum (the whole matrix without groups)
        return f"{x}/(MMULT(MMULT(Calc_AHP_Same,{x}),Calc_AHP_Same)+1-Calc_AHP_Same)"

    def step(previous):
        p = whole(previous)
        return lambda i, j: f'=IF(Calc_AHP_OK,{blocks(f"MMULT({p},{p})")},"")'

    def weight(i, j):
        local = at(a["AHP_Local_Weights"], i, 0)
        return (f'=IF(Calc_AHP_OK,IF(Calc_By_Group,INDEX(AHP_Group_Weights,INDEX(Calc_Group_At,{i + 1}))*{local},'
                f'{local}),"")')

    def error(i, j):
        if i >= j:
            return "=-1"
        return (f"=IF(AND(Calc_AHP_OK,ISNUMBER({at(full, i, j)}),ISNUMBER({at(parsed, i, j)})),"
                f"ABS(LN({at(full, i, j)}*{at(weights, j, 0)}/{at(weights, i, 0)})),-1)")

    def level(name, plain):  # with groups, the level of the highest CR
        return f'=IF(Calc_AHP_OK,IF(Calc_By_Group,INDEX({name},Calc_AHP_Level_Top),{plain}),"")'

    too_many = m > MAX_AHP_CRITERIA
    steps = {f"Calc_AHP_Step_{k}": step(a["Calc_AHP_Start"] if k == 1 else a[f"Calc_AHP_Step_{k - 1}"])
             for k in range(1, AHP_STEPS + 1)}
    worst_row, worst_col = (at(a["Calc_AHP_Worst"], 0, k) for k in (0, 1))
    return {
        "Calc_Use_AHP": lambda i, j: f'={_choice("Use_AHP")}="yes"',
        "Calc_Use_AHP_OK": lambda i, j: f'=OR({_choice("Use_AHP")}="",{_choice("Use_AHP")}="yes",{_choice("Use_AHP")}="no")',
        "Calc_AHP_OK": lambda i, j: (
            f'=IF(Calc_By_Group,{ok_formula(m)},{"FALSE" if too_many else f"COUNT(AHP_Matrix)={m * m}"})'
        ),
        "Calc_AHP_Parsed": parse,
        "AHP_Matrix": matrix,
        "Calc_AHP_Start": lambda i, j: (
            f'=IF(Calc_AHP_OK,{blocks("IF(ISNUMBER(AHP_Matrix),AHP_Matrix,0)")},"")'
        ),
        **steps,
        "AHP_Result_Weights": weight,
        "AHP_Lambda_Max": lambda i, j: level("AHP_Level_Lambda_Max", "SUM(MMULT(AHP_Matrix,AHP_Result_Weights))"),
        "AHP_CI": lambda i, j: level("AHP_Level_CI", f"(AHP_Lambda_Max-{m})/{m - 1}" if m > 1 else "0"),
        "AHP_CR": lambda i, j: level("AHP_Level_CR", f"AHP_CI/{RANDOM_INDEX[m - 1]}" if 2 < m <= MAX_AHP_CRITERIA else "0"),
        "Calc_AHP_Errors": error,
        "Calc_AHP_Row_Max": lambda i, j: f"=MAX({at(errors, i, 0)}:{cell_ref(errors.row + i, errors.col + m - 1)})",
        "Calc_AHP_Worst": lambda i, j: (  # only when inconsistent: among near-equal errors (all 1s) noise decides
            f"=IF(AND(NOT(Calc_By_Group),N(AHP_CR)>{CR_THRESHOLD:g}),MATCH(MAX(Calc_AHP_Row_Max),Calc_AHP_Row_Max,0),0)"
            if j == 0 else f"=IF(AND(NOT(Calc_By_Group),N(AHP_CR)>{CR_THRESHOLD:g}),"
                 f"MATCH(INDEX(Calc_AHP_Row_Max,{worst_row}),INDEX(Calc_AHP_Errors,{worst_row},0),0),0)"
        ),
        "AHP_Check": lambda i, j: (
            f"=IF(Calc_By_Group,{check_formula(AHP_CONSISTENT, AHP_INCONSISTENT)},"
            + (f'"{AHP_TOO_MANY}")' if too_many else
               f'IF(NOT(Calc_AHP_OK),"{AHP_INCOMPLETE}",IF(AHP_CR>{CR_THRESHOLD:g},"{AHP_INCONSISTENT}"'
               f'&INDEX(Criteria_Names,{worst_row})&" vs "&INDEX(Criteria_Names,{worst_col}),"{AHP_CONSISTENT}")))')
        ),
        **{name: text(block) for name, block in JUDGEMENT_TEXTS.items()},
        **levels_formulas(names, judgement),
        **team_formulas(names, judgement),
    }


def _fit_formulas():
    """The Program sheet's partner fit in ordinary formulas: each input's row in the fit lookup
    (`partner_fit.fit_lookup`; 0 blank, -1 not on its list), the points per type, the 0-100 fit
    scores and the partner type, exactly as `partner_fit.read_programme` reads the sheet."""
    fields = list(PROGRAMME_FIELDS)
    cells = dict(zip(fields, PROGRAM_NAMES.values()))
    ranges = fit_ranges()

    def row(field):
        return f"INDEX(Calc_Fit_Rows,{fields.index(field) + 1})"

    def found(j):
        typed = _choice(cells[fields[j]])
        return f'=IF({typed}="",0,IFERROR(MATCH("{fields[j]}|"&{typed},Calc_Fit_Keys,0),-1))'

    status = '"' + NO_PROGRAMME + '"'
    status = f'IF(OR({row("stage")}=0,{row("need")}=0),{status},"")'
    for field in reversed(fields):
        status = f'IF({row(field)}<0,"{PICK_FROM_LIST.format(what=PROGRAMME_FIELDS[field])}",{status})'

    def fit(i, j):
        kind = ("CRO", "CMO", "CDMO")[j]
        if i == 0:
            return f'="{kind}"'
        lo, hi = ranges[kind]
        serves = f"INDEX(Calc_Fit_Flags,{row('need')},{1 if j == 0 else 2})"
        return (f'=IF(Calc_Fit_Status<>"","",IF({serves},'
                f"ROUND(100*(INDEX(Calc_Fit_Total,{j + 1})-({lo}))/{hi - lo},0),0))")

    makes, clinical = (f"INDEX(Calc_Fit_Flags,{row('need')},{k})" for k in (2, 1))
    return {
        "Calc_Fit_Rows": lambda i, j: found(j),
        "Calc_Fit_Total": lambda i, j: "=" + "+".join(
            f"IF({row(f)}>0,INDEX(Calc_Fit_Points,{row(f)},{j + 1}),0)" for f in fields),
        "Calc_Fit_Status": lambda i, j: "=" + status,
        "Fit_Scores": fit,
        "Recommendation": lambda i, j: (
            f'=IF(Calc_Fit_Status<>"",Calc_Fit_Status,IF(NOT({makes}),"CRO",'
            f'IF({clinical},"CRO + ","")&IF(INDEX(Fit_Scores,2,2)>INDEX(Fit_Scores,2,3),"CMO","CDMO")))'
        ),
    }


def _addin_formulas() -> dict[str, str]:
    program = "Program_Stage,Program_Need,Program_Process,Program_CMC,Program_Modality"
    return {
        "Addin_Version": "=PARTNERFIT_VERSION()",
        "Addin_Recommendation": f"=PARTNER_FIT({program})",
        "Recommendation_Reason": f'=IF(Calc_Fit_Status<>"","",IFERROR(PARTNER_FIT_WHY({program}),"{REASON_NEEDS_ADDIN}"))',
        "Addin_Results": (
            "=VENDOR_RANKING(Calc_Scored_Table,Effective_Weights,Minimums,Min_Coverage)"
        ),
        "Addin_Consensus": "=CONSENSUS(Eval_Grids,Consensus_Method)",
        "Addin_AHP": ("=IF(Calc_By_Group,AHP_WEIGHTS(IF(Calc_AHP_Team_On,AHP_Team_Mean,AHP_Judgements),Calc_Group_At,"
                      "AHP_Group_Judgements),AHP_WEIGHTS(IF(Calc_AHP_Team_On,AHP_Team_Mean,AHP_Judgements)))"),
        "Addin_AHP_Team": team_addin(),
        "Robustness_Summary": (
            f"=IF(Qualified_Count>0,ROBUSTNESS(Calc_Robust_Table,Effective_Weights,"
            f'{",".join(f"{x:g}" for x in ROBUSTNESS_ARGS)}),"{NO_ELIGIBLE}")'
        ),
    }

