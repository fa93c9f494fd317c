"""Demo data: the real streets and towns of one official district, generated communities, one user per role.

Seeded and idempotent: running it twice leaves the same rows.
"""

import random

from django.db import transaction

from registry.choices import CommitteeType, RegionLevel, Role, TownshipKind, UrbanRuralCode
from registry.models import Region, User
from registry.services import load_divisions

DEMO_PASSWORD = "shequ-demo-2026"  # noqa: S105 - printed for the demo accounts on purpose

URBAN_STEMS = [
    "文新", "翠苑", "古荡", "嘉绿", "竞舟", "莲花", "桂花", "枫华", "益乐", "府苑", "金都", "花园", "德加", "耀江",
    "星洲", "紫荆", "新城", "和睦", "丰潭", "学院", "求是", "东山", "松木", "庆丰", "华星", "北景", "南都", "春江",
]
RURAL_STEMS = [
    "龙坞", "上城埭", "何家", "葛衙庄", "大清", "外桐坞", "长埭", "周富", "桐坞", "杨家", "浮山", "灵山", "大诸桥",
    "铜鉴湖", "新浦", "东穆坞", "汤家", "沙田", "石马", "塘河", "袁家", "里山", "清水", "花坞",
]


def _communities_for(street: Region, rng: random.Random) -> list[Region]:
    town = street.township_kind in (TownshipKind.TOWN, TownshipKind.TOWNSHIP)
    urban_count = rng.randint(2, 3) if town else rng.randint(6, 10)
    rural_count = rng.randint(6, 10) if town else rng.randint(0, 1)
    urban_names = rng.sample(URBAN_STEMS, urban_count)
    rural_names = rng.sample(RURAL_STEMS, rural_count)
    rows = []
    for number, stem in enumerate(urban_names, start=1):
        rows.append(Region(
            code=f"{street.code}{number:03d}", name=f"{stem}社区", level=RegionLevel.COMMUNITY, parent=street,
            committee_type=CommitteeType.RESIDENTS,
            urban_rural_code=rng.choice([UrbanRuralCode.MAIN_URBAN] * 4 + [UrbanRuralCode.URBAN_FRINGE]),
            population=rng.randint(3000, 12000),
        ))
    for number, stem in enumerate(rural_names, start=200):
        rows.append(Region(
            code=f"{street.code}{number:03d}", name=f"{stem}村", level=RegionLevel.COMMUNITY, parent=street,
            committee_type=CommitteeType.VILLAGERS,
            urban_rural_code=rng.choice(
                [UrbanRuralCode.VILLAGE] * 6 + [UrbanRuralCode.TOWNSHIP_CENTRE, UrbanRuralCode.MAIN_URBAN]
            ),
            population=rng.randint(1000, 4000),
        ))
    return rows


@transaction.atomic
def build_demo(county_code: str, seed: int = 2026) -> dict:
    load_divisions(county_code)
    county = Region.objects.get(code=county_code)
    streets = list(Region.objects.filter(parent=county, level=RegionLevel.STREET).order_by("code"))
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    wanted = [community for street in streets for community in _communities_for(street, rng)]
    existing = set(Region.objects.filter(code__in=[c.code for c in wanted]).values_list("code", flat=True))
    Region.objects.bulk_create([c for c in wanted if c.code not in existing])

    street_a, street_b = streets[0], streets[1]
    community_a = Region.objects.filter(parent=street_a, level=RegionLevel.COMMUNITY).order_by("code").first()
    cast = [
        ("admin", "系统管理员", Role.ADMIN, [], True),
        ("street", f"{street_a.name}工作人员", Role.STREET_STAFF, [street_a], False),
        ("street2", f"{street_b.name}工作人员", Role.STREET_STAFF, [street_b], False),
        ("community", f"{community_a.name}工作人员", Role.COMMUNITY_WORKER, [community_a], False),
        ("reviewer", f"{county.name}民政局审核员", Role.DISTRICT_REVIEWER, [county], False),
        ("leader", f"{county.name}领导", Role.LEADER, [county], False),
        ("expert", "评审专家", Role.GRANT_EXPERT, [], False),
    ]
    accounts = []
    for username, name, role, regions, superuser in cast:
        user, _created = User.objects.get_or_create(username=username)
        user.first_name, user.role, user.unit = name, role, regions[0].name if regions else ""
        user.is_superuser = user.is_staff = superuser
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.regions.set(regions)
        accounts.append((username, role.label, "、".join(r.name for r in regions)))
    return {
        "county": county,
        "streets": len(streets),
        "communities": Region.objects.subtree(county).filter(level=RegionLevel.COMMUNITY).count(),
        "accounts": accounts,
    }
