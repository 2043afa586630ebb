"""A pack per evaluator (`partnerfit pack`), filled as evaluators fill them (openpyxl, and
LibreOffice through UNO), merged back into the evaluator grids (`partnerfit merge`), every refusal
of merge, the vendor table sorted in LibreOffice after the merge, and a workbook of version 0.1
(its Evaluations table filled: tests/data/team_v01.xlsx) refused in one line and carried over."""

from __future__ import annotations

import hashlib
import math
import os
import statistics
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from libreoffice import edit, recalc
from partnerfit.example import EXAMPLE
from partnerfit.workbook.reader import Source, filling, read_inputs
from partnerfit.workbook.team import evaluation_id
from partnerfit.workbook.template import build_workbook
from template_cases import area_values, engine_mismatches, formula_mismatches, named_values

EVALUATORS = ("QA lead", "CMC lead", "Procurement")
VENDORS = [v.name for v in EXAMPLE.vendors]
CRITERIA = list(EXAMPLE.criteria)
M = len(CRITERIA)
EVIDENCE_COL = 1 + M + 3  # 1-based column of Vendor_Evidence on the Vendors sheet


def run(*args, cwd=None):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PARTNERFIT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "partnerfit.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=300, env=env)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def typed(k: int, i: int, j: int):
    """What evaluator k types for vendor i, criterion j: a score 1-5, N/A or nothing."""
    x = (7 * i + 3 * j + 5 * k) % 11
    return None if x == 0 else "N/A" if x == 1 else float((i * j + 2 * k + x) % 5 + 1)


def pack_path(folder: Path, evaluator: str) -> Path:
    return folder / f"evaluation - {evaluator}.xlsx"


def fill_openpyxl(path: Path, k: int) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Vendors"]
    for i in range(len(VENDORS)):
        for j in range(M):
            sheet.cell(5 + i, 2 + j).value = typed(k, i, j)
        sheet.cell(5 + i, EVIDENCE_COL).value = f"{EVALUATORS[k]} on {VENDORS[i]}"
    book.save(path)


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """The example, its packs (two filled with openpyxl, one in LibreOffice), and the merge."""
    folder = tmp_path_factory.mktemp("team")
    evaluation = folder / "evaluation.xlsx"
    build_workbook(evaluation, example=True)
    out = run("pack", evaluation, "--evaluators", ", ".join(EVALUATORS), "--out-dir", folder / "packs")
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines() == [  # no quote yet: the packs ask for Cost, and pack says so
        "partnerfit: no quote is typed on the Prices sheet yet, so the packs ask the evaluators to score Cost; "
        "to keep Cost for procurement, type the quotes before making the packs"]
    packs = folder / "packs"
    blank = {e: digest(pack_path(packs, e)) for e in EVALUATORS}
    fill_openpyxl(pack_path(packs, EVALUATORS[0]), 0)
    fill_openpyxl(pack_path(packs, EVALUATORS[1]), 1)
    edits = [{"op": "set", "sheet": "Vendors", "cell": f"{openpyxl.utils.get_column_letter(2 + j)}{5 + i}",
              "value": typed(2, i, j)} for i in range(len(VENDORS)) for j in range(M) if typed(2, i, j) is not None]
    source = folder / "blank_pack.xlsx"
    source.write_bytes(pack_path(packs, EVALUATORS[2]).read_bytes())
    edit([(source, pack_path(packs, EVALUATORS[2]), edits)])
    before = digest(evaluation)
    merged = folder / "merged.xlsx"
    out = run("merge", evaluation, *(pack_path(packs, e) for e in EVALUATORS), "-o", merged)
    assert out.returncode == 0, out.stderr
    assert digest(evaluation) == before  # the input is never modified
    return {"folder": folder, "evaluation": evaluation, "packs": packs, "merged": merged, "blank": blank}


def expected_consensus():
    """Mean, spread and count per vendor and criterion, computed from what was typed."""
    table = {}
    for i in range(len(VENDORS)):
        for j in range(M):
            given = [typed(k, i, j) for k in range(len(EVALUATORS))]
            given = [x for x in given if isinstance(x, float)]
            table[i, j] = (statistics.fmean(given), max(given) - min(given), len(given)) if given else None
    return table


