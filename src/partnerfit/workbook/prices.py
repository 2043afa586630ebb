"""The Prices sheet: the quotes, the published price formula (`pricing`), the price scores and
abnormally low quotes, in ordinary formulas equal to the engine.

The quotes are a column of the vendor table (`Prices` is `VendorTable[Quoted price]`), so that a
quote moves with its vendor whatever the user inserts, deletes or sorts (a sheet of its own, by
row, would hand a quote to another vendor after a sort). The Prices sheet holds the rest: the
currency, the method and its bounds, the abnormally-low share, the price criterion, and per
vendor row its name, quote (both shown by formulas, `INDEX(Vendor_Names,k)`, `INDEX(Prices,k)`),
price score, flag and check, and the user's breakdown columns. A copy for the technical
evaluators (`share --technical`) leaves the sheet out, blanks and hides the quote column, and
drops every price name (`PRICE_PART_NAMES`).

One reading of a quote, the workbook's: a number above 0, or a blank cell (no quote). Anything
else (text, even "120000", zero, negative, TRUE) is a bad quote: its row's Check says so, and
no price score is computed until it is fixed (Excel's MIN and MEDIAN would skip text silently).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ..cells import choice_value, excel_text, excel_trim, is_number
from ..errors import PartnerfitError, show
from ..pricing import ABNORMALLY_LOW, Variant, abnormally_low, describe, price_scores
from .layout import (
    _K_HEAD,
    _S_HEAD,
    CALC,
    FORMULA,
    PRICE_INPUT_NAMES,
    PRICES_SHEET,
    QUOTE_HEADER,
    SCORES,
    Area,
    cell_ref,
)

_P_HEAD = 11
"""Prices: header row of the quote rows; vendors below."""

PRICE_OK = "OK"
BAD_PRICE = "Enter the quoted price as a number above 0, or leave the cell blank if there is no quote"
PRICE_ROWS = "Fix the rows marked in the Check column"
PRICE_METHOD = "Method must be linear or ratio"
PRICE_BOUND = "Low and high prices must be blank or a number, 0 or more"
PRICE_RATIO_BOUNDS = "Low and high are bounds of the linear method: leave them blank for ratio"
PRICE_ORDER = "Low price is above high price: the price that scores 5 must be at or below the price that scores 1"
PRICE_SHARE = "Abnormally low share must be blank or a fraction above 0 and at most 1 (0.8 = 80 %)"
PRICE_CRITERION = "Price criterion is not on the Criteria sheet"
PRICE_FLAG = "Abnormally low: ask the vendor to explain the price"
PRICE_NOTE = "Price scores from the quotes fill {criterion}: scores typed in that column are ignored"
STATUS_PRICES = "Check the Prices sheet"
TECHNICAL_NOTE = ("technical copy: the quotes, the price scores and the Prices sheet are left out, and the price "
                  "criterion with them (weight 0, scores blank): every score shown is technical")
DEFAULT_CRITERION = "Cost"
BREAKDOWN = ("Breakdown 1", "Breakdown 2", "Breakdown 3", "Breakdown 4")
"""Headers of the user's own breakdown columns (not read; renamable)."""

SETTINGS = (
    ("Price_Currency", "Currency of every quote"),
    ("Price_Method", "Method (linear or ratio)"),
    ("Price_Low", "Low price: scores 5 (blank: the lowest quote)"),
    ("Price_High", "High price: scores 1 (blank: the highest quote)"),
    ("Price_Low_Share", "Abnormally low: below this share of the median quote"),
    ("Price_Criterion", "Criterion the price score fills"),
)
COMPUTED = (
    ("Price_Check", "Check"),
    ("Price_Note", "Note"),
    ("Price_Low_Used", "Low used"),
    ("Price_High_Used", "High used"),
    ("Price_Median", "Median quote"),
    ("Price_Criterion_At", "Criterion column"),
    ("Price_On", "Price scores used"),
)
COLUMNS = ("Price_Vendors", "Price_Quotes", "Price_Scores", "Price_Flags", "Price_Checks")
TECHNICAL_COLUMN = 5
"""Scores: the technical score's column (beside the total's)."""
METHOD_COLUMN = 16
"""Scores: the column of the "does the price formula decide?" labels (its values right of them),
right of the add-in block."""
VARIANTS = (
    ("linear", "Linear, between the lowest and the highest quote"),
    ("typed", "Linear, between the typed low and high prices"),
    ("ratio", "Ratio: 5 x lowest quote / quote"),
)
"""The price formulas compared (as `pricing.method_check`): Calc's blocks have one column each."""
METHOD_DECIDES = "The price formula decides who leads: see the leader under each formula"
METHOD_SAME = "The leader is the same whichever price formula is used"
METHOD_NONE = "No vendor qualifies, whichever price formula is used"
NO_LEADER = "no vendor"
HEADERS = ("Vendor", "Quoted total price", "Price score", "Abnormally low", "Check")


