"""Due diligence in the workbook and on the command line: knock-outs in the statuses (precedence
Invalid > due diligence > must-have > Incomplete > Eligible), bad cells named by check and
refused by score, the evaluation date a shared copy records, and an edited record failing verify.
(The native formulas against the engine: test_template_libreoffice's diligence cases.)"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import numpy as np
import openpyxl
import pytest

from partnerfit.scoring import Status, evaluate
from partnerfit.workbook.approvals import MEANINGS, ApprovalFilling
from partnerfit.workbook.approvals import status as approval_status
from partnerfit.workbook.diligence import OVERRIDE_SHOWN
from partnerfit.workbook.model import Filling
from partnerfit.workbook.writer import write_workbook
from template_cases import diligence_edge_fillings, name_ref
from test_cli import run

D = dt.date
BLANK = (None,) * 11


def _row(**fields):
    from partnerfit.workbook.diligence import COLUMN_NAMES

    return tuple(fields.get(name) for name in COLUMN_NAMES)


def test_evaluate_excluded_is_knocked_out_below_invalid_and_never_ranked():
    matrix = np.array([[5.0, 5.0], [4.0, 9.0], [3.0, 3.0], [1.0, 1.0]])
    e = evaluate(matrix, np.array([1.0, 1.0]), np.array([np.nan, 2.0]), 0.5,
                 excluded=np.array([True, True, False, False]))
    assert e.status.tolist() == [Status.KNOCKED_OUT, Status.INVALID, Status.ELIGIBLE, Status.KNOCKED_OUT]
    assert e.culprit.tolist() == [-1, 1, -1, 1]  # due diligence names no criterion; the must-have does
    assert np.isnan(e.rank[:2]).all() and e.rank[2] == 1 and e.score[0] == 5.0  # the score stays


@pytest.fixture(scope="module")
def knocked(tmp_path_factory):
    """The example: Alder a warning letter inside the window, Birchwood one the day before it,
    Cedar an overridden OAI whose evaluator gives their own track-record score with a reason (the
    suggested 1 would miss the must-have), Dunmore an import alert but a must-have miss too,
    evaluation 2026-01-15."""
    rows = (
        _row(DD_Warning_Letter=D(2024, 1, 15)),
        _row(DD_Warning_Letter=D(2024, 1, 14)),
        _row(DD_FDA_Class="OAI", DD_FDA_Date=D(2025, 6, 1), DD_Override="Yes", DD_Override_Reason="Sole source",
             Track_Record_Reasons="CAPAs closed, verified on site 2025-11"),
        _row(DD_Import_Alert="Yes"),
    )
    filling = replace(Filling.example(), due_diligence=rows, evaluation_date=D(2026, 1, 15))
    path = tmp_path_factory.mktemp("dd") / "knocked.xlsx"
    write_workbook(path, filling)
    return path, filling


def test_score_json_statuses_follow_the_precedence_and_name_the_due_diligence(knocked):
    path, filling = knocked
    result = run("score", path, "--json")
    assert result.returncode == 0, result.stderr
    vendors = {v["vendor"]: v for v in json.loads(result.stdout)["vendors"]}
    names = [v.name for v in filling.vendors]
    assert vendors[names[0]]["status"] == "Knocked out: warning letter 2024-01-15"  # the window's first day
    assert vendors[names[0]]["rank"] is None and vendors[names[0]]["score"] is not None
    assert vendors[names[1]]["due_diligence"] == "Eligible"  # the day before: outside the window
    assert vendors[names[2]]["due_diligence"] == "Overridden: OAI inspection 2025-06-01 (reason: Sole source)"
    assert vendors[names[2]]["status"] == "Eligible" and vendors[names[2]]["rank"] is not None
    assert vendors[names[3]]["status"] == "Knocked out: import alert"  # above the must-have knock-out
    assert vendors[names[5]]["due_diligence"] == "Eligible"  # a blank row: nothing knocks it out
    table = run("score", path)
    assert "Knocked out: warning letter 2024-01-15" in table.stdout


def test_the_scored_copy_and_the_engine_show_the_same_statuses(knocked, tmp_path):
    path, _ = knocked
    out = tmp_path / "scored.xlsx"
    assert run("score", path, "-o", out).returncode == 0
    sheet, ref = name_ref(out, "Statuses")
    book = openpyxl.load_workbook(out, data_only=True)
    first = ref.split(":")[0].replace("$", "")
    assert book[sheet][first].value == "Knocked out: warning letter 2024-01-15"


def test_each_typed_date_choice_and_count_cell_is_read_by_one_formula_a_row(knocked):
    """Per vendor row each DD_ date, choice and count cell is read by one formula, its column of
    Calc_DD_Typed_Days, Calc_DD_Choices or Calc_DD_Counts; the other due-diligence formulas read
    those (LibreOffice compiles every reading of a cell's text anew: most of a workbook's opening)."""
    from partnerfit.workbook import diligence

    path, filling = knocked
    calc = openpyxl.load_workbook(path)["Calc"]
    readers = {"Calc_DD_Typed_Days": diligence.DAY_FIELDS, "Calc_DD_Choices": tuple(diligence.CHOICE_FIELDS),
               "Calc_DD_Counts": diligence.COUNT_FIELDS}
    read = {}  # (row, field) -> the (name, column) of each formula that reads it
    for name in (*diligence.CALC_NAMES, "Calc_DD_Days", "Calc_DD_Day_Texts", *readers):
        for row in calc[name_ref(path, name)[1]]:
            for k, cell in enumerate(row):
                for field in (f for fields in readers.values() for f in fields):
                    if f"INDEX({field}," in str(cell.value):
                        read.setdefault((cell.row, field), []).append((name, k))
    rows = {r for r, _ in read}
    assert len(rows) == filling.capacity
    assert read == {(r, field): [(name, fields.index(field))]
                    for r in rows for name, fields in readers.items() for field in fields}


def test_bad_due_diligence_cells_are_one_line_each_naming_the_cell(tmp_path):
    filling = diligence_edge_fillings()["diligence_edges"]
    path = tmp_path / "bad.xlsx"
    write_workbook(path, filling)
    check = run("check", path)
    lines = [line for line in check.stdout.splitlines() if "Vendors!" in line and "valid" not in line]
    dd = [line for line in check.stdout.splitlines() if any(h in line for h in (
        "FDA class", "Warning letter date", "Override knock-out", "Form 483 observations", "FDA inspection date"))]
    assert check.returncode == 1 and len(dd) == 5, check.stdout
    assert any('"o-a-i"' in line and "enter NAI, VAI, OAI" in line for line in dd)
    assert any('"2025-13-01"' in line for line in dd)
    assert any("Override knock-out" in line and "give the reason" in line for line in dd)
    assert all("Traceback" not in line for line in lines)
    score = run("score", path)
    assert score.returncode != 0 and score.stderr.count("\n") == 1 and "Vendors!" in score.stderr
    assert "(and 4 more; run partnerfit check)" in score.stderr


def test_a_bad_evaluation_date_is_named_at_its_cell(tmp_path):
    filling = diligence_edge_fillings()["diligence_bad_date"]
    path = tmp_path / "bad_date.xlsx"
    write_workbook(path, filling)
    check = run("check", path)
    assert check.returncode == 1 and "Program!B20: the evaluation date \"15/01/2026\"" in check.stdout, check.stdout


def test_share_records_a_blank_evaluation_date_and_verify_fails_after_a_dd_edit(knocked, tmp_path):
    path, filling = knocked
    blank_date = tmp_path / "blank_date.xlsx"
    write_workbook(blank_date, replace(filling, evaluation_date=None))
    copy = tmp_path / "shared.xlsx"
    assert run("share", blank_date, "-o", copy).returncode == 0
    sheet, ref = name_ref(copy, "Evaluation_Date")
    book = openpyxl.load_workbook(copy)
    assert book[sheet][ref.split(":")[0]].value.date() == dt.date.today()  # recorded: verify reads this day
    assert run("verify", copy).returncode == 0
    sheet, ref = name_ref(copy, "DD_Override_Reason")
    cell = book[sheet].cell(book[sheet][ref.split(":")[0].replace("$", "")].row + 2,
                            book[sheet][ref.split(":")[0].replace("$", "")].column)
    assert cell.value == "Sole source"
    cell.value = "Sole source (edited)"
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    result = run("verify", edited)
    assert result.returncode == 1 and "checksum" in result.stdout
    book = openpyxl.load_workbook(copy)  # a track-record reason edited (the score unchanged): caught too
    sheet, ref = name_ref(copy, "Track_Record_Reasons")
    top = book[sheet][ref.split(":")[0].replace("$", "")]
    reason = book[sheet].cell(top.row + 2, top.column)
    assert reason.value == "CAPAs closed, verified on site 2025-11"
    reason.value = "CAPAs closed"
    book.save(edited)
    result = run("verify", edited)
    assert result.returncode == 1 and "checksum" in result.stdout



@pytest.mark.libreoffice
def test_after_a_sort_and_a_typed_import_alert_in_libreoffice_the_formulas_equal_the_engine(knocked, tmp_path):
    """The whole vendor table sorted by name, descending, and an import alert typed for the vendor
    now on its third row, in LibreOffice (UNO), which recalculates and saves: the due-diligence
    statuses of its formulas (Calc, Scores) equal `score --json`'s, vendor by vendor."""
    from libreoffice import edit
    from template_cases import named_values
    from test_user_edits import assert_same, json_results, workbook_results

    path, filling = knocked
    sheet, names = name_ref(path, "Vendor_Names")
    first_row = int("".join(ch for ch in names.split(":")[0] if ch.isdigit()))
    last_col = "".join(ch for ch in name_ref(path, "Track_Record_Reasons")[1].split(":")[0] if ch.isalpha())
    alert_col = "".join(ch for ch in name_ref(path, "DD_Import_Alert")[1].split(":")[0] if ch.isalpha())
    last_row = first_row + len(filling.vendors) - 1
    target = tmp_path / "sorted.xlsx"
    edit([(path, target, [
        {"op": "sort", "sheet": sheet, "range": f"A{first_row}:{last_col}{last_row}", "column": 1, "descending": True},
        {"op": "set", "sheet": sheet, "cell": f"{alert_col}{first_row + 2}", "value": "yes"},
    ])])
    values = named_values(target, ["Vendor_Names", "DD_Statuses", "DD_Suggested_Scores", "Calc_DD_Use_Suggested",
                                   "DD_Tiers", "DD_Activities"])
    shown = {row[0]: status[0] for row, status in zip(values["Vendor_Names"], values["DD_Statuses"]) if row[0]}
    run_json = run("score", target, "--json")
    assert run_json.returncode == 0, run_json.stderr
    engine = {v["vendor"]: v["due_diligence"] for v in json.loads(run_json.stdout)["vendors"]}
    assert shown == engine
    names_sorted = sorted((v.name for v in filling.vendors), reverse=True)
    assert engine[names_sorted[2]] == "Knocked out: import alert"
    assert engine[filling.vendors[0].name] == "Knocked out: warning letter 2024-01-15"  # moved with its row
    assert_same(workbook_results(target), json_results(target), "sorted")  # the suggested scores included
    row = {name[0]: k for k, name in enumerate(values["Vendor_Names"]) if name[0]}
    alder, cedar = (row[filling.vendors[k].name] for k in (0, 2))
    assert values["DD_Suggested_Scores"][alder][0] == 1 and values["Calc_DD_Use_Suggested"][alder][0] is True
    assert values["Calc_DD_Use_Suggested"][cedar][0] is False  # its reason moved with its row
    assert {r[0] for r, n in zip(values["DD_Activities"], values["Vendor_Names"]) if n[0]} == {"on-site audit"}


