"""The indicator catalogue (DOMAIN.md §3). Each indicator is one definition that yields both its number and the
rows behind it, as of any day: a numerator (and a denominator) built from *measures*, each with ``count(ctx)``
and ``rows(ctx)``. Organization measures count facts (``reporting.facts``) through the per-region ledger; their
rows are the same facts, valid on the same day, in the same subtree — so the link under a figure lists exactly the
rows that make it.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from importlib.util import find_spec
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.choices import PREFIX_LENGTH, CommitteeType, RegionLevel, Tier
from registry.models import Region
from reporting.facts import DATED_KEYS, GRADES, is_dated

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
    base: "Context | None" = None  # today's context of the same region, whose region counts a past day may share

    def __post_init__(self):
        self._memo = {}
        if not self.tiers and self._shares_region():
            self.tiers = self.base.tiers
        if not self.tiers:
            from reporting.models import ReportingSettings

            self.tiers = tuple(ReportingSettings.for_region(self.region.code).counted_tiers)

    def _shares_region(self) -> bool:
        """A context of the same region on another day (a target's deadline): its settings and today's tally rows
        are this one's too."""
        return self.base is not None and self.base.region.code == self.region.code

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
        """Every key's count of facts valid on ``today`` in the region's subtree: the region's tally rows minus its
        ledger rows after the day (``_tail``), two indexed reads."""
        def compute():
            from reporting.models import RegionLedger

            code = self.region.code
            counts = Counter(self.tally())
            for row in (self._later(RegionLedger.objects.filter(region=code)).values("key")
                        .annotate(n=Sum("delta")).order_by()):
                counts[row["key"]] -= row["n"]
            return counts
        return self.once("totals", compute)

    def tally(self) -> dict:
        """The region's own tally rows (key -> facts with no end), read once per page."""
        def compute():
            from reporting.models import RegionTally

            if self._shares_region():
                return self.base.tally()
            return {r["key"]: r["n"] for r in RegionTally.objects.filter(region=self.region.code).values("key", "n")}
        return self.once("tally", compute)

    def _later(self, ledger):
        """Ledger rows after the day. Today, only the dated keys have any (a grade that expires next year): the
        others begin and end on the day of a write, never later."""
        ledger = ledger.filter(day__gt=self.today)
        if self.live:
            ledger = ledger.filter(key__regex=DATED_KEYS)
        return ledger

    def total(self, keys) -> int:
        totals = self.totals()
        return sum(totals.get(key, 0) for key in keys)

    def per_region_keys(self, level, keys) -> dict:
        """(region, key) -> count on ``today``, for the regions of ``level`` in the subtree.

        The count of facts valid on day D is the ledger summed up to D; the ledger summed over all days is the tally
        (facts with no end), so it is also the tally minus the ledger rows after D: for today or a recent day those
        are few, where the rows up to D are nearly all of them."""
        from reporting.models import RegionLedger, RegionTally

        keys = list(keys)
        out = Counter()
        for r in RegionTally.objects.filter(level=level, key__in=keys, region__startswith=self.prefix).values(
                "region", "key", "n"):
            out[(r["region"], r["key"])] += r["n"]
        for r in (self._later(RegionLedger.objects.filter(level=level, key__in=keys, region__startswith=self.prefix))
                  .values("region", "key").annotate(n=Sum("delta")).order_by()):
            out[(r["region"], r["key"])] -= r["n"]
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
        return self._reclassified().get(level, {})

    def _reclassified(self) -> dict:
        """level -> reclassified(level), every level of the subtree in one read of the history (none today)."""
        def compute():
            if self.live:
                return {}
            end = timezone.make_aware(datetime.combine(self.today, time.max))
            changed = set(Region.history.filter(code__startswith=self.prefix, history_date__gt=end,
                                                history_type="~").values_list("level", "code"))
            out = {}
            for level, code in sorted(changed):
                records = list(Region.history.filter(code=code).order_by("history_date", "history_id").values(
                    "history_date", "committee_type", "is_active"))
                before = [r for r in records if r["history_date"] <= end] or records[:1]
                then = before[-1]
                current = Region.objects.filter(code=code).values("committee_type", "is_active").first()
                out.setdefault(level, {})[code] = ((then["committee_type"], then["is_active"]),
                                                   (current["committee_type"], current["is_active"]))
            return out
        return self.once("reclassified", compute)

    def regions(self, level, committee=None):
        """The active regions of ``level`` in the subtree (of one committee type) on ``today``."""
        now = Q(is_active=True) & (Q(committee_type=committee) if committee else Q())
        changed = self.reclassified(level)
        then = [c for c, ((ct, active), _now) in changed.items() if active and (not committee or ct == committee)]
        return Region.objects.filter(level=level, code__startswith=self.prefix).filter(
            (now & ~Q(code__in=list(changed))) | Q(code__in=then))

    def count_regions(self, level, committee=None) -> int:
        grouped = self.region_counts()
        if grouped is not None:
            return sum(n for (lv, ct, _child), n in grouped.items()
                       if lv == level and (not committee or ct == committee))
        return self.once(f"regions{level}{committee}", lambda: self.regions(level, committee).count())

    @property
    def child_width(self) -> int:
        """The code prefix of the region's children (its own, for a community)."""
        level = min(self.region.level + 1, RegionLevel.COMMUNITY)
        return PREFIX_LENGTH[RegionLevel(level)]

    def region_counts(self) -> dict | None:
        """(level, committee type, child prefix) -> the active regions on the day, in the region's subtree, by the
        child region they lie in: one grouped read for every region count of a dashboard and its scorecard. None on
        a past day after which a region of the subtree was reclassified (``regions()`` then dates each count)."""
        def compute():
            if any(self.reclassified(level) for level in range(self.region.level, RegionLevel.COMMUNITY + 1)):
                return None
            if self._shares_region() and (shared := self.base.region_counts()) is not None:
                return shared  # no region changed since either day: both are today's counts
            from django.db.models.functions import Substr

            return {(r["level"], r["committee_type"], r["child"]): r["n"] for r in (
                Region.objects.filter(code__startswith=self.prefix, level__gte=self.region.level, is_active=True)
                .annotate(child=Substr("code", 1, self.child_width)).order_by()
                .values("level", "committee_type", "child").annotate(n=Count("code")))}
        return self.once("region_counts", compute)

    def holding_counts(self) -> dict | None:
        """Every ``Holding`` measure of the catalogue counted in one read of the subtree's regions (each its own
        filtered count, the same condition as its rows); None when ``regions()`` must date the regions."""
        def compute():
            if self.region_counts() is None:
                return None
            measures = list(dict.fromkeys(m for indicator in CATALOGUE for m in (indicator.numerator,
                                                                                 indicator.denominator)
                                          if isinstance(m, Holding)))
            if not measures:
                return {}
            # Two reads of one definition: today's from the tally, a past day's by the measure's own condition.
            # tests/reporting/test_figures_property.py checks both (today and past days) against counts written
            # from DOMAIN.md §3 in the test, so neither can drift from the rows behind the figure.
            if self.live and all(len(m.keys) == 1 and not is_dated(m.keys[0]) for m in measures):
                return self._holding_from_tally(measures)
            counts = Region.objects.filter(code__startswith=self.prefix, is_active=True,
                                           level__in={m.level for m in measures}).aggregate(**{
                f"m{n}": Count("code", filter=Q(level=m.level) & (Q(committee_type=m.committee) if m.committee
                                                                   else Q()) & m.condition(self))
                for n, m in enumerate(measures)})
            return {m: counts[f"m{n}"] for n, m in enumerate(measures)}
        return self.once("holding", compute)

    def _holding_from_tally(self, measures) -> dict:
        """Today's ``Holding`` counts when each measure has one undated key: the active regions of its level (and
        committee type) in the subtree whose tally row of the key is positive — the same condition as the rows
        (``per_region`` reads the tally today, one row per region and key), read as one join of the few tally rows
        to their regions instead of a filter per measure over every region of the subtree."""
        from django.db import connection

        from reporting.models import RegionTally

        keys = sorted({m.keys[0] for m in measures})
        levels = sorted({m.level for m in measures})
        marks = ", ".join(["%s"] * len(keys))
        level_marks = ", ".join(["%s"] * len(levels))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT t.level, t.key, r.committee_type, COUNT(*) FROM {RegionTally._meta.db_table} t "  # noqa: S608 - table names from the models, placeholders only; values are parameters
                f"JOIN {Region._meta.db_table} r ON r.code = t.region AND r.level = t.level "
                f"WHERE t.region LIKE %s AND t.key IN ({marks}) AND t.level IN ({level_marks}) AND t.n > 0 "
                "AND r.is_active GROUP BY t.level, t.key, r.committee_type",
                [f"{self.prefix}%", *keys, *levels])
            grouped = cursor.fetchall()
        return {m: sum(n for level, key, committee, n in grouped
                       if level == m.level and key == m.keys[0] and (not m.committee or committee == m.committee))
                for m in measures}

    def target_index(self):
        from reporting.targets import TargetIndex

        return self.once("target_index", lambda: TargetIndex(self.region, self.today))

    def below_by_child(self, committee, width=None) -> dict | None:
        """child prefix -> the communities of one committee type below their target on the day (the one definition,
        ``reporting.targets.below_target_communities``), grouped by the child region they lie in; None without a
        target. Shared by the "below target" figures and the scorecard; both committee types in one read when no
        region changed after the day (a community's committee type is then today's)."""
        def compute():
            from django.db.models.functions import Substr

            from reporting.targets import below_target_communities

            indicator = DENSITY_OF[committee]
            below = below_target_communities(communities_with_counts(self, committee), self.region, indicator,
                                             self.today, self.target_index())
            if below is None:
                return None
            return {r["child"]: r["c"] for r in below.annotate(child=Substr("code", 1, width))
                    .order_by().values("child").annotate(c=Count("code"))}

        def both():
            from django.db.models import Case, DecimalField, When
            from django.db.models.functions import Substr

            from reporting.targets import BELOW_TARGET, applicable_target

            targets = {c: applicable_target(self.region, DENSITY_OF[c], self.target_index()) for c in DENSITY_OF}
            out = {c: None if target is None else {} for c, target in targets.items()}
            whens = [When(committee_type=c, then=target) for c, target in targets.items() if target is not None]
            if whens:
                for r in (communities_with_counts(self, None).filter(committee_type__in=[w for w in targets
                                                                                         if targets[w] is not None])
                          .annotate(applicable_target=Case(*whens, output_field=DecimalField()))
                          .filter(BELOW_TARGET).annotate(child=Substr("code", 1, width)).order_by()
                          .values("committee_type", "child").annotate(c=Count("code"))):
                    out[r["committee_type"]][r["child"]] = r["c"]
            return out

        width = width or self.child_width
        if self.region_counts() is not None:
            return self.once(f"below{width}", both)[committee]
        return self.once(f"below{committee}{width}", compute)