@dataclass(frozen=True)
class PriceFilling:
    """What a user types on the Prices sheet (None = blank); `quotes` by vendor row from the top."""

    quotes: tuple = ()
    currency: object = "EUR"
    method: object = "linear"
    low: object = None
    high: object = None
    share: object = ABNORMALLY_LOW
    criterion: object = DEFAULT_CRITERION

    def __post_init__(self):
        object.__setattr__(self, "quotes", tuple(self.quotes))


def price_filling(values) -> dict:
    """`Filling.from_names`' argument `prices` from the cells of the input names, when the
    workbook has a Prices sheet (else nothing: no quotes)."""
    if "Prices" not in values:
        return {}

    def cell(name):
        return values[name][0][0] if name in values else None

    return {"prices": PriceFilling(
        quotes=tuple(row[0] for row in values["Prices"]), currency=cell("Price_Currency"),
        method=cell("Price_Method"), low=cell("Price_Low"), high=cell("Price_High"),
        share=cell("Price_Low_Share"), criterion=cell("Price_Criterion"),
    )}


def layout_part(rows: int, calc_col: int = 0) -> dict[str, Area]:
    """The Prices sheet's names for `rows` vendor rows, the Scores sheet's technical score and
    method check, and Calc's blocks of the method check from column `calc_col`."""
    settings = {name: Area(PRICES_SHEET, 2 + k, 1) for k, (name, _) in enumerate(SETTINGS)}
    computed = {name: Area(PRICES_SHEET, 2 + k, 4, role=FORMULA) for k, (name, _) in enumerate(COMPUTED)}
    columns = {name: Area(PRICES_SHEET, _P_HEAD + 1, j, rows, role=FORMULA) for j, name in enumerate(COLUMNS)}
    technical = {"Technical_Scores": Area(SCORES, _S_HEAD + 1, TECHNICAL_COLUMN, rows, role=FORMULA)}
    k, v = _K_HEAD + 1, len(VARIANTS)
    method = {
        "Price_Method_Decides": Area(SCORES, _S_HEAD + 1, METHOD_COLUMN + 1, role=FORMULA),
        "Price_Method_Leaders": Area(SCORES, _S_HEAD + 2, METHOD_COLUMN + 1, v, role=FORMULA),
        "Price_Method_Check": Area(SCORES, _S_HEAD + 2 + v, METHOD_COLUMN, role=FORMULA),
        **{name: Area(CALC, k, calc_col + t * v, rows, v, FORMULA) for t, name in enumerate(METHOD_BLOCKS)},
        "Calc_Price_Best": Area(CALC, 3, calc_col + v, 1, v, FORMULA),
    }
    return {**settings, **computed, **columns, **technical, **method}


METHOD_BLOCKS = ("Calc_Price_Alt", "Calc_Price_Keys", "Calc_Price_Leads")
"""Calc, per vendor row and price formula: the price score, the rank key (the rounded total when
the vendor is eligible under that formula) and whether it leads (its key is the formula's best,
Calc_Price_Best, one cell per formula above the keys: one MAX per formula, not one per row)."""


def _choice(x: str) -> str:
    return f'LOWER(TRIM(CLEAN({x}&"")))'


