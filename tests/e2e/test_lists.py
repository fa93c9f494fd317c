"""Lists as a person uses them: filter without a reload, sort, open a row, page through."""

import pytest
from playwright.sync_api import expect

from tests.factories import OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filter_sort_and_open_an_organization(world, cast, browser_as):
    for number in range(60):
        OrganizationFactory(name=f"北山互助队{number:02d}", region=world.community_a1)
    OrganizationFactory(name="葛岭村老年协会", region=world.community_a2, tier="community",
                        filing_number=None, ledger_number="TZ-E2E-1")
    OrganizationFactory(name="灵隐合唱团", region=world.community_b1)

    page = browser_as(cast.street_a)
    page.goto(f"{page.base_url}/organizations/")
    main = page.locator("main")
    assert "共61条记录" in main.inner_text()
    assert "灵隐合唱团" not in main.inner_text()

    # Filtering swaps the table in place (HTMX) and keeps the filter in the address.
    page.select_option("#id_tier", "community")
    expect(page.locator("#object-table")).to_contain_text("共1条记录")
    assert "葛岭村老年协会" in main.inner_text()
    assert "tier=community" in page.url

    # Paging keeps the page usable; the second page holds the rest.
    page.goto(f"{page.base_url}/organizations/?tier=filed")
    page.locator(".pagination a", has_text="2").first.click()
    page.wait_for_url("**page=2**")
    expect(page.locator("#object-table tbody tr")).to_have_count(10)
    assert "tier=filed" in page.url

    # A row link opens the organization's page.
    page.locator("#object-table tbody a").first.click()
    page.wait_for_load_state()
    assert "/organizations/" in page.url and page.locator("h1").inner_text().startswith("北山互助队")
    assert "1101**********002X" in main.inner_text()
