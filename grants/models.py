"""Venture philanthropy (公益创投): funds, rounds, applications, expert scoring, allocation, tranches, subsidies.

Money is in yuan with two decimals. Every state change of a round or an application is an event row.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.choices import (
    AllocationMode,
    AppState,
    FinalGrade,
    Milestone,
    ReportKind,
    ReportState,
    RoundState,
    SheetState,
    TrancheState,
)
from registry.choices import Grade, RegionLevel, Tier, Vocabulary
from registry.models.workflow import WorkflowEvent
from registry.scoping import ScopedQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(0)]}
# Budgets, awards, payments and subsidies: at least one fen (a zero or negative amount is a typing error, and
# would pass every "at most the budget" check); forms and serializers take the bound from the field.
POSITIVE_MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0.01"))]}
PERCENT = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(100)]}


def default_allowed_tiers():
    return [Tier.REGISTERED.value, Tier.FILED.value, Tier.COMMUNITY.value]


def default_ring_fence_tiers():
    return [Tier.FILED.value, Tier.COMMUNITY.value]


def default_tranche_plan():
    return [50, 30, 20]


def ancestor_codes(prefixes) -> set[str]:
    """Codes of the regions above each jurisdiction prefix (street, county, city, province)."""
    codes = set()
    for prefix in prefixes:
        for length, pad in ((9, 0), (6, 0), (4, 2), (2, 4)):
            if len(prefix) > length:
                codes.add(prefix[:length] + "0" * pad)
    return codes


class Fund(models.Model):
    """Money a jurisdiction has for venture grants in a year, by source (public finance, lottery, foundations...)."""

    scope_region_lookup = "jurisdiction__code"

    jurisdiction = models.ForeignKey("registry.Region", models.PROTECT, related_name="+",
                                     verbose_name=_("jurisdiction"))
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.ForeignKey("registry.Term", models.PROTECT, related_name="+", verbose_name=_("funding source"),
                               limit_choices_to={"vocabulary": Vocabulary.FUNDING_SOURCE})
    amount = models.DecimalField(_("amount (yuan)"), **POSITIVE_MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("venture-grant fund")
        verbose_name_plural = _("venture-grant funds")
        ordering = ["-year", "jurisdiction_id", "source__sort"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "year", "source"], name="fund_unique_source")]

    def __str__(self):
        return f"{self.jurisdiction} {self.year} {self.source}"

    def get_absolute_url(self):
        return reverse("grants:fund_detail", args=[self.pk])


class Round(models.Model):
    """A venture-grant round (公益创投) of a county (or a street running its own), with its rules."""

    scope_region_lookup = "region__code"

    region = models.ForeignKey("registry.Region", models.PROTECT, related_name="+", verbose_name=_("jurisdiction"),
                               help_text=_("The county (or street) that runs the round."))
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=12, choices=RoundState.choices, default=RoundState.DRAFT)
    call_opens_on = models.DateField(_("call opens"), null=True, blank=True)
    call_closes_on = models.DateField(_("call closes"), null=True, blank=True)
    review_by = models.DateField(_("review done by"), null=True, blank=True)
    decision_on = models.DateField(_("decision date"), null=True, blank=True)

    allowed_tiers = models.JSONField(_("tiers that may apply"), default=default_allowed_tiers)
    min_grade = models.CharField(_("minimum evaluation grade"), max_length=2, choices=Grade.choices, blank=True,
                                 help_text=_("Empty: no grade needed. Otherwise only organizations graded at "
                                             "least this (and still valid) may apply."))
    one_application_per_organization = models.BooleanField(_("one application per organization"), default=True)
    min_amount = models.DecimalField(_("minimum per project (yuan)"), null=True, blank=True, **POSITIVE_MONEY)
    max_amount = models.DecimalField(_("maximum per project (yuan)"), null=True, blank=True, **POSITIVE_MONEY)
    org_cap = models.DecimalField(_("most one organization may receive (yuan)"), null=True, blank=True,
                                  **POSITIVE_MONEY)
    cofunding_pct = models.DecimalField(
        _("co-funding ratio (%)"), default=Decimal("0"), **PERCENT,
        help_text=_("The organization's own funds must be at least this share of the amount requested."))
    pass_score = models.DecimalField(_("pass line (score)"), default=Decimal("60"), **PERCENT,
                                     help_text=_("Applications scoring below it are never funded."))
    ring_fence_pct = models.DecimalField(
        _("ring-fence (%)"), default=Decimal("30"), **PERCENT,
        help_text=_("At least this share of the awarded money goes to community social organizations "
                    "(Hangzhou 2018: 30%)."))
    ring_fence_tiers = models.JSONField(
        _("tiers that count for the ring-fence"), default=default_ring_fence_tiers,
        help_text=_("Grassroots organizations below legal-person registration: filed and community-guided groups "
                    "by default."))
    ring_fence_registered_in_community = models.BooleanField(
        _("registered organizations of a community count too"), default=True,
        help_text=_("A registered organization whose region is a community counts for the ring-fence."))
    normalise_scores = models.BooleanField(
        _("normalise expert scores (z-scores)"), default=False,
        help_text=_("Removes each expert's leniency or severity before ranking."))
    tranche_plan = models.JSONField(_("tranches (percent of the award)"), default=default_tranche_plan)
    allocation_mode = models.CharField(_("allocation applied"), max_length=10, choices=AllocationMode.choices,
                                       blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("venture-grant round (公益创投)")
        verbose_name_plural = _("venture-grant rounds")
        ordering = ["-year", "-pk"]
        indexes = [
            # The round list of a jurisdiction by year.
            models.Index(fields=["region", "year"], name="grant_round_region_year_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("grants:round_detail", args=[self.pk])

    @classmethod
    def scope_extra(cls, user):
        """The calls of the regions above the user's (a county's call is open to every street and community in
        it), beside the rounds in the user's subtree."""
        return Q(region_id__in=ancestor_codes(user.region_prefixes)) if user.region_prefixes else None

    @property
    def budget(self) -> Decimal:
        return self.budgets.aggregate(total=Sum("amount"))["total"] or Decimal("0")

    def counts_for_ring_fence(self, organization) -> bool:
        """The ring-fence criterion: the organization's tier is one of ``ring_fence_tiers``, or it is registered
        and belongs to a community while ``ring_fence_registered_in_community`` is on."""
        if organization.tier in (self.ring_fence_tiers or []):
            return True
        return bool(self.ring_fence_registered_in_community and organization.tier == Tier.REGISTERED
                    and organization.region.level == RegionLevel.COMMUNITY)

    @property
    def workflow(self):
        from grants.workflows import ROUND_WORKFLOW

        return ROUND_WORKFLOW


