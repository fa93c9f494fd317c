"""Venture-grant operations: plain functions taking objects and the acting user (views, the API, tasks, commands).

A round or an application changes state only through the workflow kit's ``transition()`` (registry/workflow.py):
it locks the row, checks the version and the step against the workflow table, runs the side effect in the same
transaction and writes the event row; a refused or failed step leaves the database as it was.
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
from grants.choices import (
    EDITABLE_STATES,
    FUNDED_STATES,
    WITHDRAWN_STATES,
    AppState,
    ReportKind,
    ReportState,
    RoundState,
    SheetState,
    TrancheState,
)
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
    OtherApplicant,
    Payment,
    ProjectReport,
    Round,
    RoundBudget,
    RoundEvent,
    ScoreSheet,
    Subsidy,
    Track,
    Tranche,
    ancestor_codes,
)
from grants.workflows import GUARDS, is_filer, round_readiness  # noqa: F401
from registry.choices import Grade, Role
from registry.workflow import TransitionConflict, available_transitions, refusal, transition  # noqa: F401

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
# Rounds and applications move through the workflow kit (registry/workflow.py) on the tables of grants/workflows.py;
# its names are re-exported here for the pages, the API and the tests.


# ------------------------------------------------------------------------------------------------ rounds

@transaction.atomic
def _positive(amount, message):
    """Money the portal records is at least one fen; forms and serializers say so per field, this is the backstop
    every write path shares."""
    if amount is None or not isinstance(amount, Decimal | int) or isinstance(amount, bool) or amount <= 0:
        raise ValidationError(message)
    return amount


def round_rule_problems(fields) -> dict[str, str]:
    """The money rules of a round: optional limits positive, minimum at most maximum, tranches positive whole
    percentages adding up to 100. Field name -> message."""
    problems = {}
    for name in ("min_amount", "max_amount", "org_cap"):
        value = fields.get(name)
        if value is not None and value <= 0:
            problems[name] = _("An amount must be positive.")
    low, high = fields.get("min_amount"), fields.get("max_amount")
    if low and high and low > high:
        problems["max_amount"] = _("The maximum per project is below the minimum.")
    if "tranche_plan" in fields:
        plan = fields["tranche_plan"]
        if not isinstance(plan, list) or not plan or any(
                isinstance(p, bool) or not isinstance(p, int) or p <= 0 for p in plan) or sum(plan) != 100:
            problems["tranche_plan"] = _("The shares must be positive and add up to 100.")
    return problems


def create_round(user, region, **fields) -> Round:
    """A new round in draft, with the default rubric (weights 30/25/20/15/10) ready to edit."""
    _require(user, Role.DISTRICT_REVIEWER, Role.ADMIN)
    if not user.can_see_region(region):
        raise PermissionDenied(_("This region lies outside your jurisdiction."))
    problems = round_rule_problems(fields)
    if problems:
        raise ValidationError(problems)
    round_ = Round.objects.create(region=region, created_by=user, **fields)
    Criterion.objects.bulk_create(
        Criterion(round=round_, name=name, description=description, weight=weight, sort=index)
        for index, (name, description, weight) in enumerate(DEFAULT_RUBRIC)
    )
    RoundEvent.objects.create(round=round_, action="create", to_state=round_.state, actor=user)
    return round_


def config_frozen(round_) -> bool:
    """Tracks, budgets, panels and the rubric are fixed once scoring opens (the call closes)."""
    return round_.state not in (RoundState.DRAFT, RoundState.OPEN)


def _editable_round(round_, user):
    _require(user, Role.DISTRICT_REVIEWER, Role.ADMIN)
    if not user.can_see_region(round_.region):
        raise PermissionDenied(_("This round is run by %(region)s, not by your office.") % {"region": round_.region})
    if config_frozen(round_):
        raise ValidationError(_("The round's configuration is frozen: scoring has opened."))


def _committed(applications) -> Decimal:
    return applications.filter(state__in=FUNDED_STATES).aggregate(
        total=Sum("awarded_amount"))["total"] or Decimal("0")


@transaction.atomic
def set_track(user, round_, name, budget) -> Track:
    """Adds a track or changes its budget. Tracks may together exceed the round's budget: an award must fit
    both its track's budget and the round's."""
    _editable_round(round_, user)
    budget = Decimal(budget)
    if budget <= 0:
        raise ValidationError(_("A track's budget must be positive."))
    track, _created = Track.objects.update_or_create(round=round_, name=name, defaults={"budget": budget})
    return track


def fund_left(fund, excluding_round=None) -> Decimal:
    """What a fund has not yet given to rounds."""
    drawn = fund.round_budgets.all()
    if excluding_round is not None:
        drawn = drawn.exclude(round=excluding_round)
    return fund.amount - (drawn.aggregate(total=Sum("amount"))["total"] or Decimal("0"))


def funds_for(round_, user):
    """Funds a round may draw on: same year, the round's jurisdiction or a region above it, visible to the user."""
    codes = {round_.region_id} | set(ancestor_codes([round_.region_id]))
    return Fund.objects.visible_to(user).filter(year=round_.year, jurisdiction_id__in=codes).select_related(
        "source", "jurisdiction")


