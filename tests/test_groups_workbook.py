"""Criteria groups in the workbook: the Group column, the groups table and Weigh by (Weight_Mode).

Weights used by group are the engine's `groups.compose_weights`; the native formulas, recalculated
by LibreOffice, give the values `computed_values` caches; the command line names the cell of a
problem; the technical copy and the packs keep the groups."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import openpyxl
import pytest

from partnerfit.cli import main
from partnerfit.criteria import CRITERIA, Group
from partnerfit.groups import compose_weights
from partnerfit.workbook.groups import (
    CHECK_GROUPS,
    GROUP_EMPTY,
    GROUP_MODE,
    GROUP_TOTAL,
    GROUP_TWICE,
    GROUP_UNKNOWN,
    GROUP_WEIGHT,
    GroupFilling,
)
from partnerfit.workbook.layout import TABLE, layout
from partnerfit.workbook.model import Filling
from partnerfit.workbook.prices import PriceFilling
from partnerfit.workbook.results import computed_values
from partnerfit.workbook.writer import write_workbook
from template_cases import (
    engine_mismatches,
    formula_mismatches,
    random_filling,
    read_back,
    recalculated,
    score_json_mismatches,
)


def by_group(f: Filling, **changes) -> Filling:
    return replace(f, groups=replace(f.groups, **{"mode": "Group", **changes}))


def composed(f: Filling) -> list[float]:
    """The engine's global weights of a filling weighed by group, in criteria order."""
    g = f.groups
    keys = [str(x).strip().lower() if x is not None else "" for x in g.names]
    groups = {str(n): w or 0.0 for n, k, w in zip(g.names, keys, g.weights)
              if k and any(str(x).strip().lower() == k for x in g.of)}
    local = {n: {c: w or 0.0 for c, x, w in zip(f.criteria, g.of, f.weights) if str(x).strip().lower() == n.strip().lower()}
             for n in groups}
    return [compose_weights(groups, local).as_dict()[c] for c in f.criteria]


def _random_groups(seed: int) -> Filling:
    """A CDMO filling weighed by group: local weights on any scale, a group of the user's own (typed
    in another case, with spaces) holding two criteria, an empty listed group weighing 0."""
    f = random_filling(seed, "CDMO", vendors=20, capacity=25)
    rng = np.random.default_rng(seed)
    of = list(f.groups.of)
    of[1], of[4] = "  supply RISK ", "Supply risk"
    names = (*f.groups.names[:5], "Supply Risk", "Unused", None)
    weights = tuple(float(x) for x in rng.integers(1, 30, 7)) + (None,)
    weights = (*weights[:6], 0.0, None)
    local = tuple(float(x) for x in rng.integers(0, 10, len(f.criteria)))
    return by_group(replace(f, weights=local), of=tuple(of), names=names, weights=weights)


def group_cases() -> dict[str, Filling]:
    example = Filling.example()
    g = example.groups
    return {
        "groups_example": by_group(example),
        "groups_random": _random_groups(7),
        "groups_criterion_mode": replace(_random_groups(8), groups=replace(_random_groups(8).groups, mode=" criterion")),
        "groups_ahp_wins": replace(by_group(example), use_ahp="Yes"),
        "groups_bad_mode": by_group(example, mode="groups"),
        "groups_twice": by_group(example, names=(*g.names[:5], " technical", None, None)),
        "groups_text_weight": by_group(example, weights=(34.0, "36", *g.weights[2:])),
        "groups_unknown": by_group(example, of=("Money", *g.of[1:])),
        "groups_total_zero": by_group(example, weights=(0.0,) * 5 + (None,) * 3),
        "groups_empty": by_group(example, names=(*g.names[:5], "Extra", None, None),
                                 weights=(*g.weights[:5], 10.0, None, None)),
    }


