"""Floor workbooks and LibreOffice recalculation timing, for benchmarks/run.py's `spreadsheet` group.

A floor workbook holds the same numbers as a partnerfit workbook with the plainest formulas that
compute the same results: one grid of scores per evaluator, the consensus by AVERAGE (or MEDIAN),
the spread by MAX - MIN and the count by COUNT across the grids, then per vendor the scored
weight by SUMPRODUCT, the score, the coverage and a RANK. No checks, no statuses beyond a
coverage test: it is what a careful analyst would type by hand, and the time it takes LibreOffice
to recalculate is the floor a generated workbook is held against.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from libreoffice import SOFFICE, _profile  # noqa: E402  (the tests' LibreOffice set-up)


def team_scores(vendors: int, evaluators: int, criteria: int, seed: int = 0) -> np.ndarray:
    """evaluators x vendors x criteria whole scores 1-5 with 5 % blanks (NaN)."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(1, 6, size=(evaluators, vendors, criteria)).astype(float)
    scores[rng.random(scores.shape) < 0.05] = np.nan
    return scores


def write_floor(path: Path, scores: np.ndarray, weights: np.ndarray, median: bool = False) -> Path:
    """The floor workbook of `scores` (evaluators x vendors x criteria) and `weights`."""
    import xlsxwriter

    from partnerfit.xlsx import column_letter

    e, n, m = scores.shape
    book = xlsxwriter.Workbook(str(path))
    grids = []
    for k in range(e):
        name = f"E{k + 1}"
        grids.append(name)
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, ["Vendor", *(f"C{j + 1}" for j in range(m))])
        for i in range(n):
            ws.write_string(i + 1, 0, f"Vendor {i + 1}")
            for j in range(m):
                if not np.isnan(scores[k, i, j]):
                    ws.write_number(i + 1, j + 1, scores[k, i, j])
    agg = "MEDIAN" if median else "AVERAGE"
    sheet = book.add_worksheet("Consensus") if e > 1 else None
    for i in range(n if e > 1 else 0):
        sheet.write_string(i + 1, 0, f"Vendor {i + 1}")
        for j in range(m):
            cell = f"{column_letter(j + 2)}{i + 2}"
            cells = ",".join(f"{g}!{cell}" for g in grids)
            sheet.write_formula(i + 1, j + 1, f'=IF(COUNT({cells})>0,{agg}({cells}),"")')
            sheet.write_formula(i + 1, m + 2 + j, f'=IF(COUNT({cells})>0,MAX({cells})-MIN({cells}),"")')
            sheet.write_formula(i + 1, 2 * m + 3 + j, f"=COUNT({cells})")
    scores_sheet = book.add_worksheet("Scores")
    scores_sheet.write_row(0, 0, [float(w) for w in weights])
    last = column_letter(m)
    for i in range(n):
        row = f"{'Consensus' if e > 1 else grids[0]}!$B${i + 2}:${column_letter(m + 1)}${i + 2}"
        weight = f"Scores!$A$1:${last}$1"
        scored = f"SUMPRODUCT(--ISNUMBER({row}),{weight})"
        scores_sheet.write_formula(i + 1, 0, f"={scored}")
        scores_sheet.write_formula(i + 1, 1, f'=IF(A{i + 2}>0,SUMPRODUCT(N(+{row}),{weight})/A{i + 2},"")')
        scores_sheet.write_formula(i + 1, 2, f"=A{i + 2}/SUM({weight})")
        scores_sheet.write_formula(i + 1, 3, f'=IF(C{i + 2}>=0.5,RANK(B{i + 2},$B$2:$B${n + 1}),"")')
    book.close()
    return path


def recalc_seconds(path: Path) -> float:
    """Wall time of LibreOffice opening `path` headless, recalculating every formula and saving it."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([SOFFICE, f"-env:UserInstallation={_profile(True).as_uri()}", "--headless", "--norestore",
                        "--nolockcheck", "--convert-to", "xlsx", "--outdir", out, str(path)],
                       check=True, capture_output=True, timeout=1800)
        spent = time.perf_counter() - start
        if not (Path(out) / path.name).exists():
            raise RuntimeError(f"LibreOffice did not recalculate {path}")
    return spent


def single_floor(path: Path, filling) -> Path:
    """The floor of a one-evaluator workbook written from `filling` (a partnerfit.workbook.model
    Filling): its vendor rows (blank up to its capacity, as the template's) and typed weights."""
    from partnerfit.cells import score_value

    rows = [list(v.scores) for v in filling.vendors]
    rows += [[None] * len(filling.criteria)] * (filling.capacity - len(rows))
    scores = np.array([[score_value(c) for c in row] for row in rows], dtype=float)  # None (invalid) -> NaN
    weights = np.array([0.0 if w is None else float(w) for w in filling.weights])
    return write_floor(path, scores[np.newaxis], weights)


def recalc_rows(label: str, workbook: Path, floor: Path, repeat: int = 3) -> list[tuple]:
    """benchmarks/run.py rows for LibreOffice recalculating `workbook` next to its `floor`: the
    median of `repeat` rounds, the two taking turns."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for path, spent in zip((floor, workbook), times):
            spent.append(recalc_seconds(path))
    floor_time, ours = (statistics.median(t) for t in times)
    return [(f"LibreOffice recalc, floor of the {label}", floor_time, None),
            (f"LibreOffice recalc, {label}", ours, floor_time)]


def team_recalc_rows(label: str, workbook: Path, floor: Path) -> list[tuple]:
    """The rows for a team workbook (e.g. 10 vendors x 5 evaluators, 60 x 8) and its floor,
    `write_floor(floor, team_scores(vendors, evaluators, criteria), weights)` with the same scores
    (`median=True` when the workbook's consensus method is the median): ready for run.py's
    `spreadsheet` group once the team workbooks are generated."""
    return recalc_rows(f"team workbook {label}", workbook, floor)


def team_filling(scores: np.ndarray, weights: np.ndarray):
    """The partnerfit team workbook's Filling holding `scores` (evaluators x vendors x criteria):
    one evaluator grid per evaluator (the layout's input), the weights typed."""
    from partnerfit.example import Vendor
    from partnerfit.workbook.model import Filling, Grid

    e, n, m = scores.shape
    criteria = tuple(f"C{j + 1}" for j in range(m))
    names = tuple(f"Vendor {x + 1}" for x in range(n))
    cells = np.where(np.isnan(scores), None, scores).tolist()  # whole numbers 1-5, written as typed
    grids = tuple(Grid(f"Evaluator {k + 1}", names, tuple(map(tuple, cells[k]))) for k in range(e))
    vendors = tuple(Vendor(name, None, (None,) * m) for name in names)
    return Filling(criteria=criteria, weights=tuple(float(w) for w in weights), vendors=vendors, capacity=n,
                   grids=grids, evaluators=e)
