"""Defined names written as structured references (`VendorTable[Vendor]`) mean the table's current rows."""

from __future__ import annotations

import pytest

from partnerfit.errors import PartnerfitError
from partnerfit.xlsx import Area, Table, parse_area

TABLES = {
    "vendortable": Table("Vendors", Area("Vendors", 4, 1, 54, 5), ("Vendor", "Quality", "Cost [EUR]", "#Sites", "Notes")),
    "totals": Table("T", Area("T", 1, 2, 10, 3), ("A", "B"), header_rows=1, totals_rows=1),
    "empty": Table("E", Area("E", 3, 1, 3, 2), ("A", "B")),
}


@pytest.mark.parametrize(("text", "area"), [
    ("VendorTable[Vendor]", Area("Vendors", 5, 1, 54, 1)),
    ("=vendortable[VENDOR]", Area("Vendors", 5, 1, 54, 1)),
    ("VendorTable[[Quality]:[Notes]]", Area("Vendors", 5, 2, 54, 5)),
    ("VendorTable[[Notes]:[Quality]]", Area("Vendors", 5, 2, 54, 5)),
    ("VendorTable[[#Data],[Quality]]", Area("Vendors", 5, 2, 54, 2)),
    ("VendorTable[Cost '[EUR']]", Area("Vendors", 5, 3, 54, 3)),
    ("VendorTable[[Cost '[EUR']]:[#Sites]]", None),  # '#' must be escaped in a column name
    ("VendorTable[['#Sites]]", Area("Vendors", 5, 4, 54, 4)),
    ("VendorTable[[#Headers],[#Data],[Vendor]:[Quality]]", Area("Vendors", 4, 1, 54, 2)),
    ("Totals[[A]:[B]]", Area("T", 2, 2, 9, 3)),
    ("Empty[A]", Area("E", 4, 1, 3, 1)),  # a table of headers only has no data rows
])
def test_structured_references_resolve_to_the_data_rows(text, area):
    if area is None:
        with pytest.raises(PartnerfitError):
            parse_area("X", text, TABLES)
    else:
        assert parse_area("X", text, TABLES) == area


@pytest.mark.parametrize(("text", "words"), [
    ("Missing[Vendor]", "a table 'Missing' that the workbook lacks"),
    ("VendorTable[Price]", "column 'Price', which table VendorTable lacks"),
    ("VendorTable[[#Totals],[Quality]]", "point it at table columns"),
    ("VendorTable[[#All]]", "point it at table columns"),
    ("VendorTable[[#Headers],[Vendor]]", "point it at table columns"),
])
def test_a_structured_reference_that_cannot_be_read_gets_one_line(text, words):
    with pytest.raises(PartnerfitError, match="defined name X") as error:
        parse_area("X", text, TABLES)
    assert words in str(error.value) and "\n" not in str(error.value)


def test_the_vendor_table_names_start_where_the_layout_says(tmp_path):
    """Written as structured references, the vendor table's names read as the layout's cells."""
    from partnerfit import xlsx
    from partnerfit.workbook.layout import layout, table_names, vendor_tail
    from partnerfit.workbook.template import build_workbook

    path = tmp_path / "blank.xlsx"
    build_workbook(path, partner_type="CMO", vendors=12)
    book = xlsx.read_workbook(xlsx.open_package(path))
    after = len(vendor_tail())  # the columns after the criteria
    names = layout(len(book.tables["vendortable"].columns) - 1 - after, 12)
    for name in table_names(book.tables["vendortable"].columns[1:-after]):
        area = names[name]
        expected = xlsx.parse_area(name, area.ref)
        assert book.area(name) == expected, name
