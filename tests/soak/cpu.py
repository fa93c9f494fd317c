"""The soak pages' own cost, without a server: web CPU (``time.process_time``) and queries per request.

Django's test client, logged in as each of the soak's six demo accounts in turn, on a database loaded with
``manage.py demo``; per page 3 warm-ups then ``--runs`` requests, the median CPU per account, then the mean over the
accounts. CPU time is this process's own work, so it holds on a shared machine where the wall clock does not.

    DATABASE_URL=postgres://.../shequ_soak SHEQU_ENV=development DEBUG=false \\
        .venv/bin/python tests/soak/cpu.py [--runs 10] [--pages list,detail,dashboard] [--profile list --as street]

``--profile PAGE`` runs cProfile (CPU time) over the requests of one page as one account and prints the top
functions (cumulative and own time) instead of the table. ``--snapshot DIR`` writes the pages each account sees
(the three pages, the list sorted, filtered and paged, several organizations) with the CSRF token blanked, so the
HTML before and after a change can be compared with ``diff -r``.
"""

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = ("street", "street_lead", "street2", "community", "reviewer", "leader")
PAGES = ("list", "detail", "dashboard")


def setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def client_for(username):
    from django.conf import settings
    from django.test import Client

    from registry.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username=username))
    if "localhost" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return client


def urls(client):
    """The soak's three pages for this account: the detail is the first organization its list links to."""
    html = client.get("/organizations/").content.decode()
    ids = re.findall(r'href="/organizations/(\d+)/"', html)
    detail = f"/organizations/{ids[0]}/" if ids else "/organizations/"
    return {"list": "/organizations/", "detail": detail, "dashboard": "/dashboard/"}


def measure(client, url, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    cpu = []
    for _ in range(runs):
        started = time.process_time()
        client.get(url)
        cpu.append((time.process_time() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return statistics.median(cpu), len(captured.captured_queries)


def table(runs, pages):
    results = {page: [] for page in pages}
    for username in ACCOUNTS:
        client = client_for(username)
        targets = urls(client)
        for page in pages:
            results[page].append(measure(client, targets[page], runs))
    print(f"{'page':<10} {'CPU ms (mean of medians)':>26} {'per account':>40} {'queries':>12}")
    for page, rows in results.items():
        cpu = [row[0] for row in rows]
        counts = sorted({row[1] for row in rows})
        count = f"{counts[0]}–{counts[-1]}" if len(counts) > 1 else str(counts[0])
        print(f"{page:<10} {statistics.mean(cpu):>26.1f} {' '.join(f'{c:5.1f}' for c in cpu):>40} {count:>12}")


SNAPSHOT_QUERIES = (
    "",
    "?sort=name",
    "?sort=-member_count&page=2",
    "?tier=filed",
    "?status=active&page=3",
    "?q=%E7%A4%BE",
    "?sort=region",
)


def snapshot(directory):
    from django.db.models import Min

    from registry.models import Organization

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    within = Organization.objects.aggregate(region=Min("region_id"))["region"]
    for username in ACCOUNTS:
        client = client_for(username)
        targets = urls(client)
        html = client.get("/organizations/?per_page=200").content.decode()
        ids = sorted(set(re.findall(r'href="/organizations/(\d+)/"', html)))[:8]
        pages = {f"list{query}": f"/organizations/{query}" for query in SNAPSHOT_QUERIES}
        pages[f"list?within={within}"] = f"/organizations/?within={within}"
        pages.update({f"detail-{pk}": f"/organizations/{pk}/" for pk in ids})
        pages["dashboard"] = targets["dashboard"]
        pages["home"] = "/"
        for name, url in pages.items():
            response = client.get(url)
            body = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r'\1"-"', response.content.decode())
            (directory / f"{username}-{name.replace('/', '_')}.html").write_text(f"{response.status_code}\n{body}")


def profile(page, username, runs, limit):
    client = client_for(username)
    url = urls(client)[page]
    for _ in range(3):
        client.get(url)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(runs):
        client.get(url)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(limit)
        print(out.getvalue())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--profile", choices=PAGES)
    parser.add_argument("--as", dest="username", default="street", choices=ACCOUNTS)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--snapshot", metavar="DIR")
    args = parser.parse_args()
    setup()
    if args.snapshot:
        snapshot(args.snapshot)
    elif args.profile:
        profile(args.profile, args.username, args.runs, args.limit)
    else:
        table(args.runs, [page for page in args.pages.split(",") if page])


if __name__ == "__main__":
    main()
