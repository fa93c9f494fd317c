"""Targets: presets from the policy texts (DOMAIN.md §3), adopted per jurisdiction and inherited down the tree, and
how an indicator's figure is judged against one.

Three parts, in this order:
- judging: pure functions over dataclasses (a figure and a goal in, a judgement out), exact fractions, no ORM;
- which target applies where: nearest ancestor, deadline choice, the level a target is judged at, and the one
  definition of "a community below target" that the indicator, the scorecard and the list all read;
- the bureau's writes: adopt a preset, add or override a target, retire one; each audited in its transaction.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from math import ceil

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.choices import RegionLevel, Role
from registry.models import Region, code_prefixes
from reporting.models import JudgedAt, Operator, Target

PERCENT, PER_COMMUNITY, COUNT = "percent", "per_community", "count"

# --------------------------------------------------------------------------------------------------- presets

MCA, HANGZHOU, PINGHU, HENAN, SHANGHAI = (
    "民发〔2017〕191号", "杭民发〔2018〕237号", "平湖市社会组织参与社会治理方案（2018）", "豫民文〔2021〕115号",
    "沪民社管发〔2024〕1号")


@dataclass(frozen=True)
class Rule:
    """One preset row, always "at least" (以上 / 不少于 = ≥). ``divisor`` keeps fractions exact: 100/3 % = 1/3."""

    indicator: str
    value: Decimal
    deadline: date | None
    judged_at: str
    divisor: int = 1


E, C, S, U, J = (JudgedAt.EVERY_LEVEL, JudgedAt.EACH_COMMUNITY, JudgedAt.EACH_STREET, JudgedAt.EACH_COUNTY,
                 JudgedAt.JURISDICTION)
END_2018, END_2020, END_2023 = date(2018, 12, 31), date(2020, 12, 31), date(2023, 12, 31)

PRESETS = {
    "mca-2017": (MCA, gettext_lazy("Ministry of Civil Affairs 2017 (民发〔2017〕191号)"), [
        Rule("orgs_per_urban_community", Decimal(10), END_2020, E),
        Rule("orgs_per_rural_community", Decimal(5), END_2020, E),
    ]),
    "hangzhou-2018": (HANGZHOU, gettext_lazy("Hangzhou 2018 (杭民发〔2018〕237号)"), [
        Rule("orgs_per_urban_community", Decimal(16), END_2020, E),
        Rule("orgs_per_rural_community", Decimal(5), END_2020, E),
        Rule("service_centre_streets", Decimal(100), None, S),
        Rule("hub_coverage_streets", Decimal(100), None, S),
        Rule("hub_coverage_communities", Decimal(100), None, C),
        Rule("social_work_urban", Decimal(100), None, C),
        # "农村社区三分之一以上": a share of the rural communities, met at exactly 1/3.
        Rule("social_work_rural", Decimal(100), None, E, divisor=3),
        Rule("party_mass_centre_streets", Decimal(100), None, S),
        Rule("party_work_coverage", Decimal(100), None, E),
        # Judged per county per year (DOMAIN.md §3, venture-grant CSO share).
        Rule("venture_grant_community_share", Decimal(30), None, U),
    ]),
    "pinghu-2018": (PINGHU, gettext_lazy("Pinghu 2018 governance plan"), [
        Rule("orgs_per_urban_community", Decimal(20), END_2018, E),
        Rule("orgs_per_rural_community", Decimal(12), END_2018, E),
        Rule("orgs_per_urban_community", Decimal(22), END_2020, E),
        Rule("orgs_per_rural_community", Decimal(15), END_2020, E),
        Rule("registered_and_filed", Decimal(1800), END_2018, J),
        Rule("registered_and_filed", Decimal(1980), END_2020, J),
        Rule("hub_coverage_communities", Decimal(100), None, C),
        Rule("social_work_rural", Decimal(100), None, E, divisor=3),
    ]),
    "henan-2021": (HENAN, gettext_lazy("Henan 2021–2023 special action (豫民文〔2021〕115号)"), [
        Rule("orgs_per_urban_community", Decimal(10), END_2023, E),
        Rule("orgs_per_rural_community", Decimal(5), END_2023, E),
        Rule("support_platform_counties", Decimal(100), None, U),
        # Province-wide totals: judged for the province only, never copied onto its counties.
        Rule("brand_organizations", Decimal(50), END_2023, J),
        Rule("brand_projects", Decimal(100), END_2023, J),
    ]),
    "shanghai-2024": (SHANGHAI, gettext_lazy("Shanghai 2024 (沪民社管发〔2024〕1号)"), [
        Rule("party_work_coverage", Decimal(100), None, E),
        Rule("heads_trained_5y", Decimal(100), None, E),
    ]),
}

# What an indicator's numerator counts: the unit a gap is said in ("还差 3 个社区", "差 12 个组织").
GAP_UNITS = {
    "organizations": "organization", "registered_and_filed": "organization",
    "orgs_per_urban_community": "organization", "orgs_per_rural_community": "organization",
    "urban_communities_below_target": "community", "rural_communities_below_target": "community",
    "hub_coverage_streets": "street", "service_centre_streets": "street", "party_mass_centre_streets": "street",
    "hub_coverage_communities": "community", "social_work_urban": "community", "social_work_rural": "community",
    "support_platform_counties": "county", "heads_trained_5y": "organization", "brand_organizations": "organization",
    "brand_projects": "project", "graded_3a_plus": "organization", "annual_report_completion": "report",
    "annual_report_on_time": "report", "zombie_candidates": "organization", "party_org_coverage": "organization",
    "party_work_coverage": "organization", "venture_grant_community_share": "yuan",
}

# Coverage indicators count units of one level: for a per-unit rule their numerator already is "n of m units meet it".
INDICATOR_UNIT_LEVEL = {
    "hub_coverage_streets": RegionLevel.STREET, "service_centre_streets": RegionLevel.STREET,
    "party_mass_centre_streets": RegionLevel.STREET, "support_platform_counties": RegionLevel.COUNTY,
    "hub_coverage_communities": RegionLevel.COMMUNITY, "social_work_urban": RegionLevel.COMMUNITY,
    "social_work_rural": RegionLevel.COMMUNITY,
}
RULE_UNIT_LEVEL = {JudgedAt.EACH_COUNTY: RegionLevel.COUNTY, JudgedAt.EACH_STREET: RegionLevel.STREET,
                 JudgedAt.EACH_COMMUNITY: RegionLevel.COMMUNITY}


LEVEL_UNIT = {RegionLevel.COUNTY: "county", RegionLevel.STREET: "street", RegionLevel.COMMUNITY: "community"}


def gap_text(gap, unit: str) -> str:
    n = f"{gap:,}" if isinstance(gap, int) else f"{gap:,.2f}"
    return {
        "organization": _("%(n)s organizations short"), "community": _("%(n)s communities short"),
        "street": _("%(n)s streets/townships short"), "county": _("%(n)s counties short"),
        "project": _("%(n)s projects short"), "report": _("%(n)s reports short"), "yuan": _("¥%(n)s short"),
    }.get(unit, _("%(n)s short")) % {"n": n}


def unit_name(level) -> str:
    return {RegionLevel.COUNTY: _("counties"), RegionLevel.STREET: _("streets/townships"),
            RegionLevel.COMMUNITY: _("communities")}[level]


# --------------------------------------------------------------------------------------------------- judging

@dataclass(frozen=True)
class Figure:
    """An indicator's value as judging sees it: the exact numerator and denominator, and how they combine."""

    numerator: Decimal | None
    denominator: Decimal | None
    unit: str

    @classmethod
    def of(cls, value) -> "Figure":
        return cls(value.numerator, value.denominator, value.unit)


