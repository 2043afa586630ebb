"""Workbook fillings shared by the template tests, and how to compare a workbook with the engine."""

from __future__ import annotations

import math
import random

import openpyxl
import pandas as pd

from partnerfit.criteria import PROFILES
from partnerfit.domain import PartnerType
from partnerfit.example import Vendor
from partnerfit.scoring import score_vendors
from partnerfit.template import ADDIN_NAMES, Filling, computed_values, layout

INJECTIONS = ("=HYPERLINK(\"http://example.com\",\"x\")", "+1+1", "-2+3", "@SUM(1,1)", "=1+1")


def _criteria(partner_type: str) -> int:
    return len(PROFILES[PartnerType(partner_type)].weights)


def random_filling(seed: int, partner_type: str = "CRO", vendors: int = 50, capacity: int = 50) -> Filling:
    """Random half-point scores with blanks, N/A in several spellings, text numbers and must-haves."""
    rng = random.Random(seed)
    m = _criteria(partner_type)

    def cell():
        roll = rng.random()
        if roll < 0.08:
            return None
        if roll < 0.12:
            return rng.choice(["N/A", " n/a ", "NA", "na", "-", "not scored", "  ", "n.a."])
        if roll < 0.17:
            return rng.choice([" 4 ", "3.5", "2", " 5", "4.0", "1 "])
        return rng.randint(2, 10) / 2

    minimums = [None] * m
    for j in rng.sample(range(m), 2):
        minimums[j] = rng.choice([2, 2.5, 3])
    return Filling(
        partner_type=partner_type, stage="Phase II", need="clinical",
        minimums=tuple(minimums), min_coverage=0.6,
        vendors=tuple(Vendor(f"Vendor {i + 1:02d}", f"Site {i}", tuple(cell() for _ in range(m)))
                      for i in range(vendors)),
        capacity=capacity,
    )


def _vendor(name, scores, **fields):
    return Vendor(name, "", tuple(scores), **fields)


def ties_filling() -> Filling:
    """Exact ties, and equal means whose float sums differ in the last bit: RANK.EQ shares ranks."""
    criteria = PROFILES[PartnerType.CMO].criteria[:7]
    return Filling(
        partner_type="CMO", criteria=tuple(c.name for c in criteria),
        weights=(0.1, 0.2, 0.3, 0.7, 0.1, 0.1, 0.1),
        vendors=(
            _vendor("Float A", (1, 1, 1, 1, 1, 1, 3)),  # 1.125 summed one way,
            _vendor("Perm A", (4, 4, 4, 4, 5, 3, 4)),
            _vendor("Top", (5, 5, 5, 5, 5, 5, 5)),
            _vendor("Float B", (1, 1, 1, 1, 1, 2, 2)),  # 1.1249999999999998 the other
            _vendor("Perm B", (4, 4, 4, 4, 3, 4, 5)),
            _vendor("Top twin", (5, 5, 5, 5, 5, 5, 5)),
        ),
        capacity=8,
    )


def invalid_filling() -> Filling:
    """Cells that are not scores, knock-outs, missing must-haves, gaps and rows without a name."""
    m = _criteria("CDMO")
    good = [4] * m

    def row(**changes):
        cells = list(good)
        for j, value in changes.items():
            cells[int(j[1:])] = value
        return tuple(cells)

    return Filling(
        partner_type="CDMO", stage="Phase I", need="development + manufacturing",
        minimums=(None, 3) + (None,) * (m - 3) + (2,),
        vendors=(
            _vendor("Text", row(c3="abc")),
            _vendor("Too high", row(c0=7)),
            _vendor("Zero", row(c5=0)),
            _vendor("Dollar", row(c2="$4")),
            _vendor("Boolean", row(c4=True)),
            _vendor("Invalid beats knock-out", row(c1=2, c6="ABC")),
            _vendor("Knocked only", row(c1=2.5)),
            _vendor("Missing must", row(c1=None)),
            _vendor("Must N/A", row(c1="N/A")),
            Vendor(None, None, (None,) * m),
            _vendor("Text numbers", row(c0=" 4 ", c1="4.5", c2="+3", c3="4e0", c4="\t5\n")),
            Vendor(None, "no name", row()),
            _vendor("Nothing scored", (None,) * m),
            _vendor("Low coverage", (4,) + ("N/A",) * (m - 2) + (3,)),
            _vendor("Fine", row()),
        ),
        capacity=20,
    )


def injection_filling() -> Filling:
    """Vendor names and notes that look like formulas must stay text."""
    m = _criteria("CDMO")
    vendors = tuple(
        Vendor(text, text, (4,) * m, evidence=text, comments=text, partner_type=text) for text in INJECTIONS
    )
    return Filling(stage="=1+1", need="@need", process="-none", vendors=vendors, capacity=10)


