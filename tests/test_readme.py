"""The README's Python examples run as printed and give the results their comments claim."""

import re
from pathlib import Path

import pytest

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


@pytest.fixture(scope="module")
def namespace():
    names: dict = {}
    for block in BLOCKS:
        if "partnerfit.udfs import *" not in block:  # the xlwings Lite snippet needs no run here
            exec(compile(block, "README.md", "exec"), names)
    return names


def test_recommend_example(namespace):
    rec = namespace["rec"]
    assert (rec.partner_type, rec.scores) == ("CRO", {"CRO": 100, "CMO": 0, "CDMO": 0})


def test_score_vendors_example(namespace):
    result = namespace["score_vendors"](namespace["pd"].DataFrame(
        {"Quality": [3, 5, "N/A"], "Cost": [4, 3, 5]}, index=["A", "B", "C"]),
        weights={"Quality": 70, "Cost": 30}, minimums={"Quality": 3})
    assert result["score"].round(1).tolist() == [3.3, 4.4, 5.0]
    assert result["rank"].tolist()[:2] == [2, 1]
    assert result["coverage"].round(1).tolist() == [1.0, 1.0, 0.3]
    assert result["status"].tolist() == ["Eligible", "Eligible", "Incomplete"]
    assert list(result.sort_values("rank").index) == ["B", "A", "C"]


def test_decision_examples(namespace):
    ahp = namespace["ahp_weights"]([[1, 4, 3, 7], [1 / 4, 1, "1/3", 3], ["1/3", 3, 1, 5], [1 / 7, "1/3", "1/5", 1]])
    assert [round(w, 4) for w in ahp.weights] == [0.5476, 0.1266, 0.2699, 0.0559] and round(ahp.cr, 3) == 0.044
    result = namespace["result"]
    assert result.table.to_dict("index") == {"Acme": {"Quality": 4, "Cost": 3}, "Beta": {"Quality": 4, "Cost": 5}}
    assert bool(result.flags.loc["Acme", "Quality"]) and not bool(result.flags.loc["Beta", "Quality"])
    scores, weights = namespace["scores"], {"Quality": 70, "Cost": 30}
    first = namespace["vendor_acceptability"](scores, weights)["Rank 1"]
    assert first.round(2).to_dict() == {"Acme": 0.0, "Beta": 0.8, "Gamma": 0.2}
    margins = namespace["vendor_flip_margins"](scores, weights)
    assert round(margins.loc["Quality", "change"], 3) == -0.033 and margins.loc["Quality", "new_leader"] == "Gamma"
