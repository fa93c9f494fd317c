import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from filings.services import transition
from registry.models import AuditEvent
from tests.factories import VALID_ID, OrganizationFactory, org_payload


def events(action):
    return AuditEvent.objects.filter(action=action)


def test_a_change_is_recorded_with_before_and_after_and_personal_data_masked(world, cast, client_for):
    organization = OrganizationFactory(name="北山读书会", region=world.community_a1)
    organization.member_count = 33
    organization.leader_id_number = "110105194912310021"[:-1] + "X"
    organization._history_user = cast.street_a
    organization.save()
    change = events("update").get(object_id=str(organization.pk), changes__has_key="member_count")
    assert change.changes["member_count"] == [20, 33]
    assert VALID_ID not in str(change.changes)
    assert change.region_code == "330106002001" and change.actor == cast.street_a


def test_transitions_exports_downloads_and_full_views_are_recorded(world, cast, colleague_a, client_for,
                                                                   ready_case):
    case = transition(ready_case(cast.street_a, "filing", org_payload(world.community_a1)), "submit", cast.street_a)
    case = transition(case, "approve", colleague_a)
    steps = events("transition").filter(object_id=str(case.pk))
    assert {e.detail.split(":")[0] for e in steps} >= {"submit", "approve"}
    approval = steps.get(detail__startswith="approve")
    assert approval.changes["state"] == ["submitted", "approved"]
    assert approval.changes["version"] == [1, 2]  # the case's own changes ride on the step: one event per action
    assert not AuditEvent.objects.filter(object_type="filings.case", object_id=str(case.pk),
                                         action__in=["create", "update"]).exists()

    client = client_for(cast.street_a)
    client.get(reverse("registry:organization_list") + "?export=csv", REMOTE_ADDR="10.1.2.3")
    export = events("export").get()
    assert export.actor == cast.street_a and export.ip_address == "10.1.2.3" and "export=csv" in export.detail

    document = case.documents.first()
    response = client.get(reverse("filings:document_download", args=[document.pk]))
    b"".join(response.streaming_content)
    assert events("download").filter(actor=cast.street_a).exists()

    organization = case.organization
    client_for(cast.reviewer).post(reverse("registry:organization_reveal_id", args=[organization.pk]))
    assert events("view_personal").get().actor == cast.reviewer


def test_logins_and_failed_logins_are_recorded(world, cast, client, password):
    client.post(reverse("login"), {"username": "street_a", "password": "wrong"})
    client.post(reverse("login"), {"username": "street_a", "password": password})
    assert events("login_failed").get().object_repr == "street_a"
    assert events("login").get().actor == cast.street_a
    assert not events("update").filter(changes__has_key="last_login").exists()  # not again as an update


@pytest.mark.django_db(transaction=True)
def test_the_trail_is_append_only(world, cast):
    event = AuditEvent.objects.create(action="login", actor=cast.street_a, actor_name="street_a")
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    if connection.vendor == "postgresql":
        for statement in ("UPDATE registry_auditevent SET detail = 'x'", "DELETE FROM registry_auditevent"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
                cur.execute(statement)
    assert AuditEvent.objects.filter(pk=event.pk, detail="").exists()


def test_audit_page_for_administrators_and_reviewers_within_their_jurisdiction(world, cast, client_for):
    AuditEvent.objects.create(action="update", actor_name="street_b", region_code="330106003001",
                              object_repr="灵隐合唱团")
    AuditEvent.objects.create(action="update", actor_name="outsider", region_code="330102001001",
                              object_repr="湖滨某队")
    reviewer = client_for(cast.reviewer).get(reverse("registry:audit_list")).content.decode()
    assert "灵隐合唱团" in reviewer and "湖滨某队" not in reviewer
    admin = client_for(cast.admin).get(reverse("registry:audit_list")).content.decode()
    assert "湖滨某队" in admin
    assert client_for(cast.street_a).get(reverse("registry:audit_list")).status_code == 403
    assert client_for(cast.street_a).get("/api/audit/").status_code == 403
    listed = {e["object_repr"] for e in client_for(cast.reviewer).get("/api/audit/?action=update").json()["results"]}
    assert "灵隐合唱团" in listed and "湖滨某队" not in listed
