"""Venture-grant operations: plain functions taking objects and the acting user (views, the API, tasks, commands).

``transition()`` is the only way a round or an application changes state. It locks the row, checks the step
against the workflow table, runs the side effect in the same transaction and writes the event row; a refused or
failed step leaves the database as it was.
"""

import statistics
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from grants import allocation
from grants.choices import FUNDED_STATES, WITHDRAWN_STATES, AppState, RoundState, SheetState, TrancheState
from grants.effects import EFFECTS
from grants.models import (
    AllocationRun,
    Application,
    ApplicationEvent,
    Assignment,
    Attachment,
    BudgetLine,
    Criterion,
    CriterionScore,
    ExpertLink,
    Fund,
    Payment,
    Round,
    RoundBudget,
    RoundEvent,
    ScoreSheet,
    Subsidy,
    Track,
)
from registry.choices import Grade, Role

GRADE_ORDER = [Grade.A1, Grade.A2, Grade.A3, Grade.A4, Grade.A5]
DEFAULT_RUBRIC = [
    ("Community need", "社区需求是否真实、迫切", 30),
    ("Project design", "目标、活动与预算是否匹配", 25),
    ("Organizational capacity", "团队、经验与管理", 20),
    ("Budget reasonableness", "预算是否合理、节约", 15),
    ("Sustainability", "项目结束后能否持续", 10),
]


def _is(user, *roles) -> bool:
    return user.is_active and (user.is_superuser or user.role in roles)


def _require(user, *roles):
    if not _is(user, *roles):
        names = "、".join(str(Role(r).label) for r in roles)
        raise PermissionDenied(_("Only %(roles)s may do this.") % {"roles": names})


# ------------------------------------------------------------------------------------------------ transitions

GUARDS = {
    "round_ready": lambda round_: not round_readiness(round_),
}


def round_readiness(round_) -> list[str]:
    """What a round still needs before its call can open."""
    problems = []
    tracks = list(round_.tracks.all())
    if not tracks:
        problems.append(_("Add at least one track with its budget."))
    if not round_.budgets.exists():
        problems.append(_("Give the round's budget by funding source."))
    weights = sum(c.weight for c in round_.criteria.all())
    if weights != 100:
        problems.append(_("The rubric's weights add up to %(n)s, not 100.") % {"n": weights})
    if round_.min_amount and round_.max_amount and round_.min_amount > round_.max_amount:
        problems.append(_("The per-project minimum is above the maximum."))
    return problems


def _event_model(obj):
    return (RoundEvent, "round") if isinstance(obj, Round) else (ApplicationEvent, "application")


def refusal(obj, step, user) -> str | None:
    """Why ``user`` may not take ``step`` on ``obj`` now; None when they may."""
    if obj.state not in step.sources:
        return _("Not possible while it is “%(state)s”.") % {"state": obj.get_state_display()}
    if not _is(user, *step.roles):
        names = "、".join(str(Role(r).label) for r in step.roles)
        return _("Only %(roles)s may do this.") % {"roles": names}
    round_ = obj if isinstance(obj, Round) else obj.round
    if Role.DISTRICT_REVIEWER in step.roles and user.role == Role.DISTRICT_REVIEWER \
            and not user.can_see_region(round_.region):
        return _("This round is run by %(region)s, not by your office.") % {"region": round_.region}
    if step.when and not GUARDS[step.when](obj):
        if step.when == "round_ready":
            return " ".join(round_readiness(obj))
        return _("This step does not apply here.")
    return None


def available_transitions(obj, user):
    return [t for t in obj.workflow.transitions if not t.internal and refusal(obj, t, user) is None]


