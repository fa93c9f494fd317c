"""What happens to an organization after approval: activities, trainings, grades, brands, credit flags."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registry.calendar import add_years
from registry.changes import AnnouncesWrites
from registry.choices import BrandLevel, FlagList, FlagReason, Grade, NoticeResult, TraineeKind, Vocabulary
from registry.scoping import ScopedQuerySet

ORG = "registry.Organization"


class ScopedByOrganization(ScopedQuerySet):
    pass


class FigureRecords(AnnouncesWrites, ScopedByOrganization):
    """Records the figures read (trainings, grades, brands): bulk writes announce their organizations."""


class Activity(models.Model):
    """An activity an organization held; the latest date keeps the organization off the zombie list."""

    scope_region_lookup = "organization__region__code"

    organization = models.ForeignKey(ORG, models.PROTECT, related_name="activities", verbose_name=_("organization"))
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), default=0)
    campaign = models.ForeignKey("registry.Term", models.PROTECT, null=True, blank=True, related_name="+",
                                 limit_choices_to={"vocabulary": Vocabulary.CAMPAIGN}, verbose_name=_("campaign"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedByOrganization.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-pk"]
        # The zombie job and the campaign figures: latest activity per organization, activities per period.
        indexes = [models.Index(fields=["organization", "held_on"], name="activity_org_date_idx")]

    def __str__(self):
        return self.title


class Training(models.Model):
    """One person's attendance at a capacity-training course (DOMAIN.md §3 rules 18 and 23)."""

    scope_region_lookup = "region__code"

    region = models.ForeignKey("registry.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    organization = models.ForeignKey(ORG, models.PROTECT, null=True, blank=True, related_name="trainings",
                                     verbose_name=_("organization"))
    person_name = models.CharField(_("person"), max_length=50)
    trainee_kind = models.CharField(_("trainee"), max_length=20, choices=TraineeKind.choices)
    course = models.CharField(_("course"), max_length=200)
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))

    objects = FigureRecords.as_manager()

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.person_name} {self.course}"


class EvaluationGrade(models.Model):
    """An evaluation result (5A-1A), valid five years; the latest valid one is shown on the organization."""

    scope_region_lookup = "organization__region__code"

    organization = models.ForeignKey(ORG, models.PROTECT, related_name="grades", verbose_name=_("organization"))
    grade = models.CharField(_("grade"), max_length=2, choices=Grade.choices)
    awarded_on = models.DateField(_("awarded on"))
    valid_until = models.DateField(_("valid until"))
    evaluator = models.CharField(_("evaluated by"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))

    objects = FigureRecords.as_manager()

    class Meta:
        verbose_name = _("evaluation grade")
        verbose_name_plural = _("evaluation grades")
        ordering = ["-awarded_on"]

    def __str__(self):
        return f"{self.organization} {self.grade}"

    @staticmethod
    def validity(awarded_on):
        return add_years(awarded_on, 5) - timedelta(days=1)


class BrandDesignation(models.Model):
    """A brand organization or brand project named by a level of government in a year."""

    scope_region_lookup = "organization__region__code"

    organization = models.ForeignKey(ORG, models.PROTECT, related_name="brands", verbose_name=_("organization"))
    project = models.CharField(_("brand project"), max_length=200, blank=True,
                               help_text=_("Empty when the organization itself is named a brand organization."))
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("named by"), max_length=10, choices=BrandLevel.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))

    objects = FigureRecords.as_manager()

    class Meta:
        verbose_name = _("brand designation")
        verbose_name_plural = _("brand designations")
        ordering = ["-year"]

    def __str__(self):
        return self.project or str(self.organization)


class CreditFlagQuerySet(ScopedQuerySet):
    def current(self):
        return self.filter(repaired_on__isnull=True)


class CreditFlag(models.Model):
    """An entry on the abnormal-activity list or the serious list, dated and explained; repaired with a reason."""

    scope_region_lookup = "organization__region__code"

    organization = models.ForeignKey(ORG, models.PROTECT, related_name="credit_flags", verbose_name=_("organization"))
    listed_on = models.CharField(_("list"), max_length=10, choices=FlagList.choices, default=FlagList.ABNORMAL)
    reason = models.CharField(_("reason"), max_length=30, choices=FlagReason.choices)
    explanation = models.TextField(_("explanation"))
    raised_on = models.DateField(_("listed on"), default=timezone.localdate)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("listed by"),
                                  help_text=_("Empty when a scheduled check listed it."))
    escalated_on = models.DateField(_("moved to the serious list on"), null=True, blank=True)
    repaired_on = models.DateField(_("repaired on"), null=True, blank=True)
    repaired_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("repaired by"))
    repair_reason = models.TextField(_("reason for repair"), blank=True)

    objects = CreditFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit flag")
        verbose_name_plural = _("credit flags")
        ordering = ["-raised_on", "-pk"]
        constraints = [
            # One current flag per organization and reason: a daily job may run twice without doubling it.
            models.UniqueConstraint(fields=["organization", "reason"], condition=models.Q(repaired_on__isnull=True),
                                    name="one_current_flag_per_reason"),
        ]

    def __str__(self):
        return f"{self.organization} {self.get_reason_display()}"


class RectificationNotice(models.Model):
    """整改通知: what a filed (T2) or community-guided (T3) group gets where a registered legal person would be
    listed (DOMAIN.md §3: credit flags apply to T1 only) — a reason, a deadline and, in the end, a result."""

    scope_region_lookup = "organization__region__code"

    organization = models.ForeignKey(ORG, models.PROTECT, related_name="rectification_notices",
                                     verbose_name=_("organization"))
    reason = models.CharField(_("reason"), max_length=30, choices=FlagReason.choices)
    explanation = models.TextField(_("explanation"))
    issued_on = models.DateField(_("issued on"), default=timezone.localdate)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("issued by"), help_text=_("Empty when a scheduled check issued it."))
    deadline = models.DateField(_("rectify by"))
    result = models.CharField(_("result"), max_length=16, choices=NoticeResult.choices, default=NoticeResult.PENDING)
    result_on = models.DateField(_("result recorded on"), null=True, blank=True)
    result_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("result recorded by"))
    result_note = models.TextField(_("note on the result"), blank=True)

    objects = ScopedByOrganization.as_manager()

    class Meta:
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            # One pending notice per organization and reason: a daily job may run twice without doubling it.
            models.UniqueConstraint(fields=["organization", "reason"], condition=models.Q(result="pending"),
                                    name="one_pending_notice_per_reason"),
        ]

    def __str__(self):
        return f"{self.organization} {self.get_reason_display()}"


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("notification", "Submitted")
    RETURNED = "returned", pgettext_lazy("notification", "Returned")
    DECIDED = "decided", pgettext_lazy("notification", "Decided")
    OVERDUE = "overdue", pgettext_lazy("notification", "Overdue")
    REMINDER = "reminder", pgettext_lazy("notification", "Reminder")


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A notification is its addressee's alone."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class Notification(models.Model):
    """A message to one user (a case submitted, returned or decided; an overdue case; a reminder), counted in the
    header until read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=12, choices=NotificationKind.choices,
                            default=NotificationKind.REMINDER)
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=200, blank=True)
    key = models.CharField(max_length=120, help_text="Deduplicates reminders: one per user and key.")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_key")]
        indexes = [
            # The header's unread count, on every page.
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="notification_unread_idx"),
        ]

    def __str__(self):
        return self.message
