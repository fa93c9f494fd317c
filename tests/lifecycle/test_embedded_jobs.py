"""The embedded default runs the daily jobs itself: a portal started without Redis on 2 January (the job did not
run on 1 January) opens the past year's annual reports, and a street worker sees them."""

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.test_embedded import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.embedded
CLOCK = "2027-01-02 09:00:00"


def _manage(env, *args, timeout=300):
    return subprocess.run(["faketime", CLOCK, sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.skipif(shutil.which("faketime") is None, reason="needs faketime (make system-test installs it)")
def test_portal_without_redis_on_2_january_opens_the_years_annual_reports(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SHEQU_ENV")}
    env["SHEQU_DATA_DIR"] = str(tmp_path)
    assert _manage(env, "migrate", "--noinput").returncode == 0
    demo = _manage(env, "demo")
    assert demo.returncode == 0, demo.stderr
    # Independent count (DOMAIN.md §2): open registered and filed organizations on record by the end of 2026.
    owing = _manage(env, "shell", "-v", "0", "-c",
                    "from registry.models import Organization as O;"
                    "print(O.objects.filter(tier__in=['registered','filed'])"
                    ".exclude(status__in=['deregistered','revoked','cleared']).count())")
    expected = int(owing.stdout.strip())
    assert expected > 0

    port = free_port()
    server = subprocess.Popen(["faketime", CLOCK, sys.executable, "manage.py", "runserver", "--noreload",
                               f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        opened, deadline = 0, time.monotonic() + 120
        while time.monotonic() < deadline and opened < expected:
            time.sleep(2)
            counted = _manage(env, "shell", "-v", "0", "-c",
                              "from filings.models import Case;"
                              "print(Case.objects.filter(kind='annual_report', period=2026).count())")
            opened = int(counted.stdout.strip() or 0) if counted.returncode == 0 else 0
        assert opened == expected, f"{opened} of {expected} annual reports for 2026 opened"

        # A street worker signs in and finds them in the case list.
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = f"http://127.0.0.1:{port}"
        page, deadline = None, time.monotonic() + 60
        while page is None and time.monotonic() < deadline:
            try:
                page = browser.open(f"{base}/accounts/login/", timeout=10).read().decode()
            except OSError:
                time.sleep(0.5)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        browser.open(urllib.request.Request(  # noqa: S310 - a fixed http URL of the server under test
            f"{base}/accounts/login/", data=urllib.parse.urlencode({
                "csrfmiddlewaretoken": token, "username": "street", "password": "shequ-demo-2026"}).encode(),
            headers={"Referer": f"{base}/accounts/login/"}), timeout=10)
        listing = browser.open(f"{base}/cases/?kind=annual_report", timeout=30).read().decode()
        assert "NB2027" in listing  # annual reports are numbered in the year they open
    finally:
        server.terminate()
        server.wait(timeout=10)
