"""The command line through its real entry point (a subprocess), on generated workbooks."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from hostile import HOSTILE
from partnerfit.example import Vendor
from partnerfit.workbook.layout import CONF, INPUT_NAMES
from partnerfit.workbook.model import Filling
from partnerfit.workbook.results import computed_values
from partnerfit.workbook.template import build_workbook
from partnerfit.workbook.writer import write_workbook
from template_cases import name_ref, named_values, random_filling

XLWINGS_VBA = Path(__import__("xlwings").__file__).parent / "quickstart_standalone.xlsm"


def run(*args, cwd=None, timeout=120):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PARTNERFIT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "partnerfit.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout, env=env)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("example") / "example_evaluation.xlsx"
    build_workbook(path, example=True)
    return path


# ------------------------------------------------------------------ score


def test_score_json_is_exactly_the_documented_shape(example):
    result = run("score", example, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["recommendation", "vendors", "approval"]
    assert list(data["recommendation"]) == ["partner_type", "scores", "reason"]
    assert data["recommendation"]["partner_type"] == "CDMO"
    assert data["recommendation"]["scores"] == {"CRO": 0, "CMO": 27, "CDMO": 86}
    vendors = data["vendors"]
    keys = ["vendor", "score", "rank", "coverage", "status", "due_diligence", "evaluators", "flagged", "agreed"]
    assert [list(v) for v in vendors] == [keys] * 8
    assert vendors[0] == {"vendor": "Garnet BioWorks", "score": pytest.approx(4.4375), "rank": 1,
                          "coverage": pytest.approx(0.96), "status": "Eligible", "due_diligence": "Eligible",
                          "evaluators": 1, "flagged": 0, "agreed": 0}
    assert data["approval"] == "Not approved"
    assert vendors[-2]["rank"] is None and vendors[-2]["status"] == "Knocked out: Quality systems"


@pytest.mark.parametrize("command", [("score", "--json"), ("score", "-o", "{out}/scored.xlsx"),
                                     ("share", "-o", "{out}/shared.xlsx"), ("report", "-o", "{out}/dossier.pdf")])
def test_each_command_computes_the_workbook_once(example, tmp_path, monkeypatch, capsys, command):
    """One reading, one computation: the results printed, the cells written and the checksum all
    come from a single `results.compute` of the workbook's inputs."""
    from partnerfit import cli
    from partnerfit.workbook import results

    calls = []
    real = results.compute
    monkeypatch.setattr(results, "compute", lambda f: calls.append(f) or real(f))
    monkeypatch.setattr("partnerfit.workbook.check.compute", results.compute)
    args = [a.format(out=tmp_path) for a in command]
    assert cli.main([args[0], str(example), *args[1:]]) == 0, capsys.readouterr().err
    assert len(calls) == 1


def test_score_matches_the_engine_on_a_random_workbook(tmp_path):
    filling = random_filling(7, "CRO", vendors=40)
    path = tmp_path / "random.xlsx"
    write_workbook(path, filling)
    data = json.loads(run("score", path, "--json").stdout)
    frame = pd.DataFrame([list(v.scores) for v in filling.vendors], index=[v.name for v in filling.vendors],
                         columns=list(filling.criteria), dtype=object)
    from partnerfit import score_vendors

    engine = score_vendors(frame, list(filling.weights), list(filling.minimums), filling.min_coverage)
    engine = engine.sort_values("rank", kind="stable")  # the CLI lists vendors best first
    assert [v["vendor"] for v in data["vendors"]] == list(engine.index)
    for row, (_, expected) in zip(data["vendors"], engine.iterrows()):
        assert row["status"] == expected["status"]
        assert row["coverage"] == pytest.approx(expected["coverage"], abs=1e-12)
        if row["score"] is not None:
            assert row["score"] == pytest.approx(expected["score"], abs=1e-12)


