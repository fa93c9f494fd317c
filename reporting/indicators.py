"""The indicator catalogue (DOMAIN.md §3). Each indicator is one definition that yields both its number and the
rows behind it, as of any day: a numerator (and a denominator) built from *measures*, each with ``count(ctx)``
and ``rows(ctx)``. Organization measures count facts (``reporting.facts``) through the per-region ledger; their
rows are the same facts, valid on the same day, in the same subtree — so the link under a figure lists exactly the
rows that make it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from importlib.util import find_spec
from urllib.parse import urlencode

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.choices import PREFIX_LENGTH, CommitteeType, RegionLevel, Tier
from registry.models import Region
from reporting.facts import GRADES, is_dated

PERCENT, PER_COMMUNITY, COUNT = "percent", "per_community", "count"
AREA_OF = {CommitteeType.RESIDENTS: "urban", CommitteeType.VILLAGERS: "rural"}


@dataclass
class Value:
    numerator: Decimal | None
    denominator: Decimal | None = None
    unit: str = COUNT

    @property
    def exact(self) -> Fraction | None:
        """The ratio as an exact fraction (percent units × 100): thresholds are judged on this, never on the
        rounded figure (DOMAIN.md §3: "三分之一以上" is met at ≥ 1/3)."""
        if self.numerator is None:
            return None
        if self.unit == COUNT:
            return Fraction(self.numerator)
        if not self.denominator:
            return None
        ratio = Fraction(self.numerator) / Fraction(self.denominator)
        return ratio * 100 if self.unit == PERCENT else ratio

    @property
    def value(self) -> Decimal | None:
        if self.unit == COUNT:
            return self.numerator
        exact = self.exact
        if exact is None:
            return None
        return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def parse_as_of(text):
    """A YYYY-MM-DD date or None when empty; ValueError with a message otherwise."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": text}) from None


@dataclass
class Context:
    region: Region
    today: date = field(default_factory=timezone.localdate)
    tiers: tuple = ()

    def __post_init__(self):
        self._memo = {}
        if not self.tiers:
            from reporting.models import ReportingSettings

            self.tiers = tuple(ReportingSettings.for_region(self.region.code).counted_tiers)

    @property
    def prefix(self):
        return self.region.prefix

    @property
    def live(self) -> bool:
        """Today (or later): undated keys are read from the tally, one row each."""
        return self.today >= timezone.localdate()

    @property
    def report_year(self):
        """The year whose annual reports are due in the year of ``today`` (by 31 May)."""
        return self.today.year - 1

    def once(self, key, compute):
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def totals(self) -> dict:
        """Every key's count of facts valid on ``today`` in the region's subtree: one or two indexed sums."""
        def compute():
            from reporting.models import RegionLedger, RegionTally

            code = self.region.code
            ledger = RegionLedger.objects.filter(region=code, day__lte=self.today)
            counts = {}
            if self.live:
                counts = {r["key"]: r["n"] for r in RegionTally.objects.filter(region=code).values("key", "n")
                          if not is_dated(r["key"])}
                ledger = ledger.filter(_dated_q())
            for row in ledger.values("key").annotate(n=Sum("delta")).order_by():
                counts[row["key"]] = row["n"]
            return counts
        return self.once("totals", compute)

    def total(self, keys) -> int:
        totals = self.totals()
        return sum(totals.get(key, 0) for key in keys)

    def per_region_keys(self, level, keys) -> dict:
        """(region, key) -> count on ``today``, for the regions of ``level`` in the subtree."""
        from reporting.models import RegionLedger, RegionTally

        keys = list(keys)
        undated = [k for k in keys if not is_dated(k)] if self.live else []
        dated = [k for k in keys if k not in undated]
        out = {}
        if undated:
            for r in RegionTally.objects.filter(level=level, key__in=undated, region__startswith=self.prefix).values(
                    "region", "key", "n"):
                out[(r["region"], r["key"])] = r["n"]
        if dated:
            for r in (RegionLedger.objects.filter(level=level, key__in=dated, region__startswith=self.prefix,
                                                  day__lte=self.today)
                      .values("region", "key").annotate(n=Sum("delta")).order_by()):
                out[(r["region"], r["key"])] = r["n"]
        return out

    def per_region(self, level, keys):
        """Regions of ``level`` in the subtree with their count of facts of ``keys`` valid on ``today`` (only the
        regions with a non-zero count) — a queryset of ``region`` and ``n``."""
        from reporting.models import RegionLedger, RegionTally

        keys = list(keys)
        if self.live and not any(is_dated(k) for k in keys):
            rows = RegionTally.objects.filter(level=level, key__in=keys, region__startswith=self.prefix).values(
                "region").annotate(n=Sum("n"))
        else:
            rows = RegionLedger.objects.filter(level=level, key__in=keys, region__startswith=self.prefix,
                                               day__lte=self.today).values("region").annotate(n=Sum("delta"))
        return rows.order_by().filter(n__gt=0)

    def reclassified(self, level) -> dict:
        """code -> (committee type and activity on ``today``, now) for the regions of ``level`` in the subtree whose
        committee type or activity changed after ``today``: the corrections that date the region counts."""
        def compute():
            if self.live:
                return {}
            end = timezone.make_aware(datetime.combine(self.today, time.max))
            codes = set(Region.history.filter(code__startswith=self.prefix, level=level, history_date__gt=end,
                                              history_type="~").values_list("code", flat=True))
            out = {}
            for code in codes:
                records = list(Region.history.filter(code=code).order_by("history_date", "history_id").values(
                    "history_date", "committee_type", "is_active"))
                before = [r for r in records if r["history_date"] <= end] or records[:1]
                then = before[-1]
                current = Region.objects.filter(code=code).values("committee_type", "is_active").first()
                out[code] = ((then["committee_type"], then["is_active"]),
                             (current["committee_type"], current["is_active"]))
            return out
        return self.once(f"reclassified{level}", compute)

    def regions(self, level, committee=None):
        """The active regions of ``level`` in the subtree (of one committee type) on ``today``."""
        now = Q(is_active=True) & (Q(committee_type=committee) if committee else Q())
        changed = self.reclassified(level)
        then = [c for c, ((ct, active), _now) in changed.items() if active and (not committee or ct == committee)]
        return Region.objects.filter(level=level, code__startswith=self.prefix).filter(
            (now & ~Q(code__in=list(changed))) | Q(code__in=then))

    def count_regions(self, level, committee=None) -> int:
        return self.once(f"regions{level}{committee}", lambda: self.regions(level, committee).count())


