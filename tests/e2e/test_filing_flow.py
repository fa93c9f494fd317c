"""Street staff file a group, a colleague returns it with a reason, it is corrected, resubmitted and approved,
and the filing certificate downloads with the organization's name and number."""

import subprocess

import pytest

from filings.models import Case
from registry.choices import Role
from tests.factories import PDF_BYTES, VALID_ID, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCUMENT_TYPES = ["申请表", "章程", "负责人身份证明", "活动场所证明"]


def act(page, testid, comment=None):
    if comment is not None:
        page.fill("#transition-form #id_comment", comment)
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def test_filing_is_returned_corrected_and_approved(world, cast, browser_as, tmp_path):
    colleague = UserFactory(username="street_a2", first_name="北山街道审核人", role=Role.STREET_STAFF,
                            regions=[world.street_a])
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF_BYTES)

    # Street staff create the filing and upload its documents.
    staff = browser_as(cast.street_a)
    staff.goto(f"{staff.base_url}/cases/new/filing/")
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
    assert "草稿" in staff.locator("main").inner_text()
    for label in DOCUMENT_TYPES:
        staff.select_option("select[name=kind]", label=label)
        staff.set_input_files("input[name=file]", str(scan))
        with staff.expect_navigation():
            staff.get_by_role("button", name="上传").click()
    act(staff, "action-submit")
    assert "已提交" in staff.locator("main").inner_text()
    case_url = staff.url

    # A colleague with the right to decide returns it with a reason.
    reviewer = browser_as(colleague)
    reviewer.goto(f"{reviewer.base_url}/cases/inbox/")
    assert "夕阳红互助队" in reviewer.locator("main").inner_text()
    reviewer.goto(case_url)
    act(reviewer, "action-return", comment="成员人数不足，请核实后补充")
    assert "退回修改" in reviewer.locator("main").inner_text()

    # Street staff see the reason, correct the member count and resubmit.
    staff.goto(case_url)
    assert "成员人数不足，请核实后补充" in staff.locator("main").inner_text()
    with staff.expect_navigation():
        staff.get_by_role("link", name="编辑").click()
    staff.fill("#id_member_count", "26")
    with staff.expect_navigation():
        staff.get_by_role("button", name="保存草稿").click()
    act(staff, "action-submit")

    # The colleague approves; the certificate downloads and names the organization and its number.
    reviewer.goto(case_url)
    act(reviewer, "action-approve")
    assert "已批准" in reviewer.locator("main").inner_text()
    organization = Case.objects.get(title="夕阳红互助队").organization
    assert organization.member_count == 26
    with reviewer.expect_download() as download:
        reviewer.get_by_test_id("certificate-pdf").click()
    path = tmp_path / "certificate.pdf"
    download.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert "夕阳红互助队" in text
    assert organization.filing_number in text