def bad_weights_fillings() -> dict[str, Filling]:
    """Unusable criteria settings: every vendor says so, nothing is scored."""
    m = _criteria("CRO")
    vendors = random_filling(3, vendors=4, capacity=6).vendors
    return {
        "zero_weights": Filling(partner_type="CRO", weights=(0,) * m, vendors=vendors, capacity=6),
        "negative_weight": Filling(partner_type="CRO", weights=(-1,) + (5,) * (m - 1), vendors=vendors, capacity=6),
        "text_weight": Filling(partner_type="CRO", weights=("ten",) + (5,) * (m - 1), vendors=vendors, capacity=6),
        "bad_minimum": Filling(partner_type="CRO", minimums=(7,) + (None,) * (m - 1), vendors=vendors, capacity=6),
        "no_coverage": Filling(partner_type="CRO", min_coverage=None, vendors=vendors, capacity=6),
    }


def cases() -> dict[str, Filling]:
    """Every filling the LibreOffice tests recalculate, by file name."""
    return {
        "example": Filling.example(),
        "blank": Filling(),
        "random_cro": random_filling(1),
        "random_cmo": random_filling(2, "CMO", vendors=37, capacity=60),
        "random_cdmo_50": random_filling(5, "CDMO", vendors=50),
        "one_vendor": random_filling(4, "CDMO", vendors=1, capacity=1),
        "ties": ties_filling(),
        "invalid": invalid_filling(),
        "injection": injection_filling(),
        **bad_weights_fillings(),
    }


# --------------------------------------------------------------------------- comparing


def area_values(workbook: openpyxl.Workbook, filling: Filling, name: str) -> list[list]:
    """The cells of a name as a list of rows ("" for an empty cell)."""
    area = layout(len(filling.criteria), filling.capacity)[name]
    ws = workbook[area.sheet]
    return [["" if ws.cell(r + 1, c + 1).value is None else ws.cell(r + 1, c + 1).value
             for c in range(area.col, area.col + area.cols)]
            for r in range(area.row, area.row + area.rows)]


def same(a, b) -> bool:
    """Equal cell values, numbers within 1e-9 (booleans are not numbers)."""
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=0, abs_tol=1e-9)
    return a == b


def formula_mismatches(workbook: openpyxl.Workbook, filling: Filling) -> list[str]:
    """Native formula cells whose value differs from `computed_values` (add-in cells left out)."""
    expected = computed_values(filling)
    problems = []
    for name, rows in expected.items():
        if name in ADDIN_NAMES:
            continue
        for i, (got_row, want_row) in enumerate(zip(area_values(workbook, filling, name), rows)):
            for j, (got, want) in enumerate(zip(got_row, want_row)):
                if not same(got, want):
                    problems.append(f"{name}[{i}][{j}]: workbook {got!r}, expected {want!r}")
    return problems


def engine_table(filling: Filling) -> pd.DataFrame:
    """score_vendors on the vendor rows of a filling (rows without a name left out)."""
    vendors = [v for v in filling.vendors if v.name is not None and str(v.name).strip()]
    scores = pd.DataFrame([list(v.scores) for v in vendors], index=[v.name for v in vendors],
                          columns=list(filling.criteria), dtype=object)
    return score_vendors(scores, list(filling.weights), list(filling.minimums), filling.min_coverage)


def engine_mismatches(workbook: openpyxl.Workbook, filling: Filling) -> list[str]:
    """Native Score, Coverage, Status and Rank that differ from score_vendors, by vendor."""
    table = engine_table(filling)
    columns = {name: [row[0] for row in area_values(workbook, filling, name)]
               for name in ("Result_Vendors", "Weighted_Scores", "Coverages", "Statuses", "Ranks")}
    found = {name: (score, coverage, status, rank) for name, score, coverage, status, rank
             in zip(*columns.values()) if name != ""}
    problems = [] if len(found) == len(table) else [f"{len(found)} vendors in the workbook, {len(table)} in the engine"]
    for name, row in table.iterrows():
        score, coverage, status, rank = found.get(name, ("missing",) * 4)
        want = ("" if pd.isna(row.score) else row.score, row.coverage, row.status,
                "" if pd.isna(row["rank"]) else int(row["rank"]))
        if not all(same(g, w) for g, w in zip((score, coverage, status, rank), want)):
            problems.append(f"{name}: workbook {(score, coverage, status, rank)}, engine {want}")
    return problems


def error_cells(workbook: openpyxl.Workbook, filling: Filling) -> list[str]:
    """Cells holding an error value outside the add-in names."""
    names = layout(len(filling.criteria), filling.capacity)
    addin = {(names[n].sheet, r, c) for n in ADDIN_NAMES for r, c in names[n].cells()}
    return [f"{ws.title}!{cell.coordinate} {cell.value}" for ws in workbook.worksheets
            for row in ws.iter_rows() for cell in row
            if cell.data_type == "e" and (ws.title, cell.row - 1, cell.column - 1) not in addin]
