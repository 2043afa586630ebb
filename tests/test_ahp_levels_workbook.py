"""AHP per level on the Weights (AHP) sheet (Weigh by = Group, Use AHP weights = Yes): the groups
compared in AHP_Group_Judgements, the criteria compared within each group (the same-group cells of
AHP_Judgements), each level's lambda max, CI, CR and pair to revisit; global weight = group
weight x local weight, as the engine's `groups.ahp_hierarchy` gives it. LibreOffice recalculates
the native formulas to the engine's values; `score --json` agrees; the gate passes."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import openpyxl
import pytest

from partnerfit.ahp import ahp_weights
from partnerfit.cli import main
from partnerfit.groups import ahp_hierarchy
from partnerfit.workbook.layout import AHP_CONSISTENT, AHP_INCOMPLETE, AHP_INCONSISTENT, CHECK_AHP, layout
from partnerfit.workbook.levels import LEVELS_GROUPS, LEVELS_INCOMPLETE, G
from partnerfit.workbook.model import Filling
from partnerfit.workbook.results import computed_values
from partnerfit.workbook.writer import write_workbook
from template_cases import (
    A2,
    A2_CRITERIA,
    ahp_filling,
    area_values,
    engine_mismatches,
    formula_mismatches,
    random_judgements,
    read_back,
    recalculated,
    score_json_mismatches,
)


def levels(f: Filling, judgements=None, group_judgements=None, **groups) -> Filling:
    """`f` weighed by AHP per level."""
    g = replace(f.groups, mode="Group", **groups)
    if group_judgements is not None:
        g = replace(g, judgements=group_judgements)
    return replace(f, use_ahp="Yes", groups=g, **({"judgements": judgements} if judgements is not None else {}))


def engine(f: Filling) -> list[float]:
    """The engine's global weights: `ahp_hierarchy` on the same-group blocks and the groups' block."""
    g = f.groups
    keys = [str(x).strip().lower() if x is not None else "" for x in g.names]
    at = [keys.index(str(x).strip().lower()) for x in g.of]
    active = [k for k in range(G) if k in at]
    members = {str(k): [f.criteria[i] for i in range(len(at)) if at[i] == k] for k in active}

    def full(cells, rows):
        return [[1.0 if i == j else cells[i][j] if i < j else None for j in rows] for i in rows]

    within = {str(k): full(f.judgements, [i for i in range(len(at)) if at[i] == k]) for k in active
              if len(members[str(k)]) > 1}
    result = ahp_hierarchy(members, full(g.judgements, active), within).weights.as_dict()
    return [result[c] for c in f.criteria]


def _consistent(f: Filling) -> tuple:
    """Judgements implied by weights 1..m (consistent within every group)."""
    m = len(f.criteria)
    w = np.arange(1, m + 1, dtype=float)
    return tuple(tuple(1.0 if i == j else float(w[i] / w[j]) if i < j else None for j in range(m)) for i in range(m))


EXAMPLE_OF = Filling.example().groups.of
BLANK = next((i, j) for i in range(len(EXAMPLE_OF)) for j in range(i + 1, len(EXAMPLE_OF)) if EXAMPLE_OF[i] == EXAMPLE_OF[j])
"""The first pair of criteria of one group in the example: left blank in levels_incomplete."""


def level_cases() -> dict[str, Filling]:
    example = Filling.example()
    g = example.groups
    groups = random_judgements(G, 4)
    of = list(g.of)
    of[0] = "Own group"  # a group of the user's own with one criterion; "Unused" listed without criteria
    return {
        "levels_random": levels(example, random_judgements(len(example.criteria), 5), groups),
        "levels_consistent": levels(example, _consistent(example), tuple(
            tuple(1.0 if i == j else (i + 2) / (j + 2) if i < j else None for j in range(G)) for i in range(G))),
        "levels_own_group": levels(example, random_judgements(len(example.criteria), 6), random_judgements(G, 7),
                                   of=tuple(of), names=(*g.names[:5], "Own group", "Unused", None),
                                   weights=(*g.weights[:5], 1.0, 0.0, None)),
        "levels_incomplete": levels(example, tuple(tuple(None if (i, j) == BLANK else x for j, x in enumerate(row))
                                                   for i, row in enumerate(random_judgements(len(example.criteria), 5)))),
        "levels_group_problem": levels(example, of=("Money", *g.of[1:])),
    }


CASES = level_cases()
GOOD = ("levels_random", "levels_consistent", "levels_own_group")


def column(values, name):
    return [row[0] for row in values[name]]


@pytest.mark.parametrize("name", GOOD)
def test_global_weights_are_the_engines_hierarchy(name):
    f = CASES[name]
    values = computed_values(f)
    np.testing.assert_allclose(column(values, "Effective_Weights"), engine(f), rtol=1e-12)
    assert values["Criteria_Check"] == [["OK"]]
    assert abs(sum(column(values, "Effective_Weights")) - 1) < 1e-12


def test_level_table_and_check():
    values = computed_values(CASES["levels_consistent"])
    assert values["AHP_Check"] == [[AHP_CONSISTENT]]
    assert column(values, "AHP_Level_Names")[:6] == ["Groups", *CASES["levels_consistent"].groups.names[:5]]
    assert all(x == pytest.approx(0, abs=1e-9) for x in column(values, "AHP_Level_CR")[:6])
    random = computed_values(CASES["levels_random"])
    crs = column(random, "AHP_Level_CR")
    first = next(k for k, cr in enumerate(crs) if cr != "" and cr > 0.1)
    assert random["AHP_Check"] == [[AHP_INCONSISTENT + column(random, "AHP_Level_Revisit")[first]]]
    assert random["AHP_CR"] == [[max(x for x in crs if x != "")]]
    own = computed_values(CASES["levels_own_group"])
    assert column(own, "AHP_Level_Names")[6:] == ["Own group", "", ""]  # one criterion; Unused has none
    assert column(own, "AHP_Level_Sizes")[0] == 6 and column(own, "AHP_Level_CR")[6] == 0


def test_incomplete_judgements_and_group_problems_block_the_weights():
    incomplete = computed_values(CASES["levels_incomplete"])
    assert incomplete["AHP_Check"] == [[LEVELS_INCOMPLETE]]
    assert set(column(incomplete, "Effective_Weights")) == {""}
    assert computed_values(CASES["levels_group_problem"])["AHP_Check"] == [[LEVELS_GROUPS]]


def test_cross_group_judgements_are_not_read():
    f = CASES["levels_random"]
    at = [f.groups.names.index(x) for x in f.groups.of]
    i, j = next((i, j) for i in range(len(at)) for j in range(i + 1, len(at)) if at[i] != at[j])
    cells = [list(r) for r in f.judgements]
    cells[i][j] = "nonsense"
    assert computed_values(replace(f, judgements=tuple(map(tuple, cells))))["Effective_Weights"] == \
        computed_values(f)["Effective_Weights"]


@pytest.mark.parametrize("name", GOOD)
def test_score_json_agrees(tmp_path, capsys, name):
    f = CASES[name]
    path = tmp_path / "l.xlsx"
    write_workbook(path, f)
    assert score_json_mismatches(path, f, capsys) == []
    assert main(["score", str(path)]) == 0
    assert "per level" in capsys.readouterr().out


def test_check_names_the_missing_judgement_and_the_inconsistent_level(tmp_path, capsys):
    f = CASES["levels_incomplete"]
    path = tmp_path / "i.xlsx"
    write_workbook(path, f)
    area = layout(len(f.criteria), f.capacity, f.evaluators)["AHP_Judgements"]
    cell = openpyxl.utils.get_column_letter(area.col + BLANK[1] + 1) + str(area.row + BLANK[0] + 1)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    # a blank is completed unless it leaves its group unconnected (Commercial has two criteria): one line
    assert any(cell in line and "unconnected" in line for line in (out.out + out.err).splitlines())
    path = tmp_path / "r.xlsx"
    write_workbook(path, CASES["levels_random"])
    main(["check", str(path)])
    out = capsys.readouterr()
    assert "inconsistent" in out.out + out.err and "Traceback" not in out.err


def test_group_judgements_read_back_as_written(tmp_path):
    f = CASES["levels_own_group"]
    back = read_back(f, tmp_path / "l.xlsx")
    assert back.groups.judgements == tuple(tuple("" if x is None else x for x in row) for row in f.groups.judgements) \
        or computed_values(back)["Effective_Weights"] == computed_values(f)["Effective_Weights"]


@pytest.fixture(scope="module")
def libreoffice_values(tmp_path_factory) -> dict[str, tuple[Filling, openpyxl.Workbook]]:
    """name -> (filling, values recalculated by LibreOffice) of every workbook the LibreOffice tests
    of this file read (CASES, a blank judgement, the stakeholders, blanks per level): one call."""
    fillings = {**CASES, "blanks_a2": BLANK_CASES["blanks_a2"], **TEAM, "levels_blanks": LEVEL_BLANKS["levels_blanks"]}
    assert len(fillings) == len(CASES) + 1 + len(TEAM) + 1, "file names must differ"
    return {name: (f, workbook) for name, f, workbook in recalculated(fillings, tmp_path_factory.mktemp("levels"))}


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_engines_values(libreoffice_values):
    for name in CASES:
        f, workbook = libreoffice_values[name]
        assert formula_mismatches(workbook, f) == [], name
        if name in GOOD:
            plain = replace(f, weights=tuple(engine(f)), use_ahp="No", groups=replace(f.groups, mode="Criterion"))
            assert engine_mismatches(workbook, plain) == [], name


def test_fidelity_gate(tmp_path):
    from fidelity import findings, require_checks

    require_checks()
    paths = []
    for name in ("levels_random", "levels_incomplete"):
        write_workbook(tmp_path / f"{name}.xlsx", CASES[name])
        paths.append(tmp_path / f"{name}.xlsx")
    assert all(not found for found in findings(paths).values())


# --------------------------------------------------------------------------- blank judgements (Weigh by = Criterion)


def _blanks(cells, *pairs):
    out = [list(r) for r in cells]
    for i, j in pairs:
        out[i][j] = None
    return tuple(map(tuple, out))


BLANK_CASES = {
    "blanks_a2": ahp_filling(A2_CRITERIA, _blanks(A2, (0, 2), (1, 3))),
    "blanks_unconnected": ahp_filling(A2_CRITERIA, _blanks(A2, (0, 1), (0, 2), (0, 3))),
}


def test_blank_judgements_are_completed_as_the_engine_does():
    f = BLANK_CASES["blanks_a2"]
    values = computed_values(f)
    upper = [[x if i < j else 1.0 if i == j else None for j, x in enumerate(row)] for i, row in enumerate(f.judgements)]
    result = ahp_weights(upper)
    np.testing.assert_allclose(column(values, "AHP_Result_Weights"), result.weights, rtol=1e-12)
    np.testing.assert_allclose(np.array(values["AHP_Matrix"], dtype=float), result.matrix, rtol=1e-12)
    assert values["Criteria_Check"] == [["OK"]] and values["AHP_CR"] == [[pytest.approx(result.cr, abs=1e-12)]]
    labels = [row[0] for row in values["Addin_AHP"]]
    assert labels.count("Completed row 1 col 3") == labels.count("Completed row 2 col 4") == 1


def test_the_cached_values_are_the_completion_and_check_accepts_blanks(tmp_path, capsys):
    f = BLANK_CASES["blanks_a2"]
    path = tmp_path / "b.xlsx"
    write_workbook(path, f)
    book = openpyxl.load_workbook(path, data_only=True)
    full = area_values(book, f, "AHP_Matrix")
    assert full[0][2] == pytest.approx(computed_values(f)["AHP_Matrix"][0][2], rel=1e-12)
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 blank AHP judgements completed" in out
    assert score_json_mismatches(path, f, capsys) == []


def unconnected_lines(f: Filling, tmp_path, capsys) -> list[str]:
    """The lines of `partnerfit check` (exit 1, no traceback) about unconnected criteria."""
    path = tmp_path / "u.xlsx"
    write_workbook(path, f)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return [x for x in (out.out + out.err).splitlines() if "unconnected" in x]


def test_unconnected_judgements_are_one_line_naming_the_criteria(tmp_path, capsys):
    f = BLANK_CASES["blanks_unconnected"]
    values = computed_values(f)
    assert values["Addin_AHP"][0][0].startswith("#partnerfit: pairwise judgements leave criteria 2, 3 and 4 unconnected")
    assert set(column(values, "Effective_Weights")) == {""}
    lines = unconnected_lines(f, tmp_path, capsys)
    assert len(lines) == 1 and "Education, Charisma and Age unconnected to Experience" in lines[0], lines


@pytest.mark.libreoffice
def test_libreoffice_without_the_addin_asks_for_every_cell(libreoffice_values):
    """LibreOffice has no add-in: the completion's cells are blank, the sheet asks for every
    judgement; every other native cell still equals the engine's."""
    f, book = libreoffice_values["blanks_a2"]
    assert area_values(book, f, "AHP_Check") == [[AHP_INCOMPLETE]]
    assert area_values(book, f, "AHP_Matrix")[0][2] == ""
    assert area_values(book, f, "Criteria_Check") == [[CHECK_AHP]]


