"""Low-level workbook access: vetting hostile files, defined names, in-place patching of results."""

import json
import random
import re
import subprocess
import sys
import zipfile
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import openpyxl
import pytest
import xlsxwriter

from hostile import HOSTILE, _part, _rewrite
from libreoffice import edit
from partnerfit import xlsx
from partnerfit.errors import PartnerfitError


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_files_get_one_line(tmp_path, kind):
    maker, fragment = HOSTILE[kind]
    path = maker(tmp_path)
    with pytest.raises(PartnerfitError) as error:
        package = xlsx.open_package(path)
        book = xlsx.read_workbook(package)
        values = xlsx.SheetValues(package, book)
        for name in book.names:
            values.block(book.area(name))
    assert fragment in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("shift", range(7))
def test_a_cell_far_right_is_seen_across_scan_chunks(tmp_path, shift):
    """The sheet size check reads the XML in chunks: a reference cut in two still counts."""
    head = b'<worksheet><sheetData><row r="1">'
    cell = b'<c r="XFD1"><v>1</v></c></row>'
    start = xlsx.SCAN_CHUNK - shift - len(head) - 2  # the chunk ends `shift` bytes into ' r="XFD1"'
    xml = head + b" " * start + cell + b'<row r="30000"><c r="A30000"><v>1</v></c></row></sheetData></worksheet>'
    path = tmp_path / "wide.xlsx"
    with zipfile.ZipFile(path, "w") as archive:  # stored: padding this compressible looks like a zip bomb
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", xml)
    with pytest.raises(PartnerfitError, match="30,000 rows x 16,384 columns"):
        xlsx.check_sheet_size(xlsx.open_package(path), "Vendors", "xl/worksheets/sheet1.xml")


def _one_sheet(tmp_path, xml: bytes, compression=zipfile.ZIP_STORED):
    path = tmp_path / "sheet.xlsx"
    with zipfile.ZipFile(path, "w", compression) as archive:  # stored: padding this compressible looks like a zip bomb
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", xml)
    return xlsx.open_package(path)


