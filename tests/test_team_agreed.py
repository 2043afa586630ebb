"""The consensus meeting's agreed scores (Agreed_Scores, Agreed_Reasons): typed into a merged
evaluation (its scores in the evaluator grids) with openpyxl and with LibreOffice (UNO), they replace the consensus in the workbook
(LibreOffice's recalculation) and on the command line alike, against an independent computation;
an agreed score without a reason or off the scale is flagged by both; score --json counts them;
the shared copy's Audit sheet lists them; the workbook passes the fidelity gate."""

from __future__ import annotations

import json
import statistics

import openpyxl
import pandas as pd
import pytest

from fidelity import findings
from libreoffice import edit, recalc
from partnerfit.scoring import score_vendors
from partnerfit.workbook.check import check
from partnerfit.workbook.layout import AGREED_NO_REASON, layout
from partnerfit.workbook.model import Code, Filling
from partnerfit.workbook.reader import Source, filling, read_inputs
from template_cases import area_values, engine_mismatches, formula_mismatches
from test_team_packs import CRITERIA, EVALUATORS, VENDORS, M, fill_openpyxl, pack_path, run, typed

AGREED = {(0, 0): (5, "site visit confirmed the inspection record"), (1, 2): ("N/A", "scope not offered"),
          (2, 1): (2, None)}
"""(vendor, criterion) -> (agreed score, reason): the third lacks its reason."""


def cell(name: str, i: int, j: int, capacity: int) -> tuple[str, str]:
    area = layout(M, capacity)[name]
    return area.sheet, f"{openpyxl.utils.get_column_letter(area.col + j + 1)}{area.row + i + 1}"


@pytest.fixture(scope="module")
def agreed(tmp_path_factory):
    """A merged evaluation of three openpyxl-filled packs, with AGREED typed by openpyxl and by LibreOffice."""
    from partnerfit.workbook.template import build_workbook

    folder = tmp_path_factory.mktemp("agreed")
    evaluation = folder / "evaluation.xlsx"
    build_workbook(evaluation, example=True)
    assert run("pack", evaluation, "--evaluators", ", ".join(EVALUATORS), "--out-dir", folder).returncode == 0
    for k, evaluator in enumerate(EVALUATORS):
        fill_openpyxl(pack_path(folder, evaluator), k)
    merged = folder / "merged.xlsx"
    out = run("merge", evaluation, *(pack_path(folder, e) for e in EVALUATORS), "-o", merged)
    assert out.returncode == 0, out.stderr
    capacity = filling(Source(merged)).capacity
    assert [g.evaluator for g in filling(Source(merged)).grids][:3] == list(EVALUATORS)  # one grid each
    typed_in = folder / "typed_openpyxl.xlsx"
    book = openpyxl.load_workbook(merged)
    edits = []
    for (i, j), (score, reason) in AGREED.items():
        for name, value in (("Agreed_Scores", score), ("Agreed_Reasons", reason)):
            sheet, ref = cell(name, i, j, capacity)
            book[sheet][ref] = value
            if value is not None:
                edits.append({"op": "set", "sheet": sheet, "cell": ref, "value": value})
    book.save(typed_in)
    uno = folder / "typed_uno.xlsx"
    edit([(merged, uno, edits)])
    return {"folder": folder, "merged": merged, "openpyxl": typed_in, "uno": uno, "capacity": capacity}


def expected_scores() -> pd.Series:
    """Weighted scores computed independently: the mean of the typed scores, the agreed ones in their place."""
    table = pd.DataFrame(index=VENDORS, columns=CRITERIA, dtype=object)
    for i in range(len(VENDORS)):
        for j in range(M):
            given = [x for x in (typed(k, i, j) for k in range(len(EVALUATORS))) if isinstance(x, float)]
            table.iloc[i, j] = AGREED[i, j][0] if (i, j) in AGREED else statistics.fmean(given) if given else None
    source = Filling.example()
    return score_vendors(table, list(source.weights), list(source.minimums), source.min_coverage)["score"]