def formulas_part(names: dict[str, Area]):
    """Formula text of the Prices sheet's formula names: name -> f(i, j)."""
    rows = names["Price_Quotes"]
    crit = names["Criteria_Names"]

    def quote(i):
        return f"{PRICES_SHEET}!{cell_ref(rows.row + i, rows.col)}"

    def number(x):
        return f"AND(ISNUMBER({x}),NOT(ISLOGICAL({x})))"

    method = _choice("Price_Method")
    typed = 'TRIM(CLEAN(Price_Criterion&""))'
    criterion = f'IF(LEN({typed})=0,"{DEFAULT_CRITERION}",{typed})'
    share = f"IF(ISNUMBER(Price_Low_Share),Price_Low_Share,{ABNORMALLY_LOW:g})"
    bound_ok = " ".join(f'OR({x}="",AND({number(x)},{x}>=0))' for x in ("Price_Low", "Price_High"))
    bound_ok = "AND(" + bound_ok.replace(" ", ",") + ")"
    check = (
        f'=IF(SUMPRODUCT(--(Price_Checks<>""))>0,"{PRICE_ROWS}",'
        f'IF(NOT(OR({method}="",{method}="linear",{method}="ratio")),"{PRICE_METHOD}",'
        f'IF(NOT({bound_ok}),"{PRICE_BOUND}",'
        f'IF(AND({method}="ratio",OR(Price_Low<>"",Price_High<>"")),"{PRICE_RATIO_BOUNDS}",'
        f'IF(AND(ISNUMBER(Price_Low_Used),ISNUMBER(Price_High_Used),Price_Low_Used>Price_High_Used),"{PRICE_ORDER}",'
        f'IF(NOT(OR(Price_Low_Share="",AND({number("Price_Low_Share")},Price_Low_Share>0,Price_Low_Share<=1))),'
        f'"{PRICE_SHARE}",'
        f'IF(AND(COUNT(Prices)>0,Price_Criterion_At=0),"{PRICE_CRITERION}","{PRICE_OK}")))))))'
    )

    def score(i, j):
        p = quote(i)
        low, high = "Price_Low_Used", "Price_High_Used"
        return (
            f'=IF(AND(Price_Check="{PRICE_OK}",ISNUMBER({p})),IF({method}="ratio",MAX(1,5*(MIN(Prices)/{p})),'
            f"IF({high}={low},5,MAX(1,MIN(5,5-4*({p}-{low})/({high}-{low}))))),\"\")"
        )

    def flag(i, j):
        p = quote(i)
        return f'=IF(AND(Price_Check="{PRICE_OK}",ISNUMBER({p})),IF({p}<{share}*Price_Median,"{PRICE_FLAG}",""),"")'

    def bad(i, j):
        p = quote(i)
        return f'=IF(AND({p}<>"",OR(NOT(ISNUMBER({p})),N({p})<=0)),"{BAD_PRICE}","")'

    clean, present = names["Calc_Clean_Scores"], names["Calc_Present"]

    def technical(i, j):
        r = clean.row + i
        row = f"{CALC}!{cell_ref(r, clean.col)}:{cell_ref(r, clean.col + clean.cols - 1)}"
        others = f"--(COLUMN({row})-{clean.col}<>Price_Criterion_At)"
        weight = f"SUMPRODUCT(--ISNUMBER({row}),Calc_Weight_Row,{others})"
        flags = f"{CALC}!{cell_ref(r, present.col)},Calc_Inputs_OK,{CALC}!{cell_ref(r, present.col + 2)}=0"
        return (f'=IF(AND(Price_On,{flags}),IF({weight}>0,'
                f'SUMPRODUCT({row},Calc_Weight_Row,{others})/{weight},""),"")')

    return {
        **_method_formulas(names, quote, number),
        "Technical_Scores": technical,
        "Price_Check": lambda i, j: check,
        "Price_Note": lambda i, j: (
            '=IF(Price_On,"' + PRICE_NOTE.format(criterion='"&' + criterion + '&"') + '","")'
        ),
        "Price_Low_Used": lambda i, j: (
            f'=IF({number("Price_Low")},Price_Low,IF(COUNT(Prices)>0,MIN(Prices),""))'),
        "Price_High_Used": lambda i, j: (
            f'=IF({number("Price_High")},Price_High,IF(COUNT(Prices)>0,MAX(Prices),""))'),
        "Price_Median": lambda i, j: '=IF(COUNT(Prices)>0,MEDIAN(Prices),"")',
        "Price_Criterion_At": lambda i, j: (
            f"=SUMPRODUCT(MAX(EXACT(LOWER(TRIM(CLEAN(Criteria_Names&\"\"))),LOWER({criterion}))"
            f"*(ROW(Criteria_Names)-{crit.row})))"
        ),
        "Price_On": lambda i, j: f'=AND(Price_Check="{PRICE_OK}",COUNT(Prices)>0)',
        "Price_Vendors": lambda i, j: f'=IF(ROWS(Vendor_Names)>={i + 1},INDEX(Vendor_Names,{i + 1})&"","")',
        "Price_Quotes": lambda i, j: (  # the vendor row's quote as typed ("" for blank: never 0)
            f'=IF(ROWS(Prices)>={i + 1},IF(ISBLANK(INDEX(Prices,{i + 1})),"",INDEX(Prices,{i + 1})),"")'),
        "Price_Scores": score,
        "Price_Flags": flag,
        "Price_Checks": bad,
    }