def test_score_output_fills_results_and_keeps_every_input(example, tmp_path):
    before = digest(example)
    out = tmp_path / "scored.xlsx"
    result = run("score", example, "-o", out)
    assert result.returncode == 0, result.stderr
    assert digest(example) == before  # the input is never modified
    # Every value a user entered survives, cell by cell.
    assert named_values(out, INPUT_NAMES) == named_values(example, INPUT_NAMES)
    # The results are visible without recalculation, to pandas and openpyxl alike.
    scores = pd.read_excel(out, sheet_name="Scores", header=None, engine="openpyxl")
    assert "Garnet BioWorks" in scores.to_string()
    cached = named_values(out, ["Weighted_Scores", "Statuses", "Recommendation"])
    assert cached["Recommendation"] == [["CDMO"]]
    assert [r[0] for r in cached["Statuses"][:8]].count("Eligible") == 6
    # The formulas stay: it is a working copy.
    book = openpyxl.load_workbook(out)
    sheet, ref = next(book.defined_names["Weighted_Scores"].destinations)
    assert str(book[sheet][ref.replace("$", "").split(":")[0]].value).startswith("=")


def test_score_refuses_to_overwrite_and_in_place_keeps_a_backup(example, tmp_path):
    out = tmp_path / "scored.xlsx"
    out.write_bytes(b"precious")
    result = run("score", example, "-o", out)
    assert result.returncode == 1 and "already exists" in result.stderr and "--force" in result.stderr
    assert out.read_bytes() == b"precious"
    assert run("score", example, "-o", out, "--force").returncode == 0
    assert zipfile.is_zipfile(out)
    copy = tmp_path / "mine.xlsx"
    copy.write_bytes(example.read_bytes())
    result = run("score", copy, "--in-place")
    assert result.returncode == 0, result.stderr
    backups = list(tmp_path.glob("mine.xlsx.*.bak"))
    assert len(backups) == 1 and backups[0].read_bytes() == example.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_score_many_files_one_bad_never_stops_the_others(example, tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_text("Vendor,Score\nA,4\n")
    outdir = tmp_path / "out"
    outdir.mkdir()
    result = run("score", example, bad, example.parent / "missing.xlsx", "--out-dir", outdir)
    assert result.returncode == 1
    assert (outdir / "example_evaluation_scored.xlsx").exists()
    assert "1 of 3 files done, 2 failed" in result.stderr
    assert "a text or CSV file" in result.stderr and "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_user_added_rows_and_sheets_do_not_confuse_the_reader(example, tmp_path):
    edited = tmp_path / "edited.xlsx"
    book = openpyxl.load_workbook(example)
    notes = book.create_sheet("My notes", 0)
    notes["A1"] = "Shortlist meeting"
    notes["B7"] = 5
    book["Vendors"]["Z100"] = "a stray note far right and below"
    book.save(edited)
    assert json.loads(run("score", edited, "--json").stdout) == json.loads(run("score", example, "--json").stdout)


# ------------------------------------------------------------------ check


def test_check_lists_every_problem_with_its_cell(tmp_path):
    criteria = [c for c in Filling(partner_type="CMO").criteria]
    scores = [4.0] * len(criteria)
    filling = Filling(
        partner_type="CMO", stage="Phase 9", need="manufacturing", modality="robot",
        weights=(None, -5.0, *([10.0] * (len(criteria) - 2))), minimums=(None, None, 9.0, *([None] * (len(criteria) - 3))),
        vendors=(
            Vendor("Acme", "", tuple([7.0] + scores[1:])),
            Vendor("Acme", "", tuple(["good"] + scores[1:])),
            Vendor("Beta", "", tuple(scores)),
        ),
    )
    path = tmp_path / "messy.xlsx"
    write_workbook(path, filling)
    result = run("check", path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    expected = [
        'Program!B4: "Phase 9" is not on the list for the development stage',
        'Program!B8: "robot" is not on the list for the modality',
        "Criteria!D8: weight for Regulatory track record is -5; weights must be 0 or more",
        "Criteria!E9: must-have minimum for",
        'Vendors!A6: vendor "Acme" is also in Vendors!A5',
        "Vendors!B5: 7 for Acme / Scope of work is not a score from 1 to 5",
        'Vendors!B6: "good" for Acme / Scope of work is not a score from 1 to 5',
    ]
    for fragment in expected:
        assert any(line.startswith(fragment) for line in lines), (fragment, lines)
    assert "Traceback" not in result.stderr


def test_text_the_workbook_cannot_read_is_invalid_on_the_command_line_too(tmp_path):
    criteria = Filling(partner_type="CMO").criteria
    odd = ("４", "0_3", "4\u00a0")  # Python's float reads them; the workbook's formulas do not
    filling = Filling(partner_type="CMO", stage="Phase II", need="manufacturing", vendors=tuple(
        Vendor(f"Vendor {k}", "", (text, *[4.0] * (len(criteria) - 1))) for k, text in enumerate(odd)))
    path = tmp_path / "odd.xlsx"
    write_workbook(path, filling)
    statuses = [status for (status,) in computed_values(filling)["Statuses"][:3]]
    assert all(status.startswith("Invalid") for status in statuses), statuses  # the workbook's cells
    result = run("check", path)
    assert result.returncode == 1
    for row in (5, 6, 7):
        assert any(line.startswith(f"Vendors!B{row}: ") and "is not a score from 1 to 5" in line
                   for line in result.stdout.splitlines()), (row, result.stdout)


def test_check_clean_workbook_exits_0(tmp_path):
    path = tmp_path / "clean.xlsx"
    write_workbook(path, Filling(partner_type="CRO", stage="Phase II", need="clinical",
                                 vendors=(Vendor("A", "", (4.0,) * 11),)))
    result = run("check", path)
    assert result.returncode == 0 and "no problems found" in result.stdout


def test_score_stops_on_blocking_problems_with_one_line(tmp_path):
    path = tmp_path / "zero.xlsx"
    filling = Filling(partner_type="CRO", stage="Phase II", need="clinical", weights=(0.0,) * 11)
    write_workbook(path, filling)
    result = run("score", path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "all weights are 0" in result.stderr


def test_usage_errors_exit_2():
    assert run("score").returncode == 2
    assert run("check").returncode == 2
    result = run("score", "a.xlsx", "b.xlsx", "-o", "x.xlsx")
    assert result.returncode == 2 and "--out-dir" in result.stderr


@pytest.mark.parametrize("command", ["demo", "new", "check", "score", "share", "verify", "report"])
def test_every_command_has_help_with_an_example(command):
    result = run(command, "--help")
    assert result.returncode == 0 and "Example" in result.stdout


# ------------------------------------------------------------------ hostile files


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_files_one_line_exit_1_quickly(tmp_path, kind):
    maker, fragment = HOSTILE[kind]
    path = maker(tmp_path)
    for command in ("check", "score"):
        start = time.perf_counter()
        result = run(command, path)
        assert time.perf_counter() - start < 10
        assert result.returncode == 1, result.stderr
        assert fragment in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------ parts the writers keep or drop


def _with_parts(source: Path, target: Path, macro: bool = False, image: bool = False) -> Path:
    """Copy a generated workbook adding a VBA project (as .xlsm) and/or an image part."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml" and macro:
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"<Default Extension=\"xml\"",
                                    b"<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/>"
                                    b"<Default Extension=\"xml\"")
            if info.filename == "xl/_rels/workbook.xml.rels" and macro:
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft'
                                    b'.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
            dst.writestr(info, data)
        if macro:
            with zipfile.ZipFile(XLWINGS_VBA) as vba:
                dst.writestr("xl/vbaProject.bin", vba.read("xl/vbaProject.bin"))
        if image:
            dst.writestr("xl/media/image1.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    return target


def test_macro_workbook_keeps_its_macros_in_both_copies(example, tmp_path):
    xlsm = _with_parts(example, tmp_path / "macro.xlsm", macro=True)
    vba = zipfile.ZipFile(xlsm).read("xl/vbaProject.bin")
    assert run("score", xlsm, "-o", tmp_path / "scored.xlsm").returncode == 0
    assert zipfile.ZipFile(tmp_path / "scored.xlsm").read("xl/vbaProject.bin") == vba
    result = run("share", xlsm, "-o", tmp_path / "shared.xlsm")
    assert result.returncode == 0, result.stderr
    assert zipfile.ZipFile(tmp_path / "shared.xlsm").read("xl/vbaProject.bin") == vba
    wrong = run("share", xlsm, "-o", tmp_path / "shared.xlsx")
    assert wrong.returncode == 1 and "must end in .xlsm" in wrong.stderr


def test_score_output_sets_the_stale_results_and_leaves_the_rest_as_it_is(example, tmp_path):
    """A result whose cached value is right is left byte for byte, and so is a sheet with none
    stale; a stale one (here Weighted_Scores' first cell) gets the engine's value."""
    import re

    from partnerfit import xlsx

    sheet, ref = name_ref(example, "Weighted_Scores")
    cell = ref.replace("$", "").split(":")[0]
    parts = xlsx.read_workbook(xlsx.open_package(example)).sheets
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(example) as src, zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == parts[sheet]:
                data, count = re.subn(rb'(<c r="' + cell.encode() + rb'"[^>]*>.*?<v>)[^<]*(</v>)', rb"\g<1>1.5\2",
                                      data, count=1, flags=re.S)
                assert count == 1
            dst.writestr(info, data)
    expected = named_values(example, ["Weighted_Scores"])["Weighted_Scores"][0][0]
    assert named_values(stale, ["Weighted_Scores"])["Weighted_Scores"][0][0] == 1.5
    result = run("score", stale, "-o", tmp_path / "scored.xlsx")
    assert result.returncode == 0, result.stderr
    assert named_values(tmp_path / "scored.xlsx", ["Weighted_Scores"])["Weighted_Scores"][0][0] == expected
    with zipfile.ZipFile(stale) as before, zipfile.ZipFile(tmp_path / "scored.xlsx") as after:
        assert after.read(parts["Vendors"]) == before.read(parts["Vendors"])
        assert after.read(parts[sheet]) != before.read(parts[sheet])


def test_both_copies_keep_images_and_charts_as_they_are(example, tmp_path):
    """share edits the file's XML (no spreadsheet library rewrites it): images and charts stay."""
    with_image = _with_parts(example, tmp_path / "image.xlsx", image=True)
    original = zipfile.ZipFile(with_image)
    for command, out in (("score", tmp_path / "scored.xlsx"), ("share", tmp_path / "shared.xlsx")):
        result = run(command, with_image, "-o", out)
        assert result.returncode == 0 and "lacks" not in result.stderr, result.stderr
        for part in ("xl/media/image1.png", "xl/charts/chart1.xml", "xl/drawings/drawing1.xml"):
            assert zipfile.ZipFile(out).read(part) == original.read(part), (command, part)


# ------------------------------------------------------------------ share and verify


@pytest.fixture(scope="module")
def shared(example, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("shared") / "for_procurement.xlsx"
    result = run("share", example, "-o", out)
    assert result.returncode == 0, result.stderr
    return out


def test_shared_copy_shows_every_value_without_python(shared):
    book = openpyxl.load_workbook(shared)
    assert CONF not in book.sheetnames and "Audit" in book.sheetnames
    formulas = [f"{ws.title}!{c.coordinate}" for ws in book.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    assert formulas == []
    values = named_values(shared, ["Recommendation", "Fit_Scores", "Weighted_Scores", "Ranks"])
    assert values["Recommendation"] == [["CDMO"]]
    assert values["Fit_Scores"] == [["CRO", "CMO", "CDMO"], [0, 27, 86]]
    assert values["Weighted_Scores"][6][0] == pytest.approx(4.4375)  # Garnet BioWorks, 7th row
    frame = pd.read_excel(shared, sheet_name="Scores", header=None, engine="openpyxl")
    assert frame.isna().all(axis=None) == False  # noqa: E712 - pandas sees numbers, not NaN
    assert 4.4375 in frame.to_numpy().ravel().tolist()


def test_shared_copy_is_locked_and_audited(shared):
    book = openpyxl.load_workbook(shared)
    assert all(ws.protection.sheet for ws in book.worksheets)
    sheet, ref = name_ref(shared, "Vendor_Scores")
    first = book[sheet][ref.split(":")[0]]
    assert first.protection.locked
    audit = {row[0].value: row[1].value for row in book["Audit"].iter_rows(max_col=2) if row[0].value}
    assert audit["partnerfit version"] and audit["Recommended partner type"] == "CDMO"
    assert len(audit["SHA-256 of normalised inputs and results"]) == 64
    assert "Generated at (UTC)" in audit and "Method" in audit


def test_verify_accepts_the_copy_and_names_altered_values(shared, tmp_path):
    result = run("verify", shared)
    assert result.returncode == 0 and "OK" in result.stdout
    book = openpyxl.load_workbook(shared)
    sheet, ref = next(book.defined_names["Weighted_Scores"].destinations)
    cell = ref.replace("$", "").split(":")[0]
    book[sheet][cell] = 4.99
    tampered = tmp_path / "tampered.xlsx"
    book.save(tampered)
    result = run("verify", tampered)
    assert result.returncode == 1
    assert f"{sheet}!{cell}: the copy shows 4.99, its inputs give 4.3" in result.stdout
    assert "checksum" in result.stdout


def test_report_carries_the_shared_copys_checksum_on_every_page(example, shared, tmp_path):
    audit = {row[0].value: row[1].value for row in openpyxl.load_workbook(shared)["Audit"].iter_rows(max_col=2)}
    stored = audit["SHA-256 of normalised inputs and results"]
    for source in (shared, example):  # the working workbook gives the checksum its shared copy shows
        pdf = tmp_path / f"{source.stem}.pdf"
        result = run("report", source, "-o", pdf)
        assert result.returncode == 0, result.stderr
        assert stored in result.stdout
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
        pages = text.split("\f")[:-1]
        assert len(pages) >= 2 and all(stored[:16] in " ".join(page.split()) for page in pages)
        assert "Garnet BioWorks" in text and f"Page {len(pages)} of {len(pages)}" in " ".join(pages[-1].split())
    assert run("report", example, "-o", tmp_path / f"{example.stem}.pdf").returncode == 1  # exists: no --force


def test_report_refuses_a_shared_copy_edited_after_sharing(shared, tmp_path):
    book = openpyxl.load_workbook(shared)
    sheet, ref = name_ref(shared, "Vendor_Scores")
    book[sheet][ref.split(":")[0]] = 1
    tampered = tmp_path / "tampered.xlsx"
    book.save(tampered)
    result = run("report", tampered, "-o", tmp_path / "dossier.pdf")
    assert result.returncode == 1 and "edited after sharing" in result.stderr
    assert not (tmp_path / "dossier.pdf").exists()


def test_verify_refuses_a_workbook_that_was_never_shared(example):
    result = run("verify", example)
    assert result.returncode == 1 and "not a copy made by partnerfit share" in result.stdout


def test_demo_writes_scored_and_shared_copies(tmp_path):
    result = run("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Recommended partner type: CDMO" in result.stdout
    lines = [line for line in result.stdout.splitlines() if line.startswith(("Garnet", "Elmstead", "Hollis"))]
    assert lines[0].split()[:4] == ["Garnet", "BioWorks", "4.44", "1"]
    assert lines[1].endswith("Knocked out: Quality systems") and lines[2].endswith("Incomplete")
    assert {p.name for p in tmp_path.iterdir()} == {"example_scored.xlsx", "example_shared.xlsx"}
    assert run("verify", tmp_path / "example_shared.xlsx").returncode == 0
    assert run("demo", cwd=tmp_path).returncode == 0  # re-running replaces its own outputs


@pytest.mark.libreoffice
def test_libreoffice_finds_no_error_and_the_same_numbers_in_the_shared_copy(shared, tmp_path):
    from libreoffice import recalc

    (out,) = recalc([shared], tmp_path)
    book = openpyxl.load_workbook(out, data_only=True)
    errors = [f"{ws.title}!{c.coordinate}" for ws in book.worksheets for row in ws.iter_rows() for c in row
              if isinstance(c.value, str) and c.value.startswith("#") and c.value.endswith(("!", "?", "A"))]
    assert errors == []
    names = ["Weighted_Scores", "Coverages", "Statuses", "Ranks", "Recommendation", "Fit_Scores"]
    after, before = named_values(out, names), named_values(shared, names)
    for name in names:
        for row_after, row_before in zip(after[name], before[name]):
            # LibreOffice stores 15 significant digits.
            assert row_after == [pytest.approx(v, rel=1e-13) if isinstance(v, float) else v for v in row_before]


def test_a_workbook_of_version_0_1_with_the_old_names_is_still_scored(example, tmp_path):
    """Robustness and AHP_Weights were renamed (they captured the add-in calls): old files are read."""
    old = tmp_path / "old.xlsx"
    with zipfile.ZipFile(example) as source, zipfile.ZipFile(old, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b'name="Robustness_Summary"', b'name="Robustness"').replace(
                    b'name="AHP_Result_Weights"', b'name="AHP_Weights"')
            target.writestr(item, data)
    scored = tmp_path / "scored.xlsx"
    run_ = run("score", old, "-o", scored)
    assert run_.returncode == 0, run_.stderr
    assert "not" not in run_.stderr  # no name left unpatched
    book = openpyxl.load_workbook(scored, data_only=True)
    (sheet, ref), = [(s, r) for s, r in book.defined_names["Robustness"].destinations]
    assert book[sheet][ref.replace("$", "").split(":")[0]].value.startswith("Garnet BioWorks leads")


def test_score_output_restores_a_dynamic_array_that_excel_shrank_without_the_add_in(example, tmp_path):
    """Excel without the add-in saves a failed dynamic array as its anchor alone (ref="K24", an error
    value with vm=): values written around it would block its spill (#SPILL!)."""
    import re

    sheet = "xl/worksheets/sheet8.xml"  # Scores
    shrunk = tmp_path / "shrunk.xlsx"
    with zipfile.ZipFile(example) as source, zipfile.ZipFile(shrunk, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == sheet:
                data = re.sub(rb'<c r="K24" ([^>]*)><f t="array" ref="K24:O74">(.*?)</f><v>[^<]*</v></c>',
                              rb'<c r="K24" \1 vm="1"><f t="array" ref="K24">\2</f><v>#NAME?</v></c>', data)
                data = re.sub(rb'<c r="([K-O](?:2[5-9]|[3-6][0-9]|7[0-4]))"([^>/]*)>.*?</c>', rb'<c r="\1"\2/>', data)
                assert b'ref="K24"' in data
            target.writestr(item, data)
    scored = tmp_path / "scored.xlsx"
    assert run("score", shrunk, "-o", scored).returncode == 0
    xml = zipfile.ZipFile(scored).read(sheet)
    anchor = re.search(rb'<c r="K24"[^>]*>.*?</c>', xml).group(0)
    assert b'ref="K24:O74"' in anchor and b"vm=" not in anchor and b"<v>Vendor</v>" in anchor
    book = openpyxl.load_workbook(scored, data_only=True)
    assert book["Scores"]["K25"].value == "Garnet BioWorks" and book["Scores"]["L25"].value == pytest.approx(4.4375)


def test_out_dir_is_made_once_or_refused_before_any_work(example, tmp_path):
    made = run("score", example, "--out-dir", tmp_path / "new" / "scored")
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "new" / "scored" / "example_evaluation_scored.xlsx").exists()
    (tmp_path / "a file").write_text("x")
    refused = run("score", example, "--out-dir", tmp_path / "a file" / "scored")
    assert refused.returncode == 2 and refused.stdout == "" and refused.stderr.count("\n") == 1
    assert "--out-dir" in refused.stderr and "choose another folder" in refused.stderr


# ------------------------------------------------------------------ folders on every core


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> list[Path]:
    """Four workbooks with different scores, the first one big (so that, on two jobs, it finishes
    after the next ones), and a broken one third."""
    root = tmp_path_factory.mktemp("folder")
    paths = []
    for seed, vendors in ((11, 400), (12, 20), (13, 30), (14, 25)):
        paths.append(root / f"z{seed}.xlsx" if seed % 2 else root / f"a{seed}.xlsx")
        write_workbook(paths[-1], random_filling(seed, "CRO", vendors=vendors, capacity=max(vendors, 50)))
    bad = root / "broken.xlsx"
    bad.write_text("Vendor,Score\nA,4\n")
    return paths[:2] + [bad] + paths[2:]


def expected_leader(path: Path, vendors: int) -> str:
    """The one line of `score --out-dir` for the random filling written to `path`, from the engine."""
    seed = int(path.stem[1:])
    filling = random_filling(seed, "CRO", vendors=vendors, capacity=max(vendors, 50))
    frame = pd.DataFrame([list(v.scores) for v in filling.vendors], index=[v.name for v in filling.vendors],
                         columns=list(filling.criteria), dtype=object)
    from partnerfit import score_vendors

    result = score_vendors(frame, list(filling.weights), list(filling.minimums), filling.min_coverage)
    first = result[result["rank"] == 1]
    names = ", ".join(first.index)
    return f"leader{'s' if len(first) > 1 else ''} {names} {first['score'].iloc[0]:.2f}, {vendors} vendors"


def test_jobs_keep_input_order_and_one_bad_file_never_stops_the_others(folder, tmp_path):
    result = run("score", *folder, "--out-dir", tmp_path, "--jobs", "2")
    assert result.returncode == 1
    good = [p for p in folder if p.name != "broken.xlsx"]
    lines = result.stdout.splitlines()
    assert len(lines) == len(good)  # one line per file, no tables
    for line, path, vendors in zip(lines, good, (400, 20, 30, 25)):
        assert line == f"{path}: {expected_leader(path, vendors)} -> {tmp_path / (path.stem + '_scored.xlsx')}"
        assert (tmp_path / f"{path.stem}_scored.xlsx").exists()
    assert result.stderr.splitlines()[-1] == f"4 of 5 files done, 1 failed: {folder[2]}"
    assert "a text or CSV file" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["score"], ["score", "--json"], ["check"]])
def test_jobs_1_prints_what_jobs_2_prints(folder, command):
    one, two = (run(*command, *folder, "--jobs", jobs) for jobs in ("1", "2"))
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and one.stderr == two.stderr
    files = [line for line in one.stdout.splitlines() if line.startswith(("== ", '{"file"'))]
    if command != ["check"]:  # each file's table or object, in input order
        assert [str(p) for p in folder if p.name != "broken.xlsx"] == [
            line[3:] if line.startswith("==") else json.loads(line)["file"] for line in files]


@pytest.mark.parametrize("jobs", ["0", "-1", "x", "1.5"])
def test_bad_jobs_get_one_line_and_exit_2(example, jobs):
    for command in ("score", "check"):
        result = run(command, example, example, f"--jobs={jobs}")
        assert result.returncode == 2 and result.stdout == "" and result.stderr.count("\n") == 1
        assert f"'{jobs}' is not a whole number of 1 or more" in result.stderr

# ------------------------------------------------------------------ due


def _due_filling(criticality, audits, stage="Preclinical"):
    """The example with these last-audit dates (None: never audited) for its first vendors."""
    import datetime as dt
    from dataclasses import replace

    base = Filling.example()
    rows = [(None,) * 7 + (audit,) + (None,) * 3 for audit in audits]
    return replace(base, stage=stage, due_diligence=tuple(rows), supply_criticality=criticality,
                   evaluation_date=dt.date(2026, 12, 1))


def test_due_lists_the_reviews_falling_due_by_the_date_across_a_folder(tmp_path):
    import datetime as dt

    folder = tmp_path / "evaluations"
    folder.mkdir()
    # Preclinical biologic CDMO: the modality raises the risk, the stage does not (one raiser).
    write_workbook(folder / "a.xlsx", _due_filling("minor", [dt.date(2024, 3, 31), dt.date(2024, 4, 1)]))  # tier 3
    write_workbook(folder / "b.xlsx", _due_filling("critical", [dt.date(2026, 4, 1)]))  # tier 1, every year
    (folder / "~$a.xlsx").write_bytes(b"Excel's lock file")
    (folder / "notes.txt").write_text("not a workbook")
    result = run("due", folder, "--by", "2027-03-31", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(Path(r["file"]).name, r["vendor"], r["tier"], r["activity"], r["next_review"]) for r in rows
            if r["review"] != "never audited: due now"] == [
        ("a.xlsx", "Alder Biologics", 3, "questionnaire", "2027-03-31")]
    # on the day: due; 2024-04-01 + 3 years and 2026-04-01 + 1 year fall the day after: not yet
    never = [r for r in rows if r["review"] == "never audited: due now"]
    assert {r["file"] for r in never} == {str(folder / "a.xlsx"), str(folder / "b.xlsx")}
    assert all(r["next_review"] == "2026-12-01" for r in never)  # the evaluation date
    later = json.loads(run("due", folder, "--by", "2027-04-01", "--json").stdout)
    assert {(Path(r["file"]).name, r["next_review"]) for r in later
            if r["review"] != "never audited: due now"} == {
        ("a.xlsx", "2027-03-31"), ("a.xlsx", "2027-04-01"), ("b.xlsx", "2027-04-01")}
    table = run("due", folder / "b.xlsx", "--by", "2027-04-01")
    assert table.returncode == 0 and "due 2027-04-01" in table.stdout and "on-site audit" in table.stdout
    assert run("due", tmp_path / "missing").returncode == 1
    usage = run("due", folder, "--by", "2027-13-01")
    assert usage.returncode == 2 and "not a date YYYY-MM-DD" in usage.stderr and usage.stdout == ""


def test_due_diligence_is_inside_the_checksum_only_when_recorded(example, shared, tmp_path):
    import datetime as dt

    from partnerfit.workbook.check import score_inputs
    from partnerfit.workbook.reader import Source, read_inputs
    from partnerfit.workbook.share import fingerprint

    blank = score_inputs(read_inputs(Source(example)))
    assert "due_diligence" not in fingerprint(blank, {})  # copies made before the DD_ columns keep verifying
    filled = tmp_path / "diligence.xlsx"
    write_workbook(filled, _due_filling("major", [dt.date(2025, 3, 14)]))
    copy = tmp_path / "diligence_shared.xlsx"
    assert run("share", filled, "-o", copy).returncode == 0
    assert run("verify", copy).returncode == 0
    recorded = fingerprint(score_inputs(read_inputs(Source(copy))), {})["due_diligence"]
    assert recorded["criticality"] == "major" and recorded["evaluation_date"] == "2026-12-01"
    assert recorded["vendors"]["Alder Biologics"][7] == "2025-03-14"
    book = openpyxl.load_workbook(copy)
    sheet, ref = name_ref(copy, "DD_Audit_Date")
    book[sheet][ref.split(":")[0]] = dt.datetime(2025, 3, 15)  # the audit date, edited after sharing
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    result = run("verify", edited)
    assert result.returncode == 1 and "checksum" in result.stdout
    assert run("report", edited, "-o", tmp_path / "edited.pdf").returncode == 1
    assert run("report", copy, "-o", tmp_path / "dossier.pdf").returncode == 0
    text = " ".join(subprocess.run(["pdftotext", "-layout", tmp_path / "dossier.pdf", "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    # major supply, biologic CDMO (one raiser): tier 2, remote audit every 2 years from 2025-03-14
    assert "Alder Biologics 2 remote audit" in text and "due 2027-03-14" in text


@pytest.mark.parametrize("args", [("--vendors", "5001"), ("--vendors", "2000", "--evaluators", "30")])
def test_new_makes_no_workbook_partnerfit_cannot_read_back(tmp_path, args):
    """More vendor rows (or rows x grids) than a workbook partnerfit reads back can hold: one line,
    exit 2, no file."""
    out = run("new", tmp_path / "big.xlsx", *args)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert "5000" in out.stderr or "50,000" in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_written_workbook_too_big_to_read_back_is_refused_and_removed(tmp_path, monkeypatch):
    from partnerfit.errors import PartnerfitError
    from partnerfit.workbook import writer

    monkeypatch.setattr(writer, "MAX_UNPACKED_BYTES", 2**20)  # 1 MiB: less than any workbook unpacks to
    with pytest.raises(PartnerfitError, match=r"^room for 50 vendors and 5 evaluator grids makes a workbook of \d+ MiB, "
                                              r"more than the 1 MiB partnerfit reads; make room for fewer"):
        write_workbook(tmp_path / "big.xlsx", Filling())
    assert list(tmp_path.iterdir()) == []