# --- approvals and declarations ------------------------------------------------------------------

SIGNED = ApprovalFilling(
    roles=(("Ann Buyer", "Approve", D(2026, 1, 20), MEANINGS[0]), ("Quinn QA", " approve ", D(2026, 1, 21), MEANINGS[1]),
           ("Tess Tech", "Approve", D(2026, 1, 22), MEANINGS[2])),
    declarations=(("QA lead", "None", None), ("CMC lead", "Declared", "Former employee of Alder Biologics (2019)")),
)


@pytest.mark.parametrize(("approvals", "partner_type", "status"), [
    (ApprovalFilling(), "CDMO", "Not approved"),
    (SIGNED, "CDMO", "Approved"),
    (SIGNED, "CRO", "Not approved"),  # a CRO also needs Clinical operations
    (replace(SIGNED, roles=SIGNED.roles[:3] + (("Cleo Clin", "Approve", D(2026, 1, 23), MEANINGS[3]),)), "CRO",
     "Approved"),
    (replace(SIGNED, roles=(SIGNED.roles[0][:2] + (None, MEANINGS[0]), *SIGNED.roles[1:])), "CDMO",
     "Not approved"),  # no date
    (replace(SIGNED, roles=(SIGNED.roles[0][:2] + ("2026-01-20", MEANINGS[0]), *SIGNED.roles[1:])), "CDMO",
     "Not approved"),  # a date typed as text is not a date (ISNUMBER)
    (replace(SIGNED, roles=(("", "Approve", D(2026, 1, 20), MEANINGS[0]), *SIGNED.roles[1:])), "CDMO",
     "Not approved"),  # no name
    (replace(SIGNED, roles=(*SIGNED.roles[:3], ("Cleo Clin", "Reject", D(2026, 1, 23), None))), "CDMO",
     "Not approved: rejected"),  # a rejection counts even from a role not required
])
def test_approval_status_rule(approvals, partner_type, status):
    assert approval_status(approvals, partner_type) == status


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    path = tmp_path_factory.mktemp("signed") / "signed.xlsx"
    write_workbook(path, replace(Filling.example(), approvals=SIGNED))
    return path


