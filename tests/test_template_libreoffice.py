"""The workbook's native formulas, recalculated by LibreOffice, give the engine's results."""

from __future__ import annotations

import openpyxl
import pytest

from libreoffice import freeze, recalc, render
from partnerfit.workbook.layout import REASON_NEEDS_ADDIN, layout
from partnerfit.workbook.results import computed_values
from partnerfit.workbook.template import build_workbook
from partnerfit.workbook.writer import write_workbook
from template_cases import (
    ODD_JUDGEMENTS,
    PRICE_PROBLEMS,
    ahp_problem_fillings,
    area_values,
    bad_weights_fillings,
    cases,
    engine_mismatches,
    error_cells,
    formula_mismatches,
    grid_evaluations,
)

pytestmark = pytest.mark.libreoffice
CASES = cases()
UNSCORED = {*bad_weights_fillings(), *ahp_problem_fillings(), "team_problems", "team_bad_method", *PRICE_PROBLEMS}
ENGINE_CASES = [name for name in CASES if name not in UNSCORED]


@pytest.fixture(scope="session")
def recalculated(tmp_path_factory) -> dict[str, openpyxl.Workbook]:
    """Every case written, recalculated by LibreOffice in one call, and read back (values)."""
    folder = tmp_path_factory.mktemp("recalc")
    paths = []
    for name, filling in CASES.items():
        write_workbook(folder / f"{name}.xlsx", filling)
        paths.append(folder / f"{name}.xlsx")
    outputs = recalc(paths, folder / "out")
    return {name: openpyxl.load_workbook(out, data_only=True) for name, out in zip(CASES, outputs)}


@pytest.mark.parametrize("name", list(CASES))
def test_every_native_formula_gives_the_computed_value(recalculated, name):
    assert formula_mismatches(recalculated[name], CASES[name]) == []


@pytest.mark.parametrize("name", ENGINE_CASES)
def test_scores_coverage_status_rank_equal_the_engine(recalculated, name):
    assert engine_mismatches(recalculated[name], CASES[name]) == []


@pytest.mark.parametrize("name", list(CASES))
def test_no_error_value_outside_the_addin_cells(recalculated, name):
    assert error_cells(recalculated[name], CASES[name]) == []


def test_addin_cells_fail_without_the_addin(recalculated):
    """LibreOffice has no add-in: the add-in cells are errors, or say they need it; the
    recommendation and the rest are computed (checked above)."""
    workbook = recalculated["example"]
    names = layout(len(CASES["example"].criteria), CASES["example"].capacity)

    def cell(name):
        area = names[name]
        return workbook[area.sheet].cell(area.row + 1, area.col + 1)

    assert cell("Addin_Recommendation").data_type == "e"
    assert cell("Recommendation").value == "CDMO"
    assert cell("Recommendation_Reason").value == REASON_NEEDS_ADDIN


def test_injected_text_stays_text_after_recalculation(recalculated):
    workbook, filling = recalculated["injection"], CASES["injection"]
    names = layout(len(filling.criteria), filling.capacity)
    area = names["Vendor_Names"]
    ws = workbook[area.sheet]
    typed = [ws.cell(area.row + 1 + i, area.col + 1).value for i in range(len(filling.vendors))]
    assert typed == [v.name for v in filling.vendors]
    assert [row[0] for row in computed_values(filling)["Result_Vendors"][: len(typed)]] == typed


def test_render_program_and_scores(tmp_path):
    """The harness behind docs/program.png and docs/scores.png (scripts/docs_pictures.py)."""
    built = tmp_path / "built.xlsx"
    build_workbook(built, example=True)
    frozen = freeze(built, tmp_path / "example.xlsx", ["PARTNER_FIT", "VENDOR_RANKING"])
    program = openpyxl.load_workbook(frozen)["Program"]
    assert program["B12"].value == "CDMO" and program["B12"].data_type == "s"  # the add-in cell, frozen to its value
    assert program["B10"].value.startswith("=IF(Calc_Fit_Status")  # the native recommendation: kept
    pictures = render(frozen, tmp_path / "png", ["Program", "Scores"], height=400)
    assert [p.name for p in pictures] == ["example-Program.png", "example-Scores.png"]
    assert all(p.stat().st_size > 10_000 and p.read_bytes()[:4] == b"\x89PNG" for p in pictures)


