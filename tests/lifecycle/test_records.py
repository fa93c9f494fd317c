import io

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse

from registry.choices import JobStatus, OrgStatus
from registry.models import Activity, CreditFlag, EvaluationGrade, Job, Organization
from tests.factories import VALID_ID, OrganizationFactory, make_uscc


@pytest.fixture
def org_a(world):
    return OrganizationFactory(name="北山读书会", region=world.community_a1)


@pytest.fixture
def org_b(world):
    return OrganizationFactory(name="灵隐合唱团", region=world.community_b1)


def test_recording_an_activity_moves_the_last_activity_date(org_a, cast, client_for):
    response = client_for(cast.community_a).post(reverse("registry:activity_create"), {
        "organization": org_a.pk, "held_on": "2026-10-29", "title": "重阳节敬老活动", "participants": 40})
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert str(org_a.last_activity_on) == "2026-10-29"


def test_activity_form_offers_only_visible_organizations(org_a, org_b, cast, client_for):
    client = client_for(cast.street_a)
    body = client.get(reverse("registry:activity_create")).content.decode()
    assert "灵隐合唱团" not in body and "data-org-picker" in body  # offered through the scoped search
    found = client.get(reverse("registry:organization_search"), {"q": "", "open": "1"}).content.decode()
    assert "北山读书会" in found and "灵隐合唱团" not in found
    client.post(reverse("registry:activity_create"), {"organization": org_b.pk, "held_on": "2026-10-01",
                                                      "title": "越界"})
    assert not Activity.objects.exists()


def test_grade_is_valid_five_years_and_shows_on_the_organization(org_a, cast, client_for):
    client_for(cast.reviewer).post(reverse("registry:grade_create"), {
        "organization": org_a.pk, "grade": "4A", "awarded_on": "2026-06-01", "evaluator": "第三方评估机构"})
    grade = EvaluationGrade.objects.get()
    assert str(grade.valid_until) == "2031-05-31"
    org_a.refresh_from_db()
    assert (org_a.grade, str(org_a.grade_valid_until)) == ("4A", "2031-05-31")


def test_leader_cannot_record(org_a, cast, client_for):
    assert client_for(cast.leader).get(reverse("registry:activity_create")).status_code == 403


@pytest.fixture
def registered_a(world):
    return OrganizationFactory(name="北山公益服务中心", region=world.community_a1, tier="registered",
                               legal_form="social_service", uscc=make_uscc(legal_form_digit="2"), filing_number=None)


def test_flag_and_repair_with_reasons(registered_a, cast, client_for):
    org_a = registered_a
    # The district bureau lists a registered legal person; the street may not.
    assert client_for(cast.street_a).post(reverse("registry:organization_flag", args=[org_a.pk]), {
        "reason": "unreachable", "explanation": "x"}).status_code == 403
    assert not CreditFlag.objects.exists()
    client = client_for(cast.reviewer)
    client.post(reverse("registry:organization_flag", args=[org_a.pk]),
                {"reason": "unreachable", "explanation": "三次上门均无法联系"})
    flag = CreditFlag.objects.get()
    org_a.refresh_from_db()
    assert org_a.status == OrgStatus.ABNORMAL and flag.raised_by == cast.reviewer
    assert "三次上门均无法联系" in client.get(org_a.get_absolute_url()).content.decode()

    assert client.post(reverse("registry:flag_repair", args=[flag.pk]), {"reason": ""}).status_code == 200
    client.post(reverse("registry:flag_repair", args=[flag.pk]), {"reason": "已恢复联系并更新住所"})
    flag.refresh_from_db()
    org_a.refresh_from_db()
    assert flag.repaired_on and flag.repair_reason == "已恢复联系并更新住所"
    assert org_a.status == OrgStatus.ACTIVE
    assert CreditFlag.objects.count() == 1  # the flag stays on record, repaired


def test_filed_group_gets_a_rectification_notice_not_a_flag(org_a, cast, client_for):
    from registry.models import RectificationNotice

    reviewer = client_for(cast.reviewer)
    reviewer.post(reverse("registry:organization_flag", args=[org_a.pk]), {"reason": "unreachable",
                                                                           "explanation": "无法联系"})
    assert not CreditFlag.objects.exists()
    # The community may not notify a filed group; its street does, with a deadline, and records the result.
    assert client_for(cast.community_a).post(reverse("registry:organization_notice", args=[org_a.pk]), {
        "reason": "unreachable", "explanation": "x", "deadline": "2099-01-01"}).status_code == 403
    assert not RectificationNotice.objects.exists()
    street = client_for(cast.street_a)
    street.post(reverse("registry:organization_notice", args=[org_a.pk]), {
        "reason": "unreachable", "explanation": "活动场所无人", "deadline": "2099-01-31"})
    notice = RectificationNotice.objects.get()
    assert str(notice.deadline) == "2099-01-31" and notice.issued_by == cast.street_a
    assert "活动场所无人" in street.get(org_a.get_absolute_url()).content.decode()
    street.post(reverse("registry:notice_result", args=[notice.pk]), {"result": "rectified", "note": "已整改"})
    notice.refresh_from_db()
    assert notice.result == "rectified" and notice.result_by == cast.street_a

    api = street.post("/api/rectification-notices/", {"organization": org_a.pk, "reason": "other",
                                                       "explanation": "章程未备案", "deadline": "2099-02-01"},
                      content_type="application/json")
    assert api.status_code == 201, api.content
    result = street.post(f"/api/rectification-notices/{api.json()['id']}/result/",
                         {"result": "not_rectified", "note": "逾期未改"}, content_type="application/json")
    assert result.json()["result"] == "not_rectified"
    assert client_for(cast.street_b).get(f"/api/rectification-notices/{api.json()['id']}/").status_code == 404