# --------------------------------------------------------------------------- several stakeholders


def _team() -> Filling:
    f = Filling.example()
    m = len(f.criteria)
    blocks = [list(map(list, random_judgements(m, s))) for s in (1, 2, 3)]
    blocks[1][0][3] = None  # stakeholder 2 leaves a pair out
    blocks[2][2][5] = "abc"  # and stakeholder 3 types a word: left out of that cell too
    return replace(f, use_ahp="Yes", stakeholders=(*(tuple(map(tuple, b)) for b in blocks), ((None,) * m,) * m),
                   stakeholder_names=("QA", "Technical", "Procurement"))


TEAM = {"team_ahp": _team(), "team_ahp_levels": levels(_team())}


def test_stakeholders_mean_and_flags_are_the_engines():
    from partnerfit.ahp import aggregate_judgements

    f = TEAM["team_ahp"]
    values = computed_values(f)
    m = len(f.criteria)
    blocks = [[[None if x == "abc" else x if i < j else None for j, x in enumerate(r)] for i, r in enumerate(b)]
              for b in f.stakeholders[:3]]
    result = aggregate_judgements(blocks)
    upper = np.triu(np.ones((m, m), dtype=bool), 1)
    mean = np.array([[np.nan if x == "" else x for x in row] for row in values["AHP_Team_Mean"]], dtype=float)
    np.testing.assert_allclose(mean[upper], result.matrix[upper], rtol=1e-12)
    spread = np.array([[0.0 if x == "" else x for x in row] for row in values["AHP_Team_Spread"]])
    np.testing.assert_allclose(spread[upper], result.spread[upper], atol=1e-12)
    assert values["AHP_Team_Flags"] == [[int(result.apart[upper].sum())]]
    np.testing.assert_allclose(column(values, "AHP_Result_Weights"), ahp_weights(result.matrix).weights, rtol=1e-12)
    assert values["Addin_AHP_Team"][0][0].startswith("#partnerfit: stakeholder 3: pairwise matrix row 3 col 6 is")
    clean = replace(f, stakeholders=(*f.stakeholders[:2], tuple(map(tuple, blocks[2])), f.stakeholders[3]))
    crs = {row[0]: row[1] for row in computed_values(clean)["Addin_AHP_Team"] if str(row[0]).startswith("CR stake")}
    assert crs["CR stakeholder 1"] == pytest.approx(result.stakeholder_cr[0]) and crs["CR stakeholder 4"] == "not connected"