def test_score_says_not_approved_until_every_required_role_approved(knocked, signed):
    assert json.loads(run("score", knocked[0], "--json").stdout)["approval"] == "Not approved"
    assert "Approval: Not approved (until every required role approves" in run("score", knocked[0]).stdout
    assert json.loads(run("score", signed, "--json").stdout)["approval"] == "Approved"


def test_share_writes_approvals_and_declarations_into_the_audit_and_the_checksum(signed, tmp_path):
    copy = tmp_path / "shared.xlsx"
    assert run("share", signed, "-o", copy).returncode == 0
    assert run("verify", copy).returncode == 0
    audit = {row[0]: row[1] for row in openpyxl.load_workbook(copy)["Audit"].iter_rows(values_only=True) if row[0]}
    assert audit["Approval"] == "Approved"
    assert audit["Approval: Quality Assurance"].startswith("Quinn QA /  approve  / 2026-01-21 / Approved: the vendor")
    assert audit["Declaration: CMC lead"] == "Declared: Former employee of Alder Biologics (2019)"
    assert "Approval: Clinical operations" not in audit  # not required for a CDMO, and blank
    for name, value in (("Approval_Dates", dt.datetime(2026, 1, 25)), ("Declaration_Texts", "Nothing to declare")):
        book = openpyxl.load_workbook(copy)
        sheet, ref = name_ref(copy, name)
        book[sheet][ref.split(":")[0]] = value  # the first role's date, the first declaration: edited after sharing
        edited = tmp_path / f"edited_{name}.xlsx"
        book.save(edited)
        result = run("verify", edited)
        assert result.returncode == 1 and "checksum" in result.stdout, (name, result.stdout)


