"""Targets as the bureau's data, the level a target is judged at, and the dashboard's answer.

Known answers come from the fixture district (tests/reporting/conftest.py): 12 urban communities with 130
organizations, 9 rural ones with 40; street A (330106002) 70 + 30, street B (330106003) 60 + 10.
"""

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from registry.models import AuditEvent, Organization, Region, Term
from reporting.dashboard import indicator_rows, scorecard, take_snapshots
from reporting.models import Target
from reporting.targets import (
    COUNT,
    PER_COMMUNITY,
    PERCENT,
    PRESETS,
    Figure,
    Goal,
    UnitResult,
    adopt_preset,
    judge,
    roll_up,
    target_for,
)

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 0)
AT_LEAST = ">="


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def rows_of(region, today=TODAY):
    return {row["indicator"].id: row for row in indicator_rows(region, today, live=True)[0]}


# ------------------------------------------------------------------------------------------ judging (no database)

def test_one_third_is_met_at_exactly_one_third_never_by_rounding():
    one_third = Goal(AT_LEAST, Fraction(100, 3))
    assert judge(Figure(Decimal(3), Decimal(9), PERCENT), one_third).met is True
    # 333 of 1000 rounds to 33.3 %, and is still below a third: one more community is needed.
    short = judge(Figure(Decimal(333), Decimal(1000), PERCENT), one_third)
    assert (short.met, short.gap) == (False, 1)
    assert judge(Figure(Decimal(2), Decimal(9), PERCENT), one_third).gap == 1


def test_gaps_are_in_the_indicators_own_unit():
    # 130 organizations in 12 urban communities against 16 per community: 16 * 12 - 130 = 62 organizations short.
    assert judge(Figure(Decimal(130), Decimal(12), PER_COMMUNITY), Goal(AT_LEAST, Fraction(16))).gap == 62
    # 10.8 per community against 10 is met, however it rounds.
    assert judge(Figure(Decimal(130), Decimal(12), PER_COMMUNITY), Goal(AT_LEAST, Fraction(10))).met is True
    # 1 of 2 streets covered against 100 %: one street short.
    assert judge(Figure(Decimal(1), Decimal(2), PERCENT), Goal(AT_LEAST, Fraction(100))).gap == 1
    assert judge(Figure(Decimal(38), None, COUNT), Goal(AT_LEAST, Fraction(50))).gap == 12
    assert judge(Figure(Decimal(4), Decimal(0), PER_COMMUNITY), Goal(AT_LEAST, Fraction(10))).met is None
    assert judge(Figure(None, None, COUNT), Goal(AT_LEAST, Fraction(1))).met is None


def test_per_unit_results_roll_up_as_n_of_m():
    assert roll_up([UnitResult(True), UnitResult(False), UnitResult(True), UnitResult(None)]) == (2, 3)


def test_presets_hold_the_policy_values():
    rules = {(r.indicator, r.deadline): r for r in PRESETS["hangzhou-2018"][2]}
    assert rules[("orgs_per_urban_community", date(2020, 12, 31))].value == 16
    assert Fraction(rules[("social_work_rural", None)].value) / rules[("social_work_rural", None)].divisor \
        == Fraction(100, 3)
    henan = {r.indicator: r for r in PRESETS["henan-2021"][2]}
    assert henan["brand_organizations"].judged_at == "jurisdiction"
    assert henan["brand_projects"].value == 100


# ------------------------------------------------------------------------------------------ adopting, changing

