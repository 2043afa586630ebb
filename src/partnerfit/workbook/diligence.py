"""The workbook's due-diligence inputs: one column per `DD_` field in the vendor table itself, and
the supply's criticality and the evaluation date on the Program sheet.

Why columns of the vendor table and not a sheet of their own: the table's names are structured
references (`VendorTable[FDA class]`), so a vendor's due diligence moves with its row whatever
the user does (inserts, deletes, sorts, grows the table), and per-vendor formulas read it by the
same position as its name and scores (`INDEX(DD_FDA_Class,k)`); a separate sheet tied by vendor
name would break silently on a renamed vendor. The rule itself lives in `due_diligence.py`.
"""

from __future__ import annotations

import datetime as dt

from ..due_diligence import FIELDS, AuditOutcome, FDAClass, YesNo
from ..qualification import Criticality

DD_COLUMNS = {
    "DD_FDA_Class": ("FDA class", FDAClass.labels(), "NAI, VAI or OAI of the last FDA inspection; blank: not checked."),
    "DD_FDA_Date": ("FDA inspection date", None, "Date of that inspection (YYYY-MM-DD)."),
    "DD_483_Count": ("Form 483 observations", None, "Observations at that inspection (0 or more)."),
    "DD_Warning_Letter": ("Warning letter date", None, "Date of the last warning letter; blank: none."),
    "DD_Import_Alert": ("Import alert", YesNo.labels(), "An FDA import alert in force (Yes/No)."),
    "DD_EU_Noncompliance": ("EU non-compliance", YesNo.labels(), "An EU statement of GMP non-compliance (Yes/No)."),
    "DD_Audit_Outcome": ("Audit outcome", AuditOutcome.labels(), "Outcome of your last audit or questionnaire."),
    "DD_Audit_Date": ("Audit date", None, "Date of your last audit or questionnaire."),
    "DD_Open_CAPAs": ("Open critical/major CAPAs", None, "Open critical or major CAPAs (0 or more)."),
    "DD_Override": ("Override knock-out", YesNo.labels(), "Yes keeps a knocked-out vendor, with the reason."),
    "DD_Override_Reason": ("Override reason", None, "Why the knock-out is overridden (recorded)."),
}
"""Each vendor-table due-diligence column: its defined name -> (header, drop-down list, input message);
`layout.table_names` makes each name the structured reference to its header."""
DD_NAMES = tuple(DD_COLUMNS)
DATE_NAMES = frozenset({"DD_FDA_Date", "DD_Warning_Letter", "DD_Audit_Date", "Evaluation_Date"})
PROGRAM_NAMES = ("Supply_Criticality", "Evaluation_Date")
PROGRAM_ROWS = {"Supply_Criticality": 18, "Evaluation_Date": 19}
"""Program sheet rows (0-based) of the supply's criticality and the evaluation date."""
assert set(DD_NAMES) | {"DD_Criticality"} == set(FIELDS)  # the engine's fields, the Program sheet's criticality


def layout_part(area, first_row: int, first_col: int, rows: int) -> dict:
    """The due-diligence names, made by `area(cell_name, ...)` (`layout.Area` of the vendor
    table's sheet, or of the Program sheet): vendor-table columns from `first_col`, and the
    Program inputs."""
    return {
        **{name: area("vendors", first_row, first_col + j, rows) for j, name in enumerate(DD_NAMES)},
        **{name: area("program", row, 1) for name, row in PROGRAM_ROWS.items()},
    }


def headers() -> tuple[str, ...]:
    return tuple(header for header, _, _ in DD_COLUMNS.values())


def write_columns(writer, rows) -> None:
    """Fill the vendor table's due-diligence columns (`rows`: per vendor row, one value per DD name)."""
    names = writer.names
    ws = writer.ws[names[DD_NAMES[0]].sheet]
    text, date = writer.style("input"), writer.style("input", num_format="yyyy-mm-dd")
    for j, name in enumerate(DD_NAMES):
        area = names[name]
        ws.set_column(area.col, area.col, 30 if name == "DD_Override_Reason" else 14)
        for i, row in enumerate(rows):
            _put(writer, area.sheet, area.row + i, area.col, row[j] if j < len(row) else None,
                 date if name in DATE_NAMES else text)
        for i in range(len(rows), area.rows):
            ws.write_blank(area.row + i, area.col, None, date if name in DATE_NAMES else text)
        header, choices, message = DD_COLUMNS[name]
        validation = {"input_title": header[:32], "input_message": message[:255]}
        if choices:
            validation.update(validate="list", source=list(choices), error_type="warning",
                              error_title="Not in the list", error_message=("Expected " + ", ".join(choices))[:255])
        else:
            validation.update(validate="any")
        ws.data_validation(area.row, area.col, area.row + area.rows - 1, area.col, validation)


