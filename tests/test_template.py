"""The generated evaluation workbook, read with openpyxl: names, formulas, validations,
protection, injection, dynamic arrays, cached values; and the committed workbooks."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.formula import ArrayFormula

from partnerfit.criteria import PROFILES
from partnerfit.domain import PartnerType, Stage
from partnerfit.example import Vendor
from partnerfit.workbook.layout import (
    ADDIN,
    ADDIN_NAMES,
    ARRAY_NAMES,
    FIXED,
    FORMULA,
    INPUT,
    INPUT_NAMES,
    TABLE,
    alias_refs,
    layout,
    table_names,
)
from partnerfit.workbook.model import Filling
from partnerfit.workbook.results import computed_values
from partnerfit.workbook.template import build_workbook
from partnerfit.workbook.writer import write_workbook
from template_cases import (
    INJECTIONS,
    area_values,
    cases,
    engine_mismatches,
    engine_table,
    injection_filling,
    invalid_filling,
    random_filling,
    read_back,
    team_cases,
)

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = (
    "Program_Stage", "Program_Need", "Program_Process", "Program_CMC", "Program_Modality",
    "Recommendation", "Criteria_Names", "Weights", "Minimums", "Vendor_Names", "Vendor_Scores",
    "Weighted_Scores", "Coverages", "Statuses", "Ranks",
)


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wb") / "example.xlsx"
    build_workbook(path, example=True)
    return path


@pytest.fixture(scope="module")
def formulas(example) -> openpyxl.Workbook:
    return openpyxl.load_workbook(example)


@pytest.fixture(scope="module")
def cached(example) -> openpyxl.Workbook:
    return openpyxl.load_workbook(example, data_only=True)


def test_sheets_in_order_calc_hidden(formulas):
    assert formulas.sheetnames == ["Start", "Program", "Criteria", "Vendors", "Evaluations", "Consensus",
                                   "Weights (AHP)", "Scores", "Prices", "Approvals", "Calc", "xlwings.conf"]
    assert formulas["Calc"].sheet_state == "hidden"
    assert all(ws.sheet_state == "visible" for ws in formulas.worksheets if ws.title != "Calc")


def test_defined_names_point_where_the_layout_says(formulas):
    names = layout(14, 50)
    assert set(CONTRACT) <= set(names) and ADDIN_NAMES <= set(names) and set(INPUT_NAMES) <= set(names)
    found = {name: defined.attr_text for name, defined in formulas.defined_names.items()}
    criteria = [c.name for c in PROFILES[PartnerType.CDMO].criteria]
    assert found == {**{name: table_names(criteria).get(name, area.ref) for name, area in names.items()},
                     **alias_refs(names)}  # version 0.1's Evaluations names, kept on the grids
    assert found["Vendor_Scores"] == "VendorTable[[Scope of work]:[Modality expertise]]"
    assert found["Weighted_Scores"] == "Scores!$B$5:$B$54"
    assert found["Recommendation"] == "Program!$B$10"


def test_every_formula_cell_lies_in_a_formula_name(formulas):
    names = layout(14, 50)
    owned = {(a.sheet, r, c): a.role for a in names.values() for r, c in a.cells()}
    formula_cells = [(ws.title, cell.row - 1, cell.column - 1) for ws in formulas.worksheets
                     for row in ws.iter_rows() for cell in row if cell.data_type == "f"]
    assert formula_cells
    assert [c for c in formula_cells if owned.get(c) not in (FORMULA, ADDIN)] == []
    roles = {area.role for area in names.values()}
    assert roles == {INPUT, FIXED, TABLE, FORMULA, ADDIN}
    for name, area in names.items():  # formula names hold formulas only (add-in spills, array blocks: the anchor)
        if area.role == FORMULA and name not in ARRAY_NAMES:
            ws = formulas[area.sheet]
            assert all(ws.cell(r + 1, c + 1).data_type == "f" for r, c in area.cells()), name


def test_computed_values_cover_the_formula_names_with_their_shapes():
    filling = Filling.example()
    names = layout(len(filling.criteria), filling.capacity)
    values = computed_values(filling)
    assert set(values) == {n for n, a in names.items() if a.role in (FORMULA, ADDIN)}
    for name, rows in values.items():
        assert (len(rows), {len(r) for r in rows}) == (names[name].rows, {names[name].cols}), name


def test_cached_values_are_what_openpyxl_and_pandas_see(cached, example):
    filling = Filling.example()
    assert [r[0] for r in area_values(cached, filling, "Statuses")][:8] == [
        "Eligible", "Eligible", "Eligible", "Eligible", "Knocked out: Quality systems",
        "Eligible", "Eligible", "Incomplete",
    ]
    assert engine_mismatches(cached, filling) == []
    assert area_values(cached, filling, "Recommendation") == [["CDMO"]]
    assert area_values(cached, filling, "Fit_Scores") == [["CRO", "CMO", "CDMO"], [0, 27, 86]]
    assert area_values(cached, filling, "Addin_Results")[1][:3] == ["Garnet BioWorks", 4.4375, 1]
    scores = pd.read_excel(example, sheet_name="Scores", header=3, engine="openpyxl")
    assert scores["Score"].iloc[:8].round(2).tolist() == [4.3, 4.23, 3.55, 3.47, 3.22, 4.06, 4.44, 3.74]


def test_blank_template_caches_empty_results(tmp_path):
    path = tmp_path / "blank.xlsx"
    build_workbook(path, partner_type="CRO", vendors=60)
    workbook = openpyxl.load_workbook(path, data_only=True)
    filling = Filling(partner_type="CRO", capacity=60)
    for name in ("Result_Vendors", "Weighted_Scores", "Coverages", "Statuses", "Ranks", "Ranking"):
        assert {v for row in area_values(workbook, filling, name) for v in row} == {""}, name
    criteria = [r[0] for r in area_values(workbook, filling, "Criteria_Names")]
    assert criteria == [c.name for c in PROFILES[PartnerType.CRO].criteria]
    assert [r[0] for r in area_values(workbook, filling, "Weights")] == [
        w for w, _ in PROFILES[PartnerType.CRO].weights.values()
    ]
    assert area_values(workbook, filling, "Criteria_Check") == [["OK"]]
    assert area_values(workbook, filling, "Recommendation") == [["Enter the development stage and what you need"]]
    assert area_values(workbook, filling, "Fit_Scores") == [["CRO", "CMO", "CDMO"], ["", "", ""]]
    assert area_values(workbook, filling, "Addin_Recommendation")[0][0].startswith("#partnerfit: stage is blank")


def test_validations(formulas):
    program = formulas["Program"].data_validations.dataValidation
    stage = next(v for v in program if "B4" in str(v.sqref))
    assert stage.type == "list" and stage.formula1 == '"' + ",".join(Stage.labels()) + '"'
    need = next(v for v in program if "B5" in str(v.sqref))
    assert "development + manufacturing" in need.formula1 and need.errorStyle == "warning"
    vendors = formulas["Vendors"].data_validations.dataValidation
    scores = next(v for v in vendors if str(v.sqref) == "B5:O54")
    assert scores.formula1 == '"1,2,3,4,5,N/A"' and scores.errorStyle == "warning"
    criteria = {str(v.sqref): v for v in formulas["Criteria"].data_validations.dataValidation}
    assert criteria["D7:D20"].type == "decimal" and criteria["D7:D20"].operator == "greaterThanOrEqual"
    assert (float(criteria["E7:E20"].formula1), float(criteria["E7:E20"].formula2)) == (1, 5)
    assert criteria["B4"].type == "decimal"


def test_protection_locks_formulas_and_headers_not_inputs(formulas):
    names = layout(14, 50)
    for ws in formulas.worksheets:
        assert ws.protection.sheet == (ws.title != "xlwings.conf"), ws.title
        assert not ws.protection.password
    for name, area in names.items():
        ws = formulas[area.sheet]
        if area.role == TABLE:
            continue
        if name in ("AHP_Judgements", "AHP_Group_Judgements") or name.startswith("AHP_Stakeholder_") \
                and name != "AHP_Stakeholder_Names":  # only the cells above the diagonal are typed
            locked = {(r - area.row < c - area.col, ws.cell(r + 1, c + 1).protection.locked) for r, c in area.cells()}
            assert locked == {(True, False), (False, True)}
            continue
        locked = {ws.cell(r + 1, c + 1).protection.locked for r, c in area.cells()}
        assert locked == {area.role != INPUT}, name
    header = formulas["Vendors"]["A4"]
    assert header.value == "Vendor" and header.protection.locked


def test_inputs_are_styled_apart_from_computed_cells(formulas):
    fills = {name: formulas["Scores" if name == "Statuses" else "Criteria"][ref].fill.fgColor.rgb
             for name, ref in (("Weights", "D7"), ("Statuses", "D5"))}
    assert fills["Weights"] != fills["Statuses"]
    assert formulas["Scores"]["B5"].number_format == "0.00"
    assert formulas["Scores"]["C5"].number_format == "0%"
    assert formulas["Vendors"].freeze_panes == "B5" and formulas["Scores"].freeze_panes == "B5"
    setup = formulas["Scores"].page_setup
    assert setup.orientation == "landscape" and setup.fitToHeight == 0  # fit to one page wide
    assert formulas["Scores"].sheet_properties.pageSetUpPr.fitToPage


def test_injected_text_is_stored_as_text(tmp_path):
    path = tmp_path / "injection.xlsx"
    filling = injection_filling()
    write_workbook(path, filling)
    workbook = openpyxl.load_workbook(path)
    ws = workbook["Vendors"]
    m = len(filling.criteria)
    for i, text in enumerate(INJECTIONS):
        for col in (1, m + 2, m + 3, m + 4, m + 5):  # name, type, site, evidence, comments
            cell = ws.cell(5 + i, col)
            assert (cell.value, cell.data_type) == (text, "s")
    assert (workbook["Program"]["B4"].value, workbook["Program"]["B4"].data_type) == ("=1+1", "s")
    with zipfile.ZipFile(path) as package:
        sheet = package.read("xl/worksheets/sheet4.xml").decode()
    assert "<f>HYPERLINK" not in sheet and "<f>1+1" not in sheet


def test_array_functions_are_dynamic_arrays_in_the_xml(example, formulas):
    """Without dynamic-array metadata Excel 365 would open them with an implicit-intersection @."""
    with zipfile.ZipFile(example) as package:
        assert "xl/metadata.xml" in package.namelist()
        assert "XLDAPR" in package.read("xl/metadata.xml").decode()
        sheets = {n: package.read(f"xl/worksheets/sheet{i + 1}.xml").decode()
                  for i, n in enumerate(formulas.sheetnames)}
    names = layout(14, 50)
    robustness = formulas["Scores"]["K3"]
    assert robustness.value.startswith("=IF(Qualified_Count>0,ROBUSTNESS(") and "K3:O3" in str(
        formulas["Scores"].merged_cells)  # one value in merged cells: an ordinary formula
    for name in ADDIN_NAMES - {"Robustness_Summary"}:
        area = names[name]
        anchor = f"{area.ref.split('!')[1].split(':')[0].replace('$', '')}"
        cell = re.search(rf'<c r="{anchor}"[^>]*>', sheets[area.sheet]).group(0)
        assert 'cm="1"' in cell, name
        array = formulas[area.sheet][anchor].value
        assert isinstance(array, ArrayFormula) and array.ref == area.ref.split("!")[1].replace("$", "")
    native = sum(sheet.count('cm="1"') for sheet in sheets.values())
    assert native == len(ADDIN_NAMES) - 1  # ordinary formulas stay ordinary
    assert formulas["Scores"]["K24"].value.text == (
        "=VENDOR_RANKING(Calc_Scored_Table,Effective_Weights,Minimums,Min_Coverage)")
    assert "_xlfn.RANK.EQ(" in formulas["Scores"]["E5"].value


def test_xlwings_conf_sheet(formulas):
    ws = formulas["xlwings.conf"]
    keys = [ws.cell(r, 1).value for r in range(1, ws.max_row + 2)]
    assert keys[0] == "UDF Modules" and ws["B1"].value == "partnerfit.udfs"
    assert keys.index(None) == len([k for k in keys if k])  # contiguous from A1 (xlwings reads to End(xlDown))
    assert "Interpreter_Win" in keys and ws.cell(keys.index("Interpreter_Win") + 1, 2).value is None


def test_filling_round_trips_through_the_input_names(tmp_path):
    filling = invalid_filling()
    # Empty cells read as "" (as python-calamine reads them), not None: the same workbook.
    read = read_back(filling, tmp_path / "round.xlsx")
    assert read.criteria == filling.criteria and read.capacity == filling.capacity
    assert computed_values(read) == computed_values(filling)


def test_score_cells_read_as_the_workbook_reads_them():
    from partnerfit.cells import score_value

    read = {cell: score_value(cell) for cell in (4, 4.5, " 4 ", "4.0", "+3", "4e0", "\t5\n", 7)}
    assert read == {4: 4.0, 4.5: 4.5, " 4 ": 4.0, "4.0": 4.0, "+3": 3.0, "4e0": 4.0, "\t5\n": 5.0, 7: 7.0}
    for cell in ("N/A", " na ", "-", None, "", "   "):
        assert math.isnan(score_value(cell)), cell
    # Not scores in the workbook (VALUE over digits, ".", "e", "+", "-"), so not on the command line
    # either, though Python's float reads the first three and Excel's VALUE the next two.
    for cell in ("４", "0_3", "4\u00a0", "$4", "96:00", "abc", "inf", True):
        assert score_value(cell) is None, cell


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), vendors=st.integers(1, 12), partner_type=st.sampled_from(["CRO", "CMO", "CDMO"]))
def test_computed_values_equal_the_engine(seed, vendors, partner_type):
    filling = random_filling(seed, partner_type, vendors=vendors, capacity=12)
    values = computed_values(filling)
    assert [r[0] for r in values["Result_Vendors"]] == [v.name or "" for v in filling.rows()]
    for name, row in engine_table(filling).iterrows():
        i = next(k for k, v in enumerate(filling.vendors) if v.name == name)
        assert values["Statuses"][i][0] == row.status
        assert values["Coverages"][i][0] == pytest.approx(row.coverage, abs=1e-12)
        score, rank = values["Weighted_Scores"][i][0], values["Ranks"][i][0]
        assert score == "" if pd.isna(row.score) else score == pytest.approx(row.score, abs=1e-12)
        assert rank == ("" if pd.isna(row["rank"]) else int(row["rank"]))


def test_libreoffice_cases_cover_what_the_issue_asks():
    every = cases()
    statuses = {s.split(":")[0] for f in every.values() for row in computed_values(f)["Statuses"] for s in row}
    assert {"Eligible", "Knocked out", "Incomplete", "Invalid", "Check the Criteria sheet"} <= statuses
    assert every["one_vendor"].capacity == 1 and len(every["random_cdmo_50"].vendors) == 50
    ranks = [r[0] for r in computed_values(every["ties"])["Ranks"] if r[0] != ""]
    assert ranks == [5, 3, 1, 5, 3, 1]  # shared ranks, also for means that differ in the last bit


SCORED_CASES = [name for name, f in cases().items() if name.startswith(("prices", "diligence", "team", "example"))
                and computed_values(f)["Calc_Inputs_OK"][0][0]]
"""The cases with quotes, due diligence or a team whose inputs the workbook scores."""


@pytest.mark.parametrize("name", ["team_agreed_mean", *SCORED_CASES])
def test_the_addin_cross_check_ranks_the_scores_the_workbook_ranks(name):
    """VENDOR_RANKING over Calc_Scored_Table (the consensus, agreed, suggested and price scores in)
    gives each vendor the native score, rank and status (due-diligence knock-outs aside)."""
    from partnerfit.workbook.diligence import knocked_out

    if name == "team_agreed_mean":  # the first vendor's scores all agreed at 4
        base = team_cases()["team_mean"]
        m = len(base.criteria)
        f = replace(base, agreed=((4.0,) * m,), agreed_reasons=(("agreed in the meeting",) * m,))
    else:
        f = cases()[name]
    values = computed_values(f)
    native = {row[0]: (score, rank, status, dd) for row, (score,), (rank,), (status,), (dd,) in zip(
        values["Calc_Scored_Table"][1:], values["Weighted_Scores"], values["Ranks"], values["Statuses"],
        values["DD_Statuses"]) if row[0] != ""}
    shown = {row[0]: row[1:] for row in values["Addin_Results"][1:] if row[0] != ""}
    assert set(shown) == set(native) and native
    out = {v for v, (*_, dd) in native.items() if knocked_out(np.array([dd], dtype=object))[0]}
    for vendor, (score, rank, status, _) in native.items():
        if vendor not in out:  # (a knock-out's rank falls to the add-in's vendors below it)
            assert shown[vendor][0] == pytest.approx(score, abs=1e-9) if score != "" else shown[vendor][0] == ""
            assert (shown[vendor][1] if not out else rank, shown[vendor][3]) == (rank, status), vendor


def test_filling_rejects_what_does_not_fit():
    from partnerfit.errors import PartnerfitError

    with pytest.raises(PartnerfitError, match="do not fit"):
        Filling.example(capacity=3)
    with pytest.raises(PartnerfitError, match="scores for 14 criteria"):
        Filling(vendors=(Vendor("A", "", (4, 4)),))
    with pytest.raises(PartnerfitError, match="the example is a CDMO evaluation"):
        build_workbook("unused.xlsx", partner_type="CRO", example=True)


# --------------------------------------------------------------------------- committed files


def _content(path: Path, tolerant: bool = False) -> dict:
    """What a person or a tool sees in a workbook: cells (formulas and cached values), names,
    validations, merged cells, sheet names and states. `tolerant`: cached numbers compare within
    1e-9 (relative) or 1e-12 (absolute), as another CPU's BLAS computes them in another order."""
    formulas, values = openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)
    content = {"sheets": [(ws.title, ws.sheet_state) for ws in formulas.worksheets],
               "names": {n: d.attr_text for n, d in formulas.defined_names.items()}}
    for ws in formulas.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                formula = cell.value.text if isinstance(cell.value, ArrayFormula) else cell.value
                cached = values[ws.title][cell.coordinate].value
                if tolerant and isinstance(cached, float):
                    cached = pytest.approx(cached, rel=1e-9, abs=1e-12)
                if formula is not None or cached is not None:
                    cells[cell.coordinate] = (formula, cached)
        content[ws.title] = {
            "cells": cells,
            "validations": sorted((str(v.sqref), v.type, v.formula1, v.formula2, v.errorStyle)
                                  for v in ws.data_validations.dataValidation),
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        }
    return content


