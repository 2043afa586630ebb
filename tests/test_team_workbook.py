"""Several evaluators, AHP weights and robustness in the workbook and on the command line.

openpyxl: the new sheets' names (the evaluator grids, and the Eval_ names of version 0.1 kept on
grid 1), validations, protection and conditional formats. Python: the workbook's reading of the
grids and judgements equals the engine (`consensus`, `ahp_weights`),
and the native AHP algorithm (repeated squaring) reaches the engine's eigenvector. Command line:
check, score, score -o, share and verify on a workbook with evaluations and AHP weights.
(LibreOffice recalculation of the same fillings: tests/test_template_libreoffice.py.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerfit import functions
from partnerfit.ahp import ahp_weights
from partnerfit.consensus import consensus
from partnerfit.workbook.check import check, evaluation_problems
from partnerfit.workbook.layout import (
    AHP_STEPS,
    ALIASES,
    FORMULA,
    GRID_SCORE,
    GRID_VENDOR,
    INPUT,
    INPUT_NAMES,
    NO_ELIGIBLE,
    OPTIONAL_INPUT_NAMES,
    TABLE,
    layout,
)
from partnerfit.workbook.model import Code, Filling, Grid
from partnerfit.workbook.reader import Source, read_inputs
from partnerfit.workbook.results import computed_values, read_grids
from partnerfit.workbook.template import build_workbook
from partnerfit.workbook.writer import write_workbook
from template_cases import (
    A1,
    A1_CRITERIA,
    A2,
    A2_CRITERIA,
    ahp_filling,
    grid_evaluations,
    named_values,
    random_judgements,
    read_back,
    team_ahp_filling,
    team_filling,
    team_problems_filling,
)

PUBLISHED_A1 = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]  # shared/reference/published_cases.md
PUBLISHED_A2 = [0.5476, 0.1266, 0.2699, 0.0559]


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("team") / "blank.xlsx"
    build_workbook(path)
    return openpyxl.load_workbook(path)


# --------------------------------------------------------------------------- the sheets


def test_new_names_sit_where_the_layout_says_with_their_roles(blank):
    names = layout(14, 50)
    found = {name: d.attr_text for name, d in blank.defined_names.items()}
    expected = {
        "Consensus_Method": ("Evaluations!$B$3", INPUT),
        "Grid_1_Evaluator": ("Evaluations!$B$6", INPUT),
        "Grid_1_Table": ("Evaluations!$A$7:$O$57", TABLE),
        "Grid_1_Vendors": ("Evaluations!$A$8:$A$57", INPUT),
        "Grid_1_Scores": ("Evaluations!$B$8:$O$57", INPUT),
        "Grid_1_Evidence": ("Evaluations!$P$8:$P$57", INPUT),
        "Grid_1_Check": ("Evaluations!$Q$8:$Q$57", FORMULA),
        "Grid_2_Evaluator": ("Evaluations!$B$60", INPUT),
        "Grid_2_Scores": ("Evaluations!$B$62:$O$111", INPUT),
        "Grid_5_Check": ("Evaluations!$Q$224:$Q$273", FORMULA),
        "Eval_Grids": ("Evaluations!$A$7:$O$273", TABLE),
        "Merged_Packs": ("Evaluations!$S$8:$V$57", "fixed"),
        "Consensus_Table": ("Consensus!$A$6:$O$56", TABLE),
        "Consensus_Scores": ("Consensus!$B$7:$O$56", FORMULA),
        "Consensus_Spreads": ("Consensus!$Q$7:$AD$56", FORMULA),
        "Consensus_Counts": ("Consensus!$AF$7:$AS$56", FORMULA),
        "Use_AHP": ("Criteria!$B$5", INPUT),
        "Effective_Weights": ("Criteria!$F$7:$F$20", FORMULA),
        "AHP_Judgements": ("'Weights (AHP)'!$B$10:$O$23", INPUT),
        "AHP_Matrix": ("'Weights (AHP)'!$B$26:$O$39", FORMULA),
        "AHP_Result_Weights": ("'Weights (AHP)'!$P$26:$P$39", FORMULA),
        "AHP_CR": ("'Weights (AHP)'!$B$4", FORMULA),
        "Robustness_Summary": ("Scores!$K$3", "addin"),
        "Score_Source": ("Scores!$H$3", FORMULA),
    }
    for name, (ref, role) in expected.items():
        assert (found[name], names[name].role) == (ref, role), name
    assert "Grid_6_Scores" not in found
    kept = {"Eval_Table": "Evaluations!$A$7:$O$57", "Eval_Vendors": "Evaluations!$A$8:$A$57",
            "Eval_Evaluators": "Evaluations!$B$6", "Eval_Criteria": "Evaluations!$B$7:$O$7",
            "Eval_Scores": "Evaluations!$B$8:$O$57", "Eval_Evidence": "Evaluations!$P$8:$P$57",
            "Eval_Checks": "Evaluations!$Q$8:$Q$57", "Calc_Eval_Cell": names["Calc_Grid_At"].ref}
    assert {name: found[name] for name in kept} == kept  # version 0.1's names, on grid 1
    assert {"Consensus_Method", "Use_AHP", "AHP_Judgements"} <= set(INPUT_NAMES)
    assert {"Calc_AHP_Start", f"Calc_AHP_Step_{AHP_STEPS}"} <= set(names) and names["Calc_AHP_Start"].sheet == "Calc"


def test_new_sheets_validations(blank):
    def validations(sheet):
        return {str(v.sqref): v for v in blank[sheet].data_validations.dataValidation}

    evaluations = validations("Evaluations")
    assert evaluations["B8:O57"].formula1 == '"1,2,3,4,5,N/A"' and evaluations["B8:O57"].errorStyle == "warning"
    assert evaluations["B224:O273"].formula1 == '"1,2,3,4,5,N/A"'  # the fifth grid
    assert evaluations["B3"].formula1 == '"mean,median"' and evaluations["B3"].errorStyle in (None, "stop")
    assert validations("Criteria")["B5"].formula1 == '"No,Yes"'
    ahp = validations("Weights (AHP)")
    above = [f"{chr(ord('C') + i)}{10 + i}:O{10 + i}" for i in range(12)] + ["O22"]  # above the diagonal
    assert set(above) <= set(ahp)  # and the groups' matrix (AHP per level), the same list
    groups = [ref for ref in ahp if ref not in above]
    assert len(groups) == 7 and all(ahp[ref].formula1 == ahp["C10:O10"].formula1 for ref in groups)
    assert ahp["C10:O10"].formula1.startswith('"9,8,7,6,5,4,3,2,1,1/2,1/3')


def test_new_sheets_protection_and_styles(blank):
    for sheet in ("Evaluations", "Consensus", "Weights (AHP)"):
        assert blank[sheet].protection.sheet and not blank[sheet].protection.password
    evaluations, ahp = blank["Evaluations"], blank["Weights (AHP)"]
    assert not evaluations["A8"].protection.locked and not evaluations["P57"].protection.locked
    assert not evaluations["B6"].protection.locked and not evaluations["O273"].protection.locked
    assert evaluations["Q8"].protection.locked and evaluations["A7"].protection.locked  # Check, header
    assert evaluations["B58"].protection.locked and evaluations["B58"].value is None  # the blank row below a grid
    assert not ahp["C10"].protection.locked and ahp["B10"].protection.locked and ahp["B11"].protection.locked
    assert ahp["C10"].number_format == "@"  # "1/3" typed stays text, not a date
    assert ahp["C10"].value == 1 and ahp["B10"].value == 1 and ahp["B11"].value is None
    assert blank["Criteria"]["B5"].value == "No" and blank["Evaluations"]["B3"].value == "mean"
    assert [c.value for c in evaluations[7]][:3] == ["Vendor", "Scope of work", "Regulatory track record"]
    assert [evaluations["P7"].value, evaluations["Q7"].value, evaluations["A6"].value] == ["Evidence", "Check", "Evaluator"]
    assert blank["Consensus"].sheet_state == "visible" and blank["Calc"].sheet_state == "hidden"


def test_disagreements_and_inconsistency_are_flagged(blank):
    rules = {str(r.sqref): [rule.formula for rule in r.rules] for r in blank["Consensus"].conditional_formatting}
    assert rules["Q7:AD56"] == [["AND(ISNUMBER(Q7),Q7>=2)"]]  # spreads of 2 points or more
    assert rules["B7:O56"] == [["AND(ISNUMBER(Q7),Q7>=2)"]]  # and the consensus they belong to
    ahp = {str(r.sqref): [rule.formula for rule in r.rules] for r in blank["Weights (AHP)"].conditional_formatting}
    assert ahp["B4"] == [["AND(ISNUMBER(B4),B4>0.1)"]]


def test_native_formulas_use_array_formulas_where_they_must(blank):
    """Legacy array formulas (CSE) where a function must see a whole range per cell; a consensus
    cell reads only its own cell of each grid (no array), through the row of Calc_Team_Scores
    that holds the vendor's scores of the criterion, one cell per grid."""
    from openpyxl.worksheet.formula import ArrayFormula

    team = layout(14, 50)["Calc_Team_Scores"]
    first, last = (openpyxl.utils.get_column_letter(team.col + 1 + k) for k in (0, 4))
    consensus_cell = blank["Consensus"]["B7"].value
    # (rows that follow the cell's row are relative: LibreOffice compiles the column's formula once)
    assert consensus_cell == (f'=IF(N($AF7)>0,IF(Calc_Median,MEDIAN(Calc!${first}7:${last}7),'
                              f'AVERAGE(Calc!${first}7:${last}7)),"")')
    grid_cells = [blank["Calc"][f"{openpyxl.utils.get_column_letter(team.col + 1 + g)}7"].value for g in range(5)]
    rows = [openpyxl.utils.get_column_letter(layout(14, 50)["Calc_Grid_At"].col + 1 + g) for g in range(5)]
    assert grid_cells[0] == f'=IF(ISNUMBER(INDEX(Grid_1_Scores,${rows[0]}7,1)),INDEX(Grid_1_Scores,${rows[0]}7,1),"")'
    assert all(f"INDEX(Grid_{g + 1}_Scores,${rows[g]}7,1)" in cell  # each its own grid
               for g, cell in enumerate(grid_cells))
    at = blank["Calc"][f"{rows[0]}7"].value
    assert isinstance(at, ArrayFormula) and "EXACT(TRIM(Evaluations!$A$8:$A$58)" in at.text
    check = blank["Evaluations"]["Q8"].value
    assert check.startswith('=IF(COUNTIFS($B8:$O8,">=1",$B8:$O8,"<=5")+COUNTIF($B8:$O8,"N/A")'
                             '+COUNTBLANK($B8:$O8)<>14,')
    start = layout(14, 50)["Calc_AHP_Start"]
    block = blank["Calc"].cell(start.row + 1, start.col + 1).value
    assert isinstance(block, ArrayFormula) and block.ref == start.ref.split("!")[1].replace("$", "")
    assert "MMULT" in blank["Calc"].cell(start.row + 1 + 15, start.col + 1).value.text  # the first squaring


