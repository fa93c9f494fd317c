"""The lifecycles the policies name, through the page and the API: revocation (撤销), leadership change (换届), the
organization's own filing limits, an annual report beside other cases, and separation of duties."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from filings.choices import CaseState, CertificateKind
from filings.lifecycle import flag_overdue_annual_reports, open_annual_reports
from filings.models import Case
from filings.services import create_case, transition, update_payload
from registry.choices import OrgStatus, Role
from registry.models import Activity, Notification
from tests.factories import PDF_BYTES, OrganizationFactory, UserFactory, make_uscc

MIDYEAR = date(2026, 7, 1)  # past 31 May: the 2025 inspection is closed, so 2024 and 2025 are judged


@pytest.fixture
def reviewer_2(world):
    return UserFactory(username="reviewer_2", role=Role.DISTRICT_REVIEWER, regions=[world.county])


@pytest.fixture
def registered(world):
    return OrganizationFactory(name="北山公益服务中心", region=world.community_a1, tier="registered",
                               legal_form="social_service", uscc=make_uscc(legal_form_digit="2"), filing_number=None,
                               supervising_unit="北山街道办事处", registered_on=date(2020, 5, 1))


@pytest.fixture
def filed(world):
    return OrganizationFactory(name="北山读书会", region=world.community_a1, filed_on=date(2021, 3, 1))


def _pdf(name):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _clock(day):
    return time_machine.travel(timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 10)), tick=False)


# ------------------------------------------------------------------------------------------------ revocation

def test_revocation_end_to_end_on_the_page(registered, cast, reviewer_2, client_for):
    with _clock(MIDYEAR):
        proposer = client_for(cast.reviewer)
        response = proposer.post(f"/cases/new/revocation/?organization={registered.pk}",
                                 {"ground": "inspection", "facts": "2024、2025年度均未参加年检"})
        assert response.status_code == 302, response.content.decode()[:3000]
        case = Case.objects.get(kind="revocation")
        proposer.post(f"/cases/{case.pk}/documents/", {"kind": "evidence", "file": _pdf("年检记录.pdf")})
        proposer.post(f"/cases/{case.pk}/act/", {"action": "submit", "version": 0})
        case.refresh_from_db()
        assert case.state == CaseState.SUBMITTED
        # The proposer may not decide; a second reviewer of the registration authority does.
        proposer.post(f"/cases/{case.pk}/act/", {"action": "approve", "version": case.version})
        assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED
        assert client_for(cast.street_a).post(f"/cases/{case.pk}/act/", {"action": "approve"}).status_code == 302
        assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED
        client_for(reviewer_2).post(f"/cases/{case.pk}/act/", {"action": "approve", "version": case.version,
                                                                "comment": "依法撤销登记"})
    case.refresh_from_db()
    registered.refresh_from_db()
    assert case.state == CaseState.APPROVED and registered.status == OrgStatus.REVOKED
    assert case.certificates.get().kind == CertificateKind.REVOCATION_DECISION
    # The record stays; the public lookup no longer calls its certificate valid.
    from django.core.cache import cache

    cache.clear()
    body = client_for(cast.street_a).get(f"/lookup/?q={registered.uscc}").content.decode()
    assert "北山公益服务中心" in body and 'data-testid="valid"' not in body


def test_revocation_through_the_api_and_a_ground_that_does_not_hold(filed, cast, colleague_a, client_for):
    with _clock(MIDYEAR):
        Activity.objects.create(organization=filed, held_on=MIDYEAR - timedelta(days=10), title="读书分享",
                                recorded_by=cast.street_a)
        api = client_for(cast.street_a)
        refused = api.post("/api/cases/", {"kind": "revocation", "organization": filed.pk,
                                           "payload": {"ground": "inactive", "facts": "不活动"}},
                           content_type="application/json")
        assert refused.status_code == 400 and "ground" in refused.json()["payload"]
        # Its annual reports for 2024 and 2025 were never made: that ground holds.
        created = api.post("/api/cases/", {"kind": "revocation", "organization": filed.pk,
                                           "payload": {"ground": "inspection", "facts": "连续两年未报送年度报告"}},
                           content_type="application/json")
        assert created.status_code == 201, created.content
        case_id = created.json()["id"]
        api.post("/api/documents/", {"case": case_id, "kind": "evidence", "file": _pdf("证明.pdf")})
        assert api.post(f"/api/cases/{case_id}/transition/", {"action": "submit"},
                        content_type="application/json").status_code == 200
        # A filed group's revocation is the street's decision, by someone other than the proposer.
        assert api.post(f"/api/cases/{case_id}/transition/", {"action": "approve"},
                        content_type="application/json").status_code == 403
        done = client_for(colleague_a).post(f"/api/cases/{case_id}/transition/", {"action": "approve"},
                                            content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "approved"
    filed.refresh_from_db()
    assert filed.status == OrgStatus.REVOKED


# ------------------------------------------------------------------------------------------------ 换届

def test_leadership_change_on_the_page_records_the_new_term(registered, cast, client_for):
    client = client_for(cast.street_a)
    response = client.post(f"/cases/new/leadership_change/?organization={registered.pk}", {
        "elected_on": "2024-02-29", "leader_name": "赵新", "legal_representative": "赵新", "term_years": 5})
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(kind="leadership_change")
    for kind in ("resolution", "election_record"):
        client.post(f"/cases/{case.pk}/documents/", {"kind": kind, "file": _pdf(f"{kind}.pdf")})
    client.post(f"/cases/{case.pk}/act/", {"action": "submit"})
    client_for(cast.reviewer).post(f"/cases/{case.pk}/act/", {"action": "approve"})
    registered.refresh_from_db()
    # Five years from 29 February 2024 is 28 February 2029 (the calendar's rule).
    assert (registered.leader_name, registered.legal_representative) == ("赵新", "赵新")
    assert registered.term_ends_on == date(2029, 2, 28)
    assert registered.history.first().history_user == cast.reviewer


def test_leadership_change_through_the_api(filed, cast, colleague_a, client_for):
    api = client_for(cast.street_a)
    created = api.post("/api/cases/", {"kind": "leadership_change", "organization": filed.pk, "payload": {
        "elected_on": "2026-06-30", "leader_name": "钱立", "term_years": 3, "term_ends_on": "2029-06-29"}},
        content_type="application/json")
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    for kind in ("resolution", "election_record"):
        api.post("/api/documents/", {"case": case_id, "kind": kind, "file": _pdf(f"{kind}.pdf")})
    api.post(f"/api/cases/{case_id}/transition/", {"action": "submit"}, content_type="application/json")
    done = client_for(colleague_a).post(f"/api/cases/{case_id}/transition/", {"action": "approve"},
                                        content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "approved"
    filed.refresh_from_db()
    assert filed.leader_name == "钱立" and filed.term_ends_on == date(2029, 6, 29)


# ------------------------------------------------------------------------------------------------ dead ends

def test_open_annual_report_draft_does_not_block_change_or_deregistration(filed, cast, client_for):
    open_annual_reports(2025)
    assert Case.objects.get(organization=filed, kind="annual_report").state == CaseState.DRAFT
    response = client_for(cast.street_a).post(f"/cases/new/deregistration/?organization={filed.pk}", {
        "reason": "成员解散", "resolution_on": "2026-11-01", "liquidation_ended_on": "2026-11-10"})
    assert response.status_code == 302
    assert Case.objects.filter(organization=filed, kind="deregistration").exists()


def test_bad_organization_parameter_is_a_bad_request(cast, client_for, world):
    assert client_for(cast.street_a).get("/cases/new/change/?organization=abc").status_code == 400


def test_upgrade_of_a_filed_group_opens_a_registration_case(filed, cast, client_for):
    client = client_for(cast.street_a)
    assert client.get(f"/cases/new/registration/?organization={filed.pk}").status_code == 200
    response = client.post(f"/cases/new/registration/?organization={filed.pk}", {
        "name": filed.name, "region": filed.region_id, "category": filed.category_id, "leader_name": "王芳",
        "member_count": 60, "legal_form": "social_service", "supervising_unit": "北山街道办事处",
        "startup_funds": "30000", "legal_representative": "王芳"})
    assert response.status_code == 302, response.content.decode()[:3000]
    filed.refresh_from_db()
    assert filed.tier == "filed" and Case.objects.get(kind="registration").organization == filed


# ------------------------------------------------------------------------------------------------ deadlines

def test_change_is_overdue_30_days_after_the_supervising_units_approval(registered, cast, client_for):
    today = timezone.localdate()
    client = client_for(cast.street_a)
    form = {"name": registered.name, "region": registered.region_id, "category": registered.category_id,
            "leader_name": "王芳", "member_count": 20, "legal_form": "social_service",
            "supervising_unit": "北山街道办事处", "startup_funds": "30000", "legal_representative": "王芳",
            "uscc": registered.uscc, "supervisor_approved_on": (today - timedelta(days=31)).isoformat()}
    assert client.post(f"/cases/new/change/?organization={registered.pk}", form).status_code == 302
    case = Case.objects.get(kind="change")
    assert case.filing_due_on == today - timedelta(days=1) and case.filing_overdue
    assert 'data-testid="filing-overdue"' in client.get(f"/cases/{case.pk}/").content.decode()
    assert client.get(f"/api/cases/{case.pk}/").json()["filing_overdue"] is True
    # Approved 30 days ago: today is the last day, not overdue.
    update_payload(cast.street_a, case, {**case.payload, "supervisor_approved_on":
                                         (today - timedelta(days=30)).isoformat()})
    case.refresh_from_db()
    assert case.filing_due_on == today and not case.filing_overdue


def test_deregistration_is_due_15_days_after_liquidation(filed, cast):
    case = create_case(cast.street_a, "deregistration", {"reason": "解散", "resolution_on": "2026-10-01",
                                                          "liquidation_ended_on": "2026-10-20"}, organization=filed)
    assert case.filing_due_on == date(2026, 11, 4)


# ------------------------------------------------------------------------------------------------ duties, on time

def test_whoever_edited_a_case_may_not_decide_it(world, cast, colleague_a, ready_case):
    from django.core.exceptions import PermissionDenied

    from tests.factories import org_payload

    case = ready_case(cast.street_a, "filing", org_payload(world.community_a1))
    update_payload(colleague_a, case, {**case.payload, "member_count": 30})  # the colleague edited it
    case = transition(case, "submit", cast.street_a)
    with pytest.raises(PermissionDenied):
        transition(case, "approve", colleague_a)
    third = UserFactory(username="street_a3", role=Role.STREET_STAFF, regions=[world.street_a])
    assert transition(case, "approve", third).state == CaseState.APPROVED


def test_annual_report_submitted_on_the_due_date_is_on_time(filed, cast):
    open_annual_reports(2025)
    report = Case.objects.get(organization=filed, period=2025)
    assert report.due_on == date(2026, 3, 31)
    with _clock(date(2026, 3, 31)):
        transition(report, "submit", cast.street_a)
        assert not Case.objects.get(pk=report.pk).is_overdue
    assert flag_overdue_annual_reports(date(2026, 4, 1)) == 0
    assert not Case.objects.overdue(date(2026, 4, 1)).filter(pk=report.pk).exists()
    assert not Notification.objects.filter(key__startswith="annual-overdue").exists()


def test_bad_year_on_the_yearly_reports_is_a_bad_request(cast, client_for, world):
    client = client_for(cast.reviewer)
    assert client.get("/reports/?year=abc").status_code == 400
    assert client.get("/reports/?year=2025").status_code == 200
