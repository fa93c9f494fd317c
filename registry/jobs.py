"""Tracked jobs: the engine every kind of long work shares (a hook registry, claim, lease, finish), and the
registry's own kinds, imports and large exports. Apps register their kinds in their AppConfig.ready() with
``register(name, model, task, handler)``; a Celery task takes the row's id and calls ``execute(name, pk)``."""

import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from config.replicas import on_replica
from registry.audit import record
from registry.choices import JobKind, JobStatus
from registry.exports import dataset_from_rows, workbook_bytes
from registry.import_engine import Importer, Sheet, UnreadableFile, read_sheet
from registry.models import AuditAction, Job
from registry.resources import RESOURCES

logger = logging.getLogger(__name__)

MAX_REPORTED_ERRORS = 1000

INSTRUCTIONS = {
    JobKind.IMPORT_ORGANIZATIONS: [
        "填写说明",
        "1. 每行一个社会组织；第一行为列名，请勿修改。",
        "2. 必填列：组织名称、管理层级、类别、社区（区划）代码、负责人。",
        "3. 管理层级填写：登记（法人）、街道备案 或 社区培育（台账）。",
        "4. 社区（区划）代码填写12位统计用区划代码（街道为9位），且须在您的管辖范围内。",
        "5. 登记的社会组织须填写法人类型和统一社会信用代码（以51、52、53或59开头）。",
        "6. 负责人身份证号码须为有效的18位号码；日期格式为 YYYY-MM-DD。",
        "7. 同一社区内组织名称不得重复；如有任何一行有误，整个文件均不导入，请按提示逐行修改后重新上传。",
    ],
    JobKind.IMPORT_ACTIVITIES: [
        "填写说明",
        "1. 组织编号或名称：统一社会信用代码、备案编号、社区培育台账编号或组织名称。",
        "2. 活动日期格式为 YYYY-MM-DD；主题活动可填：邻里守望、共建共治共享、共创平安、文化铸魂。",
        "3. 如有任何一行有误，整个文件均不导入。",
    ],
    JobKind.IMPORT_TRAININGS: [
        "填写说明",
        "1. 人员类别：社会组织负责人、街道工作人员（助理）、社区工作者、志愿者、社会救助协理员。",
        "2. 区划代码为参训人员所在区划（填写组织时可留空，取组织所在区划）；日期格式为 YYYY-MM-DD。",
        "3. 组织编号或名称：参训人员所在组织（社会组织负责人须填写，计入负责人培训）。",
        "4. 如有任何一行有误，整个文件均不导入。",
    ],
}


def template_workbook(kind) -> bytes:
    """The downloadable template: Chinese headers on the first sheet, instructions on the second."""
    headers = [field.column_name for field in RESOURCES[kind]().get_import_fields()]
    widths = {"数据": {get_column_letter(i): max(12, len(h) * 2 + 2) for i, h in enumerate(headers, start=1)},
              "填写说明": {"A": 100}}
    return workbook_bytes({"数据": [headers], "填写说明": [[line] for line in INSTRUCTIONS[kind]]}, widths,
                          bold_headers=True)


def read_dataset(job) -> Sheet:
    """The job's file as read by the import engine (raises UnreadableFile with a message for the user)."""
    with job.input_file.open("rb") as upload:
        return read_sheet(upload.read(), job.input_name)


# --------------------------------------------------------------------------------------------- the job engine
#
# Every kind of long work is a row (Job here; apps register theirs, e.g. the yearly report, in their AppConfig's
# ready()) and a Celery task that takes the row's id. A worker first *claims* the row: it becomes RUNNING with
# its attempt number, and holds a lease that a thread of the same process renews while the work runs (every
# phase, including one long insert or a wait on a lock). Another worker takes the row over only once the lease
# has expired, that is when the process doing the work is gone. The work writes its final state only if its
# attempt still owns the row, in the same transaction as its data, so a run that lost its lease changes nothing.


