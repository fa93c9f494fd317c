"""Targets: presets from the policy texts (DOMAIN.md §3), adopted per jurisdiction and inherited down the tree."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from registry.models import code_prefixes
from reporting.models import Target

MCA, HANGZHOU, PINGHU, HENAN, SHANGHAI = (
    "民发〔2017〕191号", "杭民发〔2018〕237号", "平湖市社会组织参与社会治理方案（2018）", "豫民文〔2021〕115号",
    "沪民社管发〔2024〕1号")

# preset -> [(indicator, value, deadline)], all "at least"
PRESETS = {
    "mca-2017": (MCA, [
        ("orgs_per_urban_community", 10, date(2020, 12, 31)),
        ("orgs_per_rural_community", 5, date(2020, 12, 31)),
    ]),
    "hangzhou-2018": (HANGZHOU, [
        ("orgs_per_urban_community", 16, date(2020, 12, 31)),
        ("orgs_per_rural_community", 5, date(2020, 12, 31)),
        ("service_centre_streets", 100, None),
        ("hub_coverage_streets", 100, None),
        ("hub_coverage_communities", 100, None),
        ("social_work_urban", 100, None),
        ("social_work_rural", Decimal("33.3"), None),
        ("party_mass_centre_streets", 100, None),
        ("party_work_coverage", 100, None),
        ("venture_grant_community_share", 30, None),
    ]),
    "pinghu-2018": (PINGHU, [
        ("orgs_per_urban_community", 20, date(2018, 12, 31)),
        ("orgs_per_rural_community", 12, date(2018, 12, 31)),
        ("orgs_per_urban_community", 22, date(2020, 12, 31)),
        ("orgs_per_rural_community", 15, date(2020, 12, 31)),
        ("registered_and_filed", 1800, date(2018, 12, 31)),
        ("registered_and_filed", 1980, date(2020, 12, 31)),
        ("hub_coverage_communities", 100, None),
        ("social_work_rural", Decimal("33.3"), None),
    ]),
    "henan-2021": (HENAN, [
        ("orgs_per_urban_community", 10, date(2023, 12, 31)),
        ("orgs_per_rural_community", 5, date(2023, 12, 31)),
        ("support_platform_counties", 100, None),
        ("brand_organizations", 50, date(2023, 12, 31)),
        ("brand_projects", 100, date(2023, 12, 31)),
    ]),
    "shanghai-2024": (SHANGHAI, [
        ("party_work_coverage", 100, None),
        ("heads_trained_5y", 100, None),
    ]),
}


@transaction.atomic
def adopt_preset(jurisdiction_code: str, preset: str) -> int:
    """A jurisdiction adopts a preset; values it changed afterwards are kept when it adopts the preset again."""
    source, rules = PRESETS[preset]
    created = 0
    for indicator, value, deadline in rules:
        _target, made = Target.objects.get_or_create(
            jurisdiction_code=jurisdiction_code, indicator=indicator, deadline=deadline,
            defaults={"value": Decimal(value), "source_document": source, "preset": preset})
        created += made
    return created


def target_for(region, indicator: str, today=None):
    return targets_for(region, today).get(indicator)


def targets_for(region, today=None) -> dict:
    """Every indicator's target for a region, in one query: its nearest ancestor's (longest code prefix); among
    that jurisdiction's targets, the earliest deadline not yet passed, else the most recent one."""
    today = today or date.today()
    by_indicator: dict[str, list] = {}
    for target in Target.objects.filter(jurisdiction_code__in=code_prefixes(region.code)):
        by_indicator.setdefault(target.indicator, []).append(target)
    chosen = {}
    for indicator, targets in by_indicator.items():
        nearest = max(len(t.jurisdiction_code) for t in targets)
        own = [t for t in targets if len(t.jurisdiction_code) == nearest]
        ahead = sorted((t for t in own if t.deadline is None or t.deadline >= today),
                       key=lambda t: (t.deadline is None, t.deadline))
        chosen[indicator] = ahead[0] if ahead else max(own, key=lambda t: t.deadline)
    return chosen
