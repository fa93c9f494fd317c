"""A whole round through the pages: fund → round with two tracks → three applications (one from a social
organization that is not a CSO) → two experts, one of whom declares a conflict after assignment → allocation →
award notice → first tranche released after an accepted report and paid."""

import subprocess

import pytest

from grants.models import Application, Fund, OtherApplicant, Round, ScoreSheet
from tests.factories import make_uscc
from tests.grants.factories import organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def click(page, testid):
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def apply(page, round_url, title, track, amount, organization=None, other=None):
    page.goto(round_url)
    click(page, "apply")
    if organization is not None:
        # The organization picker: type part of the name, click the match (registry/widgets.py).
        page.get_by_test_id("org-picker-organization").locator("input[type=search]").fill(organization.name[:4])
        page.locator(f"[data-org-pick='{organization.pk}']").click()
    else:
        page.select_option("#id_other_applicant", str(other.pk))
    page.select_option("#id_track", label=track)
    page.fill("#id_title", title)
    page.fill("#id_summary", f"{title}：项目概要")
    page.fill("#id_expected_beneficiaries", "80")
    page.fill("#id_amount_requested", str(amount))
    page.check("#id_declares_no_other_public_funding")
    page.fill("#id_lines-0-item", "活动费")
    page.fill("#id_lines-0-amount", str(amount))
    click(page, "save-application")
    click(page, "action-submit")
    assert page.get_by_test_id("state").get_attribute("data-state") == "submitted"
    return page.url


def score(page, application, value):
    page.goto(f"{page.base_url}/grants/reviews/?status=to_score")
    click(page, f"score-{application.pk}")
    inputs = page.locator("form input[type=number]")
    for index in range(inputs.count()):
        inputs.nth(index).fill(str(value))
    click(page, "submit-sheet")
    # Locking is for good: the page shows the scores and the total and asks to confirm.
    assert page.get_by_test_id("preview-total").inner_text() == f"{value}.00"
    click(page, "confirm-lock")
    assert page.get_by_test_id("sheet-total").inner_text() == f"{value}.00"


