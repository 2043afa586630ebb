"""The domain data: one catalogue, complete guides, sensible default weight profiles."""

import pytest

from partnerfit import CATALOGUE, PROFILES, PartnerfitError, default_weights
from partnerfit.criteria import CRITERIA
from partnerfit.domain import PARTNER_PROFILES, PartnerType, Stage

SEED_FIVE = ["Scope of work", "Regulatory track record", "Scale flexibility", "Technology transfer", "Quality systems"]


def test_catalogue_holds_the_seed_five_first_and_unique_names():
    assert [c.name for c in CATALOGUE[:5]] == SEED_FIVE
    assert len({c.name for c in CATALOGUE}) == len({c.key for c in CATALOGUE}) == len(CATALOGUE) == 19


def test_every_criterion_has_a_description_and_a_1_3_5_guide():
    for criterion in CATALOGUE:
        assert criterion.description and sorted(criterion.guide) == [1, 3, 5]
        assert all(criterion.guide.values())


@pytest.mark.parametrize("partner_type", list(PartnerType))
def test_profiles_sum_to_100_with_rationales(partner_type):
    profile = PROFILES[partner_type]
    assert sum(w for w, _ in profile.weights.values()) == 100
    assert profile.rationale and all(why for _, why in profile.weights.values())
    assert set(profile.weights) <= set(CRITERIA)
    # Type-specific criteria only appear in their own type's profile.
    for key in profile.weights:
        assert CRITERIA[key].source in ("seed", "practice", partner_type.value)


def test_default_weights_by_name():
    weights = default_weights(" cmo ")
    assert weights["Quality systems"] == 16 and "GMP capacity" in weights
    with pytest.raises(PartnerfitError, match='partner type "XYZ" is not one of CRO, CMO, CDMO'):
        default_weights("XYZ")


def test_partner_profiles_follow_the_seed():
    assert PARTNER_PROFILES[PartnerType.CMO].stages == (Stage.PHASE_3, Stage.COMMERCIAL)
    assert Stage.PRECLINICAL in PARTNER_PROFILES[PartnerType.CDMO].stages
    assert "data" in PARTNER_PROFILES[PartnerType.CRO].deliverables.lower()