def _method_formulas(names: dict[str, Area], quote, number) -> dict:
    """Does the price formula decide the leader? Per vendor row and formula (VARIANTS): the price
    score, the total with it when the vendor is eligible with it (rounded as Calc_Rank_Keys), and
    whether that total leads; then the leader under each formula and whether they differ."""
    a, v = names, len(VARIANTS)
    clean, below, present = a["Calc_Clean_Scores"], a["Calc_Below_Minimum"], a["Calc_Present"]
    alt, keys, leads = (a[name] for name in METHOD_BLOCKS)
    typed = f'OR({number("Price_Low")},{number("Price_High")})'
    at = "Price_Criterion_At"

    def block_cell(area, i, j):
        return f"{CALC}!{cell_ref(area.row + i, area.col + j)}"

    def block_column(area, j):
        return f"{CALC}!{cell_ref(area.row, area.col + j)}:{cell_ref(area.row + area.rows - 1, area.col + j)}"

    def row(area, i):
        r = area.row + i
        return f"{CALC}!{cell_ref(r, area.col)}:{cell_ref(r, area.col + area.cols - 1)}"

    def linear(q, lo, hi):
        return f"IF({hi}={lo},5,MAX(1,MIN(5,5-4*({q}-{lo})/({hi}-{lo}))))"

    def price(i, j):
        q = quote(i)
        score = (linear(q, "MIN(Prices)", "MAX(Prices)"),
                 f'IF({typed},{linear(q, "Price_Low_Used", "Price_High_Used")},"")',
                 f"MAX(1,5*(MIN(Prices)/{q}))")[j]
        return f'=IF(AND(Price_On,ISNUMBER({q})),{score},"")'

    def key(i, j):
        p, c = block_cell(alt, i, j), lambda col: f"{CALC}!{cell_ref(present.row + i, present.col + col)}"
        scores = row(clean, i)
        others = f"--(COLUMN({scores})-{clean.col}<>{at})"
        knocked = f"SUMPRODUCT(--{row(below, i)},--(COLUMN({row(below, i)})-{below.col}<>{at}))"
        coverage = f"{SCORES}!{cell_ref(a['Coverages'].row + i, a['Coverages'].col)}"
        floor = f"INDEX(Calc_Minimum_Row,{at})"
        eligible = (f"AND({c(0)},Calc_Inputs_OK,{c(2)}=0,{c(4)}=0,{c(1)}>0,{coverage}>=Min_Coverage,"
                    f"{knocked}=0,NOT(AND(ISNUMBER({p}),ISNUMBER({floor}),{p}<{floor}))"
                    + (f",{typed})" if j == 1 else ")"))
        total = (f"(SUMPRODUCT({scores},Calc_Weight_Row,{others})"
                 f"+IF(ISNUMBER({p}),INDEX(Calc_Weight_Row,{at})*{p},0))/{c(1)}")
        return f'=IF(NOT(Price_On),"",IF({eligible},ROUND({total},9),""))'

    def lead(i, j):
        k = block_cell(keys, i, j)
        return f"=AND(ISNUMBER({k}),{k}={CALC}!{cell_ref(a['Calc_Price_Best'].row, a['Calc_Price_Best'].col + j)})"

    def leader(i, j):
        column = block_column(leads, i)
        count = f"COUNTIF({column},TRUE)"
        shown = (f'IF({count}=0,"{NO_LEADER}",INDEX(Price_Vendors,MATCH(TRUE,{column},0))'
                 f'&IF({count}>1," and "&({count}-1)&" more (tied)",""))')
        return f'=IF(OR(NOT(Price_On),AND({i}=1,NOT({typed}))),"",{shown})'

    def differ(j):
        return f"SUMPRODUCT(--({block_column(leads, 0)}<>{block_column(leads, j)}))>0"

    return {
        "Calc_Price_Alt": price,
        "Calc_Price_Keys": key,
        "Calc_Price_Leads": lead,
        "Calc_Price_Best": lambda i, j: f"=MAX({block_column(keys, j)})",
        "Price_Method_Leaders": leader,
        "Price_Method_Decides": lambda i, j: f'=IF(Price_On,OR({differ(v - 1)},AND({typed},{differ(1)})),"")',
        "Price_Method_Check": lambda i, j: (
            f'=IF(NOT(Price_On),"",IF(Price_Method_Decides,"{METHOD_DECIDES}",'
            f'IF(COUNTIF({block_column(leads, 0)},TRUE)=0,"{METHOD_NONE}","{METHOD_SAME}")))'),
    }


# ------------------------------------------------------------------ the values, as the engine reads them


def bad_quote(value) -> bool:
    """A quote cell the workbook refuses: not blank and not a number above 0."""
    return not (value is None or value == "") and not (is_number(value) and value > 0)


def _criterion_text(value) -> str:
    text = excel_trim(excel_text(value)) if value is not None else ""
    return text or DEFAULT_CRITERION


def criterion_at(value, criteria) -> int:
    """1-based position of the price criterion among `criteria` (case ignored, trimmed); 0: none."""
    key = _criterion_text(value).lower()
    found = [j + 1 for j, c in enumerate(criteria) if excel_trim(excel_text(c)).lower() == key]
    return found[-1] if found else 0