@dataclass(frozen=True)
class Goal:
    operator: str
    threshold: Fraction  # in the indicator's unit: organizations, organizations per community, or percent


@dataclass(frozen=True)
class Judgement:
    met: bool | None
    gap: int | Decimal | None = None  # in what the numerator counts; None when met or not judged
    shortfall: Fraction = Fraction(0)  # the share of the target still missing: ranks gaps of different units


def judge(figure: Figure, goal: Goal) -> Judgement:
    """Met or not, compared as exact fractions (never on a rounded percentage), and how many more are needed."""
    if figure.numerator is None:
        return Judgement(None)
    have = Fraction(figure.numerator)
    if figure.unit == COUNT:
        need = goal.threshold
    else:
        if not figure.denominator:
            return Judgement(None)
        need = goal.threshold * Fraction(figure.denominator) / (100 if figure.unit == PERCENT else 1)
    if goal.operator == Operator.AT_MOST:
        if have <= need:
            return Judgement(True)
        return Judgement(False, _whole(have - need), (have - need) / have)
    if have >= need:
        return Judgement(True)
    return Judgement(False, _whole(need - have), (need - have) / need)


def _whole(amount: Fraction):
    """Organizations and communities come whole: 2.4 short means 3 more. Money keeps its cents."""
    return ceil(amount)


