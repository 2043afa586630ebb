"""`assert_no_price(path, quotes)`: nothing of the prices anywhere in an .xlsx file, for the copies
made for the technical evaluators (`share --technical`, evaluator packs)."""

from __future__ import annotations

import re
import zipfile

from partnerfit.workbook.layout import QUOTE_HEADER
from partnerfit.workbook.prices import PRICE_NAME as _NAME
from partnerfit.workbook.prices import PRICES_SHEET

_FORMULA_OR_NAME = re.compile(r"<(?:f|definedName|formula|x14:formula1|xm:f)\b[^>]*>([^<]*)<")
"""A cell's formula, a defined name, a conditional format's or data validation's formula."""
_VALUE = re.compile(r"<(?:v|t)\b[^>]*>([^<]*)<")


def price_traces(path, quotes=(), structure: bool = True, quote_column: bool = False) -> list[str]:
    """Where the file shows a price: a quote in a cell's value, cached value or shared string (any
    part); with `structure`, also a Prices sheet and a price name in a formula, a defined name or a
    conditional format; with `quote_column`, also the vendor table's quote column (its header text
    in any part: a table's column, a shared or inline string)."""
    wanted = {float(q) for q in quotes}
    found = []
    with zipfile.ZipFile(path) as z:
        for part in z.namelist():
            if not part.endswith(".xml"):
                continue
            text = z.read(part).decode("utf-8", "replace")
            if structure and part == "xl/workbook.xml" and re.search(rf'<sheet [^>]*name="{PRICES_SHEET}"', text):
                found.append(f"{part}: a {PRICES_SHEET} sheet")
            if quote_column and QUOTE_HEADER in text:
                found.append(f"{part}: the header {QUOTE_HEADER!r}")
            found += [f"{part}: {m.group(1)} in {f[:60]!r}" for f in _FORMULA_OR_NAME.findall(text)
                      if structure and (m := _NAME.search(f))]
            for value in _VALUE.findall(text):
                try:
                    number = float(value.replace(",", ""))
                except ValueError:
                    continue
                if number in wanted:
                    found.append(f"{part}: the quote {value}")
    return found


def assert_no_price(path, quotes=(), structure: bool = True, quote_column: bool = False) -> None:
    """Fail, naming the parts, if the file at `path` shows a price or any of `quotes` (see
    `price_traces`)."""
    traces = price_traces(path, quotes, structure, quote_column)
    assert not traces, f"{path} shows prices: {traces[:5]}"
