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

from ..domain import normalise
from ..due_diligence import (
    FIELDS,
    REASONS,
    AuditOutcome,
    FDAClass,
    YesNo,
    suggestion_used,
)
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
REASON_COLUMN = {REASONS: (
    "Track record reason", None,
    "Why the evaluator's own Regulatory track record score; blank: the suggested score is used.")}
"""The vendor-table column right of the DD_ columns: with a reason, the typed Regulatory track record
score stands; without one, the suggested score (`DD_Suggested_Scores`) replaces it."""
INPUT_COLUMNS = {**DD_COLUMNS, **REASON_COLUMN}
COLUMN_NAMES = tuple(INPUT_COLUMNS)
"""The vendor table's due-diligence columns, left to right (`Filling.due_diligence` rows hold them)."""
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
        **{name: area("vendors", first_row, first_col + j, rows) for j, name in enumerate(COLUMN_NAMES)},
        **{name: area("program", row, 1) for name, row in PROGRAM_ROWS.items()},
    }


def headers() -> tuple[str, ...]:
    return tuple(header for header, _, _ in INPUT_COLUMNS.values())


def write_columns(writer, rows) -> None:
    """Fill the vendor table's due-diligence columns (`rows`: per vendor row, one value per
    `COLUMN_NAMES` name; a shorter row is blank on the right)."""
    names = writer.names
    ws = writer.ws[names[DD_NAMES[0]].sheet]
    text, date = writer.style("input"), writer.style("input", num_format="yyyy-mm-dd")
    for j, name in enumerate(COLUMN_NAMES):
        area = names[name]
        ws.set_column(area.col, area.col, 30 if name in ("DD_Override_Reason", "Track_Record_Reasons") else 14)
        for i, row in enumerate(rows):
            _put(writer, area.sheet, area.row + i, area.col, row[j] if j < len(row) else None,
                 date if name in DATE_NAMES else text)
        for i in range(len(rows), area.rows):
            ws.write_blank(area.row + i, area.col, None, date if name in DATE_NAMES else text)
        header, choices, message = INPUT_COLUMNS[name]
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


def columns(inputs) -> dict[str, list]:
    """The due diligence of the scored vendors as entered: each DD_ name's cells in the vendors'
    order, DD_Criticality the supply's criticality and, when the table has the column,
    Track_Record_Reasons (from `inputs.filling`)."""
    fill = inputs.filling
    rows = [tuple(r) for r in fill.due_diligence]
    width = len(rows[0]) if rows else len(DD_NAMES)
    cells = {name: [rows[i][k] if i < len(rows) else None for i in inputs.vendor_rows]
             for k, name in enumerate(COLUMN_NAMES[:width])}
    cells["DD_Criticality"] = fill.supply_criticality
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