@transaction.atomic
def transition(obj, action, user, comment="", data=None):
    step = obj.workflow.get(action)
    if step is None:
        raise ValidationError(_("Unknown action %(action)s.") % {"action": action})
    model = type(obj)
    locked = model.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=obj.pk).first()
    if locked is None:
        raise PermissionDenied(_("This record lies outside your jurisdiction."))
    reason = refusal(locked, step, user)
    if reason:
        raise PermissionDenied(reason)
    comment = (comment or "").strip()
    if step.needs_reason and not comment:
        raise ValidationError(_("Please give a reason; it is recorded with the decision."))
    from_state = locked.state
    if step.target:
        locked.state = step.target
    if step.effect:
        EFFECTS[step.effect](locked, user, comment, data or {})
    if hasattr(locked, "version"):
        locked.version += 1
    locked.save()
    event_model, field = _event_model(locked)
    event_model.objects.create(**{field: locked}, action=action, from_state=from_state,
                               to_state=locked.state if step.target else "", actor=user, comment=comment)
    return locked


# ------------------------------------------------------------------------------------------------ rounds

@transaction.atomic
def create_round(user, region, **fields) -> Round:
    """A new round in draft, with the default rubric (weights 30/25/20/15/10) ready to edit."""
    _require(user, Role.DISTRICT_REVIEWER, Role.ADMIN)
    if not user.can_see_region(region):
        raise PermissionDenied(_("This region lies outside your jurisdiction."))
    round_ = Round.objects.create(region=region, created_by=user, **fields)
    Criterion.objects.bulk_create(
        Criterion(round=round_, name=name, description=description, weight=weight, sort=index)
        for index, (name, description, weight) in enumerate(DEFAULT_RUBRIC)
    )
    RoundEvent.objects.create(round=round_, action="create", to_state=round_.state, actor=user)
    return round_


def _editable_round(round_, user):
    _require(user, Role.DISTRICT_REVIEWER, Role.ADMIN)
    if not user.can_see_region(round_.region):
        raise PermissionDenied(_("This round is run by %(region)s, not by your office.") % {"region": round_.region})
    if round_.state not in (RoundState.DRAFT, RoundState.OPEN):
        raise ValidationError(_("The round's rules are fixed once the review has started."))


@transaction.atomic
def set_track(user, round_, name, budget) -> Track:
    _editable_round(round_, user)
    track, _created = Track.objects.update_or_create(round=round_, name=name, defaults={"budget": budget})
    return track


@transaction.atomic
def set_budget(user, round_, source, amount) -> RoundBudget:
    _editable_round(round_, user)
    budget, _created = RoundBudget.objects.update_or_create(round=round_, source=source, defaults={"amount": amount})
    return budget


@transaction.atomic
def set_rubric(user, round_, criteria) -> list[Criterion]:
    """Replaces the rubric: ``criteria`` is a list of (name, description, weight); weights must add up to 100."""
    _editable_round(round_, user)
    if round_.state != RoundState.DRAFT:
        raise ValidationError(_("The rubric is fixed once the call is open."))
    if sum(int(w) for _n, _d, w in criteria) != 100:
        raise ValidationError(_("The weights of the rubric must add up to 100."))
    round_.criteria.all().delete()
    return Criterion.objects.bulk_create(
        Criterion(round=round_, name=n, description=d, weight=int(w), sort=i) for i, (n, d, w) in enumerate(criteria))


@transaction.atomic
def add_panel(user, round_, name, experts):
    _editable_round(round_, user) if round_.state in (RoundState.DRAFT, RoundState.OPEN) else _require(
        user, Role.DISTRICT_REVIEWER, Role.ADMIN)
    if any(e.role != Role.GRANT_EXPERT for e in experts):
        raise ValidationError(_("A panel is made of grant experts."))
    panel = round_.panels.create(name=name)
    panel.members.set(experts)
    return panel


@transaction.atomic
def record_fund(user, jurisdiction, year, source, amount, note="") -> Fund:
    _require(user, Role.DISTRICT_REVIEWER, Role.ADMIN)
    if not user.can_see_region(jurisdiction):
        raise PermissionDenied(_("This region lies outside your jurisdiction."))
    fund, _created = Fund.objects.update_or_create(jurisdiction=jurisdiction, year=year, source=source,
                                                   defaults={"amount": amount, "note": note})
    return fund


# ------------------------------------------------------------------------------------------------ applications

def open_rounds_for(user):
    return Round.objects.visible_to(user).filter(state=RoundState.OPEN)