@dataclass(frozen=True)
class Tracked:
    model: type
    task: object  # the Celery task that takes the row's id
    handler: Callable  # handler(row, attempt): does the work, ends with finish() (or raises)


#: Every kind of tracked work, registered by its app (AppConfig.ready()): the engine knows no app above it.
TRACKED: dict[str, Tracked] = {}


def register(name, model, task, handler):
    """An app's kind of tracked work. ``execute(name, pk)`` runs ``handler`` on the row under a claim and a lease;
    ``requeue_waiting`` puts the kind's waiting and abandoned rows on the queue again."""
    TRACKED[name] = Tracked(model, task, handler)


def queue(name, pk):
    """Queue the row once it is committed (the worker must find it); a broker outage leaves it queued, and the
    beat entry ``requeue-waiting`` puts it on the queue again."""
    from registry.queue import enqueue

    tracked = TRACKED[name]
    tracked.model.objects.filter(pk=pk).update(queued_at=timezone.now())
    transaction.on_commit(lambda: enqueue(tracked.task, pk))


def execute(name, pk):
    """The one way tracked work runs: claim the row (once), renew its lease while the handler works, and record a
    failure for the page before re-raising it for Celery. A run that lost its lease stops without writing."""
    tracked = TRACKED[name]
    model = tracked.model
    attempt = claim(model, pk)
    row = model.objects.get(pk=pk)
    if attempt is None:
        return row  # finished, or a live worker has it: do it only once
    try:
        with lease(model, pk, attempt):
            tracked.handler(row, attempt)
    except LeaseLost:
        logger.warning("%s %s was taken over; attempt %s stops without writing", name, pk, attempt)
    except Exception as exc:  # the row exists: record what failed for the user, then re-raise
        owned(model, pk, attempt).update(status=JobStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    return row


def lease_seconds() -> int:
    return settings.JOB_LEASE_SECONDS


def waiting(now=None) -> Q:
    """Rows a worker may claim: queued, or running under a lease that has expired."""
    expired = (now or timezone.now()) - timedelta(seconds=lease_seconds())
    return Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING) & (
        Q(heartbeat_at__lt=expired) | Q(heartbeat_at__isnull=True))


def lease_expired(row, now=None) -> bool:
    """A running row whose lease its worker no longer renews: the worker is gone."""
    expired = (now or timezone.now()) - timedelta(seconds=lease_seconds())
    return row.status == JobStatus.RUNNING and (row.heartbeat_at is None or row.heartbeat_at < expired)


def fail_abandoned(model, error, now=None) -> int:
    """Rows of ``model`` running under an expired lease are marked failed (they may be started again)."""
    return model.objects.filter(waiting(now), status=JobStatus.RUNNING).update(status=JobStatus.FAILED, error=error)


def claim(model, pk) -> int | None:
    """The attempt number this worker now owns the row under, or None when it is finished or held by a live
    worker (whose lease has not expired). Rows locked by another claim are skipped, never waited for."""
    now = timezone.now()
    with transaction.atomic():
        row = model.objects.select_for_update(skip_locked=True).filter(waiting(now), pk=pk).values("attempts").first()
        if row is None:
            return None
        attempt = row["attempts"] + 1
        model.objects.filter(pk=pk).update(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now,
                                           attempts=attempt)
    return attempt


def owned(model, pk, attempt):
    """The row, as long as this attempt still owns it (the condition for every write of the work's state)."""
    return model.objects.filter(pk=pk, attempts=attempt, status=JobStatus.RUNNING)


@contextmanager
def lease(model, pk, attempt):
    """Renews the lease from a thread of this process while the block runs (on its own database connection, so
    a long transaction or a lock the work waits for does not stop it)."""
    if not connection.features.has_select_for_update_skip_locked:  # embedded SQLite: one process, no takeover
        yield
        return
    stop = threading.Event()

    def renew():
        try:
            while not stop.wait(max(lease_seconds() / 4, 0.2)):
                try:
                    owned(model, pk, attempt).update(heartbeat_at=timezone.now())
                except DatabaseError as exc:  # try again at the next tick; the lease still has time
                    logger.warning("lease renewal of %s %s failed: %s", model.__name__, pk, exc)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=renew, name=f"lease-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


