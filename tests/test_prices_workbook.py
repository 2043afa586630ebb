"""The Prices sheet: price scores, flags and checks as the engine computes them, the technical and
total scores, the command line's problems and notes (LibreOffice recalculation of the formulas:
test_template_libreoffice.py with template_cases.price_fillings)."""

import math

import numpy as np
import pandas as pd
import pytest

from partnerfit.cli import main
from partnerfit.workbook.layout import cell_ref, layout
from partnerfit.workbook.model import Filling
from partnerfit.workbook.prices import BAD_PRICE, PRICE_FLAG, STATUS_PRICES, PriceFilling
from partnerfit.workbook.results import computed_values
from partnerfit.workbook.writer import write_workbook
from sealed import assert_no_price, price_traces
from template_cases import PRICE_PROBLEMS, engine_priced, paradox, price_fillings, read_back

CASES = price_fillings()


def column(values, name):
    return [row[0] for row in values[name]]


@pytest.mark.parametrize("name", [n for n in CASES if n not in PRICE_PROBLEMS])
def test_total_and_technical_scores_are_the_engines(name):
    f = CASES[name]
    values = computed_values(f)
    named = [v.name for v in f.vendors]
    scores = pd.DataFrame([list(v.scores) for v in f.vendors], index=named, columns=list(f.criteria), dtype=object)
    priced = engine_priced(f, scores)
    got = dict(zip(column(values, "Result_Vendors"), zip(column(values, "Weighted_Scores"),
                                                         column(values, "Technical_Scores"))))
    for vendor in named:
        total, technical = got[vendor]
        for value, want in ((total, priced.total.score[vendor]), (technical, priced.technical.score[vendor])):
            assert (value == "") if math.isnan(want) else value == pytest.approx(want, abs=1e-12)


def test_linear_scores_by_hand_and_the_abnormally_low_flag():
    # 100k..200k: 150k scores 5 - 4 * 50/100 = 3; median of (100, 150, 200, 70) = 125; 70 < 0.8 x 125.
    f = Filling(vendors=CASES["prices_linear"].vendors[:4], capacity=4,
                prices=PriceFilling(quotes=(100_000.0, 150_000.0, 200_000.0, 70_000.0)))
    values = computed_values(f)
    np.testing.assert_allclose(column(values, "Price_Scores"), [5 - 4 * 30 / 130, 5 - 4 * 80 / 130, 1, 5])
    assert column(values, "Price_Flags") == ["", "", "", PRICE_FLAG]


def test_bad_quotes_stop_the_scores_and_say_which_row():
    values = computed_values(CASES["prices_zero"])
    assert column(values, "Price_Checks")[:3] == ["", "", BAD_PRICE]
    assert set(column(values, "Price_Scores")) == {""}
    assert {s for s in column(values, "Statuses") if s} == {STATUS_PRICES}


def test_no_quotes_change_nothing():
    plain, priced = computed_values(Filling.example()), computed_values(
        Filling.example().__class__(**{**Filling.example().__dict__, "prices": PriceFilling(quotes=(None,) * 3)}))
    assert plain["Weighted_Scores"] == priced["Weighted_Scores"]
    assert set(column(plain, "Technical_Scores")) == {""}


def test_prices_read_back(tmp_path):
    f = CASES["prices_bounds"]
    got = read_back(f, tmp_path / "p.xlsx").prices
    assert [None if q == "" else q for q in got.quotes[:8]] == list(f.prices.quotes)
    assert (got.low, got.high, got.share, got.method) == (120_000, 190_000, 0.7, "linear")


def quote_cell(f, k: int) -> str:
    """The address of vendor row k's quote (0-based) in the vendor table, as the layout puts it."""
    area = layout(len(f.criteria), f.formula_rows)["Prices"]
    return f"{area.sheet}!{cell_ref(area.row + k, area.col, absolute=False)}"


@pytest.mark.parametrize("name, cell, text", [
    ("prices_zero", 2, "0 for Vendor 03 is not a price"),
    ("prices_text", 2, '"120000" for Vendor 03 is not a price'),
    ("prices_ratio_bounds", "Prices!B5", "Low and high are bounds of the linear method"),
    ("prices_unknown_criterion", "Prices!B8", "Price criterion is not on the Criteria sheet"),
])
def test_check_and_score_name_the_cell(tmp_path, capsys, name, cell, text):
    path = tmp_path / f"{name}.xlsx"
    write_workbook(path, CASES[name])
    cell = quote_cell(CASES[name], cell) if isinstance(cell, int) else cell
    assert main(["check", str(path)]) == 1
    assert f"{cell}: {text}" in capsys.readouterr().out
    assert main(["score", str(path)]) != 0
    err = capsys.readouterr().err.strip()
    assert f"{cell}: {text}" in err and len(err.splitlines()) == 1