def test_a_whole_round_from_fund_to_first_tranche(world, cast, experts, browser_as, tmp_path):
    elderly = organization(world.community_a1, name="宝石社区助老服务队")
    youth = organization(world.community_a1, name="宝石社区四点半课堂")
    expert_1, expert_2 = cast.expert, experts[1]

    # The district records the year's fund and a county social-work agency (not a CSO, with its USCC).
    district = browser_as(cast.reviewer)
    district.goto(f"{district.base_url}/grants/funds/new/")
    district.select_option("#id_jurisdiction", world.county.code)
    district.fill("#id_year", "2026")
    district.select_option("#id_source", label="财政资金")
    district.fill("#id_amount", "300000")
    click(district, "save")
    fund = Fund.objects.get(jurisdiction=world.county, year=2026)
    district.goto(f"{district.base_url}/grants/other-applicants/")
    district.fill("#id_name", "西湖区社会工作服务中心")
    district.fill("#id_uscc", make_uscc(legal_form_digit="2", serial="MJ9000001"))
    district.select_option("#id_region", world.county.code)
    district.fill("#id_nature", "县级社工机构")
    click(district, "save-other")
    agency = OtherApplicant.objects.get()

    # A round with two tracks draws 200,000 yuan from the fund; the call opens.
    district.goto(f"{district.base_url}/grants/rounds/new/")
    district.fill("#id_name", "2026年西湖区公益创投")
    district.fill("#id_year", "2026")
    click(district, "save-round")
    round_url = district.url
    for name, budget in (("为老服务", "150000"), ("青少年", "100000")):
        district.fill("#track-name", name)
        district.fill("#track-budget", budget)
        click(district, "add-track")
    district.select_option("[data-testid=budget-form] select[name=fund]", str(fund.pk))
    district.fill("#budget-amount", "200000")
    click(district, "add-budget")
    click(district, "round-action-open_call")
    assert district.get_by_test_id("round-state").get_attribute("data-state") == "open"
    round_ = Round.objects.get(name="2026年西湖区公益创投")

    # Three applications: two CSOs through street staff, the agency through the district.
    street = browser_as(cast.street_a)
    elderly_url = apply(street, round_url, "邻里助餐", "为老服务", 50000, organization=elderly)
    youth_url = apply(street, round_url, "四点半课堂", "青少年", 40000, organization=youth)
    agency_url = apply(district, round_url, "社工督导", "为老服务", 60000, other=agency)

    # Screening, two experts on each, then the call closes and scoring opens.
    for url in (elderly_url, youth_url, agency_url):
        district.goto(url)
        click(district, "action-pass_screening")
        for expert in (expert_1, expert_2):
            district.select_option("select[name=expert]", str(expert.pk))
            click(district, "assign")
    district.goto(round_url)
    click(district, "round-action-close_call")

    applications = {a.title: a for a in Application.objects.filter(round=round_)}
    first = browser_as(expert_1)
    for title, value in (("邻里助餐", 90), ("四点半课堂", 85), ("社工督导", 80)):
        score(first, applications[title], value)
    second = browser_as(expert_2)
    score(second, applications["邻里助餐"], 60)
    assert second.get_by_test_id("count-to-score") is not None

    # The second expert then declares a link to the elderly-care group: that sheet is voided (kept, not counted)
    # and the district is asked for a replacement.
    second.goto(f"{second.base_url}/grants/links/")
    second.fill("#id_organization", "宝石社区助老服务队")
    second.fill("#id_nature", "理事会成员")
    click(second, "declare-link")
    sheet = ScoreSheet.objects.get(application=applications["邻里助餐"], expert=expert_2)
    assert sheet.state == "void" and sheet.total == 60
    district.goto(elderly_url)
    assert district.get_by_test_id("needs-replacement").is_visible()
    assert district.get_by_test_id(f"sheet-{expert_2.username}").get_attribute("data-state") == "void"
    for title, value in (("四点半课堂", 75), ("社工督导", 70)):
        score(second, applications[title], value)

    # Allocation: all three fit (150,000 of 200,000); 90,000 to CSOs. Rank order is applied.
    district.goto(f"{district.base_url}/grants/rounds/{round_.pk}/allocation/")
    click(district, "run-allocation")
    for application in applications.values():
        assert district.get_by_test_id(f"row-rank-{application.pk}").get_attribute("data-funded") == "1"
    assert district.get_by_test_id("share-rank").inner_text().startswith("60.00%")
    click(district, "apply-rank")
    district.goto(elderly_url)
    assert district.get_by_test_id("state").get_attribute("data-state") == "awarded"
    # Only the first expert's 90 counts for the elderly-care project.
    assert Application.objects.get(pk=applications["邻里助餐"].pk).score == 90

    # The award notice downloads as a PDF in Chinese.
    with district.expect_download() as download:
        district.get_by_test_id("award-notice").click()
    path = tmp_path / "notice.pdf"
    download.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "立项通知书" in text and "宝石社区助老服务队" in text and "50000.00" in text

    # Contract, start; no tranche is released before a report is accepted.
    click(district, "action-sign_contract")
    click(district, "action-start")
    assert district.get_by_test_id("tranche-1").get_attribute("data-state") == "planned"
    assert district.get_by_test_id("release-refusal-1").is_visible()
    street.goto(elderly_url)
    street.select_option("#id_kind", "interim")
    street.fill("#id_progress", "已开展助餐服务 24 次，服务老人 80 人")
    street.locator("[data-testid=report-form] input[type=number]").first.fill("12000")
    click(street, "submit-report")
    district.goto(elderly_url)
    click(district, "accept-report")
    click(district, "release-1")
    assert district.get_by_test_id("tranche-1").get_attribute("data-state") == "released"
    district.select_option("[data-testid=tranche-1] select[name=source]", label="财政资金")
    click(district, "pay-1")
    assert district.get_by_test_id("tranche-1").get_attribute("data-state") == "paid"

    # The money reconciles on the fund's page and the county's CSO share shows on the round summary.
    district.goto(f"{district.base_url}/grants/funds/{fund.pk}/")
    assert district.get_by_test_id("fund-drawn").inner_text() == "200000.00"
    assert district.get_by_test_id("fund-left").inner_text() == "100000.00"
    assert district.get_by_test_id("fund-paid").inner_text() == "25000.00"
    district.goto(f"{district.base_url}/grants/rounds/{round_.pk}/summary/")
    card = district.get_by_test_id("county-share")
    assert card.get_attribute("data-met") == "1"
    assert district.get_by_test_id("share-cso").inner_text() == "90000.00"
    assert district.get_by_test_id("share-total").inner_text() == "150000.00"