@transaction.atomic
def set_budget(user, round_, fund, amount) -> RoundBudget:
    """Draws ``amount`` from ``fund`` for the round (one line per source). Refused above what the fund has left,
    naming the fund."""
    _editable_round(round_, user)
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationError(_("A budget must be positive."))
    # Locked, so two rounds drawing on one fund at once cannot both take its last yuan.
    fund = funds_for(round_, user).select_for_update(of=("self",)).filter(pk=fund.pk).first()
    if fund is None:
        raise ValidationError(_("Choose a fund of %(year)s of the round's jurisdiction or a region above it.")
                              % {"year": round_.year})
    left = fund_left(fund, excluding_round=round_)
    if amount > left:
        raise ValidationError(_("The fund “%(fund)s” has %(left)s yuan left, less than %(n)s yuan.")
                              % {"fund": fund, "left": left, "n": amount})
    budget, _created = RoundBudget.objects.update_or_create(round=round_, source=fund.source,
                                                            defaults={"amount": amount, "fund": fund})
    return budget


@transaction.atomic
def set_rubric(user, round_, criteria) -> list[Criterion]:
    """Replaces the rubric: ``criteria`` is a list of (name, description, weight); weights must add up to 100."""
    from registry.audit import record
    from registry.models import AuditAction

    _editable_round(round_, user)
    criteria = [(str(n).strip(), str(d).strip(), w) for n, d, w in criteria if str(n).strip()]
    if not criteria:
        raise ValidationError(_("The rubric needs at least one criterion."))
    try:
        weights = [int(w) for _n, _d, w in criteria]
    except (TypeError, ValueError):
        raise ValidationError(_("Each weight is a whole number from 1 to 100.")) from None
    if any(not 1 <= w <= 100 for w in weights):
        raise ValidationError(_("Each weight is a whole number from 1 to 100."))
    if sum(weights) != 100:
        raise ValidationError(_("The weights of the rubric must add up to 100, not %(n)s.") % {"n": sum(weights)})
    before = [(c.name, c.description, c.weight) for c in round_.criteria.all()]
    round_.criteria.all().delete()
    rows = Criterion.objects.bulk_create(
        Criterion(round=round_, name=n[:100], description=d[:300], weight=w, sort=i)
        for i, ((n, d, _w), w) in enumerate(zip(criteria, weights, strict=True)))
    record(AuditAction.UPDATE, round_, user=user,
           changes={"rubric": {"before": before, "after": [(c.name, c.description, c.weight) for c in rows]}})
    RoundEvent.objects.create(round=round_, action="rubric", actor=user,
                              comment="; ".join(f"{c.name} {c.weight}" for c in rows))
    return rows


@transaction.atomic
def add_panel(user, round_, name, experts):
    _editable_round(round_, user)
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
    _positive(amount, _("A fund's amount must be positive."))
    fund, _created = Fund.objects.update_or_create(jurisdiction=jurisdiction, year=year, source=source,
                                                   defaults={"amount": amount, "note": note})
    return fund


# ------------------------------------------------------------------------------------------------ applications

def open_rounds_for(user):
    return Round.objects.visible_to(user).filter(state=RoundState.OPEN)