# --------------------------------------------------------------------------- the engine, in Python


@st.composite
def grids(draw):
    """Up to four grids of the example's vendors (any order, some left out) with valid cells."""
    filling = Filling.example(capacity=8)
    vendors, m = [v.name for v in filling.vendors], len(filling.criteria)
    cell = st.one_of(st.sampled_from([1, 2, 3, 4, 5, 2.5, "N/A", "n/a", None]), st.floats(1, 5))
    out = []
    for k in range(draw(st.integers(1, 4))):
        names = draw(st.permutations(vendors[:5]))[:draw(st.integers(1, 5))]
        rows = draw(st.lists(st.lists(cell, min_size=m, max_size=m), min_size=len(names), max_size=len(names)))
        out.append(Grid(f"Evaluator {k}", tuple(names), tuple(map(tuple, rows))))
    return tuple(out)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(found=grids(), method=st.sampled_from(["mean", "median"]))
def test_workbook_consensus_is_the_engines(found, method):
    """computed_values' consensus, spread and count equal consensus() (the pandas API)."""
    filling = replace(Filling.example(capacity=8), grids=found, evaluators=4, consensus_method=method)
    values = computed_values(filling)
    engine = consensus(grid_evaluations(filling), method, criteria=filling.criteria)
    for k, vendor in enumerate(v.name for v in filling.vendors):
        for j, criterion in enumerate(filling.criteria):
            known = vendor in engine.table.index and engine.count.loc[vendor, criterion] > 0
            score, spread, count = (values[name][k][j] for name in
                                    ("Consensus_Scores", "Consensus_Spreads", "Consensus_Counts"))
            if known:
                assert score == pytest.approx(engine.table.loc[vendor, criterion], abs=1e-12)
                assert spread == engine.spread.loc[vendor, criterion]
            else:
                assert (score, spread) == ("", "")
            assert count == (engine.count.loc[vendor, criterion] if vendor in engine.table.index else 0)
    assert values["Calc_Clean_Scores"][0] == values["Consensus_Scores"][0]  # the consensus is what is scored


