"""The correction loop in a browser, at a desk screen and on a phone (issue 15 item 4): street staff file a group,
a colleague returns it with a reason and a returned document, the staff replace the document and resubmit, the
colleague sees the changed fields and documents and approves; notifications are counted in the header and read.
Every page of the loop fits the screen and passes the axe audit (no serious or critical violation)."""

import pytest

from filings.models import Case, Document
from registry.choices import Role
from registry.models import Notification
from tests.e2e.test_journeys import VIEWPORTS, check_page, open_as
from tests.factories import PDF_BYTES, VALID_ID, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCUMENT_TYPES = ["申请表", "章程", "负责人身份证明", "活动场所证明"]


def act(page, testid, comment=None):
    if comment is not None:
        page.fill("#transition-form #id_comment", comment)
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def unread(page):
    badge = page.get_by_test_id("unread-count")
    return int(badge.inner_text().split()[0]) if badge.count() else 0


@pytest.mark.parametrize("screen", ["desk", "phone"])
def test_return_replace_resubmit_and_approve(world, cast, browser, live_server, password, screenshot_dir, tmp_path,
                                            screen):
    colleague = UserFactory(username="street_a2", first_name="北山街道审核人", role=Role.STREET_STAFF,
                            regions=[world.street_a])
    scan, signed = tmp_path / "章程.pdf", tmp_path / "章程-已签字.pdf"
    scan.write_bytes(PDF_BYTES)
    signed.write_bytes(PDF_BYTES + b"%signed")
    viewport = VIEWPORTS[screen]
    shots = iter(range(100))

    def check(page, name):
        check_page(page, page.url, screenshot_dir / f"correction-{screen}-{next(shots):02d}-{name}.png")

    staff_context, staff = open_as(browser, live_server, cast.street_a, password, viewport, "zh-hans")
    reviewer_context, reviewer = open_as(browser, live_server, colleague, password, viewport, "zh-hans")
    try:
        # Street staff file the group: the form does not ask them for the credit code.
        staff.goto(f"{live_server.url}/cases/new/filing/")
        assert staff.locator("#id_uscc").count() == 0
        staff.fill("#id_name", "夕阳红互助队")
        staff.select_option("#id_region", world.community_a1.code)
        staff.select_option("#id_category", label="居民互助类")
        staff.get_by_label("妇女").check()
        staff.fill("#id_leader_name", "张桂英")
        staff.fill("#id_leader_id_number", VALID_ID)
        staff.fill("#id_leader_phone", "13812345678")
        staff.fill("#id_member_count", "8")
        staff.fill("#id_venue", "宝石社区活动室")
        with staff.expect_navigation():
            staff.get_by_role("button", name="保存草稿").click()
        for label in DOCUMENT_TYPES:
            staff.select_option("select[name=kind]", label=label)
            staff.set_input_files("input[name=file]", str(scan))
            with staff.expect_navigation():
                staff.get_by_test_id("upload").click()
        act(staff, "action-submit")
        case_url = staff.url
        case = Case.objects.get(title="夕阳红互助队")
        check(staff, "submitted")

        # The colleague is told (header count), opens the notification, returns the case and the charter.
        reviewer.goto(f"{live_server.url}/")
        assert unread(reviewer) == 1
        with reviewer.expect_navigation():
            reviewer.get_by_test_id("notifications-link").click()
        check(reviewer, "notifications")
        with reviewer.expect_navigation():
            reviewer.get_by_test_id("open-notification").first.click()
        assert reviewer.url == case_url and unread(reviewer) == 0
        charter = Document.objects.get(case=case, kind="charter")
        check(reviewer, "return-form")  # (reloads the page: before ticking)
        reviewer.check(f"#reject-{charter.pk}")
        act(reviewer, "action-return", comment="章程缺少负责人签字；成员人数请核实")
        assert "退回修改" in reviewer.locator("main").inner_text()

        # Street staff see the reason and the returned charter, replace it, correct the count and resubmit.
        staff.goto(f"{live_server.url}/")
        assert unread(staff) == 1
        staff.goto(case_url)
        main = staff.locator("main").inner_text()
        assert "章程缺少负责人签字" in main and "已退回：请替换" in main
        check(staff, "returned")
        staff.set_input_files(f"#replace-{charter.pk}", str(signed))
        with staff.expect_navigation():
            staff.get_by_test_id(f"replace-{charter.pk}").click()
        with staff.expect_navigation():
            staff.get_by_test_id("edit-case").click()
        staff.fill("#id_member_count", "26")
        with staff.expect_navigation():
            staff.get_by_role("button", name="保存草稿").click()
        act(staff, "action-submit")
        assert "已提交" in staff.locator("main").inner_text()

        # The colleague sees what changed since the return, the old charter in the history, and approves.
        reviewer.goto(case_url)
        changes = reviewer.get_by_test_id("changes-since-return").inner_text()
        assert "成员" in changes and "8" in changes and "26" in changes
        assert "章程-已签字.pdf" in changes and "章程.pdf" in changes
        history = reviewer.get_by_test_id("document-history")
        assert "章程.pdf" in history.inner_text()
        check(reviewer, "resubmitted")
        act(reviewer, "action-approve")
        assert "已批准" in reviewer.locator("main").inner_text()

        # The decision reaches the staff; reading all clears the count.
        staff.goto(f"{live_server.url}/notifications/")
        assert unread(staff) == 2  # returned, then decided
        check(staff, "staff-notifications")
        with staff.expect_navigation():
            staff.get_by_test_id("mark-all-read").click()
        assert unread(staff) == 0
        assert not Notification.objects.filter(user=cast.street_a, read_at__isnull=True).exists()
    finally:
        staff_context.close()
        reviewer_context.close()