class RoundBudget(models.Model):
    """The part of a round's budget drawn from one fund (same source; the fund's year and jurisdiction or above)."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="budgets", verbose_name=_("round"))
    fund = models.ForeignKey(Fund, models.PROTECT, null=True, blank=True, related_name="round_budgets",
                             verbose_name=_("fund drawn on"))
    source = models.ForeignKey("registry.Term", models.PROTECT, related_name="+", verbose_name=_("funding source"),
                               limit_choices_to={"vocabulary": Vocabulary.FUNDING_SOURCE})
    amount = models.DecimalField(_("amount (yuan)"), **POSITIVE_MONEY)

    class Meta:
        verbose_name = _("round budget by source")
        verbose_name_plural = _("round budgets by source")
        constraints = [models.UniqueConstraint(fields=["round", "source"], name="grant_budget_unique_source")]

    def __str__(self):
        return f"{self.source}: {self.amount}"


class Track(models.Model):
    """A track (赛道) of a round with its own budget."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="tracks", verbose_name=_("round"))
    name = models.CharField(_("name"), max_length=100)
    budget = models.DecimalField(_("budget (yuan)"), **POSITIVE_MONEY)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("track (赛道)")
        verbose_name_plural = _("tracks")
        ordering = ["sort", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "name"], name="grant_track_unique_name")]

    def __str__(self):
        return self.name


