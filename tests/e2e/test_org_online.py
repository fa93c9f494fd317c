"""The organization applies online itself, on a phone (390×844): its person in charge accepts the street's invitation,
files the group with the street (备案), is returned, corrects, gets it filed and downloads the certificate, then
submits the annual update the daily job opened for it. The street decides on its own pages, as for every case."""

import datetime as dt
import subprocess

import pytest
import time_machine

from filings.lifecycle import open_annual_reports
from filings.models import Case
from registry.choices import Tier
from tests.factories import PDF_BYTES, VALID_ID, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DOCUMENT_TYPES = ["申请表", "章程", "负责人身份证明", "活动场所证明"]
NEW_PASSWORD = "Qiao-Shou-2026!"


def no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone ({width}px)"


def step(page, testid):
    assert page.get_by_test_id(testid).count(), page.locator("main").inner_text()[:1500]
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


@pytest.fixture
def clock():
    # A leap day: the filing is decided on 29 February, the annual update opens the next January.
    with time_machine.travel(dt.datetime(2028, 2, 29, 9, 0, tzinfo=dt.UTC), tick=True) as traveller:
        yield traveller


def test_person_in_charge_files_online_on_a_phone(world, cast, browser, browser_as, live_server, tmp_path, clock):
    group = OrganizationFactory(name="宝石巧手互助队", region=world.community_a1, tier=Tier.COMMUNITY,
                                filing_number=None, ledger_number="西湖台账2027-0007", member_count=8)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF_BYTES)

    # The street, which holds the group's record, invites its person in charge.
    street = browser_as(cast.street_a)
    street.goto(f"{street.base_url}/organizations/{group.pk}/invite/")
    street.fill("#id_name", "王秀英")
    street.fill("#id_phone", "13800000000")
    step(street, "send-invitation")
    link = street.get_by_test_id("invitation-link").locator("input").input_value()

    # On her phone she accepts and lands on her organization's page.
    context = browser.new_context(locale="zh-CN", viewport=PHONE, accept_downloads=True)
    context.set_default_timeout(15_000)
    phone = context.new_page()
    phone.goto(link)
    phone.fill("#id_username", "wangxiuying")
    phone.fill("#id_password", NEW_PASSWORD)
    phone.fill("#id_password_again", NEW_PASSWORD)
    step(phone, "accept")
    assert "宝石巧手互助队" in phone.locator("main").inner_text()
    no_horizontal_scroll(phone)

    # She files the group with the street: details, the four documents, submit.
    step(phone, "apply-filing")
    no_horizontal_scroll(phone)
    phone.fill("#id_leader_id_number", VALID_ID)
    phone.fill("#id_leader_phone", "13800000000")
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存草稿").click()
    assert "已保存" in phone.locator("main").inner_text(), phone.locator("main").inner_text()
    for label in DOCUMENT_TYPES:
        phone.select_option("select[name=kind]", label=label)
        phone.set_input_files("input[name=file]", str(scan))
        step(phone, "org-upload")
    no_horizontal_scroll(phone)
    step(phone, "step-submit")
    assert phone.get_by_test_id("org-case-state").inner_text() == "已提交"
    case = Case.objects.get(organization=group, kind="filing")

    # The street returns it with a reason, on its own case page.
    street.goto(f"{street.base_url}/cases/{case.pk}/")
    street.fill("#transition-form #id_comment", "成员人数不足，请核实后补充")
    step(street, "action-return")

    # She sees why, corrects the member count and submits again.
    phone.reload()
    assert "成员人数不足，请核实后补充" in phone.get_by_test_id("return-reason").inner_text()
    step(phone, "org-case-edit")
    phone.fill("#id_member_count", "26")
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存草稿").click()
    step(phone, "step-submit")
    assert phone.get_by_test_id("org-case-state").inner_text() == "已提交"

    # The street approves; the group is filed and she downloads the certificate.
    street.goto(f"{street.base_url}/cases/{case.pk}/")
    step(street, "action-approve")
    group.refresh_from_db()
    assert group.tier == Tier.FILED and group.member_count == 26 and group.filing_number
    phone.reload()
    assert phone.get_by_test_id("org-case-state").inner_text() == "已批准"
    with phone.expect_download() as download:
        phone.get_by_test_id("org-certificate").first.click()
    path = tmp_path / "certificate.pdf"
    download.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert "宝石巧手互助队" in text and group.filing_number in text

    # Next January the daily job opens its annual update; she submits it from her page.
    clock.move_to(dt.datetime(2029, 1, 2, 9, 0, tzinfo=dt.UTC))
    assert open_annual_reports(2028) >= 1
    phone.goto(f"{live_server.url}/accounts/login/")  # ten months later the session has long ended
    phone.fill("#id_username", "wangxiuying")
    phone.fill("#id_password", NEW_PASSWORD)
    with phone.expect_navigation():
        phone.click("button[type=submit]")
    assert "年度报告" in phone.get_by_test_id("section-cases").inner_text()
    report = Case.objects.get(organization=group, kind="annual_report")
    phone.goto(f"{live_server.url}/org/cases/{report.pk}/")
    no_horizontal_scroll(phone)
    step(phone, "step-submit")
    assert phone.get_by_test_id("org-case-state").inner_text() == "已提交"
    report.refresh_from_db()
    assert report.state == "submitted" and report.submitted_by.username == "wangxiuying"
    context.close()