def test_score_flags_abnormally_low_and_reports_the_method_check(tmp_path, capsys):
    import json

    path = tmp_path / "low.xlsx"
    write_workbook(path, CASES["prices_abnormally_low"])
    assert main(["score", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    flagged = [v["vendor"] for v in data["vendors"] if v["abnormally_low"]]
    assert flagged == ["Vendor 03"]
    assert data["price"]["criterion"] == "Cost" and isinstance(data["price"]["method_decides"], bool)
    assert {"score", "rank", "coverage", "status", "technical_score", "price_score"} <= set(data["vendors"][0])


def test_the_sealing_helper_finds_prices(tmp_path):
    path = tmp_path / "p.xlsx"
    write_workbook(path, CASES["prices_linear"])
    assert price_traces(path, (210_000.0,))
    with pytest.raises(AssertionError):
        assert_no_price(path)


def test_technical_copy_holds_no_price_and_scores_the_technical_criteria(tmp_path, capsys):
    import json

    f = CASES["prices_linear"]
    path, copy = tmp_path / "priced.xlsx", tmp_path / "technical.xlsx"
    write_workbook(path, f)
    assert main(["share", str(path), "-o", str(copy), "--technical"]) == 0
    # The price scores that no typed score could equal (typed scores are half points here).
    price_scores = [x for x in column(computed_values(f), "Price_Scores") if x != "" and 2 * x != round(2 * x)]
    assert len(price_scores) >= 4
    assert_no_price(copy, [q for q in f.prices.quotes if q is not None] + price_scores)
    assert main(["verify", str(copy)]) == 0
    capsys.readouterr()
    assert main(["score", "--json", str(copy)]) == 0
    shown = {v["vendor"]: v["score"] for v in json.loads(capsys.readouterr().out)["vendors"]}
    named = [v.name for v in f.vendors]
    scores = pd.DataFrame([list(v.scores) for v in f.vendors], index=named, columns=list(f.criteria), dtype=object)
    technical = engine_priced(f, scores).technical.score
    assert shown == pytest.approx(technical.to_dict(), abs=1e-12)


# --------------------------------------------------------------------------- does the formula decide?


def test_the_scores_sheet_says_the_formula_decides_the_leader():
    from partnerfit.workbook.prices import METHOD_DECIDES

    values = computed_values(paradox(low=50.0, high=150.0))
    assert values["Price_Method_Decides"] == [[True]]
    assert column(values, "Price_Method_Leaders") == ["B", "B", "A"]
    assert values["Price_Method_Check"] == [[METHOD_DECIDES]]
    plain = computed_values(paradox())
    assert column(plain, "Price_Method_Leaders") == ["B", "", "A"]  # no typed bounds: no such row


def test_the_same_leader_and_ties_are_said_too():
    from partnerfit.workbook.prices import METHOD_SAME

    f = paradox()
    f = f.__class__(**{**f.__dict__, "prices": PriceFilling(quotes=(100.0, 70.0, None))})  # C: no quote
    values = computed_values(f)
    assert values["Price_Method_Decides"] == [[False]] and values["Price_Method_Check"] == [[METHOD_SAME]]
    two = tuple(f.vendors[0].__class__(name, None, scores=(4, None)) for name in ("A", "B"))
    tied = f.__class__(**{**f.__dict__, "vendors": two, "prices": PriceFilling(quotes=(80.0, 80.0))})
    assert column(computed_values(tied), "Price_Method_Leaders") == ["A and 1 more (tied)", "", "A and 1 more (tied)"]


@pytest.mark.parametrize("name", [n for n in CASES if n not in PRICE_PROBLEMS])
def test_the_leaders_are_the_engines_method_check(name):
    from partnerfit.pricing import Variant, method_check

    f = CASES[name]
    values = computed_values(f)
    named = [v.name for v in f.vendors]
    scores = pd.DataFrame([list(v.scores) for v in f.vendors], index=named, columns=list(f.criteria), dtype=object)
    p = f.prices
    quotes = pd.Series(list(p.quotes) + [None] * (len(named) - len(p.quotes)), index=named, dtype=object)
    criterion = next(c for c in f.criteria if c.lower() == str(p.criterion).strip().lower())
    check = method_check(scores, list(f.weights), quotes, *(None if x in (None, "") else x for x in (p.low, p.high)),
                         criterion, list(f.minimums), f.min_coverage)
    shown = column(values, "Price_Method_Leaders")
    for k, variant in enumerate((Variant.LINEAR, Variant.LINEAR_TYPED, Variant.RATIO)):
        if variant not in check.leaders:
            assert shown[k] == ""
            continue
        leaders = check.leaders[variant]
        want = "no vendor" if not leaders else leaders[0] + (f" and {len(leaders) - 1} more (tied)"
                                                             if len(leaders) > 1 else "")
        assert shown[k] == want, variant
    assert values["Price_Method_Decides"] == [[check.changed]]


def test_packs_hold_no_price_and_no_price_structure(tmp_path, capsys):
    """A pack holds only what the evaluator needs: no quote, no price score in any cell, cached
    value or shared string, and no price structure: no Prices sheet, no price name in a formula,
    defined name or conditional format, no "Quoted price" column."""
    f = CASES["prices_linear"]
    path, folder = tmp_path / "priced.xlsx", tmp_path / "packs"
    write_workbook(path, f)
    assert price_traces(path, quote_column=True)  # the helper sees the structure of a priced workbook
    assert main(["pack", str(path), "--evaluators", "QA lead, CMC lead", "--out-dir", str(folder)]) == 0
    price_scores = [x for x in column(computed_values(f), "Price_Scores") if x != "" and 2 * x != round(2 * x)]
    packs = sorted(folder.glob("*.xlsx"))
    assert len(packs) == 2
    for pack in packs:
        assert_no_price(pack, [q for q in f.prices.quotes if q is not None] + price_scores, quote_column=True)


def test_the_technical_copy_drops_the_struck_through_format(tmp_path):
    """The priced workbook strikes through typed Cost scores with a conditional format that reads
    Price_On; the technical copy keeps no such rule (the sealing helper reads conditional formats)."""
    f = CASES["prices_linear"]
    path, copy = tmp_path / "priced.xlsx", tmp_path / "technical.xlsx"
    write_workbook(path, f)
    assert any("Price_On in 'AND(Price_On,COLUMN(" in t for t in price_traces(path))
    assert main(["share", str(path), "-o", str(copy), "--technical"]) == 0
    assert not price_traces(copy)
