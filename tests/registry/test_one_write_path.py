"""One write path per action (issue 18 item 1): the page and the API call the same service, which writes the
record, the organization's history row and the audit events in one transaction; bulk moves are audited too."""

from datetime import date

import pytest

from registry.choices import FlagList, FlagReason
from registry.lifecycle import escalate_flags
from registry.models import AuditEvent, CreditFlag, EvaluationGrade
from tests.factories import OrganizationFactory, make_uscc


def _effects(organization):
    """What recording a grade left behind: the grade, the organization's newest history row, the audit events."""
    grade = EvaluationGrade.objects.get(organization=organization)
    history = organization.history.order_by("-history_id").first()
    events = AuditEvent.objects.filter(object_id__in=[str(grade.pk), str(organization.pk)])
    return {
        "grade": (grade.grade, str(grade.awarded_on), grade.recorded_by.username),
        "history": (history.grade, history.history_user.username, history.history_change_reason == str(grade)),
        "events": sorted((e.action, e.object_type, e.actor_name) for e in events),
        "organization_change": next(e.changes.get("grade") for e in events if e.object_type == "registry.organization"),
    }


@pytest.fixture
def two_organizations(world):
    return [OrganizationFactory(name=name, region=world.community_a1, tier="registered", legal_form="social_service",
                                uscc=make_uscc(legal_form_digit="2", serial=serial), filing_number=None)
            for name, serial in (("评估甲", "MJ0000011"), ("评估乙", "MJ0000012"))]


def test_a_grade_recorded_through_the_api_leaves_what_the_page_leaves(two_organizations, cast, client_for):
    by_page, by_api = two_organizations
    client = client_for(cast.reviewer)
    page = client.post("/grades/new/", {"organization": by_page.pk, "grade": "4A", "awarded_on": "2026-01-01",
                                        "evaluator": "第三方"})
    assert page.status_code == 302, page.content[:500]
    api = client.post("/api/grades/", {"organization": by_api.pk, "grade": "4A", "awarded_on": "2026-01-01",
                                       "evaluator": "第三方"}, content_type="application/json")
    assert api.status_code == 201, api.content
    from_page, from_api = _effects(by_page), _effects(by_api)
    assert from_api == from_page
    assert from_api["history"][0] == "4A" and from_api["history"][1] == "reviewer"
    assert ("create", "registry.evaluationgrade", "reviewer") in from_api["events"]
    assert ("update", "registry.organization", "reviewer") in from_api["events"]
    assert from_api["organization_change"][1] == "4A"


def test_an_organization_outside_the_jurisdiction_is_not_a_choice_in_the_api(world, cast, client_for):
    elsewhere = OrganizationFactory(name="别处", region=world.other_street)
    response = client_for(cast.reviewer).post("/api/grades/", {"organization": elsewhere.pk, "grade": "4A",
                                                               "awarded_on": "2026-01-01"},
                                              content_type="application/json")
    assert response.status_code == 400 and "organization" in response.json()
    assert not EvaluationGrade.objects.exists()


def test_escalating_a_flag_is_an_audit_event(two_organizations):
    organization = two_organizations[0]
    flag = CreditFlag.objects.create(organization=organization, reason=FlagReason.UNREACHABLE, explanation="失联",
                                     raised_on=date(2024, 3, 1))
    assert escalate_flags(date(2026, 3, 1)) == 1
    flag.refresh_from_db()
    assert flag.listed_on == FlagList.SERIOUS and flag.escalated_on == date(2026, 3, 1)
    event = AuditEvent.objects.get(object_type="registry.creditflag", object_id=str(flag.pk), action="update")
    assert event.changes["listed_on"] == [FlagList.ABNORMAL, FlagList.SERIOUS]
    assert escalate_flags(date(2026, 3, 2)) == 0
