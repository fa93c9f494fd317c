import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_street_staff_logs_in_and_sees_the_chinese_home_page(world, cast, login, tmp_path):
    page = login(cast.street_a)
    assert page.url.rstrip("/") == page.base_url
    heading = page.locator("h1").inner_text()
    assert "欢迎" in heading
    assert "北山街道工作人员" in heading
    assert page.get_by_test_id("role").inner_text() == "街道（乡镇）工作人员"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "北山街道" in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)


def test_phone_width_shows_the_collapsed_menu(world, cast, login, browser):
    page = login(cast.street_a)
    page.set_viewport_size({"width": 375, "height": 740})
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    page.locator("#main-nav").get_by_role("button", name="社会组织").click()
    page.locator("#main-nav").get_by_role("link", name="行政区划与社区").wait_for(state="visible")


def test_language_switch_to_english(world, cast, login):
    page = login(cast.street_a)
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert "Welcome" in page.locator("h1").inner_text()
