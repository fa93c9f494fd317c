"""The audit page as a reviewer reads it: one event per action, Chinese names and labels, and search by case
number, organization, person and date range."""

import datetime

import pytest
import time_machine

from filings.services import transition
from registry.models import AuditEvent
from tests.factories import org_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(world, cast, colleague_a, ready_case, client, password):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False):
        client.post("/accounts/login/", {"username": "street_a", "password": password})
        case = ready_case(cast.street_a, "filing", org_payload(world.community_a1, name="北山睦邻服务队"))
        transition(case, "submit", cast.street_a)
    with time_machine.travel(datetime.datetime(2026, 3, 9, 9, tzinfo=datetime.UTC), tick=False):
        case = transition(case, "approve", colleague_a)
    return case


def rows(client, **query):
    response = client.get("/audit/", query)
    assert response.status_code == 200
    return list(response.context["table"].rows)


def test_one_event_per_action(trail, cast):
    case_events = AuditEvent.objects.filter(object_type="filings.case", object_id=str(trail.pk))
    # create, submit, approve: one row each; the uploads are the documents' own rows.
    assert case_events.count() == 3 + AuditEvent.objects.filter(detail__startswith="upload").count()
    assert AuditEvent.objects.filter(action="login", actor=cast.street_a).count() == 1
    assert not AuditEvent.objects.filter(changes__has_key="last_login").exists()


def test_names_and_values_are_read_in_chinese(trail, cast, client_for):
    reviewer = client_for(cast.reviewer)
    [approval] = [row for row in rows(reviewer, record=trail.number, action="transition")
                  if row.record.detail.startswith("approve")]
    assert approval.get_cell("object_type") == "事项"  # the record type by its name, not filings.case
    changes = approval.get_cell("changes")
    assert "状态：已提交 → " in changes  # the field's label, the states' labels
    assert "state" not in changes and "submitted" not in changes and "version" not in changes
    assert approval.get_cell("region_code") == world_name(trail)


def world_name(case):
    return case.region.name


def test_search_by_case_number_organization_person_and_dates(trail, cast, client_for):
    reviewer = client_for(cast.reviewer)
    by_number = rows(reviewer, record=trail.number)
    assert by_number and all(trail.number in row.get_cell_value("object_repr") for row in by_number)
    by_name = {row.record.pk for row in rows(reviewer, record="北山睦邻服务队")}
    assert by_name > {row.record.pk for row in by_number}  # the case's events and the organization's own
    mine = rows(reviewer, person="北山街道工作人员")  # the full name finds the user name's events
    assert mine and {row.record.actor_name for row in mine} == {"street_a"}
    approvals = rows(reviewer, since="2026-03-05", until="2026-03-31", record=trail.number)
    assert [row.record.detail.split(":")[0] for row in approvals] == ["approve"]
    assert rows(reviewer, until="2026-03-01", record=trail.number) == []
