"""Demo Party-building rows: a spread of forms, members and instructors over the demo district's organizations.

Seeded and idempotent: organizations that already have a Party-building row are left alone.
"""

import random
from datetime import date, timedelta

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from partybuilding.choices import AssignmentKind, MeetingKind, PartyForm
from partybuilding.models import InstructorAssignment, MeetingRecord, PartyBuilding
from registry.models import Organization, User


def extend_demo(result):
    county = result["county"]
    street = User.objects.get(username="street")
    rng = random.Random(f"party-{county.code}")  # noqa: S311 - demo data, not security
    organizations = (Organization.objects.open().filter(region__code__startswith=county.prefix)
                     .exclude(party_building__isnull=False).select_related("region").order_by("pk"))
    today = timezone.localdate()
    rows, assignments, meetings = [], [], []
    for organization in organizations:
        full = rng.choices([0, 1, 2, 3, 4, 6], weights=[5, 3, 2, 2, 1, 1])[0]
        form = PartyForm.NONE
        if full >= 3 and rng.random() < 0.6:
            form = PartyForm.OWN
        elif full and rng.random() < 0.3:
            form = PartyForm.JOINT
        rows.append(PartyBuilding(
            organization=organization, full_members=full, probationary_members=rng.choice([0, 0, 1]), form=form,
            established_on=date(2024, rng.randint(1, 12), 1) if form != PartyForm.NONE else None,
            superior_organization=f"{organization.region.name}党委", two_way_entry=rng.random() < 0.3,
            cross_appointment=rng.random() < 0.2, last_contact_on=today - timedelta(days=rng.randint(5, 200)),
        ))
        if form == PartyForm.NONE and rng.random() < 0.5:
            assignments.append(InstructorAssignment(
                organization=organization, kind=rng.choice(AssignmentKind.values),
                person_name=rng.choice("王李张刘陈") + rng.choice(["建华", "红梅", "立新"]),
                unit=f"{organization.region.name}党委", starts_on=date(2025, 3, 1), assigned_by=street))
        if form != PartyForm.NONE:
            meetings.append(MeetingRecord(organization=organization, held_on=today - timedelta(days=20),
                                          kind=MeetingKind.PARTY_LESSON, attendees=full, recorded_by=street))
    for model, objects in ((PartyBuilding, rows), (InstructorAssignment, assignments), (MeetingRecord, meetings)):
        bulk_create_with_history(objects, model, batch_size=1000, default_user=street)