@dataclass(frozen=True)
class PriceRead:
    """The Prices sheet as its formulas read it."""

    check: str
    on: bool
    at: int
    quotes: np.ndarray
    """Floats, NaN for no quote (or a bad one)."""
    bad: list[bool]
    scores: np.ndarray
    """Price score per row, NaN where none."""
    flags: np.ndarray
    low: object
    high: object
    median: object
    criterion: str


def _used(value, quoted: np.ndarray, pick):
    if is_number(value):
        return float(value)
    return float(pick(quoted)) if quoted.size else ""


def _cells(p: PriceFilling, rows: int) -> list:
    """The quote cells of `rows` vendor rows (None: blank)."""
    return list(p.quotes[:rows]) + [None] * (rows - len(p.quotes[:rows]))


def read_prices(p: PriceFilling, criteria, rows: int) -> PriceRead:
    """The Prices sheet's results for `rows` vendor rows, from the engine (`pricing`)."""
    cells = _cells(p, rows)
    bad = [bad_quote(x) for x in cells]
    quotes = np.array([float(x) if is_number(x) else math.nan for x in cells], dtype=float)
    numbers = quotes[~np.isnan(quotes)]  # as COUNT, MIN, MAX and MEDIAN see the column (negatives too)
    method = choice_value(p.method)
    low, high = _used(p.low, numbers, np.min), _used(p.high, numbers, np.max)

    def bound_ok(x):
        return x is None or x == "" or (is_number(x) and x >= 0)

    at = criterion_at(p.criterion, criteria)
    if any(bad):
        check = PRICE_ROWS
    elif method not in ("", "linear", "ratio"):
        check = PRICE_METHOD
    elif not (bound_ok(p.low) and bound_ok(p.high)):
        check = PRICE_BOUND
    elif method == "ratio" and (p.low not in (None, "") or p.high not in (None, "")):
        check = PRICE_RATIO_BOUNDS
    elif is_number(low) and is_number(high) and low > high:
        check = PRICE_ORDER
    elif not (p.share in (None, "") or (is_number(p.share) and 0 < p.share <= 1)):
        check = PRICE_SHARE
    elif numbers.size and not at:
        check = PRICE_CRITERION
    else:
        check = PRICE_OK
    nan = np.full(rows, math.nan)
    scores, flags = nan, np.zeros(rows, dtype=bool)
    if check == PRICE_OK and numbers.size:  # (no quote: nothing to score, and pandas stays unloaded)
        typed = [None if x in (None, "") else float(x) for x in (p.low, p.high)]
        scores = price_scores(quotes, method or "linear", *typed)
        share = float(p.share) if is_number(p.share) else ABNORMALLY_LOW
        flags = abnormally_low(quotes, share)
    return PriceRead(check, check == PRICE_OK and bool(numbers.size), at, quotes, bad, scores, flags,
                     low, high, float(np.median(numbers)) if numbers.size else "", _criterion_text(p.criterion))


def method_values(p: PriceFilling, r: PriceRead, names, rank_of) -> tuple[dict[str, list[list]], dict | None]:
    """(the values of `_method_formulas`' cells, the vendor rows leading under each
    `pricing.Variant` compared, None without quotes); `rank_of(column)` ranks the vendor rows with
    `column` (a price score per row, NaN for none) in the price criterion: (rounded totals, ranks),
    NaN where not eligible; None when the vendors are not scored (rank_of None)."""
    n, v = len(names), len(VARIANTS)
    typed = is_number(p.low) or is_number(p.high)
    alt, keys = ([[""] * v for _ in range(n)] for _ in range(2))
    leads = [[False] * v for _ in range(n)]
    leaders, decides, check = [[""] for _ in range(v)], "", ""
    if r.on:
        bounds = (None if x in (None, "") else float(x) for x in (p.low, p.high))
        columns = (price_scores(r.quotes, "linear"), price_scores(r.quotes, "linear", *bounds) if typed else None,
                   price_scores(r.quotes, "ratio"))
        shown = ["" if x is None else excel_text(x) for x in names]
        sets = {}
        for j, column in enumerate(columns):
            ranked = None if column is None or rank_of is None else rank_of(column)
            led = np.zeros(n, dtype=bool)
            if column is not None:
                for i, x in enumerate(column.tolist()):
                    alt[i][j] = "" if math.isnan(x) else float(x)
            if ranked is not None:
                total, rank = ranked
                for i, x in enumerate(total.tolist()):
                    keys[i][j] = "" if math.isnan(x) else float(x)
                led = rank == 1
            for i, x in enumerate(led.tolist()):
                leads[i][j] = x
            if column is not None:
                first = np.flatnonzero(led)
                leaders[j] = [NO_LEADER if not first.size else shown[first[0]] + (
                    f" and {first.size - 1} more (tied)" if first.size > 1 else "")]
                sets[list(Variant)[j]] = tuple(first.tolist())
        decides = len(set(sets.values())) > 1
        check = METHOD_DECIDES if decides else METHOD_NONE if not sets[Variant.LINEAR] else METHOD_SAME
    best = [max([row[j] for row in keys if row[j] != ""], default=0.0) for j in range(v)]
    return ({"Calc_Price_Alt": alt, "Calc_Price_Keys": keys, "Calc_Price_Leads": leads, "Calc_Price_Best": [best],
             "Price_Method_Leaders": leaders, "Price_Method_Decides": [[decides]], "Price_Method_Check": [[check]]},
            sets if r.on else None)


