"""A real streaming replica for the router's tests: `config/standby.sh` starts a hot standby of this machine's
PostgreSQL on port 5433 (created once with pg_basebackup), and each test reads the test database through it."""

import os
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from config import replicas

ROOT = Path(__file__).resolve().parents[2]
STANDBY_PORT = int(os.environ.get("STANDBY_PORT", "5433"))
ALIAS = "replica_1"


def standby(command):
    return subprocess.run(
        [str(ROOT / "config/standby.sh"), command],
        capture_output=True,
        text=True,
        timeout=400,
        env={**os.environ, "STANDBY_PORT": str(STANDBY_PORT)},
    )


@pytest.fixture(scope="session")
def standby_server(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        vendor = connection.vendor
    if vendor != "postgresql":
        pytest.skip("read replicas need PostgreSQL (make test uses it)")
    started = standby("start")
    assert started.returncode == 0, f"config/standby.sh start failed:\n{started.stdout}\n{started.stderr}"
    # Registered before any test of this folder sets up its databases (they name it); a mirror, so never flushed.
    default = connections["default"].settings_dict
    connections.settings[ALIAS] = {
        **default,
        "HOST": "localhost",
        "PORT": str(STANDBY_PORT),
        "CONN_MAX_AGE": 0,
        "TEST": {**default["TEST"], "MIRROR": "default"},
    }
    yield STANDBY_PORT
    connections[ALIAS].close()


@pytest.fixture
def replica(standby_server, settings):
    """The alias ``replica_1``: the test database on the standby, routed to as in production."""
    settings.DATABASE_REPLICAS = [ALIAS]
    settings.REPLICA_CHECK_SECONDS = 0  # probe on every use: the tests change the standby's state
    replicas.forget_health()
    yield ALIAS
    replicas.forget_health()
    connections[ALIAS].close()
    if standby("status").returncode != 0:
        standby("start")


def replayed(timeout=20):
    """Waits until the standby has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0", [lsn])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError(f"the standby did not replay up to {lsn} within {timeout} s")


def replay(action):
    with connections[ALIAS].cursor() as cursor:
        cursor.execute(f"SELECT pg_wal_replay_{action}()")