@pytest.mark.parametrize("name, published", [
    ("ahp_a1", [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]),  # shared/reference/published_cases.md A1
    ("ahp_a2", [0.5476, 0.1266, 0.2699, 0.0559]),  # A2
    ("team_ahp_cdmo", None),  # 14 criteria, inconsistent (CR about 1)
])
def test_native_ahp_weights_are_the_engines(recalculated, name, published):
    """The workbook's repeated squaring (LibreOffice) against ahp_weights (LAPACK): within 1e-9."""
    from partnerfit.ahp import ahp_weights
    from partnerfit.workbook.results import read_ahp

    filling = CASES[name]
    engine = ahp_weights(read_ahp(filling.judgements).matrix)
    native = [row[0] for row in area_values(recalculated[name], filling, "AHP_Result_Weights")]
    assert max(abs(a - b) for a, b in zip(native, engine.weights)) < 1e-9
    (cr,), = area_values(recalculated[name], filling, "AHP_CR")
    assert abs(cr - engine.cr) < 1e-9
    if published:
        assert max(abs(a - b) for a, b in zip(native, published)) < 1e-3


def test_typed_judgements_are_cleaned_once_then_read(recalculated):
    """Each judgement cell cleaned once into its Calc text cell (control characters and spaces
    out), then read from it: the groups' block of ahp_incomplete holds ODD_JUDGEMENTS."""
    book, filling = recalculated["ahp_incomplete"], CASES["ahp_incomplete"]
    g = len(filling.groups.judgements)
    upper = [(i, j) for i in range(g) for j in range(i + 1, g)]
    text, parsed = (area_values(book, filling, name) for name in ("Calc_AHP_Group_Text", "Calc_AHP_Group_Parsed"))
    typed = dict(zip(ODD_JUDGEMENTS, upper))
    assert [text[i][j] for i, j in (typed["\t1 / 3\n"], typed[" 7 "], typed[" "], typed[2.5])] == ["1/3", "7", "", 2.5]
    read = {x: parsed[i][j] for x, (i, j) in typed.items()}
    assert read["\t1 / 3\n"] == pytest.approx(1 / 3) and read[" 7 "] == 7 and read[2.5] == 2.5 and read["9."] == 9
    assert read["1.5/0.5"] == 3 and {read[x] for x in ("1//3", "1e2", "\uff13", "\u00a03", "-3", "3/", "/3", "1/0")} == {""}
    assert formula_mismatches(book, filling) == []


@pytest.mark.parametrize("name", ["team_mean", "team_median", "team_ahp_cdmo"])
def test_native_consensus_spread_and_count_are_the_engines(recalculated, name):
    """Consensus (mean or median), spread and count recalculated by LibreOffice against consensus()."""
    from partnerfit.consensus import consensus

    filling = CASES[name]
    frame = grid_evaluations(filling)
    engine = consensus(frame, str(filling.consensus_method).strip(), criteria=list(filling.criteria))
    book = recalculated[name]
    found = {key: area_values(book, filling, key) for key in ("Consensus_Scores", "Consensus_Spreads", "Consensus_Counts")}
    flagged = 0
    for i, vendor in enumerate(v.name for v in filling.vendors):
        if vendor not in engine.table.index:
            continue
        for j, criterion in enumerate(filling.criteria):
            count = engine.count.loc[vendor, criterion]
            assert found["Consensus_Counts"][i][j] == count
            if count:
                assert abs(found["Consensus_Scores"][i][j] - engine.table.loc[vendor, criterion]) < 1e-12
                assert found["Consensus_Spreads"][i][j] == engine.spread.loc[vendor, criterion]
                flagged += bool(engine.flags.loc[vendor, criterion])
    assert flagged > 0
    (disagreements,), = area_values(book, filling, "Consensus_Disagreements")
    assert disagreements == flagged