def eligibility_problems(application, at_submission=False) -> list[str]:
    """Every eligibility rule of the round the application breaks, in words (empty when it is eligible)."""
    round_, org = application.round, application.organization
    problems = []
    today = timezone.localdate()
    if at_submission:
        if round_.state != RoundState.OPEN:
            problems.append(_("The call of this round is not open."))
        elif (round_.call_opens_on and today < round_.call_opens_on) or (
                round_.call_closes_on and today > round_.call_closes_on):
            problems.append(_("Applications are taken from %(start)s to %(end)s.") % {
                "start": round_.call_opens_on or "—", "end": round_.call_closes_on or "—"})
    if not org.is_open:
        problems.append(_("%(name)s is closed.") % {"name": org.name})
    if not org.region_id.startswith(round_.region.prefix):
        problems.append(_("%(name)s lies outside the round's jurisdiction.") % {"name": org.name})
    if org.tier not in (round_.allowed_tiers or []):
        problems.append(_("Organizations of the tier “%(tier)s” may not apply to this round.")
                        % {"tier": org.get_tier_display()})
    if round_.min_grade:
        valid = org.grade and (org.grade_valid_until is None or org.grade_valid_until >= today)
        if not valid or GRADE_ORDER.index(org.grade) < GRADE_ORDER.index(round_.min_grade):
            problems.append(_("The round needs an evaluation grade of at least %(grade)s.")
                            % {"grade": round_.min_grade})
    if round_.one_application_per_organization and Application.objects.filter(
            round=round_, organization=org).exclude(state__in=WITHDRAWN_STATES).exclude(pk=application.pk).exists():
        problems.append(_("%(name)s already has an application in this round (one per organization).")
                        % {"name": org.name})
    amount = application.amount_requested or Decimal("0")
    if round_.min_amount is not None and amount < round_.min_amount:
        problems.append(_("The amount requested is below the round's minimum of %(n)s yuan.")
                        % {"n": round_.min_amount})
    if round_.max_amount is not None and amount > round_.max_amount:
        problems.append(_("The amount requested is above the round's maximum of %(n)s yuan.")
                        % {"n": round_.max_amount})
    lines = application.budget_lines.aggregate(total=Sum("amount"), n=Count("pk"))
    if not lines["n"]:
        problems.append(_("Add the budget lines."))
    elif lines["total"] != amount:
        problems.append(_("The budget lines add up to %(total)s yuan, not the %(amount)s yuan requested.")
                        % {"total": lines["total"], "amount": amount})
    if round_.cofunding_pct and application.own_funds < amount * round_.cofunding_pct / 100:
        problems.append(_("Own funds must be at least %(pct)s%% of the amount requested.")
                        % {"pct": round_.cofunding_pct})
    if not application.declares_no_other_public_funding:
        problems.append(_("Declare that the project is not funded by other public money."))
    earlier = Application.objects.filter(organization=org, state__in=FUNDED_STATES,
                                         title__iexact=application.title.strip()).exclude(pk=application.pk)
    earlier = earlier.select_related("round").first()
    if earlier is not None:
        problems.append(_("This project was already funded with public money in “%(round)s”.")
                        % {"round": earlier.round.name})
    if application.track.round_id != round_.pk:
        problems.append(_("The track does not belong to this round."))
    return problems


def may_apply(user) -> bool:
    return _is(user, Role.STREET_STAFF)


