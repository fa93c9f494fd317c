"""Move the clock past the deadline: reminders go out, the overdue list and the abnormal flag appear, and the
zombie job lists exactly the organizations with neither report nor activity."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from filings.choices import CaseKind, CaseState
from filings.lifecycle import (
    flag_overdue_annual_reports,
    open_annual_reports,
    run_daily,
    send_annual_report_reminders,
    zombie_candidates,
)
from filings.models import Case
from filings.services import transition
from registry.choices import FlagReason, OrgStatus
from registry.models import Activity, CreditFlag, Notification, Organization, RectificationNotice
from tests.factories import OrganizationFactory, make_uscc


@pytest.fixture
def orgs(world, cast):
    cast.street_a.email = "street_a@example.gov.cn"
    cast.street_a.save()
    long_ago = timezone.now() - timedelta(days=3 * 365)
    made = {
        "registered": OrganizationFactory(name="登记甲", region=world.community_a1, tier="registered",
                                          legal_form="social_service", uscc=make_uscc(legal_form_digit="2"),
                                          filing_number=None),
        "filed": OrganizationFactory(name="备案乙", region=world.community_a1),
        "community": OrganizationFactory(name="社区丙", region=world.community_a2, tier="community",
                                         filing_number=None, ledger_number="TZ-1"),
        "active_group": OrganizationFactory(name="有活动丁", region=world.community_a2, tier="community",
                                            filing_number=None, ledger_number="TZ-2"),
        "street_b": OrganizationFactory(name="灵隐戊", region=world.community_b1),
    }
    Organization.objects.update(created_at=long_ago)
    return made


def test_year_opens_one_annual_report_per_owing_organization(orgs):
    assert open_annual_reports(2025) == 3  # registered + filed of street A, filed of street B; not community
    assert open_annual_reports(2025) == 0  # idempotent
    reports = Case.objects.filter(kind=CaseKind.ANNUAL_REPORT, period=2025)
    assert {r.organization.name for r in reports} == {"登记甲", "备案乙", "灵隐戊"}
    due = {r.organization.name: r.due_on for r in reports}
    # A registered organization's first stage (the supervising unit) and a filed one's annual update: 31 March.
    assert due["登记甲"] == date(2026, 3, 31) and due["备案乙"] == date(2026, 3, 31)


def test_clock_past_the_deadline(orgs, cast, world, settings, django_capture_on_commit_callbacks):
    open_annual_reports(2025)
    # 30 days before the filed organizations' deadline, street A's staff get one reminder (and, with an SMTP
    # server configured, an email once the job's transaction commits).
    settings.EMAIL_NOTIFICATIONS = True
    with django_capture_on_commit_callbacks(execute=True):
        assert send_annual_report_reminders(date(2026, 3, 1)) >= 1
    notes = Notification.objects.filter(user=cast.street_a)
    assert notes.count() == 1 and "2026-03-31" in notes.get().message
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["street_a@example.gov.cn"]
    assert send_annual_report_reminders(date(2026, 3, 1)) == 0  # the job may run twice; no duplicate
    assert not Notification.objects.filter(user=cast.street_b, message__contains="2026-03-31").exists() or \
        Notification.objects.filter(user=cast.street_b).count() == 1

    # The filed organizations' report is submitted by one of them on time; the other's is not.
    filed_report = Case.objects.get(organization=orgs["filed"], period=2025)
    transition(filed_report, "submit", cast.street_a)

    # Past the deadline: the overdue list and the abnormal flag appear for the one that did not report.
    past = date(2026, 4, 1)
    overdue = Case.objects.overdue(past).filter(kind=CaseKind.ANNUAL_REPORT)
    assert {c.organization.name for c in overdue} == {"灵隐戊", "登记甲"}
    # Credit flags are for registered legal persons only; the filed group gets a rectification notice.
    assert flag_overdue_annual_reports(past) == 2
    flag = CreditFlag.objects.get()
    assert flag.organization == orgs["registered"] and flag.reason == FlagReason.NO_ANNUAL_REPORT
    assert "2026-03-31" in flag.explanation
    notice = RectificationNotice.objects.get()
    assert notice.organization == orgs["street_b"] and notice.deadline > past and notice.result == "pending"
    orgs["registered"].refresh_from_db()
    assert orgs["registered"].status == OrgStatus.ABNORMAL
    assert flag_overdue_annual_reports(past) == 0  # listed once, however often the job runs
    # The overdue reports reach the street's inbox (a notification pointing to it).
    assert Notification.objects.filter(user=cast.street_b, url="/cases/inbox/", message__contains="1").exists()

    # The overdue list is a page street B's staff can open; street A's staff do not see it.
    from django.test import Client

    client = Client()
    client.force_login(cast.street_b)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda: past)
        body = client.get("/cases/?kind=annual_report&overdue=true").content.decode()
    assert "灵隐戊" in body


def test_zombie_job_lists_exactly_the_organizations_with_neither_report_nor_activity(orgs, cast):
    open_annual_reports(2025)
    transition(Case.objects.get(organization=orgs["filed"], period=2025), "submit", cast.street_a)
    Activity.objects.create(organization=orgs["active_group"], held_on=timezone.localdate() - timedelta(days=30),
                            title="重阳节慰问", recorded_by=cast.street_a)
    candidates = {o.name for o in zombie_candidates(months=24)}
    # 登记甲 and 灵隐戊 owe reports and sent none, and held no activity; 社区丙 owes none and held none.
    assert candidates == {"登记甲", "灵隐戊", "社区丙"}


def test_daily_job_marks_zombies_dormant_and_staff_decide(orgs, cast, client_for, world):
    from registry.choices import Role
    from tests.factories import UserFactory

    result = run_daily(timezone.localdate())
    assert result["dormant"] == 5
    dormant = Organization.objects.filter(status=OrgStatus.DORMANT)
    assert dormant.count() == 5
    street = client_for(cast.street_a)
    listing = street.get("/organizations/zombies/").content.decode()
    assert "社区丙" in listing and "灵隐戊" not in listing

    # A community-guided group is cleared in its community (沪民社管发〔2024〕1号 第三条), not by the street.
    target = orgs["community"]
    street.post(f"/organizations/{target.pk}/zombie/", {"decision": "clear", "reason": "连续两年无活动"})
    target.refresh_from_db()
    assert target.status == OrgStatus.DORMANT
    village = UserFactory(username="community_a2", role=Role.COMMUNITY_WORKER, regions=[world.community_a2])
    community = client_for(village)
    url = f"/organizations/{target.pk}/zombie/"
    assert community.post(url, {"decision": "clear", "reason": ""}).status_code == 200
    community.post(url, {"decision": "clear", "reason": "连续两年无活动，经核实已解散"})
    target.refresh_from_db()
    assert target.status == OrgStatus.CLEARED
    assert Organization.objects.filter(pk=target.pk).exists()  # the record stays
    assert target.history.first().history_change_reason == "连续两年无活动，经核实已解散"
    from registry.models import AuditEvent

    cleared = AuditEvent.objects.get(object_id=str(target.pk), changes__status=["dormant", "cleared"])
    assert cleared.actor == village and "解散" in cleared.detail

    # A filed group is the street's to decide.
    group = orgs["filed"]
    street.post(f"/organizations/{group.pk}/zombie/", {"decision": "reactivate", "reason": "近期开展活动"})
    group.refresh_from_db()
    assert group.status == OrgStatus.ACTIVE
    assert client_for(cast.street_b).post(f"/organizations/{group.pk}/zombie/",
                                          {"decision": "clear", "reason": "x"}).status_code == 404


def test_annual_report_result_repairs_the_flag(orgs, cast, colleague_a):
    open_annual_reports(2025)
    report = Case.objects.get(organization=orgs["filed"], period=2025)
    flag_overdue_annual_reports(date(2026, 4, 1))
    # A filed group is not listed: it gets a rectification notice, closed when the cause is repaired.
    assert not CreditFlag.objects.filter(organization=orgs["filed"]).exists()
    notice = RectificationNotice.objects.get(organization=orgs["filed"])
    assert notice.result == "pending" and notice.deadline == date(2026, 5, 1)
    report = transition(report, "submit", cast.street_a)
    report = transition(report, "approve", colleague_a)
    assert report.state == CaseState.APPROVED and report.result == "updated"
    notice.refresh_from_db()
    assert notice.result == "rectified" and notice.result_by == colleague_a
    orgs["filed"].refresh_from_db()
    assert orgs["filed"].status == OrgStatus.ACTIVE


def test_registered_annual_inspection_needs_a_result(orgs, cast, ready_case, colleague_a):
    from django.core.exceptions import PermissionDenied, ValidationError

    from filings.services import add_document
    from tests.conftest import pdf

    open_annual_reports(2025)
    report = Case.objects.get(organization=orgs["registered"], period=2025)
    with pytest.raises(ValidationError):
        transition(report, "submit", cast.street_a)  # the annual work report document is required
    add_document(cast.street_a, report, pdf("年度工作报告.pdf"), "annual_report")
    report = transition(report, "submit", cast.street_a)
    assert report.due_on == date(2026, 5, 31)  # the supervising unit passes it on to the authority by 31 May
    # Two stages: the supervising unit (recorded by the street, someone other than the submitter) first.
    with pytest.raises(PermissionDenied):
        transition(report, "approve", cast.reviewer, data={"result": "pass"})
    with pytest.raises(PermissionDenied):
        transition(report, "supervisor_review", cast.street_a)
    report = transition(report, "supervisor_review", colleague_a)
    assert report.state == CaseState.UNDER_REVIEW
    with pytest.raises(ValidationError):
        transition(report, "approve", cast.reviewer)
    report = transition(report, "approve", cast.reviewer, data={"result": "basic_pass"})
    assert report.result == "basic_pass"


def test_abnormal_for_two_years_goes_to_the_serious_list(orgs, cast):
    from registry.lifecycle import escalate_flags, raise_flag

    raise_flag(orgs["registered"], FlagReason.UNREACHABLE, "按登记住所无法联系", user=cast.reviewer,
               today=date(2024, 3, 1))
    assert escalate_flags(date(2026, 2, 28)) == 0
    assert escalate_flags(date(2026, 3, 1)) == 1
    assert CreditFlag.objects.get().listed_on == "serious"
