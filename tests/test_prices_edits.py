"""A quote moves with its vendor: priced workbooks edited in LibreOffice through UNO (insert a vendor
row with its quote, delete a row, sort the vendor table), recalculated by LibreOffice, show the
engine's price scores, abnormally-low flags, technical scores and totals per vendor, and so does
`score --json`. Positions and widths come from the layout, never typed here."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from libreoffice import edit
from partnerfit.pricing import abnormally_low, price_scores
from partnerfit.workbook.layout import _V_HEAD, cell_ref, column_name, layout, vendor_tail
from partnerfit.workbook.writer import write_workbook
from template_cases import price_fillings
from test_user_edits import cli, columns

pytestmark = pytest.mark.libreoffice

CASES = price_fillings()
ZETA_QUOTE = 130_000.0


def _geometry(f):
    """(quote column letter, last table column letter, first vendor row, last filled row), 1-based rows."""
    m = len(f.criteria)
    quotes = layout(m, f.capacity, f.evaluators)["Prices"]
    first = _V_HEAD + 2
    return column_name(quotes.col), column_name(m + len(vendor_tail())), first, first + len(f.vendors) - 1


def _edits(f) -> dict[str, tuple[list, dict]]:
    """name -> (UNO edits, vendor -> quote after them)."""
    quote, last, first, bottom = _geometry(f)
    before = {v.name: (f.prices.quotes[i] if i < len(f.prices.quotes) else None) for i, v in enumerate(f.vendors)}
    zeta = [{"op": "set", "sheet": "Vendors", "cell": f"{column_name(k)}{first + 1}", "value": v}
            for k, v in enumerate(["Zeta Pharma", *[3] * len(f.criteria)])]
    deleted = f.vendors[2].name
    return {
        "insert": ([{"op": "insert_rows", "sheet": "Vendors", "row": first + 1, "count": 1}, *zeta,
                    {"op": "set", "sheet": "Vendors", "cell": f"{quote}{first + 1}", "value": ZETA_QUOTE}],
                   {**before, "Zeta Pharma": ZETA_QUOTE}),
        "delete": ([{"op": "delete_rows", "sheet": "Vendors", "row": first + 2, "count": 1}],
                   {k: v for k, v in before.items() if k != deleted}),
        "sort": ([{"op": "sort", "sheet": "Vendors", "range": f"A{first}:{last}{bottom}", "column": 1,
                   "descending": True}], before),
    }


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> dict[str, tuple]:
    """(path, filling, vendor -> quote) of every case, edited in one LibreOffice session."""
    folder = tmp_path_factory.mktemp("price_edits")
    jobs, meta = [], []
    for case in ("prices_linear", "prices_ratio", "prices_abnormally_low"):
        f = CASES[case]
        source = folder / f"{case}.xlsx"
        write_workbook(source, f)
        for name, (edits, quotes) in _edits(f).items():
            jobs.append((source, folder / f"{case}-{name}.xlsx", edits))
            meta.append((f"{case}-{name}", f, quotes))
    paths = edit(jobs)
    return {key: (path, f, quotes) for (key, f, quotes), path in zip(meta, paths)}


KEYS = [f"{c}-{e}" for c in ("prices_linear", "prices_ratio", "prices_abnormally_low") for e in ("insert", "delete",
                                                                                                  "sort")]


@pytest.mark.parametrize("key", KEYS)
def test_each_quote_follows_its_vendor_and_scores_as_the_engine(edited, key):
    path, f, quotes = edited[key]
    p = f.prices
    series = pd.Series(quotes, dtype=object)
    low, high = (None if x in (None, "") else x for x in (p.low, p.high))
    want_scores = price_scores(series, p.method, low, high)
    want_flags = abnormally_low(series, p.share)
    rows = zip(*columns(path, "Price_Vendors", "Price_Quotes", "Price_Scores", "Price_Flags"))
    shown = {v: (q, s, fl) for v, q, s, fl in rows if v not in (None, "")}
    assert sorted(shown) == sorted(quotes)
    if key.endswith("sort"):  # the rows did move: a quote kept by row would now be another vendor's
        assert list(shown) == sorted(shown, reverse=True) != [v.name for v in f.vendors]
    for vendor, (quote, score, flag) in shown.items():
        assert (quote in (None, "")) if quotes[vendor] is None else quote == quotes[vendor], (key, vendor)
        if math.isnan(want_scores[vendor]):
            assert score in (None, ""), (key, vendor)
        else:
            assert score == pytest.approx(want_scores[vendor], abs=1e-12), (key, vendor)
        assert bool(flag) == bool(want_flags[vendor]), (key, vendor)


@pytest.mark.parametrize("key", KEYS)
def test_score_json_agrees_with_the_recalculated_workbook(edited, key):
    path, _, quotes = edited[key]
    run = cli("score", path, "--json")
    assert run.returncode == 0, run.stderr
    got = {v["vendor"]: v for v in json.loads(run.stdout)["vendors"]}
    price_vendors, price_scores_shown, *table = columns(
        path, "Price_Vendors", "Price_Scores", "Result_Vendors", "Weighted_Scores", "Technical_Scores")
    price = dict(zip(price_vendors, price_scores_shown))
    results = zip(*table)
    for vendor, total, technical in results:
        if vendor in (None, ""):
            continue
        v = got[vendor]
        assert v["quote"] == quotes[vendor], (key, vendor)
        for mine, theirs in ((v["price_score"], price[vendor]), (v["score"], total),
                             (v["technical_score"], technical)):
            assert (theirs in (None, "")) if mine is None else mine == pytest.approx(theirs, abs=1e-9), (key, vendor)


def test_the_geometry_is_the_layouts():
    quote, last, first, _ = _geometry(CASES["prices_linear"])
    f = CASES["prices_linear"]
    area = layout(len(f.criteria), f.capacity)["Prices"]
    assert f"{quote}{first}" == cell_ref(area.row, area.col, absolute=False)


@pytest.mark.parametrize("key", [k for k in KEYS if k.endswith("insert")])
def test_the_technical_copy_of_an_edited_workbook_holds_no_price(edited, key, tmp_path):
    """The table grew by an inserted row in LibreOffice: every quote, the new one too, is left out."""
    from sealed import assert_no_price

    path, _, quotes = edited[key]
    copy = tmp_path / "technical.xlsx"
    run = cli("share", path, "-o", copy, "--technical")
    assert run.returncode == 0, run.stderr
    assert_no_price(copy, [q for q in quotes.values() if q is not None])
