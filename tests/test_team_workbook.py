"""Several evaluators, AHP weights and robustness in the workbook and on the command line.

openpyxl: the new sheets' names, validations, protection and conditional formats. Python: the
workbook's reading of evaluations and judgements equals the engine (`consensus`, `ahp_weights`),
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
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerfit import functions
from partnerfit.ahp import ahp_weights
from partnerfit.consensus import consensus
from partnerfit.workbook.check import check, evaluation_problems
from partnerfit.workbook.layout import (
    AHP_STEPS,
    EVALUATION_NAMES,
    FORMULA,
    INPUT,
    INPUT_NAMES,
    NO_ELIGIBLE,
    OPTIONAL_INPUT_NAMES,
    TABLE,
    layout,
)
from partnerfit.workbook.model import Code, Filling
from partnerfit.workbook.reader import Source, read_inputs
from partnerfit.workbook.results import computed_values, read_evaluations
from partnerfit.workbook.template import build_workbook
from partnerfit.workbook.writer import write_workbook
from template_cases import (
    A1,
    A1_CRITERIA,
    A2,
    A2_CRITERIA,
    ahp_filling,
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
        "Eval_Table": ("Evaluations!$A$7:$E$407", TABLE),
        "Eval_Vendors": ("Evaluations!$A$8:$A$407", INPUT),
        "Eval_Scores": ("Evaluations!$D$8:$D$407", INPUT),
        "Eval_Checks": ("Evaluations!$F$8:$F$407", FORMULA),
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
    assert set(EVALUATION_NAMES) | {"Consensus_Method", "Use_AHP", "AHP_Judgements"} <= set(INPUT_NAMES)
    assert {"Calc_AHP_Start", f"Calc_AHP_Step_{AHP_STEPS}"} <= set(names) and names["Calc_AHP_Start"].sheet == "Calc"


def test_new_sheets_validations(blank):
    def validations(sheet):
        return {str(v.sqref): v for v in blank[sheet].data_validations.dataValidation}

    evaluations = validations("Evaluations")
    assert (evaluations["A8:A407"].type, evaluations["A8:A407"].formula1) == ("list", "Vendor_Names")
    assert (evaluations["C8:C407"].type, evaluations["C8:C407"].formula1) == ("list", "Criteria_Names")
    assert evaluations["D8:D407"].formula1 == '"1,2,3,4,5,N/A"' and evaluations["D8:D407"].errorStyle == "warning"
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
    assert not evaluations["A8"].protection.locked and not evaluations["E407"].protection.locked
    assert evaluations["F8"].protection.locked and evaluations["A7"].protection.locked  # Check, header
    assert not ahp["C10"].protection.locked and ahp["B10"].protection.locked and ahp["B11"].protection.locked
    assert ahp["C10"].number_format == "@"  # "1/3" typed stays text, not a date
    assert ahp["C10"].value == 1 and ahp["B10"].value == 1 and ahp["B11"].value is None
    assert blank["Criteria"]["B5"].value == "No" and blank["Evaluations"]["B3"].value == "mean"
    table = evaluations.tables["EvaluationTable"]
    assert table.ref == "A7:E407" and [c.name for c in table.tableColumns] == [
        "Vendor", "Evaluator", "Criterion", "Score", "Evidence"]
    assert blank["Consensus"].sheet_state == "visible" and blank["Calc"].sheet_state == "hidden"


def test_disagreements_and_inconsistency_are_flagged(blank):
    rules = {str(r.sqref): [rule.formula for rule in r.rules] for r in blank["Consensus"].conditional_formatting}
    assert rules["Q7:AD56"] == [["AND(ISNUMBER(Q7),Q7>=2)"]]  # spreads of 2 points or more
    assert rules["B7:O56"] == [["AND(ISNUMBER(Q7),Q7>=2)"]]  # and the consensus they belong to
    ahp = {str(r.sqref): [rule.formula for rule in r.rules] for r in blank["Weights (AHP)"].conditional_formatting}
    assert ahp["B4"] == [["AND(ISNUMBER(B4),B4>0.1)"]]


def test_native_formulas_use_array_formulas_where_they_must(blank):
    """Legacy array formulas (CSE) where a function must see a whole range per cell."""
    from openpyxl.worksheet.formula import ArrayFormula

    consensus_cell = blank["Consensus"]["B7"].value
    assert isinstance(consensus_cell, ArrayFormula) and consensus_cell.ref == "B7"
    assert "MEDIAN(IF(Calc_Eval_Cell=1,Calc_Eval_Score))" in consensus_cell.text
    start = layout(14, 50)["Calc_AHP_Start"]
    block = blank["Calc"].cell(start.row + 1, start.col + 1).value
    assert isinstance(block, ArrayFormula) and block.ref == start.ref.split("!")[1].replace("$", "")
    assert "MMULT" in blank["Calc"].cell(start.row + 1 + 15, start.col + 1).value.text  # the first squaring


# --------------------------------------------------------------------------- the engine, in Python


@st.composite
def evaluations(draw):
    """Valid evaluation rows for the example's vendors and criteria, in any order."""
    filling = Filling.example(capacity=8)
    vendors = [v.name for v in filling.vendors]
    criteria = filling.criteria
    cells = draw(st.lists(st.tuples(st.sampled_from(vendors[:5]), st.sampled_from(["Ann", "Bob", "Cy", "Di"]),
                                    st.sampled_from(criteria)), unique=True, min_size=1, max_size=60))
    scores = draw(st.lists(st.one_of(st.sampled_from([1, 2, 3, 4, 5, 2.5, "N/A", None, " 4 "]),
                                     st.floats(1, 5)), min_size=len(cells), max_size=len(cells)))
    return tuple((v, e, c, s, None) for (v, e, c), s in zip(cells, scores))


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(rows=evaluations(), method=st.sampled_from(["mean", "median"]))
def test_workbook_consensus_is_the_engines(rows, method):
    """computed_values' consensus, spread and count equal consensus() (the pandas API)."""
    filling = replace(Filling.example(capacity=8), evaluations=rows, evaluation_rows=60, consensus_method=method)
    values = computed_values(filling)
    frame = pd.DataFrame(list(rows), columns=["Vendor", "Evaluator", "Criterion", "Score", "Evidence"])
    engine = consensus(frame, method, criteria=filling.criteria)
    for k, vendor in enumerate(v.name for v in filling.vendors):
        for j, criterion in enumerate(filling.criteria):
            known = vendor in engine.table.index and engine.count.loc[vendor, criterion] > 0
            score, spread, count = (values[name][k][j] for name in
                                    ("Consensus_Scores", "Consensus_Spreads", "Consensus_Counts"))
            if known:
                assert score == engine.table.loc[vendor, criterion]  # the same kernel: exactly equal
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


