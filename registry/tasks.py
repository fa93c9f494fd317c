from celery import shared_task

from registry import jobs


@shared_task(acks_late=True)
def run_job(job_id):
    jobs.run(job_id)


@shared_task
def requeue_waiting():
    """Rows left QUEUED (e.g. the broker was down when they were asked for) go on the queue again."""
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from registry.models import Job
    from registry.queue import enqueue

    # A message of a killed worker comes back only after the broker's visibility timeout (an hour on Redis), so
    # work whose heartbeat stopped is taken over here too; the claim keeps it from running twice.
    cutoff = timezone.now() - timedelta(minutes=2)
    queued = 0
    waiting = Q(status="queued", queued_at__lt=cutoff) | Q(status="running", heartbeat_at__lt=cutoff)
    for job_id in Job.objects.filter(waiting).values_list("pk", flat=True):
        Job.objects.filter(pk=job_id).update(queued_at=timezone.now())
        queued += enqueue(run_job, job_id)
    try:
        from reporting.models import YearlyReport
        from reporting.tasks import build_yearly_report
    except ImportError:
        return queued
    for report_id in YearlyReport.objects.filter(waiting).values_list("pk", flat=True):
        YearlyReport.objects.filter(pk=report_id).update(status="queued", queued_at=timezone.now())
        queued += enqueue(build_yearly_report, report_id)
    return queued