@pytest.mark.parametrize("name, example", [("partner_evaluation.xlsx", False), ("example_evaluation.xlsx", True)])
def test_committed_workbooks_match_the_generator(tmp_path, name, example):
    fresh = tmp_path / name
    build_workbook(fresh, example=example)
    assert _content(ROOT / "workbooks" / name, tolerant=True) == _content(fresh), (
        f"workbooks/{name} is out of date: run  partnerfit new workbooks/{name} --force"
        + (" --example" if example else "")
    )


# --------------------------------------------------------------------------- the command


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "partnerfit.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_new_writes_refuses_to_overwrite_and_forces(tmp_path):
    target = tmp_path / "eval.xlsx"
    first = run("new", str(target), "--type", "cmo", "--vendors", "12")
    assert first.returncode == 0, first.stderr
    workbook = openpyxl.load_workbook(target)
    assert workbook.defined_names["Vendor_Names"].attr_text == "VendorTable[Vendor]"
    from partnerfit.workbook.layout import vendor_tail
    from partnerfit.xlsx import column_letter

    last = column_letter(1 + 11 + len(vendor_tail()))  # CMO: 11 criteria, then the columns after them
    assert workbook["Vendors"].tables["VendorTable"].ref == f"A4:{last}16"
    assert workbook["Criteria"]["B2"].value == "CMO"
    again = run("new", str(target), "--example")
    assert again.returncode == 1 and again.stderr.count("\n") == 1 and "--force" in again.stderr
    forced = run("new", str(target), "--example", "--force")
    assert forced.returncode == 0, forced.stderr
    assert openpyxl.load_workbook(target)["Vendors"]["A5"].value == "Alder Biologics"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eval.xlsx"]  # no temporary file left


