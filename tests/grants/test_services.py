"""Rounds, applications, experts, allocation, tranches and subsidies through the services, pages and API."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from grants import services
from grants.allocation import Reason
from grants.choices import AppState, RoundState, TrancheState
from grants.models import Application, ApplicationEvent, Tranche
from registry.models import Term
from tests.grants.factories import application, open_round, organization, score, screened, source

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(world, cast):
    return open_round(world.county, cast.reviewer, min_amount=Decimal(10_000), max_amount=Decimal(100_000))


def test_budget_lines_must_add_up(round_, world, cast):
    org = organization(world.community_a1)
    app = application(round_, org, cast.street_a, amount=50_000, lines=[("人员费", Decimal(30_000))])
    with pytest.raises(ValidationError) as refused:
        services.transition(app, "submit", cast.street_a)
    assert any("30000" in m and "50000" in m for m in refused.value.messages)
    assert Application.objects.get(pk=app.pk).state == AppState.DRAFT
    app.budget_lines.create(item="活动费", amount=Decimal(20_000))
    assert services.transition(app, "submit", cast.street_a).state == AppState.SUBMITTED


def test_one_application_per_organization_per_round(round_, world, cast):
    org = organization(world.community_a1)
    application(round_, org, cast.street_a)
    with pytest.raises(ValidationError, match="one per organization"):
        application(round_, org, cast.street_a, title="另一个项目")
    assert round_.applications.filter(organization=org).count() == 1


def test_eligibility_rules(round_, world, cast):
    round_.allowed_tiers = ["filed", "community"]
    round_.min_grade = "3A"
    round_.cofunding_pct = Decimal(20)
    round_.save()
    registered = organization(world.community_a1, tier="registered", grade="2A")
    app = application(round_, registered, cast.street_a, amount=5_000, own_funds=Decimal(0))
    problems = " ".join(services.eligibility_problems(app))
    assert "registered" in problems.lower() or "Registered" in problems
    assert "3A" in problems
    assert "minimum" in problems
    assert "20" in problems


def test_project_already_funded_by_public_money_is_caught(world, cast):
    earlier = open_round(world.county, cast.reviewer, name="2025年公益创投")
    org = organization(world.community_a1)
    funded = application(earlier, org, cast.street_a, title="邻里助餐")
    Application.objects.filter(pk=funded.pk).update(state=AppState.AWARDED, awarded_amount=Decimal(50_000))
    later = open_round(world.county, cast.reviewer, name="2026年公益创投")
    again = application(later, org, cast.street_a, title="邻里助餐")
    assert any("2025年公益创投" in p for p in services.eligibility_problems(again))


def test_screening_failure_needs_a_reason(round_, world, cast):
    app = application(round_, organization(world.community_a1), cast.street_a)
    app = services.transition(app, "submit", cast.street_a)
    with pytest.raises(ValidationError):
        services.transition(app, "fail_screening", cast.reviewer)
    with pytest.raises(PermissionDenied):
        services.transition(app, "fail_screening", cast.street_a, comment="不符合")
    app = services.transition(app, "fail_screening", cast.reviewer, comment="项目已获其他财政资金资助")
    assert app.state == AppState.INELIGIBLE
    assert app.eligibility_note == "项目已获其他财政资金资助"


def test_expert_linked_to_the_organization_cannot_be_assigned(round_, world, cast, client_for):
    org = organization(world.community_a1)
    app = screened(round_, org, cast.street_a, cast.reviewer)
    services.declare_link(cast.expert, org, "理事")
    with pytest.raises(ValidationError, match="declared a link"):
        services.assign_expert(app, cast.expert, cast.reviewer)
    assert not app.assignments.exists()
    assert not Application.objects.visible_to(cast.expert).filter(pk=app.pk).exists()
    # The same refusal through the page and the API.
    response = client_for(cast.reviewer).post(reverse("grants:application_assign", args=[app.pk]),
                                              {"expert": cast.expert.pk})
    assert response.status_code == 302
    assert not app.assignments.exists()
    response = client_for(cast.reviewer).post(reverse("api:grant-application-assign", args=[app.pk]),
                                              {"expert": cast.expert.pk}, content_type="application/json")
    assert response.status_code == 400
    assert not app.assignments.exists()


def test_expert_sees_only_assigned_applications(round_, world, cast, client_for):
    mine = screened(round_, organization(world.community_a1), cast.street_a, cast.reviewer, title="分配给我的项目")
    other = screened(round_, organization(world.community_a2), cast.street_a, cast.reviewer, title="没分配的项目")
    services.assign_expert(mine, cast.expert, cast.reviewer)
    client = client_for(cast.expert)

    page = client.get(reverse("grants:application_list")).content.decode()
    assert "分配给我的项目" in page and "没分配的项目" not in page
    assert client.get(reverse("grants:application_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("grants:application_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("grants:application_score", args=[other.pk])).status_code == 404

    listed = client.get(reverse("api:grant-application-list"), HTTP_ACCEPT="application/json").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [mine.pk]
    assert client.get(reverse("api:grant-application-detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("api:grant-application-score", args=[other.pk]), {"scores": {}},
                       content_type="application/json").status_code == 404


def test_submitted_score_sheet_is_locked(round_, world, cast, client_for):
    app = screened(round_, organization(world.community_a1), cast.street_a, cast.reviewer)
    services.assign_expert(app, cast.expert, cast.reviewer)
    criteria = list(round_.criteria.all())
    with pytest.raises(PermissionDenied, match="Scoring opens when the call closes"):
        services.save_score_sheet(app, cast.expert, {c.pk: 80 for c in criteria})
    round_ = services.transition(round_, "close_call", cast.reviewer)
    with pytest.raises(ValidationError):
        services.save_score_sheet(app, cast.expert, {criteria[0].pk: 80}, submit=True)  # incomplete
    sheet = services.save_score_sheet(app, cast.expert, {c.pk: 80 for c in criteria}, submit=True)
    assert sheet.is_locked and sheet.total == Decimal("80.00")
    with pytest.raises(PermissionDenied, match="locked"):
        services.save_score_sheet(app, cast.expert, {c.pk: 10 for c in criteria})
    response = client_for(cast.expert).post(reverse("grants:application_score", args=[app.pk]),
                                            {f"c{c.pk}": 10 for c in criteria} | {"submit": "1"})
    assert response.status_code == 200
    sheet.refresh_from_db()
    assert sheet.total == Decimal("80.00")
    # An expert not assigned cannot score at all.
    with pytest.raises(PermissionDenied):
        services.save_score_sheet(app, cast.street_a, {c.pk: 50 for c in criteria})


def test_weighted_total_and_z_score_normalisation(round_, world, cast, experts):
    lenient, severe = experts
    apps = [screened(round_, organization(world.community_a1), cast.street_a, cast.reviewer) for _ in range(2)]
    round_ = services.transition(round_, "close_call", cast.reviewer)
    # The lenient expert scores everything high, the severe one low, with the same order.
    for app, (high, low) in zip(apps, [(95, 65), (85, 55)], strict=True):
        score(app, lenient, cast.reviewer, high)
        score(app, severe, cast.reviewer, low)
    raw = services.application_scores(round_)
    assert raw == {apps[0].pk: Decimal("80.00"), apps[1].pk: Decimal("70.00")}
    round_.normalise_scores = True
    normalised = services.application_scores(round_)
    assert normalised[apps[0].pk] > normalised[apps[1].pk]
    # Mapped back onto the scale of all sheets (mean 75, standard deviation 14.14).
    assert normalised[apps[0].pk] + normalised[apps[1].pk] == Decimal("150.00")


def _decided_round(world, cast, experts):
    """Three applications: a filed group (community, 90), a registered one of a street (not community, 95),
    a filed group scoring 50 (below the line). Budget 100k, one track; ring-fence 30%."""
    round_ = open_round(world.county, cast.reviewer, tracks=(("综合", 100_000),), budget=100_000)
    street_org = organization(world.street_a, tier="registered")
    apps = {
        "community": screened(round_, organization(world.community_a1), cast.street_a, cast.reviewer,
                              amount=40_000),
        "registered": screened(round_, street_org, cast.street_a, cast.reviewer, amount=60_000),
        "weak": screened(round_, organization(world.community_b1), cast.street_b, cast.reviewer, amount=20_000),
    }
    round_ = services.transition(round_, "close_call", cast.reviewer)
    for key, value in (("community", 90), ("registered", 95), ("weak", 50)):
        score(apps[key], experts[0], cast.reviewer, value)
    run = services.run_allocation(round_, cast.reviewer)
    services.decide(round_, run, "rank", cast.reviewer)
    return round_, {k: Application.objects.get(pk=a.pk) for k, a in apps.items()}


def test_allocation_is_applied_with_reasons(world, cast, experts):
    round_, apps = _decided_round(world, cast, experts)
    round_.refresh_from_db()
    assert round_.state == RoundState.DECIDED and round_.allocation_mode == "rank"
    assert apps["registered"].state == AppState.AWARDED and apps["registered"].rank == 1
    assert apps["community"].state == AppState.AWARDED
    assert apps["weak"].state == AppState.DECLINED and apps["weak"].allocation_reason == Reason.BELOW_LINE
    summary = services.round_summary(round_)
    assert summary["total"] == Decimal(100_000)
    assert summary["community"] == Decimal(40_000)
    assert summary["ring_fence_met"]


def test_override_needs_a_reason_and_is_logged(world, cast, experts):
    _round, apps = _decided_round(world, cast, experts)
    weak = apps["weak"]
    with pytest.raises(ValidationError):
        services.override(weak, cast.reviewer, award=True, reason="  ")
    assert Application.objects.get(pk=weak.pk).state == AppState.DECLINED
    with pytest.raises(PermissionDenied):
        services.override(weak, cast.street_b, award=True, reason="街道要求")
    # The round's 100k are all committed: an award beyond them is refused, naming the round's budget.
    with pytest.raises(ValidationError, match="Round budget"):
        services.override(weak, cast.reviewer, award=True, reason="区委专题会议决定增补资助")
    services.override(apps["registered"], cast.reviewer, award=False, reason="组织已注销")
    weak = services.override(weak, cast.reviewer, award=True, reason="区委专题会议决定增补资助")
    assert weak.state == AppState.AWARDED and weak.allocation_reason == "override"
    event = ApplicationEvent.objects.filter(application=weak, action="override_award").get()
    assert event.actor == cast.reviewer and event.comment == "区委专题会议决定增补资助"


def _report(app, staff, reviewer, kind="interim", accept=True, note=""):
    lines = {str(line.pk): line.amount / 2 for line in app.budget_lines.all()}
    report = services.submit_report(staff, app, kind, "已开展助餐服务 24 次", lines)
    return services.review_report(reviewer, report, accept, note)


def test_tranches_are_released_after_accepted_reports_and_withheld_on_failure(world, cast, experts):
    _round, apps = _decided_round(world, cast, experts)
    app = services.transition(apps["community"], "sign_contract", cast.reviewer)
    tranches = list(app.tranches.order_by("sequence"))
    assert [(t.percent, t.amount, t.state) for t in tranches] == [
        (Decimal(50), Decimal(20_000), TrancheState.PLANNED), (Decimal(30), Decimal(12_000), TrancheState.PLANNED),
        (Decimal(20), Decimal(8_000), TrancheState.PLANNED)]
    # No tranche is released before a report is accepted; a returned report unlocks nothing.
    with pytest.raises(ValidationError, match="accepted interim report"):
        services.release_tranche(cast.reviewer, tranches[0])
    with pytest.raises(ValidationError, match="reason"):
        _report(app, cast.street_a, cast.reviewer, accept=False)
    report = app.reports.get()
    services.review_report(cast.reviewer, report, False, "支出凭证缺失")
    with pytest.raises(ValidationError):
        services.release_tranche(cast.reviewer, tranches[0])
    _report(app, cast.street_a, cast.reviewer)
    with pytest.raises(PermissionDenied):
        services.release_tranche(cast.street_a, tranches[0])
    services.release_tranche(cast.reviewer, tranches[0])
    # Only a released tranche can be paid, never above its amount, and only from the round's own funds.
    with pytest.raises(ValidationError):
        services.record_payment(tranches[1], cast.reviewer, Decimal(1), source())
    with pytest.raises(ValidationError):
        services.record_payment(tranches[0], cast.reviewer, Decimal(20_001), source())
    with pytest.raises(ValidationError, match="no budget"):
        services.record_payment(tranches[0], cast.reviewer, Decimal(20_000), source("lottery"))
    services.record_payment(tranches[0], cast.reviewer, Decimal(20_000), source())
    assert Tranche.objects.get(pk=tranches[0].pk).state == TrancheState.PAID

    app = services.transition(app, "start", cast.street_a)
    # The mid-term tranche needs a new accepted report, reviewed after the first tranche was released.
    with pytest.raises(ValidationError, match="accepted interim report"):
        services.release_tranche(cast.reviewer, tranches[1])
    app = services.transition(app, "fail_midterm", cast.reviewer, comment="台账不全")
    assert Tranche.objects.get(pk=tranches[1].pk).state == TrancheState.WITHHELD
    _report(app, cast.street_a, cast.reviewer)
    app = services.transition(app, "pass_midterm", cast.reviewer, comment="补齐台账")
    services.release_tranche(cast.reviewer, tranches[1])
    assert Tranche.objects.get(pk=tranches[1].pk).state == TrancheState.RELEASED
    with pytest.raises(PermissionDenied, match="accepted final report"):
        services.transition(app, "evaluate", cast.reviewer, data={"score": "55"})
    _report(app, cast.street_a, cast.reviewer, kind="final")
    app = services.transition(app, "evaluate", cast.reviewer, data={"score": "55"})
    assert app.final_grade == "C"
    assert Tranche.objects.get(pk=tranches[2].pk).state == TrancheState.WITHHELD
    with pytest.raises(ValidationError, match="graded A or B"):
        services.release_tranche(cast.reviewer, tranches[2])

    totals = services.disbursement_totals(services.Payment.objects.visible_to(cast.reviewer))
    assert totals["source"] == [{"source__name": "财政资金", "total": Decimal("20000.00")}]


@pytest.mark.parametrize(("score_value", "grade"), [(85, "A"), (84.99, "B"), (60, "B"), (59.5, "C")])
def test_final_grades(score_value, grade):
    from grants.choices import grade_for

    assert grade_for(Decimal(str(score_value))) == grade


def test_subsidy_totals_by_kind_and_region(world, cast):
    rent = Term.objects.get(vocabulary="subsidy_kind", code="rent")
    talent = Term.objects.get(vocabulary="reward_kind", code="talent")
    a1, b1 = organization(world.community_a1), organization(world.community_b1)
    services.record_subsidy(cast.reviewer, a1, rent, Decimal(3_000), source())
    services.record_subsidy(cast.reviewer, a1, talent, Decimal(2_000), source())
    services.record_subsidy(cast.street_b, b1, rent, Decimal(1_500), source())
    with pytest.raises(PermissionDenied):
        services.record_subsidy(cast.street_b, a1, rent, Decimal(1), source())
    totals = services.subsidy_totals(services.Subsidy.objects.visible_to(cast.reviewer))
    assert totals["total"] == Decimal(6_500)
    assert {row["kind__name"]: row["total"] for row in totals["kind"]} == {"房租补贴": Decimal(4_500),
                                                                         "人才奖励": Decimal(2_000)}
    assert {row["area"]: row["total"] for row in totals["region"]} == {
        world.street_a.code: Decimal(5_000), world.street_b.code: Decimal(1_500)}
    assert services.subsidy_totals(services.Subsidy.objects.visible_to(cast.street_b))["total"] == Decimal(1_500)


def test_county_round_is_open_to_its_streets_only(round_, cast, client_for):
    assert client_for(cast.street_a).get(round_.get_absolute_url()).status_code == 200
    assert client_for(cast.street_b).get(round_.get_absolute_url()).status_code == 200
    assert client_for(cast.outsider).get(round_.get_absolute_url()).status_code == 404
    assert client_for(cast.expert).get(round_.get_absolute_url()).status_code == 404


def test_round_pages_query_count(world, cast, experts, client_for, django_assert_max_num_queries):
    round_, _apps = _decided_round(world, cast, experts)
    for index in range(3):
        open_round(world.county, cast.reviewer, name=f"往年创投{index}")
    client = client_for(cast.reviewer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("grants:round_list")).status_code == 200
    # The summary adds the money table (5 queries) and the county-year share (4): a fixed count, not per row.
    with django_assert_max_num_queries(28):
        assert client.get(reverse("grants:round_summary", args=[round_.pk])).status_code == 200
    response = client.get(reverse("grants:round_summary", args=[round_.pk]) + "?export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


def test_allocation_page_and_api_show_both_modes(world, cast, experts, client_for):
    round_, _apps = _decided_round(world, cast, experts)
    page = client_for(cast.reviewer).get(reverse("grants:round_allocation", args=[round_.pk])).content.decode()
    assert 'data-testid="mode-rank"' in page and 'data-testid="mode-optimal"' in page
    data = client_for(cast.reviewer).get(reverse("api:grant-round-allocation", args=[round_.pk])).json()
    assert set(data["results"]) == {"rank", "optimal"}
    summary = client_for(cast.reviewer).get(reverse("api:grant-round-summary", args=[round_.pk])).json()
    assert Decimal(summary["share"]) == Decimal("40.00")
    # Street B's staff see only their own organizations' decisions.
    data = client_for(cast.street_b).get(reverse("api:grant-round-allocation", args=[round_.pk])).json()
    assert len(data["results"]["rank"]["decisions"]) == 1


def test_applying_an_allocation_audits_each_application(world, cast, experts):
    """The decision moves applications in bulk (no model signals): each one's step is still an audit event."""
    from registry.models import AuditEvent

    _round, apps = _decided_round(world, cast, experts)
    for decided in apps.values():
        events = AuditEvent.objects.filter(object_type="grants.application", object_id=str(decided.pk),
                                           action="transition", actor=cast.reviewer)
        assert [event.changes["state"] for event in events if event.changes.get("state", [None])[0] == "in_review"] \
            == [["in_review", decided.state]], decided
