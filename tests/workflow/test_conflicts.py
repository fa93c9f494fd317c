"""One conflict answer for a stale state, in both workflows (cases; rounds and applications), on pages and API:
409 with the kit's translated message; the page shows the object as it is now and keeps the comment typed."""

from decimal import Decimal

import pytest

from filings.choices import CaseState
from filings.models import Case
from filings.services import transition
from grants import services as grants
from grants.choices import AppState, RoundState
from grants.models import Application, Round
from registry.choices import Role
from tests.factories import UserFactory, org_payload
from tests.grants.factories import application, open_round, organization

CONFLICT_ZH = "他人已先行办理该事项"
TYPED = "材料齐全，同意备案"


@pytest.fixture
def reviewer_2(world):
    return UserFactory(username="reviewer_2", first_name="第二审核人", role=Role.DISTRICT_REVIEWER,
                       regions=[world.county])


@pytest.fixture
def stale_case(world, cast, colleague_a, ready_case):
    """A filing the decider opened at version ``seen``; then a third colleague returned it."""
    case = transition(ready_case(cast.street_a, "filing", org_payload(world.community_a1)), "submit", cast.street_a)
    seen = case.version
    third = UserFactory(username="street_a3", first_name="北山街道第三人", role=Role.STREET_STAFF,
                        regions=[world.street_a])
    transition(case, "return", third, comment="请补充场地证明")
    return case, seen


@pytest.fixture
def stale_application(world, cast, reviewer_2):
    """A submitted application the reviewer opened at version ``seen``; then a second reviewer returned it."""
    round_ = open_round(world.county, cast.reviewer, min_amount=Decimal(10_000), max_amount=Decimal(100_000))
    app = grants.transition(application(round_, organization(world.community_a1), cast.street_a), "submit",
                            cast.street_a)
    seen = app.version
    grants.transition(app, "return", reviewer_2, comment="预算需细化")
    return app, seen


@pytest.fixture
def stale_round(world, cast, reviewer_2):
    round_ = open_round(world.county, cast.reviewer)
    seen = round_.version
    grants.transition(round_, "close_call", reviewer_2)
    return round_, seen


# ------------------------------------------------------------------------------------------------ pages

def test_a_stale_case_page_answers_409_and_keeps_the_comment(stale_case, colleague_a, client_for):
    case, seen = stale_case
    response = client_for(colleague_a).post(f"/cases/{case.pk}/act/", {
        "action": "approve", "version": seen, "comment": TYPED})
    assert response.status_code == 409
    body = response.content.decode()
    assert CONFLICT_ZH in body and "第三人" in body  # the message names who moved it
    assert f">{TYPED}</textarea>" in body  # what the user typed is still in the form
    assert 'data-testid="state">已退回' in body or "退回" in body
    assert Case.objects.get(pk=case.pk).state == CaseState.RETURNED  # nothing was written


def test_a_stale_application_page_answers_409_and_keeps_the_comment(stale_application, cast, client_for):
    app, seen = stale_application
    response = client_for(cast.reviewer).post(f"/grants/applications/{app.pk}/act/", {
        "action": "pass_screening", "version": seen, "comment": TYPED})
    assert response.status_code == 409
    body = response.content.decode()
    assert CONFLICT_ZH in body and "第二审核人" in body
    assert f">{TYPED}</textarea>" in body
    assert Application.objects.get(pk=app.pk).state == AppState.RETURNED


def test_a_stale_round_page_answers_409(stale_round, cast, client_for):
    round_, seen = stale_round
    response = client_for(cast.reviewer).post(f"/grants/rounds/{round_.pk}/act/", {
        "action": "close_call", "version": seen})
    assert response.status_code == 409
    assert CONFLICT_ZH in response.content.decode()
    assert Round.objects.get(pk=round_.pk).state == RoundState.REVIEW


def test_a_current_version_goes_through(world, cast, colleague_a, ready_case, client_for):
    case = transition(ready_case(cast.street_a, "filing", org_payload(world.community_a1)), "submit", cast.street_a)
    response = client_for(colleague_a).post(f"/cases/{case.pk}/act/", {
        "action": "approve", "version": case.version, "comment": TYPED})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == CaseState.APPROVED


# ------------------------------------------------------------------------------------------------ API

@pytest.mark.parametrize(("stale", "url", "action", "who"), [
    ("stale_case", "/api/cases/{pk}/transition/", "approve", "colleague_a"),
    ("stale_application", "/api/grants/applications/{pk}/transition/", "pass_screening", "reviewer"),
    ("stale_round", "/api/grants/rounds/{pk}/transition/", "close_call", "reviewer"),
])
def test_a_stale_object_answers_409_through_the_api(request, cast, client_for, stale, url, action, who):
    obj, seen = request.getfixturevalue(stale)
    user = request.getfixturevalue("colleague_a") if who == "colleague_a" else cast.reviewer
    state = type(obj).objects.get(pk=obj.pk).state
    response = client_for(user).post(url.format(pk=obj.pk), {"action": action, "version": seen},
                                     content_type="application/json")
    assert response.status_code == 409
    assert CONFLICT_ZH in response.json()["detail"]
    assert type(obj).objects.get(pk=obj.pk).state == state  # nothing was written


def test_a_state_that_moved_on_is_a_conflict_without_a_version(stale_application, cast, client_for):
    """A client that sends no version still gets 409, not 403, when the step no longer starts from the state."""
    app, _seen = stale_application
    response = client_for(cast.reviewer).post(f"/api/grants/applications/{app.pk}/transition/", {
        "action": "pass_screening"}, content_type="application/json")
    assert response.status_code == 409


# ------------------------------------------------------------------------------------------------ the version alone

def test_a_case_back_in_the_same_state_is_still_stale(stale_case, cast, colleague_a, client_for):
    """Returned and submitted again: the state is the one the decider saw, the version is not."""
    case, seen = stale_case
    transition(Case.objects.get(pk=case.pk), "submit", cast.street_a)
    response = client_for(colleague_a).post(f"/api/cases/{case.pk}/transition/", {
        "action": "approve", "version": seen}, content_type="application/json")
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED


def test_an_application_back_in_the_same_state_is_still_stale(stale_application, cast, client_for):
    app, seen = stale_application
    grants.transition(Application.objects.get(pk=app.pk), "submit", cast.street_a)
    response = client_for(cast.reviewer).post(f"/grants/applications/{app.pk}/act/", {
        "action": "pass_screening", "version": seen, "comment": TYPED})
    assert response.status_code == 409
    assert f">{TYPED}</textarea>" in response.content.decode()
    assert Application.objects.get(pk=app.pk).state == AppState.SUBMITTED