def _native_weights(matrix) -> np.ndarray:
    """The workbook's algorithm: A / sum(A), AHP_STEPS squarings renormalised, row sums."""
    a = np.array(matrix, dtype=float)
    b = a / a.sum()
    for _ in range(AHP_STEPS):
        c = b @ b
        b = c / c.sum()
    return b.sum(axis=1) / b.sum()


def _full(upper) -> list[list[float]]:
    from partnerfit.workbook.results import read_ahp

    return read_ahp(upper).matrix


@pytest.mark.parametrize("m, seed", [(7, 0), (4, 0)] + [(m, seed) for m in (3, 9, 14, 15) for seed in range(5)])
def test_native_ahp_algorithm_reaches_the_engines_eigenvector(m, seed):
    """Published cases A1 and A2, and random (inconsistent) judgements up to 15 criteria."""
    upper = A1 if m == 7 else A2 if m == 4 else random_judgements(m, seed)
    engine = ahp_weights(_full(upper))
    assert np.abs(_native_weights(_full(upper)) - engine.weights).max() < 1e-9
    if m == 7:
        np.testing.assert_allclose(engine.weights, PUBLISHED_A1, atol=1e-3)
    if m == 4:
        np.testing.assert_allclose(engine.weights, PUBLISHED_A2, atol=1e-3)