class Criterion(models.Model):
    """One line of a round's scoring rubric; the weights of a round add up to 100."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="criteria", verbose_name=_("round"))
    name = models.CharField(_("criterion"), max_length=100)
    description = models.CharField(_("what to look for"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")
        ordering = ["sort", "pk"]

    def __str__(self):
        return f"{self.name} ({self.weight})"


class Panel(models.Model):
    round = models.ForeignKey(Round, models.CASCADE, related_name="panels", verbose_name=_("round"))
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="grant_panels", blank=True,
                                     verbose_name=_("experts"))

    class Meta:
        verbose_name = _("expert panel")
        verbose_name_plural = _("expert panels")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class RoundEvent(WorkflowEvent):
    round = models.ForeignKey(Round, models.CASCADE, related_name="events", verbose_name=_("round"))

    state_choices = RoundState.choices

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("round event")
        verbose_name_plural = _("round events")

    @property
    def workflow(self):
        return self.round.workflow


class OtherApplicant(models.Model):
    """A social organization that is not a community social organization (e.g. a county-level social-work agency),
    recorded with its USCC so a round may take its application. Its awards count in the county's venture-grant
    money but not in the CSO share (DOMAIN.md §3, settled definitions)."""

    scope_region_lookup = "region__code"

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    region = models.ForeignKey("registry.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    nature = models.CharField(_("kind of organization"), max_length=200,
                              help_text=_("e.g. county-level social-work agency"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("other social organization (not a CSO)")
        verbose_name_plural = _("other social organizations (not CSOs)")
        ordering = ["name"]

    def __str__(self):
        return self.name

    tier = ""
    is_open = True

    def get_tier_display(self):
        return _("Not a community social organization")


class Application(models.Model):
    """A project an organization asks a round to fund, submitted by street staff on its behalf (or by the district
    for an applicant that is not a CSO)."""

    # The applicant's region, copied from the organization (or the other applicant) when the row is made.
    scope_region_lookup = "region__code"
    # An expert sees exactly the applications assigned to them (guardian ``view_application``).
    scope_allows_grants = True
    # The applicant organization's own users see its applications (registry/scoping.py).
    scope_organization_lookup = "organization"

    round = models.ForeignKey(Round, models.PROTECT, related_name="applications", verbose_name=_("round"))
    track = models.ForeignKey(Track, models.PROTECT, related_name="applications", verbose_name=_("track"))
    organization = models.ForeignKey("registry.Organization", models.PROTECT, related_name="grant_applications",
                                     verbose_name=_("organization"), null=True, blank=True)
    other_applicant = models.ForeignKey(OtherApplicant, models.PROTECT, related_name="applications", null=True,
                                        blank=True, verbose_name=_("applicant that is not a CSO"))
    region = models.ForeignKey("registry.Region", models.PROTECT, related_name="+", verbose_name=_("region"),
                               null=True, blank=True, editable=False)
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("summary"))
    target_groups = models.ManyToManyField("registry.Term", blank=True, related_name="+",
                                           verbose_name=_("target groups"),
                                           limit_choices_to={"vocabulary": Vocabulary.TARGET_GROUP})
    expected_beneficiaries = models.PositiveIntegerField(_("expected beneficiaries"), default=0)
    amount_requested = models.DecimalField(_("amount requested (yuan)"), **POSITIVE_MONEY)
    own_funds = models.DecimalField(_("own / matching funds (yuan)"), default=Decimal("0"), **MONEY)
    timeline = models.TextField(_("timeline"), blank=True)
    declares_no_other_public_funding = models.BooleanField(
        _("the project is not funded by other public money"), default=False)
    state = models.CharField(_("state"), max_length=12, choices=AppState.choices, default=AppState.DRAFT)
    eligibility_note = models.TextField(_("eligibility screening"), blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    allocation_reason = models.CharField(_("allocation reason"), max_length=30, blank=True)
    awarded_amount = models.DecimalField(_("awarded (yuan)"), null=True, blank=True, **POSITIVE_MONEY)
    final_score = models.DecimalField(_("final evaluation score"), max_digits=5, decimal_places=2, null=True,
                                      blank=True)
    final_grade = models.CharField(_("final grade"), max_length=1, choices=FinalGrade.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("venture-grant application")
        verbose_name_plural = _("venture-grant applications")
        ordering = ["round_id", "rank", "pk"]
        indexes = [
            # A round's applications by state: screening queue, ranking, allocation.
            models.Index(fields=["round", "state"], name="grant_app_round_state_idx"),
            # "One application per organization per round" and "already funded" checks.
            models.Index(fields=["organization", "round"], name="grant_app_org_round_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=False, other_applicant__isnull=True)
                | Q(organization__isnull=True, other_applicant__isnull=False),
                name="grant_app_one_applicant"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.region_id is None and self.applicant is not None:
            self.region_id = self.applicant.region_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("grants:application_detail", args=[self.pk])

    @property
    def applicant(self):
        """The registry organization (a CSO) or the other social organization that applies."""
        return self.organization if self.organization_id else self.other_applicant

    @property
    def is_cso(self) -> bool:
        return self.organization_id is not None

    @property
    def workflow(self):
        from grants.workflows import APPLICATION_WORKFLOW

        return APPLICATION_WORKFLOW

    @property
    def reason_label(self):
        from grants.choices import REASON_LABELS

        return REASON_LABELS.get(self.allocation_reason, self.allocation_reason)


class BudgetLine(models.Model):
    application = models.ForeignKey(Application, models.CASCADE, related_name="budget_lines",
                                    verbose_name=_("application"))
    item = models.CharField(_("item"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), **POSITIVE_MONEY)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["sort", "pk"]

    def __str__(self):
        return self.item


def attachment_path(attachment, filename):
    # Stored under a random name: the original name is kept in the row, never used as a path.
    return f"grants/{attachment.application_id}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    scope_region_lookup = "application__region__code"

    application = models.ForeignKey(Application, models.PROTECT, related_name="attachments",
                                    verbose_name=_("application"))
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class ApplicationEvent(WorkflowEvent):
    """Every transition, assignment, override and comment on an application is a row."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="events",
                                    verbose_name=_("application"))

    state_choices = AppState.choices

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    @property
    def action_labels(self):
        from grants.workflows import EVENT_LABELS

        return EVENT_LABELS

    @property
    def workflow(self):
        return self.application.workflow


