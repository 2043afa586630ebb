"""Formula injection: text that looks like a formula stays text in every workbook partnerfit writes.

Payloads go into every free-text field a user can fill: programme fields, criterion names,
vendor names, sites, evidence, comments, partner types and score cells; a sheet and a defined
name of the user's own; the input file's name (written into the Audit sheet). Every writer is
checked: the template (`partnerfit new`, `template.write_workbook`), `score -o` and `share`.
openpyxl must read each such cell as text (`data_type == "s"`) holding the payload, no formula
anywhere may carry one, and LibreOffice, after recalculating everything, must still show the
payload text rather than a computed value.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from partnerfit.example import Vendor
from partnerfit.workbook.layout import layout
from partnerfit.workbook.model import Filling
from partnerfit.workbook.writer import write_workbook

PAYLOADS = (
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1+1",
    "-2+3",
    "\t=2+2",  # leading tab
    "\r=3+3",  # leading carriage return
    "=1+1",
)
MARKERS = ("HYPERLINK", "cmd|", "SUM(1+1)", "1+1", "2+2", "3+3", "2+3")
"""Pieces of the payloads; none of partnerfit's own formulas contains one."""
FILE_NAME = "=1+1 @SUM(1+1).xlsx"  # the Audit sheet names the source workbook
USER_SHEET = "=1+1"
USER_NAME, USER_VALUE = "User_Note", "\"=cmd|' /C calc'!A0\""  # a defined name holding a text constant
M = len(PAYLOADS)

TEXT_FIELDS = ("Vendor_Names", "Vendor_Sites", "Vendor_Evidence", "Vendor_Comments", "Vendor_Types")


def unescape(text):
    """Cell text as Excel and LibreOffice read it: OOXML writes control characters as _xHHHH_
    (XlsxWriter does; openpyxl reads the escape literally)."""
    if not isinstance(text, str):
        return text
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def vendors(payload_scores: bool) -> tuple:
    rows = tuple(Vendor(p, p, (4,) * M, evidence=p, comments=p, partner_type=p) for p in PAYLOADS)
    return rows + ((Vendor("Scores as text", "", PAYLOADS),) if payload_scores else ())


def every_field() -> Filling:
    """Payloads everywhere, programme fields included (such a workbook cannot be scored)."""
    return Filling(partner_type="CRO", stage=PAYLOADS[0], need=PAYLOADS[1], process=PAYLOADS[2],
                   cmc_experience=PAYLOADS[3], modality=PAYLOADS[4], criteria=PAYLOADS, weights=(1,) * M,
                   minimums=PAYLOADS, min_coverage=PAYLOADS[7], vendors=vendors(True), capacity=M + 2)


def scorable() -> Filling:
    """Payloads in every field that does not stop scoring (the programme is valid)."""
    return Filling(partner_type="CRO", stage="Phase II", need="clinical", criteria=PAYLOADS, weights=(1,) * M,
                   vendors=vendors(True), capacity=M + 2)


def expected_inputs(filling: Filling, program: bool) -> dict[tuple[str, str], str]:
    """(sheet, A1) -> the payload typed there."""
    names = layout(len(filling.criteria), filling.capacity)
    cells = {}

    def put(name, i, j, text):
        area = names[name]
        cells[(area.sheet, f"{openpyxl.utils.get_column_letter(area.col + j + 1)}{area.row + i + 1}")] = text

    for i, payload in enumerate(PAYLOADS):
        for name in TEXT_FIELDS:
            put(name, i, 0, payload)
        put("Criteria_Names", i, 0, payload)
        put("Vendor_Scores", M, i, payload)  # the "Scores as text" vendor
    if program:
        for k, name in enumerate(("Program_Stage", "Program_Need", "Program_Process", "Program_CMC", "Program_Modality")):
            put(name, 0, 0, PAYLOADS[k])
        for i, payload in enumerate(PAYLOADS):
            put("Minimums", i, 0, payload)
        put("Min_Coverage", 0, 0, PAYLOADS[7])
    return cells


