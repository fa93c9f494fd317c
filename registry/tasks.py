from celery import shared_task

from registry import jobs


@shared_task(acks_late=True)
def run_job(job_id):
    jobs.run(job_id)
