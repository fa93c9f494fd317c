"""What a dashboard shows for a region: every indicator against its target, the child regions side by side, the
monthly trend. Large regions read the daily snapshot; streets and communities are computed live."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import Substr
from django.utils import timezone

from registry.choices import CLOSED_STATUSES, PREFIX_LENGTH, CommitteeType, RegionLevel
from registry.models import Organization, Region
from reporting.indicators import CATALOGUE, INDICATORS, PER_COMMUNITY, Context, Value, communities_with_counts
from reporting.models import IndicatorSnapshot
from reporting.targets import targets_for

SNAPSHOT_LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)


def indicator_rows(region, today=None, live=None) -> tuple[list[dict], object]:
    """(rows, snapshot time or None). Each row: indicator, value, target, met, gap, url."""
    today = today or timezone.localdate()
    ctx = Context(region, today)
    targets = targets_for(region, today)
    snapshot_time, values = None, None
    if live is not True and region.level in SNAPSHOT_LEVELS:
        snapshots = list(IndicatorSnapshot.objects.filter(region=region, taken_on=today))
        if snapshots:
            values = {s.indicator: Value(s.numerator, s.denominator, INDICATORS[s.indicator].unit)
                      for s in snapshots if s.indicator in INDICATORS}
            snapshot_time = max(s.taken_at for s in snapshots)
    rows = []
    for indicator in CATALOGUE:
        value = values[indicator.id] if values is not None and indicator.id in values else indicator.value(ctx)
        target = targets.get(indicator.id)
        number = value.value
        rows.append({
            "indicator": indicator, "value": value, "number": number, "target": target,
            "met": target.is_met(number) if target else None, "gap": target.gap(number) if target else None,
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
    """The child regions side by side: organizations per urban and rural community, communities below target,
    and (with the Party-building app) work coverage. Grouped queries, one per figure."""
    today = today or timezone.localdate()
    children = list(Region.objects.visible_to(user).filter(parent=region, is_active=True).order_by("code"))
    if not children:
        return []
    if region.level in SNAPSHOT_LEVELS:
        rows = _scorecard_from_snapshots(children, targets_for(region, today), today)
        if rows is not None:
            return rows
    width = PREFIX_LENGTH[RegionLevel(children[0].level)]
    ctx = Context(region, today)
    targets = targets_for(region, today)
    org_counts = defaultdict(int)
    counted = (Organization.objects.exclude(status__in=CLOSED_STATUSES)
               .filter(region__code__startswith=region.prefix, tier__in=ctx.tiers, region__level=RegionLevel.COMMUNITY)
               .annotate(child=Substr("region_id", 1, width)).order_by()
               .values("child", "region__committee_type").annotate(n=Count("pk")))
    for row in counted:
        org_counts[(row["child"], row["region__committee_type"])] = row["n"]
    community_counts = defaultdict(int)
    for row in (Region.objects.filter(level=RegionLevel.COMMUNITY, code__startswith=region.prefix, is_active=True)
                .annotate(child=Substr("code", 1, width)).order_by().values("child", "committee_type")
                .annotate(n=Count("code"))):
        community_counts[(row["child"], row["committee_type"])] = row["n"]
    below = defaultdict(int)
    for committee, indicator_id in ((CommitteeType.RESIDENTS, "orgs_per_urban_community"),
                                    (CommitteeType.VILLAGERS, "orgs_per_rural_community")):
        target = targets.get(indicator_id)
        if target is None:
            continue
        for row in (communities_with_counts(ctx, committee).filter(org_count__lt=target.value)
                    .annotate(child=Substr("code", 1, width)).order_by().values("child").annotate(c=Count("code"))):
            below[row["child"]] += row["c"]
    party = {}
    try:
        from partybuilding.coverage import coverage_by_child

        party = {row["prefix"]: row["work_coverage"] for row in coverage_by_child(region, user, today)}
    except ImportError:
        pass
    return _ranked([{
        "region": child,
        "urban": Value(Decimal(org_counts[(child.prefix, "residents")]),
                       Decimal(community_counts[(child.prefix, "residents")]), PER_COMMUNITY),
        "rural": Value(Decimal(org_counts[(child.prefix, "villagers")]),
                       Decimal(community_counts[(child.prefix, "villagers")]), PER_COMMUNITY),
        "below": below[child.prefix], "party_work": party.get(child.prefix)} for child in children], targets)


SCORECARD_INDICATORS = ("orgs_per_urban_community", "orgs_per_rural_community", "urban_communities_below_target",
                        "rural_communities_below_target", "party_work_coverage")


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