def write_program(writer, criticality, evaluation_date) -> None:
    """The Program sheet's due-diligence section: the supply's criticality and the evaluation date."""
    sheet = writer.names["Supply_Criticality"].sheet
    ws = writer.ws[sheet]
    top = PROGRAM_ROWS["Supply_Criticality"] - 1
    ws.write_string(top, 0, "Supply and due diligence", writer.style("section"))
    ws.write_blank(top, 1, None, writer.style("section"))
    for name, label, value, fmt, choices in (
        ("Supply_Criticality", "Supply criticality (drop-down)", criticality,
         writer.style("input"), Criticality.labels()),
        ("Evaluation_Date", "Evaluation date (blank: today)", evaluation_date,
         writer.style("input", "left", num_format="yyyy-mm-dd"), None),
    ):
        row = PROGRAM_ROWS[name]
        ws.write_string(row, 0, label, writer.style("label"))
        _put(writer, sheet, row, 1, value, fmt)
        if choices:
            ws.data_validation(row, 1, row, 1, {"validate": "list", "source": list(choices), "error_type": "warning",
                                                "error_title": "Not in the list",
                                                "error_message": "Expected " + ", ".join(choices)})


def _put(writer, sheet: str, row: int, col: int, value, fmt) -> None:
    """A value as typed; a date as an Excel date."""
    if isinstance(value, dt.date):
        writer.ws[sheet].write_datetime(row, col, value, fmt)
    else:
        writer.put(sheet, row, col, value, fmt)


def columns(source, inputs) -> dict[str, list] | None:
    """The due diligence of the scored vendors as entered: each DD_ name's cells in the vendors'
    order, and DD_Criticality the supply's criticality; None when the workbook has no DD_ names."""
    if not all(source.has(name) for name in DD_NAMES):
        return None
    cells = {name: [row[0] for row in source.block(name)] for name in DD_NAMES}
    cells = {name: [column[i] if i < len(column) else None for i in inputs.vendor_rows]
             for name, column in cells.items()}
    cells["DD_Criticality"] = source.block("Supply_Criticality")[0][0] if source.has("Supply_Criticality") else None
    return cells


def as_frame(cells: dict[str, list] | None, vendors: list[str]):
    """`columns` as the engine reads them: a DataFrame indexed by vendor (None stays None)."""
    import pandas as pd

    if cells is None:
        return None
    table = pd.DataFrame({name: cells[name] for name in DD_NAMES}, index=pd.Index(vendors, name="vendor"),
                         dtype=object)
    table["DD_Criticality"] = cells["DD_Criticality"]
    return table


def frame(source, inputs):
    """The due diligence of the scored vendors as the engine reads it (index: vendor names), with
    the supply's criticality in DD_Criticality; None when the workbook has no DD_ names."""
    return as_frame(columns(source, inputs), inputs.vendors)


def evaluation_date(source):
    """The Evaluation_Date cell (None: blank or absent, which the engine reads as today)."""
    return source.block("Evaluation_Date")[0][0] if source.has("Evaluation_Date") else None


def schedule(source, inputs):
    """`due_diligence.review_schedule` of the workbook's vendors (tier from the Program sheet's
    supply criticality, the workbook's partner type, modality and stage); None without DD_ names."""
    from ..due_diligence import review_schedule

    if inputs.due_diligence is None:
        return None
    partner_type = source.block("Weight_Profile")[0][0] if source.has("Weight_Profile") else "CDMO"
    return review_schedule(inputs.due_diligence, partner_type, inputs.program.get("modality"),
                           inputs.program.get("stage"), inputs.evaluation_date)


def recorded(inputs) -> dict | None:
    """The due diligence as the checksum covers it (None when every DD_ cell, the criticality and
    the evaluation date are blank: copies made before these columns keep their checksum)."""
    from ..cells import is_blank

    table = inputs.due_diligence_cells
    if table is None:
        return None
    cells = {str(vendor): list(row) for vendor, row in zip(inputs.vendors, zip(*(table[n] for n in DD_NAMES)))}
    supply = {"criticality": table["DD_Criticality"] if inputs.vendors else None,
              "evaluation_date": inputs.evaluation_date}
    values = [v for row in cells.values() for v in row] + list(supply.values())
    if all(is_blank(v) for v in values):
        return None
    return {"vendors": {k: [_day(v) for v in row] for k, row in cells.items()},
            **{k: _day(v) for k, v in supply.items()}}


def _day(value):
    """A date cell as its ISO day (a reader may give a date or a datetime at midnight)."""
    return value.date().isoformat() if isinstance(value, dt.datetime) and value.time() == dt.time() else \
        value.isoformat() if isinstance(value, dt.date) else value


# --- the knock-outs: engine reading of the inputs, and the Calc sheet's native formulas ------------