@transaction.atomic
def create_application(user, round_, organization, fields, budget_lines, target_groups=()) -> Application:
    """A draft application made by street staff for an organization they can see. ``budget_lines`` is a list
    of (item, amount); they must add up to the amount requested before it can be submitted."""
    from registry.models import Organization

    _require(user, Role.STREET_STAFF)
    if not Organization.objects.visible_to(user).filter(pk=organization.pk).exists():
        raise PermissionDenied(_("This organization lies outside your jurisdiction."))
    # The round row is locked so two drafts for one organization cannot slip in side by side.
    round_ = Round.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=round_.pk).first()
    if round_ is None:
        raise PermissionDenied(_("This round is not open to your jurisdiction."))
    if round_.state != RoundState.OPEN:
        raise ValidationError(_("The call of this round is not open."))
    if round_.one_application_per_organization and Application.objects.filter(
            round=round_, organization=organization).exclude(state__in=WITHDRAWN_STATES).exists():
        raise ValidationError(_("%(name)s already has an application in this round (one per organization).")
                              % {"name": organization.name})
    application = Application.objects.create(round=round_, organization=organization, created_by=user, **fields)
    if application.track.round_id != round_.pk:
        raise ValidationError(_("The track does not belong to this round."))
    application.target_groups.set(target_groups)
    BudgetLine.objects.bulk_create(BudgetLine(application=application, item=item, amount=amount, sort=index)
                                   for index, (item, amount) in enumerate(budget_lines))
    ApplicationEvent.objects.create(application=application, action="create", to_state=application.state,
                                    actor=user)
    return application


@transaction.atomic
def add_attachment(user, application, upload) -> Attachment:
    from filings.documents import check_upload

    _require(user, Role.STREET_STAFF, Role.DISTRICT_REVIEWER)
    if application.state not in (AppState.DRAFT, AppState.SUBMITTED, AppState.IN_PROGRESS, AppState.MIDTERM):
        raise ValidationError(_("Attachments cannot be added in this state."))
    content_type, _digest = check_upload(upload)
    attachment = Attachment(application=application, original_name=upload.name[:200], content_type=content_type,
                            size=upload.size, uploaded_by=user)
    attachment.file.save(upload.name, upload, save=True)
    ApplicationEvent.objects.create(application=application, action="upload", actor=user,
                                    comment=attachment.original_name)
    return attachment


# ------------------------------------------------------------------------------------------------ experts

@transaction.atomic
def declare_link(expert, organization, nature) -> ExpertLink:
    if expert.role != Role.GRANT_EXPERT:
        raise PermissionDenied(_("Only grant experts declare links."))
    link, _created = ExpertLink.objects.get_or_create(expert=expert, organization=organization,
                                                      defaults={"nature": nature})
    return link


def assignment_refusal(application, expert) -> str | None:
    if expert.role != Role.GRANT_EXPERT or not expert.is_active:
        return _("%(name)s is not an active grant expert.") % {"name": expert}
    if ExpertLink.objects.filter(expert=expert, organization_id=application.organization_id).exists():
        return _("%(expert)s declared a link to %(org)s and cannot review its application.") % {
            "expert": expert.get_full_name() or expert.username, "org": application.organization.name}
    if application.state not in (AppState.SUBMITTED, AppState.IN_REVIEW):
        return _("Experts are assigned while the application awaits review.")
    return None


@transaction.atomic
def assign_expert(application, expert, user, panel=None) -> Assignment:
    """Assigns an expert and grants them ``view_application`` on this one application (django-guardian)."""
    _require(user, Role.DISTRICT_REVIEWER, Role.ADMIN)
    if not Application.objects.visible_to(user).filter(pk=application.pk).exists():
        raise PermissionDenied(_("This application lies outside your jurisdiction."))
    reason = assignment_refusal(application, expert)
    if reason:
        raise ValidationError(reason)
    assignment, created = Assignment.objects.get_or_create(
        application=application, expert=expert, defaults={"assigned_by": user, "panel": panel})
    if created:
        assign_perm("view_application", expert, application)
        ApplicationEvent.objects.create(application=application, action="assign", actor=user,
                                        comment=expert.get_full_name() or expert.username)
    return assignment


def assign_panel(application, panel, user) -> tuple[list, list[str]]:
    """Assigns every member of a panel who may review the application; returns (assigned, refusals)."""
    assigned, refused = [], []
    for expert in panel.members.all():
        try:
            assigned.append(assign_expert(application, expert, user, panel=panel))
        except ValidationError as exc:
            refused.extend(exc.messages)
    return assigned, refused


