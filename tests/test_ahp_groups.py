"""Criteria groups: the catalogue's groups, weights composed per group and within groups, and
AHP per level against published hierarchical cases."""

import re
from pathlib import Path

import numpy as np
import pytest

from partnerfit.criteria import CATALOGUE, PROFILES, Group
from partnerfit.domain import PartnerType
from partnerfit.errors import PartnerfitError
from partnerfit.groups import ahp_hierarchy, compose_weights


def pairwise(labels: list[str], judgements: dict) -> list[list]:
    """Cells with each judgement (row label, column label) where it was given, blank elsewhere."""
    cells = [[1.0 if i == j else None for j in range(len(labels))] for i in range(len(labels))]
    for (row, col), value in judgements.items():
        cells[labels.index(row)][labels.index(col)] = value
    return cells


# ------------------------------------------------------------------ the catalogue's groups

def test_every_criterion_is_in_one_of_the_five_groups():
    assert Group.labels() == ["Quality and regulatory", "Technical", "Capacity and supply", "Commercial",
                              "Relationship and governance"]
    assert all(isinstance(c.group, Group) for c in CATALOGUE)
    assert {c.group for c in CATALOGUE} == set(Group)
    assert Group.parse(" quality ", "group") is Group.QUALITY


def test_the_readme_lists_the_catalogue_groups():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| group | criteria |"):]
    rows = re.findall(r"^\| ([A-Z][a-z ]+) \| (.+) \|$", table, flags=re.MULTILINE)
    listed = {group: names.split(", ") for group, names in rows[:len(Group)]}
    assert listed == {g.label: [c.name for c in CATALOGUE if c.group is g] for g in Group}


def test_a_cdmo_evaluation_needs_24_judgements_instead_of_91():
    """14 criteria in groups of 3, 4, 3, 2, 2: 10 between the groups, then 3 + 6 + 3 + 1 + 1."""
    groups = PROFILES[PartnerType.CDMO].by_group()
    sizes = [len(criteria) for criteria in groups.values()]
    assert list(groups) == Group.labels() and sizes == [3, 4, 3, 2, 2]
    judgements = len(groups) * (len(groups) - 1) // 2 + sum(k * (k - 1) // 2 for k in sizes)
    assert judgements == 24 and 14 * 13 // 2 == 91


@pytest.mark.parametrize("partner_type", list(PartnerType))
def test_profile_weights_regroup_to_themselves(partner_type):
    """Group weight = sum of its criteria's, local weights as typed: composing gives the profile back."""
    profile = PROFILES[partner_type]
    by_group = profile.by_group()
    assert sorted(name for names in by_group.values() for name in names) == sorted(profile.as_dict())
    composed = compose_weights({g: sum(w.values()) for g, w in by_group.items()}, by_group).as_dict()
    assert composed == pytest.approx({name: w / 100 for name, w in profile.as_dict().items()}, abs=1e-12)


# ------------------------------------------------------------------ composing typed weights

def test_global_weight_is_group_share_times_local_share():
    grouped = compose_weights(
        {"Quality": 60, "Cost": "40"},  # any totals, text numbers as Excel may hand them
        {"Quality": {"Audit": 3, "Record": 1}, "Cost": {"Price": 0.5, "Terms": 0.5, "Fees": None}},
    )
    # By hand: 0.6 x 3/4, 0.6 x 1/4, 0.4 x 1/2, 0.4 x 1/2, 0.4 x 0 (blank = 0).
    assert grouped.as_dict() == pytest.approx({"Audit": 0.45, "Record": 0.15, "Price": 0.2, "Terms": 0.2, "Fees": 0.0})
    assert grouped.groups == ("Quality", "Cost") and grouped.group_of.tolist() == [0, 0, 1, 1, 1]
    np.testing.assert_allclose(grouped.group_shares, [0.6, 0.4])
    np.testing.assert_allclose(grouped.local_shares, [0.75, 0.25, 0.5, 0.5, 0.0])


def test_a_group_weighing_zero_leaves_its_criteria_out():
    grouped = compose_weights({"A": 1, "B": 0}, {"A": {"x": 2, "y": 2}, "B": {"z": 0}})
    assert grouped.as_dict() == {"x": 0.5, "y": 0.5, "z": 0.0}