def test_ahp_cached_values_are_the_engines():
    values = computed_values(ahp_filling(A1_CRITERIA, A1))
    engine = ahp_weights(_full(A1))
    assert [w for (w,) in values["AHP_Result_Weights"]] == engine.weights.tolist()
    assert values["Effective_Weights"] == values["AHP_Result_Weights"]  # Use AHP weights = Yes
    assert values["AHP_Lambda_Max"][0][0] == pytest.approx(7.1766, abs=1e-3)
    assert values["AHP_CR"][0][0] == pytest.approx(0.022, abs=1e-3)
    assert values["AHP_Check"] == [["Consistent: CR is at most 0.10"]]
    unused = computed_values(ahp_filling(A2_CRITERIA, A2, use_ahp="No"))
    assert [w for (w,) in unused["Effective_Weights"]] == [10.0] * 4  # typed weights; AHP shown, not used
    bad = computed_values(ahp_filling(A2_CRITERIA, ((1, "1/3", "abc", 2),) * 4))
    assert bad["Criteria_Check"][0][0].startswith("Use AHP weights is Yes, but the AHP judgements are incomplete")
    assert {s for (s,) in bad["Statuses"] if s} == {"Check the Criteria sheet"}


def test_inconsistent_judgements_name_the_pair_to_revisit():
    filling = team_ahp_filling()
    values = computed_values(filling)
    engine = ahp_weights(_full(filling.judgements))
    i, j = engine.worst_pair
    assert not engine.consistent and values["Calc_AHP_Worst"] == [[i + 1, j + 1]]
    assert values["AHP_Check"][0][0] == (
        f"Inconsistent: CR is above 0.10; revisit {filling.criteria[i]} vs {filling.criteria[j]}")


def test_reading_grids_as_the_formulas_do():
    """TRIM (spaces only) and case-sensitive names, the first grid row of a name; a cell is a score
    only as a number from 1 to 5 (a number typed as text is not: the row is marked)."""
    grid = Grid("Ann", ("  Acme Bio ", "acme bio", "Beta", None, "Beta"),
                ((4, None), (3, 2), ("n/a", "3"), (None, None), (5, 5)), ("seen",))
    read = read_grids(["Acme  Bio", "Beta", None], [grid.padded(5, 2)], " MEDIAN ")
    assert read.at.tolist() == [[1], [3], [0]]
    assert read.checks == [["", GRID_VENDOR, GRID_SCORE.format(lo="1", hi="5"), "", ""]]
    assert read.invalid[0].tolist() == [[False, False], [False, False], [False, True], [False, False], [False, False]]
    assert read.entered == 7 and read.median and read.check == "Fix the rows marked in the Check column"
    centre, spread, count = read.statistics(3, 2)
    assert centre[0, 0] == 4 and np.isnan(centre[1]).all() and count.tolist() == [[1, 0], [0, 0], [0, 0]]


