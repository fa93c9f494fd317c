"""Builders for venture-grant tests: a round ready to take applications, and applications at any stage."""

from decimal import Decimal

from grants import services
from grants.choices import RoundState
from grants.models import Fund, Round, RoundBudget, Track
from registry.models import Term
from tests.factories import OrganizationFactory


def source(code="public_finance"):
    return Term.objects.get(vocabulary="funding_source", code=code)


def open_round(region, creator, tracks=(("助老", 200_000), ("青少年", 150_000)), budget=320_000, **rules):
    """A round of ``region`` with its tracks and budget, call open (built directly, not through the pages)."""
    round_ = Round.objects.create(region=region, name=rules.pop("name", f"{region.name}公益创投"), year=2026,
                                  created_by=creator, state=RoundState.OPEN, **rules)
    for index, (name, amount) in enumerate(tracks):
        Track.objects.create(round=round_, name=name, budget=Decimal(amount), sort=index)
    fund, _created = Fund.objects.get_or_create(jurisdiction=region, year=2026, source=source(),
                                                defaults={"amount": Decimal(0)})
    fund.amount += Decimal(budget)
    fund.save()
    RoundBudget.objects.create(round=round_, source=source(), fund=fund, amount=Decimal(budget))
    for index, (name, description, weight) in enumerate(services.DEFAULT_RUBRIC):
        round_.criteria.create(name=name, description=description, weight=weight, sort=index)
    return round_


def organization(community, tier="filed", **extra):
    if tier == "registered":
        from tests.factories import make_uscc

        extra.setdefault("uscc", make_uscc(serial=f"MJ{OrganizationFactory._meta.next_sequence():07d}"))
        extra.setdefault("legal_form", "social_group")
        extra.setdefault("filing_number", None)
    elif tier == "community":
        extra.setdefault("ledger_number", f"TZ-{OrganizationFactory._meta.next_sequence():05d}")
        extra.setdefault("filing_number", None)
    return OrganizationFactory(region=community, tier=tier, **extra)


def application(round_, org, staff, amount=50_000, track=None, title=None, lines=None, **fields):
    """A draft application; budget lines add up to the amount unless ``lines`` says otherwise."""
    amount = Decimal(amount)
    values = {
        "track": track or round_.tracks.first(), "title": title or f"{org.name}项目",
        "summary": "为社区老人提供助餐服务",
        "expected_beneficiaries": 120, "amount_requested": amount, "declares_no_other_public_funding": True,
        "timeline": "3月启动，9月中期，12月结项",
    }
    values.update(fields)
    if lines is None:
        lines = [("人员费", amount * Decimal("0.6")), ("活动费", amount - amount * Decimal("0.6"))]
    return services.create_application(staff, round_, org, values, lines)


def screened(round_, org, staff, reviewer, **kwargs):
    """An application submitted and passed eligibility screening (in expert review)."""
    app = application(round_, org, staff, **kwargs)
    app = services.transition(app, "submit", staff)
    return services.transition(app, "pass_screening", reviewer)


def score(app, expert, reviewer, value):
    """Assign ``expert`` and submit a sheet with every criterion at ``value`` (scoring must be open)."""
    services.assign_expert(app, expert, reviewer)
    criteria = {c.pk: value for c in app.round.criteria.all()}
    return services.save_score_sheet(app, expert, criteria, submit=True)
