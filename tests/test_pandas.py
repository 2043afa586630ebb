"""pandas reads partnerfit's workbooks as the README shows ("Reading a workbook with pandas"): the
vendor table and the results as clean tables, in the committed example, in a scored copy
(`partnerfit score -o`) and in a shared copy (`partnerfit share`), with either pandas engine."""

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from partnerfit.cli import main

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "workbooks" / "example_evaluation.xlsx"
README = (ROOT / "README.md").read_text(encoding="utf-8")
README_BLOCK = next(block for block in re.findall(r"```python\n(.*?)```", README, flags=re.S) if "read_excel" in block)
RESULTS = ["Score", "Coverage", "Status", "Rank"]


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pandas")
    source = shutil.copy(EXAMPLE, folder / "example.xlsx")
    assert main(["score", str(source), "-o", str(folder / "scored.xlsx")]) == 0
    assert main(["share", str(source), "-o", str(folder / "shared.xlsx")]) == 0
    return {"committed": EXAMPLE, "scored": folder / "scored.xlsx", "shared": folder / "shared.xlsx"}


def read(path: Path, engine: str):
    """The README's example run on `path` with `engine`, and the Criteria sheet."""
    code, count = re.subn(r'^book = .*$', f"book = {str(path)!r}", README_BLOCK, flags=re.M)
    assert count == 1 and code.count('engine="calamine"') == 2
    names: dict = {}
    exec(compile(code.replace('engine="calamine"', f"engine={engine!r}"), "README.md", "exec"), names)
    criteria = pd.read_excel(path, sheet_name="Criteria", header=5, engine=engine)
    return names["vendor_sheet"], names["score_sheet"], criteria


def expected_results(vendors: pd.DataFrame, criteria: pd.DataFrame) -> dict[str, tuple]:
    """The results worked out in plain Python from the tables pandas read (README, "Which vendor?")."""
    rows = criteria[criteria["Criterion"].isin(vendors.columns)]
    weights = dict(zip(rows["Criterion"], rows["Weight used"]))
    minimums = {c: m for c, m in zip(rows["Criterion"], rows["Must-have minimum"]) if m == m}
    total = sum(weights.values())
    out = {}
    for vendor, row in vendors.iterrows():
        scored = {c: float(row[c]) for c in weights if row[c] == row[c]}  # NaN (blank) is not scored
        used = sum(weights[c] for c in scored)
        score = sum(weights[c] * s for c, s in scored.items()) / used
        low = [c for c, m in minimums.items() if c in scored and scored[c] < m]
        if low:
            status = f"Knocked out: {low[0]}"
        elif any(c not in scored for c in minimums) or used / total < 0.5:
            status = "Incomplete"
        else:
            status = "Eligible"
        out[vendor] = (score, used / total, status)
    eligible = sorted((s for s, _, st in out.values() if st == "Eligible"), reverse=True)
    return {v: (s, c, st, eligible.index(s) + 1 if st == "Eligible" else None) for v, (s, c, st) in out.items()}


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
@pytest.mark.parametrize("copy", ["committed", "scored", "shared"])
def test_vendor_table_and_scores_read_as_clean_tables(books, copy, engine):
    vendors, scores, criteria = read(books[copy], engine)
    names = ["Alder Biologics", "Birchwood CDMO", "Cedar Pharma Services", "Dunmore Bio",
             "Elmstead Manufacturing", "Fernhill Life Sciences", "Garnet BioWorks", "Hollis Development"]
    assert vendors.index.tolist() == names and vendors.index.is_unique
    assert vendors.columns[:14].tolist() == criteria["Criterion"].iloc[:14].tolist()
    assert vendors.columns[14:18].tolist() == ["Partner type", "Site / country", "Evidence", "Comments"]  # then due diligence
    assert all(pd.api.types.is_numeric_dtype(vendors[c]) for c in vendors.columns[:14])
    assert scores.index.tolist() == names and scores.columns.tolist() == RESULTS
    assert pd.api.types.is_float_dtype(scores["Score"]) and pd.api.types.is_float_dtype(scores["Coverage"])
    for vendor, (score, coverage, status, rank) in expected_results(vendors, criteria).items():
        got = scores.loc[vendor]
        assert (got["Score"], got["Coverage"]) == (pytest.approx(score, abs=1e-9), pytest.approx(coverage, abs=1e-9))
        assert got["Status"] == status
        assert (rank is None and pd.isna(got["Rank"])) or got["Rank"] == rank, (vendor, got["Rank"], rank)


def test_the_example_is_not_trivial(books):
    vendors, scores, _ = read(books["committed"], "calamine")
    assert vendors.iloc[:, :14].isna().any().any()  # blanks, left out of both sums
    assert set(scores["Status"]) == {"Eligible", "Knocked out: Quality systems", "Incomplete"}
