"""Each case kind's workflow as one readable table: states, transitions, who may take them, documents, deadlines.

A transition names the roles that may take it. ``DECIDER`` stands for the authority that decides the case:
street staff for community records and filings, the district reviewer for registrations, and for a change or
deregistration whichever of the two manages the organization's tier. ``decides=True`` marks a decision: whoever
submitted the case may not take it (separation of duties). The one service that moves a case is
filings.services.transition().
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from filings.choices import CaseKind, CaseState, DocumentKind
from registry.choices import LegalForm, Role, Tier

S = CaseState
DECIDER = "decider"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    decides: bool = False
    needs_reason: bool = False
    submits: bool = False
    #: name of the guard in filings.services.GUARDS: the transition is offered only when it holds
    when: str = ""
    #: name of the side effect in filings.effects.EFFECTS, run inside the same transaction
    effect: str = ""
    #: days to the next decision, counted from this transition (replaces the case's due date)
    due_days: int | None = None
    style: str = "primary"


@dataclass(frozen=True)
class Workflow:
    kind: str
    label: str
    tier: str
    transitions: tuple[Transition, ...]
    required_documents: tuple[str, ...] = ()
    #: documents required only when the guard of that name holds
    conditional_documents: dict = field(default_factory=dict)
    creators: tuple[str, ...] = (Role.STREET_STAFF,)

    def get(self, action):
        for transition in self.transitions:
            if transition.action == action:
                return transition
        return None


def _withdraw(sources=(S.DRAFT, S.SUBMITTED, S.RETURNED), roles=(Role.STREET_STAFF,)):
    return Transition("withdraw", _("Withdraw"), sources, S.WITHDRAWN, roles, needs_reason=True,
                      effect="restore_organization", style="outline-secondary")


def _comment():
    return Transition("comment", _("Add a comment"), tuple(s for s in S.values), "", (), style="outline-secondary")


COMMUNITY_RECORD = Workflow(
    kind=CaseKind.COMMUNITY_RECORD,
    label=_("Community record of a small group"),
    tier=Tier.COMMUNITY,
    creators=(Role.COMMUNITY_WORKER, Role.STREET_STAFF),
    required_documents=(DocumentKind.APPLICATION,),
    transitions=(
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED,
                   (Role.COMMUNITY_WORKER, Role.STREET_STAFF), submits=True, due_days=7),
        Transition("return", _("Return for correction"), (S.SUBMITTED,), S.RETURNED, (DECIDER,),
                   decides=True, needs_reason=True, style="warning"),
        Transition("approve", _("Confirm the record"), (S.SUBMITTED,), S.APPROVED, (DECIDER,),
                   decides=True, effect="record_organization", style="success"),
        _withdraw(roles=(Role.COMMUNITY_WORKER, Role.STREET_STAFF)),
        _comment(),
    ),
)

FILING = Workflow(
    kind=CaseKind.FILING,
    label=_("Filing with the street"),
    tier=Tier.FILED,
    required_documents=(DocumentKind.APPLICATION, DocumentKind.CHARTER, DocumentKind.LEADER_ID, DocumentKind.VENUE),
    transitions=(
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, (Role.STREET_STAFF,),
                   submits=True, due_days=7),
        Transition("accept", _("Start review"), (S.SUBMITTED,), S.UNDER_REVIEW, (DECIDER,), decides=True,
                   style="outline-primary"),
        Transition("return", _("Return for correction"), (S.SUBMITTED, S.UNDER_REVIEW), S.RETURNED, (DECIDER,),
                   decides=True, needs_reason=True, style="warning"),
        Transition("approve", _("Approve the filing"), (S.SUBMITTED, S.UNDER_REVIEW), S.APPROVED, (DECIDER,),
                   decides=True, effect="file_organization", style="success"),
        Transition("reject", _("Refuse the filing"), (S.SUBMITTED, S.UNDER_REVIEW), S.REJECTED, (DECIDER,),
                   decides=True, needs_reason=True, style="danger"),
        _withdraw(),
        _comment(),
    ),
)

REGISTRATION = Workflow(
    kind=CaseKind.REGISTRATION,
    label=_("Registration as a legal person"),
    tier=Tier.REGISTERED,
    required_documents=(DocumentKind.APPLICATION, DocumentKind.CHARTER, DocumentKind.LEADER_ID,
                        DocumentKind.VENUE, DocumentKind.FUNDS),
    conditional_documents={
        "has_supervising_unit": (DocumentKind.SUPERVISOR_APPROVAL,),
        "is_direct_registration": (DocumentKind.COMMUNITY_CERTIFICATE,),
    },
    transitions=(
        # Social groups: preparation (decided within 60 days, done within 6 months), then establishment
        # (reviewed within 30 days). Social service institutions and foundations: one step, 60 days.
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, (Role.STREET_STAFF,),
                   submits=True, due_days=60),
        Transition("accept", _("Start review"), (S.SUBMITTED,), S.UNDER_REVIEW, (DECIDER,), decides=True,
                   style="outline-primary"),
        Transition("approve_preparation", _("Approve preparation"), (S.SUBMITTED, S.UNDER_REVIEW), S.PREPARING,
                   (DECIDER,), decides=True, when="is_social_group", due_days=183, style="success"),
        Transition("submit_establishment", _("Apply for establishment"), (S.PREPARING,), S.ESTABLISHMENT_REVIEW,
                   (Role.STREET_STAFF,), due_days=30),
        Transition("return", _("Return for correction"), (S.SUBMITTED, S.UNDER_REVIEW, S.ESTABLISHMENT_REVIEW),
                   S.RETURNED, (DECIDER,), decides=True, needs_reason=True, style="warning"),
        Transition("approve", _("Approve registration"), (S.SUBMITTED, S.UNDER_REVIEW), S.APPROVED, (DECIDER,),
                   decides=True, when="is_one_step", effect="register_organization", style="success"),
        Transition("approve_establishment", _("Approve establishment"), (S.ESTABLISHMENT_REVIEW,), S.APPROVED,
                   (DECIDER,), decides=True, effect="register_organization", style="success"),
        Transition("reject", _("Refuse registration"), (S.SUBMITTED, S.UNDER_REVIEW, S.ESTABLISHMENT_REVIEW),
                   S.REJECTED, (DECIDER,), decides=True, needs_reason=True, effect="notify_rejection",
                   style="danger"),
        _withdraw(sources=(S.DRAFT, S.SUBMITTED, S.RETURNED, S.PREPARING)),
        _comment(),
    ),
)

CHANGE = Workflow(
    kind=CaseKind.CHANGE,
    label=_("Change of registered details"),
    tier="",
    required_documents=(DocumentKind.APPLICATION, DocumentKind.RESOLUTION),
    transitions=(
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, (Role.STREET_STAFF,),
                   submits=True, due_days=30, effect="mark_change_pending"),
        Transition("return", _("Return for correction"), (S.SUBMITTED,), S.RETURNED, (DECIDER,), decides=True,
                   needs_reason=True, style="warning"),
        Transition("approve", _("Approve the change"), (S.SUBMITTED,), S.APPROVED, (DECIDER,), decides=True,
                   effect="apply_change", style="success"),
        Transition("reject", _("Refuse the change"), (S.SUBMITTED,), S.REJECTED, (DECIDER,), decides=True,
                   needs_reason=True, effect="restore_organization", style="danger"),
        _withdraw(),
        _comment(),
    ),
)

DEREGISTRATION = Workflow(
    kind=CaseKind.DEREGISTRATION,
    label=_("Deregistration"),
    tier="",
    required_documents=(DocumentKind.RESOLUTION, DocumentKind.LIQUIDATION_REPORT),
    transitions=(
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, (Role.STREET_STAFF,),
                   submits=True, due_days=15, effect="mark_deregistering"),
        Transition("return", _("Return for correction"), (S.SUBMITTED,), S.RETURNED, (DECIDER,), decides=True,
                   needs_reason=True, style="warning"),
        Transition("approve", _("Approve deregistration"), (S.SUBMITTED,), S.APPROVED, (DECIDER,), decides=True,
                   effect="deregister_organization", style="success"),
        Transition("reject", _("Refuse deregistration"), (S.SUBMITTED,), S.REJECTED, (DECIDER,), decides=True,
                   needs_reason=True, effect="restore_organization", style="danger"),
        _withdraw(),
        _comment(),
    ),
)

ANNUAL_REPORT = Workflow(
    # Opened for every registered and filed organization by the yearly job (filings.lifecycle); the due date
    # comes from the jurisdiction's AnnualReportPolicy. Registered: annual inspection with a result;
    # filed: the annual update.
    kind=CaseKind.ANNUAL_REPORT,
    label=_("Annual report"),
    tier="",
    conditional_documents={"is_registered": (DocumentKind.ANNUAL_REPORT,)},
    transitions=(
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, (Role.STREET_STAFF,), submits=True,
                   due_days=30),
        Transition("return", _("Return for correction"), (S.SUBMITTED,), S.RETURNED, (DECIDER,), decides=True,
                   needs_reason=True, style="warning"),
        Transition("approve", _("Record the result"), (S.SUBMITTED,), S.APPROVED, (DECIDER,), decides=True,
                   effect="record_annual_result", style="success"),
        _comment(),
    ),
)

WORKFLOWS = {w.kind: w for w in (COMMUNITY_RECORD, FILING, REGISTRATION, CHANGE, DEREGISTRATION, ANNUAL_REPORT)}

# Which authority decides, by the tier the case concerns.
DECIDERS_BY_TIER = {
    Tier.COMMUNITY: (Role.STREET_STAFF,),
    Tier.FILED: (Role.STREET_STAFF,),
    Tier.REGISTERED: (Role.DISTRICT_REVIEWER,),
}

ONE_STEP_FORMS = (LegalForm.SOCIAL_SERVICE, LegalForm.FOUNDATION)