def _normalised(title) -> str:
    """A project title reduced to its words: width, case, spaces, punctuation and year numbers do not count."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", title or "").lower()
    text = re.sub(r"(19|20)\d{2}年?(度)?", "", text)
    text = re.sub(r"第?[一二三四五六七八九十\d]+期", "", text)
    return re.sub(r"[\W_]+", "", text)


def same_project(title_a, title_b) -> bool:
    """Two titles name one project: equal or one containing the other once normalised, or 80 % alike."""
    from difflib import SequenceMatcher

    a, b = _normalised(title_a), _normalised(title_b)
    if not a or not b:
        return False
    if a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a)):
        return True
    return SequenceMatcher(None, a, b).ratio() >= 0.8


def double_funding(application):
    """An earlier or parallel application of the same applicant for the same project that holds public money
    (awarded or further), or is still being decided in another round: the first one found, else None."""
    applicant = ({"organization_id": application.organization_id} if application.organization_id
                 else {"other_applicant_id": application.other_applicant_id})
    live = (*FUNDED_STATES, AppState.SUBMITTED, AppState.IN_REVIEW, AppState.RESERVE)
    others = (Application.objects.filter(**applicant, state__in=live).exclude(pk=application.pk)
              .exclude(round_id=application.round_id).select_related("round"))
    return next((other for other in others if same_project(other.title, application.title)), None)


def eligibility_problems(application, at_submission=False) -> list[str]:
    """Every eligibility rule of the round the application breaks, in words (empty when it is eligible)."""
    round_, org = application.round, application.applicant
    problems = []
    today = timezone.localdate()
    if at_submission:
        if round_.state != RoundState.OPEN:
            problems.append(_("The call of this round is not open."))
        elif (round_.call_opens_on and today < round_.call_opens_on) or (
                round_.call_closes_on and today > round_.call_closes_on):
            problems.append(_("Applications are taken from %(start)s to %(end)s.") % {
                "start": round_.call_opens_on or "—", "end": round_.call_closes_on or "—"})
    if application.is_cso:
        if not org.is_open:
            problems.append(_("%(name)s is closed.") % {"name": org.name})
        if org.tier not in (round_.allowed_tiers or []):
            problems.append(_("Organizations of the tier “%(tier)s” may not apply to this round.")
                            % {"tier": org.get_tier_display()})
        if round_.min_grade:
            valid = org.grade and (org.grade_valid_until is None or org.grade_valid_until >= today)
            if not valid or GRADE_ORDER.index(org.grade) < GRADE_ORDER.index(round_.min_grade):
                problems.append(_("The round needs an evaluation grade of at least %(grade)s.")
                                % {"grade": round_.min_grade})
    if not org.region_id.startswith(round_.region.prefix):
        problems.append(_("%(name)s lies outside the round's jurisdiction.") % {"name": org.name})
    applicant = ({"organization_id": application.organization_id} if application.is_cso
                 else {"other_applicant_id": application.other_applicant_id})
    if round_.one_application_per_organization and Application.objects.filter(
            round=round_, **applicant).exclude(state__in=WITHDRAWN_STATES).exclude(pk=application.pk).exists():
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
    earlier = double_funding(application)
    if earlier is not None:
        problems.append(_("The same project of this applicant is already funded or applied for in “%(round)s” "
                          "(“%(title)s”).") % {"round": earlier.round.name, "title": earlier.title})
    if application.track.round_id != round_.pk:
        problems.append(_("The track does not belong to this round."))
    return problems


def may_apply(user) -> bool:
    return _is(user, Role.STREET_STAFF, Role.DISTRICT_REVIEWER)


def rounds_open_to(organization):
    """Rounds whose call is open in a jurisdiction that contains the organization (what it may apply to itself)."""
    codes = [region.code for region in organization.region.ancestors(include_self=True)]
    return Round.objects.filter(state=RoundState.OPEN, region__code__in=codes).select_related("region")


def _own_organization(user):
    from registry.accounts import membership_of

    member = membership_of(user)
    if member is None:
        raise PermissionDenied(_("Only an organization's own users apply for it."))
    return member.organization


def _check_applicant(user, organization, other_applicant):
    from registry.models import Organization

    if (organization is None) == (other_applicant is None):
        raise ValidationError(_("Give either a community social organization or another applicant."))
    if user.role == Role.ORGANIZATION:  # the organization applying online for itself, never for another
        if organization is None or organization.pk != _own_organization(user).pk:
            raise PermissionDenied(_("An organization applies for itself only."))
    elif organization is not None:
        _require(user, Role.STREET_STAFF)
        if not Organization.objects.visible_to(user).filter(pk=organization.pk).exists():
            raise PermissionDenied(_("This organization lies outside your jurisdiction."))
    else:
        # Applicants that are not CSOs (a county social-work agency...) apply through the district bureau.
        _require(user, Role.DISTRICT_REVIEWER)
        if not OtherApplicant.objects.visible_to(user).filter(pk=other_applicant.pk).exists():
            raise PermissionDenied(_("This applicant lies outside your jurisdiction."))


def _check_money(fields, budget_lines):
    if "amount_requested" in fields:
        _positive(fields["amount_requested"], _("The amount requested must be positive."))
    if fields.get("own_funds") is not None and fields["own_funds"] < 0:
        raise ValidationError(_("Own funds cannot be negative."))
    for _item, amount in budget_lines:
        _positive(amount, _("Each budget line must be a positive amount."))


def _write_lines(application, budget_lines):
    application.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(BudgetLine(application=application, item=item, amount=amount, sort=index)
                                   for index, (item, amount) in enumerate(budget_lines))


@transaction.atomic
def create_application(user, round_, organization, fields, budget_lines, target_groups=(),
                       other_applicant=None) -> Application:
    """A draft application: made by street staff for an organization they can see, or by the district for an
    applicant that is not a CSO. ``budget_lines`` is a list of (item, amount); they must add up to the amount
    requested before it can be submitted."""
    _check_applicant(user, organization, other_applicant)
    _check_money(fields, budget_lines)
    # The round row is locked so two drafts for one organization cannot slip in side by side.
    rounds = rounds_open_to(organization) if user.role == Role.ORGANIZATION else Round.objects.visible_to(user)
    round_ = rounds.select_for_update(of=("self",)).filter(pk=round_.pk).first()
    if round_ is None:
        raise PermissionDenied(_("This round is not open to your jurisdiction."))
    if round_.state != RoundState.OPEN:
        raise ValidationError(_("The call of this round is not open."))
    applicant = {"organization": organization} if organization is not None else {"other_applicant": other_applicant}
    if round_.one_application_per_organization and Application.objects.filter(
            round=round_, **applicant).exclude(state__in=WITHDRAWN_STATES).exists():
        raise ValidationError(_("%(name)s already has an application in this round (one per organization).")
                              % {"name": organization or other_applicant})
    application = Application.objects.create(round=round_, created_by=user, **applicant, **fields)
    if application.track.round_id != round_.pk:
        raise ValidationError(_("The track does not belong to this round."))
    application.target_groups.set(target_groups)
    _write_lines(application, budget_lines)
    ApplicationEvent.objects.create(application=application, action="create", to_state=application.state,
                                    actor=user)
    return application


@transaction.atomic
def update_application(user, application, fields, budget_lines, target_groups=()) -> Application:
    """Changes a draft or a returned application (never once submitted and not returned)."""
    _require(user, Role.STREET_STAFF, Role.DISTRICT_REVIEWER, Role.ORGANIZATION)
    locked = Application.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=application.pk).first()
    if locked is None:
        raise PermissionDenied(_("This application lies outside your jurisdiction."))
    if locked.state not in EDITABLE_STATES:
        raise ValidationError(_("Only a draft or a returned application can be changed (this one is “%(state)s”).")
                              % {"state": locked.get_state_display()})
    if (locked.organization_id is None) != (user.role == Role.DISTRICT_REVIEWER):
        raise PermissionDenied(_("The application is changed by whoever files it for the applicant."))
    _check_money(fields, budget_lines)
    for name, value in fields.items():
        setattr(locked, name, value)
    if locked.track.round_id != locked.round_id:
        raise ValidationError(_("The track does not belong to this round."))
    locked.version += 1
    locked.save()
    locked.target_groups.set(target_groups)
    _write_lines(locked, budget_lines)
    ApplicationEvent.objects.create(application=locked, action="edit", actor=user)
    return locked


@transaction.atomic
def record_other_applicant(user, name, uscc, region, nature) -> OtherApplicant:
    """Records a social organization that is not a CSO (checked USCC of a civil-affairs social organization)."""
    from stdnum.cn import uscc as uscc_check
    from stdnum.exceptions import ValidationError as CodeError

    _require(user, Role.DISTRICT_REVIEWER, Role.ADMIN)
    if not user.can_see_region(region):
        raise PermissionDenied(_("This region lies outside your jurisdiction."))
    code = (uscc or "").strip().upper()
    try:
        code = uscc_check.validate(code)
    except CodeError:
        raise ValidationError(_("“%(code)s” is not a valid unified social credit code.") % {"code": code}) from None
    if not code.startswith("5"):
        raise ValidationError(_("The code of a social organization registered by civil affairs starts with 5."))
    from registry.models import Organization

    if Organization.objects.filter(uscc=code).exists():
        raise ValidationError(_("This code belongs to an organization of the registry: it applies as a CSO."))
    other, _created = OtherApplicant.objects.update_or_create(
        uscc=code, defaults={"name": name.strip(), "region": region, "nature": nature.strip(), "recorded_by": user})
    return other


@transaction.atomic
def add_attachment(user, application, upload) -> Attachment:
    from registry.documents import check_upload

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

# Applications an expert's sheet can still count for: a conflict found before the decision voids it.
REVIEW_STATES = (AppState.SUBMITTED, AppState.IN_REVIEW)


@transaction.atomic
def declare_link(expert, organization, nature) -> ExpertLink:
    """An expert declares a link to an organization. Any assignment of theirs on that organization's
    applications still under review is voided at once (the sheet is kept, marked and no longer counted) and the
    application waits for a replacement expert."""
    if expert.role != Role.GRANT_EXPERT:
        raise PermissionDenied(_("Only grant experts declare links."))
    link, _created = ExpertLink.objects.get_or_create(expert=expert, organization=organization,
                                                      defaults={"nature": nature})
    for assignment in Assignment.objects.filter(expert=expert, application__organization=organization,
                                                application__state__in=REVIEW_STATES, voided_at__isnull=True):
        void_assignment(assignment, expert, _("%(expert)s declared a link to %(org)s (%(nature)s).") % {
            "expert": expert.get_full_name() or expert.username, "org": organization.name, "nature": link.nature})
    return link


def void_assignment(assignment, actor, reason):
    """Voids an expert's assignment for a conflict of interest: the sheet stays as it was, marked void and left out
    of the score; the expert loses sight of the application; the application asks for a replacement."""
    from guardian.shortcuts import remove_perm

    assignment.voided_at, assignment.void_reason = timezone.now(), reason[:300]
    assignment.save(update_fields=["voided_at", "void_reason"])
    sheet = ScoreSheet.objects.filter(application=assignment.application, expert=assignment.expert).first()
    if sheet is not None:
        sheet.state, sheet.void_reason = SheetState.VOID, reason[:300]
        sheet.save(update_fields=["state", "void_reason", "updated_at"])
    remove_perm("view_application", assignment.expert, assignment.application)
    ApplicationEvent.objects.create(application=assignment.application, action="conflict", actor=actor,
                                    comment=reason)


def conflicted(assignment) -> bool:
    return ExpertLink.objects.filter(expert_id=assignment.expert_id,
                                     organization_id=assignment.application.organization_id).exists()


def check_conflicts(applications, actor) -> int:
    """Voids every live assignment on these applications whose expert has declared a link to the applicant (run
    when scoring opens); returns how many were voided."""
    voided = 0
    for assignment in Assignment.objects.filter(application__in=applications, voided_at__isnull=True).select_related(
            "application__organization", "expert"):
        if assignment.application.organization_id and conflicted(assignment):
            void_assignment(assignment, actor, _("%(expert)s has a declared link to %(org)s.") % {
                "expert": assignment.expert.get_full_name() or assignment.expert.username,
                "org": assignment.application.organization.name})
            voided += 1
    return voided


def needs_replacement(application) -> bool:
    return application.assignments.filter(voided_at__isnull=False, replaced_by__isnull=True).exists()


def assignment_refusal(application, expert) -> str | None:
    if expert.role != Role.GRANT_EXPERT or not expert.is_active:
        return _("%(name)s is not an active grant expert.") % {"name": expert}
    if application.organization_id and ExpertLink.objects.filter(
            expert=expert, organization_id=application.organization_id).exists():
        return _("%(expert)s declared a link to %(org)s and cannot review its application.") % {
            "expert": expert.get_full_name() or expert.username, "org": application.organization.name}
    if Assignment.objects.filter(application=application, expert=expert, voided_at__isnull=False).exists():
        return _("%(expert)s's assignment to this application was voided for a conflict of interest.") % {
            "expert": expert.get_full_name() or expert.username}
    if application.state not in REVIEW_STATES:
        return _("Experts are assigned while the application awaits review.")
    return None


@transaction.atomic
def assign_expert(application, expert, user, panel=None) -> Assignment:
    """Assigns an expert and grants them ``view_application`` on this one application (django-guardian); a
    voided assignment waiting for a replacement is marked replaced by this one."""
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
        waiting = application.assignments.filter(voided_at__isnull=False, replaced_by__isnull=True).first()
        if waiting is not None:
            waiting.replaced_by = assignment
            waiting.save(update_fields=["replaced_by"])
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


class ConflictOfInterest(PermissionDenied):
    """Raised after the conflicted assignment is voided: the caller commits that, then reports the refusal."""


def save_score_sheet(application, expert, scores, comment="", submit=False) -> ScoreSheet:
    """Saves an expert's scores (criterion id → 0-100); ``submit`` locks the sheet for good. A declared link to
    the applicant, found here, voids the assignment (kept) and refuses the sheet."""
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().filter(application=application, expert=expert).first()
        if assignment is None:
            raise PermissionDenied(_("You are not assigned to this application."))
        if assignment.voided_at is not None:
            raise PermissionDenied(_("Your assignment was voided for a conflict of interest: %(reason)s")
                                   % {"reason": assignment.void_reason})
        conflict = application.organization_id and conflicted(assignment)
        if conflict:
            void_assignment(assignment, expert, _("%(expert)s has a declared link to %(org)s.") % {
                "expert": expert.get_full_name() or expert.username, "org": application.organization.name})
    if conflict:
        raise ConflictOfInterest(_("You declared a link to this organization: your sheet is void and not counted."))
    return _save_sheet(application, expert, scores, comment, submit)


@transaction.atomic
def _save_sheet(application, expert, scores, comment, submit):
    application = Application.objects.select_related("round").get(pk=application.pk)
    if application.state != AppState.IN_REVIEW:
        raise PermissionDenied(_("Scores are given while the application is under expert review."))
    if application.round.state != RoundState.REVIEW:
        raise PermissionDenied(_("Scoring opens when the call closes."))
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
        try:
            value = Decimal(str(raw))
        except ArithmeticError:
            raise ValidationError(_("Each criterion is scored from 0 to 100.")) from None
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


def expert_reviews(expert, status=""):
    """An expert's live assignments with their sheet state: ``to_score`` (no submitted sheet yet) or ``scored``;
    with the counts of both."""
    from django.db.models import Exists, OuterRef

    submitted = ScoreSheet.objects.filter(application=OuterRef("application"), expert=expert,
                                          state=SheetState.SUBMITTED)
    rows = (Assignment.objects.filter(expert=expert, voided_at__isnull=True)
            .annotate(scored=Exists(submitted)).select_related("application__round", "application__track")
            .order_by("application__round_id", "application_id"))
    counts = {"to_score": rows.filter(scored=False).count(), "scored": rows.filter(scored=True).count()}
    if status == "to_score":
        rows = rows.filter(scored=False)
    elif status == "scored":
        rows = rows.filter(scored=True)
    return rows, counts


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
            # Other applicants get negative ids so the per-organization cap never mixes them with CSOs.
            id=a.pk, track=str(a.track_id), org=a.organization_id or -a.other_applicant_id,
            is_community=a.is_cso and round_.counts_for_ring_fence(a.organization),
            score=scores.get(a.pk, Decimal("0")),
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
    # Bulk writes send no model signals: each application's step is audited here, as a saved event would be.
    from registry.audit import record
    from registry.models import AuditAction

    for event in events:
        record(AuditAction.TRANSITION, event.application, user=user,
               changes={"state": [event.from_state, event.to_state]}, detail=f"{event.action}: {event.comment}"[:300])
    round_.allocation_mode = mode


def run_problems(run, mode) -> list[str]:
    """The constraints a run's mode misses (today: the ring-fence), in words."""
    result = run.results.get(mode) or {}
    if result and not result.get("ring_fence_met", True):
        return [_("The result gives %(share)s%% to community organizations, below the round's ring-fence of "
                  "%(pct)s%%.") % {"share": result.get("community_share"), "pct": result.get("ring_fence_pct")}]
    return []