class ExpertLink(models.Model):
    """An expert's declared link to an organization (employment, board seat, family...): never assigned to it.
    The expert sees their own declarations; staff those on organizations of their jurisdiction."""

    scope_region_lookup = "organization__region__code"
    scope_owner_lookup = "expert"

    expert = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="grant_links",
                               verbose_name=_("expert"))
    organization = models.ForeignKey("registry.Organization", models.PROTECT, related_name="+",
                                     verbose_name=_("organization"))
    nature = models.CharField(_("nature of the link"), max_length=200)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("expert's declared link")
        verbose_name_plural = _("experts' declared links")
        constraints = [models.UniqueConstraint(fields=["expert", "organization"], name="grant_link_unique")]

    def __str__(self):
        return f"{self.expert} – {self.organization}"


class Assignment(models.Model):
    """An expert assigned to score an application (mirrored by the guardian grant that lets them see it)."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="assignments",
                                    verbose_name=_("application"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="grant_assignments",
                               verbose_name=_("expert"))
    panel = models.ForeignKey(Panel, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("panel"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("why it was voided"), max_length=300, blank=True)
    replaced_by = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("replaced by"))

    class Meta:
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")
        constraints = [models.UniqueConstraint(fields=["application", "expert"], name="grant_assignment_unique")]

    def __str__(self):
        return f"{self.expert} → {self.application}"


class ScoreSheet(models.Model):
    """One expert's scores on one application; locked once submitted. Visible on applications of the user's
    jurisdiction, and to the expert who owns it."""

    scope_region_lookup = "application__region__code"
    scope_owner_lookup = "expert"

    application = models.ForeignKey(Application, models.CASCADE, related_name="score_sheets",
                                    verbose_name=_("application"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="grant_score_sheets",
                               verbose_name=_("expert"))
    state = models.CharField(_("state"), max_length=10, choices=SheetState.choices, default=SheetState.DRAFT)
    total = models.DecimalField(_("weighted total"), max_digits=6, decimal_places=2, default=Decimal("0"))
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    void_reason = models.CharField(_("why it does not count"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["application_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["application", "expert"], name="grant_sheet_unique")]

    def __str__(self):
        return f"{self.expert} / {self.application}"

    @property
    def is_locked(self):
        return self.state in (SheetState.SUBMITTED, SheetState.VOID)


class CriterionScore(models.Model):
    sheet = models.ForeignKey(ScoreSheet, models.CASCADE, related_name="scores", verbose_name=_("score sheet"))
    criterion = models.ForeignKey(Criterion, models.PROTECT, related_name="+", verbose_name=_("criterion"))
    score = models.DecimalField(_("score (0-100)"), max_digits=5, decimal_places=2,
                                validators=[MinValueValidator(0), MaxValueValidator(100)])

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [models.UniqueConstraint(fields=["sheet", "criterion"], name="grant_score_unique")]

    def __str__(self):
        return f"{self.criterion}: {self.score}"


class AllocationRun(models.Model):
    """Both allocation modes computed on the round's current scores, kept as they were shown."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="allocation_runs", verbose_name=_("round"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("run by"))
    created_at = models.DateTimeField(_("run at"), auto_now_add=True)
    results = models.JSONField(_("results"), default=dict)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.round} {self.created_at:%Y-%m-%d %H:%M}"