@pytest.mark.parametrize(
    "group_weights, local_weights, message",
    [
        ({}, {}, "no groups; give each group a weight and its criteria's weights"),
        ({"A": 1, "B": 1}, {"A": {"x": 1}}, 'group "B" has no criteria; put at least one criterion in it'),
        ({"A": 1, "B": 1}, {"A": {"x": 1}, "B": {}}, 'group "B" has no criteria'),
        ({"A": 1}, {"A": {"x": 1}, "C": {"y": 1}}, 'group "C" has criteria weights but no group weight'),
        ({"A": "heavy"}, {"A": {"x": 1}}, 'weight for group A is "heavy", not a number; enter a number'),
        ({"A": 1}, {"A": {"x": True}}, "weight for x (group A) is True, not a number"),
        ({"A": 1, "B": -1}, {"A": {"x": 1}, "B": {"y": 1}}, "weight for group B is -1; weights must be 0 or more"),
        ({"A": 1}, {"A": {"x": -2}}, "weight for x (group A) is -2; weights must be 0 or more"),
        ({"A": 0, "B": None}, {"A": {"x": 1}, "B": {"y": 1}},
         "all group weights are 0; give at least one group a positive weight"),
        ({"A": 1, "B": 3}, {"A": {"x": 1}, "B": {"y": 0, "z": None}},
         'the criteria of group "B" all weigh 0, but the group weighs 75%; give one of them a positive weight'),
        ({"A": 1, "B": 1}, {"A": {"x": 1}, "B": {"x": 2}},
         'criterion "x" is in groups "A" and "B"; put it in one group'),
        ({"A": 1e308, "B": 1e308}, {"A": {"x": 1}, "B": {"y": 1}}, "add up to more than 1.8e+308"),
    ],
)
def test_bad_group_weights_are_one_line_errors(group_weights, local_weights, message):
    with pytest.raises(PartnerfitError) as error:
        compose_weights(group_weights, local_weights)
    assert message in str(error.value) and "\n" not in str(error.value)


# ------------------------------------------------------------------ AHP per level

# The car example of the English Wikipedia article "Analytic hierarchy process - car example",
# as AHPy's tests transcribe it (github.com/PhilipGriffith/AHPy, tests/test_ahp.py,
# test_compose_verbose_report): criteria Cost, Safety, Style, Capacity; Cost split into Price,
# Fuel, Maintenance, Resale; Capacity into Cargo and Passenger; Safety and Style alone.
CAR_GROUPS = {"Cost": ["Price", "Fuel", "Maintenance", "Resale"], "Safety": ["Safety"], "Style": ["Style"],
              "Capacity": ["Cargo", "Passenger"]}
CAR_CRITERIA = pairwise(list(CAR_GROUPS), {
    ("Cost", "Safety"): 3, ("Cost", "Style"): 7, ("Cost", "Capacity"): 3,
    ("Safety", "Style"): 9, ("Safety", "Capacity"): 1, ("Style", "Capacity"): 1 / 7})
CAR_COST = pairwise(CAR_GROUPS["Cost"], {
    ("Price", "Fuel"): 2, ("Price", "Maintenance"): 5, ("Price", "Resale"): 3,
    ("Fuel", "Maintenance"): 2, ("Fuel", "Resale"): 2, ("Maintenance", "Resale"): 0.5})
CAR_CAPACITY = pairwise(CAR_GROUPS["Capacity"], {("Cargo", "Passenger"): 0.2})


def test_wikipedia_car_example_as_ahpy_composes_it():
    result = ahp_hierarchy(CAR_GROUPS, CAR_CRITERIA, {"Cost": CAR_COST, "Capacity": CAR_CAPACITY})
    np.testing.assert_allclose(result.groups.weights, [0.51, 0.234, 0.041, 0.215], atol=1e-3)
    np.testing.assert_allclose(result.within["Cost"].weights, [0.4881, 0.2515, 0.0999, 0.1605], atol=1e-4)
    weights = result.weights.as_dict()
    for name, published in {"Price": 0.2489, "Fuel": 0.1283, "Resale": 0.0819, "Maintenance": 0.0509}.items():
        assert weights[name] == pytest.approx(published, abs=1e-4)
    # AHPy's consistency ratios use the Donegan-Dodd random index (RI(4) = 0.8286): CI = CR x RI.
    assert result.groups.ci == pytest.approx(0.080 * 0.8286, abs=5e-4)
    assert result.within["Cost"].ci == pytest.approx(0.0164 * 0.8286, abs=1e-4)
    # Safety and Style are groups of one: no matrix, local weight 1, global weight = group weight.
    assert result.within["Safety"].weights.tolist() == [1.0] and weights["Safety"] == result.groups.weights[1]
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-12)
    assert result.consistent and result.message == "consistent: every CR is at most 0.10"