def decide(round_, run, mode, user, reason=""):
    """Applies one mode of a run. A result that misses a constraint is applied only with a written reason,
    recorded with the decision."""
    problems = run_problems(run, mode)
    reason = (reason or "").strip()
    if problems and not reason:
        raise ValidationError([*problems, _("Applying it needs a written reason, recorded with the decision.")])
    comment = f"{mode}: {' '.join(problems)} {reason}".strip() if problems else mode
    return transition(round_, "decide", user, comment=comment, data={"run": run, "mode": mode})


def override_problems(application, amount) -> list[str]:
    """Every constraint an award of ``amount`` to ``application`` would break, naming it (empty when none)."""
    round_ = application.round
    others = round_.applications.exclude(pk=application.pk)
    problems = []
    if amount <= 0:
        problems.append(_("The amount must be positive."))
    if amount > application.amount_requested:
        problems.append(_("%(n)s yuan is more than the %(r)s yuan requested.")
                        % {"n": amount, "r": application.amount_requested})
    if round_.max_amount is not None and amount > round_.max_amount:
        problems.append(_("Per-project maximum: %(n)s yuan is above %(max)s yuan.")
                        % {"n": amount, "max": round_.max_amount})
    committed = _committed(others)
    if committed + amount > round_.budget:
        problems.append(_("Round budget: %(c)s yuan committed + %(n)s yuan is above the round's %(b)s yuan.")
                        % {"c": committed, "n": amount, "b": round_.budget})
    track_committed = _committed(others.filter(track=application.track))
    if track_committed + amount > application.track.budget:
        problems.append(_("Track budget (%(track)s): %(c)s yuan committed + %(n)s yuan is above its %(b)s yuan.")
                        % {"track": application.track.name, "c": track_committed, "n": amount,
                           "b": application.track.budget})
    if round_.org_cap is not None and application.organization_id:
        org_committed = _committed(others.filter(organization_id=application.organization_id))
        if org_committed + amount > round_.org_cap:
            problems.append(_("Organization cap: %(c)s yuan + %(n)s yuan is above %(cap)s yuan.")
                            % {"c": org_committed, "n": amount, "cap": round_.org_cap})
    return problems


