"""Property runs of the figures engine: random districts, random dated writes, every indicator at every level on
several days, checked against a direct aggregate written here from DOMAIN.md §3 (never by calling the engine),
the rows behind each figure counted, and the maintained counts compared with a from-scratch recomputation."""

from collections import Counter
from datetime import date, datetime, time
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from simple_history.utils import bulk_create_with_history

from partybuilding.models import InstructorAssignment, PartyBuilding
from registry.calendar import add_years
from registry.choices import CLOSED_STATUSES, CommitteeType, OrgStatus, RegionLevel
from registry.lifecycle import set_status
from registry.models import BrandDesignation, EvaluationGrade, Organization, Region, Term, Training
from reporting import facts as engine
from reporting.indicators import INDICATORS, Context
from reporting.models import OrganizationFact
from reporting.targets import adopt_preset
from tests.factories import community

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY1, DAY2, DAY3 = date(2025, 3, 10), date(2025, 9, 15), date(2026, 2, 1)
CHECKED_DAYS = (date(2024, 6, 30), DAY1, date(2025, 6, 30), date(2025, 12, 31), DAY3)
HUBS = ("", "", "", "service_centre", "party_mass_centre", "support_platform", "federation")
TIERS = ("registered", "filed", "community")
URBAN, RURAL = CommitteeType.RESIDENTS, CommitteeType.VILLAGERS


def at(day, hour=10):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=SHANGHAI), tick=False)


org_spec = st.fixed_dictionaries({
    "tier": st.sampled_from(TIERS), "place": st.integers(0, 5), "at_street": st.booleans(),
    "status": st.sampled_from([OrgStatus.ACTIVE] * 4 + [OrgStatus.DORMANT, OrgStatus.CLEARED]),
    "hub": st.sampled_from(HUBS), "swi": st.booleans(),
    "founded": st.one_of(st.none(), st.dates(date(2019, 1, 1), date(2025, 3, 1))),
    "party": st.sampled_from(["", "", "own", "joint", "members"]), "instructor": st.integers(0, 2),
    "grade": st.sampled_from(["", "", "5A", "3A", "2A"]), "brand": st.sampled_from(["", "", "org", "project"]),
    "trained": st.one_of(st.none(), st.dates(date(2019, 6, 1), date(2025, 3, 1))),
})
WRITES = ("deregister", "bulk_dormant", "reclassify", "import", "failed_import", "joint", "instructor_ends", "grade",
          "brand", "training", "clear", "case_filing", "case_deregistration")
write = st.sampled_from(WRITES)
_FILED = {"tier": "filed", "place": 0, "at_street": False, "status": OrgStatus.ACTIVE, "hub": "", "swi": False,
          "founded": date(2022, 1, 1), "party": "", "instructor": 0, "grade": "", "brand": "", "trained": None}
# Always run once: every kind of write in one sequence (case decisions, deregistration, reclassification, imports,
# a failed import), on top of the generated examples.
EVERY_WRITE = {"committees": [True, False, True, False],
               # The hub and social-work institution deregistered below leaves tally rows of 0: not "holding".
               "orgs": [_FILED, {**_FILED, "place": 1, "tier": "community"},
                        {**_FILED, "place": 2, "hub": "party_mass_centre", "swi": True, "at_street": True},
                        {**_FILED, "place": 3, "tier": "registered"}],
               "writes": [("case_deregistration", 0), ("case_filing", 1), ("reclassify", 1), ("import", 2),
                          ("failed_import", 3), ("deregister", 2), *((kind, 3) for kind in WRITES)]}


