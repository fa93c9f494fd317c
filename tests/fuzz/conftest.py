import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@pytest.fixture
def wsgi_keeps_connection():
    """Calls go straight to the WSGI app, whose request signals would close the test transaction's connection."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


# API fuzz tally, printed after the run (docs/security.md records the figures): cases per operation and statuses.
CASES: dict[str, int] = {}
STATUSES: dict[str, int] = {}


def pytest_terminal_summary(terminalreporter):
    if CASES:
        statuses = ", ".join(f"{key}: {count}" for key, count in sorted(STATUSES.items()))
        terminalreporter.write_line(f"API fuzz: {len(CASES)} operations, {sum(CASES.values())} cases ({statuses})")
