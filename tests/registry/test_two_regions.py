"""A user posted to two regions (two streets, or a street and a community of another street) sees both
subtrees and nothing else: through the access rule, on the list page, in the API and in an export."""

import pytest

from registry.choices import Role
from registry.models import Activity, Organization, Region
from tests.factories import OrganizationFactory, UserFactory, community


@pytest.fixture
def posted_twice(world):
    return UserFactory(username="two_posts", role=Role.STREET_STAFF, regions=[world.street_a, world.other_street])


@pytest.fixture
def spread(world, cast):
    other_community = community(world.other_street, 1, "湖滨社区")
    return {
        "a1": OrganizationFactory(name="北山甲", region=world.community_a1),
        "a2": OrganizationFactory(name="北山乙", region=world.community_a2),
        "other": OrganizationFactory(name="湖滨丙", region=other_community),
        "b1": OrganizationFactory(name="灵隐丁", region=world.community_b1),
    }


def test_both_subtrees_and_nothing_else(posted_twice, spread, world, client_for):
    visible = set(Organization.objects.visible_to(posted_twice).values_list("name", flat=True))
    assert visible == {"北山甲", "北山乙", "湖滨丙"}
    regions = set(Region.objects.visible_to(posted_twice).values_list("code", flat=True))
    assert world.street_b.code not in regions and world.county.code not in regions
    assert {world.street_a.code, world.other_street.code, world.community_a1.code} <= regions
    # Records that belong to organizations follow their organization.
    for organization in spread.values():
        Activity.objects.create(organization=organization, held_on="2026-03-01", title=f"活动{organization.name}",
                                recorded_by=posted_twice)
    assert set(Activity.objects.visible_to(posted_twice).values_list("organization__name", flat=True)) == \
        {"北山甲", "北山乙", "湖滨丙"}

    client = client_for(posted_twice)
    page = client.get("/organizations/").content.decode()
    assert "北山甲" in page and "湖滨丙" in page and "灵隐丁" not in page
    api = {row["name"] for row in client.get("/api/organizations/", HTTP_ACCEPT="application/json").json()["results"]}
    assert api == {"北山甲", "北山乙", "湖滨丙"}
    exported = client.get("/organizations/?export=csv").content.decode("utf-8-sig")
    assert "北山甲" in exported and "湖滨丙" in exported and "灵隐丁" not in exported
    assert client.get(f"/organizations/{spread['other'].pk}/").status_code == 200
    assert client.get(f"/organizations/{spread['b1'].pk}/").status_code == 404