def test_addin_cells_cached_from_the_functions():
    blank = [["Vendor", "Evaluator", "Criterion", "Score", "Evidence"]] + [[None] * 5] * 3
    assert functions.CONSENSUS(blank, None) == [["Vendor"]]  # what computed_values caches without evaluations
    stacked = [["Vendor", "Q", "C"], ["A", 4, 2], ["B", None, "N/A"], [None] * 3, [None] * 3,
               ["Evaluator", "Bob", None], ["Vendor", "Q", "C"], ["B", 3, None], ["A", 2, 5]]
    assert functions.CONSENSUS(stacked, "mean") == [["Vendor", "Q", "C"], ["A", 3.0, 3.5], ["B", 3.0, None]]
    team = team_filling()
    values = computed_values(team)
    header, *rows = values["Addin_Consensus"]
    assert header[0] == "Vendor" and sorted(header[1:]) == sorted(team.criteria)  # first-appearance order
    assert {row[0] for row in rows if row[0]} == {v.name for v in team.vendors if v.name}
    assert [row for row in rows if row[0] in (team.vendors[4].name, team.vendors[6].name)][0][1:] == [""] * 14
    eligible = [row for row in values["Calc_Robust_Table"][1:] if row[0]]
    sentence = functions.ROBUSTNESS([values["Calc_Robust_Table"][0], *eligible],
                                    [w for (w,) in values["Effective_Weights"]], 0.2, 10000, 0)
    assert values["Robustness_Summary"] == [[sentence]] and " leads in " in sentence
    assert computed_values(Filling())["Robustness_Summary"] == [[NO_ELIGIBLE]]
    cross = values["Addin_Results"]  # VENDOR_RANKING of the consensus equals the native results
    native = {name: (score, status) for (name,), (score,), (status,) in
              zip(values["Result_Vendors"], values["Weighted_Scores"], values["Statuses"]) if name}
    for vendor, score, _rank, _coverage, status in cross[1:]:
        if vendor:
            assert native[vendor][1] == status and (score or "") == pytest.approx(native[vendor][0] or "")


def test_filling_round_trips_with_evaluations_and_judgements(tmp_path):
    filling = team_ahp_filling()
    read = read_back(filling, tmp_path / "team.xlsx")
    assert read.evaluators == filling.evaluators and read.use_ahp == "yes"
    assert computed_values(read) == computed_values(filling)


def test_a_workbook_without_the_new_names_reads_as_before(tmp_path):
    filling = Filling.example()
    read = read_back(filling, tmp_path / "example.xlsx", [n for n in INPUT_NAMES if n not in OPTIONAL_INPUT_NAMES])
    assert read.grids == () and read.use_ahp == "No" and read.consensus_method == "mean"
    assert computed_values(read)["Statuses"] == computed_values(filling)["Statuses"]


# --------------------------------------------------------------------------- the command line


def run(*args, cwd=None):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PARTNERFIT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "partnerfit.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=120, env=env)


def named(path: Path, *names) -> dict[str, list[list]]:
    return named_values(path, names)


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> Path:
    """Four evaluators, median, inconsistent AHP weights in use (CDMO criteria)."""
    path = tmp_path_factory.mktemp("cli") / "team.xlsx"
    write_workbook(path, team_ahp_filling())
    return path


