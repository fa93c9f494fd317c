"""Side effects of workflow steps, run by grants.services.transition() inside its transaction.

Each takes (obj, user, comment, data) after the new state is set and before the object is saved.
"""

from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.choices import FinalGrade, Milestone, TrancheState, grade_for
from grants.models import Tranche


def check_submission(application, user, comment, data):
    from grants.services import eligibility_problems

    problems = eligibility_problems(application, at_submission=True)
    if problems:
        raise ValidationError(problems)
    application.submitted_by, application.submitted_at = user, timezone.now()


def check_eligibility(application, user, comment, data):
    from grants.services import eligibility_problems

    problems = eligibility_problems(application)
    if problems:
        raise ValidationError(problems)
    application.eligibility_note = comment or _("Eligible.")


def note_ineligible(application, user, comment, data):
    application.eligibility_note = comment


def note_returned(application, user, comment, data):
    application.eligibility_note = comment


def open_scoring(round_, user, comment, data):
    """Scoring opens: every assignment is checked again against the experts' declared links."""
    from grants.services import REVIEW_STATES, check_conflicts

    check_conflicts(round_.applications.filter(state__in=REVIEW_STATES), user)


def award(application, user, comment, data):
    application.awarded_amount = data.get("amount") or application.amount_requested


def unaward(application, user, comment, data):
    application.awarded_amount = None


def override_award(application, user, comment, data):
    from grants.services import override_problems

    try:
        amount = Decimal(str(data.get("amount") or application.amount_requested))
    except ArithmeticError:
        raise ValidationError(_("The amount must be a number of yuan.")) from None
    problems = override_problems(application, amount)
    if problems:
        raise ValidationError([_("The override is refused:"), *problems])
    application.awarded_amount = amount
    application.allocation_reason = "override"


def override_decline(application, user, comment, data):
    application.awarded_amount = None
    application.allocation_reason = "override"


def plan_tranches(application, user, comment, data):
    """Splits the award by the round's plan (e.g. 50/30/20); each tranche waits for its accepted report."""
    plan = [Decimal(str(p)) for p in application.round.tranche_plan or [100]]
    total = application.awarded_amount or Decimal("0")
    rows, given = [], Decimal("0")
    for index, percent in enumerate(plan, start=1):
        last = index == len(plan)
        amount = total - given if last else (total * percent / 100).quantize(Decimal("0.01"), ROUND_DOWN)
        given += amount
        milestone = Milestone.CONTRACT if index == 1 else Milestone.FINAL if last else Milestone.MIDTERM
        rows.append(Tranche(application=application, sequence=index, percent=percent, amount=amount,
                            milestone=milestone,
                            state=TrancheState.PLANNED))
    Tranche.objects.bulk_create(rows)


def _decide_tranches(application, milestone, release, note=""):
    states = (TrancheState.PLANNED, TrancheState.WITHHELD) if release else (TrancheState.PLANNED,)
    application.tranches.filter(milestone=milestone, state__in=states).update(
        state=TrancheState.RELEASED if release else TrancheState.WITHHELD, decided_at=timezone.now(), note=note)


def release_midterm(application, user, comment, data):
    _decide_tranches(application, Milestone.MIDTERM, release=True, note=comment)


def withhold_midterm(application, user, comment, data):
    _decide_tranches(application, Milestone.MIDTERM, release=False, note=comment)


def final_evaluation(application, user, comment, data):
    """Grade A ≥ 85, B 60–84, C < 60; the final tranche is released for A and B and withheld for C."""
    try:
        score = Decimal(str(data.get("score")))
    except (ArithmeticError, ValueError, TypeError):
        raise ValidationError(_("Give the final evaluation score (0-100).")) from None
    if not Decimal("0") <= score <= Decimal("100"):
        raise ValidationError(_("Give the final evaluation score (0-100)."))
    application.final_score = score
    application.final_grade = grade_for(score)
    _decide_tranches(application, Milestone.FINAL, release=application.final_grade != FinalGrade.C, note=comment)


def withhold_remaining(application, user, comment, data):
    application.tranches.filter(state=TrancheState.PLANNED).update(
        state=TrancheState.WITHHELD, decided_at=timezone.now(), note=comment)


def apply_allocation(round_, user, comment, data):
    from grants.services import apply_run

    apply_run(round_, data["run"], data["mode"], user)


EFFECTS = {
    "check_submission": check_submission,
    "check_eligibility": check_eligibility,
    "note_ineligible": note_ineligible,
    "note_returned": note_returned,
    "open_scoring": open_scoring,
    "award": award,
    "unaward": unaward,
    "override_award": override_award,
    "override_decline": override_decline,
    "plan_tranches": plan_tranches,
    "release_midterm": release_midterm,
    "withhold_midterm": withhold_midterm,
    "final_evaluation": final_evaluation,
    "withhold_remaining": withhold_remaining,
    "apply_allocation": apply_allocation,
}
