from celery import shared_task

from registry import jobs


@shared_task(acks_late=True)
def run_job(job_id):
    jobs.run(job_id)


@shared_task
def requeue_waiting():
    """Rows left QUEUED (e.g. the broker was down when they were asked for) go on the queue again."""
    from datetime import timedelta

    from django.utils import timezone

    from registry.models import Job
    from registry.queue import enqueue

    cutoff = timezone.now() - timedelta(minutes=2)
    queued = 0
    for job_id in Job.objects.filter(status="queued", queued_at__lt=cutoff).values_list("pk", flat=True):
        Job.objects.filter(pk=job_id).update(queued_at=timezone.now())
        queued += enqueue(run_job, job_id)
    try:
        from reporting.models import YearlyReport
        from reporting.tasks import build_yearly_report
    except ImportError:
        return queued
    for report_id in YearlyReport.objects.filter(status="queued", queued_at__lt=cutoff).values_list("pk", flat=True):
        YearlyReport.objects.filter(pk=report_id).update(queued_at=timezone.now())
        queued += enqueue(build_yearly_report, report_id)
    return queued
