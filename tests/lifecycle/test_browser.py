"""In the browser: a filed group is upgraded to a registration (same record, history follows it), and its first
annual inspection goes through both stages — the supervising unit, then the registration authority's result."""

import pytest
from django.utils import timezone

from filings.choices import CaseState
from filings.lifecycle import open_annual_reports
from filings.models import Case
from registry.choices import Role
from tests.factories import PDF_BYTES, OrganizationFactory, UserFactory, make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REGISTRATION_DOCUMENTS = ["application", "charter", "leader_id", "venue", "funds", "supervisor_approval"]


def act(page, testid, comment=None):
    if comment is not None:
        page.fill("#transition-form #id_comment", comment)
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def upload(page, kinds, path):
    for kind in kinds:
        page.select_option("select[name=kind]", kind)
        page.set_input_files("input[name=file]", str(path))
        with page.expect_navigation():
            page.get_by_test_id("upload").click()


def test_upgrade_a_filed_group_and_inspect_it_in_two_stages(world, cast, browser_as, tmp_path):
    colleague = UserFactory(username="street_a2", first_name="北山街道审核人", role=Role.STREET_STAFF,
                            regions=[world.street_a])
    group = OrganizationFactory(name="宝石邻里互助会", region=world.community_a1, member_count=60)
    filing_number = group.filing_number
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF_BYTES)

    # Street staff open the upgrade from the organization's page; the form keeps its details.
    staff = browser_as(cast.street_a)
    staff.goto(f"{staff.base_url}/organizations/{group.pk}/")
    with staff.expect_navigation():
        staff.get_by_test_id("open-registration").click()
    staff.select_option("#id_legal_form", "social_service")
    staff.fill("#id_supervising_unit", "北山街道办事处")
    staff.fill("#id_startup_funds", "30000")
    staff.fill("#id_legal_representative", "王芳")
    with staff.expect_navigation():
        staff.get_by_role("button", name="保存草稿").click()
    assert "已登记" not in staff.locator("main").inner_text()
    assert "草稿" in staff.get_by_test_id("state").inner_text()
    upload(staff, REGISTRATION_DOCUMENTS, scan)
    act(staff, "action-submit")
    case_url = staff.url

    # The district bureau approves the registration with the credit code it issued.
    reviewer = browser_as(cast.reviewer)
    reviewer.goto(case_url)
    reviewer.fill("#id_uscc", make_uscc(legal_form_digit="2"))
    act(reviewer, "action-approve")
    assert "已批准" in reviewer.get_by_test_id("state").inner_text()
    group.refresh_from_db()
    assert group.tier == "registered" and group.filing_number == filing_number  # one record, history follows

    # Its annual report opens; the street submits it with the annual work report.
    open_annual_reports(timezone.localdate().year)
    report = Case.objects.get(organization=group, kind="annual_report")
    staff.goto(f"{staff.base_url}/cases/{report.pk}/")
    upload(staff, ["annual_report"], scan)
    act(staff, "action-submit")

    # Stage 1: the supervising unit's approval, recorded by a colleague of the street (not the submitter).
    staff.reload()
    assert staff.get_by_test_id("action-supervisor_review").count() == 0
    checker = browser_as(colleague)
    checker.goto(f"{checker.base_url}/cases/{report.pk}/")
    act(checker, "action-supervisor_review")
    assert Case.objects.get(pk=report.pk).state == CaseState.UNDER_REVIEW

    # Stage 2: the registration authority records the result (pass / basic pass / fail).
    reviewer.goto(f"{reviewer.base_url}/cases/{report.pk}/")
    act(reviewer, "action-approve")  # without a result: refused with a message, nothing changes
    assert Case.objects.get(pk=report.pk).state == CaseState.UNDER_REVIEW
    reviewer.select_option("#id_result", "basic_pass")
    act(reviewer, "action-approve")
    report.refresh_from_db()
    assert report.state == CaseState.APPROVED and report.result == "basic_pass"
    assert "基本合格" in reviewer.get_by_test_id("case-result").inner_text()
