"""Tracked jobs: imports and large exports. A Celery task loads the Job row by id and calls ``run``."""

import io
from datetime import timedelta

import tablib
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from config.replicas import on_replica
from registry.audit import record
from registry.choices import JobKind, JobStatus
from registry.exports import dataset_from_rows
from registry.models import AuditAction, Job
from registry.resources import RESOURCES

CHUNK = 500
MAX_REPORTED_ERRORS = 1000

INSTRUCTIONS = {
    JobKind.IMPORT_ORGANIZATIONS: [
        "填写说明",
        "1. 每行一个社会组织；第一行为列名，请勿修改。",
        "2. 必填列：组织名称、管理层级、类别、社区（区划）代码、负责人。",
        "3. 管理层级填写：登记（法人）、街道备案 或 社区培育（社区登记）。",
        "4. 社区（区划）代码填写12位统计用区划代码（街道为9位），且须在您的管辖范围内。",
        "5. 登记的社会组织须填写法人类型和统一社会信用代码（以51、52、53或59开头）。",
        "6. 负责人身份证号码须为有效的18位号码；日期格式为 YYYY-MM-DD。",
        "7. 同一社区内组织名称不得重复；如有任何一行有误，整个文件均不导入，请按提示逐行修改后重新上传。",
    ],
    JobKind.IMPORT_ACTIVITIES: [
        "填写说明",
        "1. 组织编号或名称：统一社会信用代码、备案编号、社区登记编号或组织名称。",
        "2. 活动日期格式为 YYYY-MM-DD；主题活动可填：邻里守望、共建共治共享、共创平安、文化铸魂。",
        "3. 如有任何一行有误，整个文件均不导入。",
    ],
    JobKind.IMPORT_TRAININGS: [
        "填写说明",
        "1. 人员类别：社会组织负责人、街道工作人员（助理）、社区工作者、志愿者。",
        "2. 区划代码为参训人员所在区划；日期格式为 YYYY-MM-DD。",
        "3. 如有任何一行有误，整个文件均不导入。",
    ],
}


def template_workbook(kind) -> bytes:
    """The downloadable template: Chinese headers on the first sheet, instructions on the second."""
    resource = RESOURCES[kind]()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "数据"
    headers = [field.column_name for field in resource.get_import_fields()]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(12, len(cell.value) * 2 + 2)
    notes = workbook.create_sheet("填写说明")
    for line in INSTRUCTIONS[kind]:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_dataset(job) -> tablib.Dataset:
    raw = job.input_file.open("rb").read()
    if job.input_name.lower().endswith(".xlsx"):
        dataset = tablib.Dataset().load(raw, format="xlsx")
    else:
        from registry.services import decode_upload

        dataset = tablib.Dataset().load(decode_upload(raw), format="csv")
    # Drop empty rows spreadsheets leave behind.
    rows = [row for row in dataset if any(str(v).strip() for v in row if v is not None)]
    clean = tablib.Dataset(headers=[str(h).strip() for h in dataset.headers])
    for row in rows:
        clean.append(row)
    return clean


STALE = timedelta(minutes=2)  # heartbeats are written every chunk, about a second apart


def start(job):
    """Queue the job once its row is committed (the worker must find it); a broker outage leaves it queued."""
    from registry.queue import enqueue
    from registry.tasks import run_job

    Job.objects.filter(pk=job.pk).update(queued_at=timezone.now())
    transaction.on_commit(lambda: enqueue(run_job, job.pk))


def claim(job_id) -> bool:
    """Only one worker runs a job: a queued one, or a running one whose worker stopped writing its heartbeat."""
    now = timezone.now()
    waiting = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE)
    return bool(Job.objects.filter(waiting, pk=job_id).update(status=JobStatus.RUNNING, started_at=now,
                                                               heartbeat_at=now, processed=0))


