from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partybuilding.choices import MIN_FULL_MEMBERS, AssignmentKind, MeetingKind, PartyForm
from registry.changes import AnnouncesWrites
from registry.scoping import ScopedQuerySet


class PartyRecords(AnnouncesWrites, ScopedQuerySet):
    """Bulk writes of Party-building rows announce their organizations (the figures follow them)."""


class PartyBuilding(models.Model):
    """Party-building status of one organization (党建情况). No row means "no Party organization"."""

    scope_region_lookup = "organization__region__code"

    organization = models.OneToOneField(
        "registry.Organization", models.PROTECT, related_name="party_building", verbose_name=_("organization"),
    )
    full_members = models.PositiveIntegerField(_("full Party members"), default=0)
    probationary_members = models.PositiveIntegerField(_("probationary Party members"), default=0)
    form = models.CharField(_("Party organization"), max_length=8, choices=PartyForm.choices, default=PartyForm.NONE)
    joint_with = models.ManyToManyField(
        "registry.Organization", blank=True, related_name="+", verbose_name=_("joint Party organization with"),
        help_text=_("The other organizations that share the joint Party organization."),
    )
    established_on = models.DateField(_("Party organization established on"), null=True, blank=True)
    superior_organization = models.CharField(
        _("superior Party organization"), max_length=200, blank=True,
        help_text=_("For example the community Party committee."),
    )
    two_way_entry = models.BooleanField(_("two-way entry"), default=False)
    cross_appointment = models.BooleanField(_("cross-appointment"), default=False)
    last_contact_on = models.DateField(_("last contact with the community Party organization"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"))

    objects = PartyRecords.as_manager()
    history = HistoricalRecords(m2m_fields=[joint_with], excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("Party-building status")
        verbose_name_plural = _("Party-building status")
        indexes = [
            # Coverage: organizations with a given form or at least three full members, per region subtree.
            models.Index(fields=["form", "full_members"], name="partybuilding_form_members_idx"),
        ]

    def __str__(self):
        return str(self.organization)

    def get_absolute_url(self):
        return reverse("partybuilding:organization_party", args=[self.organization_id])

    @property
    def has_party_organization(self) -> bool:
        return self.form in (PartyForm.OWN, PartyForm.JOINT)

    def clean(self):
        errors = {}
        if self.form == PartyForm.OWN and self.full_members < MIN_FULL_MEMBERS:
            errors["form"] = _t("An own Party organization needs at least %(n)d full Party members.") % {
                "n": MIN_FULL_MEMBERS}
        if self.form == PartyForm.NONE and self.established_on:
            errors["established_on"] = _t("Without a Party organization there is no establishment date.")
        if errors:
            raise ValidationError(errors)


class AssignmentQuerySet(PartyRecords):
    def current(self, today):
        """Assignments in force on ``today``: started, and not yet ended."""
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today), starts_on__lte=today)


class InstructorAssignment(models.Model):
    """A Party-building instructor (党建指导员) or liaison (联络员) assigned to an organization for a period."""

    scope_region_lookup = "organization__region__code"

    organization = models.ForeignKey(
        "registry.Organization", models.PROTECT, related_name="instructor_assignments",
        verbose_name=_("organization"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AssignmentKind.choices, default=AssignmentKind.INSTRUCTOR)
    person_name = models.CharField(_("name"), max_length=50)
    unit = models.CharField(_("work unit"), max_length=100, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True, help_text=_("Empty while the assignment lasts."))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("assigned by"))
    assigned_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("instructor or liaison assignment")
        verbose_name_plural = _("instructor and liaison assignments")
        ordering = ["-starts_on", "-pk"]
        indexes = [
            # Work coverage: "is an assignment in force today" as an EXISTS per organization.
            models.Index(fields=["organization", "starts_on", "ends_on"], name="pb_assignment_current_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="pb_assignment_ends_after_start",
                                   violation_error_message=_("An assignment cannot end before it starts.")),
        ]

    def __str__(self):
        return f"{self.person_name} ({self.get_kind_display()})"

    def get_absolute_url(self):
        return reverse("partybuilding:organization_party", args=[self.organization_id])

    def is_current(self, today) -> bool:
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)


class MeetingRecord(models.Model):
    """One of the "three meetings and one lesson" (三会一课) held by an organization's Party organization."""

    scope_region_lookup = "organization__region__code"

    organization = models.ForeignKey(
        "registry.Organization", models.PROTECT, related_name="party_meetings", verbose_name=_("organization"),
    )
    held_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    attendees = models.PositiveIntegerField(_("attendees"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting record")
        verbose_name_plural = _("meeting records")
        ordering = ["-held_on", "-pk"]
        indexes = [
            # The Party-building tab: an organization's meetings, newest first.
            models.Index(fields=["organization", "-held_on"], name="pb_meeting_org_date_idx"),
        ]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("partybuilding:organization_party", args=[self.organization_id])