def values_part(p: PriceFilling, criteria, names) -> dict[str, list[list]]:
    """The value of every Prices sheet formula cell (`names`: the vendor names of the rows)."""
    r = read_prices(p, criteria, len(names))
    note = PRICE_NOTE.format(criterion=r.criterion) if r.on else ""
    return {
        "Price_Check": [[r.check]],
        "Price_Note": [[note]],
        "Price_Low_Used": [[r.low]],
        "Price_High_Used": [[r.high]],
        "Price_Median": [[r.median]],
        "Price_Criterion_At": [[r.at]],
        "Price_On": [[r.on]],
        "Price_Vendors": [["" if x is None else excel_text(x)] for x in names],
        "Price_Quotes": [["" if x is None else x] for x in _cells(p, len(names))],
        "Price_Scores": [["" if math.isnan(x) else float(x)] for x in r.scores.tolist()],
        "Price_Flags": [[PRICE_FLAG if x else ""] for x in r.flags.tolist()],
        "Price_Checks": [[BAD_PRICE if x else ""] for x in r.bad],
    }


# ------------------------------------------------------------------ the sheet


def write_sheet(w) -> None:
    """Write the Prices sheet and the Scores sheet's technical column with the writer `w`
    (`writer._Writer`: its `ws`, `style`, `put`, `fill`, `formula`, `finish`)."""
    ws, p, n = w.ws[PRICES_SHEET], w.f.prices, w.names["Prices"].rows
    if len(p.quotes) > n:
        raise PartnerfitError(f"{len(p.quotes)} quotes do not fit in {n} rows")
    ws.set_tab_color("#C00000")
    ws.set_column(0, 0, 28)
    ws.set_column(1, 3, 16)
    ws.set_column(4, 4, 44)
    ws.set_column(5, 5 + len(BREAKDOWN) - 1, 14)
    ws.write_string(0, 0, "Prices", w.style("title"))
    ws.set_row(0, 24)
    ws.write_string(1, 0, f"Type each vendor's quoted total price in the {QUOTE_HEADER} column of the vendor table "
                          "(Vendors sheet: it moves with its vendor); this sheet scores it by the published "
                          "formula: linear between the low and the high price, or ratio (5 x lowest quote / "
                          "quote). Keep the quotes from the technical evaluators until they have scored "
                          "(partnerfit share --technical).", w.style("subtitle"))
    label, computed = w.style("label"), w.style("computed", "bold")
    for (name, text), value in zip(SETTINGS, (p.currency, p.method, p.low, p.high, p.share, p.criterion)):
        area = w.names[name]
        ws.write_string(area.row, 0, text, label)
        fmt = w.style("input", "percent") if name == "Price_Low_Share" else w.style("input")
        w.put(PRICES_SHEET, area.row, area.col, value, fmt)
    for name, text in COMPUTED:
        area = w.names[name]
        ws.write_string(area.row, area.col - 1, text, label)
        w.formula(name, computed)
    method = w.names["Price_Method"]
    ws.data_validation(method.row, method.col, method.row, method.col, {
        "validate": "list", "source": ["linear", "ratio"], "error_type": "stop",
        "error_title": "Not a method", "error_message": "Choose linear or ratio."})
    header = w.style("header")
    for col, text in enumerate((*HEADERS, *BREAKDOWN)):
        ws.write_string(_P_HEAD, col, text, header if col < len(HEADERS) else w.style("header", locked=False))
    ws.set_row(_P_HEAD, 32)
    money = w.style("input", num_format="#,##0.00")
    _write_quotes(w, p, n, money)
    w.formula("Price_Quotes", w.style("computed", num_format="#,##0.00"))
    first = _P_HEAD + 1
    for col in range(len(HEADERS), len(HEADERS) + len(BREAKDOWN)):
        for row in range(first, first + n):
            ws.write_blank(row, col, None, money)
    w.formula("Price_Vendors", w.style("computed", "bold"))
    w.formula("Price_Scores", w.style("computed", "score", "center"))
    w.formula("Price_Flags", w.style("computed", "bad"))
    w.formula("Price_Checks", w.style("computed", "bad"))
    ws.freeze_panes(first, 1)
    w.finish(PRICES_SHEET)
    scores = w.ws[SCORES]
    scores.write_string(_S_HEAD, TECHNICAL_COLUMN, "Technical score", header)
    w.formula("Technical_Scores", w.style("computed", "score", "center"))
    scores.set_column(METHOD_COLUMN, METHOD_COLUMN, 44)
    scores.set_column(METHOD_COLUMN + 1, METHOD_COLUMN + 1, 30)
    scores.write_string(_S_HEAD, METHOD_COLUMN, "Does the price formula decide the leader?", header)
    scores.write_string(_S_HEAD, METHOD_COLUMN + 1, "Leader", header)
    decides, leaders = w.names["Price_Method_Decides"], w.names["Price_Method_Leaders"]
    scores.write_string(decides.row, METHOD_COLUMN, "Leader changes with the formula", label)
    for k, (_, text) in enumerate(VARIANTS):
        scores.write_string(leaders.row + k, METHOD_COLUMN, text, label)
    w.formula("Price_Method_Decides", w.style("computed", "bold", "center"))
    w.formula("Price_Method_Leaders", w.style("computed", "bold"))
    w.formula("Price_Method_Check", w.style("computed", "wrap"))
    typed = w.names["Vendor_Scores"]  # the price criterion's typed scores, struck through while quotes score it
    corner = cell_ref(typed.row, typed.col, absolute=False)
    w.ws[typed.sheet].conditional_format(typed.row, typed.col, typed.row + typed.rows - 1, typed.col + typed.cols - 1, {
        "type": "formula", "format": w.style(font_strikeout=True, font_color="#7F7F7F"),
        "criteria": f'=AND(Price_On,COLUMN({corner})-{typed.col}=Price_Criterion_At,LEN({corner}&"")>0)'})


