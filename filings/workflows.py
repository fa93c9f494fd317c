"""Each case kind's workflow as one readable table: states, transitions, who may take them, documents, deadlines.

A transition names the roles that may take it. ``DECIDER`` stands for the authority that decides the case
(``DECIDERS_BY_TIER``): the community for community records, the street for filings, the district bureau for
registrations, and for a change, leadership change, revocation or annual report whichever of them manages the
organization's tier. ``decides=True`` marks a decision: whoever drafted, edited or submitted the case may not take
it (separation of duties). The one service that moves a case is filings.services.transition().
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
    #: name of a date rule in filings.services.DUE_RULES (a calendar date instead of a number of days)
    due_rule: str = ""
    #: the transition records a result (the annual inspection's pass / basic pass / fail)
    records_result: bool = False
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
        # The 30 days of 《社会团体登记管理条例》 art. 18 are the organization's limit (Case.filing_due_on), counted
        # from the supervising unit's approval; they are not a review time.
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, (Role.STREET_STAFF,),
                   submits=True, effect="mark_change_pending"),
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
        # The 15 days after liquidation ends (《社会团体登记管理条例》 art. 20) are the organization's limit
        # (Case.filing_due_on), not a review time.
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, (Role.STREET_STAFF,),
                   submits=True, effect="mark_deregistering"),
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
    # Opened for every registered and filed organization by the daily job (filings.lifecycle); the due dates come
    # from the jurisdiction's AnnualReportPolicy (DOMAIN.md §2). Registered (T1): two stages, the supervising unit
    # by 31 March (recorded by the street on its behalf; skipped for a directly registered organization), then
    # the registration authority by 31 May, which records pass / basic pass / fail. Filed (T2): the annual update,
    # accepted by the street.
    kind=CaseKind.ANNUAL_REPORT,
    label=_("Annual report"),
    tier="",
    conditional_documents={"is_registered": (DocumentKind.ANNUAL_REPORT,)},
    transitions=(
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, (Role.STREET_STAFF,), submits=True,
                   due_rule="annual_review"),
        Transition("supervisor_review", _("Record the supervising unit's approval"), (S.SUBMITTED,),
                   S.UNDER_REVIEW, (Role.STREET_STAFF,), decides=True, when="is_supervised_registered",
                   due_rule="annual_authority", style="success"),
        Transition("return_supervisor", _("Return (supervising unit)"), (S.SUBMITTED,), S.RETURNED,
                   (Role.STREET_STAFF,), decides=True, needs_reason=True, when="is_supervised_registered",
                   style="warning"),
        Transition("return", _("Return for correction"), (S.SUBMITTED, S.UNDER_REVIEW), S.RETURNED, (DECIDER,),
                   decides=True, needs_reason=True, when="is_final_stage", style="warning"),
        Transition("approve", _("Record the result"), (S.SUBMITTED, S.UNDER_REVIEW), S.APPROVED, (DECIDER,),
                   decides=True, when="is_final_stage", records_result=True, effect="record_annual_result",
                   style="success"),
        _comment(),
    ),
)

LEADERSHIP_CHANGE = Workflow(
    # 换届: the organization elects its new leadership as its charter says and files the result; the new term is
    # recorded on the organization (and the term alerts count towards its new end).
    kind=CaseKind.LEADERSHIP_CHANGE,
    label=_("Leadership change (换届)"),
    tier="",
    required_documents=(DocumentKind.RESOLUTION, DocumentKind.ELECTION_RECORD),
    transitions=(
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, (Role.STREET_STAFF,),
                   submits=True, due_days=30),
        Transition("return", _("Return for correction"), (S.SUBMITTED,), S.RETURNED, (DECIDER,), decides=True,
                   needs_reason=True, style="warning"),
        Transition("approve", _("Record the new term"), (S.SUBMITTED,), S.APPROVED, (DECIDER,), decides=True,
                   effect="record_new_term", style="success"),
        Transition("reject", _("Refuse the leadership change"), (S.SUBMITTED,), S.REJECTED, (DECIDER,),
                   decides=True, needs_reason=True, style="danger"),
        _withdraw(),
        _comment(),
    ),
)

REVOCATION = Workflow(
    # 撤销: proposed by the street or the district bureau on a ground that holds (no activity, or the annual
    # inspection failed or skipped two years running); decided by the authority of the organization's tier.
    kind=CaseKind.REVOCATION,
    label=_("Revocation (撤销)"),
    tier="",
    creators=(Role.STREET_STAFF, Role.DISTRICT_REVIEWER),
    required_documents=(DocumentKind.EVIDENCE,),
    transitions=(
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED,
                   (Role.STREET_STAFF, Role.DISTRICT_REVIEWER), submits=True, due_days=60),
        Transition("return", _("Return for correction"), (S.SUBMITTED,), S.RETURNED, (DECIDER,), decides=True,
                   needs_reason=True, style="warning"),
        Transition("approve", _("Revoke"), (S.SUBMITTED,), S.APPROVED, (DECIDER,), decides=True,
                   effect="revoke_organization", style="danger"),
        Transition("reject", _("Do not revoke"), (S.SUBMITTED,), S.REJECTED, (DECIDER,), decides=True,
                   needs_reason=True, style="outline-secondary"),
        _withdraw(roles=(Role.STREET_STAFF, Role.DISTRICT_REVIEWER)),
        _comment(),
    ),
)

WORKFLOWS = {w.kind: w for w in (COMMUNITY_RECORD, FILING, REGISTRATION, CHANGE, DEREGISTRATION, ANNUAL_REPORT,
                                  LEADERSHIP_CHANGE, REVOCATION)}

# Which authority decides, by the tier the case concerns (民发〔2017〕191号 Q&A 五: "能登记的依法到所在地县级人民
# 政府民政部门办理登记；达不到登记条件的，由街道办事处（乡镇政府）……实施管理；对主要在单个社区活动的……由社区党组织
# 领导，基层群众性自治组织对其活动进行指导和管理"): T3 records in the community, T2 filings by the street, T1 by
# the district bureau.
DECIDERS_BY_TIER = {
    Tier.COMMUNITY: (Role.COMMUNITY_WORKER,),
    Tier.FILED: (Role.STREET_STAFF,),
    Tier.REGISTERED: (Role.DISTRICT_REVIEWER,),
}

ONE_STEP_FORMS = (LegalForm.SOCIAL_SERVICE, LegalForm.FOUNDATION)
