"""Each case kind's workflow as one readable table: states, transitions, who may take them, documents, deadlines.

A transition names the roles that may take it. ``DECIDER`` stands for the authority that decides the case
(``DECIDERS_BY_TIER``): the community for community records, the street for filings, the district bureau for
registrations, and for a change, leadership change, revocation or annual report whichever of them manages the
organization's tier. ``decides=True`` marks a decision: whoever drafted, edited or submitted the case may not take
it (separation of duties, ``CaseWorkflow.authors``). The tables run on the workflow kit (registry/workflow.py), whose
``transition()`` is the one engine that moves a case.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.choices import CaseKind, CaseState, DocumentKind
from filings.effects import EFFECTS
from registry.choices import LegalForm, Role, Tier
from registry.workflow import Transition, Workflow

S = CaseState
DECIDER = "decider"

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

# Events whose actor has shaped the case: they may not decide it (separation of duties, issue 19).
AUTHORING_ACTIONS = ("create", "edit", "upload", "submit", "submit_establishment")


# ------------------------------------------------------------------------------------------------ guards

def is_registered(case, user=None):
    return bool(case.organization_id) and case.organization.tier == Tier.REGISTERED


def is_supervised_registered(case, user=None):
    """A registered organization with a supervising unit: its annual report passes that unit first."""
    return is_registered(case) and not case.organization.directly_registered


def is_final_stage(case, user=None):
    """The annual report is before the authority that records the result (the last stage for its tier)."""
    if is_supervised_registered(case):
        return case.state == CaseState.UNDER_REVIEW
    return case.state == CaseState.SUBMITTED


GUARDS = {
    "is_social_group": lambda case, user=None: case.payload.get("legal_form") == LegalForm.SOCIAL_GROUP,
    "is_one_step": lambda case, user=None: case.payload.get("legal_form") in ONE_STEP_FORMS,
    "has_supervising_unit": lambda case, user=None: not case.payload.get("directly_registered"),
    "is_direct_registration": lambda case, user=None: bool(case.payload.get("directly_registered")),
    "is_registered": is_registered,
    "is_supervised_registered": is_supervised_registered,
    "is_final_stage": is_final_stage,
}


# ------------------------------------------------------------------------------------------------ due dates

def _annual_policy_date(case, field):
    from filings.models import AnnualReportPolicy

    policy = AnnualReportPolicy.for_region(case.region_id)
    return policy.date_of(getattr(policy, field), (case.period or timezone.localdate().year - 1) + 1)


def _annual_review_due(case) -> date:
    """After submission: a registered organization's report reaches the authority by 31 May; a filed
    organization's annual update is accepted within 30 days."""
    if is_registered(case):
        return _annual_policy_date(case, "registered_due")
    return timezone.localdate() + timedelta(days=30)


# Date rules for Transition.due_rule: the next decision is due on a calendar date, not after N days.
DUE_RULES = {
    "annual_review": _annual_review_due,
    "annual_authority": lambda case: max(_annual_policy_date(case, "registered_due"),
                                         timezone.localdate() + timedelta(days=7)),
}


# ------------------------------------------------------------------------------------------------ the kind

@dataclass(frozen=True, kw_only=True)
class CaseWorkflow(Workflow):
    kind: str
    tier: str
    required_documents: tuple[str, ...] = ()
    #: documents required only when the guard of that name holds
    conditional_documents: dict = field(default_factory=dict)
    creators: tuple[str, ...] = (Role.STREET_STAFF, Role.ORGANIZATION)
    guards: dict = field(default_factory=lambda: GUARDS)
    effects: dict = field(default_factory=lambda: EFFECTS)
    guard_refusals: dict = field(default_factory=lambda: {})

    def case_tier(self, case) -> str:
        return self.tier or (case.organization.tier if case.organization_id else "")

    def roles_for(self, step, case):
        roles = []
        for role in step.roles:
            roles.extend(DECIDERS_BY_TIER.get(self.case_tier(case), ()) if role == DECIDER else (role,))
        return tuple(roles)

    def authors(self, case):
        """Everyone who drafted, edited, uploaded to or submitted the case (cached on the object)."""
        authors = getattr(case, "_authors", None)
        if authors is None:
            authors = {case.created_by_id, case.submitted_by_id} - {None}
            if case.pk:
                authors |= set(case.events.filter(action__in=AUTHORING_ACTIONS).values_list("actor_id", flat=True))
            case._authors = authors
        return authors

    def before(self, case, step, user, comment, data):
        if step.submits:
            from filings.services import submission_problems  # same app: the checks need the case forms

            problems = submission_problems(case)
            if problems:
                raise ValidationError(problems)

    def record(self, case, step, user, comment, now):
        if step.submits:
            case.submitted_by, case.submitted_at, case.return_reason = user, now, ""
        if step.decides and step.target in (CaseState.APPROVED, CaseState.REJECTED):
            case.decided_by, case.decided_at = user, now
        if step.target == CaseState.RETURNED:
            case.return_reason = comment
        if step.due_days is not None:
            case.due_on = timezone.localdate() + timedelta(days=step.due_days)
        if step.due_rule:
            case.due_on = DUE_RULES[step.due_rule](case)