def formulas_carrying_payloads(book: openpyxl.Workbook) -> list[str]:
    return [f"{ws.title}!{c.coordinate}: {c.value!r}" for ws in book.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f" and any(marker in str(c.value) for marker in MARKERS)]


def text_mismatches(book: openpyxl.Workbook, cells: dict) -> list[str]:
    problems = []
    for (sheet, ref), payload in cells.items():
        cell = book[sheet][ref]
        if cell.data_type != "s" or unescape(cell.value) != payload:
            problems.append(f"{sheet}!{ref}: {cell.data_type} {cell.value!r}, typed {payload!r}")
    return problems


def run(*args, cwd):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PARTNERFIT_DEBUG", None)
    result = subprocess.run([sys.executable, "-m", "partnerfit.cli", *map(str, args)], capture_output=True,
                            text=True, cwd=cwd, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    """Every workbook the project writes, each holding the payloads."""
    folder = tmp_path_factory.mktemp("injection")
    new = folder / "new.xlsx"
    write_workbook(new, every_field())
    source = folder / FILE_NAME
    write_workbook(source, scorable())
    run("score", source, "-o", folder / "scored.xlsx", cwd=folder)
    run("share", source, "-o", folder / "shared.xlsx", cwd=folder)
    # A user's own sheet and defined name, added in a spreadsheet program (here openpyxl).
    book = openpyxl.load_workbook(source)
    sheet = book.create_sheet(USER_SHEET)
    for i, payload in enumerate(PAYLOADS, start=1):  # a carriage return as Excel writes it
        sheet.cell(i, 1, payload.replace("\r", "_x000D_")).data_type = "s"
    book.defined_names[USER_NAME] = openpyxl.workbook.defined_name.DefinedName(USER_NAME, attr_text=USER_VALUE)
    extras = folder / "user_extras.xlsx"
    book.save(extras)
    run("score", extras, "-o", folder / "user_scored.xlsx", cwd=folder)
    run("share", extras, "-o", folder / "user_shared.xlsx", cwd=folder)
    return {"new": new, "scored": folder / "scored.xlsx", "shared": folder / "shared.xlsx",
            "user_scored": folder / "user_scored.xlsx", "user_shared": folder / "user_shared.xlsx"}


def expected(kind: str) -> dict:
    return expected_inputs(every_field(), True) if kind == "new" else expected_inputs(scorable(), False)


@pytest.mark.parametrize("kind", ["new", "scored", "shared", "user_scored", "user_shared"])
def test_every_payload_is_text_and_no_formula_carries_one(written, kind):
    book = openpyxl.load_workbook(written[kind])
    assert text_mismatches(book, expected(kind)) == []
    assert formulas_carrying_payloads(book) == []


@pytest.mark.parametrize("kind", ["scored", "shared"])
def test_results_that_repeat_a_name_hold_it_as_text(written, kind):
    """Result_Vendors, the ranking and the add-in block echo vendor names: as cached text (score)
    or static text (share), never as a formula made of the name."""
    book = openpyxl.load_workbook(written[kind], data_only=True)
    names = layout(M, M + 2)
    area = names["Result_Vendors"]
    shown = [unescape(book[area.sheet].cell(area.row + 1 + i, area.col + 1).value) for i in range(M)]
    assert shown == list(PAYLOADS)
    if kind == "shared":  # every value static: text cells
        static = openpyxl.load_workbook(written[kind])
        cells = [static[area.sheet].cell(area.row + 1 + i, area.col + 1) for i in range(M)]
        assert {c.data_type for c in cells} == {"s"}


def test_audit_sheet_keeps_criteria_and_file_name_as_text(written):
    audit = openpyxl.load_workbook(written["shared"])["Audit"]
    labels = {unescape(row[0].value): row[0] for row in audit.iter_rows(max_col=1) if row[0].value}
    for payload in PAYLOADS:  # criterion names, as read (trimmed)
        assert payload.strip() in labels and labels[payload.strip()].data_type == "s", payload
    source = next(row[1] for row in audit.iter_rows(max_col=2) if row[0].value == "Source workbook")
    assert (source.value, source.data_type) == (FILE_NAME, "s")


@pytest.mark.parametrize("kind", ["user_scored", "user_shared"])
def test_user_sheet_and_defined_name_keep_their_text(written, kind):
    book = openpyxl.load_workbook(written[kind])
    assert USER_SHEET in book.sheetnames
    sheet = book[USER_SHEET]
    assert [(unescape(sheet.cell(i, 1).value), sheet.cell(i, 1).data_type) for i in range(1, M + 1)] == \
        [(p, "s") for p in PAYLOADS]
    assert book.defined_names[USER_NAME].attr_text == USER_VALUE


# ------------------------------------------------------------------ LibreOffice: nothing evaluated


@pytest.fixture(scope="module")
def recalculated(written, tmp_path_factory) -> dict[str, Path]:
    from libreoffice import recalc

    folder = tmp_path_factory.mktemp("injection_lo")
    outputs = recalc(list(written.values()), folder / "out")
    return dict(zip(written, outputs))


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["new", "scored", "shared", "user_scored", "user_shared"])
def test_libreoffice_recalculation_leaves_every_payload_as_text(recalculated, kind):
    formulas = openpyxl.load_workbook(recalculated[kind])
    assert text_mismatches(formulas, expected(kind)) == []
    assert formulas_carrying_payloads(formulas) == []
    values = openpyxl.load_workbook(recalculated[kind], data_only=True)
    shown = {key: unescape(values[key[0]][key[1]].value) for key in expected(kind)}
    assert shown == expected(kind)  # "=1+1" still reads "=1+1", not 2
    if kind != "new":  # the echoed names, recalculated by LibreOffice's own formulas
        area = layout(M, M + 2)["Result_Vendors"]
        assert [unescape(values[area.sheet].cell(area.row + 1 + i, area.col + 1).value) for i in range(M)] == list(PAYLOADS)
    if kind.startswith("user"):
        assert [unescape(values[USER_SHEET].cell(i, 1).value) for i in range(1, M + 1)] == list(PAYLOADS)


@pytest.mark.libreoffice
def test_libreoffice_shows_the_audit_texts_unevaluated(recalculated):
    audit = openpyxl.load_workbook(recalculated["shared"], data_only=True)["Audit"]
    texts = {unescape(row[0].value) for row in audit.iter_rows(max_col=1)} | \
        {unescape(row[0].value) for row in audit.iter_rows(min_col=2, max_col=2)}
    assert {p.strip() for p in PAYLOADS} <= texts and FILE_NAME in texts