CASES = group_cases()
PROBLEMS = {
    "groups_bad_mode": (GROUP_MODE, "Weight_Mode", 0),
    "groups_twice": (GROUP_TWICE.format(" technical"), "Group_Names", 5),
    "groups_text_weight": (GROUP_WEIGHT.format("Technical"), "Group_Weights", 1),
    "groups_unknown": (GROUP_UNKNOWN.format(CASES["groups_unknown"].criteria[0]), "Criteria_Groups", 0),
    "groups_total_zero": (GROUP_TOTAL, "Group_Weights", 0),
    "groups_empty": (GROUP_EMPTY.format("Extra"), "Group_Names", 5),
}


def column(values, name):
    return [row[0] for row in values[name]]


def test_catalogue_groups_are_the_default_and_keep_the_profile_weights():
    f = Filling.example()
    assert f.groups.of == tuple(next(c.group.label for c in CRITERIA.values() if c.name == n) for n in f.criteria)
    assert f.groups.names[:5] == tuple(g.label for g in Group)
    plain, grouped = computed_values(f), computed_values(by_group(f))
    np.testing.assert_allclose(np.array(column(grouped, "Effective_Weights")) * 100,
                               column(plain, "Effective_Weights"), rtol=1e-12)
    for a, b in zip(column(grouped, "Weighted_Scores"), column(plain, "Weighted_Scores")):
        assert a == b == "" or a == pytest.approx(b, abs=1e-12)


@pytest.mark.parametrize("name", ["groups_example", "groups_random"])
def test_weights_used_are_group_share_times_local_share(name):
    f = CASES[name]
    values = computed_values(f)
    assert values["Group_Check"] == [["OK"]]
    np.testing.assert_allclose(column(values, "Effective_Weights"), composed(f), rtol=1e-12, atol=1e-15)


def test_weigh_by_criterion_and_use_ahp_ignore_the_groups():
    f = CASES["groups_criterion_mode"]
    assert column(computed_values(f), "Effective_Weights") == list(f.weights)
    ahp = computed_values(CASES["groups_ahp_wins"])
    assert column(ahp, "Effective_Weights") == column(ahp, "AHP_Result_Weights")


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_group_problems_block_the_scores_with_one_message(name):
    values = computed_values(CASES[name])
    message = PROBLEMS[name][0]
    assert values["Group_Check"] == [[message]]
    assert values["Criteria_Check"] == [[GROUP_MODE if message == GROUP_MODE else CHECK_GROUPS]]
    assert set(column(values, "Weighted_Scores")) == {""}


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_check_names_the_cell_of_a_group_problem(tmp_path, capsys, name):
    f = CASES[name]
    path = tmp_path / f"{name}.xlsx"
    write_workbook(path, f)
    area = layout(len(f.criteria), f.capacity, f.evaluators)[PROBLEMS[name][1]]
    cell = openpyxl.utils.get_column_letter(area.col + 1) + str(area.row + 1 + PROBLEMS[name][2])
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr()
    line = next(x for x in (out.out + out.err).splitlines() if cell in x)
    assert "Traceback" not in out.err and (PROBLEMS[name][0].lower() in line.lower() or "weigh by" in line)


@pytest.mark.parametrize("name", ["groups_example", "groups_random"])
def test_score_json_weighs_by_group(tmp_path, capsys, name):
    f = CASES[name]
    path = tmp_path / "g.xlsx"
    write_workbook(path, f)
    assert score_json_mismatches(path, f, capsys) == []
    assert main(["score", str(path)]) == 0
    assert "Weights: by group" in capsys.readouterr().out


def test_groups_read_back_as_written(tmp_path):
    f = CASES["groups_random"]
    back = read_back(f, tmp_path / "g.xlsx")
    assert back.groups.mode == "Group" and back.groups.of == f.groups.of
    assert back.groups.names[:7] == f.groups.names[:7] and back.groups.weights[:7] == f.groups.weights[:7]


def test_a_workbook_without_groups_weighs_by_criterion():
    names = {"Weight_Mode", "Criteria_Groups", "Group_Names", "Group_Weights"}
    values = {n: [[None]] for n in names}
    from partnerfit.workbook.groups import group_filling

    assert group_filling({}) == {}
    assert group_filling(values)["groups"].mode is None


