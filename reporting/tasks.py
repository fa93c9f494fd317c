from celery import shared_task
from django.utils import timezone

from reporting import yearly
from reporting.dashboard import take_snapshots


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_yearly_report(report_id):
    yearly.run(report_id)


@shared_task
def daily_snapshots():
    return take_snapshots()


@shared_task
def schedule_yearly_reports():
    """From 1 to 9 January: every region's report for the year just ended, so all are ready by 10 January."""
    yearly.recover_stale()
    return yearly.schedule_reports(timezone.localdate().year - 1)