def override(application, user, award, reason, amount=None):
    """A manual change of the allocation's decision: needs a written reason, logged as an event; an award
    beyond the round's or the track's budget, the cap or the limits is refused, naming the constraint."""
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
    round_ = locked.application.round
    line = round_.budgets.filter(source=source).first()
    if line is None:
        raise ValidationError(_("The round has no budget from “%(source)s”: pay from one of its funds.")
                              % {"source": source})
    paid_from_source = Payment.objects.filter(tranche__application__round=round_, source=source).aggregate(
        total=Sum("amount"))["total"] or Decimal("0")
    if paid_from_source + amount > line.amount:
        raise ValidationError(_("The round's budget from “%(source)s” has %(left)s yuan left to pay.")
                              % {"source": source, "left": line.amount - paid_from_source})
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
    _positive(amount, _("The amount must be positive."))
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


# ------------------------------------------------------------------------------------------------ reports

def _editable_project(user, application):
    _require(user, Role.STREET_STAFF, Role.DISTRICT_REVIEWER)
    locked = Application.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=application.pk).first()
    if locked is None:
        raise PermissionDenied(_("This application lies outside your jurisdiction."))
    return locked


@transaction.atomic
def submit_report(user, application, kind, progress, spending) -> ProjectReport:
    """An interim or final report of a funded project: progress in words and the amount spent so far on each
    budget line (budget line id → yuan)."""
    application = _editable_project(user, application)
    live = (AppState.CONTRACTED, AppState.IN_PROGRESS, AppState.MIDTERM)
    if application.state not in live:
        raise ValidationError(_("Reports are made while the project runs (after the contract is signed)."))
    if kind not in ReportKind.values:
        raise ValidationError(_("Choose an interim or a final report."))
    if not (progress or "").strip():
        raise ValidationError(_("Describe the progress."))
    if application.reports.filter(state=ReportState.SUBMITTED).exists():
        raise ValidationError(_("A report is waiting for review; wait for it before sending another."))
    lines = {str(line.pk): line for line in application.budget_lines.all()}
    clean = {}
    for key, value in (spending or {}).items():
        if str(key) not in lines:
            raise ValidationError(_("Spending is given against the application's own budget lines."))
        try:
            amount = Decimal(str(value))
        except ArithmeticError:
            raise ValidationError(_("Each amount spent is a number of yuan, zero or more.")) from None
        if amount < 0 or not amount.is_finite():
            raise ValidationError(_("Each amount spent is a number of yuan, zero or more."))
        clean[str(key)] = str(amount.quantize(Decimal("0.01")))
    report = ProjectReport.objects.create(application=application, kind=kind, progress=progress.strip(),
                                          spending=clean, submitted_by=user)
    ApplicationEvent.objects.create(application=application, action="report", actor=user,
                                    comment=report.get_kind_display())
    return report