def test_one_pack_per_evaluator_named_after_the_evaluation_and_the_evaluator(team):
    assert sorted(p.name for p in team["packs"].iterdir()) == sorted(f"evaluation - {e}.xlsx" for e in EVALUATORS)


def test_a_pack_holds_the_vendors_and_criteria_locked_and_nothing_scored(tmp_path):
    evaluation = tmp_path / "evaluation.xlsx"
    build_workbook(evaluation, example=True)  # the example's Vendors sheet holds one evaluator's scores
    assert run("pack", evaluation, "--evaluators", "QA lead", "--out-dir", tmp_path).returncode == 0
    path = tmp_path / "evaluation - QA lead.xlsx"
    inputs = read_inputs(Source(path))
    assert inputs.vendors == VENDORS and inputs.criteria == CRITERIA
    assert all(cell is None for row in inputs.cells for cell in row)  # never another evaluator's scores
    book = openpyxl.load_workbook(path)
    assert book.defined_names["Pack_Evaluator"].attr_text.startswith("Vendors!")
    pack = filling(Source(path))
    assert not pack.evaluations and all(x is None for g in pack.grids for row in g.scores for x in row)
    assert all(v.evidence is None and v.comments is None for v in pack.vendors)
    assert book["Evaluations"].sheet_state == "hidden" and book["Vendors"].sheet_state == "visible"
    sheet = book["Vendors"]
    assert sheet.protection.sheet
    assert sheet.cell(5, 1).protection.locked and not sheet.cell(5, 2).protection.locked
    assert not sheet.cell(5, EVIDENCE_COL).protection.locked
    values = openpyxl.load_workbook(path, data_only=True)
    evaluator, pack_id = (values[n.split("!")[0]][n.split("!")[1].replace("$", "")].value for n in
                          (book.defined_names[k].attr_text for k in ("Pack_Evaluator", "Pack_Id")))
    assert evaluator == "QA lead" and pack_id == evaluation_id(VENDORS, CRITERIA)


def test_merged_consensus_equals_an_independent_computation(team):
    inputs = read_inputs(Source(team["merged"]))
    consensus, spread, count = inputs.consensus()
    for (i, j), want in expected_consensus().items():
        if want is None:
            assert count[i, j] == 0
        else:
            assert consensus[i, j] == pytest.approx(want[0]) and spread[i, j] == want[1] and count[i, j] == want[2]


def test_merge_records_each_pack_and_its_evidence(team):
    merged = filling(Source(team["merged"]))
    assert [(r[0], r[1], r[2]) for r in merged.merged] == [
        (e, pack_path(team["packs"], e).name, digest(pack_path(team["packs"], e))) for e in EVALUATORS]
    assert [g.evaluator for g in merged.grids] == [*EVALUATORS, None, None]  # the first free grids, in order
    cmc = merged.grids[1]
    assert cmc.vendors[:len(VENDORS)] == tuple(VENDORS) and cmc.evidence[0] == f"CMC lead on {VENDORS[0]}"
    assert cmc.scores[0] == tuple(typed(1, 0, j) for j in range(M))  # as typed: scores, N/A, blanks


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_merged_workbook_as_the_engine(team):
    out = recalc([team["merged"]], team["folder"] / "recalc")[0]
    book = openpyxl.load_workbook(out, data_only=True)
    merged = filling(Source(team["merged"]))
    assert formula_mismatches(book, merged) == [] and engine_mismatches(book, merged) == []
    means = area_values(book, merged, "Consensus_Scores")
    for (i, j), want in expected_consensus().items():
        assert (means[i][j] == "") if want is None else math.isclose(means[i][j], want[0], abs_tol=1e-9)


def refusal(team, *packs, extra=()):
    out = run("merge", team["evaluation"], *packs, "-o", team["folder"] / "refused.xlsx", *extra)
    assert out.returncode == 1 and not (team["folder"] / "refused.xlsx").exists()
    return out.stderr


def copy_pack(team, evaluator: str, name: str) -> Path:
    target = team["folder"] / name
    target.write_bytes(pack_path(team["packs"], evaluator).read_bytes())
    return target


