"""Several stakeholders' judgements: the geometric mean per cell (Saaty's aggregation of
individual judgements), disagreement in scale steps, each stakeholder's CR; and AHP_AGGREGATE."""

import inspect
import math

import numpy as np
import pytest

from partnerfit import udfs
from partnerfit.ahp import STEPS_APART, aggregate_judgements, ahp_weights, scale_steps
from partnerfit.errors import PartnerfitError

# Three stakeholders compare Quality, Cost and Timeline; Cy leaves Cost vs Timeline blank.
ANN = [[1, 3, 5], [None, 1, 2], [None, None, 1]]
BOB = [[1, "1/3", 7], [None, 1, 4], [None, None, 1]]
CY = [[1, 5, 3], [None, 1, None], [None, None, 1]]


def test_scale_steps_are_the_positions_on_saatys_scale():
    judgements = np.array([1 / 9, 1 / 5, 1 / 3, 1 / 2, 1, 2, 3, 5, 9, 2.5])
    assert scale_steps(judgements).tolist() == pytest.approx([-8, -4, -2, -1, 0, 1, 2, 4, 8, 1.5])
    assert STEPS_APART == 3


def test_geometric_mean_of_the_judgements_given():
    result = aggregate_judgements([ANN, BOB, CY])
    # By hand: Quality vs Cost (3 x 1/3 x 5)^(1/3); vs Timeline (5 x 7 x 3)^(1/3); Cost vs
    # Timeline (2 x 4)^(1/2): Cy gave none, so only Ann and Bob count.
    assert result.matrix[0, 1] == pytest.approx(5 ** (1 / 3))
    assert result.matrix[0, 2] == pytest.approx(105 ** (1 / 3))
    assert result.matrix[1, 2] == pytest.approx(math.sqrt(8))
    np.testing.assert_allclose(result.matrix * result.matrix.T, np.ones((3, 3)), rtol=1e-12)  # reciprocal
    assert result.count.tolist() == [[3, 3, 3], [3, 3, 2], [3, 2, 3]]
    # Spread in steps: Quality vs Cost 2 (Ann), -2 (Bob), 4 (Cy): 6 apart, flagged; vs Timeline
    # 4, 6, 2: 4 apart, flagged; Cost vs Timeline 1 and 3: 2 apart, not flagged.
    assert result.spread[0, 1] == 6 and result.spread[0, 2] == 4 and result.spread[1, 2] == 2
    assert result.apart.tolist() == [[False, True, True], [True, False, False], [True, False, False]]


def test_each_stakeholders_cr_is_their_own_matrix_cr():
    result = aggregate_judgements([ANN, BOB, CY])
    assert result.stakeholder_cr[0] == pytest.approx(ahp_weights(ANN).cr)
    assert result.stakeholder_cr[1] == pytest.approx(ahp_weights(BOB).cr) and result.stakeholder_cr[1] > 0.10
    assert result.stakeholder_cr[2] == pytest.approx(0.0, abs=1e-12)  # Cy's two judgements: completed consistently
    partial = aggregate_judgements([ANN, [[1, 2, None], [None, 1, None], [None, None, 1]]])
    assert partial.stakeholder_cr[1] is None  # Timeline unconnected in that stakeholder's judgements
    assert partial.matrix[0, 1] == pytest.approx(math.sqrt(6)) and partial.matrix[1, 2] == 2


def test_consistent_stakeholders_combine_into_the_geometric_mean_of_their_weights():
    """Aczel and Saaty (1983): the geometric mean of consistent matrices is consistent, with
    weights proportional to the geometric mean of the stakeholders' weights."""
    rng = np.random.default_rng(7)
    weights = rng.uniform(0.1, 1, size=(4, 5))
    matrices = [w[:, None] / w[None, :] for w in weights]
    combined = ahp_weights(aggregate_judgements(matrices).matrix)
    expected = np.exp(np.log(weights).mean(axis=0))
    np.testing.assert_allclose(combined.weights, expected / expected.sum(), rtol=1e-10)
    assert combined.cr == pytest.approx(0.0, abs=1e-12)


def test_a_cell_nobody_judged_stays_blank_and_is_completed_when_weighed():
    result = aggregate_judgements([[[1, 2, None], [None, 1, 3], [None, None, 1]]] * 2)
    assert math.isnan(result.matrix[0, 2]) and math.isnan(result.matrix[2, 0]) and result.count[0, 2] == 0
    assert result.spread[0, 2] == 0 and not result.apart.any()
    assert ahp_weights(result.matrix).matrix[0, 2] == pytest.approx(6.0)


def test_one_stakeholder_gives_back_their_own_matrix():
    result = aggregate_judgements([ANN])
    np.testing.assert_allclose(result.matrix, ahp_weights(ANN).matrix, rtol=1e-12)
    assert not result.spread.any() and result.count.max() == 1


