"""The leader picks an "as of" day on the dashboard and drills from the county figure down to a community's rows;
the count of rows equals the figure at every step."""

from datetime import date

import pytest
from simple_history.utils import bulk_create_with_history

from registry.models import Organization, Term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_picks_a_day_and_drills_to_a_communitys_rows(world, cast, browser_as):
    category = Term.objects.get(vocabulary="category", code="mutual_aid")
    # Imported today, filed in 2024 and 2025: they exist from their filing dates. A group recorded today does not
    # exist on the day the leader picks.
    bulk_create_with_history([
        Organization(name=f"老组织{n}", tier="filed", category=category, region=world.community_b1, leader_name="王",
                     filed_on=date(2024 + n % 2, 3, 1), filing_number=f"B{n}") for n in range(3)], Organization)
    Organization.objects.create(name="新小组", tier="community", category=category, region=world.community_b1,
                                leader_name="李", ledger_number="L-new")
    page = browser_as(cast.leader)
    page.goto(f"{page.base_url}/dashboard/?region=330106")
    assert page.locator("[data-indicator=organizations] td").nth(1).inner_text().strip() == "4"
    page.fill("#as-of", "2024-12-31")
    page.get_by_test_id("as-of-form").get_by_role("button").click()
    page.wait_for_load_state()
    assert "2024-12-31" in page.get_by_test_id("freshness").inner_text()
    county_figure = page.locator("[data-indicator=organizations] td").nth(1).inner_text().strip()
    assert county_figure == "2"  # the two filed in March 2024

    page.get_by_test_id("child-330106003").click()
    page.wait_for_load_state()
    assert "as_of=2024-12-31" in page.url
    assert page.locator("[data-indicator=organizations] td").nth(1).inner_text().strip() == "2"
    page.get_by_test_id("child-330106003001").click()
    page.wait_for_load_state()
    community_figure = page.locator("[data-indicator=organizations] td").nth(1).inner_text().strip()
    assert community_figure == county_figure
    page.locator("[data-indicator=organizations] a").first.click()
    page.wait_for_load_state()
    assert "as_of=2024-12-31" in page.url
    assert page.get_by_test_id("rows-total").inner_text() == community_figure
    rows = page.get_by_test_id("figure-rows").locator("tbody tr")
    assert rows.count() == int(community_figure)
    assert "新小组" not in page.get_by_test_id("figure-rows").inner_text()