def report_lines(report):
    """Each budget line with its planned amount, the amount spent and what is left (negative = overspent)."""
    rows = []
    for line in report.application.budget_lines.all():
        spent = Decimal(report.spending.get(str(line.pk), "0"))
        rows.append({"item": line.item, "planned": line.amount, "spent": spent, "left": line.amount - spent})
    return rows


@transaction.atomic
def review_report(user, report, accept, note="") -> ProjectReport:
    """The district accepts a report (so the tranche it unlocks can be released) or returns it with a reason."""
    _require(user, Role.DISTRICT_REVIEWER, Role.ADMIN)
    locked = ProjectReport.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=report.pk).first()
    if locked is None:
        raise PermissionDenied(_("This report lies outside your jurisdiction."))
    if not user.can_see_region(locked.application.round.region):
        raise PermissionDenied(_("This round is run by %(region)s, not by your office.")
                               % {"region": locked.application.round.region})
    if locked.state != ReportState.SUBMITTED:
        raise ValidationError(_("This report was already reviewed."))
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationError(_("Please give a reason; it is recorded with the decision."))
    locked.state = ReportState.ACCEPTED if accept else ReportState.RETURNED
    locked.reviewed_by, locked.reviewed_at, locked.review_note = user, timezone.now(), note
    locked.save()
    ApplicationEvent.objects.create(application=locked.application, action="report_" + locked.state, actor=user,
                                    comment=f"{locked.get_kind_display()} {note}".strip())
    return locked