def test_stakeholders_read_back_and_score_json_agrees(tmp_path, capsys):
    for name, f in TEAM.items():
        back = read_back(f, tmp_path / f"{name}.xlsx")
        assert back.stakeholder_names[:3] == f.stakeholder_names[:3]
        assert computed_values(back)["Effective_Weights"] == computed_values(f)["Effective_Weights"]
        assert main(["score", str(tmp_path / f"{name}.xlsx"), "--json"]) == 0
        got = {row["vendor"]: row["score"] for row in json.loads(capsys.readouterr().out)["vendors"]}
        values = computed_values(f)
        for vendor, score in zip(column(values, "Result_Vendors"), column(values, "Weighted_Scores")):
            if vendor:
                assert (got[vendor] is None) if score == "" else got[vendor] == pytest.approx(score, abs=1e-9)


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_stakeholders(libreoffice_values):
    for name in TEAM:
        f, workbook = libreoffice_values[name]
        assert formula_mismatches(workbook, f) == [], name


# --------------------------------------------------------------------------- blank judgements per level


def _level_blanks() -> dict[str, Filling]:
    """Technical (4 criteria) with one pair blank and the groups' matrix with one pair blank: both
    levels stay connected; then Commercial's only pair blank (unconnected)."""
    f = CASES["levels_random"]
    of = f.groups.of
    tech = [i for i, g in enumerate(of) if g == "Technical"]
    cells = [list(r) for r in f.judgements]
    cells[tech[0]][tech[2]] = None
    groups = [list(r) for r in f.groups.judgements]
    groups[0][3] = None  # Quality and regulatory vs Commercial
    blanks = replace(f, judgements=tuple(map(tuple, cells)), groups=replace(f.groups, judgements=tuple(map(tuple, groups))))
    commercial = [i for i, g in enumerate(of) if g == "Commercial"]
    cells[commercial[0]][commercial[1]] = None
    return {"levels_blanks": blanks, "levels_unconnected": replace(blanks, judgements=tuple(map(tuple, cells)))}


