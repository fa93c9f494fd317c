"""Each role's main journeys at a desk screen (1366×768) and a phone (390×844), in Chinese and English.

On every page: a screenshot kept as an artefact (``screenshot_dir``), no sideways scrolling, and the axe-core
audit (vendored in tests/e2e/vendor/, never served to users) reports no serious or critical WCAG 2.1 A/AA
violation.
"""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
VIEWPORTS = {"desk": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
AUDIT = """() => axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
  .then(result => result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")))"""


def journeys(world):
    """The pages each role's daily work goes through (lists, a record, a form, a case)."""
    case, org = f"/cases/{world.case.pk}/", f"/organizations/{world.org_a.pk}/"
    return {
        "street_a": ["/", "/cases/inbox/", case, "/organizations/", org, "/cases/new/filing/", "/activities/new/"],
        "community_a": ["/", "/organizations/", "/cases/new/community_record/", "/activities/"],
        "reviewer": ["/", "/cases/", case, "/audit/", "/dashboard/"],
        "leader": ["/", "/dashboard/", "/reports/", "/organizations/", "/party/"],
        "expert": ["/", "/grants/applications/"],
        "admin": ["/", "/regions/", "/audit/", "/grants/"],
    }


def open_as(browser, live_server, user, password, viewport, language):
    context = browser.new_context(locale="zh-CN", viewport=viewport, bypass_csp=True)  # bypass: to inject axe
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page


def check_page(page, url, shot, audit=True):
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    page.screenshot(path=str(shot))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{url} scrolls sideways by {overflow}px ({shot.name})"
    if not audit:
        return
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AUDIT)
    assert not violations, f"{url} ({shot.name}): {violations}"


@pytest.mark.parametrize("member", ["street_a", "community_a", "reviewer", "leader", "expert", "admin"])
def test_main_journeys_fit_and_pass_the_audit(busy_world, cast, browser, live_server, password, screenshot_dir,
                                              member):
    user = getattr(cast, member)
    for name, viewport in VIEWPORTS.items():
        context, page = open_as(browser, live_server, user, password, viewport, "zh-hans")
        try:
            for number, url in enumerate(journeys(busy_world)[member]):
                slug = url.strip("/").replace("/", "_") or "home"
                # The audit runs on every page at the desk and on the first three at phone width (time).
                check_page(page, live_server.url + url, screenshot_dir / f"{member}-{name}-zh-{slug}.png",
                           audit=name == "desk" or number < 3)
        finally:
            context.close()


def test_english_pages_are_no_wider_than_the_screen(busy_world, cast, browser, live_server, password,
                                                    screenshot_dir):
    for name, viewport in VIEWPORTS.items():
        context, page = open_as(browser, live_server, cast.street_a, password, viewport, "en")
        try:
            for url in ["/", "/organizations/", f"/cases/{busy_world.case.pk}/", "/cases/new/filing/"]:
                slug = url.strip("/").replace("/", "_") or "home"
                check_page(page, live_server.url + url, screenshot_dir / f"street_a-{name}-en-{slug}.png")
            assert page.locator("html").get_attribute("lang") == "en"
        finally:
            context.close()


def test_phone_filters_open_in_a_drawer(busy_world, cast, browser, live_server, password):
    context, page = open_as(browser, live_server, cast.street_a, password, VIEWPORTS["phone"], "zh-hans")
    try:
        page.goto(f"{live_server.url}/organizations/")
        assert not page.locator("#id_tier").is_visible()
        page.get_by_role("button", name="筛选").click()
        page.locator("#id_tier").wait_for(state="visible")
        rows = page.locator("#object-table tbody tr")
        assert rows.first.bounding_box()["width"] <= 390
        labels = rows.first.locator("td").evaluate_all("cells => cells.map(c => c.dataset.label)")
        assert "管理层级" in labels  # each card names its fields beside their values (CSS ::before)
    finally:
        context.close()
