"""A probe for issue 13 item 3 (not the product): how close a grid-per-evaluator team layout with
the checks the product needs comes to the floor (floors.write_floor) in LibreOffice's recalculation.

    python benchmarks/team_probe.py 60x8 10x5

The probe adds to the floor what a real layout needs and the floor lacks:
* per grid row a Check cell: the row's cells that are neither blank, N/A nor a number from 1 to 5
  (COUNTIFS, no per-cell cleaning formula), and one switch that turns the consensus off while any
  row is marked (as Eval_Check does today), so an invalid score is flagged, never averaged;
* the consensus in the grids' own (locked) vendor order, with plain references across the grids
  (like the floor), gated by that switch, with the median/mean choice, spread and count;
* per vendor-table row its consensus row by an exact name match (MATCH(TRUE, EXACT(...))), so a
  sort of the vendor table keeps each vendor's consensus; the scores read INDEX(consensus, row, j).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from floors import recalc_rows, team_scores, write_floor  # noqa: E402


def write_probe(path: Path, scores: np.ndarray, weights: np.ndarray) -> Path:
    """The probe workbook of `scores` (evaluators x vendors x criteria) and `weights`."""
    import xlsxwriter

    from partnerfit.xlsx import column_letter

    e, n, m = scores.shape
    book = xlsxwriter.Workbook(str(path))
    last = column_letter(m + 1)
    for k in range(e):
        ws = book.add_worksheet(f"E{k + 1}")
        ws.write_row(0, 0, ["Vendor", *(f"C{j + 1}" for j in range(m)), "Check"])
        for i in range(n):
            ws.write_string(i + 1, 0, f"Vendor {i + 1}")
            for j in range(m):
                if not np.isnan(scores[k, i, j]):
                    ws.write_number(i + 1, j + 1, scores[k, i, j])
            row = f"B{i + 2}:{last}{i + 2}"
            ws.write_formula(i + 1, m + 1, f'=IF(COUNTIFS({row},">=1",{row},"<=5")+COUNTIF({row},"N/A")'
                                           f'+COUNTBLANK({row})={m},"","Not a score")')
    calc = book.add_worksheet("Calc")
    calc.write_formula(0, 0, "=AND(" + ",".join(f'COUNTIF(E{k + 1}!{column_letter(m + 2)}2:'
                                                f'{column_letter(m + 2)}{n + 1},"?*")=0' for k in range(e)) + ")")
    calc.write_string(0, 1, "mean")
    calc.write_formula(0, 2, '=B1="median"')
    sheet = book.add_worksheet("Consensus")
    for i in range(n):
        sheet.write_string(i + 1, 0, f"Vendor {i + 1}")
        for j in range(m):
            cells = ",".join(f"E{k + 1}!{column_letter(j + 2)}{i + 2}" for k in range(e))
            on = f"AND(Calc!$A$1,COUNT({cells})>0)"
            sheet.write_formula(i + 1, j + 1, f'=IF({on},IF(Calc!$C$1,MEDIAN({cells}),AVERAGE({cells})),"")')
            sheet.write_formula(i + 1, m + 2 + j, f'=IF({on},MAX({cells})-MIN({cells}),"")')
            sheet.write_formula(i + 1, 2 * m + 3 + j, f'=IF(Calc!$A$1,COUNT({cells}),"")')
    vendors = book.add_worksheet("Vendors")  # the vendor table, sorted the other way round
    for i in range(n):
        vendors.write_string(i + 1, 0, f"Vendor {n - i}")
        vendors.write_array_formula(i + 1, 1, i + 1, 1,
                                    f"{{=IFERROR(MATCH(TRUE,EXACT(Consensus!$A$2:$A${n + 1},A{i + 2}),0),0)}}")
        for j in range(m):
            vendors.write_formula(i + 1, 2 + j, f'=IF($B{i + 2}>0,INDEX(Consensus!$B$2:${last}${n + 1},'
                                                f'$B{i + 2},{j + 1}),"")')
    scores_sheet = book.add_worksheet("Scores")
    scores_sheet.write_row(0, 0, [float(w) for w in weights])
    weight = f"Scores!$A$1:${column_letter(m)}$1"
    for i in range(n):
        row = f"Vendors!$C${i + 2}:${column_letter(m + 2)}${i + 2}"
        scores_sheet.write_formula(i + 1, 0, f"=SUMPRODUCT(--ISNUMBER({row}),{weight})")
        scores_sheet.write_formula(i + 1, 1, f'=IF(A{i + 2}>0,SUMPRODUCT(N(+{row}),{weight})/A{i + 2},"")')
        scores_sheet.write_formula(i + 1, 2, f"=A{i + 2}/SUM({weight})")
        scores_sheet.write_formula(i + 1, 3, f'=IF(C{i + 2}>=0.5,RANK(B{i + 2},$B$2:$B${n + 1}),"")')
    book.close()
    return path


def main(sizes: list[str]) -> None:
    folder = Path(tempfile.mkdtemp())
    for size in sizes or ["60x8"]:
        vendors, evaluators = map(int, size.split("x"))
        scores = team_scores(vendors, evaluators, 14)
        weights = np.random.default_rng(1).integers(1, 20, 14).astype(float)
        probe, floor = folder / f"probe_{size}.xlsx", folder / f"floor_{size}.xlsx"
        rows = recalc_rows(f"grid probe {size}", write_probe(probe, scores, weights),
                           write_floor(floor, scores, weights))
        for label, seconds, reference in rows:
            print(f"{label:<60} {seconds:8.2f} s {'' if reference is None else f'{seconds / reference:.2f}x'}")


if __name__ == "__main__":
    main(sys.argv[1:])
