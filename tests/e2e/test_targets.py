"""On the demo, the leader reads every preset target with met / gap on the district and on a street, and where an
inherited target was set. Screenshots are kept as artefacts (SHEQU_ARTIFACTS, default /tmp/artifacts/targets)."""

import os
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from registry.demo import DEMO_PASSWORD
from registry.models import Region, User
from reporting.demo import DEMO_PRESETS
from reporting.targets import PRESETS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("SHEQU_ARTIFACTS", "/tmp/artifacts")) / "targets"
STATUS_WORDS = ("未达标", "达标", "暂无数据", "仅在该级评判", "评判层级")


def _login(page, username):
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_the_leader_reads_met_and_gap_for_every_preset_target_on_the_demo(page):
    from filings.models import RegistrationPolicy
    from filings.presets import seed_policies
    from registry.models import Term
    from registry.vocabularies import seed_terms

    seed_terms(Term)  # seeded by data migrations, but an earlier transactional test may have flushed them
    seed_policies(RegistrationPolicy)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with time_machine.travel(datetime(2026, 11, 21, 9, 0), tick=False):
        call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - discarded output
    covered = {rule.indicator for preset in DEMO_PRESETS for rule in PRESETS[preset][2]}
    county = User.objects.get(username="leader").primary_region
    _login(page, "leader")

    api = page.request.get(f"{page.base_url}/api/dashboard/?region={county.code}").json()
    by_id = {row["id"]: row for row in api["indicators"]}
    assert all(by_id[indicator]["target"] is not None for indicator in covered), covered - {
        i for i in covered if by_id[i]["target"] is not None}

    page.goto(f"{page.base_url}/dashboard/?region={county.code}")
    summary = page.get_by_test_id("target-summary").inner_text()
    assert f"达标目标：{api['summary']['targets_met']}/{api['summary']['targets_judged']}" in summary
    for indicator in covered:
        row = page.locator(f"[data-indicator={indicator}]")
        assert row.get_by_test_id("target").inner_text().strip() != "未设定目标", indicator
        status = row.get_by_test_id("status").inner_text()
        assert any(word in status for word in STATUS_WORDS), (indicator, status)
        if by_id[indicator]["met"] is False:
            assert "还差" in status, (indicator, status)
    assert "还差" in page.locator("[data-indicator=orgs_per_urban_community]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "district-dashboard.png"), full_page=True)

    street = Region.objects.filter(parent=county).order_by("code").first()
    page.get_by_test_id(f"child-{street.code}").click()
    page.wait_for_load_state()
    assert street.name in page.locator("h1").inner_text()
    street_summary = page.get_by_test_id("target-summary").inner_text()
    assert "达标目标" in street_summary
    centre = page.locator("[data-indicator=service_centre_streets]").get_by_test_id("status").inner_text()
    assert "达标" in centre  # a per-street rule judged on the street itself
    page.screenshot(path=str(ARTIFACTS / "street-dashboard.png"), full_page=True)

    page.get_by_test_id("targets-link").click()
    page.wait_for_load_state()
    origin = page.locator("[data-indicator=orgs_per_urban_community]").get_by_test_id("origin").inner_text()
    assert "继承" in origin and county.name in origin
    assert page.get_by_test_id("adopt-form").count() == 0  # the leader reads, does not change
    page.screenshot(path=str(ARTIFACTS / "street-targets.png"), full_page=True)