def test_technical_copy_with_the_price_criterion_alone_in_its_group(tmp_path, capsys):
    f = by_group(Filling.example())
    of = list(f.groups.of)
    cost = f.criteria.index("Cost")
    other = next(i for i, g in enumerate(of) if g == of[cost] and i != cost)
    of[other] = Group.RELATIONSHIP.label  # Cost alone in Commercial
    f = replace(f, groups=replace(f.groups, of=tuple(of)),
                prices=PriceFilling(quotes=(150_000.0, 210_000.0, 95_000.0)))
    path, out = tmp_path / "e.xlsx", tmp_path / "technical.xlsx"
    write_workbook(path, f)
    assert main(["share", str(path), "-o", str(out), "--technical"]) == 0, capsys.readouterr()
    names = layout(len(f.criteria), f.capacity, f.evaluators)
    ws = openpyxl.load_workbook(out, data_only=True)["Criteria"]
    check = names["Criteria_Check"]
    assert ws.cell(check.row + 1, check.col + 1).value == "OK"
    weights = names["Effective_Weights"]
    used = [ws.cell(weights.row + 1 + i, weights.col + 1).value for i in range(len(f.criteria))]
    assert used[cost] == 0 and sum(used) == pytest.approx(1)
    audit = openpyxl.load_workbook(out)["Audit"]
    assert any(str(row[1]).startswith("by group") for row in audit.iter_rows(values_only=True) if row[0] == "Weights")


def test_packs_carry_the_groups(tmp_path, capsys):
    f = CASES["groups_random"]
    path = tmp_path / "e.xlsx"
    write_workbook(path, f)
    assert main(["pack", str(path), "--evaluators", "Ann", "--out-dir", str(tmp_path / "packs")]) == 0, capsys.readouterr()
    pack = next((tmp_path / "packs").glob("*.xlsx"))
    back = read_back(f, tmp_path / "again.xlsx")  # the layout of the evaluation
    wb = openpyxl.load_workbook(pack)
    names = layout(len(f.criteria), 1, 1)
    mode = names["Weight_Mode"]
    assert wb["Criteria"].cell(mode.row + 1, mode.col + 1).value == "Group"
    groups = names["Criteria_Groups"]
    assert [wb["Criteria"].cell(groups.row + 1 + i, groups.col + 1).value for i in range(len(f.criteria))] == \
        list(back.groups.of)


def test_no_two_names_share_a_cell_but_a_table_and_its_columns():
    for m, n in ((14, 50), (1, 1), (3, 7)):
        names = layout(m, n, 10)
        owner = {}
        for name, area in names.items():
            for r, c in area.cells():
                other = owner.setdefault((area.sheet, r, c), name)
                if other != name:
                    assert TABLE in (names[other].role, area.role), f"{name} and {other} share {area.sheet}!{r},{c}"


def test_group_names_are_inputs_and_never_functions():
    from partnerfit import functions

    names = layout(14, 50, 10)
    assert {"Weight_Mode", "Criteria_Groups", "Group_Names", "Group_Weights", "Group_Shares", "Group_Check"} <= set(names)
    assert not {n.upper() for n in names} & {f for f in dir(functions) if f.isupper()}


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_engines_values(tmp_path):
    for name, f, workbook in recalculated(CASES, tmp_path):
        assert formula_mismatches(workbook, f) == [], name
        if name not in PROBLEMS and name != "groups_ahp_wins":
            weights = composed(f) if f.groups.mode == "Group" else list(f.weights)
            plain = replace(f, weights=tuple(weights), groups=replace(f.groups, mode="Criterion"))
            assert engine_mismatches(workbook, plain) == [], name


def test_fidelity_gate(tmp_path):
    from fidelity import findings, require_checks

    require_checks()
    paths = []
    for name in ("groups_random", "groups_unknown"):
        write_workbook(tmp_path / f"{name}.xlsx", CASES[name])
        paths.append(tmp_path / f"{name}.xlsx")
    assert all(not found for found in findings(paths).values())


def test_group_filling_lengths_are_checked():
    with pytest.raises(Exception, match="criteria groups"):
        Filling(groups=GroupFilling("Group", ("Technical",), ("Technical",), (1.0,)))
