"""The import page follows a running job (a real Celery worker on Redis does the work).

No test here depends on how fast the worker is: the check of 15,000 rows takes under a second on a free core, less than
the page's one-second poll, so a test that waited to *see* a percentage between 0 and 100 was a race (it failed in CI).
Instead the test holds the organization table so the worker finishes the check and waits to save: the page must say
so, then show the result once the table is free; and the bar's movement is followed on a job row the test advances.
"""

import re

import psycopg
import pytest
from django.db import connection
from playwright.sync_api import expect

from registry.choices import JobKind, JobStatus
from registry.models import Job, Organization
from tests.lifecycle.test_import import big_file, workbook

ROWS = 15_000
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def holding_the_organization_table():
    """A second session that takes the table in EXCLUSIVE mode: reads go on, the import's COPY waits."""
    db = connection.settings_dict
    holder = psycopg.connect(host=db["HOST"] or "localhost", port=db["PORT"] or 5432, user=db["USER"],
                             dbname=db["NAME"])
    holder.execute(f"LOCK TABLE {Organization._meta.db_table} IN EXCLUSIVE MODE")
    return holder


def test_import_page_says_saving_then_shows_the_result(world, cast, browser_as, real_worker, tmp_path):
    upload = tmp_path / "organizations.xlsx"
    upload.write_bytes(workbook(big_file(ROWS)))

    page = browser_as(cast.street_a)
    page.goto(f"{page.base_url}/imports/")
    page.select_option("#id_kind", "import_organizations")
    page.set_input_files("#id_file", str(upload))
    with page.expect_navigation():
        page.get_by_test_id("start-import").click()
    # Too many rows to check on the page (PREVIEW_LIMIT): the preview says so; the confirmation queues the job.
    page.get_by_test_id("preview-unchecked").wait_for()
    holder = holding_the_organization_table()
    try:
        with page.expect_navigation():
            page.get_by_test_id("confirm-import").click()
        assert "/jobs/" in page.url
        job_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
        # Every row is checked; the rows wait for the table: the page (polled by HTMX) and the API say "saving".
        page.get_by_test_id("job-saving").wait_for(timeout=60_000)
        assert f"{ROWS}" in page.get_by_test_id("job-saving").inner_text()
        assert page.get_by_test_id("job-progress").get_attribute("data-status") == JobStatus.RUNNING
        api = page.request.get(f"{page.base_url}/api/jobs/{job_id}/").json()
        assert (api["status"], api["processed"], api["total"], api["saving"]) == (JobStatus.RUNNING, ROWS, ROWS, True)
        assert Organization.objects.count() == 0
    finally:
        holder.close()  # the table is free: the worker's COPY goes on
    page.wait_for_selector("[data-testid=job-done]", timeout=180_000)
    assert str(ROWS) in page.get_by_test_id("job-done").inner_text()
    assert Organization.objects.count() == ROWS
    assert not page.get_by_test_id("job-saving").count()


def test_the_bar_follows_the_job_without_reloading(world, cast, browser_as):
    job = Job.objects.create(kind=JobKind.IMPORT_ORGANIZATIONS, created_by=cast.street_a, input_name="orgs.xlsx",
                             status=JobStatus.RUNNING, total=ROWS, processed=3_000)
    page = browser_as(cast.street_a)
    page.goto(f"{page.base_url}/jobs/{job.pk}/")
    bar = page.get_by_test_id("progress-bar")
    expect(bar).to_have_text("20%")
    # The worker reports its chunks: the page, polling every second, follows without a reload.
    Job.objects.filter(pk=job.pk).update(processed=9_000)
    expect(bar).to_have_text("60%", timeout=10_000)
    Job.objects.filter(pk=job.pk).update(processed=ROWS)
    page.get_by_test_id("job-saving").wait_for(timeout=10_000)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, result={"imported": ROWS, "error_count": 0})
    page.get_by_test_id("job-done").wait_for(timeout=10_000)
    expect(bar).to_have_text("100%")
    assert re.search(r"15,?000", page.get_by_test_id("job-done").inner_text())
