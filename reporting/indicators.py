"""The indicator catalogue (DOMAIN.md §3): each indicator is a database aggregation over a region's subtree.

An indicator's ``compute(ctx)`` returns a Value (numerator, denominator, value); ``rows(ctx)`` gives the address of
the records behind the number, so every figure on a dashboard leads to its rows.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from importlib.util import find_spec
from urllib.parse import urlencode

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.choices import CLOSED_STATUSES, PREFIX_LENGTH, CommitteeType, OrgStatus, RegionLevel, TraineeKind
from registry.models import BrandDesignation, Organization, Region, Training

PERCENT, PER_COMMUNITY, COUNT = "percent", "per_community", "count"


@dataclass
class Value:
    numerator: Decimal | None
    denominator: Decimal | None = None
    unit: str = COUNT

    @property
    def value(self) -> Decimal | None:
        if self.unit == COUNT:
            return self.numerator
        if not self.denominator:
            return None
        ratio = Decimal(self.numerator) / Decimal(self.denominator)
        if self.unit == PERCENT:
            ratio *= 100
        return ratio.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


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

    def organizations(self):
        """Open organizations of the subtree: the population of every organization figure."""
        return Organization.objects.exclude(status__in=CLOSED_STATUSES).filter(region__code__startswith=self.prefix)

    def counted(self):
        return self.organizations().filter(tier__in=self.tiers)

    def regions(self, level, **filters):
        return Region.objects.filter(level=level, code__startswith=self.prefix, is_active=True, **filters)

    @property
    def report_year(self):
        return self.today.year - 1

    def once(self, key, compute):
        """Aggregates several indicators share are computed once per context."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def counts(self) -> dict:
        """Every organization count the catalogue needs, in one pass over the subtree's organizations."""
        def compute():
            community = Q(region__level=RegionLevel.COMMUNITY, tier__in=self.tiers)
            return self.organizations().aggregate(
                organizations=Count("pk"),
                registered_and_filed=Count("pk", filter=Q(tier__in=("registered", "filed"))),
                urban=Count("pk", filter=community & Q(region__committee_type=CommitteeType.RESIDENTS)),
                rural=Count("pk", filter=community & Q(region__committee_type=CommitteeType.VILLAGERS)),
                graded_3a_plus=Count("pk", filter=Q(grade__in=("5A", "4A", "3A"), grade_valid_until__gte=self.today)),
                zombie_candidates=Count("pk", filter=Q(status=OrgStatus.DORMANT)),
            )
        return self.once("counts", compute)

    def communities(self) -> dict:
        def compute():
            return self.regions(RegionLevel.COMMUNITY).aggregate(
                urban=Count("code", filter=Q(committee_type=CommitteeType.RESIDENTS)),
                rural=Count("code", filter=Q(committee_type=CommitteeType.VILLAGERS)))
        return self.once("communities", compute)


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    compute: object
    rows: object = None
    section: str = "B"

    def value(self, ctx) -> Value:
        return self.compute(ctx)

    def rows_url(self, ctx) -> str:
        return self.rows(ctx) if self.rows else ""


def _org_list(ctx, **filters):
    return reverse("registry:organization_list") + "?" + urlencode({"within": ctx.region.code, **filters})


def _region_list(ctx, **filters):
    return reverse("registry:region_list") + "?" + urlencode({"within": ctx.region.code, **filters})


# ----------------------------------------------------------------------------------------------- density (B)

def _per_community(key):
    def compute(ctx):
        return Value(Decimal(ctx.counts()[key]), Decimal(ctx.communities()[key]), PER_COMMUNITY)
    return compute


def communities_with_counts(ctx, committee_type, regions=None):
    """Communities of one committee type in the subtree (of ``regions``, when given), each annotated with
    ``org_count``, its counted open organizations: one correlated count, no join-and-group over the subtree."""
    per_community = (Organization.objects.exclude(status__in=CLOSED_STATUSES)
                     .filter(region=OuterRef("code"), tier__in=ctx.tiers).order_by().values("region")
                     .annotate(c=Count("pk")).values("c"))
    communities = ctx.regions(RegionLevel.COMMUNITY, committee_type=committee_type)
    if regions is not None:
        communities = communities.filter(code__in=regions.values("code"))
    return communities.annotate(org_count=Coalesce(Subquery(per_community), 0))