# T. L. Saaty, Theory and Applications of the Analytic Network Process, RWS Publications 2005:
# choosing a city (Bethesda, Boston, Pittsburgh, Santa Fe) by Culture, Family, Housing, Jobs and
# Transportation, as AHPy's test_cities_weights_saaty_precision_3 transcribes it; published
# overall priorities 0.229, 0.275, 0.385, 0.111. Each city under each criterion is a leaf of the
# criterion's group; a city's priority is the sum of its leaves' global weights. The judgements
# sit where Saaty gives them, above or below the diagonal.
CITIES = ["Bethesda", "Boston", "Pittsburgh", "Santa Fe"]
CITY_CRITERIA = pairwise(["Culture", "Family", "Housing", "Jobs", "Transportation"], {
    ("Culture", "Housing"): 3, ("Culture", "Transportation"): 5, ("Family", "Culture"): 5, ("Family", "Housing"): 7,
    ("Family", "Transportation"): 7, ("Housing", "Transportation"): 3, ("Jobs", "Culture"): 2, ("Jobs", "Housing"): 4,
    ("Jobs", "Transportation"): 7, ("Family", "Jobs"): 1})
CITY_JUDGEMENTS = {
    "Culture": {("Bethesda", "Pittsburgh"): 1, ("Boston", "Bethesda"): 2, ("Boston", "Pittsburgh"): 2.5,
                ("Boston", "Santa Fe"): 1, ("Santa Fe", "Bethesda"): 2, ("Santa Fe", "Pittsburgh"): 2.5},
    "Family": {("Bethesda", "Boston"): 2, ("Bethesda", "Santa Fe"): 4, ("Boston", "Santa Fe"): 2,
               ("Pittsburgh", "Bethesda"): 3, ("Pittsburgh", "Boston"): 8, ("Pittsburgh", "Santa Fe"): 9},
    "Housing": {("Bethesda", "Boston"): 5, ("Bethesda", "Santa Fe"): 2.5, ("Pittsburgh", "Bethesda"): 2,
                ("Pittsburgh", "Boston"): 9, ("Pittsburgh", "Santa Fe"): 7, ("Santa Fe", "Boston"): 4},
    "Jobs": {("Bethesda", "Pittsburgh"): 3, ("Bethesda", "Santa Fe"): 4, ("Boston", "Bethesda"): 2,
             ("Boston", "Pittsburgh"): 6, ("Boston", "Santa Fe"): 8, ("Pittsburgh", "Santa Fe"): 1},
    "Transportation": {("Bethesda", "Boston"): 1.5, ("Bethesda", "Santa Fe"): 4, ("Boston", "Santa Fe"): 2.5,
                       ("Pittsburgh", "Bethesda"): 2, ("Pittsburgh", "Boston"): 3.5, ("Pittsburgh", "Santa Fe"): 9},
}


def test_saaty_2005_choosing_a_city():
    groups = {c: [f"{c} / {city}" for city in CITIES] for c in CITY_JUDGEMENTS}
    result = ahp_hierarchy(groups, CITY_CRITERIA, {c: pairwise(CITIES, j) for c, j in CITY_JUDGEMENTS.items()})
    weights = result.weights.as_dict()
    overall = [sum(weights[f"{c} / {city}"] for c in CITY_JUDGEMENTS) for city in CITIES]
    np.testing.assert_allclose(overall, [0.229, 0.275, 0.385, 0.111], atol=1e-3)
    # The same by plain sums and products of each level's weights, written out.
    expected = [sum(result.groups.weights[k] * result.within[c].weights[m] for k, c in enumerate(CITY_JUDGEMENTS))
                for m in range(len(CITIES))]
    np.testing.assert_allclose(overall, expected, rtol=1e-12)


def test_levels_with_blanks_are_completed_and_an_inconsistent_level_is_named():
    groups = {"Quality": ["Audit", "Record", "QMS"], "Cost": ["Price"]}
    result = ahp_hierarchy(groups, [[1, 3], [None, 1]],
                           {"Quality": [[1, 9, None], [None, 1, 9], ["9", None, 1]]})
    assert not result.within["Quality"].consistent and not result.consistent
    assert result.message.startswith("group Quality: inconsistent: CR ")
    assert result.within["Quality"].completed.sum() == 0  # the one given below the diagonal counts
    blank = ahp_hierarchy(groups, [[1, 3], [None, 1]], {"Quality": [[1, 2, None], [None, 1, 3], [None, None, 1]]})
    assert blank.within["Quality"].matrix[0, 2] == pytest.approx(6.0) and blank.consistent
    expected = {"Audit": 0.75 * 0.6, "Record": 0.75 * 0.3, "QMS": 0.75 * 0.1, "Price": 0.25}
    assert blank.weights.as_dict() == pytest.approx(expected)