def test_score_uses_the_consensus_and_adds_the_robustness_sentence(team, tmp_path):
    filling = team_ahp_filling()
    data = json.loads(run("score", team, "--json").stdout)
    assert list(data) == ["recommendation", "vendors", "approval"]  # the documented shape, nothing added
    keys = ["vendor", "score", "rank", "coverage", "status", "due_diligence", "evaluators", "flagged", "agreed"]
    assert [list(v) for v in data["vendors"]] == [keys] * 6
    values = computed_values(filling)
    expected = {name: (score, status) for (name,), (score,), (status,) in
                zip(values["Result_Vendors"], values["Weighted_Scores"], values["Statuses"]) if name}
    found = {v["vendor"]: (v["score"] if v["score"] is not None else "", v["status"]) for v in data["vendors"]}
    assert found.keys() == expected.keys()
    for name, (score, status) in found.items():
        assert status == expected[name][1]
        assert score == (pytest.approx(expected[name][0], abs=1e-12) if score != "" else expected[name][0])
    text = run("score", team, "-o", tmp_path / "scored.xlsx")
    assert text.returncode == 0, text.stderr
    sentence = named(tmp_path / "scored.xlsx", "Robustness_Summary")["Robustness_Summary"][0][0]
    assert sentence == values["Robustness_Summary"][0][0] and " leads in " in sentence
    assert f"Robustness (weights +/-20 %): {sentence}" in text.stdout
    cells = values["Eval_Rows"][0][0]
    assert f"Scores: the median of {cells} score cells in 4 evaluator grids" in text.stdout
    assert "Weights: from the pairwise comparisons" in text.stdout
    scored = named(tmp_path / "scored.xlsx", "Consensus_Scores", "AHP_Result_Weights", "Calc_AHP_Step_10")
    assert scored["Consensus_Scores"] == [[None if x == "" else x for x in row] for row in values["Consensus_Scores"]]
    assert scored["AHP_Result_Weights"] == values["AHP_Result_Weights"]
    assert scored["Calc_AHP_Step_10"] == values["Calc_AHP_Step_10"]  # an array block: every cell patched


def test_check_lists_evaluation_problems_and_notes_disagreements(team, tmp_path):
    bad = tmp_path / "bad.xlsx"
    write_workbook(bad, replace(team_problems_filling(), consensus_method="avg"))
    result = run("check", bad)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    for fragment in (
        'Evaluations!B3: consensus method is "avg"; choose mean or median',
        "Evaluations!B8: 7 for Alder Biologics / Scope of work by Quality lead is not a score from 1 to 5",
        'Evaluations!C8: "abc" for Alder Biologics / Regulatory track record by Quality lead is not a score',
        'Evaluations!D8: " 4 " for Alder Biologics / Scale flexibility by Quality lead is not a score',
        'Evaluations!E8: "3" for Alder Biologics / Technology transfer by Quality lead is not a score from 1 to 5; '
        "type a number from 1 to 5 (a number, not text)",
        'Evaluations!A24: CMC lead scored vendor "Unknown Bio", which is not on the Vendors sheet',
    ):
        assert any(line.startswith(fragment) for line in lines), (fragment, lines)
    scored = run("score", bad)
    assert scored.returncode == 1 and scored.stderr.count("\n") == 1 and "run partnerfit check" in scored.stderr
    clean = run("check", team)
    notes = [line for line in clean.stdout.splitlines() if ": note: " in line]
    assert any(line.startswith("Consensus!") and "the evaluators disagree on" in line and "(spread " in line
               for line in notes)
    assert any(line.startswith("Weights (AHP)!") and "inconsistent (CR" in line for line in notes)
    assert any("the Vendors sheet's scores are set aside" in line for line in notes)
    problems = [line for line in clean.stdout.splitlines() if ": note: " not in line]
    assert problems and all("no evaluator scored" in line for line in problems)  # two vendors nobody scored


def test_evaluation_problems_carry_codes(tmp_path):
    bad = tmp_path / "bad.xlsx"
    write_workbook(bad, replace(team_problems_filling(), consensus_method="avg"))
    problems = evaluation_problems(read_inputs(Source(bad)))
    assert [(p.cell, p.code) for p in problems] == [
        ("Evaluations!B3", Code.CONSENSUS_METHOD), *((f"Evaluations!{c}8", Code.EVALUATION_SCORE) for c in "BCDE"),
        ("Evaluations!A24", Code.EVALUATION_VENDOR), ("Evaluations!A33", Code.EVALUATION_VENDOR),  # in capitals
    ]
    shown = computed_values(team_problems_filling())  # the workbook marks the same rows
    assert shown["Grid_1_Check"][0] == [GRID_SCORE.format(lo="1", hi="5")] and shown["Grid_2_Check"][4] == [GRID_VENDOR]
    assert shown["Grid_3_Check"][1] == [GRID_VENDOR]  # (its first vendor, spaced otherwise, is on the sheet)
    assert sum(bool(t) for g in (1, 2, 3, 4) for (t,) in shown[f"Grid_{g}_Check"]) == 3