@dataclass(frozen=True)
class UnitResult:
    met: bool | None


def roll_up(results: list[UnitResult]) -> tuple[int, int]:
    """A per-unit rule at a higher level: (units meeting it, units judged)."""
    judged = [r for r in results if r.met is not None]
    return sum(1 for r in judged if r.met), len(judged)


# --------------------------------------------------------------------------------------------------- which target

def region_code_for(prefix: str) -> str:
    """The region code a jurisdiction prefix stands for (3301 -> 330100)."""
    return prefix.ljust(6, "0") if len(prefix) <= 6 else prefix


def _choose(own: list[Target], today: date) -> Target:
    ahead = sorted((t for t in own if t.deadline is None or t.deadline >= today),
                   key=lambda t: (t.deadline is None, t.deadline))
    return ahead[0] if ahead else max(own, key=lambda t: t.deadline or date.min)


class TargetIndex:
    """The active targets over a region's ancestors and subtree, loaded in one query; answers "which target applies
    to this code" for the region and every unit under it by the nearest-ancestor rule."""

    def __init__(self, region, today=None):
        self.region, self.today = region, today or timezone.localdate()
        rows = Target.objects.filter(retired_at__isnull=True).filter(
            models.Q(jurisdiction_code__in=code_prefixes(region.code))
            | models.Q(jurisdiction_code__startswith=region.prefix))
        self._by_indicator: dict[str, dict[str, list[Target]]] = {}
        for target in rows:
            self._by_indicator.setdefault(target.indicator, {}).setdefault(target.jurisdiction_code, []).append(target)

    def for_code(self, code: str, indicator: str) -> Target | None:
        by_jurisdiction = self._by_indicator.get(indicator, {})
        for prefix in code_prefixes(code):
            if prefix in by_jurisdiction:
                return _choose(by_jurisdiction[prefix], self.today)
        return None

    def for_region(self) -> dict[str, Target]:
        return {indicator: target for indicator in self._by_indicator
                if (target := self.for_code(self.region.code, indicator)) is not None}

    def overrides_below(self, indicator: str) -> list[Target]:
        """Targets set inside the region's subtree (deepest first): the units under them answer to those."""
        return sorted((_choose(own, self.today) for prefix, own in self._by_indicator.get(indicator, {}).items()
                       if prefix.startswith(self.region.prefix) and len(prefix) > len(self.region.prefix)),
                      key=lambda t: -len(t.jurisdiction_code))


def target_for(region, indicator: str, today=None):
    return targets_for(region, today).get(indicator)


def targets_for(region, today=None) -> dict:
    """Every indicator's target for a region: its nearest ancestor's (longest code prefix); among that
    jurisdiction's targets, the earliest deadline not yet passed, else the most recent one."""
    today = today or timezone.localdate()
    by_indicator: dict[str, list] = {}
    for target in Target.objects.filter(jurisdiction_code__in=code_prefixes(region.code), retired_at__isnull=True):
        by_indicator.setdefault(target.indicator, []).append(target)
    chosen = {}
    for indicator, targets in by_indicator.items():
        nearest = max(len(t.jurisdiction_code) for t in targets)
        chosen[indicator] = _choose([t for t in targets if len(t.jurisdiction_code) == nearest], today)
    return chosen


def applies_here(target: Target, region) -> str:
    """Whether ``target`` is judged on ``region``'s own figure: "" if so, else why not ("total" for a total of a
    higher jurisdiction, "unit" for a per-unit rule below its unit level). Rolled-up rules say "rollup"."""
    if target.judged_at == JudgedAt.JURISDICTION:
        return "" if region.prefix == target.jurisdiction_code else "total"
    unit_level = RULE_UNIT_LEVEL.get(target.judged_at)
    if unit_level is None or region.level == unit_level:
        return ""
    return "unit" if region.level > unit_level else "rollup"