@pytest.mark.parametrize("args", [
    ("new", "eval.xls"), ("new", "eval.xlsx", "--vendors", "0"), ("new", "eval.xlsx", "--type", "XYZ"),
    ("new", "eval.xlsx", "--example", "--type", "CRO"), ("new",),
])
def test_new_usage_errors_exit_2_in_one_line(tmp_path, args):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_formulas_need_no_xlsxwriter_rewriting(tmp_path):
    """The template skips XlsxWriter's formula scan and rewriting (speed): they must change nothing."""
    from openpyxl.worksheet.formula import ArrayFormula
    from xlsxwriter.worksheet import Worksheet, re_dynamic_function

    path = tmp_path / "example.xlsx"
    build_workbook(path, example=True)
    book = openpyxl.load_workbook(path)
    formulas = [c.value.text if isinstance(c.value, ArrayFormula) else c.value
                for ws in book.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f" or isinstance(c.value, ArrayFormula)]
    assert len(formulas) > 500
    plain = Worksheet()
    for formula in formulas:
        assert plain._prepare_formula(formula) == formula.lstrip("=")
        assert not re_dynamic_function.search(formula), formula  # XlsxWriter would make it a dynamic array


_ODD_COLUMNS = [  # (formulas, sheet): columns that break `_same_down`'s prediction somewhere
    ([f"=INDEX(Vendor_Names,3)&Calc!$B${7 + k}" for k in range(6)], "Calc"),  # INDEX equal to one cell's place
    ([f"=INDEX(Vendor_Names,{k + 1})+$A${7 + k}" for k in range(5)] + ["=INDEX(Vendor_Names,9)+$A$12"], "Calc"),
    ([f"=INDEX(Vendor_Names,{2 * k + 1})+$A${7 + k}" for k in range(5)], "Calc"),  # grows by 2: k = 0 only
    ([f'=IF($A${7 + k}={{"a","b"}},TEXT($B${7 + k},"0%"),TRUE)' for k in range(5)], "Scores"),  # braces, percent
    ([f"=$B${7 + 2 * k}+$C$1" for k in range(5)], "Scores"),  # rows growing by 2 stay absolute
    ([f"=$B${7 + k}+1" for k in range(3)] + ["=$B$10+2", "=$B$11+1"], "Scores"),  # a cell in the middle differs
    ([f"=$B${7 + k}" for k in range(4)] + ["=SUM($B$1:$B$3)"], "Scores"),  # the last differs
    ([f'=$B${7 + k}&"\x02"' for k in range(4)], "Scores"),  # a character _same_down uses as a mark
    (['="Vendor"'] + [f"=INDEX(Vendor_Names,{k})&Calc!$B${7 + k}" for k in range(1, 6)], "Calc"),  # a header above
    ([f"=$B${7 + k}" for k in range(3)] + ["=1"] + [f"=$C${7 + k}*2" for k in range(4)], "Scores"),  # runs, one between
    ([f'=TEXT($B${7 + k},"00")' for k in range(4)], "Scores"), ([f"=$B$0{7 + k}" for k in range(3)] + ["=$B$10"], "Scores"),
    (["=$B$7", "=$B$8"], "Scores"), (["=Calc!$B$7"], "Calc"), ([], "Scores"),
    ([f"='Weights (AHP)'!$B${7 + k}+Calc!$C$1+Scores!$D${7 + k}" for k in range(4)], "Weights (AHP)"),  # own sheet
    ([f"=Scores!$B${7 + k}&\"Scores!$B$1\"" for k in range(3)], "Scores"),  # the sheet's name in a text stays
]


@pytest.mark.parametrize("example", [False, True])
def test_columns_spelled_at_once_as_cell_by_cell(tmp_path, monkeypatch, example):
    """`_same_down` spells a column at once from its first two cells: every formula column of a
    workbook, and columns made to break the prediction, come out as spelled cell by cell."""
    from partnerfit.workbook import writer

    columns, at_once = [], writer._same_down
    monkeypatch.setattr(writer, "_same_down", lambda column, top, sheet: (
        columns.append((column, sheet)) or at_once(column, top, sheet)))
    build_workbook(tmp_path / "a.xlsx", vendors=9, example=example, evaluators=3)
    assert len(columns) > 500
    for column, sheet in columns + _ODD_COLUMNS:
        assert at_once(column, 6, sheet) == writer._cell_by_cell(column, 6, sheet, range(len(column)))


def test_no_excel_function_shares_its_name_with_a_defined_name(formulas):
    """An add-in call is stored as a reference to a name: a defined name Robustness would capture
    every ROBUSTNESS(...) call (names are unique regardless of case)."""
    import partnerfit.udfs as udfs

    functions = {name for name in vars(udfs) if name.isupper() and callable(getattr(udfs, name))}
    assert {"PARTNER_FIT", "VENDOR_RANKING", "ROBUSTNESS", "AHP_WEIGHTS"} <= functions
    names = {name.upper() for name in formulas.defined_names}
    assert names & functions == set()
    from partnerfit.workbook.layout import RENAMED

    assert {old.upper() for old in RENAMED.values()} & functions  # why they were renamed
