"""Coverage figures are exact at every level, and the page, the API and the organization lists agree."""

import re
from decimal import Decimal

from django.urls import reverse

from partybuilding.choices import Gap
from partybuilding.coverage import coverage, coverage_by_child, in_region, should_establish, with_gap
from registry.models import Organization


def test_street_figures_are_exact(known, world, cast):
    figures = coverage(in_region(world.street_a, cast.street_a))
    assert figures["organizations"] == 10
    assert figures["with_party_organization"] == 3
    assert (figures["own"], figures["joint"]) == (2, 1)
    assert figures["work_covered"] == 5
    assert figures["should_establish"] == 2
    assert figures["needs_instructor"] == 5
    assert figures["no_party_organization"] == 7
    assert figures["not_work_covered"] == 5
    assert (figures["full_members"], figures["probationary_members"]) == (16, 3)
    assert figures["organizational_coverage"] == Decimal("30.0")
    assert figures["work_coverage"] == Decimal("50.0")


def test_district_figures_are_exact(known, world, cast):
    figures = coverage(in_region(world.county, cast.reviewer))
    assert figures["organizations"] == 14
    assert figures["with_party_organization"] == 5
    assert figures["work_covered"] == 8
    assert figures["should_establish"] == 2
    assert figures["needs_instructor"] == 6
    assert figures["organizational_coverage"] == Decimal("35.7")
    assert figures["work_coverage"] == Decimal("57.1")


def test_children_side_by_side_add_up_to_the_district(known, world, cast, django_assert_num_queries):
    assert cast.reviewer.region_prefixes  # the user's jurisdiction, loaded once per request
    # the visible children, the user's organization grants (the access rule reads them first), one grouped query
    with django_assert_num_queries(3):
        rows = coverage_by_child(world.county, cast.reviewer)
    by_prefix = {row["prefix"]: row for row in rows}
    assert list(by_prefix) == ["330106002", "330106003", "330106"]
    street_a, street_b, direct = by_prefix.values()
    assert street_a["region"] == world.street_a and direct["region"] is None
    assert (street_a["organizations"], street_a["with_party_organization"], street_a["work_covered"]) == (10, 3, 5)
    assert (street_a["organizational_coverage"], street_a["work_coverage"]) == (Decimal("30.0"), Decimal("50.0"))
    assert (street_b["organizations"], street_b["with_party_organization"], street_b["work_covered"]) == (3, 1, 2)
    assert (street_b["organizational_coverage"], street_b["work_coverage"]) == (Decimal("33.3"), Decimal("66.7"))
    assert (direct["organizations"], direct["with_party_organization"], direct["work_covered"]) == (1, 1, 1)
    assert sum(row["organizations"] for row in rows) == 14


def test_street_children_are_its_communities_and_the_street_itself(known, world, cast):
    rows = {row["prefix"]: row for row in coverage_by_child(world.street_a, cast.street_a)}
    assert list(rows) == [world.community_a1.code, world.community_a2.code, world.street_a.code]
    a1, a2, direct = rows.values()
    assert (a1["organizations"], a1["with_party_organization"], a1["work_covered"]) == (7, 2, 3)
    assert (a1["should_establish"], a1["needs_instructor"]) == (1, 4)
    assert (a1["organizational_coverage"], a1["work_coverage"]) == (Decimal("28.6"), Decimal("42.9"))
    assert (a2["organizations"], a2["should_establish"], a2["work_coverage"]) == (2, 1, Decimal("100.0"))
    assert (direct["organizations"], direct["needs_instructor"]) == (1, 1)


def test_the_figures_only_count_what_the_user_may_see(known, world, cast):
    assert coverage(in_region(world.county, cast.street_a))["organizations"] == 10
    assert coverage(in_region(world.county, cast.outsider))["organizations"] == 0
    assert coverage(in_region(world.county, cast.outsider))["organizational_coverage"] is None