# ------------------------------------------------------------------------------------------------ measures

def _dated_q():
    return Q(key__startswith="grade.") | Q(key__startswith="work_instr") | Q(key__startswith="head_trained") | Q(
        key__startswith="brand")


@dataclass(frozen=True)
class Facts:
    """Organizations with one of ``keys`` on the day (a brand project counts once per designation)."""

    keys: object  # tuple of keys, or ctx -> tuple
    kind: str = "organizations"

    def keys_for(self, ctx):
        return self.keys(ctx) if callable(self.keys) else self.keys

    def count(self, ctx):
        return ctx.total(self.keys_for(ctx))

    def rows(self, ctx):
        from reporting.models import OrganizationFact

        return (OrganizationFact.objects.filter(key__in=self.keys_for(ctx), region__startswith=ctx.prefix,
                                                valid_from__lte=ctx.today)
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=ctx.today))
                .select_related("organization", "organization__category").order_by("region", "organization__name"))


@dataclass(frozen=True)
class Regions:
    """The active regions of a level (of one committee type) in the subtree on the day."""

    level: int
    committee: str = ""
    kind: str = "regions"

    def count(self, ctx):
        return ctx.count_regions(self.level, self.committee or None)

    def rows(self, ctx):
        return ctx.regions(self.level, self.committee or None).order_by("code")


@dataclass(frozen=True)
class Holding(Regions):
    """Regions of a level (committee type) holding, in their own subtree, at least one organization with one of
    ``keys`` on the day (a street-level hub counts for its street, not for its communities)."""

    keys: tuple = ()

    def count(self, ctx):
        return self.rows(ctx).count()

    def rows(self, ctx):
        return super().rows(ctx).filter(code__in=ctx.per_region(self.level, self.keys).values("region"))


