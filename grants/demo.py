"""Demo round: a county's venture-grant round under review, with scored applications from the demo street."""

from decimal import Decimal

from grants import services
from grants.models import Round
from registry.models import Organization, Term, User

TITLES = ["邻里助餐", "银龄课堂", "四点半课堂", "楼道微更新", "家门口调解", "乡村文化礼堂"]


def extend_demo(result):
    county = result["county"]
    reviewer = User.objects.get(username="reviewer")
    if Round.objects.filter(region=county, year=2026).exists():
        return
    street = User.objects.get(username="street")
    expert = User.objects.get(username="expert")
    round_ = services.create_round(reviewer, county, name=f"2026年{county.name}公益创投", year=2026,
                                   min_amount=Decimal(10_000), max_amount=Decimal(100_000))
    services.set_track(reviewer, round_, "为老服务", Decimal(300_000))
    services.set_track(reviewer, round_, "青少年与家庭", Decimal(200_000))
    for code, fund_amount, drawn in (("public_finance", 500_000, 300_000), ("lottery", 200_000, 150_000)):
        fund = services.record_fund(reviewer, county, 2026, Term.objects.get(vocabulary="funding_source", code=code),
                                    Decimal(fund_amount))
        services.set_budget(reviewer, round_, fund, Decimal(drawn))
    round_ = services.transition(round_, "open_call", reviewer)
    organizations = Organization.objects.visible_to(street).open().order_by("tier", "pk")[: len(TITLES)]
    tracks = list(round_.tracks.all())
    for index, org in enumerate(organizations):
        amount = Decimal(30_000 + 10_000 * (index % 5))
        app = services.create_application(street, round_, org, {
            "track": tracks[index % 2], "title": TITLES[index], "summary": f"{org.name}的{TITLES[index]}项目",
            "expected_beneficiaries": 60 + 20 * index, "amount_requested": amount,
            "declares_no_other_public_funding": True, "timeline": "3月启动，9月中期评估，12月结项",
        }, [("活动费", amount * Decimal("0.7")), ("人员费", amount * Decimal("0.3"))])
        services.transition(app, "submit", street)
    round_ = services.transition(round_, "close_call", reviewer)
    for index, app in enumerate(round_.applications.order_by("pk")):
        app = services.transition(app, "pass_screening", reviewer)
        if index % 3 == 2:
            continue  # left for the demo expert to score
        services.assign_expert(app, expert, reviewer)
        services.save_score_sheet(app, expert, {c.pk: 70 + 4 * index for c in round_.criteria.all()}, submit=True)