def below_target_communities(communities, region, indicator_id, today=None, index=None):
    """The one definition of "a community below target": its counted organizations (``org_count``, annotated by
    the indicator code) fewer than the per-community target that applies to that community (nearest ancestor of
    the community, so a district's own target judges its communities inside a city). Indicator, scorecard and
    list all filter with this."""
    applicable = applicable_target(region, indicator_id, index or TargetIndex(region, today))
    if applicable is None:
        return None
    return communities.annotate(applicable_target=applicable).filter(BELOW_TARGET)


# A community annotated with ``org_count`` and ``applicable_target`` is below its target.
BELOW_TARGET = models.Q(applicable_target__isnull=False, org_count__lt=models.F("applicable_target"))


def applicable_target(region, indicator_id, index):
    """The per-community target of ``indicator_id`` that applies to each community of the region (an expression
    on its code: the nearest ancestor's); None when no target applies anywhere in the region."""
    inherited = index.for_code(region.code, indicator_id)
    whens = [models.When(code__startswith=t.jurisdiction_code, then=models.Value(t.value / t.value_divisor))
             for t in index.overrides_below(indicator_id)]
    if inherited is None and not whens:
        return None
    default = models.Value(inherited.value / inherited.value_divisor) if inherited else models.Value(None)
    return models.Case(*whens, default=default, output_field=models.DecimalField()) if whens else default


# --------------------------------------------------------------------------------------------------- assessment

@dataclass
class Assessment:
    """A dashboard row's answer: the target that applies, met or not, the gap in the indicator's own unit."""

    indicator: str
    target: Target | None
    origin: Region | None = None  # where an inherited target was set
    inherited: bool = False
    met: bool | None = None
    gap: int | Decimal | None = None
    gap_text: str = ""
    shortfall: Fraction = Fraction(0)
    not_here: str = ""  # "total" / "unit": the target is shown but judged elsewhere
    rollup: tuple[int, int] | None = None
    rollup_text: str = ""
    past_deadline: bool = False
    notes: list[str] = field(default_factory=list)
    derived: bool = False  # "communities below target": read from the density target, not counted twice
    name: str = ""

    @property
    def counts(self) -> bool:
        """Counted in "targets met n/m"."""
        return self.target is not None and self.met is not None and not self.derived


def figures_as_of_available() -> bool:
    """Whether every indicator can be computed as of a past day (issue 12's engine marks its Context with
    ``live``: today reads the maintained counts, a past day the dated history). Until then a past target is judged
    on today's figure and the page says so."""
    from reporting.indicators import Context

    return hasattr(Context, "live")


def assess(region, indicator_id: str, value, target: Target | None, today: date, origins=None,
           unit_results=None, as_of_value=None) -> Assessment:
    """Judge one indicator of ``region``; ``value`` is the indicator's Value (numerator, denominator, unit);
    ``unit_results`` the per-unit judgements for a per-unit rule whose indicator is not itself a coverage;
    ``as_of_value`` the figure as of a passed deadline, which then judges the target."""
    result = Assessment(indicator_id, target)
    if target is None:
        return result
    result.inherited = target.jurisdiction_code != region.prefix
    if origins is not None and result.inherited:
        result.origin = origins.get(target.jurisdiction_code)
    result.past_deadline = target.deadline is not None and target.deadline < today
    if result.past_deadline:
        if as_of_value is None:
            result.notes.append(_("Deadline passed: judged on today's figure; figures as of the deadline are not "
                                  "available yet."))
        else:
            value = as_of_value
            shown = "—" if value.value is None else f"{value.value:f}"
            result.notes.append(_("Deadline passed: judged on the figure as of %(date)s (%(value)s).")
                                % {"date": target.deadline.isoformat(), "value": shown})
    where = applies_here(target, region)
    if where in ("total", "unit"):
        result.not_here = where
        return result
    unit = GAP_UNITS.get(indicator_id, "")
    judged = judge(Figure.of(value), Goal(target.operator, target.threshold))
    if where == "rollup":
        level = RULE_UNIT_LEVEL[target.judged_at]
        if INDICATOR_UNIT_LEVEL.get(indicator_id) == level:
            if value.denominator:
                result.rollup = (int(value.numerator), int(value.denominator))
        elif unit_results is not None:
            n, m = result.rollup = roll_up(unit_results)
            judged = Judgement(n == m if m else None, (m - n) or None, Fraction(m - n, m) if m else Fraction(0))
            unit = LEVEL_UNIT[level]
        else:
            judged = Judgement(None)
        if result.rollup:
            result.rollup_text = _("%(n)d of %(m)d %(units)s meet it") % {
                "n": result.rollup[0], "m": result.rollup[1], "units": unit_name(level)}
    result.met, result.gap, result.shortfall = judged.met, judged.gap, judged.shortfall
    if judged.gap:
        result.gap_text = gap_text(judged.gap, unit)
    return result


