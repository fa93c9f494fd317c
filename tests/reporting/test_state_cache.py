"""The dashboard's figures are worked out once per state of the database (reporting/state_cache.py) and are never
older than the data: any commit between two visits gives the second visit fresh figures, in its own language and
for its own user's children. Transactional tests: the figures are remembered only outside a transaction, as the
pages read them in production.

Known answers from the fixture district (tests/reporting/conftest.py): 12 urban communities with 130
organizations, 9 rural ones with 40. Each figure checked here is counted again in the test from DOMAIN.md §3:
open organizations (of every tier, the default) in residents' committees of the district, per such community.
"""

import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from registry.choices import CLOSED_STATUSES, CommitteeType, RegionLevel
from registry.models import Organization, Region, Term
from reporting import state_cache
from reporting.dashboard import figures
from reporting.targets import adopt_preset

pytestmark = pytest.mark.django_db(transaction=True)

URBAN = "orgs_per_urban_community"


@pytest.fixture(autouse=True)
def _empty_cache():
    state_cache.forget()
    yield
    state_cache.forget()


def urban_counted(county):
    """(organizations, communities): open organizations in the county's residents' committees, and those."""
    communities = Region.objects.filter(code__startswith=county.prefix, level=RegionLevel.COMMUNITY,
                                        committee_type=CommitteeType.RESIDENTS, is_active=True)
    organizations = Organization.objects.filter(region__in=communities).exclude(status__in=CLOSED_STATUSES)
    return organizations.count(), communities.count()


def urban_figure(client, county):
    body = client.get("/api/dashboard/", {"region": county.code}).json()
    row = next(row for row in body["indicators"] if row["id"] == URBAN)
    return int(Decimal(row["numerator"])), int(Decimal(row["denominator"]))


def page(client, county, **query):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/dashboard/", {"region": county.code, **query})
    assert response.status_code == 200
    html = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r'\1"-"', response.content.decode())
    return html, len(captured)


def test_a_second_visit_with_nothing_written_shows_the_same_page_from_fewer_queries(district, cast, client_for):
    client = client_for(cast.leader)
    page(client, district.county)  # the first visit pushes the new session's expiry back: a commit
    first, first_queries = page(client, district.county)
    second, second_queries = page(client, district.county)
    assert second == first
    assert second_queries <= first_queries - 10  # the figures' dozen reads are not made again
    assert urban_figure(client, district.county) == urban_counted(district.county) == (130, 12)


def test_an_organization_saved_between_two_visits_counts_on_the_second(district, cast, client_for):
    client = client_for(cast.leader)
    assert urban_figure(client, district.county) == (130, 12)
    place = Region.objects.get(code__startswith=district.street_a.prefix, level=RegionLevel.COMMUNITY,
                               committee_type=CommitteeType.RESIDENTS, name__endswith="1社区")
    Organization.objects.create(name="新成立的互助会", tier="community", region=place, leader_name="李明",
                                category=Term.objects.get(vocabulary="category", code="mutual_aid"))
    assert urban_figure(client, district.county) == urban_counted(district.county) == (131, 12)
    # And a community becoming rural moves its organizations out of the urban figure at once.
    place.committee_type = CommitteeType.VILLAGERS
    place.save()
    assert urban_figure(client, district.county) == urban_counted(district.county) == (118, 11)


def test_a_target_set_on_its_page_shows_on_the_next_dashboard(district, cast, client_for):
    leader, reviewer = client_for(cast.leader), client_for(cast.reviewer)
    before, _queries = page(leader, district.county)
    assert "民发〔2017〕191号" not in before
    response = reviewer.post("/targets/", {"action": "adopt", "region": district.county.code, "preset": "mca-2017"})
    assert response.status_code == 302
    after, _queries = page(leader, district.county)
    assert "民发〔2017〕191号" in after


def test_each_language_gets_its_own_figures(district, cast, client_for):
    adopt_preset(district.county, "mca-2017")  # judged notes are text: "Deadline passed: judged on the figure …"
    client = client_for(cast.leader)
    page(client, district.county)  # the session's first push back (a commit), so both visits read one state
    chinese, _queries = page(client, district.county)
    client.cookies["django_language"] = "en"
    english, _queries = page(client, district.county)
    assert "城市社区平均社会组织数" in chinese and "Organizations per urban community" not in chinese
    assert "Organizations per urban community" in english and "城市社区平均社会组织数" not in english
    assert "Deadline passed" in english and "Deadline passed" not in chinese


def test_each_user_gets_the_children_they_see(district, cast, client_for):
    county = client_for(cast.leader).get("/api/dashboard/", {"region": district.county.code}).json()
    assert {child["code"] for child in county["children"]} == {district.street_a.code, district.street_b.code}
    # The figures of one region for a user who sees only one of its children (the page would not let them open
    # the county; the shared figures must still not hand them the leader's scorecard).
    assert [row["region"].code for row in figures(district.county, cast.leader)["children"]] == [
        district.street_a.code, district.street_b.code]
    assert [row["region"].code for row in figures(district.county, cast.street_a)["children"]] == [
        district.street_a.code]


def test_inside_a_transaction_nothing_is_remembered(district, cast):
    with transaction.atomic():
        assert state_cache.database_state(Organization) is None
        figures(district.county, cast.leader)
        figures(district.county, cast.leader)
    assert not state_cache._entries
    assert state_cache.database_state(Organization) is not None
