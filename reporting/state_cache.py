"""Figures worked out once per state of the database, kept in the web process.

A dashboard's figures change only when a transaction that writes commits. PostgreSQL names the set of committed
transactions a statement sees: ``pg_current_snapshot()`` (the oldest transaction still running, the next one to
start, the ones running between). Two reads with the same snapshot see the same rows, so figures computed under
one snapshot are exactly the figures of the next request that reads the same snapshot; any commit anywhere (a
saved organization, a target, a session pushed back) gives a new snapshot and a fresh computation. Nothing has to
be told about writes, so no write path can forget to; a figure is never older than the data the request sees.

Under load the hits are what matter: leaders reading dashboards while nobody writes (measured in the soak, where
every dashboard in a 40-second run read the same snapshot). When clerks write all day the key changes with every
commit and the cache costs one small query per dashboard.

Kept out of it: reads inside a transaction (they may see their own uncommitted writes, which a rollback takes
back), and databases other than PostgreSQL (the embedded SQLite mode): there the figures are computed every time.
Entries live ``LIFETIME`` seconds at most and the newest ``ENTRIES`` are kept, so a database restored from a backup
(whose transaction numbers start again from the backup's) cannot answer from before the restore for long; restart
the web processes after a restore (docs/backup.md).
"""

import threading
import time
from collections import OrderedDict

from django.db import connections, router
from django.urls import get_script_prefix
from django.utils.translation import get_language

ENTRIES = 256
LIFETIME = 300  # seconds

_entries: OrderedDict = OrderedDict()  # key -> (stored at, value)
_lock = threading.Lock()


def database_state(model) -> tuple | None:
    """(database alias, snapshot) of the database ``model`` is read from, or None when reads there are not
    comparable: not PostgreSQL, or inside a transaction."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        return alias, cursor.fetchone()[0]


def remembered(key: tuple, compute, model):
    """``compute()``, or what it returned for the same ``key`` under the same database state (the state of the
    database ``model`` is read from, read before computing: a commit in between makes the entry newer than its
    key, never older). The language and the script prefix are part of the key (figures carry translated text and
    links). The value is shared by the requests that hit it: callers must not change it."""
    state = database_state(model)
    if state is None:
        return compute()
    full_key = (*state, get_language(), get_script_prefix(), *key)
    now = time.monotonic()
    with _lock:
        found = _entries.get(full_key)
        if found is not None and now - found[0] < LIFETIME:
            _entries.move_to_end(full_key)
            return found[1]
    value = compute()
    with _lock:
        _entries[full_key] = (now, value)
        _entries.move_to_end(full_key)
        while len(_entries) > ENTRIES:
            _entries.popitem(last=False)
    return value


def forget():
    """Drops every entry (tests; a restore without restarting)."""
    with _lock:
        _entries.clear()