LEVEL_BLANKS = _level_blanks()


def test_level_blanks_are_completed_as_the_engine_does(tmp_path, capsys):
    f = LEVEL_BLANKS["levels_blanks"]
    values = computed_values(f)
    tech = [i for i, g in enumerate(f.groups.of) if g == "Technical"]
    upper = [[1.0 if i == j else f.judgements[i][j] if i < j else None for j in tech] for i in tech]
    within = ahp_weights(upper)
    assert values["AHP_Matrix"][tech[0]][tech[2]] == pytest.approx(within.matrix[0, 2], rel=1e-12)
    top = ahp_weights([[1.0 if i == j else f.groups.judgements[i][j] if i < j else None for j in range(5)]
                       for i in range(5)])
    assert values["AHP_Group_Matrix"][0][3] == pytest.approx(top.matrix[0, 3], rel=1e-12)
    np.testing.assert_allclose(column(values, "Effective_Weights"), engine(f), rtol=1e-12)  # engine: None entries
    labels = {row[0]: row[1] for row in values["Addin_AHP"] if isinstance(row[0], str)}
    assert labels[f"Completed row {tech[0] + 1} col {tech[2] + 1}"] == pytest.approx(within.matrix[0, 2], rel=1e-12)
    assert labels["Completed group row 1 col 4"] == pytest.approx(top.matrix[0, 3], rel=1e-12)
    path = tmp_path / "b.xlsx"
    write_workbook(path, f)
    book = openpyxl.load_workbook(path, data_only=True)
    assert area_values(book, f, "AHP_Group_Matrix")[0][3] == pytest.approx(top.matrix[0, 3], rel=1e-12)
    assert area_values(book, f, "AHP_Matrix")[tech[0]][tech[2]] == pytest.approx(within.matrix[0, 2], rel=1e-12)
    main(["check", str(path)])
    out = capsys.readouterr()
    assert "2 blank AHP judgements completed" in out.out + out.err and "Traceback" not in out.err
    assert score_json_mismatches(path, f, capsys) == []


