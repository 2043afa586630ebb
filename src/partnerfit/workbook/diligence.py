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
        ("Supply_Criticality", "Supply criticality (critical, major, minor)", criticality,
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
