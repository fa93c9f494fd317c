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


ORG_STEMS = [
    "夕阳红", "邻里守望", "书香", "和谐", "爱心", "乐龄", "春芽", "银发", "红枫", "同心", "巧手", "清风", "暖心",
    "小小", "阳光", "老娘舅", "平安", "绿色", "梦想", "益家",
]
GIVEN_NAMES = ["秀英", "桂兰", "建国", "志强", "丽华", "海燕"]
ORG_KINDS = [
    ("互助队", "mutual_aid"), ("志愿服务队", "charity"), ("文体队", "culture_sports"), ("读书会", "culture_sports"),
    ("调解室", "mediation"), ("议事会", "deliberation"), ("巡逻队", "public_safety"), ("助老服务社", "life_services"),
    ("合唱团", "culture_sports"), ("农技服务社", "rural_production"),
]


def _organizations(county: Region, rng: random.Random) -> int:
    """A few organizations of every tier in every community, so lists and dashboards have something to show."""
    from registry.models import Organization, Term

    if Organization.objects.filter(region__code__startswith=county.prefix).exists():
        return Organization.objects.filter(region__code__startswith=county.prefix).count()
    categories = {t.code: t for t in Term.objects.filter(vocabulary="category")}
    communities = Region.objects.subtree(county).filter(level=RegionLevel.COMMUNITY).order_by("code")
    rows, serial = [], 0
    for community in communities:
        wanted = rng.randint(6, 14) if community.committee_type == CommitteeType.RESIDENTS else rng.randint(2, 7)
        names = set()
        for _index in range(wanted):
            suffix, category = rng.choice(ORG_KINDS)
            place = community.name.removesuffix("社区")
            name = f"{place}{rng.choice(ORG_STEMS)}{suffix}"
            if name in names:
                continue
            names.add(name)
            serial += 1
            tier = rng.choices(["community", "filed", "registered"], weights=[6, 3, 1])[0]
            org = Organization(
                name=name, tier=tier, category=categories[category], region=community,
                leader_name=rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(GIVEN_NAMES),
                member_count=rng.randint(8, 60), venue=f"{community.name}活动室",
                leader_is_party_member=rng.random() < 0.4,
            )
            if tier == "community":
                org.ledger_number = f"TZ{community.code}-DEMO-{serial:04d}"
            elif tier == "filed":
                org.filing_number = f"BA{community.code[:9]}-DEMO-{serial:04d}"
            else:
                from stdnum.cn import uscc

                org.legal_form = "social_group"
                body = f"51{county.code}MJ{serial:07d}"
                org.uscc = body + uscc.calc_check_digit(body)
                org.individual_member_count = org.member_count
            rows.append(org)
    Organization.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _lifecycle(county: Region, rng: random.Random, actor) -> None:
    """Activities, trainings and grades for most organizations; a few flagged or dormant ones to act on."""
    from datetime import timedelta

    from django.utils import timezone

    from registry.choices import FlagReason, OrgStatus, TraineeKind
    from registry.models import Activity, CreditFlag, EvaluationGrade, Organization, Term, Training

    organizations = list(Organization.objects.filter(region__code__startswith=county.prefix).order_by("pk"))
    if not organizations or Activity.objects.filter(organization__in=organizations[:1]).exists():
        return
    today = timezone.localdate()
    campaigns = list(Term.objects.filter(vocabulary="campaign"))
    activities, trainings, grades = [], [], []
    for organization in organizations:
        if rng.random() < 0.7:
            held_on = today - timedelta(days=rng.randint(1, 330))
            activities.append(Activity(organization=organization, held_on=held_on, title=rng.choice(
                ["重阳节敬老活动", "邻里议事会", "社区环境整治", "周末读书分享", "防诈骗宣传", "广场舞展演"]),
                place=organization.venue, participants=rng.randint(10, 120), beneficiaries=rng.randint(10, 300),
                campaign=rng.choice(campaigns), recorded_by=actor))
            organization.last_activity_on = held_on
        if rng.random() < 0.4:
            trainings.append(Training(
                region=organization.region, organization=organization, person_name=organization.leader_name,
                trainee_kind=TraineeKind.ORGANIZATION_HEAD, course="社区社会组织负责人能力提升培训",
                held_on=today - timedelta(days=rng.randint(30, 1500)), hours=rng.choice([4, 8, 16]),
                recorded_by=actor))
        if organization.tier == "registered" and rng.random() < 0.6:
            awarded = today - timedelta(days=rng.randint(30, 1200))
            grade = rng.choice(["5A", "4A", "3A", "3A", "2A"])
            grades.append(EvaluationGrade(organization=organization, grade=grade, awarded_on=awarded,
                                          valid_until=EvaluationGrade.validity(awarded), recorded_by=actor,
                                          evaluator="第三方评估机构"))
            organization.grade, organization.grade_valid_until = grade, EvaluationGrade.validity(awarded)
    Activity.objects.bulk_create(activities, batch_size=1000)
    Training.objects.bulk_create(trainings, batch_size=1000)
    EvaluationGrade.objects.bulk_create(grades, batch_size=1000)
    Organization.objects.bulk_update(organizations, ["last_activity_on", "grade", "grade_valid_until"],
                                     batch_size=1000)
    quiet = [o for o in organizations if o.last_activity_on is None]
    for organization in quiet[:4]:
        organization.status = OrgStatus.DORMANT
    Organization.objects.bulk_update(quiet[:4], ["status"])
    if len(quiet) > 5:
        flagged = quiet[5]
        CreditFlag.objects.create(organization=flagged, reason=FlagReason.UNREACHABLE,
                                  explanation="按登记的活动场所多次联系未果", raised_by=actor)
        Organization.objects.filter(pk=flagged.pk).update(status=OrgStatus.ABNORMAL)


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
    from registry.models import Term
    from registry.vocabularies import seed_terms

    # The data migration seeds the vocabularies, but a flushed database (a test's teardown) has none: the demo
    # names its categories by code, so it makes sure they exist (never overwriting an administrator's edits).
    seed_terms(Term)
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
        ("street_lead", f"{street_a.name}审核人员", Role.STREET_STAFF, [street_a], False),
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
    organizations = _organizations(county, rng)
    _lifecycle(county, rng, User.objects.get(username="street"))
    return {
        "county": county,
        "rng": rng,
        "organizations": organizations,
        "streets": len(streets),
        "communities": Region.objects.subtree(county).filter(level=RegionLevel.COMMUNITY).count(),
        "accounts": accounts,
    }