@pytest.mark.parametrize("shift", range(11))
def test_a_row_far_down_is_seen_first_and_across_scan_chunks(tmp_path, shift):
    """Rows in any order (a hostile file may put row 900,000 before row 1), and a reference cut in
    two by the scan's chunks, still count: the dense read would take about a gigabyte."""
    head = b'<worksheet><sheetData>'
    far = b'<row r="900000"><c r="B900000"><v>1</v></c></row>'
    start = xlsx.SCAN_CHUNK - shift - len(head) - 5  # the chunk ends `shift` bytes into ' r="900000"'
    xml = head + b" " * start + far + b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    with pytest.raises(PartnerfitError, match="900,000 rows x 2 columns"):
        xlsx.check_sheet_size(_one_sheet(tmp_path, xml), "Vendors", "xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("shift", range(11))
def test_a_row_far_down_in_a_deflated_sheet_is_seen_across_scan_chunks(tmp_path, shift):
    """Deflated parts (as every spreadsheet program writes them) are inflated by partnerfit itself,
    in chunks of the same size; random padding keeps the part from looking like a zip bomb."""
    head = b"<worksheet><sheetData><!--"
    far = b'<row r="900000"><c r="B900000"><v>1</v></c></row>'
    start = xlsx.SCAN_CHUNK - shift - len(head) - 5  # the chunk ends `shift` bytes into ' r="900000"'
    padding = random.Random(shift).randbytes(start).hex().encode()[:start - 3] + b"-->"
    xml = head + padding + far + b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    with pytest.raises(PartnerfitError, match="900,000 rows x 2 columns"):
        xlsx.check_sheet_size(_one_sheet(tmp_path, xml, zipfile.ZIP_DEFLATED), "Vendors", "xl/worksheets/sheet1.xml")


def test_a_damaged_deflated_sheet_gets_one_line(tmp_path):
    package = _one_sheet(tmp_path, b"<worksheet><sheetData>" + b"<row/>" * 1000 + b"</sheetData></worksheet>",
                         zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(package.path) as archive:
        start = archive.getinfo("xl/worksheets/sheet1.xml").header_offset + 30 + len("xl/worksheets/sheet1.xml")
    data = bytearray(package.path.read_bytes())
    data[start:start + 8] = b"\xff" * 8  # an invalid deflate block
    package.path.write_bytes(bytes(data))
    with pytest.raises(PartnerfitError, match="sheet1.xml is damaged"):
        xlsx.check_sheet_size(package, "Vendors", "xl/worksheets/sheet1.xml")


def _sheet(*rows: bytes, dimension: bytes = b"A1") -> bytes:
    return (b'<worksheet><dimension ref="' + dimension + b'"/><sheetData>' + b"".join(rows)
            + b"</sheetData></worksheet>")


def _size_check(tmp_path, xml: bytes) -> None:
    xlsx.check_sheet_size(_one_sheet(tmp_path, xml), "Vendors", "xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("quote", ["'", '"'])
@pytest.mark.parametrize("equals", ["=", " = ", "\n=\t"])
def test_a_cell_is_placed_by_its_reference_in_any_spelling(tmp_path, quote, equals):
    # Limits: 200,000 rows, and 20 million cells from A1 to the farthest row and column.
    for column, row, refused in (("XFD", 1, False), ("XFD", 1_220, False), ("XFD", 1_221, True),
                                 ("A", 200_000, False), ("A", 200_001, True), ("CV", 200_000, False),
                                 ("CW", 200_000, True)):
        ref = f"{quote}{column}{row}{quote}".encode()
        xml = _sheet(b"<row r" + equals.encode() + f"{quote}{row}{quote}".encode() + b"><c s=\"2\" r"
                     + equals.encode() + ref + b"><v>123456</v></c></row>")
        if refused:
            with pytest.raises(PartnerfitError, match=f"{row:,} rows x {xlsx.column_index(column):,} columns"):
                _size_check(tmp_path, xml)
        else:
            _size_check(tmp_path, xml)


EMPTY_FORMATTED_ROW = (b'<row r="1048576" s="2" customFormat="true" ht="12.8" hidden="false" customHeight="false" '
                       b'outlineLevel="0" collapsed="false"><c r="A1048576" s="1"/><c r="XFD1048576" s="1"/></row>')
"""What LibreOffice writes at the end of a sheet once a row was deleted: formatted, no value."""


@pytest.mark.parametrize("row", [EMPTY_FORMATTED_ROW, b'<row r="1048576" s="2" customFormat="1"/>',
                                 b'<x:row r="900000"><x:c r="XFD900000" s="1"/></x:row>'],
                         ids=["formatted cells", "self-closing row", "prefixed"])
def test_empty_formatted_rows_and_the_dimension_do_not_count(tmp_path, row):
    xml = _sheet(b'<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="inlineStr"><is><t>x</t></is></c></row>', row,
                 dimension=b"A1:XFD1048576")
    _size_check(tmp_path, xml)
    # The same row holding one value is refused.
    valued = row.replace(b' s="1"/>', b' s="1"><v>1</v></c>', 1).replace(b'customFormat="1"/>', b'><c><v>1</v></c></row>')
    with pytest.raises(PartnerfitError, match="rows x"):
        _size_check(tmp_path, xml.replace(row, valued))


def test_cells_without_references_are_placed_as_python_calamine_places_them(tmp_path):
    """After the cell before in the row, in the row of the last row reference plus the rows closed
    since: 16,384 cells in row 1, then a cell in row 1,221 make 1,221 x 16,384 cells."""
    wide = b'<row r="1">' + b"<c><v>1</v></c>" * 16_384 + b"</row>"
    far = b'<row r="1220"><c><v>1</v></c></row><row><c r="A1"/><c><v>2</v></c></row>'
    with pytest.raises(PartnerfitError, match="1,221 rows x 16,384 columns"):
        _size_check(tmp_path, _sheet(wide, far))
    _size_check(tmp_path, _sheet(wide, far.replace(b"1220", b"1219")))  # 1,220 x 16,384: within the limit


@pytest.mark.parametrize("row", [b"<row r='900000'><c r='B900000'><v>1</v></c></row>",
                                 b'<row r = "900000"><c\n r\t=\n"B900000"><v>1</v></c></row>',
                                 b'<row><c r="B900000"><v>1</v></c></row>'],
                         ids=["single quotes", "spaces around =", "only the cell says where"])
def test_a_row_far_down_is_seen_in_any_valid_spelling(tmp_path, row):
    xml = b'<worksheet><sheetData>' + row + b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    with pytest.raises(PartnerfitError, match="900,000 rows x 2 columns"):
        xlsx.check_sheet_size(_one_sheet(tmp_path, xml), "Vendors", "xl/worksheets/sheet1.xml")


def test_ordinary_sheets_pass_the_size_check(tmp_path):
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c><c r="Z%d"><v>2</v></c></row>' % (i, i, i)
                    for i in range(1, 99_999, 997))
    xlsx.check_sheet_size(_one_sheet(tmp_path, b"<worksheet><sheetData>" + rows + b"</sheetData></worksheet>"),
                          "Vendors", "xl/worksheets/sheet1.xml")  # 99,xxx rows x 26 columns: no error
    wide = b'<worksheet><sheetData><row r="150000"><c r="AB150000"><v>1</v></c></row></sheetData></worksheet>'
    xlsx.check_sheet_size(_one_sheet(tmp_path, wide), "Vendors", "xl/worksheets/sheet1.xml")  # 150,000 x 28


def test_sheets_are_read_from_a1_wherever_their_cells_start(tmp_path):
    path = tmp_path / "offsets.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Inside").write_row("C3", [1.5, "x"])  # blank rows above, columns to the left
    book.add_worksheet("Below").write_row("A2", [2.0, "y"])
    book.add_worksheet("Right").write_column("B1", [3.0, "z"])
    book.add_worksheet("Empty")
    book.close()
    package = xlsx.open_package(path)
    values = xlsx.SheetValues(package, xlsx.read_workbook(package))
    assert values.block(xlsx.Area("Inside", 1, 1, 4, 4)) == [[None] * 4, [None] * 4, [None, None, 1.5, "x"], [None] * 4]
    assert values.block(xlsx.Area("Below", 1, 1, 2, 2)) == [[None, None], [2.0, "y"]]
    assert values.block(xlsx.Area("Right", 1, 1, 2, 2)) == [[None, 3.0], [None, "z"]]
    assert values.block(xlsx.Area("Empty", 1, 1, 2, 1)) == [[None], [None]]


@pytest.mark.parametrize(
    "text, area",
    [
        ("Vendors!$B$5:$F$54", xlsx.Area("Vendors", 5, 2, 54, 6)),
        ("'My ''odd'' sheet'!$A$1", xlsx.Area("My 'odd' sheet", 1, 1, 1, 1)),
        ("=Scores!C3:AA3", xlsx.Area("Scores", 3, 3, 3, 27)),
    ],
)
def test_parse_area(text, area):
    assert xlsx.parse_area("X", text) == area


def test_parse_area_refuses_whole_columns_and_formulas():
    with pytest.raises(PartnerfitError, match="spans 1,048,576 x 16,384 cells"):
        xlsx.parse_area("Big", "S!$A$1:$XFD$1048576")
    with pytest.raises(PartnerfitError, match="not a plain range"):
        xlsx.parse_area("Dyn", "OFFSET(S!$A$1,0,0,COUNTA(S!$A:$A),1)")


def test_area_addresses():
    area = xlsx.Area("Vendors", 5, 2, 54, 6)
    assert area.address() == "Vendors!B5" and area.address(2, 3) == "Vendors!E7"
    assert [xlsx.column_letter(i) for i in (1, 26, 27, 16384)] == ["A", "Z", "AA", "XFD"]
    assert xlsx.column_index("XFD") == 16384


def _formula_book(path):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    sheet.write_formula("A1", "=1+1", None, 0)
    sheet.write_formula("A2", '="x"', None, "old")
    sheet.write("A3", "plain")
    sheet.write_formula("A4", "=A1*2", None, 0)
    book.close()
    return path


def test_patch_sheet_sets_cached_results_and_keeps_formulas(tmp_path):
    package = xlsx.open_package(_formula_book(tmp_path / "f.xlsx"))
    part = "xl/worksheets/sheet1.xml"
    xml, patched = xlsx.patch_sheet(xlsx.read_part(package, part), {"A1": 2.5, "A2": "<new & text>", "A3": 9}, True)
    assert patched == {"A1", "A2"}  # A3 holds no formula: left alone
    out = tmp_path / "out.xlsx"
    xlsx.copy_with_patches(package, out, {part: xml})
    cached = openpyxl.load_workbook(out, data_only=True)["S"]
    formulas = openpyxl.load_workbook(out)["S"]
    assert (cached["A1"].value, cached["A2"].value, cached["A3"].value) == (2.5, "<new & text>", "plain")
    assert formulas["A1"].value == "=1+1" and formulas["A2"].value == '="x"'


def test_patch_sheet_can_replace_formulas_by_values(tmp_path):
    package = xlsx.open_package(_formula_book(tmp_path / "f.xlsx"))
    part = "xl/worksheets/sheet1.xml"
    xml, _ = xlsx.patch_sheet(xlsx.read_part(package, part), {"A1": 2.5, "A2": "=HYPERLINK(1)", "A4": None}, False)
    out = tmp_path / "values.xlsx"
    xlsx.copy_with_patches(package, out, {part: xml})
    sheet = openpyxl.load_workbook(out)["S"]
    assert sheet["A1"].value == 2.5 and sheet["A4"].value is None
    assert sheet["A2"].value == "=HYPERLINK(1)" and sheet["A2"].data_type == "s"  # text, not a formula
    with zipfile.ZipFile(out) as archive:
        assert b"<f>" not in archive.read(part)


def test_a_copy_keeps_every_other_part_as_stored(tmp_path):
    """copy_with_patches deflates the parts it replaces and copies every other part's stored bytes
    (deflated or not, any name) with its checksum and time: the copy reads back as the original."""
    path = tmp_path / "in.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>", zipfile.ZIP_DEFLATED)
        archive.writestr("xl/workbook.xml", "<workbook/>" * 50, zipfile.ZIP_DEFLATED)
        archive.writestr(zipfile.ZipInfo("xl/media/image1.png", (2024, 2, 29, 13, 5, 58)), b"\x89PNG" * 9)
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet>old</worksheet>", zipfile.ZIP_DEFLATED)
        archive.writestr("xl/é.xml", "<x/>", zipfile.ZIP_DEFLATED)
    out = tmp_path / "out.xlsx"
    xlsx.copy_with_patches(xlsx.open_package(path), out, {"xl/worksheets/sheet1.xml": b"<worksheet>new</worksheet>"})
    with zipfile.ZipFile(path) as before, zipfile.ZipFile(out) as after:
        assert after.testzip() is None
        assert after.namelist() == before.namelist()
        for old, new in zip(before.infolist(), after.infolist()):
            assert (new.compress_type, new.date_time) == (old.compress_type, old.date_time)
            if old.filename != "xl/worksheets/sheet1.xml":
                assert after.read(new) == before.read(old) and new.compress_size == old.compress_size
        assert after.read("xl/worksheets/sheet1.xml") == b"<worksheet>new</worksheet>"
    data = bytearray(path.read_bytes())
    data[data.find(b"PK\x03\x04", 10)] = 0  # the second part's local header, gone
    path.write_bytes(bytes(data))
    with pytest.raises(PartnerfitError, match="part xl/workbook.xml is damaged"):
        xlsx.copy_with_patches(xlsx.open_package(path), out, {})


