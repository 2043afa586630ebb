"""The edits users make, made in LibreOffice through UNO: the workbook and every command agree.

Each case opens the example evaluation in LibreOffice, makes one ordinary edit (insert a vendor
row, type one under the table, delete, sort, paste, insert a column, rename a sheet), lets
LibreOffice recalculate and save it as .xlsx, as a user's File > Save does. Then the workbook's
own results (its formulas, as LibreOffice computed them), `score --json`, the scored copy, the
shared copy and `verify` must show the same vendors with the same results, or the workbook and
`check` must both name the cell the workbook cannot follow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from libreoffice import edit, recalc
from partnerfit.example import EXAMPLE
from partnerfit.workbook.layout import column_name, layout, vendor_tail
from template_cases import named_values

pytestmark = pytest.mark.libreoffice

ZETA = ["Zeta Pharma", 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]  # name and 14 scores: the new leader


def typed(row: int, values=ZETA, sheet: str = "Vendors") -> list[dict]:
    """Type a vendor row (name, then scores from column B) as a user would."""
    return [{"op": "set", "sheet": sheet, "cell": f"{chr(65 + k)}{row}", "value": v} for k, v in enumerate(values)]


# The example's vendor table: header at row 4, Alder Biologics ... Hollis Development in rows 5-12,
# empty table rows down to row 54; its full width (name, scores, then every column of vendor_tail:
# descriptions, due diligence, the quote) from the layout, so that a sort or a paste takes a whole row.
VENDORS = [v.name for v in EXAMPLE.vendors]
M = len(EXAMPLE.criteria)
LAST = column_name(M + len(vendor_tail()))
_NAMES = layout(M, 50)
QUOTES = {name: 100_000.0 + 7_000.0 * k for k, name in enumerate(VENDORS)}
COUNTS = {name: float(k % 3) for k, name in enumerate(VENDORS)}  # Form 483 observations (no knock-out)
TYPED_TAIL = [{"op": "set", "sheet": "Vendors", "cell": f"{column_name(_NAMES[name].col)}{5 + k}", "value": typed[v]}
              for name, typed in (("Prices", QUOTES), ("DD_483_Count", COUNTS)) for k, v in enumerate(VENDORS)]
"""A quote and a due-diligence count typed for each vendor, before the sort that must carry them."""
EDITS = {
    "insert_inside": [{"op": "insert_rows", "sheet": "Vendors", "row": 6, "count": 1}, *typed(6)],
    "insert_at_top": [{"op": "insert_rows", "sheet": "Vendors", "row": 5, "count": 2}, *typed(5)],
    "type_in_empty_table_row": typed(13),
    "delete_row": [{"op": "delete_rows", "sheet": "Vendors", "row": 6, "count": 1}],
    "delete_two_rows": [{"op": "delete_rows", "sheet": "Vendors", "row": 7, "count": 2}],
    "sort_by_name_descending": [*TYPED_TAIL, {"op": "sort", "sheet": "Vendors", "range": f"A5:{LAST}12", "column": 1,
                                              "descending": True}],
    "paste_a_row": [{"op": "copy", "sheet": "Vendors", "range": f"A5:{LAST}5", "to": "A13"},
                    {"op": "set", "sheet": "Vendors", "cell": "A13", "value": "Zeta Pharma"}],
    "insert_own_column": [{"op": "insert_columns", "sheet": "Vendors", "column": "Q", "count": 1},
                          {"op": "set", "sheet": "Vendors", "cell": "Q4", "value": "My notes"}],
    "rename_vendors_sheet": [{"op": "rename_sheet", "sheet": "Vendors", "name": "Suppliers"}],
}
# Edits the workbook cannot follow: it must say so, and so must `check`, naming the cell.
UNFOLLOWED = {
    "type_below_table": (typed(55), "Vendors!A55"),
    "tab_only_name": ([{"op": "set", "sheet": "Vendors", "cell": "A7", "value": "\t"}], "Vendors!A7"),
    "no_break_space_name": ([{"op": "set", "sheet": "Vendors", "cell": "A7", "value": "\u00a0"}], "Vendors!A7"),
}
# Criteria added or deleted: the workbook's formulas were made for 14; it says so (Criteria_Check),
# and `check` and `score` refuse with the same words rather than score another set of criteria.
CRITERIA_EDITS = {
    "criterion_row_inserted": [{"op": "insert_rows", "sheet": "Criteria", "row": 9, "count": 1},
                               {"op": "set", "sheet": "Criteria", "cell": "A9", "value": "Sustainability"},
                               {"op": "set", "sheet": "Criteria", "cell": "D9", "value": 5}],
    "criterion_row_deleted": [{"op": "delete_rows", "sheet": "Criteria", "row": 9, "count": 1}],
    "criterion_added_both_places": [{"op": "insert_rows", "sheet": "Criteria", "row": 9, "count": 1},
                                    {"op": "set", "sheet": "Criteria", "cell": "A9", "value": "Sustainability"},
                                    {"op": "insert_columns", "sheet": "Vendors", "column": "D", "count": 1},
                                    {"op": "set", "sheet": "Vendors", "cell": "D4", "value": "Sustainability"}],
}


def cli(*args) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "partnerfit.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=300, env=env)


def named(path: Path, name: str) -> list:
    """The values of a defined name's cells, row by row, flattened."""
    return columns(path, name)[0]


def columns(path: Path, *names: str) -> list[list]:
    """`named` for each of `names`, from one read of the workbook."""
    values = named_values(path, names)
    return [[v for row in values[name] for v in row] for name in names]


