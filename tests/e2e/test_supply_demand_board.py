"""Issue 17, "done when": a community publishes a need, two organizations express interest, one is picked, an
activity is recorded against it and appears in the organization's record. The organizations work on a phone
(390×844): cards in one column, no sideways scrolling."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from guardian.shortcuts import assign_perm

from registry.choices import Role
from registry.models import OrganizationMember, User
from tests.e2e.test_journeys import AUDIT, AXE
from tests.factories import OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The clock runs from a fixed morning, so the dates typed below are always in the past of "today".
NOW = datetime(2026, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PHONE = {"width": 390, "height": 844}


def organization_user(organization, username, password):
    user = User.objects.create_user(username, password=password, role=Role.ORGANIZATION, first_name=username)
    OrganizationMember.objects.create(user=user, organization=organization, is_owner=True)
    # A transactional test before this one may have flushed and recreated the content types: the cached ids
    # would name permissions that no longer exist.
    ContentType.objects.clear_cache()
    assign_perm("registry.view_organization", user, organization)
    return user


@pytest.fixture
def phone_as(browser, live_server, password):
    contexts = []

    def open_as(user):
        context = browser.new_context(locale="zh-CN", viewport=PHONE, bypass_csp=True)  # bypass: to inject axe
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()


def fits_the_phone(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"
    page.add_script_tag(path=str(AXE))
    assert not page.evaluate(AUDIT), page.url


def express_interest(page, base, title, message):
    page.goto(f"{base}/org/board/")
    cards = page.locator('[data-testid="posting-card"]')
    assert cards.count() >= 1
    # One column at phone width: every card starts at the same left edge.
    assert len({round(cards.nth(i).bounding_box()["x"]) for i in range(cards.count())}) == 1
    fits_the_phone(page)
    page.locator(f'[data-testid="posting-card"][data-title="{title}"] a').click()
    fits_the_phone(page)
    page.fill("#id_message", message)
    page.click('[data-testid="express-interest"]')
    page.wait_for_load_state()
    assert page.locator('[data-testid="interest-state"]').get_attribute("data-state") == "pending"


def test_community_publishes_two_organizations_offer_one_is_picked_and_its_activity_is_recorded(
        world, cast, browser_as, phone_as, live_server, password, screenshot_dir):
    base = live_server.url
    helpers = OrganizationFactory(name="宝石邻里互助队", region=world.community_a1)
    OrganizationFactory(name="葛岭银龄服务社", region=world.community_a2)
    first = organization_user(helpers, "baoshi_helpers", password)
    second = organization_user(OrganizationFactory(name="玉泉助老志愿队", region=world.community_b1), "yuquan",
                               password)
    with time_machine.travel(NOW, tick=True):
        # The community worker publishes a need of its residents.
        worker = browser_as(cast.community_a)
        worker.goto(f"{base}/board/")
        worker.click('[data-testid="add"]')
        worker.select_option("#id_kind", "need")
        worker.fill("#id_title", "独居老人午餐配送")
        worker.fill("#id_description", "宝石社区 23 位独居老人需要每天送午餐。")
        worker.select_option("#id_category", label="生活服务类")
        worker.check('input[name="target_groups"] >> nth=0')
        worker.select_option("#id_region", world.community_a1.code)
        worker.fill("#id_place", "宝石社区老年食堂")
        worker.fill("#id_starts_on", "2026-10-01")
        worker.fill("#id_budget", "6000")
        worker.click('[data-testid="save"]')
        worker.wait_for_load_state()
        assert worker.locator('[data-testid="posting-state"]').get_attribute("data-state") == "open"
        posting_url = worker.url

        # Two organizations, each on a phone, find it on their board and express interest.
        one = phone_as(first)
        express_interest(one, base, "独居老人午餐配送", "我们有 12 名志愿者，每天中午可以送餐。")
        one.screenshot(path=str(screenshot_dir / "board-org-interest-phone.png"))
        two = phone_as(second)
        express_interest(two, base, "独居老人午餐配送", "我们可以每周上门三次。")

        # The community worker sees both and picks the first.
        worker.goto(posting_url)
        interests = worker.locator('[data-testid="interest"]')
        assert interests.count() == 2
        worker.locator('[data-testid="interest"][data-organization="宝石邻里互助队"] [data-testid="pick"]').click()
        worker.wait_for_load_state()
        assert worker.locator('[data-testid="posting-state"]').get_attribute("data-state") == "matched"

        # The picked organization records the activity it held, on its phone.
        one.goto(f"{base}/org/board/")
        one.click('[data-testid="my-interest"]')
        assert one.locator('[data-testid="interest-state"]').get_attribute("data-state") == "picked"
        one.click('[data-testid="record-activity"]')
        fits_the_phone(one)
        one.fill("#id_held_on", "2026-10-14")
        one.fill("#id_title", "第一周午餐配送")
        one.fill("#id_participants", "8")
        one.fill("#id_beneficiaries", "23")
        one.click('[data-testid="save"]')
        one.wait_for_load_state()

        # It appears in the organization's record: its own page, and the staff's page of the organization.
        one.goto(f"{base}/org/")
        section = one.locator('[data-testid="section-board"]')
        assert "第一周午餐配送" in section.inner_text() and "独居老人午餐配送" in section.inner_text()
        fits_the_phone(one)
        one.screenshot(path=str(screenshot_dir / "board-org-home-phone.png"))
        worker.goto(f"{base}/organizations/{helpers.pk}/")
        assert "第一周午餐配送" in worker.content()
        worker.goto(posting_url)
        assert "第一周午餐配送" in worker.locator('[data-testid="pairing-activities"]').inner_text()

        # The other organization learns it was not picked and never sees the first one's message.
        two.goto(f"{base}/org/board/")
        two.click('[data-testid="my-interest"]')
        assert two.locator('[data-testid="interest-state"]').get_attribute("data-state") == "not_picked"
        assert "12 名志愿者" not in two.content() and "宝石邻里互助队" not in two.content()