@transaction.atomic
def save_score_sheet(application, expert, scores, comment="", submit=False) -> ScoreSheet:
    """Saves an expert's scores (criterion id → 0-100); ``submit`` locks the sheet for good."""
    if not Assignment.objects.filter(application=application, expert=expert).exists():
        raise PermissionDenied(_("You are not assigned to this application."))
    if application.state != AppState.IN_REVIEW:
        raise PermissionDenied(_("Scores are given while the application is under expert review."))
    sheet, _created = ScoreSheet.objects.select_for_update().get_or_create(application=application, expert=expert)
    if sheet.is_locked:
        raise PermissionDenied(_("This score sheet was submitted and is locked."))
    criteria = list(application.round.criteria.all())
    values = {}
    for criterion in criteria:
        raw = scores.get(criterion.pk, scores.get(str(criterion.pk)))
        if raw in (None, ""):
            if submit:
                raise ValidationError(_("Score every criterion before submitting."))
            continue
        value = Decimal(str(raw))
        if not Decimal("0") <= value <= Decimal("100"):
            raise ValidationError(_("Each criterion is scored from 0 to 100."))
        values[criterion] = value
    for criterion, value in values.items():
        CriterionScore.objects.update_or_create(sheet=sheet, criterion=criterion, defaults={"score": value})
    sheet.total = sum((v * c.weight / 100 for c, v in values.items()), Decimal("0")).quantize(Decimal("0.01"))
    sheet.comment = comment
    if submit:
        sheet.state, sheet.submitted_at = SheetState.SUBMITTED, timezone.now()
        ApplicationEvent.objects.create(application=application, action="score", actor=expert,
                                        comment=str(sheet.total))
    sheet.save()
    return sheet


def application_scores(round_) -> dict[int, Decimal]:
    """Each application's score: the mean of its submitted sheets, or with ``normalise_scores`` the mean of
    per-expert z-scores mapped back onto the scale of all sheets (mean + z × standard deviation), so an
    expert's leniency or severity does not move a project up or down."""
    rows = list(ScoreSheet.objects.filter(application__round=round_, state=SheetState.SUBMITTED)
                .values_list("application_id", "expert_id", "total"))
    if not rows:
        return {}
    by_app = defaultdict(list)
    if round_.normalise_scores and len(rows) > 1:
        by_expert = defaultdict(list)
        for _app, expert, total in rows:
            by_expert[expert].append(float(total))
        overall = [float(t) for _a, _e, t in rows]
        mean_all, sd_all = statistics.fmean(overall), statistics.pstdev(overall)
        stats = {e: (statistics.fmean(v), statistics.pstdev(v)) for e, v in by_expert.items()}
        for app, expert, total in rows:
            mean, sd = stats[expert]
            by_app[app].append((float(total) - mean) / sd if sd else 0.0)
        return {app: Decimal(str(round(mean_all + statistics.fmean(z) * sd_all, 2))) for app, z in by_app.items()}
    for app, _expert, total in rows:
        by_app[app].append(total)
    return {app: (sum(v) / len(v)).quantize(Decimal("0.01")) for app, v in by_app.items()}


# ------------------------------------------------------------------------------------------------ allocation

def constraints_for(round_) -> allocation.Constraints:
    return allocation.Constraints(
        round_budget=round_.budget,
        track_budgets={str(t.pk): t.budget for t in round_.tracks.all()},
        ring_fence_pct=round_.ring_fence_pct, org_cap=round_.org_cap, min_amount=round_.min_amount,
        max_amount=round_.max_amount, pass_score=round_.pass_score,
    )


def candidates_for(round_, scores=None) -> list[allocation.Candidate]:
    """Applications that passed screening compete; those that failed it are listed as ineligible."""
    scores = application_scores(round_) if scores is None else scores
    applications = (round_.applications.filter(state__in=(AppState.IN_REVIEW, AppState.INELIGIBLE))
                    .select_related("organization__region"))
    return [
        allocation.Candidate(
            id=a.pk, track=str(a.track_id), org=a.organization_id,
            is_community=round_.counts_for_ring_fence(a.organization), score=scores.get(a.pk, Decimal("0")),
            amount=a.amount_requested, eligible=a.state == AppState.IN_REVIEW,
            submitted=a.submitted_at.timestamp() if a.submitted_at else 0.0)
        for a in applications
    ]


