"""A broker outage never breaks the page that queues work, and queued work is never done twice."""

from datetime import timedelta

from django.utils import timezone
from kombu.exceptions import OperationalError

from registry import jobs
from registry.models import Job
from registry.tasks import requeue_waiting
from reporting import yearly
from reporting.models import ReportStatus, YearlyReport
from reporting.tasks import build_yearly_report


def test_a_report_asked_for_while_the_broker_is_down_stays_queued_then_runs(world, cast, monkeypatch,
                                                                            django_capture_on_commit_callbacks):
    def broker_down(*args):
        raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(build_yearly_report, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            report = yearly.request_report(cast.reviewer, world.county, 2026)
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED

    YearlyReport.objects.filter(pk=report.pk).update(queued_at=timezone.now() - timedelta(minutes=5))
    assert requeue_waiting() == 1  # the broker is back: the beat entry puts it on the queue again
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.attempts == 1


def test_the_page_answers_while_the_broker_is_down(world, cast, client_for, monkeypatch):
    def broker_down(*args):
        raise OperationalError("Connection refused.")

    monkeypatch.setattr(build_yearly_report, "delay", broker_down)
    response = client_for(cast.reviewer).post("/api/yearly-reports/", {"region": "330106", "year": 2026},
                                              content_type="application/json")
    assert response.status_code == 202 and response.json()["status"] == "queued"


def test_a_job_runs_once_even_if_two_messages_arrive(world, cast):
    job = Job.objects.create(kind="import_organizations", created_by=cast.street_a, status="queued")
    assert jobs.claim(Job, job.pk) == 1
    assert jobs.claim(Job, job.pk) is None  # a second message while it runs does nothing
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    assert jobs.claim(Job, job.pk) == 2  # its lease expired (the worker is gone): another may take it over
    assert jobs.owned(Job, job.pk, 1).update(status="succeeded") == 0  # the first attempt can no longer write


def test_a_report_whose_worker_was_killed_is_taken_over_and_done_once(world, cast):
    report = YearlyReport.objects.create(region=world.county, year=2026, status=ReportStatus.RUNNING, progress=20,
                                         attempts=1, heartbeat_at=timezone.now() - timedelta(minutes=3))
    assert requeue_waiting() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.attempts == 2
    assert requeue_waiting() == 0  # nothing left to take over