DENSITY_OF = {CommitteeType.RESIDENTS: "orgs_per_urban_community", CommitteeType.VILLAGERS: "orgs_per_rural_community"}


# ------------------------------------------------------------------------------------------------ measures

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
        counted = ctx.holding_counts()
        if counted is not None and self in counted:
            return counted[self]
        return self.rows(ctx).count()

    def rows(self, ctx):
        return super().rows(ctx).filter(self.condition(ctx))

    def condition(self, ctx):
        return Q(code__in=ctx.per_region(self.level, self.keys).values("region"))


def communities_with_counts(ctx, committee_type, regions=None):
    """The communities of one committee type in the subtree on the day (of ``regions``, when given), each annotated
    with ``org_count``: its counted open organizations on that day, from the maintained counts (today: the
    community's own row of per-tier counts, one join; a past day: its ledger rows up to that day)."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models import Value as Constant
    from django.db.models.functions import Coalesce

    communities = ctx.regions(RegionLevel.COMMUNITY, committee_type)
    if regions is not None:
        communities = communities.filter(code__in=regions.values("code"))
    now = sum((Coalesce(F(f"figures_count__{tier}"), 0) for tier in ctx.tiers), Constant(0))
    if ctx.live:
        return communities.annotate(org_count=now)
    # On a past day: today's count less the community's ledger rows after that day (see per_region_keys). A
    # community's open organizations of a tier on a day it was urban are its urban ones of that tier on that day.
    from django.db.models import Case, When

    from reporting.models import RegionLedger

    later = RegionLedger.objects.filter(level=RegionLevel.COMMUNITY, key__in=[f"org.{tier}" for tier in ctx.tiers],
                                        day__gt=ctx.today)
    own = (later.filter(region=OuterRef("code")).order_by().values("region").annotate(n=Sum("delta")).values("n"))
    # Summed only for the communities that have such rows (found in one pass over the rows after the day).
    changed = later.filter(region__startswith=ctx.prefix).values("region")
    return communities.annotate(org_count=now - Case(
        When(code__in=changed, then=Coalesce(Subquery(own, output_field=IntegerField()), 0)), default=0))


@dataclass(frozen=True)
class BelowTarget(Regions):
    """Communities of one committee type whose own counted organizations are fewer than the per-community target
    that applies to each (``reporting.targets.below_target_communities``: the one definition the list uses too)."""

    def count(self, ctx):
        by_child = ctx.below_by_child(self.committee)
        return None if by_child is None else sum(by_child.values())

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

    @staticmethod
    def opened(ctx):
        from filings.models import Case

        return Case.objects.filter(kind="annual_report", period=ctx.report_year, region__code__startswith=ctx.prefix,
                                   created_at__date__lte=ctx.today)

    def condition(self, ctx) -> Q:
        """Which opened reports count: submitted by the day; on time, by the organization's own limit
        (filing_due_on), the due date itself included; due_on is the review's deadline once the report is
        submitted. Reports opened before the limit was kept fall back to it."""
        done = Q(submitted_at__date__lte=ctx.today)
        return done & Q(submitted_at__date__lte=Coalesce("filing_due_on", "due_on")) if self.on_time else done

    def rows(self, ctx):
        reports = self.opened(ctx)
        return reports.filter(self.condition(ctx)) if self.submitted else reports

    def count(self, ctx):
        return ctx.once("annual_reports", lambda: self._counts(ctx))[(self.on_time, self.submitted)]

    @classmethod
    def _counts(cls, ctx) -> dict:
        """Every variant's count in one read of the opened reports, each with the condition its ``rows()`` adds."""
        variants = [cls(on_time, submitted) for on_time in (False, True) for submitted in (False, True)]
        counts = cls.opened(ctx).aggregate(**{
            f"v{n}": Count("pk", filter=v.condition(ctx)) if v.submitted else Count("pk")
            for n, v in enumerate(variants)})
        return {(v.on_time, v.submitted): counts[f"v{n}"] for n, v in enumerate(variants)}


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
        return ctx.once("venture_grants", lambda: self._sums(ctx))[self.to_community]

    @classmethod
    def _sums(cls, ctx) -> dict:
        """The whole and the community organizations' share in one read of the year's awards."""
        sums = cls().rows(ctx).aggregate(whole=Sum("awarded_amount"),
                                         community=Sum("awarded_amount", filter=Q(**_cso_filter())))
        return {False: sums["whole"] or Decimal(0), True: sums["community"] or Decimal(0)}


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
        url = ctx.once("rows_link", lambda: link_maker("reporting:figure_rows", 2))(ctx.region.code, self.id)
        return url + ("?" + urlencode(query) if query else "")


def link_maker(name, arity):
    """``reverse(name, args=...)`` resolved once for a page that links to many objects (a figure per indicator, a
    region per scorecard row): the arguments are put in place by replacing markers. Only for arguments that need no
    quoting in a path (region codes, identifiers)."""
    markers = [f"__arg{n}__" for n in range(arity)]
    pattern = reverse(name, args=markers)

    def make(*args):
        url = pattern
        for marker, arg in zip(markers, args, strict=True):
            url = url.replace(marker, str(arg))
        return url
    return make


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
