"""Benchmarks behind `make bench`. Each returns figures; the command prints them. Nothing they write is kept:
each runs inside a transaction that is rolled back."""

import io
import os
import time
from contextlib import contextmanager
from importlib import import_module

from django.db import connection, transaction
from django.utils import timezone


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def _database_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL backend serving this connection, when the server runs on this
    machine (Linux /proc), else None: with the process's own CPU time, what a row costs whatever the load."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def import_throughput(rows=5000) -> dict:
    """Excel import of ``rows`` organizations: validation of every row, then the all-or-nothing import."""
    from django.core.files.base import ContentFile
    from openpyxl import Workbook

    from registry import jobs
    from registry.choices import CommitteeType, JobKind, RegionLevel, Role
    from registry.models import Job, Region, User
    from registry.resources import OrganizationResource
    from registry.vocabularies import seed_terms

    figures = {}
    # Its own code prefix (98): the synthetic province of the scale benchmark (99) may be in the same database.
    with rolled_back():
        from registry.models import Term

        seed_terms(Term)
        county = Region.objects.create(code="980101", name="基准区", level=RegionLevel.COUNTY)
        street = Region.objects.create(code="980101001", name="基准街道", level=RegionLevel.STREET, parent=county)
        communities = [Region.objects.create(code=f"980101001{n:03d}", name=f"基准{n}社区", parent=street,
                                             level=RegionLevel.COMMUNITY, committee_type=CommitteeType.RESIDENTS)
                       for n in range(1, 11)]
        user = User.objects.create(username=f"bench-{time.time_ns()}", role=Role.STREET_STAFF)
        user.regions.set([street])
        headers = [f.column_name for f in OrganizationResource().get_import_fields()]
        book = Workbook()
        book.active.append(headers)
        for i in range(rows):
            values = {"组织名称": f"基准组织{i:06d}", "管理层级": "街道备案", "类别": "居民互助类",
                      "社区（区划）代码": communities[i % 10].code, "负责人": "王芳",
                      "负责人身份证号码": "11010519491231002X", "成员数": 20, "备案编号": f"BENCH-{i:06d}"}
            book.active.append([values.get(h, "") for h in headers])
        buffer = io.BytesIO()
        book.save(buffer)
        job = Job(kind=JobKind.IMPORT_ORGANIZATIONS, created_by=user, input_name="bench.xlsx")
        job.input_file.save("bench.xlsx", ContentFile(buffer.getvalue()), save=False)
        job.save()
        started, cpu_started, db_started = time.perf_counter(), time.process_time(), _database_cpu()
        jobs.run(job.pk)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        db_cpu = None if db_started is None else _database_cpu() - db_started
        job.refresh_from_db()
        job.input_file.delete(save=False)
        # CPU time of this process (the database's own work is not in it) and the load: two cores are shared.
        figures = {"rows": rows, "seconds": round(seconds, 2), "rows_per_second": round(rows / seconds),
                   "cpu_ms_per_row": round(cpu * 1000 / rows, 3),
                   "database_cpu_ms_per_row": None if db_cpu is None else round(db_cpu * 1000 / rows, 3),
                   "load_average": round(os.getloadavg()[0], 2),
                   "status": job.status}
    return figures


def app_benchmarks() -> dict:
    """Benchmarks other apps provide as ``<app>.bench.run()``."""
    results = {}
    for app in ("grants", "partybuilding"):
        try:
            module = import_module(f"{app}.bench")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.bench":
                raise
            continue
        results[app] = module.run()
    return results


def run_all(scale=True) -> dict:
    from django.conf import settings

    # Only the replica benchmark reads from a replica; every other figure is the primary's.
    configured, settings.DATABASE_REPLICAS = list(settings.DATABASE_REPLICAS), []
    results = {"when": timezone.now().isoformat(timespec="seconds"), "import": import_throughput(),
               **app_benchmarks()}
    if scale:
        from reporting import ops_bench
        from reporting.scale_bench import ensure_data, run

        ensure_data()
        results["list_vs_admin"] = ops_bench.list_ratios()
        results["replica_dashboard"] = ops_bench.replica_dashboard(configured)
        results["scale"] = run()
    return results
