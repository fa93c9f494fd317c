from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from registry.models import Organization, Term, Training
from reporting.dashboard import indicator_rows, scorecard
from reporting.indicators import INDICATORS, Context
from reporting.models import ReportingSettings
from reporting.targets import adopt_preset, target_for

TODAY = date(2026, 11, 21)


def value(region, indicator, today=TODAY):
    return INDICATORS[indicator].value(Context(region, today)).value


def test_density_matches_the_hand_count(district):
    county = district.county
    assert value(county, "organizations") == 170
    assert value(county, "orgs_per_urban_community") == Decimal("10.8")   # 130 / 12
    assert value(county, "orgs_per_rural_community") == Decimal("4.4")    # 40 / 9
    assert value(district.street_a, "orgs_per_urban_community") == Decimal("11.7")  # 70 / 6
    assert value(district.street_b, "orgs_per_rural_community") == Decimal("2.5")   # 10 / 4


def test_met_or_not_follows_the_adopted_preset(district):
    county = district.county
    adopt_preset("3301", "hangzhou-2018")  # urban >= 16, rural >= 5 (by 2020: passed, still the latest)
    rows = {row["indicator"].id: row for row in indicator_rows(county, TODAY, live=True)[0]}
    assert rows["orgs_per_urban_community"]["target"].value == 16
    assert rows["orgs_per_urban_community"]["met"] is False
    # Hangzhou's deadline (2020) has passed: judged on the figure as of that day (issue 13 item 5), when none of these
    # organizations existed yet, so 16 per community short across all 12 urban communities.
    assert rows["orgs_per_urban_community"]["gap"] == 16 * 12 - 0
    assert rows["orgs_per_rural_community"]["met"] is False
    # Below target: urban communities with fewer than 16 (all 12), rural with fewer than 5 (2 in street B).
    assert rows["urban_communities_below_target"]["number"] == 12
    assert rows["rural_communities_below_target"]["number"] == 2

    adopt_preset("330106", "mca-2017")  # the district's own preset overrides the city's: urban >= 10, rural >= 5
    rows = {row["indicator"].id: row for row in indicator_rows(county, TODAY, live=True)[0]}
    # The district's 10 applies; its 2020 deadline has passed too, so it is judged as of then (none existed yet).
    assert rows["orgs_per_urban_community"]["target"].value == 10
    assert rows["orgs_per_urban_community"]["gap"] == 10 * 12 - 0
    assert rows["orgs_per_rural_community"]["met"] is False
    assert rows["urban_communities_below_target"]["number"] == 0
    assert rows["rural_communities_below_target"]["number"] == 2


def test_a_region_inherits_its_nearest_ancestors_target_and_may_override_it(district):
    adopt_preset("3301", "hangzhou-2018")
    assert target_for(district.street_a, "orgs_per_urban_community", TODAY).value == 16
    from reporting.models import Target

    Target.objects.filter(jurisdiction_code="3301", indicator="orgs_per_urban_community").update(value=11)
    assert target_for(district.street_a, "orgs_per_urban_community", TODAY).value == 11


def test_pinghu_counts_registered_and_filed_only(district):
    ReportingSettings.objects.create(jurisdiction_code="330106", counted_tiers=["registered", "filed"])
    # Urban orgs cycle community / filed / registered: 130 orgs -> 87 of them registered or filed.
    counted = Organization.objects.filter(region__committee_type="residents",
                                          tier__in=["registered", "filed"]).count()
    expected = (Decimal(counted) / 12).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert value(district.county, "orgs_per_urban_community") == expected
    assert value(district.county, "orgs_per_rural_community") == 0


def test_coverage_and_capacity_indicators(district, cast):
    hub = Term.objects.get(vocabulary="hub_kind", code="service_centre")
    first = Organization.objects.filter(region__code__startswith="330106002").first()
    first.hub_kind = hub
    first.is_social_work_institution = True
    first.save()
    assert value(district.county, "service_centre_streets") == Decimal("50.0")     # 1 of 2 streets
    assert value(district.county, "social_work_urban") == Decimal("8.3")           # 1 of 12 urban communities
    heads = list(Organization.objects.order_by("pk")[:17])
    for organization in heads:
        Training.objects.create(region=organization.region, organization=organization, person_name="王芳",
                                trainee_kind="organization_head", course="能力提升", held_on=date(2024, 5, 1),
                                recorded_by=cast.street_a)
    assert value(district.county, "heads_trained_5y") == Decimal("10.0")           # 17 of 170