def release_refusal(tranche) -> str | None:
    """Why a tranche may not be released now (None when it may): it needs an accepted report reviewed after the
    previous tranche was released: an interim report for the contract and mid-term tranches, a final report and
    the final evaluation for the last."""
    from grants.choices import FinalGrade, Milestone

    if tranche.state not in (TrancheState.PLANNED, TrancheState.WITHHELD):
        return _("This tranche is already “%(state)s”.") % {"state": tranche.get_state_display()}
    application = tranche.application
    if application.state not in (AppState.CONTRACTED, AppState.IN_PROGRESS, AppState.MIDTERM, AppState.EVALUATED):
        return _("Tranches are released while the project runs.")
    earlier = application.tranches.filter(sequence__lt=tranche.sequence)
    if earlier.filter(state=TrancheState.PLANNED).exists():
        return _("Release the earlier tranches first.")
    kind = ReportKind.FINAL if tranche.milestone == Milestone.FINAL else ReportKind.INTERIM
    reports = application.reports.filter(kind=kind, state=ReportState.ACCEPTED)
    last = earlier.filter(decided_at__isnull=False).order_by("-decided_at").values_list("decided_at", flat=True)
    if last.exists():
        reports = reports.filter(reviewed_at__gt=last.first())
    if not reports.exists():
        return (_("An accepted final report is needed first.") if kind == ReportKind.FINAL
                else _("An accepted interim report is needed first."))
    if tranche.milestone == Milestone.FINAL and application.final_grade in ("", FinalGrade.C):
        return _("The final tranche follows a final evaluation graded A or B.")
    return None


@transaction.atomic
def release_tranche(user, tranche, note="") -> Tranche:
    _require(user, Role.DISTRICT_REVIEWER, Role.ADMIN)
    locked = Tranche.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=tranche.pk).first()
    if locked is None:
        raise PermissionDenied(_("This tranche lies outside your jurisdiction."))
    reason = release_refusal(locked)
    if reason:
        raise ValidationError(reason)
    locked.state, locked.decided_at, locked.note = TrancheState.RELEASED, timezone.now(), (note or "").strip()
    locked.save()
    ApplicationEvent.objects.create(application=locked.application, action="release", actor=user,
                                    comment=f"#{locked.sequence} {locked.amount}")
    return locked


# ------------------------------------------------------------------------------------------------ money ledger

