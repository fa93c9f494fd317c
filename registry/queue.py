"""Putting work on the Celery queue without letting a broker outage break the page that asked for it.

The work's row (Job, YearlyReport) is written first and stays QUEUED when the broker is unreachable; the beat
entry ``requeue-waiting`` puts such rows on the queue again once the broker is back.
"""

import logging

from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> bool:
    try:
        task.delay(*args)
    except (OperationalError, ConnectionError, OSError) as exc:
        logger.warning("broker unreachable, %s%s stays queued: %s", task.name, args, exc)
        return False
    return True
