"""Writes: who may change what, the bulk assignment's all-or-nothing rule, and history."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from partybuilding import services
from partybuilding.models import InstructorAssignment, PartyBuilding


def test_bulk_assignment_outside_the_jurisdiction_changes_nothing_and_says_why(known, cast):
    before = InstructorAssignment.objects.count()
    with pytest.raises(services.OutsideJurisdiction) as refused:
        services.assign_instructor([known.a1_bare.pk, known.b1_bare.pk, known.a1_should.pk], cast.street_a,
                                   person_name="王指导", kind="instructor", starts_on=date(2026, 1, 1))
    assert refused.value.organization_ids == [known.b1_bare.pk]
    assert str(known.b1_bare.pk) in str(refused.value)
    assert known.b1_bare.name not in str(refused.value)  # not leaked to a user who may not see it
    assert InstructorAssignment.objects.count() == before


def test_bulk_assignment_page_refuses_and_names_the_organization(known, cast, client_for):
    client = client_for(cast.street_a)
    before = InstructorAssignment.objects.count()
    response = client.post(reverse("partybuilding:bulk_assign"), {
        "organizations": f"{known.a1_bare.pk}, {known.b1_bare.pk}", "kind": "instructor", "person_name": "王指导",
        "starts_on": "2026-01-01"})
    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert str(known.b1_bare.pk) in error and known.a1_bare.name not in error
    assert error in response.content.decode()
    assert InstructorAssignment.objects.count() == before


def test_bulk_assignment_api_refuses_with_403_and_changes_nothing(known, cast, client_for):
    before = InstructorAssignment.objects.count()
    response = client_for(cast.street_a).post("/api/party/organizations/bulk-assign/", {
        "organizations": [known.a1_bare.pk, known.other_county.pk], "kind": "liaison", "person_name": "王指导",
        "starts_on": "2026-01-01"}, content_type="application/json")
    assert response.status_code == 403
    assert str(known.other_county.pk) in response.json()["detail"]
    assert InstructorAssignment.objects.count() == before


def test_bulk_assignment_inside_the_jurisdiction_covers_them(known, world, cast, client_for):
    from partybuilding.coverage import coverage, in_region

    response = client_for(cast.street_a).post(reverse("partybuilding:bulk_assign"), {
        "organizations": f"{known.a1_bare.pk},{known.a1_should.pk}", "kind": "instructor", "person_name": "王指导",
        "unit": "北山街道党工委", "starts_on": "2020-01-01"})
    assert response.status_code == 302
    assert set(InstructorAssignment.objects.filter(person_name="王指导").values_list("organization", flat=True)) \
        == {known.a1_bare.pk, known.a1_should.pk}
    assert coverage(in_region(world.street_a, cast.street_a))["work_covered"] == 7


def test_leaders_read_but_do_not_write(known, cast, client_for):
    with pytest.raises(PermissionDenied):
        services.save_party_building(known.a1_bare, cast.leader, {"full_members": 2})
    client = client_for(cast.leader)
    url = reverse("partybuilding:organization_party", args=[known.a1_own.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"section": "status", "full_members": 9, "probationary_members": 0,
                             "form": "own"}).status_code == 403
    assert client.get(reverse("partybuilding:bulk_assign")).status_code == 403
    assert client_for(cast.leader).patch(f"/api/party/organizations/{known.a1_own.pk}/", {"full_members": 9},
                                         content_type="application/json").status_code == 403
    assert PartyBuilding.objects.get(organization=known.a1_own).full_members == 4


def test_an_own_party_organization_needs_three_full_members(known, cast):
    with pytest.raises(ValidationError):
        services.save_party_building(known.a1_bare, cast.street_a, {"form": "own", "full_members": 2})
    assert not PartyBuilding.objects.filter(organization=known.a1_bare).exists()


def test_every_change_is_kept_as_history(known, cast, client_for):
    client = client_for(cast.community_a)
    url = reverse("partybuilding:organization_party", args=[known.a1_bare.pk])
    response = client.post(url, {"section": "status", "full_members": 3, "probationary_members": 1, "form": "none"})
    assert response.status_code == 302
    response = client.post(url, {"section": "status", "full_members": 3, "probationary_members": 1, "form": "joint",
                                 "joint_with": [known.a1_own.pk], "established_on": "2025-07-01",
                                 "superior_organization": "宝石社区党委"})
    assert response.status_code == 302, response.content.decode()[:2000]
    party = PartyBuilding.objects.get(organization=known.a1_bare)
    assert list(party.joint_with.all()) == [known.a1_own]
    history = list(party.history.order_by("history_date", "history_id"))
    assert [h.form for h in history][:2] == ["none", "joint"]
    assert {h.history_user for h in history} == {cast.community_a}
    assert list(history[-1].joint_with.values_list("organization_id", flat=True)) == [known.a1_own.pk]
    page = client.get(url).content.decode()
    assert 'data-testid="party-history"' in page


def test_joint_partners_must_be_visible(known, cast):
    with pytest.raises(services.OutsideJurisdiction):
        services.save_party_building(known.a1_bare, cast.street_a, {"form": "joint"}, joint_with=[known.b1_own])


def test_assignments_and_meetings_through_the_api(known, cast, client_for):
    client = client_for(cast.street_a)
    created = client.post("/api/party/assignments/", {
        "organization": known.a1_bare.pk, "kind": "liaison", "person_name": "赵联络", "starts_on": "2025-01-01"},
        content_type="application/json")
    assert created.status_code == 201, created.content
    ended = client.post(f"/api/party/assignments/{created.json()['id']}/end/", {"ends_on": "2025-06-30"},
                        content_type="application/json")
    assert ended.json()["ends_on"] == "2025-06-30"
    outside = client.post("/api/party/assignments/", {
        "organization": known.b1_bare.pk, "kind": "liaison", "person_name": "赵联络", "starts_on": "2025-01-01"},
        content_type="application/json")
    assert outside.status_code == 400
    meeting = client.post("/api/party/meetings/", {
        "organization": known.a1_own.pk, "held_on": "2025-05-01", "kind": "party_lesson", "attendees": 5},
        content_type="application/json")
    assert meeting.status_code == 201, meeting.content
    assert meeting.json()["recorded_by"] == cast.street_a.pk
    status = client.patch(f"/api/party/organizations/{known.a1_bare.pk}/", {"full_members": 4},
                          content_type="application/json")
    assert status.json()["full_members"] == 4 and status.json()["form"] == "none"
    should = client.get("/api/party/organizations/should-establish/").json()
    assert {row["name"] for row in should["results"]} == {
        known.a1_should.name, known.a2_should_with_liaison.name, known.a1_bare.name}


def test_demo_rows_cover_every_open_organization_once(known, world, cast):
    from partybuilding.demo import extend_demo
    from tests.factories import UserFactory

    UserFactory(username="street", regions=[world.street_a])
    without = PartyBuilding.objects.count()
    extend_demo({"county": world.county})
    assert PartyBuilding.objects.count() == without + 7  # the county's 14 open organizations, 7 of which had no row
    extend_demo({"county": world.county})
    assert PartyBuilding.objects.count() == without + 7