def test_a_pack_of_another_evaluation_is_refused(team, tmp_path):
    other = tmp_path / "other.xlsx"
    build_workbook(other, partner_type="CRO")
    book = openpyxl.load_workbook(other)
    book["Vendors"]["A5"] = "Acme"
    book.save(other)
    assert run("pack", other, "--evaluators", "QA lead", "--out-dir", tmp_path).returncode == 0
    err = refusal(team, tmp_path / "other - QA lead.xlsx")
    assert "other - QA lead.xlsx: a pack of another evaluation" in err and len(err.splitlines()) == 2


def test_a_pack_whose_vendors_were_changed_is_refused(team):
    changed = copy_pack(team, "QA lead", "changed.xlsx")
    book = openpyxl.load_workbook(changed)
    book["Vendors"]["A6"] = "Someone Else"
    book.save(changed)
    assert "changed.xlsx: its vendors or criteria were changed" in refusal(team, changed)


def test_a_second_pack_of_the_same_evaluator_is_refused_unless_replace(team):
    again = copy_pack(team, "QA lead", "again.xlsx")
    err = refusal(team, pack_path(team["packs"], "QA lead"), again)
    assert "again.xlsx: a second pack of QA lead in this merge" in err
    err = run("merge", team["merged"], again, "-o", team["folder"] / "no.xlsx").stderr
    assert "QA lead is already merged into this evaluation; add --replace" in err
    book = openpyxl.load_workbook(again)
    book["Vendors"]["B5"] = 1
    book.save(again)
    replaced = team["folder"] / "replaced.xlsx"
    assert run("merge", team["merged"], again, "-o", replaced, "--replace").returncode == 0
    rows = filling(Source(replaced))
    qa = rows.grids[0]
    assert qa.evaluator == "QA lead" and qa.scores[0][0] == 1.0 and [g.evaluator for g in rows.grids[1:3]] == [
        "CMC lead", "Procurement"]
    assert sum(isinstance(x, float) for row in qa.scores for x in row) == sum(
        1 for i in range(len(VENDORS)) for j in range(M) if (i, j) == (0, 0) or isinstance(typed(0, i, j), float))
    assert [r[1] for r in rows.merged] == [f"evaluation - {e}.xlsx" for e in EVALUATORS[1:]] + ["again.xlsx"]


def test_a_pack_returned_empty_is_reported_not_merged(team, tmp_path):
    out = tmp_path / "out.xlsx"
    run_ = run("merge", team["evaluation"], pack_path(team["packs"], "QA lead"), team["folder"] / "blank_pack.xlsx",
               "-o", out)
    assert run_.returncode == 0
    assert "blank_pack.xlsx: Procurement's pack holds no score: not merged" in run_.stderr
    assert [r[0] for r in filling(Source(out)).merged] == ["QA lead"]


def test_a_score_off_the_scale_is_refused_by_its_cell(team):
    bad = copy_pack(team, "CMC lead", "bad.xlsx")
    book = openpyxl.load_workbook(bad)
    book["Vendors"]["C7"] = 7
    book.save(bad)
    err = refusal(team, bad)
    assert f"bad.xlsx: Vendors!C7: 7 for {VENDORS[2]} / {CRITERIA[1]} is not a score from 1 to 5" in err


def test_a_workbook_that_is_no_pack_is_refused(team):
    assert "evaluation.xlsx: not a pack" in refusal(team, team["evaluation"])


def test_in_place_keeps_a_backup_first(team, tmp_path):
    evaluation = tmp_path / "evaluation.xlsx"
    evaluation.write_bytes(team["evaluation"].read_bytes())
    before = digest(evaluation)
    out = run("merge", evaluation, pack_path(team["packs"], "QA lead"), "--in-place")
    assert out.returncode == 0, out.stderr
    backups = list(tmp_path.glob("evaluation.xlsx.*.bak"))
    assert len(backups) == 1 and digest(backups[0]) == before
    assert [r[0] for r in filling(Source(evaluation)).merged] == ["QA lead"]


def test_evaluators_are_given_once_each(team, tmp_path):
    out = run("pack", team["evaluation"], "--evaluators", "Ann, ann", "--out-dir", tmp_path)
    assert out.returncode == 1 and 'names "ann" twice' in out.stderr


