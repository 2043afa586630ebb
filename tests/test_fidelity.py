"""Every kind of workbook partnerfit writes passes the Excel fidelity gate (tests/fidelity.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from fidelity import findings
from libreoffice import edit
from partnerfit.workbook.writer import write_workbook
from template_cases import diligence_filling, price_fillings

pytestmark = pytest.mark.libreoffice


def cli(*args, cwd=None):
    run = subprocess.run([sys.executable, "-m", "partnerfit.cli", *map(str, args)], capture_output=True, text=True,
                         timeout=300, cwd=cwd, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert run.returncode == 0, run.stdout + run.stderr
    return run


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    """One workbook of every kind partnerfit writes, and inputs saved by LibreOffice, scored and shared."""
    folder = tmp_path_factory.mktemp("fidelity")
    kinds = {name: folder / f"{name}.xlsx" for name in (
        "blank", "blank_cro_team", "example", "example_scored", "example_shared",
        "edited", "edited_scored", "edited_shared", "priced", "priced_scored", "priced_technical",
        "diligence", "diligence_scored", "diligence_shared")}
    cli("new", kinds["blank"])
    cli("new", kinds["blank_cro_team"], "--type", "CRO", "--vendors", "12", "--evaluators", "3")
    cli("new", kinds["example"], "--example")
    cli("score", kinds["example"], "-o", kinds["example_scored"])
    cli("share", kinds["example"], "-o", kinds["example_shared"])
    edit([(kinds["example"], kinds["edited"], [
        {"op": "insert_rows", "sheet": "Vendors", "row": 6, "count": 1},
        {"op": "set", "sheet": "Vendors", "cell": "A6", "value": "Zeta Pharma"},
        {"op": "set", "sheet": "Vendors", "cell": "B6", "value": 4},
        {"op": "delete_rows", "sheet": "Vendors", "row": 9, "count": 1},
    ])])
    write_workbook(kinds["diligence"], diligence_filling())
    cli("score", kinds["diligence"], "-o", kinds["diligence_scored"])
    cli("share", kinds["diligence"], "-o", kinds["diligence_shared"])
    cli("score", kinds["edited"], "-o", kinds["edited_scored"])
    cli("share", kinds["edited"], "-o", kinds["edited_shared"])
    write_workbook(kinds["priced"], price_fillings()["prices_abnormally_low"])
    cli("score", kinds["priced"], "-o", kinds["priced_scored"])
    cli("share", kinds["priced"], "-o", kinds["priced_technical"], "--technical")
    cli("pack", kinds["example"], "--evaluators", "QA lead, CMC lead", "--out-dir", folder / "packs")
    kinds["pack"] = folder / "packs" / "example - QA lead.xlsx"
    cli("pack", kinds["priced"], "--evaluators", "QA lead", "--out-dir", folder / "packs")
    kinds["priced_pack"] = folder / "packs" / "priced - QA lead.xlsx"  # no price, its Cost column locked
    filled = folder / "filled_pack.xlsx"  # an evaluator's file, saved by openpyxl: input, not checked
    book = openpyxl.load_workbook(kinds["pack"])
    book["Vendors"]["B5"] = 4
    book.save(filled)
    kinds["merged"] = folder / "merged.xlsx"
    cli("merge", kinds["example"], filled, "-o", kinds["merged"])
    return {name: path for name, path in kinds.items() if name != "edited"}  # LibreOffice's own file is input


@pytest.fixture(scope="module")
def gate(written) -> dict[str, list[str]]:
    return findings(written.values())


@pytest.mark.parametrize("kind", ["blank", "blank_cro_team", "example", "example_scored", "example_shared",
                                  "edited_scored", "edited_shared", "priced", "priced_scored", "priced_technical",
                                  "diligence", "diligence_scored", "diligence_shared", "pack", "priced_pack",
                                  "merged"])
def test_the_workbook_passes_the_schemas_and_the_excel_trap_check(gate, written, kind):
    assert gate[written[kind].name] == []
