"""Separation of duties (issue 19 item 7), a guard of the workflow kit: everyone who drafted, edited or submitted a
case is barred from deciding it, whoever pressed Submit. The page does not offer them the buttons and refuses the
post; the API leaves the steps out of the case's actions and answers 403."""

import pytest

from filings.choices import CaseState
from filings.models import Case
from filings.services import transition, update_payload
from registry.choices import Role
from tests.factories import UserFactory, org_payload

DECISIONS = ("accept", "return", "approve", "reject")


@pytest.fixture
def third(world):
    return UserFactory(username="street_a3", role=Role.STREET_STAFF, regions=[world.street_a])


@pytest.fixture
def drafted_by_a_submitted_by_colleague(world, cast, colleague_a, ready_case):
    """street_a drafted the filing; the colleague pressed Submit."""
    case = ready_case(cast.street_a, "filing", org_payload(world.community_a1))
    return transition(case, "submit", colleague_a)


@pytest.fixture
def edited_by_colleague(world, cast, colleague_a, ready_case):
    """street_a drafted and submitted it; the colleague edited the draft in between."""
    case = ready_case(cast.street_a, "filing", org_payload(world.community_a1))
    update_payload(colleague_a, case, {**case.payload, "member_count": 30})
    return transition(case, "submit", cast.street_a)


def _buttons(client, case):
    body = client.get(f"/cases/{case.pk}/").content.decode()
    return {action for action in DECISIONS if f'data-testid="action-{action}"' in body}


@pytest.mark.parametrize("author", ["street_a", "colleague"])
def test_the_drafter_and_the_submitter_are_offered_no_decision_on_the_page(
        drafted_by_a_submitted_by_colleague, cast, colleague_a, third, client_for, author):
    case = drafted_by_a_submitted_by_colleague
    user = cast.street_a if author == "street_a" else colleague_a
    assert _buttons(client_for(user), case) == set()
    assert _buttons(client_for(third), case) == set(DECISIONS)  # same role, no part in the case


@pytest.mark.parametrize("author", ["street_a", "colleague"])
def test_the_drafter_and_the_submitter_may_not_decide_through_the_page(
        drafted_by_a_submitted_by_colleague, cast, colleague_a, client_for, author):
    case = drafted_by_a_submitted_by_colleague
    user = cast.street_a if author == "street_a" else colleague_a
    response = client_for(user).post(f"/cases/{case.pk}/act/", {"action": "approve", "version": case.version},
                                     follow=True)
    assert "职责分离" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED


def test_the_drafter_may_not_decide_through_the_api(drafted_by_a_submitted_by_colleague, cast, third, client_for):
    case = drafted_by_a_submitted_by_colleague
    drafter = client_for(cast.street_a)
    assert not set(DECISIONS) & {a["action"] for a in drafter.get(f"/api/cases/{case.pk}/actions/").json()}
    refused = drafter.post(f"/api/cases/{case.pk}/transition/", {"action": "approve", "version": case.version},
                           content_type="application/json")
    assert refused.status_code == 403
    assert "职责分离" in refused.json()["detail"]
    approved = client_for(third).post(f"/api/cases/{case.pk}/transition/", {"action": "approve",
                                                                           "version": case.version},
                                      content_type="application/json")
    assert approved.status_code == 200
    assert approved.json()["state"] == CaseState.APPROVED


def test_an_editor_may_not_decide_through_page_or_api(edited_by_colleague, colleague_a, third, client_for):
    case = edited_by_colleague
    editor = client_for(colleague_a)
    assert _buttons(editor, case) == set()
    refused = editor.post(f"/api/cases/{case.pk}/transition/", {"action": "return", "comment": "请补充",
                                                                "version": case.version},
                          content_type="application/json")
    assert refused.status_code == 403
    assert _buttons(client_for(third), case) == set(DECISIONS)