@dataclass(frozen=True)
class Summary:
    met: int
    judged: int
    largest_gaps: list  # up to three Assessments, the largest shortfall first


def summarize(assessments: list[Assessment]) -> Summary:
    judged = [a for a in assessments if a.counts]
    behind = sorted((a for a in judged if a.met is False), key=lambda a: -a.shortfall)
    return Summary(sum(1 for a in judged if a.met), len(judged), behind[:3])


DERIVED_FROM = {"urban_communities_below_target": "orgs_per_urban_community",
                "rural_communities_below_target": "orgs_per_rural_community"}
MAX_UNITS_JUDGED_LIVE = 300


def assess_rows(region, rows: list[dict], today: date, index: "TargetIndex | None" = None, ctx=None) -> Summary:
    """Adds an ``assessment`` (and the matching ``target``, ``met``, ``gap``) to each dashboard row; returns the
    summary line. ``rows`` carry ``indicator`` and ``value`` as built by reporting.dashboard.indicator_rows."""
    from reporting.indicators import Context

    index = index or TargetIndex(region, today)
    targets = index.for_region()
    as_of = figures_as_of_available()
    origins = _origins(region, targets.values())
    by_id = {row["indicator"].id: row for row in rows}
    deadlines = {}
    for row in rows:
        indicator_id = row["indicator"].id
        target = targets.get(indicator_id)
        units = None
        if target is not None and applies_here(target, region) == "rollup" \
                and INDICATOR_UNIT_LEVEL.get(indicator_id) != RULE_UNIT_LEVEL[target.judged_at]:
            units = unit_results(region, indicator_id, RULE_UNIT_LEVEL[target.judged_at], today, index)
        as_of_value = None
        if target is not None and target.deadline is not None and target.deadline < today and as_of:
            if target.deadline not in deadlines:  # one context per day: its reads are shared by the rows
                deadlines[target.deadline] = Context(region, target.deadline, base=ctx)
            as_of_value = row["indicator"].value(deadlines[target.deadline])
        row["assessment"] = assess(region, indicator_id, row["value"], target, today, origins, units, as_of_value)
    for indicator_id, density_id in DERIVED_FROM.items():
        row, density = by_id.get(indicator_id), by_id.get(density_id)
        if row is None or density is None or density["assessment"].target is None:
            continue
        derived = density["assessment"]
        below, communities = row["value"].numerator, density["value"].denominator
        assessment = Assessment(indicator_id, derived.target, derived.origin, derived.inherited, derived=True,
                                past_deadline=derived.past_deadline, notes=list(derived.notes))
        if below is not None and communities:
            n, m = int(communities - below), int(communities)
            assessment.met = below == 0
            assessment.rollup = (n, m)
            assessment.rollup_text = _("%(n)d of %(m)d %(units)s meet it") % {
                "n": n, "m": m, "units": unit_name(RegionLevel.COMMUNITY)}
            if below:
                assessment.gap, assessment.gap_text = int(below), gap_text(int(below), "community")
        row["assessment"] = assessment
    for row in rows:
        assessment = row["assessment"]
        assessment.name = row["indicator"].name
        row["target"], row["met"], row["gap"] = assessment.target, assessment.met, assessment.gap
    return summarize([row["assessment"] for row in rows])


def _origins(region, targets) -> dict:
    """prefix -> the region that set each target: the region or one of its ancestors, taken from the loaded chain
    of parents where it is there (the pages load it), else read."""
    chain, node = {}, region
    while node is not None:
        chain[node.prefix] = node
        node = node.parent if Region.parent.is_cached(node) else None
    wanted = {t.jurisdiction_code for t in targets}
    missing = {region_code_for(code) for code in wanted if code not in chain}
    if missing:
        chain.update((r.prefix, r) for r in Region.objects.filter(code__in=missing))
    return {code: chain[code] for code in wanted if code in chain}


