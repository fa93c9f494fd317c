from celery import shared_task

from registry import jobs


@shared_task(acks_late=True)
def run_job(job_id):
    jobs.run(job_id)


@shared_task
def requeue_waiting():
    """Rows of every tracked kind left QUEUED (the broker was down when they were asked for) or RUNNING under an
    expired lease (their worker was killed; Redis hands its message back only after an hour) go on the queue
    again; the claim keeps each from running twice."""
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from registry.choices import JobStatus
    from registry.queue import enqueue

    now = timezone.now()
    forgotten = Q(status=JobStatus.QUEUED, queued_at__lt=now - timedelta(seconds=jobs.lease_seconds()))
    abandoned = jobs.waiting(now) & Q(status=JobStatus.RUNNING)
    queued = 0
    for tracked in jobs.TRACKED.values():
        for pk in tracked.model.objects.filter(forgotten | abandoned).values_list("pk", flat=True):
            tracked.model.objects.filter(pk=pk).update(queued_at=timezone.now())
            queued += enqueue(tracked.task, pk)
    return queued


@shared_task
def mail_notification(notification_id):
    from registry.notifications import mail

    return mail(notification_id)