@pytest.mark.parametrize(
    "groups, group_judgements, judgements, message",
    [
        ({"A": ["x", "y"], "B": ["z"]}, [[1, 2], [None, 1]], {},
         'group "A" has 2 criteria but no pairwise matrix; compare its criteria (only a group of one needs none)'),
        ({"A": ["x"], "B": []}, [[1, 2], [None, 1]], {}, 'group "B" has no criteria'),
        ({"A": ["x"], "B": ["z"]}, [[1, 2], [None, 1]], {"C": [[1.0]]},
         'judgements are given for group "C", which is not'),
        ({"A": ["x"], "B": ["z"]}, [[1, 2, 3], [None, 1, 1], [None, None, 1]], {},
         "groups: pairwise matrix is 3 x 3 for 2 groups; give one row and one column for each, in the same order"),
        ({"A": ["x", "y"], "B": ["z"]}, [[1, 2], [None, 1]], {"A": [[1.0]]},
         'group "A": pairwise matrix is 1 x 1 for 2 criteria'),
        ({"A": ["x", "y"], "B": ["z"]}, [[1, None], [None, 1]], {"A": [[1, 2], [None, 1]]},
         "groups: pairwise judgements leave B unconnected to A"),
        ({"A": ["x", "y"], "B": ["z"]}, [[1, 2], [None, 1]], {"A": [[1, "abc"], [None, 1]]},
         'group "A": pairwise matrix row 1 col 2 is "abc", not a number or a fraction'),
        ({"A": ["x", "y"], "B": ["x"]}, [[1, 2], [None, 1]], {"A": [[1, 2], [None, 1]]},
         'criterion "x" is in groups "A" and "B"'),
    ],
)
def test_bad_hierarchies_are_one_line_errors(groups, group_judgements, judgements, message):
    with pytest.raises(PartnerfitError) as error:
        ahp_hierarchy(groups, group_judgements, judgements)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


# ------------------------------------------------------------------ AHP_WEIGHTS with groups


def _car_block():
    """The car example as one criteria x criteria range: each group's judgements on its block, blank
    between groups (not read), and the groups column beside it."""
    order = [c for names in CAR_GROUPS.values() for c in names]
    block = [[None] * len(order) for _ in order]
    for group, matrix in (("Cost", CAR_COST), ("Capacity", CAR_CAPACITY)):
        at = [order.index(c) for c in CAR_GROUPS[group]]
        for i, row in zip(at, matrix):
            for j, value in zip(at, row):
                block[i][j] = value
    groups = [g for g, names in CAR_GROUPS.items() for _ in names]
    return order, block, groups


def test_ahp_weights_with_groups_composes_the_car_example():
    from partnerfit import udfs

    order, block, groups = _car_block()
    out = dict(map(tuple, udfs.AHP_WEIGHTS(block, groups, CAR_CRITERIA)))
    want = ahp_hierarchy(CAR_GROUPS, CAR_CRITERIA, {"Cost": CAR_COST, "Capacity": CAR_CAPACITY})
    for k, name in enumerate(order):
        assert out[f"Weight {k + 1}"] == pytest.approx(want.weights.as_dict()[name], abs=1e-12)
    assert out["Weight 1"] == pytest.approx(0.2489, abs=1e-4)  # Price, as AHPy and Wikipedia give it
    assert out["Groups CR"] == pytest.approx(want.groups.cr) and out["Cost CR"] == pytest.approx(want.within["Cost"].cr)
    assert "Safety CR" not in out and out["Consistent"] is True and out["Note"] == want.message


@pytest.mark.parametrize("args, message", [
    (([[1.0, 3.0], [None, 1.0]], ["A"]), "groups has 1 cells for a pairwise matrix of 2 x 2"),
    (([[1.0, 3.0], [None, 1.0]], ["A", None]), "groups cell 2 is blank"),
    (([[1.0, None], [None, 1.0]], ["A", "B"]), "2 groups but no group_matrix"),
])
def test_ahp_weights_with_bad_groups_is_one_line(args, message):
    from partnerfit import udfs

    out = udfs.AHP_WEIGHTS(*args)
    assert isinstance(out, str) and message in out and "\n" not in out

