"""District staff open a round; street staff submit an application; an expert scores it; the district runs the
allocation and applies it; the award notice downloads as a PDF naming the organization and the amount."""

import subprocess

import pytest

from grants.models import Application, Round
from tests.grants.factories import organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def click(page, testid):
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def test_round_from_call_to_award_notice(world, cast, browser_as, tmp_path):
    org = organization(world.community_a1, name="宝石社区助老服务队")

    # District staff create the round, give it a track and a budget, and open the call.
    district = browser_as(cast.reviewer)
    district.goto(f"{district.base_url}/grants/rounds/new/")
    district.fill("#id_name", "2026年西湖区公益创投")
    district.fill("#id_year", "2026")
    district.fill("#id_max_amount", "80000")
    click(district, "save-round")
    round_url = district.url
    district.fill("#track-name", "为老服务")
    district.fill("#track-budget", "200000")
    click(district, "add-track")
    district.select_option("[data-testid=budget-form] select[name=source]", label="财政资金")
    district.fill("#budget-amount", "200000")
    click(district, "add-budget")
    click(district, "round-action-open_call")
    assert district.get_by_test_id("round-state").get_attribute("data-state") == "open"
    round_ = Round.objects.get(name="2026年西湖区公益创投")

    # Street staff submit an application on the organization's behalf; the budget lines add up.
    street = browser_as(cast.street_a)
    street.goto(round_url)
    click(street, "apply")
    street.select_option("#id_organization", str(org.pk))
    street.select_option("#id_track", label="为老服务")
    street.fill("#id_title", "邻里助餐")
    street.fill("#id_summary", "为独居老人提供午餐配送")
    street.fill("#id_expected_beneficiaries", "80")
    street.fill("#id_amount_requested", "50000")
    street.check("#id_declares_no_other_public_funding")
    street.fill("#id_lines-0-item", "餐费补贴")
    street.fill("#id_lines-0-amount", "30000")
    street.fill("#id_lines-1-item", "志愿者保险")
    street.fill("#id_lines-1-amount", "20000")
    click(street, "save-application")
    click(street, "action-submit")
    assert street.get_by_test_id("state").get_attribute("data-state") == "submitted"
    application_url = street.url

    # The district closes the call, passes the screening and assigns the expert.
    district.goto(round_url)
    click(district, "round-action-close_call")
    district.goto(application_url)
    click(district, "action-pass_screening")
    district.select_option("select[name=expert]", str(cast.expert.pk))
    click(district, "assign")
    assert district.get_by_test_id(f"assigned-{cast.expert.username}").is_visible()

    # The expert scores it and submits the sheet, which locks it.
    expert = browser_as(cast.expert)
    expert.goto(application_url)
    click(expert, "score")
    inputs = expert.locator("form input[type=number]")
    for index in range(inputs.count()):
        inputs.nth(index).fill("88")
    click(expert, "submit-sheet")
    assert expert.get_by_test_id("sheet-total").inner_text() == "88.00"

    # The district runs the allocation and applies the rank-order result.
    district.goto(f"{district.base_url}/grants/rounds/{round_.pk}/allocation/")
    click(district, "run-allocation")
    application = Application.objects.get(title="邻里助餐")
    row = district.get_by_test_id(f"row-rank-{application.pk}")
    assert row.get_attribute("data-funded") == "1"
    assert district.get_by_test_id("share-rank").inner_text().startswith("100.00%")
    click(district, "apply-rank")
    district.goto(application_url)
    assert district.get_by_test_id("state").get_attribute("data-state") == "awarded"

    # The award notice downloads as a PDF in Chinese.
    with district.expect_download() as download:
        district.get_by_test_id("award-notice").click()
    path = tmp_path / "notice.pdf"
    download.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "立项通知书" in text
    assert "宝石社区助老服务队" in text
    assert "50000.00" in text