def _below_target(indicator_id, committee_type):
    def compute(ctx):
        from reporting.targets import below_target_communities

        below = below_target_communities(communities_with_counts(ctx, committee_type), ctx.region, indicator_id,
                                         ctx.today)
        return Value(None) if below is None else Value(Decimal(below.count()))
    return compute


# ----------------------------------------------------------------------------------------------- coverage (C)

def _covered(level, committee_type=None, **org_filters):
    """Share of the regions of ``level`` in the subtree holding at least one such organization in their own
    subtree (a street-level hub counts for its street, not for its communities: DOMAIN.md §3 default)."""
    def compute(ctx):
        regions = ctx.regions(level, **({"committee_type": committee_type} if committee_type else {}))
        # One pass over the (few) matching organizations: the leading digits of their region code name the region
        # of ``level`` that holds them. A prefix match per region could not use an index.
        width = PREFIX_LENGTH[level]
        covered = (ctx.organizations().filter(**org_filters).annotate(holder=Substr("region_id", 1, width))
                   .filter(holder__in=regions.values("code")).values("holder").distinct().count())
        return Value(Decimal(covered), Decimal(regions.count()), PERCENT)
    return compute


def _party(key_numerator, key_whole="organizations"):
    def compute(ctx):
        from partybuilding.coverage import coverage

        figures = ctx.once("party", lambda: coverage(ctx.organizations(), ctx.today))
        return Value(Decimal(figures[key_numerator]), Decimal(figures[key_whole]), PERCENT)
    return compute


# ----------------------------------------------------------------------------------------------- funding (D)

def _grant_share(ctx):
    """Share of the venture-grant money awarded in the report year that went to community organizations, each
    round judged by its own ring-fence tiers."""
    from grants.models import Round

    awarded = community = Decimal(0)
    for round_ in Round.objects.filter(region__code__startswith=ctx.prefix, year=ctx.report_year):
        by_tier = (round_.applications.filter(awarded_amount__isnull=False).values("organization__tier")
                   .annotate(total=Sum("awarded_amount")))
        for row in by_tier:
            awarded += row["total"]
            if row["organization__tier"] in round_.ring_fence_tiers:
                community += row["total"]
    return Value(community, awarded, PERCENT)


# ----------------------------------------------------------------------------------------------- capacity, quality

def _heads_trained(ctx):
    since = ctx.today - timedelta(days=5 * 365)
    trained = (Training.objects.filter(trainee_kind=TraineeKind.ORGANIZATION_HEAD, held_on__gte=since,
                                       organization__in=ctx.organizations()).values("organization").distinct().count())
    return Value(Decimal(trained), Decimal(ctx.counts()["organizations"]), PERCENT)


def _brands(project):
    def compute(ctx):
        designations = BrandDesignation.objects.filter(organization__region__code__startswith=ctx.prefix)
        designations = designations.exclude(project="") if project else designations.filter(project="")
        return Value(Decimal(designations.values("organization" if not project else "pk").distinct().count()))
    return compute


def _count(key):
    def compute(ctx):
        return Value(Decimal(ctx.counts()[key]))
    return compute


def _annual_reports(on_time):
    def compute(ctx):
        from filings.models import Case

        reports = Case.objects.filter(kind="annual_report", period=ctx.report_year,
                                      region__code__startswith=ctx.prefix)
        done = Q(submitted_at__isnull=False)
        if on_time:
            done &= Q(submitted_at__date__lte=F("due_on"))
        figures = reports.aggregate(expected=Count("pk"), submitted=Count("pk", filter=done))
        return Value(Decimal(figures["submitted"]), Decimal(figures["expected"]), PERCENT)
    return compute


R, V = CommitteeType.RESIDENTS, CommitteeType.VILLAGERS