def knocked_out(dd_status):
    """True for a due-diligence status that takes the vendor out of the ranking."""
    import numpy as np

    from ..due_diligence import INVALID_STATUS

    texts = np.asarray(dd_status, dtype=object).astype(str)
    return np.char.startswith(texts, "Knocked out") | (texts == INVALID_STATUS)


CALC_NAMES = ("Calc_DD_Today", "Calc_DD_Start", "Calc_DD_Valid", "Calc_DD_Cause", "DD_Statuses")
"""The Calc sheet's due-diligence cells: the evaluation date (TODAY() when blank) and the start of
the look-back window, then per vendor row: its DD cells are valid, the knock-out cause named, and
its status ("Eligible", "Knocked out: ...", "Overridden: ...", `due_diligence.INVALID_STATUS`)."""
CALC_HEADERS = ("DD valid", "DD knock-out", "Due diligence")


def calc_part(area, first_row: int, col: int, rows: int) -> dict:
    """The Calc names, made by `area(row, col, rows)` from column `col` (vendors from `first_row`)."""
    return {"Calc_DD_Today": area(2, col, 1), "Calc_DD_Start": area(3, col, 1),
            **{name: area(first_row, col + j, rows) for j, name in enumerate(CALC_NAMES[2:])}}


def _norm(x: str) -> str:
    """A typed choice as `domain.Choice.parse` compares it: lower case, trimmed, _ and - as spaces."""
    return f'LOWER(TRIM(SUBSTITUTE(SUBSTITUTE(CLEAN({x}&""),"_"," "),"-"," ")))'


def _is(x: str, *members) -> str:
    from ..domain import _normalise

    keys = sorted({_normalise(k) for m in members for k in (m.value, *m.synonyms)})
    return f'SUMPRODUCT(--({_norm(x)}={{{",".join(chr(34) + k + chr(34) for k in keys)}}}))>0'


def _blank(x: str) -> str:
    return f'AND(NOT(ISNUMBER({x})),TRIM({x}&"")="")'


def _day_formula(x: str) -> str:
    """The date serial of a date cell (a number, or ISO text YYYY-MM-DD...); -1 when unreadable."""
    t = f'TRIM({x}&"")'
    return (f'IF(ISNUMBER({x}),INT({x}),IF(AND(ISTEXT({x}),LEN({t})>=10,MID({t},5,1)="-",MID({t},8,1)="-"),'
            f'IFERROR(DATEVALUE(LEFT({t},10)),-1),-1))')


def _iso(serial: str) -> str:
    """YYYY-MM-DD of a serial without TEXT's locale-dependent date codes."""
    return f'YEAR({serial})&"-"&TEXT(MONTH({serial}),"00")&"-"&TEXT(DAY({serial}),"00")'


_EPOCH_1970 = 25569
"""The Excel serial of 1970-01-01 (`due_diligence.EARLIEST`)."""