def communities_with_counts(ctx, committee_type, regions=None):
    """The communities of one committee type in the subtree on the day (of ``regions``, when given), each annotated
    with ``org_count``: its counted open organizations on that day, from the maintained counts."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    keys = [f"{AREA_OF[committee_type]}.{tier}" for tier in ctx.tiers]
    counts = ctx.per_region(RegionLevel.COMMUNITY, keys).filter(region=OuterRef("code")).values("n")
    communities = ctx.regions(RegionLevel.COMMUNITY, committee_type)
    if regions is not None:
        communities = communities.filter(code__in=regions.values("code"))
    return communities.annotate(org_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0))


@dataclass(frozen=True)
class BelowTarget(Regions):
    """Communities of one committee type whose own counted organizations are fewer than the per-community target
    that applies to each (``reporting.targets.below_target_communities``: the one definition the list uses too)."""

    def count(self, ctx):
        rows = self._below(ctx)
        return None if rows is None else rows.count()

    def rows(self, ctx):
        rows = self._below(ctx)
        return Region.objects.none() if rows is None else rows.order_by("code")

    def _below(self, ctx):
        from reporting.targets import below_target_communities

        indicator = "orgs_per_urban_community" if self.committee == CommitteeType.RESIDENTS else \
            "orgs_per_rural_community"
        return below_target_communities(communities_with_counts(ctx, self.committee), ctx.region, indicator,
                                        ctx.today)


@dataclass(frozen=True)
class AnnualReports:
    on_time: bool = False
    submitted: bool = True
    kind: str = "cases"

    def rows(self, ctx):
        from filings.models import Case

        reports = Case.objects.filter(kind="annual_report", period=ctx.report_year,
                                      region__code__startswith=ctx.prefix, created_at__date__lte=ctx.today)
        if not self.submitted:
            return reports
        done = reports.filter(submitted_at__date__lte=ctx.today)
        # On time: by the organization's own limit (filing_due_on), the due date itself included; due_on is the
        # review's deadline once the report is submitted. Reports opened before the limit was kept fall back to it.
        return done.filter(submitted_at__date__lte=Coalesce("filing_due_on", "due_on")) if self.on_time else done

    def count(self, ctx):
        return self.rows(ctx).count()


@dataclass(frozen=True)
class VentureGrants:
    """Venture-grant money of the year of the day (DOMAIN.md §3 rule 14): awarded in the subtree's rounds of that
    year, decided by the day; ``to_community`` keeps only the money to registry organizations (CSOs) — applicants
    that are other social organizations count in the whole only."""

    to_community: bool = False
    kind: str = "applications"

    def rows(self, ctx):
        from grants.models import Application

        awarded = Application.objects.filter(round__region__code__startswith=ctx.prefix, round__year=ctx.today.year,
                                             awarded_amount__isnull=False).filter(
            Q(round__decision_on__isnull=True) | Q(round__decision_on__lte=ctx.today))
        if self.to_community:
            awarded = awarded.filter(**_cso_filter())
        return awarded.select_related("organization", "round")

    def count(self, ctx):
        return self.rows(ctx).aggregate(s=Sum("awarded_amount"))["s"] or Decimal(0)


def _cso_filter():
    from grants.models import Application

    names = {f.name for f in Application._meta.get_fields()}
    return {"applicant_is_cso": True} if "applicant_is_cso" in names else {"organization__isnull": False}


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    numerator: object
    denominator: object = None
    section: str = "B"

    def value(self, ctx) -> Value:
        number = self.numerator.count(ctx)
        whole = self.denominator.count(ctx) if self.denominator is not None else None
        return Value(None if number is None else Decimal(number), None if whole is None else Decimal(whole),
                     self.unit)

    def rows(self, ctx):
        return self.numerator.rows(ctx)

    def rows_url(self, ctx) -> str:
        query = {"as_of": ctx.today.isoformat()} if not ctx.live else {}
        url = reverse("reporting:figure_rows", args=[ctx.region.code, self.id])
        return url + ("?" + urlencode(query) if query else "")


def _org(tiers=tuple(Tier.values)):
    return tuple(f"org.{t}" for t in tiers)


def _area(area):
    return lambda ctx: tuple(f"{area}.{t}" for t in ctx.tiers)


R, V = CommitteeType.RESIDENTS, CommitteeType.VILLAGERS
ORGANIZATIONS = Facts(_org())
L = RegionLevel

CATALOGUE = [
    Indicator("organizations", _("Organizations"), COUNT, ORGANIZATIONS, section="A"),
    Indicator("registered_and_filed", _("Registered and filed organizations"), COUNT,
              Facts(_org((Tier.REGISTERED, Tier.FILED))), section="A"),
    Indicator("orgs_per_urban_community", _("Organizations per urban community"), PER_COMMUNITY,
              Facts(_area("urban")), Regions(L.COMMUNITY, R)),
    Indicator("orgs_per_rural_community", _("Organizations per rural community"), PER_COMMUNITY,
              Facts(_area("rural")), Regions(L.COMMUNITY, V)),
    Indicator("urban_communities_below_target", _("Urban communities below target"), COUNT,
              BelowTarget(L.COMMUNITY, R)),
    Indicator("rural_communities_below_target", _("Rural communities below target"), COUNT,
              BelowTarget(L.COMMUNITY, V)),
    Indicator("hub_coverage_streets", _("Streets with a hub/support organization"), PERCENT,
              Holding(L.STREET, keys=("hub",)), Regions(L.STREET), "C"),
    Indicator("hub_coverage_communities", _("Communities with a hub/support organization"), PERCENT,
              Holding(L.COMMUNITY, keys=("hub",)), Regions(L.COMMUNITY), "C"),
    Indicator("service_centre_streets", _("Streets with a social-organization service centre"), PERCENT,
              Holding(L.STREET, keys=("hub.service_centre",)), Regions(L.STREET), "C"),
    Indicator("party_mass_centre_streets", _("Streets with a Party–mass service centre"), PERCENT,
              Holding(L.STREET, keys=("hub.party_mass_centre",)), Regions(L.STREET), "C"),
    Indicator("support_platform_counties", _("Counties with a support platform"), PERCENT,
              Holding(L.COUNTY, keys=("hub.support_platform",)), Regions(L.COUNTY), "C"),
    Indicator("social_work_urban", _("Urban communities covered by social-work institutions"), PERCENT,
              Holding(L.COMMUNITY, R, keys=("swi",)), Regions(L.COMMUNITY, R), "C"),
    Indicator("social_work_rural", _("Rural communities covered by social-work institutions"), PERCENT,
              Holding(L.COMMUNITY, V, keys=("swi",)), Regions(L.COMMUNITY, V), "C"),
    Indicator("party_org_coverage", _("Party organizational coverage"), PERCENT, Facts(("party_org",)),
              ORGANIZATIONS, "C"),
    Indicator("party_work_coverage", _("Party work coverage"), PERCENT, Facts(("work", "work_instr")),
              ORGANIZATIONS, "C"),
    Indicator("party_should_establish", _("Should establish a Party organization"), COUNT,
              Facts(("should_establish",)), section="C"),
    Indicator("heads_trained_5y", _("Heads of organizations trained in the last five years"), PERCENT,
              Facts(("head_trained",)), ORGANIZATIONS, "E"),
    Indicator("brand_organizations", _("Brand organizations"), COUNT, Facts(("brand",)), section="F"),
    Indicator("brand_projects", _("Brand projects"), COUNT, Facts(("brand_project",)), section="F"),
    Indicator("graded_3a_plus", _("Organizations graded 3A or above"), COUNT,
              Facts(("grade.5A", "grade.4A", "grade.3A")), section="F"),
    Indicator("annual_report_completion", _("Annual reports submitted"), PERCENT, AnnualReports(),
              AnnualReports(submitted=False), "F"),
    Indicator("annual_report_on_time", _("Annual reports submitted on time"), PERCENT, AnnualReports(on_time=True),
              AnnualReports(submitted=False), "F"),
    Indicator("zombie_candidates", _("Zombie candidates"), COUNT, Facts(("dormant",)), section="F"),
]
if find_spec("grants"):
    CATALOGUE.append(Indicator("venture_grant_community_share",
                               _("Share of the year's venture-grant money awarded to community organizations"),
                               PERCENT, VentureGrants(to_community=True), VentureGrants(), "D"))

INDICATORS = {indicator.id: indicator for indicator in CATALOGUE}


def grade_distribution(ctx) -> dict:
    return {grade: ctx.total([f"grade.{grade}"]) for grade in GRADES}


def prefix_width(level):
    return PREFIX_LENGTH[RegionLevel(level)]