@pytest.mark.parametrize("how", ["openpyxl", "uno"])
def test_the_command_line_scores_with_the_agreed_scores(agreed, how):
    out = run("score", agreed[how], "--json")
    assert out.returncode == 0, out.stderr
    vendors = {v["vendor"]: v for v in json.loads(out.stdout)["vendors"]}
    want = expected_scores()
    for i, name in enumerate(VENDORS):
        got = vendors[name]["score"]
        assert (got is None and pd.isna(want[name])) or got == pytest.approx(want[name], abs=1e-9)
        assert vendors[name]["agreed"] == sum(1 for (k, _) in AGREED if k == i)
        assert {"evaluators", "flagged", "agreed"} <= set(vendors[name])
    merged = json.loads(run("score", agreed["merged"], "--json").stdout)["vendors"]
    assert {v["agreed"] for v in merged} == {0}


@pytest.mark.libreoffice
@pytest.mark.parametrize("how", ["openpyxl", "uno"])
def test_libreoffice_recalculates_the_agreed_scores_as_the_command_line(agreed, how):
    out = recalc([agreed[how]], agreed["folder"] / f"recalc_{how}")[0]
    book = openpyxl.load_workbook(out, data_only=True)
    typed_in = filling(Source(agreed[how]))
    assert formula_mismatches(book, typed_in) == [] and engine_mismatches(book, typed_in) == []
    assert area_values(book, typed_in, "Agreed_Count") == [[len(AGREED)]]
    assert area_values(book, typed_in, "Agreed_Check") == [[f"1{AGREED_NO_REASON}"]]
    scores = {name[0]: score[0] for name, score in zip(area_values(book, typed_in, "Result_Vendors"),
                                                       area_values(book, typed_in, "Weighted_Scores"))}
    want = expected_scores()
    for name in VENDORS:
        assert scores[name] == pytest.approx(want[name], abs=1e-9)


def test_an_agreed_score_without_a_reason_is_flagged_by_check(agreed):
    problems = [p for p in check(read_inputs(Source(agreed["openpyxl"]))) if p.code is Code.AGREED_REASON]
    sheet, ref = cell("Agreed_Reasons", 2, 1, agreed["capacity"])
    assert [p.cell for p in problems] == [f"{sheet}!{ref}"]
    out = run("check", agreed["openpyxl"])
    assert out.returncode != 0 and f"{sheet}!{ref}" in out.stdout + out.stderr


@pytest.mark.libreoffice
def test_an_agreed_score_off_the_scale_is_invalid_in_workbook_and_command_line(agreed):
    path = agreed["folder"] / "off_scale.xlsx"
    book = openpyxl.load_workbook(agreed["openpyxl"])
    sheet, ref = cell("Agreed_Scores", 3, 0, agreed["capacity"])
    book[sheet][ref] = "7"
    book[sheet][cell("Agreed_Reasons", 3, 0, agreed["capacity"])[1]] = "typo"
    book.save(path)
    problems = [p for p in check(read_inputs(Source(path))) if p.code is Code.AGREED_SCORE]
    assert [p.cell for p in problems] == [f"{sheet}!{ref}"]
    vendors = {v["vendor"]: v for v in json.loads(run("score", path, "--json").stdout)["vendors"]}
    assert vendors[VENDORS[3]]["status"].startswith("Invalid")
    out = recalc([path], agreed["folder"] / "recalc_off")[0]
    values = openpyxl.load_workbook(out, data_only=True)
    typed_in = filling(Source(path))
    assert formula_mismatches(values, typed_in) == []
    statuses = dict(zip((r[0] for r in area_values(values, typed_in, "Result_Vendors")),
                        (r[0] for r in area_values(values, typed_in, "Statuses"))))
    assert statuses[VENDORS[3]] == vendors[VENDORS[3]]["status"]
    assert area_values(values, typed_in, "Agreed_Check")[0][0].startswith("An agreed score must be")


