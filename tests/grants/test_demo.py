import pytest

from grants.choices import RoundState
from grants.models import Round
from registry.choices import Role
from tests.factories import UserFactory
from tests.grants.factories import organization

pytestmark = pytest.mark.django_db


def test_demo_round_is_built_once(world):
    from grants.demo import extend_demo

    UserFactory(username="reviewer", role=Role.DISTRICT_REVIEWER, regions=[world.county])
    UserFactory(username="street", role=Role.STREET_STAFF, regions=[world.street_a])
    UserFactory(username="expert", role=Role.GRANT_EXPERT)
    for _ in range(4):
        organization(world.community_a1)
    extend_demo({"county": world.county})
    extend_demo({"county": world.county})
    round_ = Round.objects.get(region=world.county)
    assert round_.state == RoundState.REVIEW
    assert round_.applications.count() == 4
    assert round_.applications.filter(score_sheets__state="submitted").count() == 3