def test_score_json_reports_the_team_per_vendor(team):
    import json

    out = run("score", team["merged"], "--json")
    assert out.returncode == 0, out.stderr
    vendors = {v["vendor"]: v for v in json.loads(out.stdout)["vendors"]}
    table = expected_consensus()
    for i, name in enumerate(VENDORS):
        scored = sum(any(isinstance(typed(k, i, j), float) for j in range(M)) for k in range(len(EVALUATORS)))
        flagged = sum(1 for j in range(M) if table[i, j] is not None and table[i, j][1] >= 2)
        assert (vendors[name]["evaluators"], vendors[name]["flagged"]) == (scored, flagged)
        assert set(vendors[name]) == {"vendor", "score", "rank", "coverage", "status", "due_diligence", "evaluators", "flagged", "agreed"}
    single = json.loads(run("score", team["evaluation"], "--json").stdout)["vendors"]
    assert {(v["evaluators"], v["flagged"]) for v in single} == {(1, 0)}


@pytest.mark.libreoffice
def test_a_sort_of_the_vendor_table_keeps_each_vendors_consensus(team):
    """The vendor table sorted by name, descending, in LibreOffice (UNO): each vendor row finds its
    grid rows by name, so every vendor keeps its consensus and its score."""
    from partnerfit.workbook.layout import vendor_tail
    from partnerfit.xlsx import column_letter

    last = column_letter(1 + M + len(vendor_tail()))
    sorted_path = team["folder"] / "sorted.xlsx"
    edit([(team["merged"], sorted_path, [{"op": "sort", "sheet": "Vendors", "range": f"A5:{last}{4 + len(VENDORS)}",
                                          "column": 1, "descending": True}])])
    before = named_values(team["merged"], ("Result_Vendors", "Weighted_Scores"))
    after = named_values(sorted_path, ("Vendor_Names", "Result_Vendors", "Weighted_Scores", "Consensus_Scores"))
    assert [row[0] for row in after["Vendor_Names"][:len(VENDORS)]] == sorted(VENDORS, reverse=True)
    score = {name: x for (name,), (x,) in zip(before["Result_Vendors"], before["Weighted_Scores"]) if name}
    assert {name: x for (name,), (x,) in zip(after["Result_Vendors"], after["Weighted_Scores"]) if name} == \
        pytest.approx(score, abs=1e-12)
    table = expected_consensus()
    for k, (name,) in enumerate(after["Vendor_Names"][:len(VENDORS)]):
        i = VENDORS.index(name)
        for j in range(M):
            got = after["Consensus_Scores"][k][j]
            assert got is None if table[i, j] is None else math.isclose(got, table[i, j][0], abs_tol=1e-9)


OLD = Path(__file__).parent / "data" / "team_v01.xlsx"
"""A workbook of version 0.1 (main's generator before the grids): 97 rows on its Evaluations table."""


def test_a_version_0_1_workbook_is_refused_in_one_line_and_carried_over_by_merge(tmp_path):
    old = tmp_path / "old.xlsx"
    old.write_bytes(OLD.read_bytes())
    for command in ("score", "check"):
        out = run(command, old)
        assert out.returncode == 1 and len(out.stderr.splitlines()) == 1, out.stderr
        assert "Evaluations table of partnerfit 0.1" in out.stderr and f"partnerfit merge {old} -o" in out.stderr
    new = tmp_path / "new.xlsx"
    out = run("merge", old, "-o", new)
    assert out.returncode == 0 and "the Evaluations table carried into 3 evaluator grid(s)" in out.stdout, out.stderr
    carried = filling(Source(new))
    assert [g.evaluator for g in carried.grids] == ["QA lead", "CMC lead", "Procurement", None, None]
    assert carried.grids[0].scores[0][5] == "N/A" and carried.grids[0].evidence[0] == "seen"
    names = ("Weighted_Scores", "Statuses", "Consensus_Scores", "Consensus_Spreads", "Consensus_Counts")
    assert named_values(new, names) == named_values(old, names)  # the same consensus as version 0.1 computed
    assert run("check", new).returncode in (0, 1) and "0.1" not in run("check", new).stderr


QUOTES = (120_000.0, 95_000.0, 150_000.0, None, 110_000.0, 130_000.0, 99_000.0, 101_000.0)
COST = CRITERIA.index("Cost")


