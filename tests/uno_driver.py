"""Make the edits a user makes, in a running LibreOffice, through its UNO API.

Run by Debian's /usr/bin/python3 (the only interpreter with the `uno` module), never imported
by the tests: `tests/libreoffice.py::edit` starts LibreOffice and hands this script a JSON list
of jobs on standard input, each {"source", "target", "edits"}. Every job opens its source,
makes its edits in order, recalculates and saves the target as .xlsx.

Edits (rows and columns count from 1 as a user sees them; cells in A1 style):
  {"op": "insert_rows", "sheet", "row", "count"}      rows inserted before `row`
  {"op": "delete_rows", "sheet", "row", "count"}
  {"op": "insert_columns", "sheet", "column", "count"} columns inserted before `column` ("C")
  {"op": "set", "sheet", "cell", "value"}             a number, a text, "=..." a formula, None clears
  {"op": "sort", "sheet", "range", "column", "descending"}  sort rows of `range` by its column
  {"op": "copy", "sheet", "range", "to"}             copy-paste a block (values, formulas, formats)
  {"op": "rename_sheet", "sheet", "name"}
"""

from __future__ import annotations

import json
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.table import CellRangeAddress  # noqa: F401 (registers the struct type)


def _property(name, value):
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(pipe: str):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 60
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:  # LibreOffice is still starting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)


def _column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def _set(cell, value):
    if value is None:
        cell.setString("")
    elif isinstance(value, bool):
        cell.setFormula("=TRUE()" if value else "=FALSE()")
    elif isinstance(value, (int, float)):
        cell.setValue(value)
    elif value.startswith("="):
        cell.setFormula(value)
    else:
        cell.setString(value)


def _edit(doc, edit: dict) -> None:
    sheets = doc.getSheets()
    sheet = sheets.getByName(edit["sheet"])
    sheet.unprotect("")
    op = edit["op"]
    if op == "insert_rows":
        sheet.getRows().insertByIndex(edit["row"] - 1, edit.get("count", 1))
    elif op == "delete_rows":
        sheet.getRows().removeByIndex(edit["row"] - 1, edit.get("count", 1))
    elif op == "insert_columns":
        sheet.getColumns().insertByIndex(_column_index(edit["column"]), edit.get("count", 1))
    elif op == "set":
        _set(sheet.getCellRangeByName(edit["cell"]), edit["value"])
    elif op == "sort":
        block = sheet.getCellRangeByName(edit["range"])
        field = uno.createUnoStruct("com.sun.star.table.TableSortField")
        field.Field = edit["column"] - 1
        field.IsAscending = not edit.get("descending", False)
        descriptor = block.createSortDescriptor()
        for prop in descriptor:
            if prop.Name == "SortFields":
                prop.Value = uno.Any("[]com.sun.star.table.TableSortField", (field,))
            elif prop.Name == "ContainsHeader":
                prop.Value = False
        block.sort(descriptor)
    elif op == "copy":
        source = sheet.getCellRangeByName(edit["range"]).getRangeAddress()
        target = sheet.getCellRangeByName(edit["to"]).getCellAddress()
        sheet.copyRange(target, source)
    elif op == "rename_sheet":
        sheet.setName(edit["name"])
    else:
        raise ValueError(f"unknown edit {op!r}")


def main() -> int:
    pipe, jobs = sys.argv[1], json.load(sys.stdin)
    desktop = _connect(pipe)
    for job in jobs:
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(job["source"]), "_blank", 0,
                                           (_property("Hidden", True),))
        try:
            for edit in job["edits"]:
                _edit(doc, edit)
            doc.calculateAll()
            doc.storeToURL(uno.systemPathToFileUrl(job["target"]),
                           (_property("FilterName", "Calc MS Excel 2007 XML"),))
        finally:
            doc.close(True)
    print("done", flush=True)  # every job saved: the bridge may still crash as LibreOffice quits
    try:
        desktop.terminate()
    except Exception:  # the bridge closes as LibreOffice quits
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
