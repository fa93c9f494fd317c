"""The documented backup (docs/backup.md) restores: pg_dump -Fc of the database, pg_restore into a new one.

The dump is taken of the test database this suite runs on, after the fixture's rows are committed, and restored
into a fresh database with a unique name that is dropped afterwards, even when an assertion fails.
"""

import os
import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from tests.factories import OrganizationFactory

TOOLS = ("pg_dump", "pg_restore", "createdb", "dropdb")


def _libpq(settings_dict):
    """Connection options for the PostgreSQL client tools, from Django's settings of the test database."""
    args = ["-h", settings_dict["HOST"] or "localhost", "-p", str(settings_dict["PORT"] or 5432)]
    if settings_dict["USER"]:
        args += ["-U", settings_dict["USER"]]
    env = {**os.environ}
    if settings_dict["PASSWORD"]:
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _rows(conninfo):
    with psycopg.connect(**conninfo) as conn, conn.cursor() as cur:
        cur.execute("SELECT name, filing_number, region_id, tier, status FROM registry_organization ORDER BY id")
        organizations = cur.fetchall()
        cur.execute("SELECT code, name, level, parent_id FROM registry_region ORDER BY code")
        regions = cur.fetchall()
    return organizations, regions


@pytest.mark.django_db(transaction=True)
def test_pg_dump_restores_the_same_organizations(world, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the backup procedure is PostgreSQL's pg_dump/pg_restore")
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    if missing:
        pytest.skip(f"PostgreSQL client tools missing: {', '.join(missing)}")

    # Names carry their community, so a mix-up of rows after the restore would show.
    for place, count in ((world.community_a1, 3), (world.community_a2, 2), (world.community_b1, 2),
                         (world.other_street, 1)):
        for n in range(1, count + 1):
            OrganizationFactory(region=place, name=f"{place.name}第{n}支志愿队")
    source = connection.settings_dict
    args, env = _libpq(source)
    conninfo = {"host": source["HOST"] or "localhost", "port": source["PORT"] or 5432, "user": source["USER"],
                "password": source["PASSWORD"] or None, "autocommit": True}
    expected = _rows({**conninfo, "dbname": source["NAME"]})
    assert len(expected[0]) == 8 and expected[1]

    dump = tmp_path / "shequ.dump"
    subprocess.run(["pg_dump", *args, "-Fc", "--no-owner", "-f", str(dump), source["NAME"]],
                   env=env, check=True, capture_output=True, timeout=120)
    assert dump.stat().st_size > 0

    restored = f"shequ_restore_{uuid.uuid4().hex[:12]}"
    subprocess.run(["createdb", *args, restored], env=env, check=True, capture_output=True, timeout=60)
    try:
        result = subprocess.run(["pg_restore", *args, "--no-owner", "--exit-on-error", "-d", restored, str(dump)],
                                env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert _rows({**conninfo, "dbname": restored}) == expected
    finally:
        subprocess.run(["dropdb", *args, "--if-exists", "--force", restored], env=env, capture_output=True,
                       timeout=60, check=False)