def schedule(inputs):
    """`due_diligence.review_schedule` of the workbook's vendors (tier from the Program sheet's
    supply criticality, the workbook's partner type, modality and stage); None without DD_ names."""
    from ..due_diligence import review_schedule

    if inputs.due_diligence is None:
        return None
    return review_schedule(inputs.due_diligence, inputs.partner_type, inputs.program.get("modality"),
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


def recorded_reasons(inputs) -> dict | None:
    """The Track_Record_Reasons cells by vendor as the checksum covers them (None when all are
    blank or the column is absent: copies made before it keep their checksum)."""
    from ..cells import is_blank

    table = inputs.due_diligence_cells
    reasons = None if table is None else table.get(REASONS)
    if reasons is None or all(is_blank(v) for v in reasons):
        return None
    return {str(vendor): reason for vendor, reason in zip(inputs.vendors, reasons)}


def _day(value):
    """A date cell as its ISO day (a reader may give a date or a datetime at midnight)."""
    return value.date().isoformat() if isinstance(value, dt.datetime) and value.time() == dt.time() else \
        value.isoformat() if isinstance(value, dt.date) else value


# --- the knock-outs: engine reading of the inputs, and the Calc sheet's native formulas ------------


OVERRIDE_SHOWN = " (due-diligence override)"
"""What the Scores sheet's Status cell and `score`'s table show after "Eligible" for a vendor whose
knock-out is overridden (the value stays "Eligible": the counts, ranks and JSON read it)."""


def shown_status(status: str, dd_status: str | None) -> str:
    """A vendor's status as shown: "Eligible (due-diligence override)" for an eligible vendor whose
    due-diligence status is "Overridden: ...", else the status."""
    overridden = status == "Eligible" and str(dd_status or "").startswith("Overridden:")
    return status + OVERRIDE_SHOWN if overridden else status


def knocked_out(dd_status):
    """True for a due-diligence status that takes the vendor out of the ranking."""
    import numpy as np

    from ..due_diligence import INVALID_STATUS

    texts = np.asarray(dd_status, dtype=object).astype(str)
    return np.char.startswith(texts, "Knocked out") | (texts == INVALID_STATUS)


CALC_NAMES = ("Calc_DD_Today", "Calc_DD_Start", "Calc_DD_Valid", "Calc_DD_Cause", "DD_Statuses",
              "Calc_DD_Not_Checked", "Calc_DD_Causes", "Calc_DD_Rule", "Calc_DD_Findings", "DD_Suggested_Scores", "DD_Score_Reasons",
              "Calc_DD_Use_Suggested", "Calc_DD_Tier", "DD_Tiers", "DD_Activities", "DD_Next_Reviews")
"""The Calc sheet's due-diligence cells: the evaluation date (TODAY() when blank) and the start of
the look-back window, then per vendor row: its DD cells are valid, the knock-out cause named, its
status ("Eligible", "Knocked out: ...", "Overridden: ...", `due_diligence.INVALID_STATUS`), what
was not checked, every knock-out cause, the suggested-score table's row that applies (1-7) and the favourable findings, the suggested Regulatory track record score ("" when nothing was checked or the
row is not valid) and its reason, and whether the suggestion replaces the typed score (a
suggestion and no Track_Record_Reasons text); Calc_DD_Tier (row 3 beside the window start) is
the programme's tier ("" when the supply criticality, modality or stage is not valid), then per
vendor row its tier, qualification activity and next review date (a serial; "" for an audit date
that is not valid), as `due_diligence.review_schedule` gives them."""
DAY_FIELDS = ("DD_FDA_Date", "DD_Warning_Letter", "DD_Audit_Date")
"""The vendor table's date columns, whose reading Calc_DD_Days holds (a column each, right of the
CALC_NAMES columns after a spacer): per vendor row the date's serial when it is a date from
1970-01-01 to the evaluation date, -1 when blank, -2 otherwise. The other due-diligence formulas
read it instead of parsing the date cell again (each did up to twelve times: LibreOffice spent most
of a workbook's opening compiling those formulas)."""
CHOICE_FIELDS = {"DD_FDA_Class": FDAClass, "DD_Import_Alert": YesNo, "DD_EU_Noncompliance": YesNo,
                 "DD_Audit_Outcome": AuditOutcome, "DD_Override": YesNo}
"""The vendor table's choice columns, whose reading Calc_DD_Choices holds (a column each, right of
Calc_DD_Days): per vendor row the choice's position in its list (1 for the first: NAI, Yes,
Acceptable), -1 when blank, 0 for text that normalises to nothing ("_"), -2 otherwise."""
COUNT_FIELDS = ("DD_483_Count", "DD_Open_CAPAs")
"""The vendor table's count columns, whose reading Calc_DD_Counts holds (a column each, right of
Calc_DD_Choices): per vendor row the count (a whole number 0 or more, typed or as text), -1 when
blank, -3 for text meaning "not scored" ("n/a"), -2 otherwise. With Calc_DD_Days and
Calc_DD_Choices, every due-diligence formula reads these cells, not the vendor table (typed cells
parsed once a row: half the formulas' text)."""
NO_DATE = "(date not given)"
"""Calc_DD_Day_Texts (right of Calc_DD_Counts) holds per vendor row each date column as the texts show
it: YYYY-MM-DD, NO_DATE when blank, "" when not valid; Calc_DD_Typed_Days (right of it) the date
cell as typed, which Calc_DD_Days checks: its serial (a number's whole part, ISO text's date), -1
when unreadable, "" when blank."""
CALC_HEADERS = ("DD valid", "DD knock-out", "Due diligence", "DD not checked", "DD knock-outs", "DD score rule", "DD findings",
                "Suggested track record",
                "Suggestion's reason", "Suggestion used", "", "Tier", "Qualification activity", "Next review", "",
                "Day: FDA inspection", "Day: warning letter", "Day: audit", "Choice: FDA class", "Choice: import alert",
                "Choice: EU non-compliance", "Choice: audit outcome", "Choice: override", "Count: Form 483",
                "Count: open CAPAs", "Text: FDA inspection", "Text: warning letter", "Text: audit",
                "Typed: FDA inspection", "Typed: warning letter", "Typed: audit")


def calc_part(area, first_row: int, col: int, rows: int) -> dict:
    """The Calc names, made by `area(row, col, rows)` from column `col` (vendors from `first_row`)."""
    return {"Calc_DD_Today": area(2, col, 1), "Calc_DD_Start": area(3, col, 1), "Calc_DD_Tier": area(3, col + 1, 1),
            **{name: area(first_row, col + j, rows) for j, name in enumerate(CALC_NAMES[2:]) if name != "Calc_DD_Tier"},
            "Calc_DD_Days": area(first_row, days := col + len(CALC_NAMES) - 1, rows, len(DAY_FIELDS)),
            "Calc_DD_Choices": area(first_row, days + len(DAY_FIELDS), rows, len(CHOICE_FIELDS)),
            "Calc_DD_Counts": area(first_row, days + len(DAY_FIELDS) + len(CHOICE_FIELDS), rows, len(COUNT_FIELDS)),
            "Calc_DD_Day_Texts": area(first_row, texts := days + len(DAY_FIELDS) + len(CHOICE_FIELDS) + len(COUNT_FIELDS),
                                      rows, len(DAY_FIELDS)),
            "Calc_DD_Typed_Days": area(first_row, texts + len(DAY_FIELDS), rows, len(DAY_FIELDS))}


SERIAL_NAMES = ("Calc_DD_Today", "Calc_DD_Start", "Calc_DD_Days", "Calc_DD_Counts", "Calc_DD_Typed_Days")
"""Calc names shown as plain numbers: LibreOffice would show a date cell's serial (or count) as a date."""


def _norm(x: str) -> str:
    """A typed choice as `domain.Choice.parse` compares it: lower case, trimmed, _ and - as spaces."""
    return f'LOWER(TRIM(SUBSTITUTE(SUBSTITUTE(CLEAN({x}&""),"_"," "),"-"," ")))'


def _is(x: str, *members) -> str:
    keys = sorted({normalise(k) for m in members for k in (m.value, *m.synonyms)})
    return f'SUMPRODUCT(--({_norm(x)}={{{",".join(chr(34) + k + chr(34) for k in keys)}}}))>0'


def _keys(kind) -> dict[str, int]:
    """Each text a choice of `kind` may be typed as (normalised as `_norm` does) -> its `_position`."""
    return {k: _position(m) for m in kind for k in sorted({normalise(t) for t in (m.value, *m.synonyms)})}


def _position(member) -> int:
    """A choice's position in its list, from 1 (as Calc_DD_Choices holds it)."""
    return list(type(member)).index(member) + 1


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
    cell, `calc_cell(i, name, k=0)` the cell of a per-vendor Calc name (its k-th column)."""
    from ..cells import NOT_SCORED
    from ..due_diligence import CHECKS, INVALID_STATUS, LOOKBACK_YEARS, SEVERAL_483, UNCHECKED_CAP, Cause

    def x(name, i):
        return f"INDEX({name},{i + 1})"

    def read(name, i):  # a typed cell's reading (-1 blank, -2 not valid): Calc_DD_Days, _Choices or _Counts
        for block, fields in (("Calc_DD_Days", DAY_FIELDS), ("Calc_DD_Choices", tuple(CHOICE_FIELDS)),
                              ("Calc_DD_Counts", COUNT_FIELDS)):
            if name in fields:
                return calc_cell(i, block, fields.index(name))
        raise KeyError(name)

    def blank(name, i):
        return f"{read(name, i)}=-1"

    def is_(name, i, member):
        return f"{read(name, i)}={_position(member)}"

    def typed_day(i, j):
        return f'=IF({_blank(x(DAY_FIELDS[j], i))},"",{_day_formula(x(DAY_FIELDS[j], i))})'

    def read_day(i, j):
        d = calc_cell(i, "Calc_DD_Typed_Days", j)
        return f'=IF({d}="",-1,IF(AND({d}>={_EPOCH_1970},{d}<=Calc_DD_Today),{d},-2))'

    def read_choice(i, j):
        name, kind = list(CHOICE_FIELDS.items())[j]
        keys = _keys(kind)
        texts, positions = ",".join(f'"{k}"' for k in ("", *keys)), ",".join(str(p + 2) for p in (0, *keys.values()))
        return f"=IF({_blank(x(name, i))},-1,SUMPRODUCT(--({_norm(x(name, i))}={{{texts}}}),{{{positions}}})-2)"

    not_scored = "{" + ",".join(f'"{t}"' for t in sorted(NOT_SCORED)) + "}"

    def read_count(i, j):
        c = x(COUNT_FIELDS[j], i)
        t = f'TRIM({c}&"")'
        v = f"VALUE({t})"
        return (f'=IF(ISLOGICAL({c}),-2,IF(ISNUMBER({c}),IF(AND({c}>=0,{c}=INT({c})),{c},-2),IF({t}="",-1,'
                f'IF(SUMPRODUCT(--(LOWER({t})={not_scored}))>0,-3,IFERROR(IF(AND({v}>=0,{v}=INT({v})),{v},-2),-2)))))')

    def ok(name, i):
        return f"{read(name, i)}<>-2"


    def reason(i):
        r = x("DD_Override_Reason", i) + '&""'
        for code in (10, 13, 9):
            r = f'SUBSTITUTE({r},CHAR({code})," ")'
        return f"TRIM({r})"

    def overridden(i):
        return is_("DD_Override", i, YesNo.YES)

    def valid(i):
        checks = [f"Calc_DD_Today>={_EPOCH_1970}", *(ok(n, i) for n in (*CHOICE_FIELDS, *COUNT_FIELDS, *DAY_FIELDS)),
                  f'NOT(AND({overridden(i)},{reason(i)}=""))']
        return f"=IF({calc_present(i)},AND({','.join(checks)}),FALSE)"

    def dated(name, i):  # a date column's Calc_DD_Day_Texts cell
        return calc_cell(i, "Calc_DD_Day_Texts", DAY_FIELDS.index(name))

    def day_text(i, j):
        d = calc_cell(i, "Calc_DD_Days", j)
        return f'=IF({d}=-1,"{NO_DATE}",IF({d}=-2,"",{_iso(d)}))'

    def cause(i):
        letter, fda = read("DD_Warning_Letter", i), read("DD_FDA_Date", i)
        return (f'=IF(NOT({calc_cell(i, "Calc_DD_Valid")}),"",'
                f'IF({is_("DD_Import_Alert", i, YesNo.YES)},"import alert",'
                f'IF({is_("DD_EU_Noncompliance", i, YesNo.YES)},"EU non-compliance statement",'
                f'IF(AND(NOT({letter}=-1),{letter}>=Calc_DD_Start),"warning letter "&{dated("DD_Warning_Letter", i)},'
                f'IF(AND({is_("DD_FDA_Class", i, FDAClass.OAI)},OR({fda}=-1,{fda}>=Calc_DD_Start)),'
                f'"OAI inspection "&{dated("DD_FDA_Date", i)},'
                f'IF({is_("DD_Audit_Outcome", i, AuditOutcome.NOT_ACCEPTABLE)},'
                f'"audit not acceptable "&{dated("DD_Audit_Date", i)},""))))))')

    def status(i):
        named = calc_cell(i, "Calc_DD_Cause")
        return (f'=IF(NOT({calc_present(i)}),"",IF(NOT({calc_cell(i, "Calc_DD_Valid")}),"{INVALID_STATUS}",'
                f'IF({named}="","Eligible",IF({overridden(i)},"Overridden: "&{named}&" (reason: "&{reason(i)}&")",'
                f'"Knocked out: "&{named}))))')

    def joined(parts, sep):  # the non-empty texts of (condition, text) pairs joined by sep
        return f'MID({"&".join(f"IF({c},{chr(34)}{sep}{chr(34)}&{t},{chr(34)}{chr(34)})" for c, t in parts)},{len(sep) + 1},4000)'

    def rule_parts(i):
        def fda(member):
            return is_("DD_FDA_Class", i, member)

        def audit(member):
            return is_("DD_Audit_Outcome", i, member)

        fda_day, letter_day = read("DD_FDA_Date", i), read("DD_Warning_Letter", i)
        fda_blank, letter_blank = blank("DD_FDA_Date", i), blank("DD_Warning_Letter", i)
        obs, capas = read("DD_483_Count", i), read("DD_Open_CAPAs", i)
        nai, oai = fda(FDAClass.NAI), fda(FDAClass.OAI)
        nai_recent = f"AND({nai},{fda_day}>=Calc_DD_Start)"
        letter_iso, fda_iso = dated("DD_Warning_Letter", i), dated("DD_FDA_Date", i)  # (neither blank where read)
        old = [(f"AND(NOT({letter_blank}),{letter_day}<Calc_DD_Start)", f'"warning letter "&{letter_iso}'),
               (f"AND({oai},NOT({fda_blank}),{fda_day}<Calc_DD_Start)", f'"OAI inspection "&{fda_iso}')]
        fair = [(fda(FDAClass.VAI), f'"VAI inspection "&{dated("DD_FDA_Date", i)}'),
                (f"{obs}>={SEVERAL_483}", f'{obs}&" Form 483 observations"'),
                (audit(AuditOutcome.CONDITIONAL), '"audit acceptable with conditions"'),
                (f"{capas}>=1", f'{capas}&" open critical or major CAPAs"')]
        good = [(nai_recent, f'"NAI inspection "&{fda_iso}'),
                (f"AND({nai},NOT({nai_recent}),NOT({fda_blank}))",
                 f'"NAI inspection "&{fda_iso}&" (more than {LOOKBACK_YEARS} years ago)"'),
                (f"AND({obs}>=1,{obs}<{SEVERAL_483})", f'{obs}&IF({obs}=1," Form 483 observation"," Form 483 observations")'),
                (f"{obs}=0", '"no Form 483 observation"'),
                (audit(AuditOutcome.ACCEPTABLE), '"audit acceptable"'),
                (f"{capas}=0", '"no open CAPA"')]
        causes = [(is_("DD_Import_Alert", i, YesNo.YES), f'"{Cause.IMPORT_ALERT.value}"'),
                  (is_("DD_EU_Noncompliance", i, YesNo.YES), f'"{Cause.EU_NONCOMPLIANCE.value}"'),
                  (f"AND(NOT({letter_blank}),{letter_day}>=Calc_DD_Start)", f'"{Cause.WARNING_LETTER.value} "&{letter_iso}'),
                  (f"AND({oai},OR({fda_blank},{fda_day}>=Calc_DD_Start))", f'"{Cause.OAI.value} "&{dated("DD_FDA_Date", i)}'),
                  (audit(AuditOutcome.NOT_ACCEPTABLE), f'"{Cause.AUDIT.value} "&{dated("DD_Audit_Date", i)}')]
        nothing = "AND(" + ",".join(blank(f, i) for _, f in CHECKS) + f",{letter_blank})"
        best = f"AND({nai_recent},{obs}=0,{audit(AuditOutcome.ACCEPTABLE)},{capas}=0)"
        return old, fair, good, causes, nothing, best

    def rule(i):  # which row of the suggested-score table applies: 1-7 (see `due_diligence`)
        old, fair, _, _, nothing, best = rule_parts(i)
        unchecked = f'{calc_cell(i, "Calc_DD_Not_Checked")}<>""'
        return (f'=IF(NOT({calc_cell(i, "Calc_DD_Valid")}),"",IF({calc_cell(i, "Calc_DD_Cause")}<>"",1,'
                f'IF(OR({",".join(c for c, _ in old)}),2,IF(OR({",".join(c for c, _ in fair)}),3,'
                f'IF({nothing},4,IF({unchecked},5,IF({best},6,7)))))))')

    def not_checked(i):
        parts = [(blank(f, i), f'"{label}"') for label, f in CHECKS]
        parts.append((f'AND(NOT({blank("DD_FDA_Class", i)}),{blank("DD_FDA_Date", i)})', '"FDA inspection date"'))
        return f'=IF(NOT({calc_cell(i, "Calc_DD_Valid")}),"",{joined(parts, ", ")})'

    def findings(i):
        return f'=IF(NOT({calc_cell(i, "Calc_DD_Valid")}),"",{joined(rule_parts(i)[2], ", ")})'

    def suggested(i):
        r = calc_cell(i, "Calc_DD_Rule")
        return f'=IF(ISNUMBER({r}),CHOOSE({r},1,2,3,"",{UNCHECKED_CAP},5,4),"")'

    def score_reason(i):
        old, fair, _, _, _, _ = rule_parts(i)
        r, g, missing, causes = (calc_cell(i, n) for n in ("Calc_DD_Rule", "Calc_DD_Findings", "Calc_DD_Not_Checked",
                                                           "Calc_DD_Causes"))
        why = (f'CHOOSE({r},"knock-out: "&{causes},'
               f'{joined(old, "; ")}&" (more than {LOOKBACK_YEARS} years ago)",{joined(fair, ", ")},"",'
               f'"no adverse finding"&IF({g}="","",": "&{g})&"; at most {UNCHECKED_CAP} until everything is checked",'
               f'{g},"no adverse finding: "&{g})')
        return (f'=IF(NOT(ISNUMBER({r})),"",IF({r}=4,"not checked: "&{missing},'
                f'{why}&IF({missing}="","","; not checked: "&{missing})))')

    def use_suggested(i):
        return (f'=IF(ISNUMBER({calc_cell(i, "DD_Suggested_Scores")}),'
                f'LEN(TRIM(INDEX(Track_Record_Reasons,{i + 1})&""))=0,FALSE)')

    def programme_tier():
        from ..domain import Modality, PartnerType, Stage
        from ..qualification import RAISING_MODALITIES, RAISING_STAGES, TIERS

        kind, modality, stage, supply = "Weight_Profile", "Program_Modality", "Program_Stage", "Supply_Criticality"
        raised = " + ".join(f"AND({_is(kind, t)},{_is(modality, *RAISING_MODALITIES[t])})" for t in PartnerType)
        valid = (f"AND({_is(kind, *PartnerType)},OR({_blank(modality)},{_is(modality, *Modality)}),"
                 f"OR({_blank(stage)},{_is(stage, *Stage)}),OR({_blank(supply)},{_is(supply, *Criticality)}))")
        level = "+".join(f"{k}*({_is(supply, c)})" for k, c in enumerate(Criticality) if k)
        raisers = f"IF({_blank(modality)},1,--({raised}>0))+IF({_blank(stage)},1,--({_is(stage, *RAISING_STAGES)}))"
        table = ";".join(",".join(str(t) for t in row) for row in TIERS.tolist())
        return f'=IF(AND(Calc_DD_Today>={_EPOCH_1970},{valid}),INDEX({{{table}}},{level}+1,{raisers}+1),"")'

    def tier(i):
        return f'=IF(AND({calc_present(i)},ISNUMBER(Calc_DD_Tier)),IF({ok("DD_Audit_Date", i)},Calc_DD_Tier,""),"")'

    def activity(i):
        from ..qualification import PLANS

        t = calc_cell(i, "DD_Tiers")
        return f'=IF(ISNUMBER({t}),CHOOSE({t},{",".join(chr(34) + PLANS[k].activity + chr(34) for k in (1, 2, 3))}),"")'

    def next_review(i):
        from ..qualification import PLANS

        t, audit = calc_cell(i, "DD_Tiers"), read("DD_Audit_Date", i)  # (a tier: the audit date is valid)
        years = f'CHOOSE({t},{",".join(str(PLANS[k].interval_years) for k in (1, 2, 3))})'
        return f'=IF(ISNUMBER({t}),IF({audit}=-1,Calc_DD_Today,EDATE({audit},12*{years})),"")'

    today = "Evaluation_Date"
    return {
        "Calc_DD_Tier": lambda i, j: programme_tier(),
        "DD_Tiers": lambda i, j: tier(i),
        "DD_Activities": lambda i, j: activity(i),
        "DD_Next_Reviews": lambda i, j: next_review(i),
        "Calc_DD_Not_Checked": lambda i, j: not_checked(i),
        "Calc_DD_Causes": lambda i, j: f'=IF(NOT({calc_cell(i, "Calc_DD_Valid")}),"",{joined(rule_parts(i)[3], "; ")})',
        "Calc_DD_Rule": lambda i, j: rule(i),
        "Calc_DD_Findings": lambda i, j: findings(i),
        "DD_Suggested_Scores": lambda i, j: suggested(i),
        "DD_Score_Reasons": lambda i, j: score_reason(i),
        "Calc_DD_Use_Suggested": lambda i, j: use_suggested(i),
        "Calc_DD_Today": lambda i, j: (f"=IF({_blank(today)},TODAY(),"
                                        f"IF({_day_formula(today)}>={_EPOCH_1970},{_day_formula(today)},-1))"),
        "Calc_DD_Start": lambda i, j: f'=IF(Calc_DD_Today<{_EPOCH_1970},"",EDATE(Calc_DD_Today,-24))',
        "Calc_DD_Valid": lambda i, j: valid(i),
        "Calc_DD_Days": read_day,
        "Calc_DD_Choices": read_choice,
        "Calc_DD_Counts": read_count,
        "Calc_DD_Day_Texts": day_text,
        "Calc_DD_Typed_Days": typed_day,
        "Calc_DD_Cause": lambda i, j: cause(i),
        "DD_Statuses": lambda i, j: status(i),
    }


def assess(table, evaluation_date):
    """(statuses, the rows `due_diligence` accepts, its result on them) of a DD_ table: the
    statuses as `due_diligence.vendor_statuses` gives them, the accepted rows as positions."""
    from ..due_diligence import due_diligence, vendor_statuses
    from ..errors import PartnerfitError

    if len(table):
        try:  # every row accepted (the usual case): one run gives the statuses and the results
            result = due_diligence(table, evaluation_date)
            return result["status"].to_numpy(dtype=object), list(range(len(table))), result
        except PartnerfitError:
            pass
    texts, refused = vendor_statuses(table, evaluation_date)
    bad = {k for k, _ in refused} if all(k >= 0 for k, _ in refused) else set(range(len(table)))
    good = [k for k in range(len(table)) if k not in bad]
    return texts, good, due_diligence(table.iloc[good], evaluation_date) if good else None


def suggested_scores(inputs):
    """(suggested score, used) per scored vendor of a read workbook: the suggestion (NaN: none or the
    row is not valid) and whether it replaces the typed score; None without DD_ names."""
    import numpy as np

    table = inputs.due_diligence
    if table is None or not len(table):
        return None
    _, good, result = assess(table, inputs.evaluation_date)
    suggested = np.full(len(table), np.nan)
    if good:
        suggested[good] = result["suggested_score"].to_numpy(dtype=float)
    reasons = inputs.due_diligence_cells.get(REASONS) or [None] * len(table)
    return suggested, suggestion_used(suggested, reasons)


def values_part(filling, present) -> dict:
    """The Calc names' values as the engine computes them (`due_diligence.due_diligence` on the
    listed vendor rows)."""
    import numpy as np

    from ..due_diligence import EARLIEST, LOOKBACK_YEARS, PartnerfitError, _date, add_years

    n = len(present)
    try:
        today = _date(filling.evaluation_date, "evaluation_date")
        serial = float((today - np.datetime64("1899-12-30", "D")).astype(int))
        ok = today >= EARLIEST
    except PartnerfitError:
        ok = False
    start = float((add_years(today, -LOOKBACK_YEARS) - np.datetime64("1899-12-30", "D")).astype(int)) if ok else ""
    width = len(COLUMN_NAMES)
    rows = [tuple(r)[:width] + (None,) * (width - len(r)) for r in filling.due_diligence[:n]]
    rows += [(None,) * width] * (n - len(rows))
    listed = [i for i in range(n) if present[i]]
    blank = [""] * n
    values = {"Calc_DD_Valid": [False] * n, **{name: list(blank) for name in CALC_NAMES[3:]}}
    values["Calc_DD_Use_Suggested"] = [False] * n
    del values["Calc_DD_Tier"]
    if listed:  # (pandas only then: a blank template does not load it)
        import pandas as pd

        table = pd.DataFrame([rows[i][:len(DD_NAMES)] for i in listed], columns=list(DD_NAMES),
                             index=range(len(listed)), dtype=object)
        texts, good, result = assess(table, filling.evaluation_date)
        for k, i in enumerate(listed):
            values["DD_Statuses"][i] = texts[k]
        if good:
            suggested = result["suggested_score"].to_numpy(dtype=float)
            used = suggestion_used(suggested, [rows[listed[k]][len(DD_NAMES)] for k in good])
            columns = {"Calc_DD_Valid": [True] * len(good), "Calc_DD_Cause": result["knock_out"].tolist(),
                       "Calc_DD_Not_Checked": result["not_checked"].tolist(), "Calc_DD_Causes": result["causes"].tolist(),
                       "Calc_DD_Rule": [int(r) for r in result["score_rule"].tolist()],
                       "Calc_DD_Findings": result["findings"].tolist(),
                       "DD_Suggested_Scores": ["" if np.isnan(x) else x for x in suggested.tolist()],
                       "DD_Score_Reasons": result["score_reason"].tolist(), "Calc_DD_Use_Suggested": used.tolist()}
            for name, column in columns.items():  # column by column: the engine's table holds the accepted rows
                for k, value in zip(good, column):
                    values[name][listed[k]] = value
        _plan_values(filling, table, listed, values)
    at = [COLUMN_NAMES.index(name) for name in DAY_FIELDS]
    cells = {name: [row[COLUMN_NAMES.index(name)] for row in rows] for name in (*CHOICE_FIELDS, *COUNT_FIELDS)}
    choices = [_read_choices(cells[name], kind) for name, kind in CHOICE_FIELDS.items()]
    counts = [_read_counts(cells[name]) for name in COUNT_FIELDS]
    typed = [[_typed_day(row[k]) for k in at] for row in rows]
    days = [[-1.0 if t == "" else t if _EPOCH_1970 <= t <= (serial if ok else -1.0) else -2.0 for t in row]
            for row in typed]
    return {
        "Calc_DD_Today": [[serial if ok else -1.0]],
        "Calc_DD_Start": [[start]],
        "Calc_DD_Tier": [[_programme_tier(filling) if ok else ""]],
        **{name: [[v] for v in column] for name, column in values.items()},
        "Calc_DD_Days": days,
        "Calc_DD_Choices": [list(row) for row in zip(*choices)],
        "Calc_DD_Counts": [list(row) for row in zip(*counts)],
        "Calc_DD_Day_Texts": [[_day_text(day) for day in row] for row in days],
        "Calc_DD_Typed_Days": typed,
    }


def _typed_day(value) -> float | str:
    """A date cell as Calc_DD_Typed_Days's formula reads it: its serial, -1 when unreadable, "" when
    blank. As the spreadsheet does: a number (a date, a logical: LibreOffice counts TRUE as 1) by
    its whole part, text trimmed (runs of spaces as one) whose first ten characters are an ISO date
    YYYY-MM-DD."""
    import math
    import re

    if isinstance(value, dt.date):  # a date cell: its serial
        value = _serial(value)
    if isinstance(value, (bool, int, float)) and not (isinstance(value, float) and math.isnan(value)):
        return float(math.floor(value))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = " ".join(part for part in str(value).split(" ") if part)
    if not text:
        return ""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text[:10]):
            return -1.0
        return float((dt.date.fromisoformat(text[:10]) - dt.date(1899, 12, 30)).days)
    except ValueError:
        return -1.0


def _day_text(serial: float) -> str:
    """A Calc_DD_Days serial as Calc_DD_Day_Texts shows it."""
    return NO_DATE if serial == -1 else "" if serial == -2 else (dt.date(1899, 12, 30) + dt.timedelta(serial)).isoformat()


def _serial(value: dt.date) -> float:
    """The Excel serial of a date or datetime."""
    value = (dt.datetime.combine(value, dt.time()) if type(value) is dt.date else value) - dt.datetime(1899, 12, 30)
    return value.total_seconds() / 86400


def _read_choices(cells: list, kind) -> list[float]:
    """Choice cells as Calc_DD_Choices's formula reads them: `_position` of the choice typed in any
    of its spellings, -1 blank, 0 text that `_norm` makes empty ("_"), -2 anything else (a number,
    a date, a logical: LibreOffice reads TRUE as 1, not as the text TRUE)."""
    from ..cells import excel_trim

    keys = _keys(kind)

    def position(value) -> float:
        if _blank_cell(value):
            return -1.0
        if not isinstance(value, str):
            return -2.0
        key = excel_trim(value.replace("_", " ").replace("-", " ")).lower()
        return float(keys.get(key, -2)) if key else 0.0

    return _each(position, cells)


def _read_counts(cells: list) -> list[float]:
    """Count cells as Calc_DD_Counts's formula reads them: a whole number 0 or more (a date by its
    serial), -1 blank, -3 text meaning "not scored" ("n/a"), -2 anything else (a logical; text
    VALUE cannot read, as `cells.score_value` reads it)."""
    from ..cells import NOT_SCORED, score_value

    def count(value) -> float:
        if _blank_cell(value):
            return -1.0
        if isinstance(value, bool):
            return -2.0
        if isinstance(value, str):
            text = " ".join(part for part in value.split(" ") if part)
            if text.lower() in NOT_SCORED:
                return -3.0
            value = None if any(c < " " for c in text) else score_value(text)
        elif isinstance(value, dt.date):
            value = _serial(value)
        return float(value) if isinstance(value, (int, float)) and value >= 0 and value % 1 == 0 else -2.0

    return _each(count, cells)


def _blank_cell(value) -> bool:
    """A cell `_blank` finds blank: nothing, or text of spaces only."""
    return value is None or isinstance(value, float) and value != value or isinstance(value, str) and not value.strip(" ")


def _each(read, cells: list) -> list[float]:
    """`read` of each cell, each distinct value read once (True == 1: their types keep them apart)."""
    seen = {}
    return [seen[key] if (key := (type(v), v)) in seen else seen.setdefault(key, read(v)) for v in cells]


def _programme_tier(filling):
    """The tier of the selection's supply (`qualification.qualification_plan`); "" when refused."""
    from ..errors import PartnerfitError
    from ..qualification import qualification_plan

    try:
        return qualification_plan(filling.supply_criticality, filling.partner_type, filling.modality,
                                  filling.stage).tier
    except PartnerfitError:
        return ""


