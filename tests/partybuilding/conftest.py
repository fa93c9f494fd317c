"""A district with known Party-building figures.

    street A (北山街道) ─ community a1 (宝石社区): 7 open organizations (+1 deregistered, not counted)
                       ─ community a2 (葛岭村):   2
                       ─ the street itself:       1 filed organization
    street B (灵隐街道) ─ community b1 (玉泉社区): 3
    the district itself:                          1 registered organization
    another district:                             1 (never counted)

| where      | orgs | own/joint | work covered | should establish | needs instructor |
|------------|------|-----------|--------------|------------------|------------------|
| a1         | 7    | 2         | 3            | 1                | 4                |
| a2         | 2    | 1         | 2            | 1                | 0                |
| street A   | 10   | 3 (30.0%) | 5 (50.0%)    | 2                | 5                |
| b1         | 3    | 1 (33.3%) | 2 (66.7%)    | 0                | 1                |
| district   | 14   | 5 (35.7%) | 8 (57.1%)    | 2                | 6                |
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from partybuilding.models import InstructorAssignment, PartyBuilding
from registry.models import Organization
from tests.factories import OrganizationFactory, make_uscc


@dataclass
class Known:
    a1_own: Organization
    a1_joint: Organization
    a1_instructor: Organization
    a1_should: Organization
    a1_bare: Organization
    a1_expired: Organization
    a1_future: Organization
    a1_closed: Organization
    a2_own: Organization
    a2_should_with_liaison: Organization
    a_street_filed: Organization
    b1_own: Organization
    b1_bare: Organization
    b1_instructor: Organization
    county_registered: Organization
    other_county: Organization


def party(organization, form="none", full=0, probationary=0, joint_with=()):
    record = PartyBuilding.objects.create(organization=organization, form=form, full_members=full,
                                          probationary_members=probationary)
    if joint_with:
        record.joint_with.set(joint_with)
    return record


def assign(organization, user, starts=-30, ends=None, kind="instructor", name="李指导"):
    today = timezone.localdate()
    return InstructorAssignment.objects.create(
        organization=organization, kind=kind, person_name=name, unit="街道党工委",
        starts_on=today + timedelta(days=starts), ends_on=None if ends is None else today + timedelta(days=ends),
        assigned_by=user)


@pytest.fixture
def known(world, cast) -> Known:
    a1, a2, b1 = world.community_a1, world.community_a2, world.community_b1
    org = OrganizationFactory
    k = Known(
        a1_own=org(name="宝石夕阳红互助队", region=a1),
        a1_joint=org(name="宝石书香读书会", region=a1),
        a1_instructor=org(name="宝石巧手志愿服务队", region=a1),
        a1_should=org(name="宝石老娘舅调解室", region=a1),
        a1_bare=org(name="宝石广场舞队", region=a1),
        a1_expired=org(name="宝石合唱团", region=a1),
        a1_future=org(name="宝石巡逻队", region=a1),
        a1_closed=org(name="宝石旧协会", region=a1, status="deregistered"),
        a2_own=org(name="葛岭农技服务社", region=a2),
        a2_should_with_liaison=org(name="葛岭乡贤参事会", region=a2),
        a_street_filed=org(name="北山社会组织服务中心", region=world.street_a),
        b1_own=org(name="玉泉邻里守望队", region=b1),
        b1_bare=org(name="玉泉文体队", region=b1),
        b1_instructor=org(name="玉泉平安巡逻队", region=b1),
        county_registered=org(name="西湖区社区发展协会", region=world.county, tier="registered",
                              legal_form="social_group", filing_number=None, uscc=make_uscc()),
        other_county=org(name="湖滨互助队", region=world.other_street),
    )
    party(k.a1_own, "own", full=4, probationary=1)
    party(k.a1_joint, "joint", full=1, joint_with=[k.a1_own])
    assign(k.a1_instructor, cast.street_a)
    party(k.a1_should, "none", full=3)
    assign(k.a1_expired, cast.street_a, starts=-100, ends=-1)
    assign(k.a1_future, cast.street_a, starts=1)
    party(k.a1_closed, "own", full=5)
    party(k.a2_own, "own", full=3, probationary=2)
    assign(k.a2_own, cast.street_a)
    party(k.a2_should_with_liaison, "none", full=5)
    assign(k.a2_should_with_liaison, cast.street_a, kind="liaison", starts=-10, ends=0)
    party(k.b1_own, "own", full=3)
    assign(k.b1_instructor, cast.street_b)
    party(k.county_registered, "joint", full=2, joint_with=[k.b1_own])
    party(k.other_county, "own", full=6)
    return k
