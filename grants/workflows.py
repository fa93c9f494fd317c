"""The round's and the application's workflows as tables: states, transitions, who may take them, side effects.

The one service that moves either is grants.services.transition(). ``target=""`` keeps the state (a recorded
step such as a failed milestone review). ``effect`` names a function in grants.effects.EFFECTS, run inside the
same transaction; ``when`` names a guard in grants.services.GUARDS.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from grants.choices import AppState, RoundState
from registry.choices import Role

A = AppState
R = RoundState
DISTRICT = (Role.DISTRICT_REVIEWER,)
STREET = (Role.STREET_STAFF,)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    needs_reason: bool = False
    effect: str = ""
    when: str = ""
    #: taken only by a service (the allocation, the final evaluation form), never offered as a plain button
    internal: bool = False
    style: str = "primary"


@dataclass(frozen=True)
class Workflow:
    label: str
    transitions: tuple[Transition, ...]

    def get(self, action):
        return next((t for t in self.transitions if t.action == action), None)


ROUND_WORKFLOW = Workflow(
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

APPLICATION_WORKFLOW = Workflow(
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
