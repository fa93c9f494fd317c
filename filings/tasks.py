from celery import shared_task

from filings.lifecycle import run_daily


@shared_task
def daily_lifecycle():
    return run_daily()