# The street files on a group's behalf, or the organization applies online itself (Pinghu: 成立、变更、注销、换届、年检
# …"最多跑一次"; Shanghai 2024 第二条: 社会组织成立登记"一件事"全流程网络办理). Its own cases only: the one access rule
# shows an organization user nothing else (registry/scoping.py).
APPLICANTS = (Role.STREET_STAFF, Role.ORGANIZATION)


def _withdraw(sources=(S.DRAFT, S.SUBMITTED, S.RETURNED), roles=APPLICANTS):
    return Transition("withdraw", _("Withdraw"), sources, S.WITHDRAWN, roles, needs_reason=True,
                      effect="restore_organization", style="outline-secondary")


def _comment():
    return Transition("comment", _("Add a comment"), tuple(s for s in S.values), "", (), style="outline-secondary")


COMMUNITY_RECORD = CaseWorkflow(
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

FILING = CaseWorkflow(
    kind=CaseKind.FILING,
    label=_("Filing with the street"),
    tier=Tier.FILED,
    required_documents=(DocumentKind.APPLICATION, DocumentKind.CHARTER, DocumentKind.LEADER_ID, DocumentKind.VENUE),
    transitions=(
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, APPLICANTS,
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

REGISTRATION = CaseWorkflow(
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
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, APPLICANTS,
                   submits=True, due_days=60),
        Transition("accept", _("Start review"), (S.SUBMITTED,), S.UNDER_REVIEW, (DECIDER,), decides=True,
                   style="outline-primary"),
        Transition("approve_preparation", _("Approve preparation"), (S.SUBMITTED, S.UNDER_REVIEW), S.PREPARING,
                   (DECIDER,), decides=True, when="is_social_group", due_days=183, style="success"),
        Transition("submit_establishment", _("Apply for establishment"), (S.PREPARING,), S.ESTABLISHMENT_REVIEW,
                   APPLICANTS, due_days=30),
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

CHANGE = CaseWorkflow(
    kind=CaseKind.CHANGE,
    label=_("Change of registered details"),
    tier="",
    required_documents=(DocumentKind.APPLICATION, DocumentKind.RESOLUTION),
    transitions=(
        # The 30 days of 《社会团体登记管理条例》 art. 18 are the organization's limit (Case.filing_due_on), counted
        # from the supervising unit's approval; they are not a review time.
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, APPLICANTS,
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

DEREGISTRATION = CaseWorkflow(
    kind=CaseKind.DEREGISTRATION,
    label=_("Deregistration"),
    tier="",
    required_documents=(DocumentKind.RESOLUTION, DocumentKind.LIQUIDATION_REPORT),
    transitions=(
        # The 15 days after liquidation ends (《社会团体登记管理条例》 art. 20) are the organization's limit
        # (Case.filing_due_on), not a review time.
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, APPLICANTS,
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

ANNUAL_REPORT = CaseWorkflow(
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
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, APPLICANTS, submits=True,
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

LEADERSHIP_CHANGE = CaseWorkflow(
    # 换届: the organization elects its new leadership as its charter says and files the result; the new term is
    # recorded on the organization (and the term alerts count towards its new end).
    kind=CaseKind.LEADERSHIP_CHANGE,
    label=_("Leadership change (换届)"),
    tier="",
    required_documents=(DocumentKind.RESOLUTION, DocumentKind.ELECTION_RECORD),
    transitions=(
        Transition("submit", _("Submit"), (S.DRAFT, S.RETURNED), S.SUBMITTED, APPLICANTS,
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

REVOCATION = CaseWorkflow(
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