def _write_quotes(w, p: PriceFilling, n: int, fmt) -> None:
    """The vendor table's quote column: the quotes, a width, and a note on what a quote is."""
    area = w.names["Prices"]
    w.fill("Prices", [[x] for x in _cells(p, n)], fmt)
    ws = w.ws[area.sheet]
    ws.set_column(area.col, area.col, 16)
    ws.data_validation(area.row, area.col, area.row + area.rows - 1, area.col, {
        "validate": "decimal", "criteria": ">", "value": 0, "error_type": "warning",
        "input_title": QUOTE_HEADER, "input_message": "The quoted total, in the Prices sheet's currency; "
                                                      "blank: no quote. Scored on the Prices sheet.",
        "error_title": "Not a price", "error_message": BAD_PRICE[:255]})


# ------------------------------------------------------------------ the command line


_SETTING_CELL = {PRICE_METHOD: "Price_Method", PRICE_BOUND: "Price_Low", PRICE_RATIO_BOUNDS: "Price_Low",
                 PRICE_ORDER: "Price_Low", PRICE_SHARE: "Price_Low_Share", PRICE_CRITERION: "Price_Criterion"}


def _read(inputs) -> PriceRead | None:
    p = inputs.prices
    return None if p is None else read_prices(p, inputs.criteria_cells, len(p.quotes))


def _vendor(inputs, row: int) -> str:
    cells = inputs.vendor_cells
    name = cells[row] if row < len(cells) else None
    return f"row {row + 1}" if name is None or not str(name).strip() else str(name).strip()


def price_problems(inputs) -> list:
    """A problem for each bad quote (naming its cell and vendor) and for a bad setting."""
    from .model import Code, Problem

    r = _read(inputs)
    if r is None:
        return []
    area, quotes = inputs.areas["Prices"], inputs.prices.quotes
    out = [Problem(area.address(k), f"{show(quotes[k])} for {_vendor(inputs, k)} is not a price; "
                   f"{BAD_PRICE[0].lower()}{BAD_PRICE[1:]}", Code.PRICE) for k in np.flatnonzero(r.bad)]
    if r.check not in (PRICE_OK, PRICE_ROWS):
        out.append(Problem(inputs.areas[_SETTING_CELL[r.check]].address(), r.check, Code.PRICE))
    return out


def price_notes(inputs) -> list:
    """Notes: abnormally low quotes (the score stands) and the typed price-criterion scores ignored."""
    from .model import Code, Problem

    r = _read(inputs)
    if r is None or not r.on:
        return []
    p, area = inputs.prices, inputs.areas["Prices"]
    share = float(p.share) if is_number(p.share) else ABNORMALLY_LOW
    out = [Problem(area.address(k), f"{_vendor(inputs, k)} quotes {r.quotes[k]:,.2f}, below {share:.0%} of the "
                   f"median quote ({r.median:,.2f}): abnormally low; ask the vendor to explain the price "
                   "(the score stands)", Code.ABNORMALLY_LOW) for k in np.flatnonzero(r.flags)]
    column = [row[r.at - 1] for row in inputs.cells] if r.at - 1 in inputs.criteria_rows else []
    if any(not (x is None or x == "") for x in column):
        scores = inputs.areas["Vendor_Scores"]
        out.append(Problem(scores.address(0, r.at - 1), PRICE_NOTE.format(criterion=r.criterion),
                           Code.PRICE_REPLACES))
    return out


