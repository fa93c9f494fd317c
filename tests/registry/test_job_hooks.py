"""One tracked-job engine with a hook registry: the engine in registry knows every kind of long work only through
``jobs.register`` (apps call it in their AppConfig.ready()), runs each through ``jobs.execute`` and re-queues them
all from one beat entry."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from registry import jobs
from registry.choices import JobKind, JobStatus
from registry.models import Job
from registry.tasks import requeue_waiting
from reporting import yearly
from reporting.models import YearlyReport
from reporting.tasks import build_yearly_report

NOW = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))


class FakeTask:
    """Stands for a Celery task (never run here)."""


@pytest.fixture
def planted(monkeypatch):
    """A kind of tracked work an app would register: its handler records the rows it ran on."""
    ran, task = [], FakeTask()

    def handler(row, attempt):
        ran.append((row.pk, attempt))
        jobs.finish(Job, row.pk, attempt, status=JobStatus.SUCCEEDED)

    monkeypatch.setitem(jobs.TRACKED, "planted", jobs.Tracked(Job, task, handler))
    return ran, task


def test_the_apps_register_their_kinds():
    assert jobs.TRACKED["job"].handler is jobs.handle
    assert jobs.TRACKED["yearly_report"].model is YearlyReport
    assert jobs.TRACKED["yearly_report"].task is build_yearly_report
    assert jobs.TRACKED["yearly_report"].handler is yearly.build


def test_a_registered_handler_runs_once_under_a_claim(cast, planted):
    ran, _task = planted
    job = Job.objects.create(kind=JobKind.EXPORT, created_by=cast.street_a)
    jobs.execute("planted", job.pk)
    jobs.execute("planted", job.pk)  # delivered twice: the finished row is not run again
    job.refresh_from_db()
    assert ran == [(job.pk, 1)]
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 1)


def test_a_failing_handler_leaves_its_error_on_the_row(cast, monkeypatch):
    def broken(row, attempt):
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(jobs.TRACKED, "broken", jobs.Tracked(Job, FakeTask(), broken))
    job = Job.objects.create(kind=JobKind.EXPORT, created_by=cast.street_a)
    with pytest.raises(RuntimeError):
        jobs.execute("broken", job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "the disk is full")


def test_the_beat_entry_requeues_every_registered_kind(cast, planted, monkeypatch):
    _ran, task = planted
    queued = []
    monkeypatch.delitem(jobs.TRACKED, "job")  # the planted kind alone owns these rows here
    monkeypatch.setattr("registry.queue.enqueue", lambda t, pk: queued.append((t, pk)) or 1)
    with time_machine.travel(NOW, tick=False):
        job = Job.objects.create(kind=JobKind.EXPORT, created_by=cast.street_a)
        Job.objects.filter(pk=job.pk).update(queued_at=timezone.now() - timedelta(hours=1))
        requeue_waiting()
    assert (task, job.pk) in queued  # the planted kind's row went back on the queue through its own task
