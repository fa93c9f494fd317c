"""Known answers for the figures the known-answer check found wrong (DOMAIN.md §3), the "as of" parameter and the
yearly report's files."""

import io
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import time_machine
from openpyxl import load_workbook
from simple_history.utils import bulk_create_with_history

from partybuilding.models import PartyBuilding
from registry.models import BrandDesignation, Organization, Term, Training
from reporting import yearly
from reporting.dashboard import indicator_rows
from reporting.indicators import INDICATORS, PERCENT, Context, Value
from reporting.models import Target, YearlyReport
from reporting.targets import Figure, Goal, adopt_preset, judge

TODAY = date(2026, 11, 21)


def org(world, name, tier="filed", region=None, **extra):
    category = Term.objects.get(vocabulary="category", code="mutual_aid")
    numbers = {"filed": {"filing_number": f"F-{name}"}, "community": {"ledger_number": f"L-{name}"},
               "registered": {"legal_form": "social_group"}}[tier]
    return Organization.objects.create(name=name, tier=tier, category=category, region=region or world.community_a1,
                                       leader_name="王", **numbers, **extra)


def figure(region, indicator, day=TODAY):
    return INDICATORS[indicator].value(Context(region, day))


def test_a_figure_keeps_its_exact_fraction_for_judging():
    third = Target(indicator="social_work_rural", value=Decimal(100), value_divisor=3)
    for numerator, denominator, met in ((1, 3, True), (333, 1000, False), (3331, 10000, False), (334, 1000, True)):
        value = Value(Decimal(numerator), Decimal(denominator), PERCENT)
        assert value.exact == Fraction(numerator * 100, denominator)
        assert judge(Figure.of(value), Goal(third.operator, third.threshold)).met is met, (numerator, denominator)
    assert Value(Decimal(333), Decimal(1000), PERCENT).value == Decimal("33.3")  # shown rounded, judged exact


def test_brand_organizations_stop_counting_when_they_close(world, cast):
    brand = org(world, "品牌")
    BrandDesignation.objects.create(organization=brand, year=2026, level="county", recorded_by=cast.admin)
    assert figure(world.county, "brand_organizations").numerator == 1
    brand.status = "deregistered"
    brand.save()
    assert figure(world.county, "brand_organizations").numerator == 0


def test_joint_members_are_covered_and_t3_groups_are_work_covered(world, cast):
    host, member, group = org(world, "主"), org(world, "成员"), org(world, "小组", tier="community")
    heavy = org(world, "党员多", tier="community")
    PartyBuilding.objects.create(organization=heavy, full_members=5)  # a T3 group: never "should establish"
    pb = PartyBuilding.objects.create(organization=host, form="joint", full_members=2)
    pb.joint_with.add(member)
    assert figure(world.county, "party_org_coverage").numerator == 2  # the host and its member
    assert figure(world.county, "party_work_coverage").numerator == 4  # and both T3 groups
    assert figure(world.county, "party_should_establish").numerator == 0
    assert group.pk


def test_the_brand_total_is_judged_for_the_province_only(world, cast):
    adopt_preset(world.province, "henan-2021")  # 50 brand organizations: a province-wide total
    brand = org(world, "品牌")
    BrandDesignation.objects.create(organization=brand, year=2026, level="province", recorded_by=cast.admin)
    province = {r["indicator"].id: r for r in indicator_rows(world.province, TODAY)[0]}
    county = {r["indicator"].id: r for r in indicator_rows(world.county, TODAY)[0]}
    assert province["brand_organizations"]["met"] is False and province["brand_organizations"]["number"] == 1
    assert county["brand_organizations"]["number"] == 1  # the county's own count, shown ...
    assert county["brand_organizations"]["met"] is None  # ... never judged against the province's 50


def test_the_api_takes_as_of_and_refuses_a_bad_one(world, cast, client_for):
    client = client_for(cast.leader)
    bad = client.get("/api/dashboard/?region=330106&as_of=2025-13-01")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["as_of"][0]
    good = client.get("/api/dashboard/?region=330106&as_of=2025-12-31").json()
    assert good["as_of"] == "2025-12-31"
    rows_url = {i["id"]: i["rows_url"] for i in good["indicators"]}["organizations"]
    assert rows_url.endswith("/dashboard/330106/rows/organizations/?as_of=2025-12-31")
    assert client.get(rows_url).status_code == 200


def test_the_yearly_report_is_the_state_on_31_december_with_the_years_flows(world, cast,
                                                                            django_capture_on_commit_callbacks):
    category = Term.objects.get(vocabulary="category", code="mutual_aid")
    with time_machine.travel(datetime(2025, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        closed = org(world, "年中注销")
        org(world, "当年新成立", tier="community", founded_on=date(2025, 5, 1))
    with time_machine.travel(datetime(2025, 9, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        closed.status = "deregistered"
        closed.save()
    # Typed in 2026 (the day of the run), filed years ago: neither new in 2025 nor missing from 2025's state.
    bulk_create_with_history([Organization(name="老备案", tier="filed", category=category, leader_name="王",
                                           region=world.community_a1, filed_on=date(2021, 4, 1),
                                           filing_number="OLD-1")], Organization)
    org(world, "今天才登记", tier="community")  # recorded in 2026: not in 2025's report
    Training.objects.bulk_create([Training(region=world.county, person_name=name, trainee_kind="organization_head",
                                           course="能力提升", held_on=date(2025, 4, day), recorded_by=cast.admin)
                                  for name, day in (("甲", 1), ("甲", 2), ("乙", 2))])
    with django_capture_on_commit_callbacks(execute=True):
        report = yearly.request_report(cast.reviewer, world.county, 2025)
    report.refresh_from_db()
    figures = report.figures
    assert figures["by_tier"] == {"registered": 0, "filed": 1, "community": 1}
    assert figures["flows"]["new"] == 2 and figures["flows"]["deregistered"] == 1
    assert figures["capacity"]["people"] == 2 and figures["capacity"]["participations"] == 3

    book = load_workbook(io.BytesIO(report.xlsx.read()))
    assert [s.title[0] for s in book.worksheets] == list("ABCDEFGH")
    text = " ".join(str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value)
    assert "街道备案" in text or "备案" in text
    for code in ("filed", "community", "residents", "villagers", "social_group", "basic_pass"):
        assert code not in text


def test_the_report_file_answers_to_format_and_kind(world, cast, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = yearly.request_report(cast.reviewer, world.county, 2025)
    client = client_for(cast.reviewer)
    for query in ("format=xlsx", "kind=xlsx"):
        response = client.get(f"/api/yearly-reports/{report.pk}/file/?{query}")
        assert response.status_code == 200, query
        assert b"".join(response.streaming_content)[:2] == b"PK"
    pdf = client.get(f"/api/yearly-reports/{report.pk}/file/?format=pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content)[:4] == b"%PDF"
    assert YearlyReport.objects.count() == 1
