"""Each kind of work has its own Celery queue, so long work never waits behind other long work: a worker that
serves only imports runs a clerk's import while a province's yearly report waits on the reports queue."""

import os
import subprocess
import sys
import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from config.celery import QUEUES, app
from registry import jobs
from registry.choices import JobKind, JobStatus
from registry.models import Job, Organization
from reporting.models import ReportStatus, YearlyReport
from tests.lifecycle.test_import import row, workbook

ALL_QUEUES = "celery,imports,exports,reports,daily"


def queue_of(name, *args):
    return app.amqp.router.route({}, name, args=args, kwargs={})["queue"].name


def job(kind, user, **fields):
    return Job.objects.create(kind=kind, created_by=user, **fields)


def test_every_task_has_its_queue(db, cast):
    assert queue_of("reporting.tasks.build_yearly_report", 1) == "reports"
    assert queue_of("reporting.tasks.schedule_yearly_reports") == "reports"
    assert queue_of("reporting.tasks.daily_snapshots") == "daily"
    assert queue_of("filings.tasks.daily_lifecycle") == "daily"
    assert queue_of("registry.tasks.requeue_waiting") == "celery"
    for kind in (JobKind.IMPORT_ORGANIZATIONS, JobKind.IMPORT_ACTIVITIES, JobKind.IMPORT_TRAININGS):
        assert queue_of("registry.tasks.run_job", job(kind, cast.street_a).pk) == "imports"
    assert queue_of("registry.tasks.run_job", job(JobKind.EXPORT, cast.street_a).pk) == "exports"
    # A new task must be given a queue here (config/celery.py), or it would wait among the housekeeping.
    app.loader.import_default_modules()  # autodiscovery of the apps' tasks.py
    ours = {name for name in app.tasks if not name.startswith("celery.")}
    assert ours == {*QUEUES, "registry.tasks.run_job"}
    assert {schedule["task"] for schedule in app.conf.beat_schedule.values()} <= ours


@pytest.fixture
def imports_worker(transactional_db, settings):
    """A real worker on Redis serving only the imports queue; every queue is emptied before and after."""
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and Redis (make test sets DATABASE_URL and REDIS_URL)")
    db = connection.settings_dict
    env = {**os.environ, "SHEQU_ENV": "test", "REDIS_URL": settings.REDIS_URL,
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"}
    root = str(settings.BASE_DIR)

    def purge():
        subprocess.run([sys.executable, "-m", "celery", "-A", "config", "purge", "-f", "-Q", ALL_QUEUES], cwd=root,
                       env=env, capture_output=True, timeout=60, check=False)

    purge()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q",
                               "imports", "--loglevel", "warning", "--without-gossip", "--without-mingle"],
                              cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
    app.conf.task_always_eager = previous
    purge()


def waiting_on(queue):
    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(queue)


def test_an_import_is_not_delayed_by_a_waiting_yearly_report(imports_worker, world, cast):
    from registry.queue import enqueue
    from reporting.tasks import build_yearly_report

    report = YearlyReport.objects.create(region=world.province, year=2025, requested_by=cast.leader)
    assert enqueue(build_yearly_report, report.pk)
    assert waiting_on("reports") == 1

    upload = job(JobKind.IMPORT_ORGANIZATIONS, cast.street_a, input_name="organizations.xlsx")
    upload.input_file.save("organizations.xlsx", ContentFile(workbook([
        row(组织名称="排队互助队", 备案编号="QUEUE-1")])), save=True)
    jobs.start(upload)  # queued on commit; this test's transaction is already committed (transactional db)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Job.objects.get(pk=upload.pk).status != JobStatus.SUCCEEDED:
        time.sleep(0.3)
    assert Job.objects.get(pk=upload.pk).status == JobStatus.SUCCEEDED
    assert Organization.objects.filter(name="排队互助队").exists()

    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED and report.attempts == 0  # still waiting for a reports worker
    assert waiting_on("reports") == 1