def test_level_blanks_leaving_a_level_unconnected_are_one_line(tmp_path, capsys):
    f = LEVEL_BLANKS["levels_unconnected"]
    values = computed_values(f)
    # the add-in sees each criterion's row of the groups table (Calc_Group_At): Commercial is row 4
    assert values["Addin_AHP"][0][0].startswith('#partnerfit: group "4": pairwise judgements leave criterion 8 '
                                                "unconnected to criterion 1")
    assert values["AHP_Check"] == [[LEVELS_INCOMPLETE]] and set(column(values, "Effective_Weights")) == {""}
    lines = unconnected_lines(f, tmp_path, capsys)
    assert len(lines) == 1 and "Cost unconnected to Scope of work" in lines[0], lines


@pytest.mark.libreoffice
def test_libreoffice_level_blanks(libreoffice_values, tmp_path):
    """LibreOffice has no add-in: the blanks stay blank, the sheet asks for every judgement; the
    cached values written are the completion (checked above) and the gate passes."""
    from fidelity import findings, require_checks

    f, book = libreoffice_values["levels_blanks"]
    write_workbook(tmp_path / "blanks.xlsx", f)
    assert area_values(book, f, "AHP_Check") == [[LEVELS_INCOMPLETE]]
    assert area_values(book, f, "AHP_Group_Matrix")[0][3] == ""
    require_checks()
    assert all(not found for found in findings([tmp_path / "blanks.xlsx"]).values())


def test_a_pair_no_stakeholder_judged_is_completed_from_the_mean(tmp_path, capsys):
    """The stakeholders' geometric mean feeds the same completion: a pair nobody judged is blank in
    AHP_Team_Mean, the add-in completes it (whole matrix and per level), `check` notes it."""
    for f in TEAM.values():
        blocks = [[list(r) for r in b] for b in f.stakeholders]
        for b in blocks:
            b[3][10] = None  # Technology transfer vs Formulation: both Technical (4 criteria)
        f = replace(f, stakeholders=tuple(tuple(map(tuple, b)) for b in blocks))
        values = computed_values(f)
        mean = [[None if x == "" else x for x in row] for row in values["AHP_Team_Mean"]]
        assert mean[3][10] is None and values["AHP_Matrix"][3][10] != ""
        by_group = f.groups.mode == "Group"
        if by_group:  # as the engine's hierarchy weighs the mean
            np.testing.assert_allclose(column(values, "Effective_Weights"), engine(replace(f, judgements=tuple(
                tuple(mean_row) for mean_row in mean))), rtol=1e-12)
        else:
            result = ahp_weights([[1.0 if i == j else x if i < j else None for j, x in enumerate(row)]
                                  for i, row in enumerate(mean)])
            assert values["AHP_Matrix"][3][10] == pytest.approx(result.matrix[3, 10], rel=1e-12)
            np.testing.assert_allclose(column(values, "Effective_Weights"), result.weights, rtol=1e-12)
        path = tmp_path / "t.xlsx"
        write_workbook(path, f)
        main(["check", str(path)])
        out = capsys.readouterr()
        assert "blank AHP judgement" in out.out + out.err and "Traceback" not in out.err
