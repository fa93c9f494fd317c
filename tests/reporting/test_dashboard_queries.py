"""Query budgets of the dashboards (issue 12, "live at province scale"): a page's query count is fixed, whatever
the size of the province, so an N+1 (a query per indicator, per target, per child) fails here before a benchmark
sees it. The budgets are upper bounds on the pages as a leader and a street worker load them, with the Ministry's
preset adopted (its density targets' deadline has passed, so the page also judges them as of that day)."""

import os
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.choices import Role
from reporting.targets import adopt_preset
from tests.factories import UserFactory

# Queries per request, session and user included.
PROVINCE_LIVE, PROVINCE_AS_OF, STREET = 23, 24, 23


@pytest.fixture
def leader(district):
    adopt_preset(district.province, "mca-2017")
    return UserFactory(username="province_leader", role=Role.LEADER, regions=[district.province])


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    if os.environ.get("SHOW_QUERIES"):  # SHOW_QUERIES=1 pytest -s …: what the page asks, in order
        for n, query in enumerate(captured.captured_queries, start=1):
            print(n, query["sql"][:300])
    return len(captured)


def test_the_province_dashboard_keeps_its_query_budget(district, leader, client_for):
    assert queries_of(client_for(leader), f"/dashboard/?region={district.province.code}") <= PROVINCE_LIVE


def test_the_province_dashboard_a_year_back_keeps_its_query_budget(district, leader, client_for):
    url = f"/dashboard/?region={district.province.code}&as_of={date(2025, 11, 21).isoformat()}"
    assert queries_of(client_for(leader), url) <= PROVINCE_AS_OF


def test_the_street_dashboard_keeps_its_query_budget(district, leader, cast, client_for):
    assert queries_of(client_for(cast.street_a), f"/dashboard/?region={district.street_a.code}") <= STREET
