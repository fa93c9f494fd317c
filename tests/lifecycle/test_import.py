"""Excel import of existing organizations: all rows or none, every bad row listed with its reason."""

import io
import time

import pytest
from django.core.files.base import ContentFile
from openpyxl import Workbook, load_workbook

from registry import jobs
from registry.choices import JobKind, JobStatus
from registry.models import Job, Organization
from registry.resources import OrganizationResource
from tests.factories import VALID_ID, make_uscc

HEADERS = [f.column_name for f in OrganizationResource().get_import_fields()]


def row(**values):
    base = {"组织名称": "", "管理层级": "街道备案", "类别": "居民互助类", "社区（区划）代码": "330106002001",
            "负责人": "王芳", "负责人身份证号码": VALID_ID, "负责人联系电话": "13900001111", "成员数": 20}
    base.update(values)
    return [base.get(header, "") for header in HEADERS]


def workbook(rows) -> bytes:
    book = Workbook()
    book.active.append(HEADERS)
    for values in rows:
        book.active.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def big_file(count, bad=()):
    rows = []
    for i in range(count):
        community = "330106002001" if i % 2 else "330106002201"
        rows.append(row(组织名称=f"导入互助队{i:05d}", 备案编号=f"BAIMP-{i:05d}", **{"社区（区划）代码": community}))
    for index, values in bad:
        rows[index] = values
    return rows


def run_import(user, content, name="organizations.xlsx", kind=JobKind.IMPORT_ORGANIZATIONS):
    job = Job(kind=kind, created_by=user, input_name=name)
    job.input_file.save(name, ContentFile(content), save=False)
    job.save()
    jobs.run(job.pk)
    job.refresh_from_db()
    return job


BAD_ROWS = [
    # (index in the data, row) -> spreadsheet row = index + 2 (header row, 1-based)
    (99, row(组织名称="坏代码协会", 管理层级="登记（法人）", 法人类型="社会服务机构（民办非企业单位）",
             统一社会信用代码="52330106MJ0000001X")),
    (2500, row(组织名称="外区协会", 备案编号="BAIMP-X1", **{"社区（区划）代码": "330106003001"})),
    (4998, row(组织名称="导入互助队00000", 备案编号="BAIMP-X2", **{"社区（区划）代码": "330106002201"})),
]


@pytest.mark.django_db(transaction=True)
def test_5000_rows_with_3_bad_ones_import_nothing_then_all(world, cast, settings):
    rejected = run_import(cast.street_a, workbook(big_file(5000, BAD_ROWS)))
    assert rejected.status == JobStatus.REJECTED
    assert Organization.objects.count() == 0
    errors = {e["row"]: " ".join(e["messages"]) for e in rejected.result["errors"]}
    assert sorted(errors) == [101, 2502, 5000]
    assert "GB 32100" in errors[101] or "校验" in errors[101]
    assert "330106003001" in errors[2502]
    assert "2" in errors[5000]  # duplicate of row 2 (the first data row)

    started = time.perf_counter()
    imported = run_import(cast.street_a, workbook(big_file(5000)))
    seconds = time.perf_counter() - started
    assert imported.status == JobStatus.SUCCEEDED, imported.result
    assert imported.result["imported"] == 5000
    assert Organization.objects.count() == 5000
    assert Organization.history.filter(history_type="+").values("id").distinct().count() == 5000
    from registry.models import AuditEvent

    audit = AuditEvent.objects.get(action="import")
    assert audit.actor == cast.street_a and "5000" in audit.detail
    print(f"\nimported 5000 rows in {seconds:.1f} s = {5000 / seconds:.0f} rows/s")


def test_each_kind_of_bad_row_is_named(world, cast):
    rows = [
        row(组织名称="缺负责人", 负责人=""),
        row(组织名称="坏身份证", 负责人身份证号码="110105194912310021"),
        row(组织名称="未知类别", 类别="星际旅行类"),
        row(组织名称="好组织", 备案编号="BA-OK-1"),
    ]
    job = run_import(cast.street_a, workbook(rows))
    errors = {e["row"]: " ".join(e["messages"]) for e in job.result["errors"]}
    assert sorted(errors) == [2, 3, 4]
    assert "负责人" in errors[2]
    assert "负责人身份证号码" in errors[3]
    assert "星际旅行类" in errors[4]
    assert not Organization.objects.exists()


def test_missing_columns_are_reported(world, cast):
    book = Workbook()
    book.active.append(["组织名称", "类别"])
    book.active.append(["某队", "居民互助类"])
    buffer = io.BytesIO()
    book.save(buffer)
    job = run_import(cast.street_a, buffer.getvalue())
    assert job.status == JobStatus.REJECTED
    assert "负责人" in " ".join(job.result["errors"][0]["messages"])


def test_csv_in_gb18030_is_accepted(world, cast):
    lines = [",".join(HEADERS), ",".join(str(v) for v in row(组织名称="文新读书会", 备案编号="BA-CSV-1"))]
    job = run_import(cast.street_a, "\n".join(lines).encode("gb18030"), name="orgs.csv")
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert Organization.objects.get().name == "文新读书会"


def test_registered_rows_need_a_civil_affairs_uscc(world, cast):
    good = row(组织名称="北山社工服务社", 管理层级="登记（法人）", 法人类型="社会服务机构（民办非企业单位）",
               统一社会信用代码=make_uscc(legal_form_digit="2"), 备案编号="")
    job = run_import(cast.street_a, workbook([good]))
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert Organization.objects.get().tier == "registered"


def test_template_has_chinese_headers_and_instructions(world, cast, client_for):
    response = client_for(cast.street_a).get("/imports/template/import_organizations/")
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["数据"][1]][:3] == ["组织名称", "管理层级", "法人类型"]
    assert "填写说明" in book.sheetnames


def test_activities_import_updates_nothing_outside_jurisdiction(world, cast):
    from registry.resources import ActivityResource
    from tests.factories import OrganizationFactory

    OrganizationFactory(name="北山读书会", region=world.community_a1)
    OrganizationFactory(name="灵隐合唱团", region=world.community_b1)
    headers = [f.column_name for f in ActivityResource().get_import_fields()]

    def activity(org):
        values = {"组织编号或名称": org, "活动日期": "2026-10-01", "活动名称": "重阳节活动", "参与人数": 30}
        return [values.get(h, "") for h in headers]

    book = Workbook()
    book.active.append(headers)
    book.active.append(activity("北山读书会"))
    book.active.append(activity("灵隐合唱团"))
    buffer = io.BytesIO()
    book.save(buffer)
    job = run_import(cast.street_a, buffer.getvalue(), kind=JobKind.IMPORT_ACTIVITIES)
    assert job.status == JobStatus.REJECTED
    assert [e["row"] for e in job.result["errors"]] == [3], job.result
    from registry.models import Activity

    assert not Activity.objects.exists()