def price_column(inputs) -> tuple[int, np.ndarray] | None:
    """(j, price score per named vendor) when the quotes fill the used criterion j, else None."""
    r = _read(inputs)
    if r is None or not r.on or r.at - 1 not in inputs.criteria_rows:
        return None
    return inputs.criteria_rows.index(r.at - 1), r.scores[inputs.vendor_rows]


@dataclass(frozen=True)
class PriceResult:
    """What `score` adds when the quotes score the price criterion (`price_result`)."""

    quotes: list
    scores: list
    abnormally_low: list[bool]
    technical: np.ndarray
    method_check: object
    """`pricing.MethodCheck`."""
    currency: str
    method: str
    criterion: str


def price_result(inputs, computation) -> PriceResult | None:
    """What `score` reports of the quotes, read off the workbook's computation (`results.compute`):
    None unless the quotes score a used criterion."""
    column = price_column(inputs)
    if column is None:
        return None
    values, rows, p = computation.native, inputs.vendor_rows, inputs.prices

    def cells(name):
        return [values[name][i][0] for i in rows]

    low, high = (float(x) if is_number(x) else None for x in (p.low, p.high))
    name_of = dict(zip(rows, inputs.vendors))
    leaders = {variant: tuple(name_of[i] for i in led) for variant, led in computation.leaders.items()}
    return PriceResult(
        [float(x) if is_number(x) else None for x in cells("Price_Quotes")],
        [float(x) if is_number(x) else None for x in cells("Price_Scores")],
        [x == PRICE_FLAG for x in cells("Price_Flags")],
        np.array([x if is_number(x) else math.nan for x in cells("Technical_Scores")], dtype=float),
        describe(leaders, low, high), "" if p.currency is None else str(p.currency),
        choice_value(p.method) or "linear", inputs.criteria[column[0]])


# ------------------------------------------------------------------ the technical evaluators' copy


def technical_cells(f) -> dict[str, list[list]]:
    """The input cells to blank or zero, by name, in the technical copy of filling `f`: the quotes and
    price settings blank, and the price criterion left out of the scores (weight 0, no must-have,
    its typed and evaluated scores blank), so that the copy's scores are the technical scores."""
    from dataclasses import replace

    from .groups import technical_groups

    if choice_value(f.use_ahp) == "yes":
        raise PartnerfitError("Use AHP weights is Yes: the technical copy leaves the price criterion out by giving "
                              "it weight 0; set Use AHP weights to No (Criteria sheet) to make it")
    j = criterion_at(f.prices.criterion, f.criteria) - 1
    blank_prices = {name: [[None]] for name in PRICE_INPUT_NAMES if name != "Prices"}
    blank_prices["Prices"] = [[None]] * max(f.capacity, f.formula_rows)
    if j < 0:
        return blank_prices

    def without(cells):
        return (*cells[:j], None, *cells[j + 1:])

    vendors = tuple(replace(v, scores=without(v.scores)) for v in f.vendors)
    grids = tuple(replace(g, scores=tuple(without(row) for row in g.scores)) for g in f.grids)
    weights, minimums = list(f.weights), list(f.minimums)
    weights[j], minimums[j] = 0.0, None
    groups = technical_groups(f.groups, f.criteria, j, weights)
    technical = replace(f, vendors=vendors, grids=grids, weights=tuple(weights),
                        minimums=tuple(minimums), prices=PriceFilling(), groups=groups)
    cells = {
        **blank_prices,
        **({"Group_Weights": [[w] for w in groups.weights]} if groups is not f.groups else {}),
        "Weights": [[w] for w in weights],
        "Minimums": [[x] for x in minimums],
        "Vendor_Scores": [list(v.scores) for v in technical.rows()],
    }
    for g, grid in enumerate(technical.grid_cells()[:len(f.grids)], start=1):
        cells[f"Grid_{g}_Scores"] = [list(row) for row in grid.scores]
    return cells


PRICE_PART_NAMES = ("Prices", *(name for name in layout_part(1) if name != "Technical_Scores"))
"""The defined names a technical copy leaves out: the quotes, the Prices sheet's and the method
check's (the Technical_Scores column stays: no price in it)."""
PRICE_NAME = re.compile(r"\b(" + "|".join(sorted(PRICE_PART_NAMES, key=len, reverse=True)) + r")\b")
"""A price name in a formula (of a cell, a defined name or a conditional format)."""
