"""Drill from the district dashboard down to a community's organization list."""

import pytest

from reporting.targets import adopt_preset
from tests.reporting.conftest import district  # noqa: F401 - the fixture district with known counts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_drill_from_district_to_a_communitys_organizations(district, cast, browser_as):  # noqa: F811
    adopt_preset("330106", "mca-2017")
    page = browser_as(cast.reviewer)
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{page.base_url}/dashboard/?region=330106")
    page.wait_for_selector("#children-chart canvas")  # ECharts drew under the Content-Security-Policy
    row = page.locator("[data-indicator=orgs_per_urban_community]")
    assert "10.8" in row.inner_text()
    page.get_by_test_id("child-330106003").click()
    page.wait_for_load_state()
    assert "灵隐街道" in page.locator("h1").inner_text()
    page.locator("[data-indicator=rural_communities_below_target] a").click()
    page.wait_for_load_state()
    table = page.get_by_test_id("figure-rows")
    assert "灵隐203村" in table.inner_text() and "灵隐201村" not in table.inner_text()
    table.get_by_role("link", name="灵隐203村").click()
    page.wait_for_load_state()
    assert "region=330106003203" in page.url
    page.goto(f"{page.base_url}/dashboard/?region=330106003001")
    page.get_by_test_id("community-orgs").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("rows-total").inner_text() == "10"
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