@pytest.mark.libreoffice
def test_agreed_scores_the_scores_do_not_read_are_counted_nowhere(agreed):
    """An agreed score in a row without a vendor, or for the criterion the quotes score, replaces
    no consensus: Agreed_Count (recalculated by LibreOffice), score --json and the Audit sheet all
    leave both out."""
    path, capacity = agreed["folder"] / "uncounted.xlsx", agreed["capacity"]
    book = openpyxl.load_workbook(agreed["openpyxl"])
    quotes = layout(M, capacity)["Prices"]
    for i in range(len(VENDORS)):
        book[quotes.sheet].cell(quotes.row + i + 1, quotes.col + 1, value=100_000.0 + 10_000 * i)
    for i, j in ((len(VENDORS), 0), (0, CRITERIA.index("Cost"))):
        for name, value in (("Agreed_Scores", 4), ("Agreed_Reasons", "typed where no score is read")):
            sheet, ref = cell(name, i, j, capacity)
            book[sheet][ref] = value
    book.save(path)
    out = run("score", path, "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert "price" in result and sum(v["agreed"] for v in result["vendors"]) == len(AGREED)
    shared = agreed["folder"] / "uncounted_shared.xlsx"
    assert run("share", path, "-o", shared).returncode == 0
    audit = [r[0] for r in openpyxl.load_workbook(shared)["Audit"].iter_rows(values_only=True)]
    assert audit.count("Agreed score") == 1
    listed = audit[audit.index("Agreed score") + 1:]
    assert sorted(listed) == sorted(f"{VENDORS[i]} / {CRITERIA[j]}" for i, j in AGREED)
    values = openpyxl.load_workbook(recalc([path], agreed["folder"] / "recalc_uncounted")[0], data_only=True)
    typed_in = filling(Source(path))
    assert area_values(values, typed_in, "Agreed_Count") == [[len(AGREED)]]
    assert formula_mismatches(values, typed_in) == []


def test_the_audit_sheet_lists_each_agreed_score(agreed):
    shared = agreed["folder"] / "shared.xlsx"
    out = run("share", agreed["openpyxl"], "-o", shared)
    assert out.returncode == 0, out.stderr
    rows = {r[0]: r[1] for r in openpyxl.load_workbook(shared)["Audit"].iter_rows(values_only=True) if r[0]}
    inputs = read_inputs(Source(agreed["openpyxl"]))
    centre, spread, _ = inputs.consensus()
    for (i, j), (score, reason) in AGREED.items():
        agreed_text, consensus, width, why = rows[f"{VENDORS[i]} / {CRITERIA[j]}"].split(" / ")
        assert agreed_text == str(score) and float(consensus) == pytest.approx(centre[i, j], abs=1e-3)
        assert float(width) == spread[i, j] and why == (reason or "no reason given")


def test_the_agreed_workbook_passes_the_fidelity_gate(agreed):
    assert findings([agreed["openpyxl"]]) == {agreed["openpyxl"].name: []}


def test_the_dossier_shows_the_agreed_score_and_reason_of_each_disagreement(agreed):
    from partnerfit.report import dossier_from_results
    from partnerfit.workbook.check import score_inputs

    inputs = read_inputs(Source(agreed["openpyxl"]))
    dossier = dossier_from_results(score_inputs(inputs), "agreed.xlsx", "0" * 64, None)
    _, spread, _ = inputs.consensus()
    shown = {(x.vendor, x.criterion): (x.agreed, x.reason) for x in dossier.disagreements}
    for (i, j), (score, reason) in AGREED.items():
        if spread[i, j] >= 2:  # a disagreement: its agreed score (None for N/A) and reason
            assert shown[VENDORS[i], CRITERIA[j]] == (score if isinstance(score, int) else None, reason or "")
    assert any((VENDORS[i], CRITERIA[j]) in shown for i, j in AGREED)
