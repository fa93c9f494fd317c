"""Every money field the portal takes is positive (own funds: not negative), on the page and through the API, and a
refusal says why (issue 19, item 5): round limits, tracks, budgets, funds, applications and their budget lines,
awards, payments, subsidies. Nothing is written when refused."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from grants import services
from grants.choices import AppState, TrancheState
from grants.models import Application, Fund, Payment, Round, RoundBudget, Subsidy, Track, Tranche
from registry.models import Term
from tests.grants.factories import application, open_round, organization, source

pytestmark = pytest.mark.django_db

BAD = ["0", "-50", "x"]
JSON = {"content_type": "application/json"}


def _refused(response):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    return response.json()


@pytest.fixture
def draft_round(world, cast):
    return services.create_round(cast.reviewer, world.county, name="金额测试", year=2026)


@pytest.mark.parametrize("field", ["min_amount", "max_amount", "org_cap"])
@pytest.mark.parametrize("value", BAD)
def test_round_limits_are_positive_in_the_api(world, cast, client_for, field, value):
    body = _refused(client_for(cast.reviewer).post(reverse("api:grant-round-list"), {
        "name": "坏限额", "year": 2026, "region": world.county.code, field: value}, **JSON))
    assert field in body
    assert not Round.objects.filter(name="坏限额").exists()


def test_round_minimum_is_at_most_the_maximum_on_page_and_api(world, cast, client_for):
    client = client_for(cast.reviewer)
    body = _refused(client.post(reverse("api:grant-round-list"), {
        "name": "倒挂", "year": 2026, "region": world.county.code, "min_amount": "5000", "max_amount": "100"},
        **JSON))
    assert "max_amount" in body
    for limits in ({"min_amount": "5000", "max_amount": "100"}, {"org_cap": "-1"}, {"min_amount": "0"}):
        response = client.post(reverse("grants:round_create"), {
            "name": "倒挂", "year": "2026", "region": world.county.code, "allowed_tiers": ["filed"],
            "cofunding_pct": "0", "pass_score": "60", "ring_fence_pct": "30", "tranche_plan": "50/30/20", **limits})
        assert response.status_code == 200 and set(limits) & set(response.context["form"].errors), limits
    assert not Round.objects.filter(name="倒挂").exists()


def test_the_service_refuses_bad_round_rules_whatever_calls_it(world, cast):
    for fields in ({"max_amount": Decimal("-1")}, {"tranche_plan": [150, -50]}, {"tranche_plan": "x"},
                   {"min_amount": Decimal(9), "max_amount": Decimal(1)}):
        with pytest.raises(ValidationError):
            services.create_round(cast.reviewer, world.county, name="服务层", year=2026, **fields)
    assert not Round.objects.filter(name="服务层").exists()


@pytest.mark.parametrize("value", BAD)
def test_tracks_and_budgets_are_positive_on_page_and_api(draft_round, world, cast, client_for, value):
    fund = services.record_fund(cast.reviewer, world.county, 2026, source(), Decimal(100_000))
    client = client_for(cast.reviewer)
    assert "budget" in _refused(client.post(reverse("api:grant-round-tracks", args=[draft_round.pk]),
                                            {"name": "坏赛道", "budget": value}, **JSON))
    assert "amount" in _refused(client.post(reverse("api:grant-round-budgets", args=[draft_round.pk]),
                                            {"fund": fund.pk, "amount": value}, **JSON))
    page = client.post(reverse("grants:round_setup", args=[draft_round.pk]), {"part": "track", "name": "坏赛道",
                                                                             "budget": value})
    said = [str(m) for m in get_messages(page.wsgi_request)]
    assert any(m.startswith("预算") for m in said), said  # the refusal names the field
    client.post(reverse("grants:round_setup", args=[draft_round.pk]), {"part": "budget", "fund": fund.pk,
                                                                      "amount": value})
    assert not Track.objects.filter(name="坏赛道").exists() and not RoundBudget.objects.exists()


@pytest.mark.parametrize("value", BAD)
def test_funds_are_positive_on_page_and_api(world, cast, client_for, value):
    client = client_for(cast.reviewer)
    assert "amount" in _refused(client.post(reverse("api:grant-fund-list"), {
        "jurisdiction": world.county.code, "year": 2026, "source": source().pk, "amount": value}, **JSON))
    page = client.post(reverse("grants:fund_create"), {"jurisdiction": world.county.code, "year": "2026",
                                                       "source": source().pk, "amount": value})
    assert page.status_code == 200 and "amount" in page.context["form"].errors
    assert not Fund.objects.exists()


@pytest.mark.parametrize("value", BAD)
def test_subsidies_are_positive_on_page_and_api(world, cast, client_for, value):
    org = organization(world.community_a1)
    kind = Term.objects.filter(vocabulary="subsidy_kind").first()
    client = client_for(cast.street_a)
    assert "amount" in _refused(client.post(reverse("api:grant-subsidy-list"), {
        "organization": org.pk, "kind": kind.pk, "amount": value, "source": source().pk}, **JSON))
    page = client.post(reverse("grants:subsidy_create"), {"organization": org.pk, "kind": kind.pk, "amount": value,
                                                          "source": source().pk, "granted_on": "2026-03-01"})
    assert page.status_code == 200 and "amount" in page.context["form"].errors
    assert not Subsidy.objects.exists()


def _lines(amount_requested, lines):
    return {"amount_requested": amount_requested, "budget_lines": [{"item": i, "amount": a} for i, a in lines]}


@pytest.mark.parametrize(("money", "field"), [
    (_lines("0", [("餐费", "0")]), "amount_requested"),
    (_lines("-100", [("餐费", "-100")]), "amount_requested"),
    (_lines("100", [("餐费", "150"), ("退款", "-50")]), "budget_lines"),
    (_lines("x", [("餐费", "x")]), "amount_requested"),
    ({**_lines("100", [("餐费", "100")]), "own_funds": "-1"}, "own_funds"),
])
def test_applications_are_positive_in_the_api(world, cast, client_for, money, field):
    round_ = open_round(world.county, cast.reviewer)
    org = organization(world.community_a1)
    client = client_for(cast.street_a)
    body = _refused(client.post(reverse("api:grant-application-list"), {
        "round": round_.pk, "organization": org.pk, "track": round_.tracks.first().pk, "title": "坏预算",
        "summary": "x", "declares_no_other_public_funding": True, **money}, **JSON))
    assert field in body
    assert not Application.objects.filter(title="坏预算").exists()
    draft = application(round_, org, cast.street_a)
    body = _refused(client.patch(reverse("api:grant-application-detail", args=[draft.pk]), {
        "track": draft.track_id, "title": "坏预算", "summary": "x", **money}, **JSON))
    assert field in body
    draft.refresh_from_db()
    assert draft.title != "坏预算" and all(line.amount > 0 for line in draft.budget_lines.all())


def test_applications_are_positive_on_the_page(world, cast, client_for):
    round_ = open_round(world.county, cast.reviewer)
    org = organization(world.community_a1)
    form = {"organization": org.pk, "track": round_.tracks.first().pk, "title": "坏预算", "summary": "x",
            "expected_beneficiaries": "10", "own_funds": "0", "timeline": "全年",
            "declares_no_other_public_funding": "on", "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1", "lines-MAX_NUM_FORMS": "1000"}
    for amount, lines in (("0", ("0", "")), ("100", ("150", "-50")), ("-5", ("-5", ""))):
        values = {**form, "amount_requested": amount, "lines-0-item": "餐费", "lines-0-amount": lines[0]}
        if lines[1]:
            values |= {"lines-1-item": "退款", "lines-1-amount": lines[1]}
        response = client_for(cast.street_a).post(reverse("grants:application_create", args=[round_.pk]), values)
        assert response.status_code == 200, (amount, lines)
    assert not Application.objects.filter(title="坏预算").exists()
    with translation.override("en"), pytest.raises(ValidationError, match="positive"):
        services.create_application(cast.street_a, round_, org, {
            "track": round_.tracks.first(), "title": "坏预算", "amount_requested": Decimal(100)},
            [("餐费", Decimal(150)), ("退款", Decimal(-50))])


@pytest.mark.parametrize("value", BAD)
def test_payments_and_awards_are_positive_on_page_and_api(world, cast, client_for, value):
    round_ = open_round(world.county, cast.reviewer)
    app = application(round_, organization(world.community_a1), cast.street_a)
    Application.objects.filter(pk=app.pk).update(state=AppState.CONTRACTED, awarded_amount=Decimal(50_000))
    tranche = Tranche.objects.create(application=app, sequence=1, percent=Decimal(100), amount=Decimal(50_000),
                                     milestone="contract", state=TrancheState.RELEASED)
    client = client_for(cast.reviewer)
    assert "amount" in _refused(client.post(reverse("api:grant-tranche-pay", args=[tranche.pk]),
                                            {"amount": value, "source": source().pk}, **JSON))
    page = client.post(reverse("grants:tranche_payment", args=[tranche.pk]), {"amount": value,
                                                                             "source": source().pk})
    assert any(str(m).startswith("金额") for m in get_messages(page.wsgi_request))
    assert not Payment.objects.exists()
    assert "amount" in _refused(client.post(reverse("api:grant-application-transition", args=[app.pk]), {
        "action": "override_award", "amount": value, "comment": "调整"}, **JSON))
