"""The browser journey's key writes through the API: fund, round with two tracks and a budget drawn from the fund,
three applications (one not a CSO), two experts (one declares a conflict after assignment), allocation, decision,
award notice, report, tranche release and payment."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import Application, ScoreSheet
from tests.factories import make_uscc
from tests.grants.factories import organization, source

pytestmark = pytest.mark.django_db


def test_a_whole_round_through_the_api(world, cast, experts, client_for):
    district, street = client_for(cast.reviewer), client_for(cast.street_a)
    expert_1, expert_2 = experts

    def post(client, name, data, *args, status=None, method="post"):
        response = getattr(client, method)(reverse(name, args=args), data, content_type="application/json")
        assert response.status_code == (status or response.status_code) and response.status_code < 400, (
            name, response.status_code, response.content.decode())
        return response.json()

    fund = post(district, "api:grant-fund-list", {"jurisdiction": world.county.code, "year": 2026,
                                                  "source": source().pk, "amount": "300000"})
    agency = post(district, "api:grant-other-applicant-list", {
        "name": "西湖区社会工作服务中心", "uscc": make_uscc(legal_form_digit="2", serial="MJ9000002"),
        "region": world.county.code, "nature": "县级社工机构"})
    round_ = post(district, "api:grant-round-list", {"name": "API创投", "year": 2026, "region": world.county.code,
                                                      "tranche_plan": [50, 30, 20]})
    tracks = {name: post(district, "api:grant-round-tracks", {"name": name, "budget": budget}, round_["id"])["id"]
              for name, budget in (("为老服务", "150000"), ("青少年", "100000"))}
    post(district, "api:grant-round-budgets", {"fund": fund["id"], "amount": "200000"}, round_["id"])
    post(district, "api:grant-round-rubric", {"criteria": [
        {"name": "社区需求", "description": "需求是否真实迫切", "weight": 60},
        {"name": "项目设计", "description": "目标与预算匹配", "weight": 40}]}, round_["id"], method="put")
    post(district, "api:grant-round-transition", {"action": "open_call"}, round_["id"])

    elderly = organization(world.community_a1, name="宝石社区助老服务队")
    youth = organization(world.community_a1, name="宝石社区四点半课堂")

    def apply(client, title, track, amount, **applicant):
        app = post(client, "api:grant-application-list", {
            "round": round_["id"], "track": tracks[track], "title": title, "summary": "概要",
            "amount_requested": str(amount), "declares_no_other_public_funding": True,
            "budget_lines": [{"item": "活动费", "amount": str(amount)}], **applicant}, status=201)
        post(client, "api:grant-application-transition", {"action": "submit"}, app["id"])
        post(district, "api:grant-application-transition", {"action": "pass_screening"}, app["id"])
        for expert in experts:
            post(district, "api:grant-application-assign", {"expert": expert.pk}, app["id"])
        return app["id"]

    apps = {"elderly": apply(street, "邻里助餐", "为老服务", 50_000, organization=elderly.pk),
            "youth": apply(street, "四点半课堂", "青少年", 40_000, organization=youth.pk),
            "agency": apply(district, "社工督导", "为老服务", 60_000, other_applicant=agency["id"])}
    post(district, "api:grant-round-transition", {"action": "close_call"}, round_["id"])

    criteria = list(Application.objects.get(pk=apps["elderly"]).round.criteria.values_list("pk", flat=True))
    for expert, values in ((expert_1, {"elderly": 90, "youth": 85, "agency": 80}), (expert_2, {"elderly": 60})):
        client = client_for(expert)
        for key, value in values.items():
            post(client, "api:grant-application-score", {"scores": {str(c): value for c in criteria},
                                                          "submit": True}, apps[key])
    reviews = client_for(expert_2).get(reverse("api:grant-reviews-list")).json()
    assert (reviews["to_score"], reviews["scored"]) == (2, 1)
    post(client_for(expert_2), "api:grant-expert-link-list", {"organization": elderly.pk, "nature": "理事会成员"})
    assert ScoreSheet.objects.get(application_id=apps["elderly"], expert=expert_2).state == "void"
    response = client_for(expert_2).post(reverse("api:grant-application-score", args=[apps["elderly"]]),
                                         {"scores": {}, "submit": False}, content_type="application/json")
    assert response.status_code == 404  # the expert no longer sees the application

    run = post(district, "api:grant-round-allocation", {}, round_["id"], status=201)
    assert run["results"]["rank"]["ring_fence_met"] is True
    assert {k for k, d in run["results"]["rank"]["decisions"].items() if d["funded"]} == {
        str(a) for a in apps.values()}
    post(district, "api:grant-round-decide", {"run": run["id"], "mode": "rank"}, round_["id"])
    assert Application.objects.get(pk=apps["elderly"]).score == Decimal(90)
    notice = district.get(reverse("api:grant-application-notice", args=[apps["elderly"]]))
    assert notice.status_code == 200 and notice["Content-Type"] == "application/pdf"

    post(district, "api:grant-application-transition", {"action": "sign_contract"}, apps["elderly"])
    post(district, "api:grant-application-transition", {"action": "start"}, apps["elderly"])
    tranches = district.get(reverse("api:grant-tranche-list") + f"?application={apps['elderly']}").json()
    tranches = tranches["results"] if isinstance(tranches, dict) else tranches
    first = next(t for t in tranches if t["sequence"] == 1)
    refused = district.post(reverse("api:grant-tranche-release", args=[first["id"]]), {},
                            content_type="application/json")
    assert refused.status_code == 400
    line = Application.objects.get(pk=apps["elderly"]).budget_lines.get()
    report = post(street, "api:grant-application-reports", {"kind": "interim", "progress": "已开展 24 次",
                                                            "spending": {str(line.pk): "12000"}}, apps["elderly"])
    post(district, "api:grant-report-review", {"accept": True}, report["id"])
    post(district, "api:grant-tranche-release", {}, first["id"])
    post(district, "api:grant-tranche-pay", {"amount": first["amount"], "source": source().pk}, first["id"],
         status=201)

    ledger = district.get(reverse("api:grant-fund-ledger", args=[fund["id"]])).json()
    assert (ledger["drawn"], ledger["left"], ledger["paid"]) == ("200000.00", "100000.00", "25000.00")
    share = district.get(reverse("api:grant-share-list") + f"?region={world.county.code}&year=2026").json()[0]
    assert (share["cso"], share["other"], share["total"], share["met"]) == ("90000.00", "60000.00", "150000.00",
                                                                            True)