@transaction.atomic
def run_allocation(round_, user) -> AllocationRun:
    """Scores the round, ranks it and computes both modes; nothing is decided until a mode is applied."""
    _require(user, Role.DISTRICT_REVIEWER, Role.ADMIN)
    if not user.can_see_region(round_.region):
        raise PermissionDenied(_("This round is run by %(region)s, not by your office.") % {"region": round_.region})
    # Locked, so two reviewers running it at once do not write two rankings over each other.
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.state != RoundState.REVIEW:
        raise ValidationError(_("The allocation runs once the call is closed and the review has started."))
    scores = application_scores(round_)
    candidates = candidates_for(round_, scores)
    results = allocation.allocate(candidates, constraints_for(round_))
    rank = results[allocation.Mode.RANK]
    updates = []
    for application in round_.applications.filter(pk__in=[c.id for c in candidates]):
        application.score = scores.get(application.pk)
        application.rank = rank.decisions[application.pk].rank
        updates.append(application)
    Application.objects.bulk_update(updates, ["score", "rank"])
    return AllocationRun.objects.create(round=round_, created_by=user,
                                        results={mode: result.as_dict() for mode, result in results.items()})


def apply_run(round_, run, mode, user):
    """The round's "decide" effect: funded → awarded, the rest above the line → reserve, others → declined."""
    if run.round_id != round_.pk:
        raise ValidationError(_("This allocation belongs to another round."))
    if mode not in run.results:
        raise ValidationError(_("Unknown allocation mode."))
    decisions = run.results[mode]["decisions"]
    waiting = {a.pk: a for a in round_.applications.filter(state=AppState.IN_REVIEW)}
    groups, events = defaultdict(list), []
    for key, decision in decisions.items():
        application = waiting.get(int(key))
        if application is None:
            continue
        if decision["funded"]:
            state, action = AppState.AWARDED, "award"
        elif decision["reason"] in (allocation.Reason.BELOW_LINE, allocation.Reason.INELIGIBLE,
                                    allocation.Reason.OUT_OF_LIMITS):
            state, action = AppState.DECLINED, "decline"
        else:
            state, action = AppState.RESERVE, "reserve"
        groups[(state, decision["reason"])].append(application.pk)
        events.append(ApplicationEvent(application=application, action=action, from_state=AppState.IN_REVIEW,
                                       to_state=state, actor=user, comment=decision["reason"]))
    for (state, reason), ids in groups.items():
        rows = Application.objects.filter(pk__in=ids)
        if state == AppState.AWARDED:
            for application in rows:
                application.state, application.allocation_reason = state, reason
                application.awarded_amount = application.amount_requested
            Application.objects.bulk_update(rows, ["state", "allocation_reason", "awarded_amount"])
        else:
            rows.update(state=state, allocation_reason=reason, awarded_amount=None)
    ApplicationEvent.objects.bulk_create(events)
    round_.allocation_mode = mode


def decide(round_, run, mode, user):
    return transition(round_, "decide", user, comment=mode, data={"run": run, "mode": mode})


def override(application, user, award, reason, amount=None):
    """A manual change of the allocation's decision: needs a written reason, logged as an event."""
    return transition(application, "override_award" if award else "override_decline", user, comment=reason,
                      data={"amount": amount} if amount else {})


# ------------------------------------------------------------------------------------------------ money

@transaction.atomic
def record_payment(tranche, user, amount, source, paid_on=None, reference="") -> Payment:
    from grants.models import Tranche

    _require(user, Role.DISTRICT_REVIEWER, Role.ADMIN)
    locked = Tranche.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=tranche.pk).first()
    if locked is None:
        raise PermissionDenied(_("This tranche lies outside your jurisdiction."))
    if locked.state != TrancheState.RELEASED:
        raise ValidationError(_("Only a released tranche can be paid (this one is “%(state)s”).")
                              % {"state": locked.get_state_display()})
    amount = Decimal(str(amount))
    paid = locked.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if amount <= 0 or paid + amount > locked.amount:
        raise ValidationError(_("The payment must be positive and at most the %(left)s yuan left on the tranche.")
                              % {"left": locked.amount - paid})
    payment = Payment.objects.create(tranche=locked, amount=amount, source=source, reference=reference,
                                     paid_on=paid_on or timezone.localdate(), recorded_by=user)
    if paid + amount == locked.amount:
        locked.state = TrancheState.PAID
        locked.save(update_fields=["state"])
    ApplicationEvent.objects.create(application=locked.application, action="payment", actor=user,
                                    comment=f"#{locked.sequence} {amount}")
    return payment


