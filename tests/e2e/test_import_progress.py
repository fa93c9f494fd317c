"""The import page shows the progress of a running job (a real Celery worker on Redis does the work)."""

import re

import pytest
from playwright.sync_api import expect

from registry.models import Organization
from tests.lifecycle.test_import import big_file, workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_page_shows_progress_then_the_result(world, cast, browser_as, real_worker, tmp_path):
    upload = tmp_path / "organizations.xlsx"
    upload.write_bytes(workbook(big_file(3000)))

    page = browser_as(cast.street_a)
    page.goto(f"{page.base_url}/imports/")
    page.select_option("#id_kind", "import_organizations")
    page.set_input_files("#id_file", str(upload))
    with page.expect_navigation():
        page.get_by_test_id("start-import").click()
    # Too many rows to check on the page (PREVIEW_LIMIT): the preview says so; the confirmation queues the job.
    page.get_by_test_id("preview-unchecked").wait_for()
    with page.expect_navigation():
        page.get_by_test_id("confirm-import").click()
    assert "/jobs/" in page.url

    # While the worker checks the rows, the bar moves (HTMX polls the job every second).
    page.wait_for_selector("[data-testid=job-progress][data-status=running]", timeout=30_000)
    # A percentage strictly between 0 and 100 ("1%" … "99%"), read by a locator (no script runs in the page).
    expect(page.get_by_test_id("progress-bar")).to_have_text(re.compile(r"^[1-9][0-9]?%$"), timeout=30_000)
    page.wait_for_selector("[data-testid=job-done]", timeout=90_000)
    assert "3000" in page.get_by_test_id("job-done").inner_text()
    assert Organization.objects.count() == 3000
