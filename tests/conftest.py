"""The cast every test can use: two streets of one district, their people, a reviewer, a leader, an outsider.

    浙江省 330000 ─ 杭州市 330100 ─┬─ 西湖区 330106 ─┬─ 北山街道 330106002 (street A) ─ 2 communities
                                    │                  └─ 灵隐街道 330106003 (street B) ─ 1 community
                                    └─ 上城区 330102 ─── 湖滨街道 330102001 (the outsider's street)
"""

from dataclasses import dataclass

import pytest
from django.test import Client

from registry.choices import RegionLevel, Role
from registry.models import Region, User
from tests.factories import PASSWORD, UserFactory, community, region


@dataclass
class World:
    province: Region
    city: Region
    county: Region
    street_a: Region
    street_b: Region
    community_a1: Region
    community_a2: Region
    community_b1: Region
    other_county: Region
    other_street: Region


@dataclass
class Cast:
    street_a: User
    street_b: User
    community_a: User
    reviewer: User
    leader: User
    expert: User
    outsider: User
    admin: User

    def items(self):
        return self.__dict__.items()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness would dominate the suite; the hasher itself is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    # Seeded by data migrations, but a transactional test before this one may have flushed them.
    from filings.models import RegistrationPolicy
    from filings.presets import seed_policies
    from registry.models import Term
    from registry.vocabularies import seed_terms

    seed_terms(Term)
    seed_policies(RegistrationPolicy)
    province = region("330000", "浙江省", RegionLevel.PROVINCE)
    city = region("330100", "杭州市", RegionLevel.CITY, province)
    county = region("330106", "西湖区", RegionLevel.COUNTY, city)
    street_a = region("330106002", "北山街道", RegionLevel.STREET, county)
    street_b = region("330106003", "灵隐街道", RegionLevel.STREET, county)
    other_county = region("330102", "上城区", RegionLevel.COUNTY, city)
    other_street = region("330102001", "湖滨街道", RegionLevel.STREET, other_county)
    return World(
        province=province, city=city, county=county, street_a=street_a, street_b=street_b,
        community_a1=community(street_a, 1, "宝石社区", population=5200),
        community_a2=community(street_a, 201, "葛岭村", population=1800),
        community_b1=community(street_b, 1, "玉泉社区", population=4300),
        other_county=other_county, other_street=other_street,
    )


@pytest.fixture
def cast(world) -> Cast:
    return Cast(
        street_a=UserFactory(username="street_a", first_name="北山街道工作人员", role=Role.STREET_STAFF,
                             regions=[world.street_a]),
        street_b=UserFactory(username="street_b", role=Role.STREET_STAFF, regions=[world.street_b]),
        community_a=UserFactory(username="community_a", role=Role.COMMUNITY_WORKER, regions=[world.community_a1]),
        reviewer=UserFactory(username="reviewer", role=Role.DISTRICT_REVIEWER, regions=[world.county]),
        leader=UserFactory(username="leader", role=Role.LEADER, regions=[world.county]),
        expert=UserFactory(username="expert", role=Role.GRANT_EXPERT),
        outsider=UserFactory(username="outsider", role=Role.STREET_STAFF, regions=[world.other_street]),
        admin=UserFactory(username="admin", role=Role.ADMIN, is_superuser=True, is_staff=True),
    )


@pytest.fixture
def client_for():
    """A logged-in test client for a user (Chinese UI, as users get it by default)."""

    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        return client

    return make


@pytest.fixture
def password():
    return PASSWORD
