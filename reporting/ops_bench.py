"""`make bench`, operations part: the generic organization list against the Django admin changelist for the same
rows and filter (province and county), and a dashboard read through the replica router beside the primary.
Runs on the synthetic province of reporting.scale (generated once by scale_bench.ensure_data)."""

from django.conf import settings
from django.db import connections

from registry.choices import Role
from registry.models import Region, Term
from reporting.scale_bench import _client, _get, _interleaved, _load_average, _timed, _user

LIST_GOAL_RATIO = 0.5  # p95 of the list / p95 of the admin changelist (issue 16)


def list_ratios(runs=30, log=print) -> dict:
    province = Region.objects.get(code="990000")
    county = Region.objects.get(code="990101")
    category = Term.objects.get(vocabulary="category", code="mutual_aid")
    admin = _client(_user("bench-admin", Role.ADMIN, superuser=True))
    filters = f"tier=filed&category={category.pk}"
    admin_filters = f"tier__exact=filed&category__id__exact={category.pk}"
    results = {}
    for name, region, role in (("province", province, Role.LEADER), ("county", county, Role.DISTRICT_REVIEWER)):
        log(f"organization list at the {name} against the admin changelist …")
        client = _client(_user(f"bench-{name}-list", role, region))
        # The list (count, sorting by name, the filter form); the admin for the same rows: it has no region
        # filter, so at the county it lists the whole province's matching rows (what it can do at best).
        # The two are measured in turns, so a neighbour's burst of load falls on both alike.
        ours, theirs = _interleaved(_get(client, f"/organizations/?{filters}&sort=name"),
                                    _get(admin, f"/admin/registry/organization/?{admin_filters}&o=1"), runs)
        ratio = round(ours["p95_ms"] / theirs["p95_ms"], 2)
        results[name] = {"list": ours, "admin_changelist": theirs, "ratio_p95": ratio,
                         "cpu_ratio_p50": round(ours["cpu_p50_ms"] / theirs["cpu_p50_ms"], 2),
                         "goal": f"≤ {LIST_GOAL_RATIO}", "met": ratio <= LIST_GOAL_RATIO,
                         "load_average": _load_average()}
    return results


def replica_dashboard(configured, runs=10, log=print) -> dict:
    """The province dashboard (live) read from the primary, then through the router from the replica
    ``configured[0]`` (the other benchmarks run with no replica)."""
    from config import replicas

    if not configured:
        return {"skipped": "no DATABASE_REPLICA_URLS (make bench starts a standby and sets it)"}
    province = Region.objects.get(code="990000")
    leader = _client(_user("bench-leader", Role.LEADER, province))
    url = "/dashboard/?region=990000&live=1"
    log("dashboard on the primary and on the replica …")
    runs = max(3, runs // 3)
    primary = _timed(_get(leader, url, computed=True), runs)
    settings.DATABASE_REPLICAS = configured[:1]
    replicas.forget_health()
    served = []

    def count(execute, sql, params, many, context):
        served.append(sql)
        return execute(sql, params, many, context)

    try:
        with connections[configured[0]].execute_wrapper(count):
            replica = _timed(_get(leader, url, computed=True), runs)
    finally:
        settings.DATABASE_REPLICAS = []
    return {"primary": primary, "replica": replica, "queries_on_replica": len(served),
            "replica_healthy": replicas.probe(configured[0])}
