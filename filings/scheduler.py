"""The embedded default's scheduler. Without Redis there is no Celery beat, so the web process runs the daily
lifecycle job itself: once at start-up — which catches up on every day it missed, because each step of
filings.lifecycle.run_daily judges a window, not the exact day (the year's annual reports open even if the
server did not run on 1 January) — and then every day at 02:00 while the server runs.
"""

import logging
import sys
import threading
from datetime import time, timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)

RUN_AT = time(2, 0)  # the same hour as the beat entry in config/settings.py
_started = threading.Event()


def is_embedded_server(argv=None) -> bool:
    """A development server without a broker: the serving process (not the autoreloader's watcher)."""
    import os

    argv = argv if argv is not None else sys.argv
    if settings.REDIS_URL or "runserver" not in argv:
        return False
    return "--noreload" in argv or os.environ.get("RUN_MAIN") == "true"


def run_once() -> dict | None:
    from filings.lifecycle import run_daily

    close_old_connections()
    try:
        result = run_daily(timezone.localdate())
        logger.info("daily lifecycle job (embedded): %s", result)
        return result
    except Exception:  # the server must keep serving; the log shows the failure and tomorrow's run retries
        logger.exception("daily lifecycle job (embedded) failed")
        return None
    finally:
        close_old_connections()


def seconds_until_next_run(now=None) -> float:
    now = timezone.localtime(now)
    next_run = now.replace(hour=RUN_AT.hour, minute=RUN_AT.minute, second=0, microsecond=0)
    if next_run <= now:
        next_run += timedelta(days=1)
    return (next_run - now).total_seconds()


def _loop(stop: threading.Event):
    while not stop.is_set():
        run_once()
        _started.set()
        stop.wait(seconds_until_next_run())


def start() -> threading.Event:
    """Starts the daily loop in a daemon thread; returns the event that stops it."""
    stop = threading.Event()
    threading.Thread(target=_loop, args=(stop,), daemon=True, name="shequ-daily-jobs").start()
    return stop


def wait_for_first_run(timeout=None) -> bool:
    return _started.wait(timeout)


