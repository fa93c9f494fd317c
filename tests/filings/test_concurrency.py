"""Two reviewers act on the same case at the same moment: exactly one transition happens, the other is told."""

import threading

import pytest
from django.db import connection, connections

from filings import effects
from filings.choices import CaseState
from filings.models import Case, CaseEvent
from filings.services import TransitionConflict, transition
from registry.choices import Role
from registry.models import Organization
from tests.factories import UserFactory, org_payload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def submitted_case(world, cast, ready_case):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are the point: needs PostgreSQL")
    case = ready_case(cast.street_a, "filing", org_payload(world.community_a1))
    return transition(case, "submit", cast.street_a)


@pytest.fixture
def two_deciders(world):
    return [UserFactory(username=f"decider{i}", role=Role.STREET_STAFF, regions=[world.street_a]) for i in (1, 2)]


def run_in_threads(*jobs):
    results = [None] * len(jobs)

    def runner(index, job):
        try:
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - the test inspects whatever each side got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_second_reviewer_waits_for_the_lock_and_gets_a_conflict(submitted_case, two_deciders, monkeypatch):
    first_holds_lock, release = threading.Event(), threading.Event()
    original = effects.EFFECTS["file_organization"]

    def slow_approval(case, user, comment, data):
        first_holds_lock.set()
        release.wait(timeout=10)
        original(case, user, comment, data)

    monkeypatch.setitem(effects.EFFECTS, "file_organization", slow_approval)
    case_id = submitted_case.pk

    def first():
        return transition(Case.objects.get(pk=case_id), "approve", two_deciders[0])

    def second():
        first_holds_lock.wait(timeout=10)
        threading.Timer(0.5, release.set).start()  # the second is blocked on the row lock meanwhile
        return transition(Case.objects.get(pk=case_id), "return", two_deciders[1], comment="材料不全")

    outcome = run_in_threads(first, second)
    assert isinstance(outcome[0], Case) and outcome[0].state == CaseState.APPROVED
    assert isinstance(outcome[1], TransitionConflict)
    assert "已批准" in str(outcome[1]) or "Approved" in str(outcome[1])
    assert Case.objects.get(pk=case_id).state == CaseState.APPROVED
    assert Organization.objects.count() == 1
    assert CaseEvent.objects.filter(case_id=case_id, action__in=["approve", "return"]).count() == 1


def test_simultaneous_approvals_issue_one_organization(submitted_case, two_deciders):
    case_id = submitted_case.pk
    barrier = threading.Barrier(2)

    def approve(user):
        def job():
            barrier.wait(timeout=10)
            return transition(Case.objects.get(pk=case_id), "approve", user)
        return job

    outcome = run_in_threads(approve(two_deciders[0]), approve(two_deciders[1]))
    assert sum(isinstance(result, Case) for result in outcome) == 1
    assert sum(isinstance(result, TransitionConflict) for result in outcome) == 1
    assert Organization.objects.count() == 1
    assert Organization.objects.get().filing_number.endswith("-0001")