@pytest.mark.django_db
@settings(max_examples=5, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@example(**EVERY_WRITE)
@given(committees=st.lists(st.booleans(), min_size=4, max_size=6), orgs=st.lists(org_spec, min_size=4, max_size=14),
       writes=st.lists(st.tuples(write, st.integers(0, 50)), min_size=2, max_size=7))
def test_every_figure_equals_a_direct_count_on_every_day(world, cast, committees, orgs, writes):
    try:
        with transaction.atomic():
            _run(world, cast, committees, orgs, writes)
            raise _Undo
    except _Undo:
        pass


class _Undo(Exception):
    pass


def _run(world, cast, committees, orgs, writes):
    user = cast.admin
    category = Term.objects.get(vocabulary="category", code="mutual_aid")
    hubs = {t.code: t for t in Term.objects.filter(vocabulary="hub_kind")}
    adopt_preset("330106", "mca-2017")  # urban >= 10, rural >= 5: the below-target figures have a target
    with at(DAY1):
        streets = [world.street_a, world.street_b]
        places = [community(streets[i % 2], 10 + i if urban else 210 + i, f"测试{i}") for i, urban in
                  enumerate(committees)]
        made = []
        for n, spec in enumerate(orgs):
            place = places[spec["place"] % len(places)]
            if spec["at_street"] and spec["tier"] != "community":
                place = place.parent
            org = Organization.objects.create(
                name=f"组织{n}", tier=spec["tier"], category=category, region=place, leader_name="李",
                status=spec["status"], hub_kind=hubs.get(spec["hub"]), is_social_work_institution=spec["swi"],
                founded_on=spec["founded"], legal_form="social_group" if spec["tier"] == "registered" else "",
                ledger_number=f"L{n}" if spec["tier"] == "community" else None,
                filing_number=f"F{n}" if spec["tier"] == "filed" else None)
            made.append((org, spec))
        for org, spec in made:
            if spec["party"]:
                pb = PartyBuilding.objects.create(organization=org, full_members=3 if spec["party"] != "" else 0,
                                                  form={"own": "own", "joint": "joint"}.get(spec["party"], "none"))
                if spec["party"] == "joint":
                    pb.joint_with.add(*[o for o, _s in made if o.pk != org.pk][:2])
            if spec["instructor"]:
                InstructorAssignment.objects.create(
                    organization=org, person_name="指导员", starts_on=date(2024, 1, 1),
                    ends_on=date(2025, 6, 30) if spec["instructor"] == 1 else None, assigned_by=user)
            if spec["grade"]:
                EvaluationGrade.objects.create(organization=org, grade=spec["grade"], awarded_on=date(2021, 5, 1),
                                               valid_until=EvaluationGrade.validity(date(2021, 5, 1)),
                                               recorded_by=user)
            if spec["brand"]:
                BrandDesignation.objects.create(organization=org, year=2025 if spec["brand"] == "org" else 2024,
                                                project="社区食堂" if spec["brand"] == "project" else "",
                                                level="county", recorded_by=user)
            if spec["trained"]:
                Training.objects.create(region=org.region, organization=org, person_name="李",
                                        trainee_kind="organization_head", course="能力提升",
                                        held_on=spec["trained"], recorded_by=user)
    _check_maintained()

    organizations = [o for o, _s in made]
    with at(DAY2):
        for number, (kind, pick) in enumerate(writes):
            org = Organization.objects.get(pk=organizations[pick % len(organizations)].pk)
            _write(kind, org, pick, number, places, category, user, organizations)
            _check_maintained()

    with at(DAY3, hour=15):
        maintained = (Counter(_stored_facts()), engine.stored_counts())
        _CACHE.clear()
        for region in [world.county, *streets, *places[:3]]:
            _check_figures(region, DAY3)  # today's figures on the maintained rows (a tally row may be down to 0)
        _CACHE.clear()
        engine.rebuild()  # from scratch, in SQL: the same facts, ledger and tally (no rows of 0)
        assert (Counter(_stored_facts()), engine.stored_counts()) == maintained
        _CACHE.clear()
        for day in CHECKED_DAYS:
            for region in [world.county, *streets, *places[:3]]:
                _check_figures(region, day)


def _write(kind, org, pick, number, places, category, user, organizations):
    if kind == "deregister" and org.status not in CLOSED_STATUSES:
        org.status = OrgStatus.DEREGISTERED
        org.save()
    elif kind == "clear":
        set_status([org], OrgStatus.CLEARED, user, "清理")
    elif kind == "bulk_dormant":
        set_status(Organization.objects.open().filter(pk__in=[o.pk for o in organizations[::2]]),
                   OrgStatus.DORMANT, None, "长期未活动")
    elif kind == "reclassify":
        place = Region.objects.get(pk=places[pick % len(places)].pk)
        place.committee_type = URBAN if place.committee_type == RURAL else RURAL
        place.save()
    elif kind in ("import", "failed_import"):
        rows = [Organization(name=f"导入{number}-{i}", tier="filed", category=category, leader_name="王",
                             region=places[(pick + i) % len(places)], founded_on=date(2023, 4, 1 + i),
                             filed_on=date(2023, 5, 1 + i), filing_number=f"I{number}-{i}") for i in range(3)]
        if kind == "import":
            bulk_create_with_history(rows, Organization)
            return
        before = (Counter(_stored_facts()), engine.stored_counts())
        try:
            with transaction.atomic():
                bulk_create_with_history(rows, Organization)
                raise ValueError("row 3: bad data")
        except ValueError:
            pass
        assert (Counter(_stored_facts()), engine.stored_counts()) == before, "a failed import changed the figures"
    elif kind == "joint":
        pb, _created = PartyBuilding.objects.get_or_create(organization=org)
        pb.form = "joint"
        pb.save()
        pb.joint_with.add(*[o for o in organizations if o.pk != org.pk][-2:])
    elif kind == "instructor_ends":
        InstructorAssignment.objects.create(organization=org, person_name="联络员", kind="liaison",
                                            starts_on=date(2025, 9, 1), ends_on=date(2025, 12, 1), assigned_by=user)
    elif kind == "grade":
        EvaluationGrade.objects.create(organization=org, grade="4A", awarded_on=date(2025, 9, 1),
                                       valid_until=EvaluationGrade.validity(date(2025, 9, 1)), recorded_by=user)
    elif kind == "brand":
        BrandDesignation.objects.create(organization=org, year=2025, project=f"项目{number}", level="city",
                                        recorded_by=user)
    elif kind in ("case_filing", "case_deregistration"):
        _decide_case(kind, org, pick, number, places)
    elif kind == "training":
        Training.objects.create(region=org.region, organization=org, person_name="张", trainee_kind="organization_head",
                                course="轮训", held_on=date(2020, 10, 1), recorded_by=user)


def _decide_case(kind, org, pick, number, places):
    """A case decided through the workflow (submitted by one street worker, approved by another): a filing creates
    an organization, a deregistration closes one."""
    from filings.services import add_document, create_case, required_documents, transition
    from filings.workflows import WORKFLOWS
    from registry.choices import Role
    from tests.factories import PDF_BYTES, UserFactory, org_payload

    if kind == "case_filing":
        place, target, payload = places[pick % len(places)], None, None
        payload = org_payload(place, name=f"备案{number}")
    elif org.tier == "filed" and org.status not in CLOSED_STATUSES and org.region.level == RegionLevel.COMMUNITY:
        place, target = org.region, org
        payload = {"reason": "解散", "resolution_on": "2025-08-01", "liquidation_ended_on": "2025-09-01"}
    else:
        return
    author, approver = (UserFactory(username=f"case{number}-{n}", role=Role.STREET_STAFF, regions=[place.parent])
                        for n in (1, 2))
    case = create_case(author, "filing" if kind == "case_filing" else "deregistration", payload, organization=target)
    for doc_kind in required_documents(case) or WORKFLOWS[case.kind].required_documents:
        add_document(author, case, SimpleUploadedFile(f"{doc_kind}.pdf", PDF_BYTES, content_type="application/pdf"),
                     doc_kind)
    case = transition(transition(case, "submit", author), "approve", approver)
    assert case.state == "approved", case.state
    if target is None:
        assert Organization.objects.filter(name=f"备案{number}", tier="filed").exists()
    else:
        target.refresh_from_db()
        assert target.status in CLOSED_STATUSES


# ------------------------------------------------------------------------------------------------ maintained

def _stored_facts():
    return list(OrganizationFact.objects.values_list("organization_id", "key", "ref", "region", "valid_from",
                                                     "valid_to"))


def _check_maintained():
    """Facts equal a derivation from scratch; ledger and tally equal a recount of the facts."""
    ids = list(Organization.objects.values_list("pk", flat=True))
    scratch = Counter((org_id, *fact) for org_id, rows in engine.facts_for(ids).items() for fact in rows)
    assert Counter(_stored_facts()) == scratch
    assert engine.stored_counts() == engine.recomputed_counts()


# ------------------------------------------------------------------------------------------------ direct counts

_CACHE = {}


def cached(function):
    """The direct counts read the same history for every region of a day: read it once (per example)."""
    def wrapper(*args):
        key = (function.__name__, *args)
        if key not in _CACHE:
            _CACHE[key] = function(*args)
        return _CACHE[key]
    return wrapper


def _local(moment):
    return moment.astimezone(SHANGHAI).date()


@cached
def _org_on(org_id, day):
    """An organization's historical row in force on ``day``, None before it existed (DOMAIN.md §3: from its
    decision date — registration, filing or recording, else founding — never later than it was typed)."""
    records = list(Organization.history.filter(id=org_id).order_by("history_date", "history_id"))
    first = records[0]
    decided = {"registered": first.registered_on, "filed": first.filed_on}.get(first.tier) or first.founded_on
    begins = min(decided, _local(first.history_date)) if decided else _local(first.history_date)
    if day < begins:
        return None
    found = first
    for record in records:
        if _local(record.history_date) <= day:
            found = record
    return None if found.history_type == "-" else found


@cached
def _committee_on(code, day):
    records = list(Region.history.filter(code=code).order_by("history_date", "history_id"))
    if not records:
        return Region.objects.get(code=code).committee_type
    found = records[0]
    for record in records:
        if _local(record.history_date) <= day:
            found = record
    return found.committee_type


@cached
def _party_on(day):
    """(organizations with an own or joint Party organization, members of joint ones) on ``day``."""
    history = PartyBuilding.history.model
    through = apps.get_model("partybuilding", "HistoricalPartyBuilding_joint_with")
    latest = {}
    for record in history.objects.order_by("history_date", "history_id"):
        if _local(record.history_date) <= day:
            latest[record.id] = record
    own, members, full = set(), set(), {}
    for record in latest.values():
        if record.history_type == "-":
            continue
        full[record.organization_id] = record.full_members
        if record.form in ("own", "joint"):
            own.add(record.organization_id)
        if record.form == "joint":
            members |= set(through.objects.filter(history_id=record.history_id).values_list("organization_id",
                                                                                             flat=True))
    return own | members, full


def direct(region, day) -> dict:
    """Every indicator's (numerator, denominator) for ``region`` on ``day``, counted here from the records."""
    prefix = region.prefix
    states = [s for s in (_org_on(pk, day) for pk in Organization.objects.values_list("pk", flat=True)) if s]
    open_ = [s for s in states if s.status not in CLOSED_STATUSES and s.region_id.startswith(prefix)]
    level = {r.code: r.level for r in Region.objects.all()}
    communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY, code__startswith=prefix,
                                          is_active=True))
    kind = {c.code: _committee_on(c.code, day) for c in communities}
    streets = list(Region.objects.filter(level=RegionLevel.STREET, code__startswith=prefix, is_active=True))
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=prefix, is_active=True))
    hub_code = dict(Term.objects.filter(vocabulary="hub_kind").values_list("pk", "code"))
    party_org, full = _party_on(day)

    def in_area(s, committee):
        return level[s.region_id] == RegionLevel.COMMUNITY and _committee_on(s.region_id, day) == committee

    def holding(regions, width, test):
        return sum(1 for r in regions if any(test(s) and s.region_id.startswith(r.code[:width]) for s in open_))

    def instructed(s):
        return InstructorAssignment.objects.filter(organization_id=s.id, starts_on__lte=day).exclude(
            ends_on__lt=day).exists()

    def grade(s):
        in_force = [g for g in EvaluationGrade.objects.filter(organization_id=s.id).order_by("awarded_on", "pk")
                    if g.awarded_on <= day <= g.valid_until]
        return in_force[-1].grade if in_force else ""

    def trained(s):
        return any(t.held_on <= day < add_years(t.held_on, 5) for t in Training.objects.filter(
            organization_id=s.id, trainee_kind="organization_head"))

    urban = [c for c in communities if kind[c.code] == URBAN]
    rural = [c for c in communities if kind[c.code] == RURAL]
    per_community = Counter(s.region_id for s in open_ if level[s.region_id] == RegionLevel.COMMUNITY)
    covered = [s for s in open_ if s.id in party_org]
    brands = BrandDesignation.objects.filter(organization_id__in=[s.id for s in open_], year__lte=day.year)
    n = len(open_)
    return {
        "organizations": (n, None),
        "registered_and_filed": (sum(s.tier in ("registered", "filed") for s in open_), None),
        "orgs_per_urban_community": (sum(in_area(s, URBAN) for s in open_), len(urban)),
        "orgs_per_rural_community": (sum(in_area(s, RURAL) for s in open_), len(rural)),
        "urban_communities_below_target": (sum(per_community[c.code] < 10 for c in urban), None),
        "rural_communities_below_target": (sum(per_community[c.code] < 5 for c in rural), None),
        "hub_coverage_streets": (holding(streets, 9, lambda s: s.hub_kind_id), len(streets)),
        "hub_coverage_communities": (holding(communities, 12, lambda s: s.hub_kind_id), len(communities)),
        "service_centre_streets": (holding(streets, 9, lambda s: hub_code.get(s.hub_kind_id) == "service_centre"),
                                   len(streets)),
        "party_mass_centre_streets": (
            holding(streets, 9, lambda s: hub_code.get(s.hub_kind_id) == "party_mass_centre"), len(streets)),
        "support_platform_counties": (
            holding(counties, 6, lambda s: hub_code.get(s.hub_kind_id) == "support_platform"), len(counties)),
        "social_work_urban": (holding(urban, 12, lambda s: s.is_social_work_institution), len(urban)),
        "social_work_rural": (holding(rural, 12, lambda s: s.is_social_work_institution), len(rural)),
        "party_org_coverage": (len(covered), n),
        "party_work_coverage": (sum(s.id in party_org or s.tier == "community" or instructed(s) for s in open_), n),
        "party_should_establish": (sum(s.tier != "community" and full.get(s.id, 0) >= 3 and s.id not in party_org
                                       for s in open_), None),
        "heads_trained_5y": (sum(trained(s) for s in open_), n),
        "brand_organizations": (brands.filter(project="").values("organization").distinct().count(), None),
        "brand_projects": (brands.exclude(project="").count(), None),
        "graded_3a_plus": (sum(grade(s) in ("5A", "4A", "3A") for s in open_), None),
        "annual_report_completion": (0, 0),
        "annual_report_on_time": (0, 0),
        "zombie_candidates": (sum(s.status == OrgStatus.DORMANT for s in open_), None),
        "venture_grant_community_share": (0, 0),
    }


def _check_figures(region, day):
    expected = direct(region, day)
    ctx = Context(region, day)
    assert set(expected) == set(INDICATORS), "the test counts every indicator"
    for indicator_id, (numerator, denominator) in expected.items():
        indicator = INDICATORS[indicator_id]
        value = indicator.value(ctx)
        where = f"{indicator_id} of {region.code} on {day}"
        assert value.numerator == Decimal(numerator), where
        if denominator is not None:
            assert value.denominator == Decimal(denominator), where
            if denominator:
                assert value.exact == Fraction(numerator, denominator) * (100 if indicator.unit == "percent" else 1)
        if indicator.numerator.kind != "applications":
            assert indicator.rows(ctx).count() == numerator, f"rows behind {where}"
