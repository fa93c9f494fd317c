import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import Tier
from registry.models.regions import nearest_for_code
from registry.scoping import ScopedQuerySet


class Operator(models.TextChoices):
    AT_LEAST = ">=", "≥"
    AT_MOST = "<=", "≤"


def all_tiers():
    return list(Tier.values)


class ReportingSettings(models.Model):
    """Open choices of DOMAIN.md §3, per jurisdiction (longest code prefix wins; empty = everywhere)."""

    jurisdiction_code = models.CharField(_("jurisdiction code prefix"), max_length=12, blank=True, unique=True)
    counted_tiers = models.JSONField(_("tiers counted in the per-community averages"), default=all_tiers,
                                     help_text=_("Pinghu counts registered + filed only; the default counts all."))

    class Meta:
        verbose_name = _("reporting settings")
        verbose_name_plural = _("reporting settings")

    def __str__(self):
        return self.jurisdiction_code or "default"

    @classmethod
    def for_region(cls, region_code):
        return nearest_for_code(cls, region_code) or cls()


class JudgedAt(models.TextChoices):
    """The level a target is judged at (DOMAIN.md §3 "Level of a target")."""

    JURISDICTION = "jurisdiction", _("the jurisdiction as a whole only")
    EVERY_LEVEL = "every_level", _("every level")
    EACH_COUNTY = "each_county", _("each county, rolled up")
    EACH_STREET = "each_street", _("each street/township, rolled up")
    EACH_COMMUNITY = "each_community", _("each community, rolled up")


class Target(models.Model):
    """A quantitative rule: (jurisdiction, indicator, operator, value, deadline, source document, level).

    A region is held to its nearest ancestor's target for an indicator (longest code prefix), unless it has its
    own; among a jurisdiction's targets for one indicator, the one with the earliest deadline still ahead applies,
    else the latest. Retired targets stay as history. Judging lives in reporting/targets.py."""

    scope_region_lookup = "jurisdiction_code"

    jurisdiction_code = models.CharField(_("jurisdiction code prefix"), max_length=12, blank=True)
    indicator = models.CharField(_("indicator"), max_length=40)
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices, default=Operator.AT_LEAST)
    value = models.DecimalField(_("target value"), max_digits=12, decimal_places=2)
    # "三分之一以上" is 100/3 %, kept exact: the target is value ÷ divisor (DOMAIN.md §3 Thresholds).
    value_divisor = models.PositiveSmallIntegerField(_("divided by"), default=1)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    source_document = models.CharField(_("source document"), max_length=100)
    preset = models.CharField(_("adopted from preset"), max_length=40, blank=True)
    judged_at = models.CharField(_("judged at"), max_length=20, choices=JudgedAt.choices,
                                 default=JudgedAt.EVERY_LEVEL)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("changed by"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["jurisdiction_code", "indicator", "deadline"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction_code", "indicator", "deadline"],
                                               condition=models.Q(retired_at__isnull=True), nulls_distinct=False,
                                               name="one_active_target_per_indicator_deadline")]

    def __str__(self):
        return f"{self.jurisdiction_code} {self.indicator} {self.operator} {self.display_value}"

    @property
    def threshold(self):
        from fractions import Fraction

        return Fraction(self.value) / self.value_divisor

    exact_value = threshold

    def is_met(self, value) -> bool | None:
        """``value``: an exact figure (a Fraction) or a Decimal; reporting.targets.judge says by how much."""
        if value is None:
            return None
        from fractions import Fraction

        value = Fraction(value)
        return value >= self.threshold if self.operator == Operator.AT_LEAST else value <= self.threshold

    @property
    def display_value(self) -> str:
        if self.value_divisor != 1:
            share = self.threshold / 100
            return f"{share.numerator}/{share.denominator}"
        return f"{Decimal(self.value).normalize():f}"

class IndicatorSnapshot(models.Model):
    """An indicator's value for a region on a day, stored by the daily job: trends and large regions read these."""

    scope_region_lookup = "region__code"

    region = models.ForeignKey("registry.Region", models.CASCADE, related_name="+")
    indicator = models.CharField(max_length=40)
    taken_on = models.DateField()
    numerator = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    taken_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "indicator", "taken_on"],
                                               name="one_snapshot_per_region_indicator_day")]
        # The dashboard: a region's latest values; the trend: one indicator of a region over months.
        indexes = [models.Index(fields=["region", "taken_on"], name="snapshot_region_day_idx")]

    def __str__(self):
        return f"{self.region_id} {self.indicator} {self.taken_on}: {self.value}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def report_path(report, filename):
    return f"reports/{report.region_id}/{report.year}/{secrets.token_hex(8)}-{filename}"



