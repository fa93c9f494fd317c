"""The suite on several processes (pytest-xdist; `make test` runs `-n $(TEST_WORKERS)`).

pytest-django gives each worker a test database of its own (test_shequ_gw0, test_shequ_gw1, ...); here each also
gets a Redis database of its own: the configured one minus the worker's index (db 15 for gw0, 14 for gw1, ...).

Tests that start processes of their own (a Celery worker on Redis, the hot standby on port 5433, the portal in its
embedded mode) would fight over the broker, the standby or the machine's two cores if they ran side by side. The
files in ``SERIAL`` therefore all go to one worker, first, one after the other; the other workers share out the
rest. xdist's own ``--dist loadgroup`` with ``xdist_group`` marks does not hold them together (pytest 9.2, xdist 3.8),
hence the scheduler below. A test that starts such a process from a file missing in ``SERIAL`` fails collection.
"""

import functools
import inspect
import os
import re
from urllib.parse import urlsplit, urlunsplit

import pytest
from xdist.scheduler import LoadScheduling

#: Files (node id prefixes) whose tests run one after another on a single worker.
SERIAL = (
    "tests/replica/",  # the hot standby on port 5433 (config/standby.sh), started, stopped and paused
    "tests/hardening/test_jobs_once.py",  # real Celery workers, one of them killed mid-job
    "tests/reporting/test_yearly.py",  # a real worker builds the yearly report
    "tests/e2e/test_import_progress.py",  # a real worker runs the import the page polls
    "tests/ops/test_queues.py",  # a real worker on the imports queue only
    "tests/test_embedded.py",  # the embedded portal: migrate, demo and runserver in subprocesses
    "tests/lifecycle/test_embedded_jobs.py",  # the embedded portal under faketime
)

#: Fixtures that start a process of their own (or the standby); tests using them must be in ``SERIAL``.
PROCESS_FIXTURES = {"real_worker", "imports_worker", "standby_server", "embedded_env"}
# A long-lived subprocess started by the test itself (subprocess.run of pdftotext and the like is fine anywhere).
STARTS_PROCESS = re.compile(r"\bPopen\(")


def is_serial(nodeid: str) -> bool:
    return nodeid.startswith(SERIAL)


def worker_index() -> int | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") else None


def worker_redis_url(url: str, index: int) -> str:
    """``url`` with its database number lowered by ``index`` (redis://host:6379/15 -> /14 for gw1)."""
    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0) - index
    if db < 0:
        raise pytest.UsageError(f"REDIS_URL={url} leaves no Redis database for xdist worker gw{index}: "
                                f"use a higher database number or fewer workers")
    return urlunsplit(parts._replace(path=f"/{db}"))


def pytest_configure(config):
    """On an xdist worker, move the broker and the cache to the worker's own Redis database."""
    index = worker_index()
    if not index:  # the controller, a serial run, or gw0 (keeps the configured database)
        return
    from django.conf import settings

    if not settings.REDIS_URL:
        return
    url = worker_redis_url(settings.REDIS_URL, index)
    os.environ["REDIS_URL"] = url  # for the processes tests start
    settings.REDIS_URL = url
    settings.CELERY_BROKER_URL = url
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": url}}
    from config.celery import app

    app.conf.broker_url = url


@functools.cache
def _module_starts_processes(module) -> bool:
    try:
        return bool(STARTS_PROCESS.search(inspect.getsource(module)))
    except (OSError, TypeError):
        return False


def _starts_processes(item) -> bool:
    if PROCESS_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    module = getattr(item, "module", None)
    return module is not None and _module_starts_processes(module)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    strays = sorted({item.nodeid.split("::")[0] for item in items
                     if not is_serial(item.nodeid) and _starts_processes(item)})
    if strays:
        raise pytest.UsageError("these test files start processes of their own but are not in tests/parallel.py "
                                "SERIAL (they must not run beside each other): " + ", ".join(strays))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") == "each":
        return None
    return SerialFirstScheduling(config, log)


class SerialFirstScheduling(LoadScheduling):
    """xdist's load scheduling, except that the ``SERIAL`` tests go first, all of them, to the first worker."""

    def schedule(self):
        assert self.collection_is_completed
        if self.collection is not None:
            for node in self.nodes:
                self.check_schedule(node)
            return
        if not self._check_nodes_have_same_collection():
            self.log("**Different tests collected, aborting run**")
            return
        self.collection = next(iter(self.node2collection.values()))
        if not self.collection:
            return
        if self.maxschedchunk is None:
            self.maxschedchunk = len(self.collection)
        serial = [index for index, nodeid in enumerate(self.collection) if is_serial(nodeid)]
        self.pending[:] = [index for index, nodeid in enumerate(self.collection) if not is_serial(nodeid)]
        first = self.nodes[0]
        if serial:
            self.node2pending[first].extend(serial)
            first.send_runtest_some(serial)
        chunk = max(2, min(len(self.pending) // len(self.nodes) // 4, self.maxschedchunk))
        for node in self.nodes:
            self._send_tests(node, chunk)
        if not self.pending:
            for node in self.nodes:
                node.shutdown()
