import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from reporting import yearly
from reporting.models import ReportStatus, YearlyReport
from reporting.targets import adopt_preset


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", path, "-"], capture_output=True, check=True).stdout.decode()


@pytest.mark.django_db(transaction=True)
def test_yearly_report_runs_through_a_real_worker_and_holds_the_figures(district, cast, real_worker,
                                                                        django_capture_on_commit_callbacks):
    adopt_preset("330106", "mca-2017")
    report = yearly.request_report(cast.reviewer, district.county, 2026)
    deadline = timezone.now() + timedelta(seconds=90)
    while timezone.now() < deadline:
        report.refresh_from_db()
        if report.status in (ReportStatus.DONE, ReportStatus.FAILED):
            break
        import time

        time.sleep(0.5)
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 1
    text = pdf_text(report.pdf.path)
    assert "西湖区" in text and "2026" in text
    assert "10.8" in text  # organizations per urban community: 130 / 12
    assert "4.4" in text   # per rural community: 40 / 9
    assert "130 / 12" in text and "40 / 9" in text
    assert "北山街道" in text and "灵隐街道" in text


def test_rerunning_replaces_the_files(district, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = yearly.request_report(cast.reviewer, district.county, 2026)
    report.refresh_from_db()
    first = report.pdf.name
    with django_capture_on_commit_callbacks(execute=True):
        yearly.request_report(cast.reviewer, district.county, 2026)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.pdf.name != first
    assert not report.pdf.storage.exists(first)
    assert YearlyReport.objects.count() == 1


def test_a_report_whose_worker_died_is_retryable_not_stuck(district, cast, django_capture_on_commit_callbacks):
    report = YearlyReport.objects.create(region=district.county, year=2026, status=ReportStatus.RUNNING,
                                         heartbeat_at=timezone.now() - timedelta(minutes=30))
    assert yearly.is_stale(report)
    assert yearly.recover_stale() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        yearly.request_report(cast.reviewer, district.county, 2026)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE


def test_a_redelivered_message_does_not_build_twice(district, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = yearly.request_report(cast.reviewer, district.county, 2026)
    report.refresh_from_db()
    yearly.run(report.pk)
    report.refresh_from_db()
    assert report.attempts == 1


def test_submission_is_recorded_and_the_superior_sees_it(district, cast, client_for,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = yearly.request_report(cast.street_a, district.street_a, 2026)
    client = client_for(cast.street_a)
    client.post(f"/reports/{report.pk}/", {"action": "submit"})
    report.refresh_from_db()
    assert report.submitted_by == cast.street_a
    listing = client_for(cast.reviewer).get(f"/reports/?region={district.county.code}&year=2026").content.decode()
    assert timezone.localtime(report.submitted_at).strftime("%Y-%m-%d") in listing  # the page shows local dates
    assert client_for(cast.street_b).get(f"/reports/{report.pk}/").status_code == 404


def test_schedule_queues_every_region_down_to_the_street(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        queued = yearly.schedule_reports(2026)
    # province, city, 2 counties, 3 streets of the shared world
    assert queued == 7