@pytest.mark.parametrize(
    "matrices, message",
    [
        ([], "give the stakeholders' pairwise matrices as a list of one or more matrices"),
        ([ANN, [[1, 2], [None, 1]]],
         "stakeholder 2's pairwise matrix is 2 x 2, stakeholder 1's 3 x 3; compare the same criteria"),
        ([ANN, [[1, 2, "x"], [None, 1, 1], [None, None, 1]]],
         'stakeholder 2: pairwise matrix row 1 col 3 is "x", not a number'),
        ([ANN, [[1, 2, 3], [3, 1, 1], [None, None, 1]]],
         "stakeholder 2: pairwise matrix is not reciprocal: row 1 col 2 is 2"),
    ],
)
def test_bad_stakeholder_matrices_are_one_line_errors(matrices, message):
    with pytest.raises(PartnerfitError) as error:
        aggregate_judgements(matrices)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


# ------------------------------------------------------------------ AHP_AGGREGATE, Excel-shaped

def excel(cells):
    """As Excel hands a range to a UDF: floats, None for blanks, text as typed."""
    return [[float(v) if isinstance(v, int) else v for v in row] for row in cells]


def test_ahp_aggregate_spills_matrix_crs_and_pairs_apart():
    out = udfs.AHP_AGGREGATE(excel(ANN), excel(BOB), excel(CY))
    result = aggregate_judgements([ANN, BOB, CY])
    assert out[:3] == [pytest.approx(row) for row in result.matrix.tolist()]
    assert [row[0] for row in out[3:]] == ["CR stakeholder 1", "CR stakeholder 2", "CR stakeholder 3",
                                           "Pairs over 3 steps apart", "row 1 col 2", "row 1 col 3"]
    assert out[4][1] == pytest.approx(result.stakeholder_cr[1])
    assert out[6] == ["Pairs over 3 steps apart", 2, None] and out[7] == ["row 1 col 2", 6.0, None]
    assert all(len(row) == 3 for row in out)


def test_ahp_aggregate_takes_matrices_stacked_in_one_range():
    stacked = excel(ANN) + excel(BOB) + excel(CY)
    assert udfs.AHP_AGGREGATE(stacked) == udfs.AHP_AGGREGATE(excel(ANN), excel(BOB) + excel(CY))
    assert udfs.AHP_AGGREGATE(stacked) == udfs.AHP_AGGREGATE(excel(ANN), excel(BOB), excel(CY))


def test_ahp_aggregate_blanks_and_unconnected_stakeholders():
    out = udfs.AHP_AGGREGATE([[1.0, 2.0, None], [None, 1.0, None], [None, None, 1.0]],
                             [[1.0, None, None], [None, 1.0, 4.0], [None, None, 1.0]])
    assert out[0] == [1.0, 2.0, None] and out[1] == [0.5, 1.0, 4.0]  # nobody compared 1 with 3: blank
    assert out[3] == ["CR stakeholder 1", "not connected", None]
    assert out[5] == ["Pairs over 3 steps apart", 0, None] and len(out) == 6
    # The blank is completed when the aggregate is weighed: 2 x 4.
    completed = dict(udfs.AHP_WEIGHTS([row[:3] for row in out[:3]]))
    assert completed["Completed row 1 col 3"] == pytest.approx(8.0)


def test_ahp_aggregate_of_one_criterion_is_two_columns_wide():
    assert udfs.AHP_AGGREGATE(1.0) == [[1.0, None], ["CR stakeholder 1", 0.0], ["Pairs over 3 steps apart", 0]]


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "#partnerfit: give at least one pairwise matrix, one per stakeholder"),
        (([[1.0, 2.0]],), "#partnerfit: matrices argument 1 is 1 x 2 cells; give square matrices, one per stakeholder"),
        ((excel(ANN), [[1.0, 2.0, 3.0], [None, 1.0, 1.0]]), "#partnerfit: matrices argument 2 is 2 x 3 cells"),
        ((excel(ANN), [[1.0, 2.0], [None, 1.0]]),
         "#partnerfit: stakeholder 2's pairwise matrix is 2 x 2, stakeholder 1's 3 x 3"),
        ((excel(ANN), [[1.0, "1/0"], [None, 1.0]]), '#partnerfit: stakeholder 2: pairwise matrix row 1 col 2 is "1/0"'),
    ],
)
def test_ahp_aggregate_bad_input(args, message):
    out = udfs.AHP_AGGREGATE(*args)
    assert isinstance(out, str) and out.startswith(message) and "\n" not in out


def test_ahp_aggregate_suits_xlwings():
    """Variable arguments (a VBA ParamArray in the classic add-in, one argument per range in
    Office.js) and no optional ones: xlwings refuses both in one function."""
    parameters = list(inspect.signature(udfs.AHP_AGGREGATE).parameters.values())
    assert [(p.name, p.kind) for p in parameters] == [("matrices", inspect.Parameter.VAR_POSITIONAL)]
    assert len(udfs.AHP_AGGREGATE.__doc__) <= 255 and len(udfs.AHP_WEIGHTS.__doc__) <= 255