def formulas_part(calc_present, calc_cell) -> dict:
    """The Calc names' formulas (name -> f(i, j)); `calc_present(i)` is vendor row i's Present
    cell, `calc_cell(i, name)` the cell of a per-vendor Calc name."""
    from ..cells import NOT_SCORED
    from ..due_diligence import INVALID_STATUS

    def x(name, i):
        return f"INDEX({name},{i + 1})"

    def choice_ok(name, i, kind):
        return f'OR({_norm(x(name, i))}="",{_is(x(name, i), *kind)})'

    not_scored = "{" + ",".join(f'"{t}"' for t in sorted(NOT_SCORED)) + "}"

    def count_ok(name, i):
        c, t = x(name, i), f"TRIM({x(name, i)}&\"\")"
        return (f'IF(ISLOGICAL({c}),FALSE,IF(ISNUMBER({c}),AND({c}>=0,{c}=INT({c})),'
                f'OR(SUMPRODUCT(--(LOWER({t})={not_scored}))>0,'
                f'IFERROR(AND(VALUE({t})>=0,VALUE({t})=INT(VALUE({t}))),FALSE))))')

    def date_ok(name, i):
        d = _day_formula(x(name, i))
        return f"OR({_blank(x(name, i))},AND({d}>={_EPOCH_1970},{d}<=Calc_DD_Today))"

    def reason(i):
        r = x("DD_Override_Reason", i) + '&""'
        for code in (10, 13, 9):
            r = f'SUBSTITUTE({r},CHAR({code})," ")'
        return f"TRIM({r})"

    def overridden(i):
        return _is(x("DD_Override", i), YesNo.YES)

    def valid(i):
        checks = [f"Calc_DD_Today>={_EPOCH_1970}",
                  choice_ok("DD_FDA_Class", i, FDAClass), choice_ok("DD_Audit_Outcome", i, AuditOutcome),
                  *(choice_ok(n, i, YesNo) for n in ("DD_Import_Alert", "DD_EU_Noncompliance", "DD_Override")),
                  count_ok("DD_483_Count", i), count_ok("DD_Open_CAPAs", i),
                  *(date_ok(n, i) for n in ("DD_FDA_Date", "DD_Warning_Letter", "DD_Audit_Date")),
                  f'NOT(AND({overridden(i)},{reason(i)}=""))']
        return f"=IF({calc_present(i)},AND({','.join(checks)}),FALSE)"

    def dated(name, i):
        return f'IF({_blank(x(name, i))},"(date not given)",{_iso(_day_formula(x(name, i)))})'

    def cause(i):
        letter, fda = x("DD_Warning_Letter", i), x("DD_FDA_Date", i)
        return (f'=IF(NOT({calc_cell(i, "Calc_DD_Valid")}),"",'
                f'IF({_is(x("DD_Import_Alert", i), YesNo.YES)},"import alert",'
                f'IF({_is(x("DD_EU_Noncompliance", i), YesNo.YES)},"EU non-compliance statement",'
                f'IF(AND(NOT({_blank(letter)}),{_day_formula(letter)}>=Calc_DD_Start),"warning letter "&{_iso(_day_formula(letter))},'
                f'IF(AND({_is(x("DD_FDA_Class", i), FDAClass.OAI)},OR({_blank(fda)},{_day_formula(fda)}>=Calc_DD_Start)),'
                f'"OAI inspection "&{dated("DD_FDA_Date", i)},'
                f'IF({_is(x("DD_Audit_Outcome", i), AuditOutcome.NOT_ACCEPTABLE)},'
                f'"audit not acceptable "&{dated("DD_Audit_Date", i)},""))))))')

    def status(i):
        named = calc_cell(i, "Calc_DD_Cause")
        return (f'=IF(NOT({calc_present(i)}),"",IF(NOT({calc_cell(i, "Calc_DD_Valid")}),"{INVALID_STATUS}",'
                f'IF({named}="","Eligible",IF({overridden(i)},"Overridden: "&{named}&" (reason: "&{reason(i)}&")",'
                f'"Knocked out: "&{named}))))')

    today = "Evaluation_Date"
    return {
        "Calc_DD_Today": lambda i, j: (f"=IF({_blank(today)},TODAY(),"
                                        f"IF({_day_formula(today)}>={_EPOCH_1970},{_day_formula(today)},-1))"),
        "Calc_DD_Start": lambda i, j: f'=IF(Calc_DD_Today<{_EPOCH_1970},"",EDATE(Calc_DD_Today,-24))',
        "Calc_DD_Valid": lambda i, j: valid(i),
        "Calc_DD_Cause": lambda i, j: cause(i),
        "DD_Statuses": lambda i, j: status(i),
    }


def values_part(filling, present) -> dict:
    """The Calc names' values as the engine computes them (`due_diligence.vendor_statuses` on the
    listed vendor rows)."""
    import numpy as np

    from ..due_diligence import EARLIEST, LOOKBACK_YEARS, PartnerfitError, _date, add_years, due_diligence

    n = len(present)
    try:
        today = _date(filling.evaluation_date, "evaluation_date")
        serial = float((today - np.datetime64("1899-12-30", "D")).astype(int))
        ok = today >= EARLIEST
    except PartnerfitError:
        ok = False
    start = float((add_years(today, -LOOKBACK_YEARS) - np.datetime64("1899-12-30", "D")).astype(int)) if ok else ""
    rows = [tuple(r) + (None,) * (len(DD_NAMES) - len(r)) for r in filling.due_diligence[:n]]
    rows += [(None,) * len(DD_NAMES)] * (n - len(rows))
    listed = [i for i in range(n) if present[i]]
    valid, cause, status = [False] * n, [""] * n, [""] * n
    if listed:  # (pandas only then: a blank template does not load it)
        import pandas as pd

        table = pd.DataFrame([rows[i] for i in listed], columns=list(DD_NAMES), index=range(len(listed)), dtype=object)
        from ..due_diligence import vendor_statuses

        texts, refused = vendor_statuses(table, filling.evaluation_date)
        bad = {k for k, _ in refused} if all(k >= 0 for k, _ in refused) else set(range(len(listed)))
        good = [k for k in range(len(listed)) if k not in bad]
        named = due_diligence(table.iloc[good], filling.evaluation_date)["knock_out"].tolist() if good else []
        for k, i in enumerate(listed):
            status[i] = texts[k]
            valid[i] = k not in bad
        for k, text in zip(good, named):
            cause[listed[k]] = text
    return {
        "Calc_DD_Today": [[serial if ok else -1.0]],
        "Calc_DD_Start": [[start]],
        "Calc_DD_Valid": [[v] for v in valid],
        "Calc_DD_Cause": [[c] for c in cause],
        "DD_Statuses": [[s] for s in status],
    }
