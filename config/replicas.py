"""Read replicas: which reads may leave the primary, and when they must not.

Only reads that tolerate a few seconds of lag go to a replica: the views named in ``REPLICA_VIEWS`` (dashboards),
exports (``?export=`` on any list), list counts, and the code a task wraps in ``replica_reads()`` (yearly report
figures, background exports). Everything else reads the primary. A replica is used only while it answers, is
still a standby that streams from the primary, and is at most ``REPLICA_MAX_LAG_SECONDS`` behind; its health is
probed at most every ``REPLICA_CHECK_SECONDS`` per process. A user who has just written (any unsafe request)
reads the primary for ``REPLICA_STICKY_SECONDS`` (a cookie), so they see their own change at once. A replica
that fails in the middle of a request is marked down and the request is answered again from the primary.
"""

import logging
import random
import time
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

#: Views whose reads go to a replica (dashboards and the reports list: aggregates that tolerate a little lag).
REPLICA_VIEWS = frozenset({"reporting:dashboard", "reporting:below_target"})
#: Never read from a replica: logins, sessions, lockouts and second factors must see the latest write.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "axes", "otp_totp", "django_otp", "admin", "contenttypes"})
COOKIE = "shequ_wrote"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass
class _Routing:
    allowed: bool = True  # False right after this user wrote
    alias: str | None = None  # the replica reads go to, when routed
    written: set = field(default_factory=set)  # models written while routed: read back from the primary


_routing: ContextVar[_Routing | None] = ContextVar("replica_routing", default=None)
_health: dict[str, tuple[float, bool]] = {}  # alias -> (checked at, healthy), per process

HEALTH_SQL = """
    SELECT pg_is_in_recovery(),
           coalesce((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false),
           pg_last_wal_receive_lsn()::text,
           pg_wal_lsn_diff(pg_last_wal_replay_lsn(), pg_last_wal_receive_lsn()) >= 0,
           extract(epoch FROM now() - pg_last_xact_replay_timestamp())
"""
REPLAYED_SQL = "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s::pg_lsn) >= 0"
#: How long a probe watches a standby that has received more than it has applied before calling it behind.
CATCH_UP_SECONDS = 1.0


def probe(alias) -> tuple[bool, str]:
    """Whether ``alias`` may be read from now, and why not.

    Lag is how long what the standby has received waits to be applied. "Now minus the last applied commit's time"
    is not that: after the primary has been idle for a minute, the first new commit makes a standby that applies
    it a millisecond later look a minute behind. So a standby is not behind when it has applied all it received,
    or when its last applied commit is within the limit. Otherwise it is watched for up to ``CATCH_UP_SECONDS``:
    if it applies what it had received by then, it is at most that far behind; if not (paused, blocked by a
    conflicting query, swamped), the commit-time lag is reported.
    """
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(HEALTH_SQL)
            in_recovery, streaming, received, applied, commit_lag = cursor.fetchone()
            behind = commit_lag is None or float(commit_lag) > settings.REPLICA_MAX_LAG_SECONDS
            if in_recovery and streaming and not applied and behind:
                applied = _catches_up(cursor, received, min(CATCH_UP_SECONDS, settings.REPLICA_MAX_LAG_SECONDS))
    except DatabaseError as exc:
        _close(alias)
        return False, f"unreachable: {exc}".strip()
    if not in_recovery:
        return False, "not a standby"
    if not streaming:
        return False, "not streaming from the primary"
    if not applied and behind:
        return False, f"{commit_lag} s behind"
    return True, ""


def _catches_up(cursor, received, within) -> bool:
    deadline = time.monotonic() + within
    while True:
        cursor.execute(REPLAYED_SQL, [received])
        if cursor.fetchone()[0]:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def healthy(alias) -> bool:
    now = time.monotonic()
    checked, ok = _health.get(alias, (None, False))
    if checked is None or now - checked >= settings.REPLICA_CHECK_SECONDS:
        ok, reason = probe(alias)
        if not ok and _health.get(alias, (None, True))[1]:
            logger.warning("replica %s not used: %s", alias, reason)
        _health[alias] = (now, ok)
    return ok


def mark_down(alias):
    _health[alias] = (time.monotonic(), False)
    _close(alias)


def forget_health():
    _health.clear()


def _close(alias):
    with suppress(DatabaseError):
        connections[alias].close()


def choose_replica() -> str | None:
    candidates = [alias for alias in settings.DATABASE_REPLICAS if healthy(alias)]
    return random.choice(candidates) if candidates else None  # noqa: S311 - load spreading, not security


@contextmanager
def replica_reads():
    """Reads inside go to a healthy replica, unless the current user has just written (then the primary)."""
    outer = _routing.get()
    if not settings.DATABASE_REPLICAS or (outer is not None and not outer.allowed):
        yield None
        return
    if outer is not None and outer.alias is not None:
        yield outer.alias
        return
    state = _Routing(alias=choose_replica())
    token = _routing.set(state)
    try:
        yield state.alias
    finally:
        _routing.reset(token)


def on_replica(work):
    """``work()`` with its reads on a healthy replica; when the replica fails on the way, again on the primary."""
    with replica_reads() as alias:
        if alias is None:
            return work()
        try:
            return work()
        except DatabaseError:
            if probe(alias)[0]:
                raise  # the replica is fine: the error is the work's own
            logger.warning("replica %s failed during %s, reading from the primary", alias, work)
            mark_down(alias)
    return work()


def current_replica() -> str | None:
    state = _routing.get()
    return state.alias if state is not None else None


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _routing.get()
        if state is None or state.alias is None or model._meta.app_label in PRIMARY_ONLY_APPS:
            return None
        if model._meta.label in state.written:
            return None  # read back what this request or task wrote, from where it was written
        return state.alias

    def db_for_write(self, model, **hints):
        state = _routing.get()
        if state is not None and state.alias is not None:
            state.written.add(model._meta.label)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas hold the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaMiddleware:
    """Routes the listed views and exports to a replica, keeps a user who just wrote on the primary, and answers
    a read again from the primary when its replica fails mid-request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        wrote = _float(request.COOKIES.get(COOKIE))
        recent = wrote is not None and 0 <= time.time() - wrote < settings.REPLICA_STICKY_SECONDS
        token = _routing.set(_Routing(allowed=request.method in SAFE_METHODS and not recent))
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        if request.method not in SAFE_METHODS and settings.REPLICA_STICKY_SECONDS:
            response.set_cookie(
                COOKIE,
                f"{time.time():.3f}",
                max_age=settings.REPLICA_STICKY_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view, args, kwargs):
        state = _routing.get()
        if state is None or not state.allowed:
            return None
        match = request.resolver_match
        if (match and match.view_name in REPLICA_VIEWS) or request.GET.get("export"):
            request.user.is_authenticated  # noqa: B018 - load the session and user from the primary first
            state.alias = choose_replica()
            request._replica_view = (view, args, kwargs)
        return None

    def process_exception(self, request, exception):
        state = _routing.get()
        if state is None or state.alias is None or not isinstance(exception, DatabaseError) or probe(state.alias)[0]:
            return None
        logger.warning("replica %s failed mid-request, answering from the primary: %s", state.alias, exception)
        mark_down(state.alias)
        state.alias = None
        view, args, kwargs = request._replica_view
        response = view(request, *args, **kwargs)
        return response.render() if hasattr(response, "render") and not response.is_rendered else response


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
