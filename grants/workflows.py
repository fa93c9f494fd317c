"""The round's and the application's workflows as tables: states, transitions, who may take them, side effects.

They run on the workflow kit (registry/workflow.py), whose ``transition()`` is the one engine that moves either.
``target=""`` keeps the state (a recorded step such as a failed milestone review). ``effect`` names a function in
grants.effects.EFFECTS, run inside the same transaction; ``when`` names a guard in ``GUARDS``.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from grants.choices import AppState, ReportKind, ReportState, RoundState
from grants.effects import EFFECTS
from registry.choices import Role
from registry.workflow import Transition, Workflow

A = AppState
R = RoundState
DISTRICT = (Role.DISTRICT_REVIEWER,)
STREET = (Role.STREET_STAFF,)


def is_filer(application, user) -> bool:
    """A CSO's application is filed by street staff; another applicant's by the district bureau."""
    return user.is_superuser or (user.role == Role.STREET_STAFF) == application.is_cso


def _accepted(kind):
    return lambda application, user: application.reports.filter(kind=kind, state=ReportState.ACCEPTED).exists()


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


GUARDS = {
    "round_ready": lambda round_, user: not round_readiness(round_),
    "filer": is_filer,
    "interim_accepted": _accepted(ReportKind.INTERIM),
    "final_accepted": _accepted(ReportKind.FINAL),
}
GUARD_REFUSALS = {
    "round_ready": lambda round_: " ".join(round_readiness(round_)),
    "filer": _l("A CSO's application is handled by street staff; another applicant's by the district bureau."),
    "interim_accepted": _l("An accepted interim report is needed first."),
    "final_accepted": _l("An accepted final report is needed first."),
}


@dataclass(frozen=True, kw_only=True)
class GrantWorkflow(Workflow):
    guards: dict = field(default_factory=lambda: GUARDS)
    effects: dict = field(default_factory=lambda: EFFECTS)
    guard_refusals: dict = field(default_factory=lambda: GUARD_REFUSALS)

    def other_refusal(self, obj, step, user):
        """A round is run by one district office: a reviewer of another district may not move it."""
        round_ = obj.round if hasattr(obj, "round") else obj
        if Role.DISTRICT_REVIEWER in step.roles and user.role == Role.DISTRICT_REVIEWER \
                and not user.can_see_region(round_.region):
            return _("This round is run by %(region)s, not by your office.") % {"region": round_.region}
        return None


ROUND_WORKFLOW = GrantWorkflow(
    label=_("Venture-grant round"),
    transitions=(
        Transition("open_call", _("Open the call"), (R.DRAFT,), R.OPEN, DISTRICT, when="round_ready",
                   style="success"),
        Transition("close_call", _("Close the call and open scoring"), (R.OPEN,), R.REVIEW, DISTRICT,
                   effect="open_scoring"),
        Transition("decide", _("Apply the allocation"), (R.REVIEW,), R.DECIDED, DISTRICT, internal=True,
                   effect="apply_allocation"),
        Transition("close", _("Close the round"), (R.DECIDED,), R.CLOSED, DISTRICT, style="outline-secondary"),
    ),
)

# Every live state a project may be stopped from.
LIVE = (A.SUBMITTED, A.IN_REVIEW, A.AWARDED, A.RESERVE, A.CONTRACTED, A.IN_PROGRESS, A.MIDTERM, A.EVALUATED)

APPLICATION_WORKFLOW = GrantWorkflow(
    label=_("Venture-grant application"),
    transitions=(
        # A CSO's application is filed by street staff; another applicant's by the district (guard "filer").
        Transition("submit", _("Submit"), (A.DRAFT, A.RETURNED), A.SUBMITTED, STREET + DISTRICT,
                   effect="check_submission", when="filer"),
        Transition("withdraw", _("Withdraw"), (A.DRAFT, A.RETURNED), A.WITHDRAWN, STREET + DISTRICT, when="filer",
                   style="outline-danger"),
        Transition("return", _("Return for changes"), (A.SUBMITTED,), A.RETURNED, DISTRICT, needs_reason=True,
                   effect="note_returned", style="warning"),
        Transition("pass_screening", _("Eligible: send to expert review"), (A.SUBMITTED,), A.IN_REVIEW, DISTRICT,
                   effect="check_eligibility", style="success"),
        Transition("fail_screening", _("Not eligible"), (A.SUBMITTED,), A.INELIGIBLE, DISTRICT, needs_reason=True,
                   effect="note_ineligible", style="danger"),
        # Decisions come from the allocation the district applies to the whole round.
        Transition("award", _("Award"), (A.IN_REVIEW,), A.AWARDED, DISTRICT, internal=True, effect="award"),
        Transition("reserve", _("Put on the reserve list"), (A.IN_REVIEW,), A.RESERVE, DISTRICT, internal=True,
                   effect="unaward"),
        Transition("decline", _("Decline"), (A.IN_REVIEW,), A.DECLINED, DISTRICT, internal=True, effect="unaward"),
        # A manual override of the allocation: always with a written reason, logged as an event.
        Transition("override_award", _("Override: award"), (A.RESERVE, A.DECLINED), A.AWARDED, DISTRICT,
                   needs_reason=True, effect="override_award", style="warning"),
        Transition("override_decline", _("Override: decline"), (A.AWARDED,), A.DECLINED, DISTRICT,
                   needs_reason=True, effect="override_decline", style="warning"),
        Transition("sign_contract", _("Contract signed"), (A.AWARDED,), A.CONTRACTED, DISTRICT,
                   effect="plan_tranches", style="success"),
        Transition("start", _("Project started"), (A.CONTRACTED,), A.IN_PROGRESS, DISTRICT + STREET),
        Transition("pass_midterm", _("Mid-term review passed"), (A.IN_PROGRESS,), A.MIDTERM, DISTRICT,
                   when="interim_accepted", style="success"),
        Transition("fail_midterm", _("Mid-term review failed"), (A.IN_PROGRESS,), "", DISTRICT, needs_reason=True,
                   effect="withhold_midterm", style="warning"),
        Transition("evaluate", _("Record the final evaluation"), (A.MIDTERM,), A.EVALUATED, DISTRICT,
                   internal=True, effect="final_evaluation", when="final_accepted"),
        Transition("close", _("Close the project"), (A.EVALUATED,), A.CLOSED, DISTRICT, style="outline-secondary"),
        Transition("terminate", _("Terminate"), LIVE, A.TERMINATED, DISTRICT, needs_reason=True,
                   effect="withhold_remaining", style="danger"),
    ),
)

EVENT_LABELS = {
    "create": _("Created"),
    "assign": _("Expert assigned"),
    "score": _("Score sheet submitted"),
    "payment": _("Payment recorded"),
    "edit": _("Changed"),
    "conflict": _("Assignment voided: conflict of interest"),
    "report": _("Report submitted"),
    "report_accepted": _("Report accepted"),
    "report_returned": _("Report returned"),
    "release": _("Tranche released"),
    "upload": _("Attachment uploaded"),
}