def test_api_records_and_flags_follow_the_access_rule(org_a, org_b, registered_a, cast, client_for):
    street = client_for(cast.street_a)
    created = street.post("/api/activities/", {"organization": org_a.pk, "held_on": "2026-10-01",
                                                "title": "邻里守望"}, content_type="application/json")
    assert created.status_code == 201
    refused = street.post("/api/activities/", {"organization": org_b.pk, "held_on": "2026-10-01", "title": "x"},
                          content_type="application/json")
    assert refused.status_code == 400
    reviewer = client_for(cast.reviewer)
    flagged = reviewer.post("/api/credit-flags/", {"organization": registered_a.pk, "reason": "unreachable",
                                                    "explanation": "无法联系"}, content_type="application/json")
    assert flagged.status_code == 201
    assert reviewer.post("/api/credit-flags/", {"organization": org_a.pk, "reason": "unreachable",
                                                 "explanation": "无法联系"},
                         content_type="application/json").status_code == 400  # a filed group is not listed
    repaired = reviewer.post(f"/api/credit-flags/{flagged.json()['id']}/repair/", {"reason": "已联系"},
                             content_type="application/json")
    assert repaired.json()["repaired_on"]
    assert client_for(cast.street_b).get(f"/api/credit-flags/{flagged.json()['id']}/").status_code == 404


def test_jobs_belong_to_their_owner(world, cast, client_for):
    job = Job.objects.create(kind="import_organizations", created_by=cast.street_a, status=JobStatus.QUEUED)
    assert client_for(cast.street_a).get(reverse("registry:job_detail", args=[job.pk])).status_code == 200
    for other in (cast.street_b, cast.reviewer, cast.leader):
        assert client_for(other).get(reverse("registry:job_detail", args=[job.pk])).status_code == 404
        assert client_for(other).get(f"/api/jobs/{job.pk}/").status_code == 404


def test_large_export_runs_as_a_job_with_masked_data(world, cast, client_for, settings,
                                                      django_capture_on_commit_callbacks):
    settings.EXPORT_SYNC_LIMIT = 3
    for number in range(5):
        OrganizationFactory(name=f"=SUM(A{number})队", region=world.community_a1)
    OrganizationFactory(name="灵隐合唱团", region=world.community_b1)
    client = client_for(cast.street_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("registry:organization_list") + "?export=xlsx")
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.status == JobStatus.SUCCEEDED and job.total == 5
    download = client.get(reverse("registry:job_download", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    values = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert VALID_ID not in values
    assert not any(v.startswith("=") for v in values)
    assert "灵隐合唱团" not in values
    assert client_for(cast.street_b).get(reverse("registry:job_download", args=[job.pk])).status_code == 404


def test_public_lookup_shows_status_without_personal_data(org_a, client):
    cache.clear()
    body = client.get(reverse("registry:public_lookup") + "?q=北山读书").content.decode()
    assert "北山读书会" in body and org_a.filing_number in body
    for personal in ("王芳", VALID_ID, "13900001111"):
        assert personal not in body
    api = client.get("/api/lookup/?q=" + org_a.filing_number).json()
    assert api[0]["name"] == "北山读书会" and "leader_name" not in api[0]


def test_public_lookup_is_rate_limited(org_a, client):
    cache.clear()
    statuses = [client.get(reverse("registry:public_lookup") + "?q=北山").status_code for _ in range(35)]
    assert statuses[:30] == [200] * 30
    assert statuses[-1] == 429
    cache.clear()


def test_zombie_decision_through_the_api(org_a, cast, client_for):
    Organization.objects.filter(pk=org_a.pk).update(status=OrgStatus.DORMANT)
    street = client_for(cast.street_a)
    assert [o["name"] for o in street.get("/api/zombies/").json()["results"]] == ["北山读书会"]
    decided = street.post(f"/api/zombies/{org_a.pk}/decide/", {"decision": "reactivate", "reason": "近期有活动"},
                          content_type="application/json")
    assert decided.json()["status"] == "active"