def workbook_results(path: Path) -> dict[str, tuple]:
    """vendor -> (score, coverage, status, rank) as the workbook's Scores sheet shows them."""
    table = columns(path, "Result_Vendors", "Weighted_Scores", "Coverages", "Statuses", "Ranks")
    return {row[0]: tuple(None if v == "" else v for v in row[1:]) for row in zip(*table) if row[0] not in (None, "")}


def json_results(path: Path) -> dict[str, tuple]:
    run = cli("score", path, "--json")
    assert run.returncode == 0, run.stderr
    vendors = json.loads(run.stdout)["vendors"]
    return {v["vendor"]: (v["score"], v["coverage"], v["status"], v["rank"]) for v in vendors}


def assert_same(actual: dict, expected: dict, what: str) -> None:
    assert sorted(actual) == sorted(expected), what
    for vendor, (score, coverage, status, rank) in expected.items():
        got = actual[vendor]
        assert got[2] == status, (what, vendor)
        assert got[3] == rank, (what, vendor)
        assert got[1] == pytest.approx(coverage, abs=1e-9), (what, vendor)
        if score is None:
            assert got[0] is None, (what, vendor)
        else:
            assert got[0] == pytest.approx(score, abs=1e-9), (what, vendor)


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> dict[str, Path]:
    """Every case edited in one LibreOffice session."""
    folder = tmp_path_factory.mktemp("edits")
    example = folder / "example.xlsx"
    assert cli("new", example, "--example").returncode == 0
    jobs = [(example, folder / f"{name}.xlsx", edits) for name, edits in EDITS.items()]
    jobs += [(example, folder / f"{name}.xlsx", edits) for name, (edits, _) in UNFOLLOWED.items()]
    jobs += [(example, folder / f"{name}.xlsx", edits) for name, edits in CRITERIA_EDITS.items()]
    return dict(zip([*EDITS, *UNFOLLOWED, *CRITERIA_EDITS], edit(jobs)))


@pytest.fixture(scope="module")
def scored(edited, tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path, Path | None]]:
    """Each edited case scored (`score -o`): the run, its copy, and the copy recalculated by
    LibreOffice (every copy in one call; None when the run wrote no copy)."""
    folder = tmp_path_factory.mktemp("scored")
    copies = {name: folder / f"{name}.xlsx" for name in EDITS}
    runs = {name: cli("score", edited[name], "-o", copy) for name, copy in copies.items()}
    recalculated = {p.stem: p for p in recalc([c for c in copies.values() if c.exists()], folder / "recalc")}
    return {name: (runs[name], copy, recalculated.get(name)) for name, copy in copies.items()}


@pytest.mark.parametrize("name", list(EDITS))
def test_workbook_json_scored_and_shared_copies_agree_after_the_edit(edited, scored, name, tmp_path):
    path = edited[name]
    shown = workbook_results(path)
    from_json = json_results(path)
    assert_same(from_json, shown, "score --json against the workbook's own formulas")

    run, copy, recalculated = scored[name]
    assert run.returncode == 0, run.stderr
    assert_same(workbook_results(copy), shown, "the scored copy's cached values")
    assert_same(workbook_results(recalculated), shown, "the scored copy recalculated by LibreOffice")

    shared = tmp_path / "shared.xlsx"
    run = cli("share", path, "-o", shared)
    assert run.returncode == 0, run.stderr
    assert_same(workbook_results(shared), shown, "the shared copy")
    run = cli("verify", shared)
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_sort_of_the_whole_table_carries_each_vendors_quote_and_due_diligence(edited):
    path = edited["sort_by_name_descending"]
    names = named(path, "Vendor_Names")[:len(VENDORS)]
    assert names == sorted(VENDORS, reverse=True)  # sorted
    assert named(path, "Prices")[:len(VENDORS)] == [QUOTES[v] for v in names]
    assert named(path, "DD_483_Count")[:len(VENDORS)] == [COUNTS[v] for v in names]
    run = cli("score", path, "--json")
    assert run.returncode == 0, run.stderr
    assert {v["vendor"]: v["quote"] for v in json.loads(run.stdout)["vendors"]} == QUOTES  # as the command reads it


def test_a_vendor_inserted_inside_the_table_is_scored_everywhere(edited):
    assert workbook_results(edited["insert_inside"])["Zeta Pharma"][3] == 1
    assert "Birchwood CDMO" not in workbook_results(edited["delete_row"])


@pytest.mark.parametrize("name", list(UNFOLLOWED))
def test_an_edit_the_workbook_cannot_follow_is_named_by_the_workbook_and_by_check(edited, name):
    path, cell = edited[name], UNFOLLOWED[name][1]
    warning = " ".join(str(v) for v in named(path, "Vendor_Warning") if v)
    assert cell.split("!")[1] in warning
    run = cli("check", path)
    assert run.returncode == 1
    assert cell in run.stdout
    tail = warning.rsplit(": ", 1)[1]
    assert any(line.startswith(cell) and line.endswith(tail) for line in run.stdout.splitlines())  # the same words
    assert sorted(json_results(path)) == sorted(workbook_results(path))  # both score the same vendors


@pytest.mark.parametrize("name", list(CRITERIA_EDITS))
def test_an_added_or_deleted_criterion_is_named_by_the_workbook_and_refused_by_the_commands(edited, name):
    path = edited[name]
    shown = named(path, "Criteria_Check")[0]
    assert shown.startswith("This workbook's formulas score 14 criteria")
    assert set(named(path, "Statuses")) <= {"Check the Criteria sheet", None, ""}
    for command in (["check", path], ["score", path, "--json"]):
        run = cli(*command)
        assert run.returncode == 1 and run.stdout == ""
        assert run.stderr.count("\n") == 1 and "formulas score 14 criteria" in run.stderr, run.stderr
