"""Province-scale benchmark (issue goals in docs/benchmarks.md), on the synthetic province of reporting.scale."""

import statistics
import time

from django.db import connection
from django.test import Client
from django.utils import timezone

from registry.choices import RegionLevel, Role
from registry.models import Organization, Region, Term, User

GOALS_MS = {
    "dashboard_province_live": 300,
    "dashboard_province_as_of_year_back": 1000, "dashboard_province_snapshot": 50, "dashboard_county_live": None,
    "dashboard_street": 100, "organization_list": 150, "yearly_report_province_ms": 60_000,
}


def _timed(fn, runs):
    fn()  # warm the caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(p95, 1), "runs": runs}


def _user(username, role, region=None, superuser=False):
    user, _ = User.objects.get_or_create(username=username, defaults={"role": role, "is_superuser": superuser,
                                                                      "is_staff": superuser})
    if region is not None:
        user.regions.set([region])
    return user


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _get(client, url):
    def fetch():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return fetch


def ensure_data(communities=50_000, organizations=500_000, log=print):
    from reporting.scale import generate

    if Organization.objects.filter(region__code__startswith="99").count() < organizations:
        log("generating the synthetic province …")
        generate(communities, organizations, log=log)


def run(runs=10, log=print) -> dict:
    from reporting import yearly
    from reporting.dashboard import take_snapshots
    from reporting.models import ReportStatus, YearlyReport

    ensure_data(log=log)
    province = Region.objects.get(code="990000")
    county = Region.objects.get(code="990101")
    street = Region.objects.filter(parent=county).order_by("code").first()
    leader = _client(_user("bench-leader", Role.LEADER, province))
    reviewer = _client(_user("bench-reviewer", Role.DISTRICT_REVIEWER, county))
    staff = _client(_user("bench-street", Role.STREET_STAFF, street))
    admin = _client(_user("bench-admin", Role.ADMIN, superuser=True))
    category = Term.objects.get(vocabulary="category", code="mutual_aid")
    results = {"organizations": Organization.objects.filter(region__code__startswith="99").count(),
               "communities": Region.objects.filter(code__startswith="99", level=RegionLevel.COMMUNITY).count()}

    log("dashboards …")
    today = timezone.localdate()
    year_back = today.replace(year=today.year - 1, day=min(today.day, 28)).isoformat()
    results["dashboard_province_live"] = _timed(_get(leader, "/dashboard/?region=990000"), runs)
    results["dashboard_province_as_of_year_back"] = _timed(
        _get(leader, f"/dashboard/?region=990000&as_of={year_back}"), runs)
    started = time.perf_counter()
    snapshots = take_snapshots(today, max_level=RegionLevel.CITY)  # the province and its cities
    results["snapshot_province_and_cities"] = {"seconds": round(time.perf_counter() - started, 2),
                                               "values": snapshots}
    results["dashboard_province_snapshot"] = _timed(_get(leader, "/dashboard/?region=990000&source=snapshot"),
                                                    runs)
    results["dashboard_county_live"] = _timed(_get(reviewer, "/dashboard/?region=990101"), runs)
    results["dashboard_street"] = _timed(_get(staff, f"/dashboard/?region={street.code}"), runs)

    log("organization list …")
    filters = f"tier=filed&category={category.pk}"
    results["organization_list"] = _timed(_get(leader, f"/organizations/?within=990101&{filters}"), runs)
    results["organization_list_province"] = _timed(_get(leader, f"/organizations/?{filters}"), runs)
    results["admin_changelist"] = _timed(
        _get(admin, f"/admin/registry/organization/?tier__exact=filed&category__id__exact={category.pk}"), runs)

    log("raw SQL floor …")

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM registry_organization o JOIN registry_region r ON o.region_id = r.code "
                "WHERE o.region_id LIKE %s AND r.level = 5 AND r.committee_type = 'residents' "
                "AND o.status NOT IN ('deregistered', 'revoked', 'cleared')", ["99%"])
            cursor.fetchone()
    results["raw_sql_main_aggregate"] = _timed(raw, runs)

    log("yearly reports …")
    for name, region in (("county", county), ("province", province)):
        report, _ = YearlyReport.objects.update_or_create(region=region, year=today.year,
                                                          defaults={"status": ReportStatus.QUEUED})
        started = time.perf_counter()
        yearly.run(report.pk)  # figures, PDF and XLSX: the whole job
        results[f"yearly_report_{name}_ms"] = round((time.perf_counter() - started) * 1000)
    return results