def _plan_values(filling, table, listed, values) -> None:
    """Tier, activity and next review (a serial) of the listed rows into `values`
    (`due_diligence.review_schedule`; a row it refuses, or every row when the programme is refused, stays "")."""
    import numpy as np

    from ..due_diligence import review_schedule
    from ..errors import PartnerfitError

    table = table.assign(DD_Criticality=filling.supply_criticality)

    def schedule(rows):
        return review_schedule(rows, filling.partner_type, filling.modality, filling.stage, filling.evaluation_date)

    try:
        plans, good = schedule(table), list(range(len(table)))
    except PartnerfitError:
        good = []
        for k in range(len(table)):  # only when refused: find the rows it accepts
            try:
                schedule(table.iloc[[k]])
                good.append(k)
            except PartnerfitError:
                pass
        plans = schedule(table.iloc[good]) if good else None
    if good:
        due = (plans["next_review"].to_numpy().astype("datetime64[D]") - np.datetime64("1899-12-30", "D")).astype(int)
        for k, tier, activity, day in zip(good, plans["tier"].tolist(), plans["activity"].tolist(), due.tolist()):
            i = listed[k]
            values["DD_Tiers"][i], values["DD_Activities"][i], values["DD_Next_Reviews"][i] = int(tier), activity, float(day)