def _paid(payments) -> Decimal:
    return payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def round_money(round_, applications=None) -> dict:
    """The round's money in one place: budget by fund, and per track and for the round the budget, what is
    committed (awards), paid and left. ``applications`` narrows committed/paid to what the viewer may see."""
    applications = round_.applications.all() if applications is None else applications
    payments = Payment.objects.filter(tranche__application__in=applications)
    committed_by_track = dict(applications.filter(state__in=FUNDED_STATES).values_list("track")
                              .annotate(total=Sum("awarded_amount")).order_by())
    paid_by_track = dict(payments.values_list("tranche__application__track").annotate(total=Sum("amount"))
                         .order_by())
    paid_by_source = dict(payments.values_list("source").annotate(total=Sum("amount")).order_by())
    zero = Decimal("0")
    tracks = []
    for track in round_.tracks.all():
        committed, paid = committed_by_track.get(track.pk) or zero, paid_by_track.get(track.pk) or zero
        tracks.append({"id": track.pk, "name": track.name, "budget": track.budget, "committed": committed,
                       "paid": paid, "uncommitted": track.budget - committed, "unpaid": committed - paid})
    lines = list(round_.budgets.select_related("fund__jurisdiction", "fund__source", "source"))
    budget = sum((line.amount for line in lines), zero)
    committed = sum(committed_by_track.values(), zero)
    paid = sum(paid_by_track.values(), zero)
    funds = [{"id": line.fund_id, "fund": str(line.fund) if line.fund_id else str(line.source),
              "source": str(line.source), "amount": line.amount, "paid": paid_by_source.get(line.source_id) or zero}
             for line in lines]
    return {"budget": budget, "committed": committed, "paid": paid, "uncommitted": budget - committed,
            "unpaid": committed - paid, "tracks": tracks, "funds": funds}


def fund_ledger(fund) -> dict:
    """A fund's amount, what each round draws from it (with that round's committed and paid money from this
    fund's source) and what it has left."""
    rounds = []
    for line in fund.round_budgets.select_related("round").order_by("round_id"):
        payments = Payment.objects.filter(tranche__application__round=line.round, source=fund.source)
        rounds.append({"id": line.round_id, "round": line.round.name, "state": line.round.state,
                       "drawn": line.amount, "round_budget": line.round.budget,
                       "round_committed": _committed(line.round.applications.all()), "paid": _paid(payments)})
    drawn = sum((r["drawn"] for r in rounds), Decimal("0"))
    paid = sum((r["paid"] for r in rounds), Decimal("0"))
    return {"amount": fund.amount, "drawn": drawn, "left": fund.amount - drawn, "paid": paid,
            "unpaid": drawn - paid, "rounds": rounds}


# ------------------------------------------------------------------------------------------------ CSO share

RING_FENCE_RULE = ("杭民发〔2018〕237号：“各区、县(市)每年安排30%的社会组织公益创投资金用于资助社区社会组织。”")


def county_share(county, year) -> dict:
    """DOMAIN.md §3 rule 14 as settled: grants awarded in ``year`` by the county's venture-grant rounds (the
    county's and its streets') to CSOs (registry organizations) ÷ all those grants (other applicants in the
    denominator only), compared with 30 % as an exact fraction, whatever each round's own ring-fence."""
    from fractions import Fraction

    awarded = Application.objects.filter(round__region__code__startswith=county.prefix, round__year=year,
                                         state__in=FUNDED_STATES)
    total = awarded.aggregate(total=Sum("awarded_amount"))["total"] or Decimal("0")
    cso = awarded.filter(organization__isnull=False).aggregate(total=Sum("awarded_amount"))["total"] or Decimal("0")
    funds = Fund.objects.filter(jurisdiction__code__startswith=county.prefix, year=year).aggregate(
        total=Sum("amount"))["total"] or Decimal("0")
    share = Fraction(cso) / Fraction(total) if total else None
    return {"county": county.code, "county_name": county.name, "year": year, "cso": cso, "total": total,
            "other": total - cso, "funds": funds,
            "share": (cso * 100 / total).quantize(Decimal("0.01")) if total else None,
            "target": Decimal("30"), "met": share is not None and share >= Fraction(3, 10),
            "rule": RING_FENCE_RULE}


def county_of(region):
    """The county a region lies in (a round of a street counts for its county)."""
    from registry.models import Region

    return Region.objects.filter(code=region.code[:6]).first() if len(region.code) >= 6 else None


# ------------------------------------------------------------------------------------------------ outputs

def round_summary(round_, applications=None) -> dict:
    """Money awarded by category, tier, region (street) and track, and the community share against the
    ring-fence. Aggregated in the database."""
    from django.db.models.functions import Left

    awarded = (applications if applications is not None else round_.applications.all()).filter(
        state__in=FUNDED_STATES)
    total = awarded.aggregate(total=Sum("awarded_amount"))["total"] or Decimal("0")
    community_q = Q(organization__tier__in=round_.ring_fence_tiers or [])
    # Applicants that are not CSOs (organization empty) never count for the ring-fence.
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
        "by_region": list(awarded.annotate(street=Left("region_id", 9)).values("street")
                          .annotate(total=Sum("awarded_amount"), n=Count("pk")).order_by("street")),
        "states": list((applications if applications is not None else round_.applications.all())
                       .values("state").annotate(n=Count("pk")).order_by("state")),
        "budget": round_.budget,
        "other": awarded.filter(organization__isnull=True).aggregate(total=Sum("awarded_amount"))["total"]
        or Decimal("0"),
    }
