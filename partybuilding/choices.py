from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import Role


class PartyForm(models.TextChoices):
    """How an organization is covered by a Party organization (DOMAIN.md §4)."""

    OWN = "own", _("Own Party organization")
    JOINT = "joint", _("Joint Party organization")
    NONE = "none", _("No Party organization")


# Forms that count towards organizational coverage.
PARTY_ORGANIZATION_FORMS = (PartyForm.OWN, PartyForm.JOINT)

# An own Party organization needs at least this many full Party members; an organization with this many and no
# Party organization "should establish" one (应建未建).
MIN_FULL_MEMBERS = 3


class AssignmentKind(models.TextChoices):
    INSTRUCTOR = "instructor", _("Party-building instructor")
    LIAISON = "liaison", _("Party-building liaison")


class MeetingKind(models.TextChoices):
    """The "three meetings and one lesson" (三会一课)."""

    MEMBER_MEETING = "member_meeting", _("Branch member meeting")
    BRANCH_COMMITTEE = "branch_committee", _("Branch committee meeting")
    GROUP_MEETING = "group_meeting", _("Party group meeting")
    PARTY_LESSON = "party_lesson", _("Party lesson")


class Gap(models.TextChoices):
    """The organizations behind a coverage figure, as a filter of the Party-building list."""

    NO_ORG = "no_org", _("No Party organization")
    NO_WORK_COVERAGE = "no_work_coverage", _("Party work not covered")
    SHOULD_ESTABLISH = "should_establish", _("Should establish a Party organization")
    NEEDS_INSTRUCTOR = "needs_instructor", _("Needs an instructor or liaison")


# Who may record Party-building data, within their jurisdiction; leaders read only.
EDITOR_ROLES = (Role.STREET_STAFF, Role.COMMUNITY_WORKER, Role.DISTRICT_REVIEWER, Role.ADMIN)
