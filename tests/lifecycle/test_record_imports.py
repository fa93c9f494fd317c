"""Activity and training imports on a clean file (they answered 500), the training organization column, the
social-assistance assistant kind, and the public lookup's "valid"."""

import io

import pytest
from django.core.cache import cache
from openpyxl import Workbook

from registry.choices import JobKind, JobStatus
from registry.models import Activity, AuditEvent, Training
from registry.resources import ActivityResource, TrainingResource
from tests.factories import OrganizationFactory
from tests.lifecycle.test_import import run_import


def _workbook(resource, rows) -> bytes:
    book = Workbook()
    headers = [field.column_name for field in resource().get_import_fields()]
    book.active.append(headers)
    for row in rows:
        book.active.append([row.get(header, "") for header in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def group(world):
    return OrganizationFactory(name="北山读书会", region=world.community_a1)


def test_activity_import_on_a_clean_file(group, cast):
    content = _workbook(ActivityResource, [
        {"组织编号或名称": group.filing_number, "活动日期": "2026-10-01", "活动名称": "读书分享会", "参与人数": 12},
        {"组织编号或名称": "北山读书会", "活动日期": "2026-10-15", "活动名称": "重阳敬老", "主题活动": "邻里守望"},
    ])
    job = run_import(cast.street_a, content, name="activities.xlsx", kind=JobKind.IMPORT_ACTIVITIES)
    assert job.status == JobStatus.SUCCEEDED, (job.error, job.result)
    assert Activity.objects.filter(organization=group).count() == 2
    group.refresh_from_db()
    assert str(group.last_activity_on) == "2026-10-15"
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_training_import_with_organization_column_and_new_kind(group, cast, world):
    content = _workbook(TrainingResource, [
        # A head of an organization: the region is taken from the organization.
        {"组织编号或名称": group.filing_number, "姓名": "王芳", "人员类别": "社区社会组织负责人",
         "培训课程": "能力建设", "培训日期": "2026-09-01", "学时": 4},
        {"区划代码": world.street_a.code, "姓名": "李协理", "人员类别": "社会救助协理员",
         "培训课程": "社会救助政策", "培训日期": "2026-09-02"},
    ])
    job = run_import(cast.street_a, content, name="trainings.xlsx", kind=JobKind.IMPORT_TRAININGS)
    assert job.status == JobStatus.SUCCEEDED, (job.error, job.result)
    head = Training.objects.get(person_name="王芳")
    assert head.organization == group and head.region == group.region
    assert Training.objects.get(person_name="李协理").trainee_kind == "social_assistance"


def test_training_row_without_region_or_organization_is_reported(cast, world):
    content = _workbook(TrainingResource, [{"姓名": "无名", "人员类别": "志愿者", "培训课程": "急救",
                                            "培训日期": "2026-09-02"}])
    job = run_import(cast.street_a, content, name="trainings.xlsx", kind=JobKind.IMPORT_TRAININGS)
    assert job.status == JobStatus.REJECTED and job.result["errors"][0]["row"] == 2
    assert not Training.objects.exists()


def test_public_lookup_says_valid_only_with_an_issued_unrevoked_certificate(group, cast, client):
    from filings.models import Certificate
    from filings.services import create_case

    cache.clear()
    # On record but no certificate issued (e.g. imported): not "valid".
    body = client.get(f"/lookup/?q={group.filing_number}").content.decode()
    assert "北山读书会" in body and 'data-testid="valid"' not in body
    assert client.get(f"/api/lookup/?q={group.filing_number}").json()[0]["certificate_valid"] is False
    case = create_case(cast.street_a, "change", {"name": group.name}, organization=group)
    Certificate.objects.create(number="BA-TEST-1", kind="filing_certificate", case=case, organization=group,
                               issuing_office="北山街道办事处")
    assert 'data-testid="valid"' in client.get(f"/lookup/?q={group.filing_number}").content.decode()
    assert client.get(f"/api/lookup/?q={group.filing_number}").json()[0]["certificate_valid"] is True
    Certificate.objects.create(number="CX-TEST-1", kind="revocation_decision", case=case, organization=group,
                               issuing_office="北山街道办事处")
    assert client.get(f"/api/lookup/?q={group.filing_number}").json()[0]["certificate_valid"] is False
    cache.clear()
