"""Party-building models for the permission matrix (tests/test_permission_matrix.py)."""

from datetime import date
from itertools import count

from partybuilding.models import InstructorAssignment, MeetingRecord, PartyBuilding

_serial = count(1)


def _organization(world, side):
    from tests.factories import OrganizationFactory

    community = world.community_a1 if side == "a" else world.community_b1
    return OrganizationFactory(name=f"党建矩阵组织{side.upper()}{next(_serial)}", region=community)


def _user(side):
    from registry.models import User

    return User.objects.get(username="street_a" if side == "a" else "street_b")


def _party_building(world, side):
    return PartyBuilding.objects.create(organization=_organization(world, side), full_members=2,
                                        superior_organization=f"矩阵上级党委{side.upper()}{next(_serial)}")


def _assignment(world, side):
    return InstructorAssignment.objects.create(
        organization=_organization(world, side), person_name=f"矩阵指导员{side.upper()}{next(_serial)}",
        starts_on=date(2025, 1, 1), assigned_by=_user(side))


def _meeting(world, side):
    return MeetingRecord.objects.create(
        organization=_organization(world, side), held_on=date(2025, 3, 1), kind="party_lesson", attendees=5,
        note=f"矩阵党课{side.upper()}{next(_serial)}", recorded_by=_user(side))


OBJECTS = {
    PartyBuilding: _party_building,
    InstructorAssignment: _assignment,
    MeetingRecord: _meeting,
}

MARKERS = {PartyBuilding: "superior_organization", InstructorAssignment: "person_name", MeetingRecord: "note"}