def unit_results(region, indicator_id, level, today, index) -> list[UnitResult] | None:
    """Each unit of ``level`` under ``region`` judged on its own figure against the target that applies to it.
    None when there are too many to compute live (the page then says the rule is not judged here)."""
    from reporting.indicators import INDICATORS, Context

    units = Region.objects.filter(level=level, code__startswith=region.prefix, is_active=True)
    if units.count() > MAX_UNITS_JUDGED_LIVE:
        return None
    results = []
    for unit in units.order_by("code"):
        target = index.for_code(unit.code, indicator_id)
        if target is None:
            continue
        value = INDICATORS[indicator_id].value(Context(unit, today))
        results.append(UnitResult(judge(Figure.of(value), Goal(target.operator, target.threshold)).met))
    return results


# --------------------------------------------------------------------------------------------------- writes

BUREAU_LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)


def may_manage(user, region) -> bool:
    """Targets are the bureau's: a district, city or province bureau's own reviewers and administrators change its
    jurisdiction's targets; everyone who sees the region reads them."""
    if region is None or region.level not in BUREAU_LEVELS or not user.is_authenticated or not user.is_active:
        return False
    if user.sees_everything:
        return True
    return user.role in (Role.DISTRICT_REVIEWER, Role.ADMIN) and any(r.code == region.code for r in user.jurisdiction)


def _check(user, region):
    if user is not None and not may_manage(user, region):
        raise PermissionDenied(_("Only the bureau's own reviewers and administrators set %(region)s's targets.")
                               % {"region": region.name})
    if region.level not in BUREAU_LEVELS:
        raise ValidationError(_("Targets are set by a district, city or province bureau."))


def _record(action, target, user, changes, detail):
    from registry.audit import record

    record(action, target, user=user, changes=changes, detail=detail, region_code=region_code_for(
        target.jurisdiction_code))


def _snapshot(target):
    return {"value": str(target.value), "value_divisor": target.value_divisor,
            "deadline": target.deadline.isoformat() if target.deadline else None,
            "source_document": target.source_document, "operator": target.operator, "judged_at": target.judged_at}


@dataclass(frozen=True)
class Adoption:
    created: list
    kept: list  # (indicator, deadline) already set by the bureau and left as it was


@transaction.atomic
def adopt_preset(region, preset: str, user=None) -> Adoption:
    """A bureau adopts a preset for its jurisdiction. A rule the jurisdiction already has (same indicator and
    deadline, from an earlier preset or set by hand) is kept: adopting never overwrites the bureau's choices; where
    two presets name the same indicator and deadline the stricter stays (Hangzhou's 16 over the Ministry's 10)."""
    from registry.models import AuditAction

    if isinstance(region, str):
        region = Region.objects.get(code=region_code_for(region))
    _check(user, region)
    if preset not in PRESETS:
        raise ValidationError(_("No such preset."))
    source, _label, rules = PRESETS[preset]
    created, kept = [], []
    existing = {(t.indicator, t.deadline): t for t in Target.objects.select_for_update().filter(
        jurisdiction_code=region.prefix, retired_at__isnull=True)}
    for rule in rules:
        current = existing.get((rule.indicator, rule.deadline))
        if current is not None:
            stricter = Fraction(rule.value) / rule.divisor > current.threshold
            if current.preset and current.preset != preset and stricter:
                before = _snapshot(current)
                current.value, current.value_divisor, current.source_document = rule.value, rule.divisor, source
                current.preset, current.judged_at, current.updated_by = preset, rule.judged_at, _actor(user)
                current.save()
                _record(AuditAction.UPDATE, current, user, _diff(before, _snapshot(current)),
                        f"preset {preset}: stricter than {before['source_document']}")
                created.append(current)
            else:
                kept.append(current)
            continue
        target = Target.objects.create(
            jurisdiction_code=region.prefix, indicator=rule.indicator, value=rule.value, value_divisor=rule.divisor,
            deadline=rule.deadline, source_document=source, preset=preset, judged_at=rule.judged_at,
            updated_by=_actor(user))
        existing[(rule.indicator, rule.deadline)] = target
        _record(AuditAction.CREATE, target, user, {k: [None, v] for k, v in _snapshot(target).items()},
                f"preset {preset}")
        created.append(target)
    return Adoption(created, kept)