def test_reading_evaluations_as_the_formulas_do():
    """TRIM (spaces only) and case-sensitive names; the first row a duplicate repeats."""
    read = read_evaluations(
        ["Acme  Bio", "Beta", None], ["Cost", "Quality"],
        [("  Acme Bio ", "Ann", "Cost", 4, None), ("acme bio", "Ann", "Cost", 4, None),
         ("Beta", " Ann", "Quality", "n/a", None), ("Beta", "Ann ", "Quality", 3, None), (None,) * 5,
         (None, None, None, None, "evidence only"), ("Beta", "ann", "Cost", "7", None)],
        " MEDIAN ", first_row=7)
    assert read.vendor_at == [1, 0, 2, 2, 0, 0, 2] and read.criterion_at == [1, 1, 2, 2, 0, 0, 1]
    assert read.checks == ["", "Vendor is not on the Vendors sheet", "", "Same vendor, evaluator and criterion as row 10",
                           "", "", "Score must be a number from 1 to 5, N/A or blank"]
    assert read.used == [True] * 4 + [False, False, True] and read.rows == 5 and read.median
    assert read.cell == [1, 0, 0, 4, 0, 0, 0]  # vendor 2, criterion 2: (2 - 1) x 2 + 2


def test_addin_cells_cached_from_the_functions():
    blank = [["Vendor", "Evaluator", "Criterion", "Score", "Evidence"]] + [[None] * 5] * 3
    assert functions.CONSENSUS(blank, None) == [["Vendor"]]  # what computed_values caches without evaluations
    team = team_filling()
    values = computed_values(team)
    header, *rows = values["Addin_Consensus"]
    assert header[0] == "Vendor" and sorted(header[1:]) == sorted(team.criteria)  # first-appearance order
    assert {row[0] for row in rows if row[0]} == {v.name for v in team.vendors[:4]}
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
    assert read.evaluation_rows == filling.evaluation_rows and read.use_ahp == "yes"
    assert computed_values(read) == computed_values(filling)


