"""`assert_no_price(path, quotes)`: nothing of the prices anywhere in an .xlsx file (for copies made
for the technical evaluators: `share --technical`, evaluator packs)."""

from __future__ import annotations

import re
import zipfile

PRICE_NAMES = re.compile(r"\b(Prices|Price_\w+|Technical_Scores)\b")


def price_traces(path, quotes=()) -> list[str]:
    """Where the file shows a price: a Prices sheet, a defined name of the Prices sheet, or a quote's
    digits in any part (cells, cached values, shared strings, names)."""
    found = []
    with zipfile.ZipFile(path) as z:
        for part in z.namelist():
            if not part.endswith((".xml", ".rels")):
                continue
            text = z.read(part).decode("utf-8", "replace")
            if part == "xl/workbook.xml" and re.search(r'<sheet [^>]*name="Prices"', text):
                found.append(f"{part}: a Prices sheet")
            for match in PRICE_NAMES.finditer(text):
                found.append(f"{part}: {match.group(0)}")
                break
            for quote in quotes:
                digits = f"{float(quote):.15g}"
                if re.search(rf"(?<![\d.]){re.escape(digits)}(?![\d])", text):
                    found.append(f"{part}: the quote {digits}")
    return found


def assert_no_price(path, quotes=()) -> None:
    traces = price_traces(path, quotes)
    assert not traces, f"{path} shows prices: {traces[:5]}"