def test_write_atomically_never_leaves_partial_files(tmp_path):
    target = tmp_path / "out.xlsx"

    def fail(path):
        path.write_bytes(b"half")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        xlsx.write_atomically(target, fail)
    assert list(tmp_path.iterdir()) == []
    xlsx.write_atomically(target, lambda p: p.write_bytes(b"one"))
    with pytest.raises(PartnerfitError, match="already exists; choose another name or add --force"):
        xlsx.write_atomically(target, lambda p: p.write_bytes(b"two"))
    assert target.read_bytes() == b"one"
    xlsx.write_atomically(target, lambda p: p.write_bytes(b"two"), force=True)
    assert target.read_bytes() == b"two" and len(list(tmp_path.iterdir())) == 1


# ------------------------------------------------------------------ files that spreadsheet programs write

VENDORS_PART = "xl/worksheets/sheet4.xml"  # Start, Program, Criteria, Vendors


def _scored(path) -> dict:
    from partnerfit.workbook.check import score_inputs
    from partnerfit.workbook.reader import Source, read_inputs

    return score_inputs(read_inputs(Source(path))).as_json()


def _grid_shape(path, sheet: str) -> tuple[int, int]:
    package = xlsx.open_package(path)
    return xlsx.SheetValues(package, xlsx.read_workbook(package))._sheet(sheet).shape


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    from partnerfit.workbook.template import build_workbook

    path = tmp_path_factory.mktemp("example") / "example.xlsx"
    build_workbook(path, example=True)
    return path