def test_scorecard_puts_the_streets_side_by_side(district, cast):
    adopt_preset("330106", "mca-2017")
    rows = {row["region"].code: row for row in scorecard(district.county, cast.reviewer, TODAY)}
    a, b = rows["330106002"], rows["330106003"]
    assert (a["urban"].value, a["rural"].value, a["below"]) == (Decimal("11.7"), Decimal("6.0"), 0)
    assert (b["urban"].value, b["rural"].value, b["below"]) == (Decimal("10.0"), Decimal("2.5"), 2)
    assert a["status"] == "met" and b["status"] == "behind"
    # Ranked by the organizations short of the targets, largest first: B lacks 5 * 4 - 10 = 10 rural ones.
    assert (a["short"], b["short"]) == (0, 10)
    assert (a["rank"], b["rank"]) == (2, 1)


@pytest.mark.parametrize("level", ["county", "street_a"])
def test_dashboard_query_count_does_not_grow_with_the_data(district, cast, client_for, level,
                                                           django_assert_max_num_queries):
    region = getattr(district, level)
    client = client_for(cast.reviewer)
    with django_assert_max_num_queries(60):
        response = client.get(f"/dashboard/?region={region.code}")
    assert "10.8" in response.content.decode() or level != "county"
    assert response.status_code == 200


def test_dashboard_exports_as_xlsx_and_pdf(district, cast, client_for):
    import io
    import subprocess

    import openpyxl

    adopt_preset("330106", "mca-2017")
    client = client_for(cast.reviewer)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/dashboard/?region=330106&export=xlsx").content)).active
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    urban = rows["城市社区平均社会组织数"]
    assert (urban[1], urban[2], urban[3]) == ("130.00", "12.00", "10.8") or float(urban[3]) == 10.8
    pdf = client.get("/dashboard/?region=330106&export=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout.decode()
    assert "10.8" in text and "灵隐街道" in text


def test_dashboards_are_live_and_the_snapshot_path_says_so(district, cast, client_for):
    from reporting.dashboard import take_snapshots

    take_snapshots(max_level=3)
    assert "快照" not in client_for(cast.reviewer).get("/dashboard/?region=330106").content.decode()
    body = client_for(cast.reviewer).get("/dashboard/?region=330106&source=snapshot").content.decode()
    assert "快照" in body
    assert "快照" not in client_for(cast.street_a).get("/dashboard/?region=330106002").content.decode()


def test_compute_now_recomputes_the_scorecard_too(district, cast, client_for):
    """The snapshot path shows the morning's figures; "compute now" (the live page) shows a write made since, in the
    indicator rows and in the child scorecard alike."""
    from reporting.dashboard import take_snapshots

    take_snapshots(TODAY, max_level=4)  # the county and its streets: the scorecard's snapshot source exists
    place = Organization.objects.filter(region__code__startswith="330106002", region__committee_type="residents")[0]
    Organization.objects.bulk_create([
        Organization(name=f"新组织{n}", tier="filed", category=place.category, region=place.region,
                     leader_name="王芳", filing_number=f"N{n}") for n in range(7)])
    client = client_for(cast.reviewer)

    def figures(url):
        response = client.get(url)
        rows = {row["indicator"].id: row["number"] for row in response.context["rows"]}
        children = {row["region"].code: row["urban"].value for row in response.context["children"]}
        return rows["orgs_per_urban_community"], rows["organizations"], children["330106002"]

    assert figures("/dashboard/?region=330106&source=snapshot") == (Decimal("10.8"), 170, Decimal("11.7"))
    # 137 / 12 and 77 / 6 street A's urban communities: both the rows and the scorecard recomputed
    assert figures("/dashboard/?region=330106") == (Decimal("11.4"), 177, Decimal("12.8"))
