"""Jobs run once: a slow phase keeps its lease, a killed worker's job is taken over and completed exactly once.

Both run a real Celery worker process on Redis (``real_worker``) with a lease of a few seconds
(JOB_LEASE_SECONDS), and make the import's insert wait on a table lock held by the test, for several leases.
"""

import io
import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Q
from openpyxl import Workbook

from registry import jobs
from registry.choices import JobStatus
from registry.models import AuditEvent, Job, Organization
from registry.resources import OrganizationResource
from registry.tasks import requeue_waiting
from tests.factories import VALID_ID

LEASE = 3
ROWS = 30


@pytest.fixture
def short_lease(monkeypatch, settings):
    monkeypatch.setenv("JOB_LEASE_SECONDS", str(LEASE))  # read by the worker the next fixture starts
    settings.JOB_LEASE_SECONDS = LEASE


def import_file() -> bytes:
    headers = [f.column_name for f in OrganizationResource().get_import_fields()]
    book = Workbook()
    book.active.append(headers)
    for i in range(ROWS):
        values = {"组织名称": f"租约互助队{i:03d}", "管理层级": "街道备案", "类别": "居民互助类",
                  "社区（区划）代码": "330106002001", "负责人": "王芳", "负责人身份证号码": VALID_ID,
                  "负责人联系电话": "13900001111", "成员数": 20, "备案编号": f"LEASE-{i:03d}"}
        book.active.append([values.get(h, "") for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def queue_import(user) -> Job:
    job = Job(kind="import_organizations", created_by=user, input_name="lease.xlsx")
    job.input_file.save("lease.xlsx", ContentFile(import_file()), save=False)
    job.save()
    from registry.queue import enqueue
    from registry.tasks import run_job

    enqueue(run_job, job.pk)
    return job


def lock_organizations():
    """Another session holds a lock on the organization table: every insert waits for it."""
    db = connection.settings_dict
    holder = psycopg.connect(host=db["HOST"] or "localhost", port=db["PORT"] or 5432, user=db["USER"],
                             dbname=db["NAME"])
    holder.execute("LOCK TABLE registry_organization IN SHARE ROW EXCLUSIVE MODE")
    return holder


def wait_for(job, condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if condition(job):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job.pk} stayed {job.status} (attempts {job.attempts}): {job.error}")


def imports_recorded(job):
    return AuditEvent.objects.filter(action="import", object_id=str(job.pk)).count()


@pytest.mark.django_db(transaction=True)
def test_a_slow_phase_keeps_its_lease_and_runs_once(world, cast, short_lease, real_worker):
    holder = lock_organizations()
    try:
        job = wait_for(queue_import(cast.street_a), lambda j: j.status == JobStatus.RUNNING)
        held_until = time.monotonic() + 4 * LEASE  # the phase waits four leases on the lock
        while time.monotonic() < held_until:
            assert jobs.claim(Job, job.pk) is None  # the lease is renewed: nobody may take the job over
            requeue_waiting()  # neither through the beat entry (it finds nothing abandoned)
            time.sleep(0.5)
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING and job.attempts == 1
    finally:
        holder.close()  # the lock goes; the insert proceeds
    job = wait_for(job, lambda j: j.status not in (JobStatus.QUEUED, JobStatus.RUNNING))
    assert job.status == JobStatus.SUCCEEDED, (job.error, job.result)
    assert job.attempts == 1
    assert Organization.objects.filter(name__startswith="租约互助队").count() == ROWS
    assert imports_recorded(job) == 1


def start_worker(env):
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
                             "--loglevel", "warning", "--without-gossip", "--without-mingle"],
                            cwd=str(env["ROOT"]), env={k: v for k, v in env.items() if k != "ROOT"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_job_is_taken_over_and_completed_once(world, cast, short_lease, real_worker, settings):
    holder = lock_organizations()
    try:
        job = wait_for(queue_import(cast.street_a), lambda j: j.status == JobStatus.RUNNING)
        time.sleep(1)
        real_worker.send_signal(signal.SIGKILL)  # mid-job, its insert waiting on the lock
        real_worker.wait(timeout=10)
    finally:
        holder.close()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # as the dead worker left it
    time.sleep(LEASE + 1)  # nobody renews the lease now
    db = connection.settings_dict
    env = {**os.environ, "SHEQU_ENV": "test", "REDIS_URL": settings.REDIS_URL, "ROOT": settings.BASE_DIR,
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"}
    second = start_worker(env)
    try:
        time.sleep(2)
        assert requeue_waiting() >= 1  # the beat entry finds the abandoned job and queues it again
        job = wait_for(job, lambda j: j.status not in (JobStatus.QUEUED, JobStatus.RUNNING))
        requeue_waiting()  # a later beat finds nothing to do
    finally:
        second.terminate()
        second.wait(timeout=20)
    assert job.status == JobStatus.SUCCEEDED, (job.error, job.result)
    assert job.attempts == 2
    assert Organization.objects.filter(name__startswith="租约互助队").count() == ROWS
    assert imports_recorded(job) == 1
    assert not Job.objects.filter(Q(status=JobStatus.RUNNING) | Q(status=JobStatus.QUEUED)).exists()