class Tranche(models.Model):
    """A part of an award, released when its milestone passes and withheld when it fails."""

    scope_region_lookup = "application__region__code"

    application = models.ForeignKey(Application, models.PROTECT, related_name="tranches",
                                    verbose_name=_("application"))
    sequence = models.PositiveSmallIntegerField(_("tranche"))
    percent = models.DecimalField(_("share (%)"), **PERCENT)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    milestone = models.CharField(_("released on"), max_length=10, choices=Milestone.choices)
    state = models.CharField(_("state"), max_length=10, choices=TrancheState.choices, default=TrancheState.PLANNED)
    decided_at = models.DateTimeField(_("released / withheld at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["application_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["application", "sequence"], name="grant_tranche_unique")]

    def __str__(self):
        return f"{self.application} #{self.sequence}"

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments.all()), Decimal("0"))


class ProjectReport(models.Model):
    """An interim or final report of a funded project: progress, and spending against its budget lines. The
    district reviews it; an accepted report is what lets the next tranche be released."""

    scope_region_lookup = "application__region__code"

    application = models.ForeignKey(Application, models.PROTECT, related_name="reports",
                                    verbose_name=_("application"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    progress = models.TextField(_("progress"))
    #: budget line id (as text) → amount spent so far
    spending = models.JSONField(_("spending by budget line"), default=dict)
    state = models.CharField(_("state"), max_length=10, choices=ReportState.choices, default=ReportState.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                     verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("project report")
        verbose_name_plural = _("project reports")
        ordering = ["submitted_at", "pk"]

    def __str__(self):
        return f"{self.application} {self.get_kind_display()}"

    @property
    def spent(self) -> Decimal:
        return sum((Decimal(str(v)) for v in self.spending.values()), Decimal("0"))


class Payment(models.Model):
    tranche = models.ForeignKey(Tranche, models.PROTECT, related_name="payments", verbose_name=_("tranche"))
    amount = models.DecimalField(_("amount (yuan)"), **POSITIVE_MONEY)
    paid_on = models.DateField(_("paid on"), default=timezone.localdate)
    source = models.ForeignKey("registry.Term", models.PROTECT, related_name="+", verbose_name=_("funding source"),
                               limit_choices_to={"vocabulary": Vocabulary.FUNDING_SOURCE})
    reference = models.CharField(_("voucher / reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_region_lookup = "tranche__application__region__code"

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]

    def __str__(self):
        return f"{self.tranche}: {self.amount}"


class Subsidy(models.Model):
    """A subsidy or reward paid to an organization (DOMAIN.md §4), outside the venture-grant rounds."""

    scope_region_lookup = "organization__region__code"

    organization = models.ForeignKey("registry.Organization", models.PROTECT, related_name="subsidies",
                                     verbose_name=_("organization"))
    kind = models.ForeignKey("registry.Term", models.PROTECT, related_name="+", verbose_name=_("kind"),
                             limit_choices_to={"vocabulary__in": [Vocabulary.SUBSIDY_KIND, Vocabulary.REWARD_KIND]})
    amount = models.DecimalField(_("amount (yuan)"), **POSITIVE_MONEY)
    granted_on = models.DateField(_("date"), default=timezone.localdate)
    source = models.ForeignKey("registry.Term", models.PROTECT, related_name="+", verbose_name=_("funding source"),
                               limit_choices_to={"vocabulary": Vocabulary.FUNDING_SOURCE})
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("subsidy or reward")
        verbose_name_plural = _("subsidies and rewards")
        ordering = ["-granted_on", "-pk"]
        indexes = [
            # Totals by region subtree and kind (the register's summary and the yearly report, section D).
            models.Index(fields=["organization", "kind", "granted_on"], name="grant_subsidy_org_kind_idx"),
        ]

    def __str__(self):
        return f"{self.organization} {self.kind} {self.amount}"


# The supply–demand board lives in its own module; imported here so Django finds its models.
from grants.matching_models import Interest, Pairing, Posting, PostingEvent  # noqa: E402, F401