def run(job_id):
    if not claim(job_id):
        return Job.objects.get(pk=job_id)  # finished, or another worker has it: do it only once
    job = Job.objects.get(pk=job_id)
    try:
        if job.kind == JobKind.EXPORT:
            _export(job)
        else:
            _import(job)
    except Exception as exc:  # the row exists: record what failed for the user, then re-raise
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=str(exc)[:2000],
                                             finished_at=timezone.now())
        raise
    return job


def _progress(job, processed):
    Job.objects.filter(pk=job.pk).update(processed=processed, heartbeat_at=timezone.now())


def _import(job):
    dataset = read_dataset(job)
    total = len(dataset)
    Job.objects.filter(pk=job.pk).update(total=total)
    job.total = total
    resource = RESOURCES[job.kind](user=job.created_by)
    errors = []
    if total == 0:
        errors.append({"row": 1, "messages": [_("The file has no data rows.")]})
    missing_headers = [f.column_name for f in resource.get_import_fields() if f.column_name not in dataset.headers]
    if missing_headers:
        errors.append({"row": 1, "messages": [_("Missing columns: %(columns)s") % {
            "columns": "、".join(missing_headers)}]})
    # Phase 1: validate every row (dry run, in chunks so the page shows progress); nothing is saved.
    if not errors:
        for start_row in range(0, total, CHUNK):
            chunk = tablib.Dataset(*dataset[start_row:start_row + CHUNK], headers=dataset.headers)
            resource.row_offset = start_row + 1  # spreadsheet row = data index + header row
            result = resource.import_data(chunk, dry_run=True, use_transactions=True, raise_errors=False)
            errors.extend(_row_errors(result, start_row))
            _progress(job, min(start_row + CHUNK, total))
    if errors:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.REJECTED, finished_at=timezone.now(),
            result={"error_count": len(errors), "errors": errors[:MAX_REPORTED_ERRORS], "imported": 0})
        return
    # Phase 2: every row is valid; import them all in one transaction (the database constraints still hold).
    resource = RESOURCES[job.kind](user=job.created_by)
    resource.validate = False
    resource.row_offset = 1
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
        imported = result.totals.get("new", total)
        # One audit event for the whole import (its rows are bulk-created, each with a history row).
        record(AuditAction.IMPORT, job, user=job.created_by,
               detail=f"{job.get_kind_display()}: {imported} rows from {job.input_name}")
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, finished_at=timezone.now(), processed=total,
        result={"error_count": 0, "errors": [], "imported": imported})


def _row_errors(result, start_row):
    errors = []
    for invalid in result.invalid_rows:
        messages = []
        for field, field_errors in invalid.error_dict.items():
            column = _column_of(field)
            for message in field_errors:
                messages.append(f"{column}：{message}" if column else str(message))
        errors.append({"row": start_row + invalid.number + 1, "messages": messages})
    for number, row_errors in result.row_errors():
        errors.append({"row": start_row + number + 1, "messages": [str(e.error) for e in row_errors]})
    return sorted(errors, key=lambda e: e["row"])


def _column_of(field_name):
    if field_name in ("__all__", "NON_FIELD_ERRORS"):
        return ""
    for resource in RESOURCES.values():
        field = resource.fields.get(field_name)
        if field is not None:
            return field.column_name
    return field_name


def _export(job):
    """A large filtered list, written to a file the owner downloads (same columns and masking as the page)."""
    from django.utils.module_loading import import_string

    from registry.exports import export_bytes

    view_class = import_string(job.parameters["view"])

    def rows():
        table = view_class.table_for(job.created_by, job.parameters.get("query", ""))
        Job.objects.filter(pk=job.pk).update(total=len(table.rows))
        values = iter(table.as_values())
        return dataset_from_rows(next(values), values)

    dataset = on_replica(rows)  # a read replica when one is configured and healthy (config/replicas.py)
    fmt = job.parameters["format"]
    name = f"{view_class.export_basename}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
    job.output_file.save(name, ContentFile(export_bytes(dataset, fmt)), save=False)
    Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name, output_name=name, processed=len(dataset),
                                         status=JobStatus.SUCCEEDED, finished_at=timezone.now())