CATALOGUE = [
    Indicator("organizations", _("Organizations"), COUNT, _count("organizations"), lambda c: _org_list(c), "A"),
    Indicator("registered_and_filed", _("Registered and filed organizations"), COUNT,
              _count("registered_and_filed"), lambda c: _org_list(c), "A"),
    Indicator("orgs_per_urban_community", _("Organizations per urban community"), PER_COMMUNITY,
              _per_community("urban"), lambda c: _region_list(c, level=5, committee_type=R)),
    Indicator("orgs_per_rural_community", _("Organizations per rural community"), PER_COMMUNITY,
              _per_community("rural"), lambda c: _region_list(c, level=5, committee_type=V)),
    Indicator("urban_communities_below_target", _("Urban communities below target"), COUNT,
              _below_target("orgs_per_urban_community", R),
              lambda c: reverse("reporting:below_target", args=[c.region.code, "urban"])),
    Indicator("rural_communities_below_target", _("Rural communities below target"), COUNT,
              _below_target("orgs_per_rural_community", V),
              lambda c: reverse("reporting:below_target", args=[c.region.code, "rural"])),
    Indicator("hub_coverage_streets", _("Streets with a hub/support organization"), PERCENT,
              _covered(RegionLevel.STREET, hub_kind__isnull=False), lambda c: _org_list(c), "C"),
    Indicator("hub_coverage_communities", _("Communities with a hub/support organization"), PERCENT,
              _covered(RegionLevel.COMMUNITY, hub_kind__isnull=False), lambda c: _org_list(c), "C"),
    Indicator("service_centre_streets", _("Streets with a social-organization service centre"), PERCENT,
              _covered(RegionLevel.STREET, hub_kind__code="service_centre"), lambda c: _org_list(c), "C"),
    Indicator("party_mass_centre_streets", _("Streets with a Party–mass service centre"), PERCENT,
              _covered(RegionLevel.STREET, hub_kind__code="party_mass_centre"), lambda c: _org_list(c), "C"),
    Indicator("support_platform_counties", _("Counties with a support platform"), PERCENT,
              _covered(RegionLevel.COUNTY, hub_kind__code="support_platform"), lambda c: _org_list(c), "C"),
    Indicator("social_work_urban", _("Urban communities covered by social-work institutions"), PERCENT,
              _covered(RegionLevel.COMMUNITY, R, is_social_work_institution=True), lambda c: _org_list(c), "C"),
    Indicator("social_work_rural", _("Rural communities covered by social-work institutions"), PERCENT,
              _covered(RegionLevel.COMMUNITY, V, is_social_work_institution=True), lambda c: _org_list(c), "C"),
    Indicator("heads_trained_5y", _("Heads of organizations trained in the last five years"), PERCENT,
              _heads_trained, lambda c: reverse("registry:training_list"), "E"),
    Indicator("brand_organizations", _("Brand organizations"), COUNT, _brands(False),
              lambda c: reverse("registry:brand_list"), "F"),
    Indicator("brand_projects", _("Brand projects"), COUNT, _brands(True), lambda c: reverse("registry:brand_list"),
              "F"),
    Indicator("graded_3a_plus", _("Organizations graded 3A or above"), COUNT, _count("graded_3a_plus"),
              lambda c: _org_list(c), "F"),
    Indicator("annual_report_completion", _("Annual reports submitted"), PERCENT, _annual_reports(False),
              lambda c: reverse("filings:case_list") + "?kind=annual_report", "F"),
    Indicator("annual_report_on_time", _("Annual reports submitted on time"), PERCENT, _annual_reports(True),
              lambda c: reverse("filings:case_list") + "?kind=annual_report", "F"),
    Indicator("zombie_candidates", _("Zombie candidates"), COUNT, _count("zombie_candidates"),
              lambda c: reverse("registry:zombie_list"), "F"),
]

if find_spec("partybuilding"):
    CATALOGUE += [
        Indicator("party_org_coverage", _("Party organizational coverage"), PERCENT,
                  _party("with_party_organization"),
                  lambda c: reverse("partybuilding:coverage") + f"?region={c.region.code}", "C"),
        Indicator("party_work_coverage", _("Party work coverage"), PERCENT, _party("work_covered"),
                  lambda c: reverse("partybuilding:coverage") + f"?region={c.region.code}", "C"),
    ]
if find_spec("grants"):
    CATALOGUE.append(Indicator("venture_grant_community_share",
                               _("Share of venture-grant money to community organizations"), PERCENT, _grant_share,
                               lambda c: reverse("grants:round_list"), "D"))

INDICATORS = {indicator.id: indicator for indicator in CATALOGUE}


def grade_distribution(ctx) -> dict:
    rows = (ctx.organizations().exclude(grade="").filter(grade_valid_until__gte=ctx.today).values("grade")
            .annotate(n=Count("pk")))
    counts = {row["grade"]: row["n"] for row in rows}
    return {grade: counts.get(grade, 0) for grade in ("5A", "4A", "3A", "2A", "1A")}
