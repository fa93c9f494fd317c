"""A reviewer drills from the district's coverage to the organizations behind a community's figures."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_drill_down_from_district_to_organization_list(known, world, cast, browser_as):
    page = browser_as(cast.reviewer)
    page.goto(f"{page.base_url}/party/")
    totals = page.get_by_test_id("coverage-totals")
    assert "5 / 14 = 35.7%" in totals.inner_text()

    page.get_by_test_id(f"drill-{world.street_a.code}").click()
    page.wait_for_url(f"**region={world.street_a.code}")
    assert "3 / 10 = 30.0%" in page.get_by_test_id("coverage-totals").inner_text()
    assert world.street_b.name not in page.get_by_test_id("coverage-table").inner_text()

    community_row = page.get_by_test_id(f"coverage-row-{world.community_a1.code}")
    assert "2 / 7 = 28.6%" in community_row.inner_text()
    community_row.get_by_test_id(f"needs-instructor-{world.community_a1.code}").click()
    page.wait_for_url("**gap=needs_instructor**")
    rows = page.get_by_test_id("party-org-row")
    assert rows.count() == 4
    listed = page.locator("#object-table").inner_text()
    assert known.a1_should.name in listed and known.a1_own.name not in listed

    page.go_back()
    page.get_by_test_id(f"drill-{world.community_a1.code}").click()
    page.wait_for_url(f"**prefix={world.community_a1.code}**")
    assert page.get_by_test_id("party-org-row").count() == 7
    page.get_by_role("link", name=known.a1_own.name).click()
    page.wait_for_url(f"**/organizations/{known.a1_own.pk}/party/")
    assert page.get_by_test_id("full-members").inner_text() == "4"