class LeaseLost(Exception):
    """Another worker took the row over: this attempt's work is rolled back."""


def finish(model, pk, attempt, **state):
    """Write the final state if this attempt still owns the row; inside the work's transaction, a lost lease
    raises so the work's data is rolled back with it."""
    if not owned(model, pk, attempt).update(finished_at=timezone.now(), **state):
        raise LeaseLost(f"{model.__name__} {pk}: attempt {attempt} no longer owns the row")


def start(job):
    queue("job", job.pk)


def run(job_id):
    return execute("job", job_id)


def handle(job, attempt):
    """The registry's own kinds of tracked work: imports and large exports."""
    if job.kind == JobKind.EXPORT:
        _export(job, attempt)
    else:
        _import(job, attempt)


def _progress(job, attempt, processed):
    owned(Job, job.pk, attempt).update(processed=processed, heartbeat_at=timezone.now())


def _import(job, attempt):
    try:
        sheet = read_dataset(job)
    except UnreadableFile as exc:
        finish(Job, job.pk, attempt, status=JobStatus.REJECTED,
               result={"error_count": 1, "errors": [{"row": 1, "messages": exc.messages}], "imported": 0})
        return
    total = len(sheet)
    owned(Job, job.pk, attempt).update(total=total, processed=0)
    job.total = total
    importer = Importer(RESOURCES[job.kind](user=job.created_by))
    errors = []
    if total == 0:
        errors.append({"row": 1, "messages": [_("The file has no data rows.")]})
    missing_headers = importer.missing_columns(sheet)
    if missing_headers:
        errors.append({"row": 1, "messages": [_("Missing columns: %(columns)s") % {
            "columns": "、".join(missing_headers)}]})
    # Phase 1: check every row (column by column, in chunks so the page shows progress); nothing is saved.
    if not errors:
        errors = importer.validate(sheet, progress=lambda done: _progress(job, attempt, done))
    if errors:
        finish(Job, job.pk, attempt, status=JobStatus.REJECTED,
               result={"error_count": len(errors), "errors": errors[:MAX_REPORTED_ERRORS], "imported": 0})
        return
    # Phase 2: every row is valid; save the records phase 1 built and checked, the audit event and the final
    # state all in one transaction (the database constraints still hold; a run that lost its lease rolls back).
    with transaction.atomic():
        imported = importer.save()
        # One audit event for the whole import (its rows are written together, each with a history row).
        record(AuditAction.IMPORT, job, user=job.created_by,
               detail=f"{job.get_kind_display()}: {imported} rows from {job.input_name}")
        finish(Job, job.pk, attempt, status=JobStatus.SUCCEEDED, processed=total,
               result={"error_count": 0, "errors": [], "imported": imported})


def _export(job, attempt):
    """A large filtered list, written to a file the owner downloads (same columns and masking as the page)."""
    from django.utils.module_loading import import_string

    from registry.exports import export_bytes

    view_class = import_string(job.parameters["view"])

    def rows():
        table = view_class.table_for(job.created_by, job.parameters.get("query", ""))
        owned(Job, job.pk, attempt).update(total=len(table.rows))
        values = iter(table.as_values())
        return dataset_from_rows(next(values), values)

    dataset = on_replica(rows)  # a read replica when one is configured and healthy (config/replicas.py)
    fmt = job.parameters["format"]
    name = f"{view_class.export_basename}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
    job.output_file.save(name, ContentFile(export_bytes(dataset, fmt)), save=False)
    finish(Job, job.pk, attempt, output_file=job.output_file.name, output_name=name, processed=len(dataset),
           status=JobStatus.SUCCEEDED)
