"""The correction loop: an action that fails keeps what the user typed."""

import pytest
from django.db.models import F

from filings.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failed_action_keeps_the_typed_comment(busy_world, colleague_a, browser_as):
    page = browser_as(colleague_a)
    page.goto(f"{page.base_url}/cases/{busy_world.case.pk}/")
    # Someone else acts on the case meanwhile: this page's step is now stale and will be refused.
    Case.objects.filter(pk=busy_world.case.pk).update(version=F("version") + 1)
    page.fill("#transition-form #id_comment", "成员名单缺少两人的签名，请补充")
    with page.expect_navigation():
        page.get_by_test_id("action-return").click()
    assert page.locator(".alert-warning, .alert-danger").count() == 1
    assert page.input_value("#transition-form #id_comment") == "成员名单缺少两人的签名，请补充"
    # Once the step goes through, the draft is forgotten.
    with page.expect_navigation():
        page.get_by_test_id("action-return").click()
    assert "退回修改" in page.locator("main").inner_text()
    assert page.locator("#transition-form #id_comment").count() == 0 or \
        page.input_value("#transition-form #id_comment") == ""