class YearlyReport(models.Model):
    """The yearly report of a region (DOMAIN.md §7), as of 31 December, due to the superior level by 10 January."""

    scope_region_lookup = "region__code"

    region = models.ForeignKey("registry.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True,
                                        help_text="Written while running; a stale one means the worker died.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    figures = models.JSONField(default=dict, blank=True)
    narrative = models.JSONField(_("narrative"), default=dict, blank=True,
                                 help_text=_("Section H: progress, problems, suggestions (free text)."))
    pdf = models.FileField(upload_to=report_path, blank=True, max_length=200)
    xlsx = models.FileField(upload_to=report_path, blank=True, max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("submitted to the superior level"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("yearly report")
        verbose_name_plural = _("yearly reports")
        ordering = ["-year", "region_id"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="one_yearly_report_per_region")]

    def __str__(self):
        return f"{self.region} {self.year}"


class OrganizationFact(models.Model):
    """One thing that held for an organization over a period of days: "open and filed", "a hub of kind X",
    "work-covered", "graded 4A" ... (``reporting.facts.KEYS``), with the region it held in. The rows behind every
    organization figure: a figure as of day D counts the facts of its keys valid on D (``valid_from <= D`` and
    ``valid_to`` empty or later). Derived from the records' history by ``reporting.facts``, rewritten in the same
    transaction as every write."""

    organization = models.ForeignKey("registry.Organization", models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    ref = models.PositiveBigIntegerField(default=0, help_text="The brand designation a brand-project fact is about.")
    region = models.CharField(max_length=12)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, help_text="First day it no longer held; empty while it holds.")

    class Meta:
        indexes = [
            # The rows behind a figure: facts of some keys in a region subtree (code prefix), valid on a day.
            models.Index(fields=["key", "region"], name="fact_key_region_idx",
                         opclasses=["varchar_pattern_ops", "varchar_pattern_ops"]),
        ]

    def __str__(self):
        return f"{self.organization_id} {self.key} {self.region} {self.valid_from}–{self.valid_to or ''}"


class RegionLedger(models.Model):
    """Per region (every level, each fact counted in its region and every ancestor), key and day: how many facts
    began that day minus how many ended. The sum up to day D is the count of facts valid on D: every figure as of
    any date, in one indexed range sum. Maintained with the facts, in the same transaction."""

    region = models.CharField(max_length=12)
    level = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=40)
    day = models.DateField()
    delta = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "key", "day"], name="one_ledger_row_per_day")]
        indexes = [
            # A region's figures as of a day: SUM(delta) WHERE region = X AND day <= D GROUP BY key.
            models.Index(fields=["region", "day"], name="ledger_region_day_idx", include=["key", "delta"]),
            # Communities (or streets) of a subtree as of a day: WHERE level, key, region LIKE 'prefix%'.
            models.Index(fields=["level", "key", "region"], name="ledger_level_key_region_idx",
                         opclasses=["", "varchar_pattern_ops", "varchar_pattern_ops"], include=["day", "delta"]),
            # The rows after a day (a figure as of D is the tally less them): WHERE level, key, day > D.
            models.Index(fields=["level", "key", "day"], name="ledger_level_key_day_idx", include=["region", "delta"]),
        ]

    def __str__(self):
        return f"{self.region} {self.key} {self.day} {self.delta:+d}"


class RegionTally(models.Model):
    """Facts valid now, per region (every level) and key: the ledger summed over all days. Read for today's
    figures of the keys whose facts only begin and end on the day they are written (``facts.is_dated``)."""

    region = models.CharField(max_length=12)
    level = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=40)
    n = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "key"], name="one_tally_per_region_key")]
        indexes = [
            # Communities of a subtree below a target, regions holding a hub: WHERE level, key, region LIKE.
            models.Index(fields=["level", "key", "region"], name="tally_level_key_region_idx",
                         opclasses=["", "varchar_pattern_ops", "varchar_pattern_ops"], include=["n"]),
        ]

    def __str__(self):
        return f"{self.region} {self.key} {self.n}"


class CommunityCount(models.Model):
    """Per community, its open organizations today by tier: the community-level tally rows of ``org.<tier>`` side
    by side, one row per community, maintained with them in the same transaction (``reporting.facts``). A live
    dashboard judges every community of a province against its per-community target, and groups the communities by
    child region, from this narrow table joined to the regions (committee type and activity are the region's own)."""

    region = models.OneToOneField("registry.Region", models.DO_NOTHING, to_field="code", primary_key=True,
                                  db_constraint=False, related_name="figures_count")
    registered = models.IntegerField(default=0)
    filed = models.IntegerField(default=0)
    community = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.region_id} {self.registered}/{self.filed}/{self.community}"
