"""`assert_no_price(path, quotes)`: nothing of the prices anywhere in an .xlsx file, for the copies
made for the technical evaluators (`share --technical`, evaluator packs)."""

from __future__ import annotations

import re
import zipfile

from partnerfit.workbook.prices import PRICE_PART_NAMES, PRICES_SHEET

_NAME = re.compile(r"\b(" + "|".join(sorted(PRICE_PART_NAMES, key=len, reverse=True)) + r")\b")
_FORMULA_OR_NAME = re.compile(r"<(?:f|definedName)\b[^>]*>([^<]*)<")
_VALUE = re.compile(r"<(?:v|t)\b[^>]*>([^<]*)<")


def price_traces(path, quotes=()) -> list[str]:
    """Where the file shows a price: a Prices sheet, a price name in a formula or a defined name,
    a quote in a cell's value, cached value or shared string (any part)."""
    wanted = {float(q) for q in quotes}
    found = []
    with zipfile.ZipFile(path) as z:
        for part in z.namelist():
            if not part.endswith(".xml"):
                continue
            text = z.read(part).decode("utf-8", "replace")
            if part == "xl/workbook.xml" and re.search(rf'<sheet [^>]*name="{PRICES_SHEET}"', text):
                found.append(f"{part}: a {PRICES_SHEET} sheet")
            found += [f"{part}: {m.group(1)} in {f[:60]!r}" for f in _FORMULA_OR_NAME.findall(text)
                      if (m := _NAME.search(f))]
            for value in _VALUE.findall(text):
                try:
                    number = float(value.replace(",", ""))
                except ValueError:
                    continue
                if number in wanted:
                    found.append(f"{part}: the quote {value}")
    return found


def assert_no_price(path, quotes=()) -> None:
    """Fail, naming the parts, if the file at `path` shows a price or any of `quotes`."""
    traces = price_traces(path, quotes)
    assert not traces, f"{path} shows prices: {traces[:5]}"