def test_gap_lists_hold_exactly_the_organizations_behind_the_counts(known, world, cast):
    organizations = in_region(world.street_a, cast.street_a)
    names = {gap: set(with_gap(organizations, gap).values_list("name", flat=True)) for gap in Gap}
    assert names[Gap.SHOULD_ESTABLISH] == {known.a1_should.name, known.a2_should_with_liaison.name}
    assert names[Gap.NEEDS_INSTRUCTOR] == {known.a1_should.name, known.a1_bare.name, known.a1_expired.name,
                                           known.a1_future.name, known.a_street_filed.name}
    assert len(names[Gap.NO_ORG]) == 7
    assert known.a1_closed.name not in set().union(*names.values())


def test_should_establish_is_the_credit_flag_hook(known, world):
    flagged = should_establish(Organization.objects.all())
    assert set(flagged.values_list("pk", flat=True)) == {known.a1_should.pk, known.a2_should_with_liaison.pk}


def _figure(html, testid):
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</span>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_page_and_api_show_the_same_figures(known, world, cast, client_for):
    client = client_for(cast.reviewer)
    html = client.get(reverse("partybuilding:coverage"), {"region": world.county.code}).content.decode()
    api = client.get("/api/party/coverage/", {"region": world.county.code}).json()
    assert api["totals"]["organizations"] == 14
    assert api["totals"]["organizational_coverage"] == "35.7"
    assert _figure(html, "org-coverage-total") == "5 / 14 = 35.7%"
    assert _figure(html, "work-coverage-total") == "8 / 14 = 57.1%"
    for row in api["children"]:
        key = row["prefix"]
        assert _figure(html, f"org-coverage-{key}") == (
            f"{row['with_party_organization']} / {row['organizations']} = {row['organizational_coverage']}%")
        assert _figure(html, f"work-coverage-{key}") == (
            f"{row['work_covered']} / {row['organizations']} = {row['work_coverage']}%")
    assert [row["prefix"] for row in api["children"]] == ["330106002", "330106003", "330106"]


def test_each_count_links_to_the_organizations_behind_it(known, world, cast, client_for):
    client = client_for(cast.street_a)
    html = client.get(reverse("partybuilding:coverage")).content.decode()
    link = re.search(r'href="([^"]+)" data-testid="should-establish-total"', html).group(1)
    listed = client.get(link.replace("&amp;", "&"))
    body = listed.content.decode()
    assert known.a1_should.name in body and known.a2_should_with_liaison.name in body
    assert known.a1_bare.name not in body
    api = client.get("/api/party/organizations/", {"prefix": world.street_a.code, "gap": "needs_instructor"}).json()
    assert api["count"] == 5


def test_a_region_outside_the_jurisdiction_is_not_found(known, world, cast, client_for):
    client = client_for(cast.street_a)
    assert client.get(reverse("partybuilding:coverage"), {"region": world.county.code}).status_code == 404
    assert client.get(reverse("partybuilding:coverage"), {"region": world.street_b.code}).status_code == 404
    assert client.get("/api/party/coverage/", {"region": world.street_b.code}).status_code == 404
    assert client.get(reverse("partybuilding:coverage"), {"region": world.community_a2.code}).status_code == 200


def test_the_overview_needs_a_fixed_number_of_queries(known, world, cast, client_for,
                                                      django_assert_max_num_queries):
    client = client_for(cast.reviewer)
    client.get(reverse("partybuilding:coverage"))
    with django_assert_max_num_queries(13):  # 12, and the user's organization grants read by the access rule
        response = client.get(reverse("partybuilding:coverage"), {"region": world.county.code})
    assert response.status_code == 200


def test_party_list_page_and_export_follow_the_gap_filter(known, world, cast, client_for):
    client = client_for(cast.street_a)
    url = reverse("partybuilding:organization_list")
    page = client.get(url, {"prefix": world.community_a1.code, "gap": "no_work_coverage"}).content.decode()
    for org in (known.a1_should, known.a1_bare, known.a1_expired, known.a1_future):
        assert org.name in page
    assert known.a1_own.name not in page and known.a1_instructor.name not in page
    exported = client.get(url, {"prefix": world.community_a1.code, "gap": "no_work_coverage", "export": "csv"})
    assert exported.content.decode("utf-8-sig").count("\n") == 5  # header + 4 rows