def test_a_sheet_with_an_empty_formatted_last_row_reads_and_scores_like_the_original(tmp_path, example):
    """As LibreOffice saves a sheet once a row was deleted: the dimension reaches row 1,048,576
    and an empty formatted row sits there (here also formatted cells without a value up to XFD)."""
    xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', _part(example, VENDORS_PART))
    xml = xml.replace(b"</sheetData>", b'<row r="1048575" customFormat="false" ht="12.8" hidden="false"></row>'
                      + EMPTY_FORMATTED_ROW + b"</sheetData>")
    edited = _rewrite(example, tmp_path / "formatted.xlsx", {VENDORS_PART: xml})
    assert b"1048576" in _part(edited, VENDORS_PART)
    assert _scored(edited) == _scored(example)
    # python-calamine reports the sheet's extent from its cells with a value: the grid read stays small.
    assert _grid_shape(edited, "Vendors") == _grid_shape(example, "Vendors") and _grid_shape(edited, "Vendors")[0] < 100


def _inline_strings(xml: bytes, shared: bytes) -> bytes:
    """Every shared-string cell of a sheet written as an inline string (t="inlineStr")."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    texts = ["".join(t.text or "" for t in si.iter(f"{main}t")) for si in ElementTree.fromstring(shared)]

    def inline(match):
        text = escape(texts[int(match[3])])
        return match[1] + b' t="inlineStr"' + match[2] + b'><is><t xml:space="preserve">' + text.encode() + b"</t></is></c>"

    return re.sub(rb'(<c r="[A-Z]+[0-9]+"[^>]*?) t="s"([^>]*)><v>([0-9]+)</v></c>', inline, xml)


def test_rows_in_any_order_and_inline_strings_read_and_score_like_the_original(tmp_path, example):
    xml = _part(example, VENDORS_PART)
    rows = re.findall(rb"<row [^>]*>.*?</row>", xml, re.DOTALL)
    assert len(rows) > 10
    shuffled = list(reversed(rows))
    xml = xml.replace(b"".join(rows), b"".join(shuffled))
    xml = _inline_strings(xml, _part(example, "xl/sharedStrings.xml"))
    assert b'inlineStr"><is>' in xml and b' t="s"' not in xml
    edited = _rewrite(example, tmp_path / "shuffled.xlsx", {VENDORS_PART: xml})
    assert _scored(edited) == _scored(example)


@pytest.mark.libreoffice
def test_a_workbook_after_a_row_deleted_in_libreoffice_is_checked_and_scored(tmp_path):
    """A real LibreOffice file (issue 12): `partnerfit new --example`, the second vendor's row
    deleted in Calc through UNO, saved as .xlsx. Calc writes the Vendors sheet with a dimension
    down to row 1,048,576 and an empty row element there; partnerfit reads it."""
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "partnerfit.cli", *map(str, args)],
                              capture_output=True, check=False, text=True, timeout=120)

    original = tmp_path / "example.xlsx"
    assert cli("new", original, "--example").returncode == 0
    (saved,) = edit([(original, tmp_path / "saved.xlsx", [{"op": "delete_rows", "sheet": "Vendors", "row": 6}])])
    xml = _part(saved, VENDORS_PART)
    assert re.search(rb'<dimension ref="A1:[A-Z]+1048576"/>', xml) and b'<row r="1048576"' in xml
    before, after = cli("check", original), cli("check", saved)
    assert "rows x" not in after.stdout + after.stderr and after.stderr == ""
    # The same problems, one row up (the example's one must-have left unscored).
    assert after.returncode == before.returncode and after.stdout == before.stdout.replace("C12", "C11")
    result = cli("score", saved, "--json")
    assert result.returncode == 0, result.stderr
    vendors = json.loads(result.stdout)["vendors"]
    expected = [v for v in json.loads(cli("score", original, "--json").stdout)["vendors"] if v["vendor"] != "Birchwood CDMO"]
    assert [(v["vendor"], v["status"]) for v in vendors] == [(v["vendor"], v["status"]) for v in expected]
    for got, want in zip(vendors, expected):
        assert got["score"] == pytest.approx(want["score"]) and got["coverage"] == pytest.approx(want["coverage"])
