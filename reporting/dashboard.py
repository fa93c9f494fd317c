"""What a dashboard shows for a region: every indicator against its target, the child regions side by side, the
monthly trend. Every level is computed from the maintained counts, today or as of any past day; the daily
snapshots feed the trend (and the old snapshot path, kept for the benchmark's comparison)."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from registry.choices import PREFIX_LENGTH, CommitteeType, RegionLevel, Tier
from registry.models import Region
from reporting.indicators import CATALOGUE, INDICATORS, PER_COMMUNITY, PERCENT, Context, Value
from reporting.models import IndicatorSnapshot
from reporting.targets import targets_for

SNAPSHOT_LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)


def indicator_rows(region, today=None, live=None) -> tuple[list[dict], object]:
    """(rows, snapshot time or None). Each row: indicator, value, number, target, met, gap, url.

    Computed from the maintained counts, as of ``today`` (any past day too). ``live=False`` reads the daily
    snapshot instead when there is one (the old path, kept for comparison: ``?source=snapshot``)."""
    today = today or timezone.localdate()
    ctx = Context(region, today)
    targets = targets_for(region, today)
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
        target = targets.get(indicator.id)
        if indicator.judged_at and region.level not in indicator.judged_at:
            target = None  # a province-wide total is never copied onto a city, county, street or community
        number = value.value
        met = target.is_met(value.exact) if target else None
        rows.append({
            "indicator": indicator, "value": value, "number": number, "target": target,
            "met": met, "gap": target.gap(number) if target and met is False else None,
            "url": indicator.rows_url(ctx),
        })
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
    today = today or timezone.localdate()
    since = today.replace(day=1) - timedelta(days=31 * (months - 1))
    points = {}
    for snapshot in (IndicatorSnapshot.objects.filter(region=region, indicator=indicator_id, taken_on__gte=since)
                     .order_by("taken_on").values("taken_on", "value")):
        points[snapshot["taken_on"].strftime("%Y-%m")] = snapshot["value"]
    return list(points.items())


def scorecard(region, user, today=None) -> list[dict]:
    """The child regions side by side, as of ``today``: organizations per urban and rural community, communities
    below target, Party work coverage. From the maintained counts: a handful of grouped queries."""
    today = today or timezone.localdate()
    children = list(Region.objects.visible_to(user).filter(parent=region, is_active=True).order_by("code"))
    if not children:
        return []
    level = RegionLevel(children[0].level)
    width = PREFIX_LENGTH[level]
    ctx = Context(region, today)
    targets = targets_for(region, today)
    keys = {area: [f"{area}.{tier}" for tier in ctx.tiers] for area in ("urban", "rural")}
    party_keys = ["work", "work_instr"] + [f"org.{tier}" for tier in Tier.values]
    counts = ctx.per_region_keys(level, keys["urban"] + keys["rural"] + party_keys)

    def summed(code, wanted):
        return sum(counts.get((code, key), 0) for key in wanted)

    communities = defaultdict(int)
    for committee in (CommitteeType.RESIDENTS, CommitteeType.VILLAGERS):
        for row in (ctx.regions(RegionLevel.COMMUNITY, committee).annotate(child=Substr("code", 1, width))
                    .order_by().values("child").annotate(n=Count("code"))):
            communities[(row["child"], committee)] = row["n"]
    below = defaultdict(int)
    for indicator_id in ("urban_communities_below_target", "rural_communities_below_target"):
        measure = INDICATORS[indicator_id].numerator
        if measure.target(ctx) is None:
            continue
        for row in (measure.rows(ctx).annotate(child=Substr("code", 1, width)).order_by().values("child")
                    .annotate(n=Count("code"))):
            below[row["child"]] += row["n"]
    rows = []
    for child in children:
        organizations = summed(child.code, [f"org.{tier}" for tier in Tier.values])
        work = Value(Decimal(summed(child.code, ["work", "work_instr"])), Decimal(organizations), PERCENT)
        rows.append({
            "region": child,
            "urban": Value(Decimal(summed(child.code, keys["urban"])),
                           Decimal(communities[(child.prefix, CommitteeType.RESIDENTS)]), PER_COMMUNITY),
            "rural": Value(Decimal(summed(child.code, keys["rural"])),
                           Decimal(communities[(child.prefix, CommitteeType.VILLAGERS)]), PER_COMMUNITY),
            "below": below[child.prefix], "party_work": work.value,
            "url": reverse("reporting:dashboard") + "?" + urlencode(
                {"region": child.code, **({"as_of": today.isoformat()} if not ctx.live else {})})})
    return _ranked(rows, targets)


SCORECARD_INDICATORS = ("orgs_per_urban_community", "orgs_per_rural_community", "urban_communities_below_target",
                        "rural_communities_below_target", "party_work_coverage")


def scorecard_from_snapshots(region, user, today=None):
    """The old path (kept for the benchmark's comparison): the children's snapshots of the day, or None."""
    today = today or timezone.localdate()
    children = list(Region.objects.visible_to(user).filter(parent=region, is_active=True).order_by("code"))
    return _scorecard_from_snapshots(children, targets_for(region, today), today) if children else []


def _scorecard_from_snapshots(children, targets, today):
    """The scorecard from the children's snapshots of today; None when any child has none yet."""
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

    return _ranked([{
        "region": child, "urban": value(child, "orgs_per_urban_community"),
        "rural": value(child, "orgs_per_rural_community"),
        "below": int((number(child, "urban_communities_below_target") or 0)
                     + (number(child, "rural_communities_below_target") or 0)),
        "party_work": number(child, "party_work_coverage")} for child in children], targets)


def _ranked(rows, targets):
    for row in rows:
        row["status"] = _status(row, targets)
    # Ranking: met targets first, then fewer communities below target, then density.
    rank_key = {"met": 0, "near": 1, "behind": 2, "none": 3}
    ranked = sorted(rows, key=lambda r: (rank_key[r["status"]], r["below"], -(r["urban"].value or 0)))
    for position, row in enumerate(ranked, start=1):
        row["rank"] = position
    return rows


def _status(row, targets) -> str:
    """Colour of a scorecard row: met (green), near (within 80% of every density target: amber), behind (red)."""
    ratios = []
    for key, indicator_id in (("urban", "orgs_per_urban_community"), ("rural", "orgs_per_rural_community")):
        target, value = targets.get(indicator_id), row[key].value
        if target is not None and value is not None and target.value:
            ratios.append(value / target.value)
    if not ratios:
        return "none"
    if all(r >= 1 for r in ratios):
        return "met"
    return "near" if all(r >= Decimal("0.8") for r in ratios) else "behind"