def test_a_bureau_adopts_presets_on_its_page_and_the_stricter_value_stays(district, cast, client_for, frozen):
    client = client_for(cast.reviewer)
    url = reverse("reporting:targets")
    response = client.post(url, {"action": "adopt", "region": "330106", "preset": "mca-2017"})
    assert response.status_code == 302
    assert target_for(district.county, "orgs_per_urban_community", TODAY).value == 10
    client.post(url, {"action": "adopt", "region": "330106", "preset": "hangzhou-2018"})
    urban = target_for(district.county, "orgs_per_urban_community", TODAY)
    assert (urban.value, urban.source_document, urban.preset) == (16, "杭民发〔2018〕237号", "hangzhou-2018")
    assert target_for(district.county, "service_centre_streets", TODAY).judged_at == "each_street"
    before = Target.objects.count()
    client.post(url, {"action": "adopt", "region": "330106", "preset": "mca-2017"})  # again: nothing changes
    assert Target.objects.count() == before
    assert target_for(district.county, "orgs_per_urban_community", TODAY).value == 16
    page = client.get(url, {"region": "330106"}).content.decode()
    assert "杭民发〔2018〕237号" in page and "本局" in page


def test_overriding_a_value_through_the_api_is_audited_with_who_and_when(district, cast, client_for, frozen):
    adopt_preset(district.county, "hangzhou-2018", user=cast.reviewer)
    target = target_for(district.county, "orgs_per_urban_community", TODAY)
    client = client_for(cast.reviewer)
    response = client.patch(f"/api/targets/{target.pk}/", {"value": "12", "deadline": "2027-12-31"},
                            content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["value"] == "12.00" and response.json()["updated_by"] == "reviewer"
    event = AuditEvent.objects.filter(object_type="reporting.target", object_id=str(target.pk)).latest("pk")
    assert event.actor == cast.reviewer and event.action == "update" and event.region_code == "330106"
    assert event.changes["value"] == ["16.00", "12"] and event.changes["deadline"] == ["2020-12-31", "2027-12-31"]
    assert event.at.date() == TODAY
    # The district now meets its own 12? 130 / 12 = 10.8: no, 12 * 12 - 130 = 14 organizations short.
    assert rows_of(district.county)["orgs_per_urban_community"]["gap"] == 14
    # A later preset never overwrites the bureau's own value.
    adopt_preset(district.county, "pinghu-2018", user=cast.reviewer)
    assert Target.objects.get(pk=target.pk).value == 12


def test_adding_and_retiring_a_target_is_audited_and_the_ancestors_applies_again(district, cast, client_for,
                                                                                  frozen):
    adopt_preset("3301", "hangzhou-2018")
    client = client_for(cast.reviewer)
    response = client.post("/api/targets/", {
        "region": "330106", "indicator": "orgs_per_urban_community", "value": "11", "deadline": "2027-12-31",
        "source_document": "西民发〔2026〕1号"}, content_type="application/json")
    assert response.status_code == 201, response.content
    own = Target.objects.get(pk=response.json()["id"])
    assert target_for(district.street_a, "orgs_per_urban_community", TODAY) == own
    assert AuditEvent.objects.filter(object_type="reporting.target", object_id=str(own.pk), action="create",
                                     actor=cast.reviewer).exists()
    assert client.post(f"/api/targets/{own.pk}/retire/").status_code == 200
    assert target_for(district.street_a, "orgs_per_urban_community", TODAY).value == 16  # the city's again
    retired = AuditEvent.objects.filter(object_id=str(own.pk), object_type="reporting.target").latest("pk")
    assert "retired_at" in retired.changes and retired.actor == cast.reviewer
    assert Target.objects.filter(pk=own.pk, retired_at__isnull=False).exists()  # history kept
    page = client.get(reverse("reporting:targets"), {"region": "330106"}).content.decode()
    assert "西民发〔2026〕1号" in page and "已停用" in page


def test_bad_input_gets_a_clear_error_and_changes_nothing(district, cast, client_for, frozen):
    client = client_for(cast.reviewer)
    response = client.post("/api/targets/", {"region": "330106", "indicator": "orgs_per_urban_community",
                                             "value": "lots", "source_document": "x"},
                           content_type="application/json")
    assert response.status_code == 400 and "1/3" in response.content.decode()
    response = client.post(reverse("reporting:targets"), {
        "action": "add", "region": "330106", "indicator": "orgs_per_urban_community", "operator": ">=",
        "value": "12", "judged_at": "every_level", "source_document": ""}, follow=True)
    assert "来源文件" in response.content.decode()
    assert not Target.objects.exists()


def test_a_share_entered_as_a_fraction_is_kept_exact(district, cast, client_for, frozen):
    client = client_for(cast.reviewer)
    client.post(reverse("reporting:targets"), {
        "action": "add", "region": "330106", "indicator": "social_work_rural", "operator": ">=", "value": "1/3",
        "judged_at": "every_level", "source_document": "杭民发〔2018〕237号"})
    target = Target.objects.get()
    assert target.threshold == Fraction(100, 3) and target.display_value == "1/3"
    # 3 of the 9 rural communities covered: exactly a third, met.
    hub = Organization.objects.filter(region__committee_type="villagers").order_by("region_id")
    for code in ("330106002201", "330106002202", "330106003201"):
        Organization.objects.filter(pk=hub.filter(region_id=code).first().pk).update(is_social_work_institution=True)
    assert rows_of(district.county)["social_work_rural"]["met"] is True


# ------------------------------------------------------------------------------------------ inheritance, level

def test_an_ancestors_target_is_inherited_and_shown_with_its_origin(district, cast, client_for, frozen):
    adopt_preset("3301", "hangzhou-2018")
    assessment = rows_of(district.street_b)["orgs_per_urban_community"]["assessment"]
    assert assessment.inherited and assessment.origin.name == "杭州市"
    client = client_for(cast.leader)
    page = client.get(reverse("reporting:dashboard"), {"region": "330106"}).content.decode()
    assert "由 杭州市 设定" in page
    targets_page = client.get(reverse("reporting:targets"), {"region": "330106"}).content.decode()
    assert "继承" in targets_page and "来自 浙江省杭州市" in targets_page
    listed = {t["indicator"]: t for t in client.get("/api/targets/", {"region": "330106"}).json()}
    assert listed["orgs_per_urban_community"]["inherited"] is True
    assert listed["orgs_per_urban_community"]["jurisdiction_name"] == "浙江省杭州市"
    api = {i["id"]: i for i in client.get("/api/dashboard/", {"region": "330106"}).json()["indicators"]}
    assert api["orgs_per_urban_community"]["set_by"] == "330100" and api["orgs_per_urban_community"]["inherited"]


def test_a_province_wide_total_is_judged_for_the_province_only(district, cast):
    adopt_preset("33", "henan-2021")  # as if this province had adopted Henan's 50 brand organizations
    county = rows_of(district.county)["brand_organizations"]
    assert county["target"].value == 50 and county["met"] is None
    assert county["assessment"].not_here == "total" and county["assessment"].gap is None
    province = rows_of(district.province)["brand_organizations"]
    assert province["met"] is False and province["gap"] == 50  # no brand organization yet: 50 short
    assert rows_of(district.street_a)["brand_projects"]["met"] is None


def test_a_per_street_rule_is_judged_per_street_and_rolled_up(district, cast, client_for, frozen):
    adopt_preset(district.county, "hangzhou-2018")
    hub = Term.objects.get(vocabulary="hub_kind", code="service_centre")
    Organization.objects.filter(pk=Organization.objects.filter(region__code__startswith="330106002").first().pk) \
        .update(hub_kind=hub)
    county = rows_of(district.county)["service_centre_streets"]["assessment"]
    assert (county.met, county.rollup, county.gap) == (False, (1, 2), 1)
    assert county.rollup_text == "2 个街道/乡镇中 1 个达标" and county.gap_text == "还差 1 个街道/乡镇"
    assert rows_of(district.street_a)["service_centre_streets"]["met"] is True
    assert rows_of(district.street_b)["service_centre_streets"]["met"] is False
    community = rows_of(district.community_a1)["service_centre_streets"]["assessment"]
    assert community.met is None and community.not_here == "unit"
    page = client_for(cast.leader).get(reverse("reporting:dashboard"), {"region": "330106"}).content.decode()
    assert "2 个街道/乡镇中 1 个达标" in page


def test_a_per_county_rule_whose_figure_is_not_a_coverage_rolls_up_from_each_county(district, cast):
    Target.objects.create(jurisdiction_code="3301", indicator="organizations", value=100, judged_at="each_county",
                          source_document="测试")
    city = rows_of(district.city)["organizations"]["assessment"]
    # 西湖区 has 170 organizations, 上城区 none: 1 of 2 counties.
    assert (city.met, city.rollup, city.gap_text) == (False, (1, 2), "还差 1 个县（区）")


def test_a_past_deadline_says_which_figure_judged_it(district):
    adopt_preset(district.county, "mca-2017")
    notes = rows_of(district.county)["orgs_per_urban_community"]["assessment"].notes
    assert notes and "期限已过" in str(notes[0])


def test_a_past_target_is_judged_on_the_figure_as_of_its_deadline_once_the_engine_offers_it(district, monkeypatch):
    from reporting import targets
    from reporting.indicators import Indicator, Value

    adopt_preset(district.county, "mca-2017")  # at least 10 per urban community by 2020-12-31
    original = Indicator.value

    def value(self, ctx):
        if self.id == "orgs_per_urban_community" and ctx.today == date(2020, 12, 31):
            return Value(Decimal(90), Decimal(12), PER_COMMUNITY)  # 7.5 per community on the deadline
        return original(self, ctx)

    monkeypatch.setattr(Indicator, "value", value)
    monkeypatch.setattr(targets, "figures_as_of_available", lambda: True)
    row = rows_of(district.county)["orgs_per_urban_community"]
    assert row["number"] == Decimal("10.8")  # today's figure is still shown ...
    assert row["met"] is False and row["gap"] == 10 * 12 - 90  # ... but the deadline's judges the target
    assert "2020-12-31" in str(row["assessment"].notes[0]) and "7.5" in str(row["assessment"].notes[0])


# ------------------------------------------------------------------------------------------ one definition

def test_below_target_agrees_between_indicator_scorecard_and_list(district, cast, client_for, frozen):
    take_snapshots(TODAY)  # yesterday's snapshot knew no target: the scorecard must not read "0 below" from it
    adopt_preset("3301", "hangzhou-2018")  # the city: 16 per urban community, 5 per rural
    Target.objects.create(jurisdiction_code="330106002", indicator="orgs_per_urban_community", value=12,
                          deadline=date(2020, 12, 31), source_document="北山街道自定")  # street A: its own 12
    # Street A: urban 12,12,12,12,12,10 against 12 -> 1 below; street B: 10 x6 against 16 -> 6 below.
    city_rows = rows_of(district.city)
    assert city_rows["urban_communities_below_target"]["number"] == 7
    card = {row["region"].code: row for row in scorecard(district.city, cast.admin, TODAY)}
    assert card["330106"]["below_urban"] == 7
    county_card = {row["region"].code: row for row in scorecard(district.county, cast.leader, TODAY)}
    assert (county_card["330106002"]["below_urban"], county_card["330106003"]["below_urban"]) == (1, 6)
    listed = client_for(cast.leader).get(reverse("reporting:below_target", args=["330106", "urban"]))
    assert listed.context["total"] == 7
    assert rows_of(district.county)["urban_communities_below_target"]["number"] == 7
    derived = city_rows["urban_communities_below_target"]["assessment"]
    assert derived.rollup == (5, 12) and derived.gap_text == "还差 7 个社区"


# ------------------------------------------------------------------------------------------ the dashboard's answer

def test_the_leader_sees_target_met_and_gap_for_every_preset_indicator(district, cast, client_for, frozen):
    from reporting.demo import DEMO_PRESETS, extend_demo

    extend_demo({"county": district.county})
    covered = {rule.indicator for preset in DEMO_PRESETS for rule in PRESETS[preset][2]}
    client = client_for(cast.leader)
    body = client.get("/api/dashboard/", {"region": "330106"}).json()
    api = {i["id"]: i for i in body["indicators"]}
    for indicator in covered:
        assert api[indicator]["target"] is not None, indicator
        assert api[indicator]["source_document"], indicator
    urban = api["orgs_per_urban_community"]
    # The preset's deadline (2020) has passed: judged as of that day, before any of these organizations existed.
    assert (urban["target"], urban["met"], urban["gap_text"]) == ("16.00", False, "还差 192 个组织")
    # 1 of the 23 indicators is met? The summary counts what is judged here, and names the largest gaps.
    judged = [i for i in api.values() if i["met"] is not None and i["id"] in covered]
    assert body["summary"]["targets_judged"] == len(judged)
    assert body["summary"]["targets_met"] == sum(1 for i in judged if i["met"])
    assert len(body["summary"]["largest_gaps"]) == 3
    page = client.get(reverse("reporting:dashboard"), {"region": "330106"}).content.decode()
    assert "达标目标" in page and "还差 192 个组织" in page
    assert "未设定目标" in page and "设定目标</a>" not in page  # a leader reads, the link is for the bureau
    reviewer_page = client_for(cast.reviewer).get(reverse("reporting:dashboard"), {"region": "330106"})
    assert "indicator=graded_3a_plus#add-target" in reviewer_page.content.decode()


# ------------------------------------------------------------------------------------------ who may change

def test_only_the_bureaus_own_reviewers_and_administrators_change_its_targets(district, cast, client_for, frozen):
    url = reverse("reporting:targets")
    adopt = {"action": "adopt", "region": "330106", "preset": "mca-2017"}
    # A street user cannot see the county, so cannot set its targets: 404, page and API.
    assert client_for(cast.street_a).post(url, adopt).status_code == 404
    assert client_for(cast.street_a).post("/api/targets/adopt/", {"region": "330106", "preset": "mca-2017"},
                                          content_type="application/json").status_code == 404
    # The leader sees the county's targets but does not change them: 403.
    assert client_for(cast.leader).post(url, adopt).status_code == 403
    assert client_for(cast.leader).post("/api/targets/adopt/", {"region": "330106", "preset": "mca-2017"},
                                        content_type="application/json").status_code == 403
    # The county's reviewer does not set the city's (out of sight) nor a street's (not a bureau).
    assert client_for(cast.reviewer).post(url, {**adopt, "region": "330100"}).status_code == 404
    assert client_for(cast.reviewer).post(url, {**adopt, "region": "330106002"}).status_code == 403
    assert not Target.objects.exists()
    assert client_for(cast.reviewer).post(url, adopt).status_code == 302
    target = Target.objects.first()
    for user, expected in ((cast.street_a, 404), (cast.leader, 403), (cast.street_b, 404)):
        response = client_for(user).patch(f"/api/targets/{target.pk}/", {"value": "1"},
                                          content_type="application/json")
        assert response.status_code == expected, user
        assert client_for(user).post(f"/api/targets/{target.pk}/retire/").status_code == expected, user
    assert Target.objects.get(pk=target.pk).value == target.value
    with pytest.raises(PermissionDenied):
        adopt_preset(district.county, "hangzhou-2018", user=cast.street_a)
    city_admin = Region.objects.get(code="330100")
    cast.admin.is_superuser = False
    cast.admin.save()
    cast.admin.regions.set([city_admin])
    assert client_for(cast.admin).post(url, {**adopt, "region": "330100"}).status_code == 302
    assert client_for(cast.admin).post(url, adopt).status_code == 403  # the city does not set the county's
    # Everyone who sees the region reads its targets, page and API.
    for user in (cast.leader, cast.street_a, cast.community_a):
        assert client_for(user).get(url).status_code == 200
        assert client_for(user).get("/api/targets/").status_code == 200