def test_the_dossier_shows_due_diligence_approvals_and_declarations(knocked, tmp_path):
    """From a shared copy of a workbook with due diligence and approvals, read page by page."""
    import subprocess

    _, filling = knocked
    source, copy, pdf = tmp_path / "dd.xlsx", tmp_path / "dd_shared.xlsx", tmp_path / "dossier.pdf"
    write_workbook(source, replace(filling, approvals=SIGNED))
    assert run("share", source, "-o", copy).returncode == 0
    assert run("report", copy, "-o", pdf).returncode == 0
    pages = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    flat = [" ".join(page.split()) for page in pages]
    ranking = next(p for p in flat if "3 Vendor ranking" in p)
    assert "Knocked out: warning letter 2024-01-15" in ranking and "Knocked out: import alert" in ranking
    diligence = " ".join(p for p in flat if "6 Due diligence" in p)
    assert all(text in diligence for text in ("warning letter", "2024-01-15", "yes: Sole source", "import alert"))
    approvals = " ".join(p for p in flat if "8 Approvals" in p)
    assert "Status: Approved" in approvals
    assert "Quality Assurance Quinn QA approve 2026-01-21" in approvals
    assert "Clinical operations" not in approvals.split("Status:")[1].split("Approvals")[1]  # a CDMO: not listed
    assert "CMC lead Declared Former employee of Alder Biologics (2019)" in approvals


