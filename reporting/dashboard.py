"""What a dashboard shows for a region: every indicator against its target, the child regions side by side, the
monthly trend. Every level is computed from the maintained counts (reporting/facts.py), today or as of any past
day; the daily snapshots feed the trend, and the old snapshot path is kept for the benchmark's comparison."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from registry.choices import PREFIX_LENGTH, CommitteeType, RegionLevel, Tier
from registry.models import Region
from reporting.indicators import (
    CATALOGUE,
    INDICATORS,
    PER_COMMUNITY,
    PERCENT,
    Context,
    Value,
    grade_distribution,
    link_maker,
)
from reporting.models import IndicatorSnapshot, RegionTally
from reporting.state_cache import remembered
from reporting.targets import Figure, Goal, assess_rows, judge

SNAPSHOT_LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)
TREND_INDICATORS = ("orgs_per_urban_community", "orgs_per_rural_community", "party_work_coverage")


def figures(region, user, today=None, snapshot=False) -> dict:
    """What the dashboard (page and API) shows of ``region`` as of ``today`` to ``user``: ``rows`` and
    ``snapshot_time`` (``indicator_rows``), ``children`` (the scorecard of the child regions the user sees),
    ``trends``, ``grades`` and the region's ``targets``. Worked out once per state of the database
    (reporting/state_cache.py): the same figures, not older ones; the result is shared, not to be changed."""
    today = today or timezone.localdate()
    children = visible_children(region, user)
    key = ("dashboard", region.code, today, today >= timezone.localdate(), snapshot,
           tuple(child.code for child in children))
    return remembered(key, lambda: _figures(region, children, today, snapshot), RegionTally)


def _figures(region, children, today, snapshot):
    ctx = Context(region, today)  # one context: the rows, the scorecard and the grades share their reads
    rows, snapshot_time = indicator_rows(region, today, live=not snapshot, ctx=ctx)
    return {"rows": rows, "snapshot_time": snapshot_time, "live": ctx.live,
            "children": scorecard(region, None, today, snapshot=snapshot, ctx=ctx, children=children),
            "trends": trends(region, TREND_INDICATORS, today=today), "grades": grade_distribution(ctx),
            "targets": ctx.target_index().for_region()}


def visible_children(region, user) -> list:
    return list(Region.objects.visible_to(user).filter(parent=region, is_active=True).order_by("code"))


def indicator_rows(region, today=None, live=None, ctx=None) -> tuple[list[dict], object]:
    """(rows, snapshot time or None). Each row: indicator, value, number, target, met, gap, url, assessment.

    Computed from the maintained counts as of ``today`` (any past day too). ``live=False`` reads the daily snapshot
    instead when there is one (the old path, kept for comparison: ``?source=snapshot``)."""
    today = today or timezone.localdate()
    ctx = ctx or Context(region, today)
    snapshot_time, values = None, None
    if live is False and region.level in SNAPSHOT_LEVELS:
        snapshots = list(IndicatorSnapshot.objects.filter(region=region, taken_on=today))
        if snapshots:
            values = {s.indicator: Value(s.numerator, s.denominator, INDICATORS[s.indicator].unit)
                      for s in snapshots if s.indicator in INDICATORS}
            snapshot_time = max(s.taken_at for s in snapshots)
    rows = []
    for indicator in CATALOGUE:
        value = values[indicator.id] if values is not None and indicator.id in values else indicator.value(ctx)
        rows.append({"indicator": indicator, "value": value, "number": value.value, "url": indicator.rows_url(ctx)})
    # Adds target, met, gap and the assessment (reporting/targets.py).
    assess_rows(region, rows, today, ctx.target_index(), ctx)
    return rows, snapshot_time


def take_snapshots(today=None, max_level=RegionLevel.STREET) -> int:
    """The daily job: every indicator of every region down to ``max_level``, stored for trends and fast pages."""
    today = today or timezone.localdate()
    stored = 0
    for region in Region.objects.filter(level__lte=max_level, is_active=True).order_by("level", "code").iterator():
        ctx = Context(region, today)
        rows = []
        for indicator in CATALOGUE:
            value = indicator.value(ctx)
            rows.append(IndicatorSnapshot(region=region, indicator=indicator.id, taken_on=today,
                                          numerator=value.numerator, denominator=value.denominator,
                                          value=value.value))
        IndicatorSnapshot.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["region", "indicator", "taken_on"],
            update_fields=["numerator", "denominator", "value", "taken_at"])
        stored += len(rows)
    return stored


def trend(region, indicator_id, months=12, today=None) -> list[tuple[str, Decimal]]:
    """The last snapshot of each month for one indicator of a region."""
    return trends(region, [indicator_id], months, today)[indicator_id]


def trends(region, indicator_ids, months=12, today=None) -> dict[str, list[tuple[str, Decimal]]]:
    """``trend()`` of several indicators of a region, in one read of its snapshots."""
    today = today or timezone.localdate()
    since = today.replace(day=1) - timedelta(days=31 * (months - 1))
    points = {indicator_id: {} for indicator_id in indicator_ids}
    for snapshot in (IndicatorSnapshot.objects.filter(region=region, indicator__in=indicator_ids, taken_on__gte=since)
                     .order_by("taken_on").values("indicator", "taken_on", "value")):
        points[snapshot["indicator"]][snapshot["taken_on"].strftime("%Y-%m")] = snapshot["value"]
    return {indicator_id: list(by_month.items()) for indicator_id, by_month in points.items()}


def scorecard(region, user, today=None, snapshot=False, ctx=None, children=None) -> list[dict]:
    """The child regions side by side: organizations per urban and rural community, communities below target
    (the one definition in reporting/targets.py, as the indicator and the list), and (with the Party-building app)
    work coverage. Grouped queries, one per figure; ranked by the organizations each child is short. The children
    are those ``user`` sees, or ``children`` when given."""
    today = today or timezone.localdate()
    children = visible_children(region, user) if children is None else children
    if not children:
        return []
    ctx = ctx or Context(region, today)
    index = ctx.target_index()
    width = PREFIX_LENGTH[RegionLevel(children[0].level)]
    rows = _scorecard_from_snapshots(children, today) if snapshot and region.level in SNAPSHOT_LEVELS else None
    if rows is None:
        rows = _scorecard_live(children, ctx, width)
    below = defaultdict(int)
    for kind, committee in (("urban", CommitteeType.RESIDENTS), ("rural", CommitteeType.VILLAGERS)):
        for child, n in (ctx.below_by_child(committee, width) or {}).items():
            below[(child, kind)] = n
    below_link = link_maker("reporting:below_target", 2)
    for row in rows:
        prefix, code = row["region"].prefix, row["region"].code
        row["below_urban"], row["below_rural"] = below[(prefix, "urban")], below[(prefix, "rural")]
        row["below"] = row["below_urban"] + row["below_rural"]
        row["below_urls"] = {kind: below_link(code, kind) for kind in ("urban", "rural")}
    return _ranked(rows, index)


def _scorecard_live(children, ctx, width):
    """Each child's densities and Party work coverage on the day, from the maintained counts (a few grouped reads
    of the children's tally or ledger rows)."""
    level = RegionLevel(children[0].level)
    keys = {area: [f"{area}.{tier}" for tier in ctx.tiers] for area in ("urban", "rural")}
    all_open = [f"org.{tier}" for tier in Tier.values]
    counts = ctx.per_region_keys(level, keys["urban"] + keys["rural"] + all_open + ["work", "work_instr"])

    def summed(code, wanted):
        return sum(counts.get((code, key), 0) for key in wanted)

    communities = defaultdict(int)
    grouped = ctx.region_counts()
    if grouped is not None and ctx.child_width == width:
        for (level, committee, child), n in grouped.items():
            if level == RegionLevel.COMMUNITY:
                communities[(child, committee)] += n
    else:
        for committee in (CommitteeType.RESIDENTS, CommitteeType.VILLAGERS):
            for row in (ctx.regions(RegionLevel.COMMUNITY, committee).annotate(child=Substr("code", 1, width))
                        .order_by().values("child").annotate(n=Count("code"))):
                communities[(row["child"], committee)] = row["n"]
    query = {"as_of": ctx.today.isoformat()} if not ctx.live else {}
    page = reverse("reporting:dashboard")
    return [{
        "region": child,
        "urban": Value(Decimal(summed(child.code, keys["urban"])),
                       Decimal(communities[(child.prefix, CommitteeType.RESIDENTS)]), PER_COMMUNITY),
        "rural": Value(Decimal(summed(child.code, keys["rural"])),
                       Decimal(communities[(child.prefix, CommitteeType.VILLAGERS)]), PER_COMMUNITY),
        "party_work": Value(Decimal(summed(child.code, ["work", "work_instr"])),
                            Decimal(summed(child.code, all_open)), PERCENT).value,
        "url": page + "?" + urlencode({"region": child.code, **query}),
    } for child in children]


