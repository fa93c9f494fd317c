"""Synthetic province-scale data for benchmarks: seeded and deterministic, in a province code of its own (99)."""

import random
from datetime import date, timedelta

from django.db import connection, transaction

from registry.changes import muted
from registry.choices import CommitteeType, RegionLevel, UrbanRuralCode
from registry.models import Organization, Region, Term

PROVINCE = "990000"
CITIES = 11
# Founding (decision) dates spread over ten years, so figures as of past days have something to count.
FIRST_DAY, SPAN_DAYS = date(2016, 1, 1), 3650
COUNTIES_PER_CITY = 9


def _regions(communities: int) -> list[Region]:
    rows = [Region(code=PROVINCE, name="基准省", level=RegionLevel.PROVINCE)]
    counties = CITIES * COUNTIES_PER_CITY
    streets_per_county = max(1, round(communities / counties / 50))
    per_street = max(1, round(communities / (counties * streets_per_county)))
    made = 0
    for c in range(1, CITIES + 1):
        city = f"99{c:02d}00"
        rows.append(Region(code=city, name=f"基准{c}市", level=RegionLevel.CITY, parent_id=PROVINCE))
        for k in range(1, COUNTIES_PER_CITY + 1):
            county = f"99{c:02d}{k:02d}"
            rows.append(Region(code=county, name=f"基准{c}市{k}区", level=RegionLevel.COUNTY, parent_id=city))
            for s in range(1, streets_per_county + 1):
                number = s if s <= 80 else 100 + s
                street = f"{county}{number:03d}"
                rows.append(Region(code=street, name=f"{k}区{s}街道", level=RegionLevel.STREET, parent_id=county))
                for n in range(1, per_street + 1):
                    if made >= communities:
                        break
                    urban = n <= per_street * 0.7
                    number = n if urban else 200 + n
                    rows.append(Region(
                        code=f"{street}{number:03d}", name=f"{s}街道{n}社区" if urban else f"{s}街道{n}村",
                        level=RegionLevel.COMMUNITY, parent_id=street,
                        committee_type=CommitteeType.RESIDENTS if urban else CommitteeType.VILLAGERS,
                        urban_rural_code=UrbanRuralCode.MAIN_URBAN if urban else UrbanRuralCode.VILLAGE))
                    made += 1
    return rows


def generate(communities=50_000, organizations=500_000, seed=1, log=print) -> dict:
    """Replaces the synthetic province with ``communities`` communities and ``organizations`` organizations."""
    from reporting.facts import rebuild

    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data
    with transaction.atomic(), muted():
        from reporting.models import OrganizationFact

        OrganizationFact.objects.filter(region__startswith="99").delete()
        Organization.objects.filter(region__code__startswith="99")._raw_delete(Organization.objects.db)
        Region.objects.filter(code__startswith="99").order_by("-level").delete()
    regions = _regions(communities)
    Region.objects.bulk_create(sorted(regions, key=lambda r: r.level), batch_size=5000)
    community_codes = [r.code for r in regions if r.level == RegionLevel.COMMUNITY]
    log(f"{len(regions)} regions, {len(community_codes)} communities")
    categories = list(Term.objects.filter(vocabulary="category"))
    hubs = list(Term.objects.filter(vocabulary="hub_kind"))
    batch, created = [], 0
    for serial in range(organizations):
        community = community_codes[serial % len(community_codes)]
        tier = rng.choices(("community", "filed", "registered"), weights=(6, 3, 1))[0]
        founded = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS))
        batch.append(Organization(
            founded_on=founded, registered_on=founded if tier == "registered" else None,
            filed_on=founded if tier == "filed" else None,
            name=f"基准组织{serial:07d}", tier=tier, category=rng.choice(categories), region_id=community,
            leader_name="王芳", member_count=rng.randint(5, 80), is_social_work_institution=rng.random() < 0.02,
            hub_kind=rng.choice(hubs) if rng.random() < 0.01 else None,
            legal_form="social_group" if tier == "registered" else "",
            filing_number=f"S{serial:07d}" if tier == "filed" else None,
            ledger_number=f"L{serial:07d}" if tier == "community" else None))
        if len(batch) == 20_000:
            with muted():
                Organization.objects.bulk_create(batch, batch_size=5000)
            created += len(batch)
            batch = []
            log(f"{created} organizations")
    with muted():
        Organization.objects.bulk_create(batch, batch_size=5000)
    created += len(batch)
    rebuild(log=log)  # the figures engine's facts, ledger and tally, from scratch
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_region; ANALYZE registry_organization;")
    return {"regions": len(regions), "communities": len(community_codes), "organizations": created}