@pytest.fixture(scope="module")
def priced(tmp_path_factory):
    """The example with quotes (they score Cost), and QA lead's pack of it."""
    from dataclasses import replace

    from partnerfit.workbook.model import Filling
    from partnerfit.workbook.prices import PriceFilling
    from partnerfit.workbook.writer import write_workbook

    folder = tmp_path_factory.mktemp("priced")
    evaluation = folder / "evaluation.xlsx"
    write_workbook(evaluation, replace(Filling.example(), prices=PriceFilling(quotes=QUOTES)))
    out = run("pack", evaluation, "--evaluators", "QA lead", "--out-dir", folder)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    return {"folder": folder, "evaluation": evaluation, "pack": pack_path(folder, "QA lead")}


def test_a_pack_locks_the_criterion_the_quotes_score(priced):
    """With quotes, the price criterion (Cost) is procurement's: the pack greys and locks its column,
    notes why above it, names it (Pack_Locked) and weighs it 0 in its own scores."""
    from partnerfit.workbook.layout import PACK_LOCKED_NOTE

    column = openpyxl.utils.get_column_letter(2 + COST)
    book = openpyxl.load_workbook(priced["pack"])
    sheet = book["Vendors"]
    assert sheet[f"{column}3"].value.lower() == PACK_LOCKED_NOTE
    assert all(sheet[f"{column}{5 + i}"].protection.locked for i in range(len(VENDORS)))
    assert not sheet.cell(5, 1 + COST).protection.locked and not sheet.cell(5, 3 + COST).protection.locked
    values = openpyxl.load_workbook(priced["pack"], data_only=True)
    locked = book.defined_names["Pack_Locked"].attr_text.split("!")
    assert values[locked[0]][locked[1].replace("$", "")].value == "Cost"
    pack = filling(Source(priced["pack"]))
    assert pack.weights[COST] == 0 and pack.minimums[COST] is None


def test_merge_leaves_a_score_typed_in_the_locked_criterion_out_naming_its_cell(priced, tmp_path):
    """The evaluator unprotects the sheet and scores Cost anyway, besides one technical score: merge
    merges the technical score and reports the Cost cells in one line, by the pack's cell."""
    from partnerfit.workbook.layout import PACK_LOCKED_NOTE

    column = openpyxl.utils.get_column_letter(2 + COST)
    path = tmp_path / priced["pack"].name
    book = openpyxl.load_workbook(priced["pack"])
    sheet = book["Vendors"]
    sheet[f"{column}6"], sheet[f"{column}8"], sheet["B5"] = 2, 4, 5
    book.save(path)
    merged = tmp_path / "merged.xlsx"
    out = run("merge", priced["evaluation"], path, "-o", merged)
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines() == [
        f"partnerfit: {path.name}: Vendors!{column}6 and 1 more cell(s): a score for Cost, which is "
        f"{PACK_LOCKED_NOTE}: not merged (the pack locks that column)"]
    qa = filling(Source(merged)).grids[0]
    assert qa.evaluator == "QA lead" and [(v, c, x) for v, row in zip(qa.vendors, qa.scores)
                                          for c, x in zip(CRITERIA, row) if x is not None] == [(VENDORS[0], CRITERIA[0], 5.0)]


@pytest.mark.libreoffice
def test_libreoffice_recalculates_a_priced_pack_as_the_engine(priced, tmp_path):
    """The pack's formulas (no price name in them) as LibreOffice computes them, filled by an evaluator."""
    path = tmp_path / "filled.xlsx"
    path.write_bytes(priced["pack"].read_bytes())
    fill_openpyxl(path, 0)
    book = openpyxl.load_workbook(path)
    for i in range(len(VENDORS)):
        book["Vendors"].cell(5 + i, 2 + COST).value = None  # the locked column stays blank
    book.save(path)
    out = recalc([path], tmp_path / "recalc")[0]
    values = openpyxl.load_workbook(out, data_only=True)
    pack = filling(Source(path))
    assert formula_mismatches(values, pack) == [] and engine_mismatches(values, pack) == []
    assert any(isinstance(x, float) for row in area_values(values, pack, "Weighted_Scores") for x in row)

def test_a_pack_of_an_evaluation_without_quotes_locks_nothing(team):
    book = openpyxl.load_workbook(pack_path(team["packs"], "QA lead"))
    assert all(not book["Vendors"].cell(5, 2 + j).protection.locked for j in range(M))
    assert book["Vendors"].cell(3, 2 + CRITERIA.index("Cost")).value is None