def disbursement_totals(payments):
    """Paid totals per organization, per round and per source over a (scoped) Payment queryset."""
    return {
        "organization": list(payments.values("tranche__application__organization__name")
                             .annotate(total=Sum("amount")).order_by("-total")),
        "round": list(payments.values("tranche__application__round__name")
                      .annotate(total=Sum("amount")).order_by("-total")),
        "source": list(payments.values("source__name").annotate(total=Sum("amount")).order_by("-total")),
    }


@transaction.atomic
def record_subsidy(user, organization, kind, amount, source, granted_on=None, note="") -> Subsidy:
    from registry.models import Organization

    _require(user, Role.DISTRICT_REVIEWER, Role.STREET_STAFF, Role.ADMIN)
    if not Organization.objects.visible_to(user).filter(pk=organization.pk).exists():
        raise PermissionDenied(_("This organization lies outside your jurisdiction."))
    if kind.vocabulary not in ("subsidy_kind", "reward_kind") or source.vocabulary != "funding_source":
        raise ValidationError(_("Choose a subsidy or reward kind and a funding source."))
    return Subsidy.objects.create(organization=organization, kind=kind, amount=amount, source=source,
                                  granted_on=granted_on or timezone.localdate(), note=note, recorded_by=user)


def subsidy_totals(subsidies, level_length=9):
    """Totals by kind and by region (the code prefix of the given length: 6 county, 9 street, 12 community)."""
    from django.db.models.functions import Left

    by_kind = list(subsidies.values("kind__vocabulary", "kind__name").annotate(total=Sum("amount"), n=Count("pk"))
                   .order_by("kind__vocabulary", "kind__name"))
    by_region = list(subsidies.annotate(area=Left("organization__region_id", level_length)).values("area")
                     .annotate(total=Sum("amount"), n=Count("pk")).order_by("area"))
    return {"kind": by_kind, "region": by_region,
            "total": subsidies.aggregate(total=Sum("amount"))["total"] or Decimal("0")}


# ------------------------------------------------------------------------------------------------ outputs

def round_summary(round_, applications=None) -> dict:
    """Money awarded by category, tier, region (street) and track, and the community share against the
    ring-fence. Aggregated in the database."""
    from django.db.models.functions import Left

    awarded = (applications if applications is not None else round_.applications.all()).filter(
        state__in=FUNDED_STATES)
    total = awarded.aggregate(total=Sum("awarded_amount"))["total"] or Decimal("0")
    community_q = Q(organization__tier__in=round_.ring_fence_tiers or [])
    if round_.ring_fence_registered_in_community:
        community_q |= Q(organization__tier="registered", organization__region__level=5)
    community = awarded.filter(community_q).aggregate(total=Sum("awarded_amount"))["total"] or Decimal("0")
    share = (community * 100 / total).quantize(Decimal("0.01")) if total else Decimal("0")

    def by(field):
        return list(awarded.values(field).annotate(total=Sum("awarded_amount"), n=Count("pk")).order_by(field))

    return {
        "total": total, "community": community, "share": share, "ring_fence_pct": round_.ring_fence_pct,
        "ring_fence_met": community * 100 >= round_.ring_fence_pct * total,
        "by_category": by("organization__category__name"),
        "by_tier": by("organization__tier"),
        "by_track": by("track__name"),
        "by_region": list(awarded.annotate(street=Left("organization__region_id", 9)).values("street")
                          .annotate(total=Sum("awarded_amount"), n=Count("pk")).order_by("street")),
        "states": list(round_.applications.values("state").annotate(n=Count("pk")).order_by("state")),
        "budget": round_.budget,
    }