def test_use_ahp_is_read_as_the_workbook_reads_it(tmp_path):
    for answer, problem in (("No", False), (" yes ", False), ("\u00a0No", True), ("maybe", True)):
        filling = ahp_filling(A2_CRITERIA, A2, use_ahp=answer)
        path = tmp_path / "ahp.xlsx"
        write_workbook(path, filling)
        shown = computed_values(filling)["Criteria_Check"][0][0]
        codes = [p.code for p in check(read_inputs(Source(path)))]
        assert (shown == "Use AHP weights must be Yes or No") == problem, (answer, shown)  # the workbook
        assert (Code.USE_AHP in codes) == problem, (answer, codes)  # the command line


def test_shared_copy_of_a_team_workbook_verifies_and_catches_an_edited_evaluation(team, tmp_path):
    shared = tmp_path / "shared.xlsx"
    result = run("share", team, "-o", shared)
    assert result.returncode == 0, result.stderr
    assert run("verify", shared).returncode == 0
    book = openpyxl.load_workbook(shared)
    audit = {row[0].value: row[1].value for row in book["Audit"].iter_rows(max_col=2) if row[0].value}
    assert audit["Scores"].startswith("consensus (median) of ") and " score cells in 4 evaluator grids" in audit["Scores"]
    assert audit["Weights"].startswith("AHP")
    formulas = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    sheet = book["Evaluations"]
    row = next(r for r in range(8, 16) if isinstance(sheet.cell(r, 2).value, (int, float)))
    sheet.cell(row, 2).value = 1 if sheet.cell(row, 2).value != 1 else 5
    tampered = tmp_path / "tampered.xlsx"
    book.save(tampered)
    verdict = run("verify", tampered)
    assert verdict.returncode == 1 and "checksum" in verdict.stdout and "Consensus!" in verdict.stdout


def test_score_output_on_a_workbook_made_before_the_new_sheets(tmp_path):
    """Without the Evaluations and AHP names: scored as before, no notes about missing names."""
    path = tmp_path / "old.xlsx"
    build_workbook(path, example=True)
    book = openpyxl.load_workbook(path)
    for name in [n for n in book.defined_names if n.startswith(("Eval_", "Grid_", "Consensus_", "AHP_", "Calc_AHP",
                                                                 "Calc_Eval", "Calc_Grid"))
                 or n in ("Use_AHP", "Effective_Weights", "Robustness_Summary", "Score_Source", "Addin_Consensus")]:
        del book.defined_names[name]
    book.save(path)
    result = run("score", path, "-o", tmp_path / "scored.xlsx")
    assert result.returncode == 0 and "note:" not in result.stderr, result.stderr
    assert "Garnet BioWorks leads in" in result.stdout


def test_new_with_evaluator_grids(tmp_path):
    result = run("new", tmp_path / "x.xlsx", "--evaluators", "3", "--vendors", "10")
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(tmp_path / "x.xlsx")
    assert book.defined_names["Grid_3_Scores"].attr_text == "Evaluations!$B$36:$O$45"
    assert "Grid_4_Scores" not in book.defined_names
    assert book.defined_names["Eval_Scores"].attr_text == book.defined_names["Grid_1_Scores"].attr_text
    assert run("new", tmp_path / "y.xlsx", "--evaluators", "0").returncode == 2


@pytest.mark.parametrize("criteria, evaluators", [(14, 50), (3, 50), (14, 5)])
def test_no_two_names_share_a_cell_with_the_most_evaluators(criteria, evaluators):
    """Each cell belongs to one block (a name and its aliases, a table and its parts aside): 50
    evaluator grids once put their rows' positions (Calc_Grid_At) over the ranked vendor table."""
    names = layout(criteria, 10, evaluators)
    owner = {}
    for name, area in names.items():
        if name in ALIASES or area.role == TABLE or name in ("Eval_Grids", "Consensus_Table"):
            continue
        for cell in area.cells():
            assert owner.setdefault((area.sheet, *cell), name) == name, (name, owner[(area.sheet, *cell)])