def _actor(user):
    return user if getattr(user, "pk", None) else None


def _diff(before, after):
    return {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}


def _validate(indicator, value, deadline, source_document, judged_at, operator):
    from reporting.indicators import INDICATORS

    errors = {}
    if indicator not in INDICATORS:
        errors["indicator"] = _("No such indicator.")
    if value is None or value < 0:
        errors["value"] = _("A target value is a number of zero or more.")
    if not (source_document or "").strip():
        errors["source_document"] = _("Name the document that sets this target.")
    if judged_at not in JudgedAt.values:
        errors["judged_at"] = _("Choose the level the target is judged at.")
    if operator not in Operator.values:
        errors["operator"] = _("Choose at least or at most.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def set_target(user, region, indicator: str, value: Decimal, deadline=None, source_document="",
               judged_at=JudgedAt.EVERY_LEVEL, operator=Operator.AT_LEAST, divisor=1) -> Target:
    """The bureau adds a target of its own (with the document that sets it), or changes its own target of the same
    indicator and deadline."""
    from registry.models import AuditAction

    _check(user, region)
    _validate(indicator, value, deadline, source_document, judged_at, operator)
    target = Target.objects.select_for_update().filter(
        jurisdiction_code=region.prefix, indicator=indicator, deadline=deadline, retired_at__isnull=True).first()
    if target is None:
        target = Target.objects.create(
            jurisdiction_code=region.prefix, indicator=indicator, value=value, value_divisor=divisor,
            deadline=deadline, source_document=source_document.strip(), judged_at=judged_at, operator=operator,
            updated_by=_actor(user))
        _record(AuditAction.CREATE, target, user, {k: [None, v] for k, v in _snapshot(target).items()}, "")
        return target
    return override(user, target, value=value, source_document=source_document, judged_at=judged_at,
                    operator=operator, divisor=divisor)


def _jurisdiction(target) -> Region:
    return Region.objects.get(code=region_code_for(target.jurisdiction_code))


@transaction.atomic
def override(user, target, *, value=None, deadline=..., source_document=None, judged_at=None, operator=None,
             divisor=None) -> Target:
    """The bureau changes its own target's value, deadline, source, level or operator."""
    from registry.models import AuditAction

    target = Target.objects.select_for_update().get(pk=target.pk)
    _check(user, _jurisdiction(target))
    if target.retired_at is not None:
        raise ValidationError(_("This target is retired."))
    before = _snapshot(target)
    if value is not None and (value, divisor or 1) != (target.value, target.value_divisor):
        target.value = value
        target.value_divisor = divisor or 1
        target.preset = ""  # the bureau's own value now: a later preset never replaces it
    if deadline is not ...:
        target.deadline = deadline
    if source_document:
        target.source_document = source_document.strip()
    target.judged_at = judged_at or target.judged_at
    target.operator = operator or target.operator
    _validate(target.indicator, target.value, target.deadline, target.source_document, target.judged_at,
              target.operator)
    if Target.objects.filter(jurisdiction_code=target.jurisdiction_code, indicator=target.indicator,
                             deadline=target.deadline, retired_at__isnull=True).exclude(pk=target.pk).exists():
        raise ValidationError({"deadline": _("This jurisdiction already has a target for this indicator and "
                                             "deadline.")})
    changes = _diff(before, _snapshot(target))
    if not changes:
        return target
    target.updated_by = _actor(user)
    target.save()
    _record(AuditAction.UPDATE, target, user, changes, "")
    return target


@transaction.atomic
def retire(user, target) -> Target:
    """The bureau retires a target: it stops applying (an ancestor's applies again) and stays as history."""
    from registry.models import AuditAction

    target = Target.objects.select_for_update().get(pk=target.pk)
    _check(user, _jurisdiction(target))
    if target.retired_at is not None:
        raise ValidationError(_("This target is retired."))
    target.retired_at = timezone.now()
    target.updated_by = _actor(user)
    target.save()
    _record(AuditAction.UPDATE, target, user, {"retired_at": [None, target.retired_at.isoformat()]}, "retired")
    return target
