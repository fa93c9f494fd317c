"""The read-replica router against a real hot standby: what goes to the replica, what stays on the primary
(a user's reads right after they wrote, a lagging replica, one that stopped), and that answers stay right."""

import re
import threading
import time

import psycopg
import pytest
import time_machine
from django.db import connections
from django.test import Client

from config import replicas
from registry.choices import RegionLevel
from registry.models import Organization, Region
from tests.factories import OrganizationFactory
from tests.replica.conftest import ALIAS, STANDBY_PORT, replay, replayed, standby

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", ALIAS])


def english_client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def replica_queries(fetch):
    """The response of ``fetch()`` and how many queries the standby answered for it."""
    seen = []

    def count(execute, sql, params, many, context):
        if "pg_last_wal_replay_lsn" not in sql:  # the health probe
            seen.append(sql)
        return execute(sql, params, many, context)

    with connections[ALIAS].execute_wrapper(count):  # unlike CaptureQueriesContext, does not connect by itself
        response = fetch()
    assert response.status_code == 200, response.status_code
    return response, len(seen)


def records(response):
    return int(re.search(r"(\d+) records?", response.content.decode()).group(1))


def test_the_alias_is_a_streaming_standby(replica):
    with connections[replica].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_setting('port')")
        assert cursor.fetchone() == (True, str(connections.settings[replica]["PORT"]))
    replayed()
    assert replicas.probe(replica) == (True, "")


def test_a_standby_applying_a_commit_after_the_primary_was_idle_is_not_behind(replica, world, settings):
    """Now minus the last applied commit's time looks as long as the primary was idle; a standby that applies
    what it received within the probe's wait is not behind (CI once refused a healthy standby "53 s behind")."""
    settings.REPLICA_MAX_LAG_SECONDS = 1
    replay("pause")
    try:
        time.sleep(1.2)  # the last applied commit is now older than the limit
        OrganizationFactory(region=world.community_a1)  # received, not applied until the resume below
        resume = threading.Timer(0.3, _resume_replay)
        resume.start()
        try:
            assert replicas.probe(replica) == (True, "")
        finally:
            resume.join()
    finally:
        replay("resume")


def _resume_replay():
    with psycopg.connect(
        host="localhost", port=STANDBY_PORT, user="postgres", dbname="postgres", autocommit=True
    ) as standby_connection:
        standby_connection.execute("SELECT pg_wal_replay_resume()")


def test_dashboards_exports_and_list_counts_read_from_the_replica(replica, world, cast):
    OrganizationFactory.create_batch(3, region=world.community_a1)
    replayed()
    client = english_client(cast.leader)

    _, dashboard = replica_queries(lambda: client.get("/dashboard/?region=330106"))
    assert dashboard > 0
    _, export = replica_queries(lambda: client.get("/organizations/?export=csv"))
    assert export > 0
    response, listing = replica_queries(lambda: client.get("/organizations/"))
    assert listing == 1  # the count; the page's rows come from the primary
    assert records(response) == 3
    _, detail = replica_queries(lambda: client.get(f"/organizations/{Organization.objects.first().pk}/"))
    assert detail == 0  # everything else reads the primary


def test_a_user_reads_their_own_write_while_the_replica_lags(replica, world, cast, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 300  # the paused standby still counts as healthy: only the cookie decides
    writer, reader = english_client(cast.street_a), english_client(cast.leader)
    before = records(reader.get("/regions/"))
    replay("pause")
    try:
        response = writer.post(
            "/regions/new-community/",
            {"parent": world.street_a.code, "code": "330106002003", "name": "新社区", "urban_rural_code": "111"},
        )
        assert response.status_code == 302
        assert Region.objects.filter(code="330106002003", level=RegionLevel.COMMUNITY).exists()

        fresh, on_replica = replica_queries(lambda: writer.get("/regions/?q=新社区"))
        assert on_replica == 0 and records(fresh) == 1  # the writer: primary, sees the new community
        stale, on_replica = replica_queries(lambda: reader.get("/regions/"))
        assert on_replica == 1 and records(stale) == before  # another user: the (paused) replica
        with time_machine.travel(time.time() + settings.REPLICA_STICKY_SECONDS + 1):
            _, on_replica = replica_queries(lambda: writer.get("/regions/"))
        assert on_replica == 1  # the window has passed
    finally:
        replay("resume")
    replayed()
    assert records(reader.get("/regions/")) == before + 1


def test_a_replica_lagging_beyond_the_limit_is_not_read(replica, world, cast, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 1
    client = english_client(cast.leader)
    replay("pause")
    try:
        OrganizationFactory(region=world.community_a1)  # WAL the standby receives but does not apply
        time.sleep(1.5)
        healthy, reason = replicas.probe(replica)
        assert not healthy and "behind" in reason
        response, on_replica = replica_queries(lambda: client.get("/organizations/"))
        assert on_replica == 0 and records(response) == 1
    finally:
        replay("resume")
    replayed()
    assert replicas.probe(replica) == (True, "")


def test_the_replica_stopped_mid_test(replica, world, cast, settings):
    OrganizationFactory.create_batch(2, region=world.community_a1)
    replayed()
    client = english_client(cast.leader)
    assert replica_queries(lambda: client.get("/dashboard/?region=330106"))[1] > 0

    settings.REPLICA_CHECK_SECONDS = 3600  # still believed healthy: the query itself fails, mid-request
    replicas.forget_health()
    assert replicas.healthy(replica)
    stopped = standby("stop")
    assert stopped.returncode == 0, stopped.stderr
    try:
        response, _ = replica_queries(lambda: client.get("/organizations/"))
        assert records(response) == 2  # answered again from the primary
        assert client.get("/dashboard/?region=330106").status_code == 200
        assert not replicas.healthy(replica)  # marked down; no further attempts until the next probe

        settings.REPLICA_CHECK_SECONDS = 0  # probing a stopped standby: refused at once, primary used
        response, _ = replica_queries(lambda: client.get("/organizations/"))
        assert records(response) == 2
        assert "unreachable" in replicas.probe(replica)[1]
    finally:
        started = standby("start")
    assert started.returncode == 0, started.stdout + started.stderr
    replicas.forget_health()
    assert replica_queries(lambda: client.get("/organizations/"))[1] == 1  # back on the replica


def test_task_reads_wrapped_for_the_replica_read_back_their_own_writes(replica, world):
    OrganizationFactory(region=world.community_a1)
    replayed()
    with replicas.replica_reads() as alias:
        assert alias == replica
        assert Organization.objects.db == replica
        assert Region.objects.db == replica
        Organization.objects.filter(region=world.community_a1).update(member_count=99)  # a write: the primary
        assert Organization.objects.db == "default"  # this model is now read back from the primary
        assert Organization.objects.get().member_count == 99
        assert Region.objects.db == replica
        from registry.models import User

        assert User.objects.db == replica
        from django.contrib.sessions.models import Session

        assert Session.objects.db == "default"  # sessions and logins never leave the primary
    assert Organization.objects.db == "default"
