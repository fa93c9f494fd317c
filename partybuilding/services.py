"""Party-building writes. Plain functions taking objects and the acting user: callable from views, the API,
commands and tasks. Every write is checked against the access rule and the user's role before anything changes,
and every change leaves a history row (django-simple-history) naming the user.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partybuilding.choices import EDITOR_ROLES, PartyForm
from partybuilding.models import InstructorAssignment, MeetingRecord, PartyBuilding
from registry.models import Organization

PARTY_FIELDS = (
    "full_members", "probationary_members", "form", "established_on", "superior_organization", "two_way_entry",
    "cross_appointment", "last_contact_on",
)


class OutsideJurisdiction(PermissionDenied):
    """Some of the organizations asked for are not in the user's jurisdiction; nothing was changed."""

    def __init__(self, organization_ids):
        self.organization_ids = list(organization_ids)
        # By number only: naming them would tell the user about organizations they may not see.
        super().__init__(
            _("Organizations %(ids)s are not in your jurisdiction (or do not exist); nothing was changed.")
            % {"ids": ", ".join(str(pk) for pk in self.organization_ids)}
        )


def may_edit(user) -> bool:
    return user.is_active and (user.is_superuser or user.role in EDITOR_ROLES)


def check_may_edit(user, organization=None):
    if not may_edit(user):
        raise PermissionDenied(_("Your role may read Party-building data but not change it."))
    if organization is not None and not Organization.objects.visible_to(user).filter(pk=organization.pk).exists():
        raise OutsideJurisdiction([organization.pk])


def party_building_of(organization) -> PartyBuilding:
    """The organization's Party-building row, or an unsaved one with the defaults ("none")."""
    try:
        return organization.party_building
    except PartyBuilding.DoesNotExist:
        return PartyBuilding(organization=organization)


@transaction.atomic
def save_party_building(organization, user, values: dict, joint_with=None) -> PartyBuilding:
    """Set the organization's Party-building status. ``values`` holds any of ``PARTY_FIELDS``; ``joint_with``
    (organizations, when given) replaces the partners of a joint Party organization."""
    check_may_edit(user, organization)
    party = party_building_of(organization)
    for name, value in values.items():
        if name not in PARTY_FIELDS:
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        setattr(party, name, value)
    if party.form != PartyForm.JOINT:
        joint_with = []
    partners = _visible_partners(user, organization, joint_with)
    party.updated_by = user
    party.full_clean()
    party._history_user = user
    party.save()
    if partners is not None and set(party.joint_with.all()) != set(partners):
        party._history_user = user
        party.joint_with.set(partners)
    return party


def _visible_partners(user, organization, joint_with):
    if joint_with is None:
        return None
    partners = list(joint_with)
    ids = {partner.pk for partner in partners}
    visible = set(Organization.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - visible:
        raise OutsideJurisdiction(sorted(ids - visible))
    if organization.pk in ids:
        raise ValidationError({"joint_with": _("An organization cannot be its own joint partner.")})
    return partners


@transaction.atomic
def add_assignment(organization, user, *, person_name, starts_on, kind, unit="", ends_on=None):
    check_may_edit(user, organization)
    assignment = InstructorAssignment(organization=organization, kind=kind, person_name=person_name, unit=unit,
                                      starts_on=starts_on, ends_on=ends_on, assigned_by=user)
    assignment.full_clean()
    assignment._history_user = user
    assignment.save()
    return assignment


@transaction.atomic
def end_assignment(assignment, user, ends_on) -> InstructorAssignment:
    check_may_edit(user, assignment.organization)
    assignment.ends_on = ends_on
    assignment.full_clean()
    assignment._history_user = user
    assignment.save()
    return assignment


@transaction.atomic
def assign_instructor(organization_ids, user, *, person_name, starts_on, kind, unit="", ends_on=None):
    """Assign one instructor or liaison to several organizations, all or none.

    Every id is checked against the user's jurisdiction before anything is written; one outside it (or unknown)
    raises OutsideJurisdiction naming it, and nothing changes.
    """
    check_may_edit(user)
    ids = sorted({int(pk) for pk in organization_ids})
    if not ids:
        raise ValidationError(_("Choose at least one organization."))
    organizations = Organization.objects.visible_to(user).filter(pk__in=ids).order_by("pk")
    found = {organization.pk: organization for organization in organizations}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise OutsideJurisdiction(missing)
    return [add_assignment(found[pk], user, person_name=person_name, unit=unit, kind=kind, starts_on=starts_on,
                           ends_on=ends_on) for pk in ids]


@transaction.atomic
def add_meeting(organization, user, *, held_on, kind, attendees, note="") -> MeetingRecord:
    check_may_edit(user, organization)
    meeting = MeetingRecord(organization=organization, held_on=held_on, kind=kind, attendees=attendees, note=note,
                            recorded_by=user)
    meeting.full_clean()
    meeting._history_user = user
    meeting.save()
    return meeting


def import_party_building(source, user, fmt="xlsx", dry_run=False) -> int:
    """Load Party-building data for existing organizations from a spreadsheet (partybuilding.resources).

    All rows or none: raises registry.services.ImportRejected listing every bad row with its number; with
    ``dry_run`` nothing is saved even when every row is good. Returns the number of rows imported.
    """
    from partybuilding.resources import import_rows

    check_may_edit(user)
    return import_rows(source, user, fmt=fmt, dry_run=dry_run)