def test_a_workbook_without_the_new_names_reads_as_before(tmp_path):
    filling = Filling.example()
    read = read_back(filling, tmp_path / "example.xlsx", [n for n in INPUT_NAMES if n not in OPTIONAL_INPUT_NAMES])
    assert read.evaluations == () and read.use_ahp == "No" and read.consensus_method == "mean"
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
    assert "Scores: the median of 184 evaluation rows by 4 evaluators" in text.stdout
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
        'Evaluations!A38: vendor "Unknown Bio" is not on the Vendors sheet',
        'Evaluations!A39: vendor "alder biologics" is not on the Vendors sheet',
        'Evaluations!C40: criterion "Quality" is not on the Criteria sheet',
        "Evaluations!D41: 7 for Alder Biologics / Regulatory track record by Ann is not a score from 1 to 5",
        "Evaluations!B43: this evaluation row has no evaluator",
        "Evaluations!A46: Alder Biologics / Capacity by Ann is also in Evaluations!A45",
        "Evaluations!A47: this evaluation row has no vendor",
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
        ("Evaluations!B3", Code.CONSENSUS_METHOD), ("Evaluations!A38", Code.EVALUATION_VENDOR),
        ("Evaluations!A39", Code.EVALUATION_VENDOR), ("Evaluations!C40", Code.EVALUATION_CRITERION),
        ("Evaluations!D41", Code.EVALUATION_SCORE), ("Evaluations!D42", Code.EVALUATION_SCORE),
        ("Evaluations!B43", Code.EVALUATION_FILL), ("Evaluations!D44", Code.EVALUATION_SCORE),
        ("Evaluations!A46", Code.EVALUATION_DUPLICATE), ("Evaluations!A47", Code.EVALUATION_FILL),
    ]


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
    assert audit["Scores"].startswith("consensus (median) of 184 rows") and audit["Weights"].startswith("AHP")
    formulas = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    sheet = book["Evaluations"]
    row = next(r for r in range(8, 200) if isinstance(sheet.cell(r, 4).value, (int, float)))
    sheet.cell(row, 4).value = 1 if sheet.cell(row, 4).value != 1 else 5
    tampered = tmp_path / "tampered.xlsx"
    book.save(tampered)
    verdict = run("verify", tampered)
    assert verdict.returncode == 1 and "checksum" in verdict.stdout and "Consensus!" in verdict.stdout


def test_score_output_on_a_workbook_made_before_the_new_sheets(tmp_path):
    """Without the Evaluations and AHP names: scored as before, no notes about missing names."""
    path = tmp_path / "old.xlsx"
    build_workbook(path, example=True)
    book = openpyxl.load_workbook(path)
    for name in [n for n in book.defined_names if n.startswith(("Eval_", "Consensus_", "AHP_", "Calc_AHP", "Calc_Eval"))
                 or n in ("Use_AHP", "Effective_Weights", "Robustness_Summary", "Score_Source", "Addin_Consensus")]:
        del book.defined_names[name]
    book.save(path)
    result = run("score", path, "-o", tmp_path / "scored.xlsx")
    assert result.returncode == 0 and "note:" not in result.stderr, result.stderr
    assert "Garnet BioWorks leads in" in result.stdout


def test_new_with_room_for_evaluations(tmp_path):
    result = run("new", tmp_path / "x.xlsx", "--evaluations", "25")
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(tmp_path / "x.xlsx")
    assert book.defined_names["Eval_Scores"].attr_text == "Evaluations!$D$8:$D$32"
    assert run("new", tmp_path / "y.xlsx", "--evaluations", "0").returncode == 2