def test_check_names_unreadable_approval_and_declaration_cells(tmp_path):
    approvals = ApprovalFilling(
        roles=(("Ann Buyer", "OK", D(2026, 1, 20), None), *SIGNED.roles[1:]),
        declarations=(("QA lead", "Declared", None), ("CMC lead", "maybe", None), ("Audit lead", None, None)))
    path = tmp_path / "approvals.xlsx"
    write_workbook(path, replace(Filling.example(), approvals=approvals))
    lines = [line for line in run("check", path).stdout.splitlines() if line.startswith("Approvals!")]
    assert lines == [
        'Approvals!D6: decision "OK" is not Approve or Reject; pick one from the list (the role has not approved)',
        "Approvals!C13: QA lead declared an interest without saying what; describe it",
        'Approvals!B14: declaration "maybe" is not None or Declared; pick one from the list',
        "Approvals!B15: Audit lead has no declaration; enter None, or Declared and what",
    ]
    assert json.loads(run("score", path, "--json").stdout)["approval"] == "Not approved"  # noted, not refused


def test_an_overridden_knock_out_is_shown_on_the_scores_sheet_and_by_score(knocked, tmp_path):
    """The Status value stays "Eligible" (counts, ranks, JSON); the Status cell's conditional number
    format and `score`'s table add "(due-diligence override)"."""
    path, filling = knocked
    cedar = filling.vendors[2].name
    table = run("score", path)
    assert f"Eligible{OVERRIDE_SHOWN}" in next(line for line in table.stdout.splitlines() if cedar in line)
    assert OVERRIDE_SHOWN not in next(line for line in table.stdout.splitlines() if filling.vendors[1].name in line)
    sheet, ref = name_ref(path, "Statuses")
    rules = openpyxl.load_workbook(path)[sheet].conditional_formatting
    shown = [r for cf in rules for r in cf.rules if r.dxf and r.dxf.numFmt and OVERRIDE_SHOWN in r.dxf.numFmt.formatCode]
    assert len(shown) == 1 and "DD_Statuses" in shown[0].formula[0] and '"Overridden:"' in shown[0].formula[0]


def test_the_suggested_score_fills_the_track_record_unless_a_reason_is_given(knocked):
    """Alder (warning letter in the window) is scored with the suggested 1 (its typed score has no
    reason); Cedar keeps its evaluator's score (reason given); score --json agrees with the workbook."""
    path, filling = knocked
    from partnerfit.workbook.results import computed_values

    values = computed_values(filling)
    at = list(filling.criteria).index("Regulatory track record")
    assert values["DD_Suggested_Scores"][0][0] == 1.0 and values["Calc_DD_Use_Suggested"][0][0] is True
    assert values["Calc_Clean_Scores"][0][at] == 1.0
    assert values["Calc_DD_Use_Suggested"][2][0] is False  # Cedar: the evaluator's reason
    assert values["Calc_Clean_Scores"][2][at] == float(filling.vendors[2].scores[at])
    assert values["DD_Score_Reasons"][1][0].startswith("warning letter 2024-01-14 (more than 2 years ago)")
    assert "not checked: FDA inspection" in values["DD_Score_Reasons"][1][0]  # blanks are unknown
    result = run("score", path, "--json")
    vendors = {v["vendor"]: v for v in json.loads(result.stdout)["vendors"]}
    for i, vendor in enumerate(filling.vendors):
        if values["Weighted_Scores"][i][0] != "":
            assert vendors[vendor.name]["score"] == pytest.approx(values["Weighted_Scores"][i][0], abs=1e-9)
        assert vendors[vendor.name]["status"] == values["Statuses"][i][0]