SCORECARD_INDICATORS = ("orgs_per_urban_community", "orgs_per_rural_community", "urban_communities_below_target",
                        "rural_communities_below_target", "party_work_coverage")


def _scorecard_from_snapshots(children, today):
    """The children's densities from their snapshots of today; None when any child has none yet."""
    found = {(s.region_id, s.indicator): s for s in IndicatorSnapshot.objects.filter(
        region__in=children, taken_on=today, indicator__in=SCORECARD_INDICATORS)}
    if any((child.code, "orgs_per_urban_community") not in found for child in children):
        return None

    def value(child, indicator):
        snapshot = found.get((child.code, indicator))
        return Value(snapshot.numerator, snapshot.denominator, PER_COMMUNITY) if snapshot else Value(None)

    def number(child, indicator):
        snapshot = found.get((child.code, indicator))
        return snapshot.value if snapshot else None

    return [{"region": child, "urban": value(child, "orgs_per_urban_community"),
             "rural": value(child, "orgs_per_rural_community"),
             "party_work": number(child, "party_work_coverage")} for child in children]


def _ranked(rows, index):
    """Each child judged on its densities against the targets that apply to it; ranked by the organizations it is
    short of them (largest first), then by communities below target: who is behind, and by how much."""
    for row in rows:
        judgements = []
        for key, indicator_id in (("urban", "orgs_per_urban_community"), ("rural", "orgs_per_rural_community")):
            target = index.for_code(row["region"].code, indicator_id)
            if target is not None:
                judgements.append(judge(Figure.of(row[key]), Goal(target.operator, target.threshold)))
        judged = [j for j in judgements if j.met is not None]
        row["short"] = sum(j.gap or 0 for j in judged)
        if not judged:
            row["status"] = "none"
        elif all(j.met for j in judged):
            row["status"] = "met"
        else:
            row["status"] = "near" if all(j.shortfall <= Fraction(1, 5) for j in judged) else "behind"
    ranked = sorted(rows, key=lambda r: (-r["short"], -r["below"], r["region"].code))
    for position, row in enumerate(ranked, start=1):
        row["rank"] = position
    return ranked
