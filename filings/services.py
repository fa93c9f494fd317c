"""Case operations. Plain functions taking objects and the acting user: callable from views, the API and tasks.

A case changes state only through the workflow kit's ``transition()`` (registry/workflow.py), on the tables of
filings/workflows.py. It locks the case row, so of two reviewers acting at the same moment exactly one succeeds and
the other gets TransitionConflict; every effect on the organization runs in the same transaction and a failure
leaves the database as it was. The kit's names are re-exported here for the case pages, API and tests.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from filings import eligibility
from filings.choices import OPEN_STATES, CaseKind, CaseState
from filings.models import Case, CaseEvent, Document
from filings.numbering import case_number
from filings.workflows import AUTHORING_ACTIONS, DECIDER, DECIDERS_BY_TIER, GUARDS, WORKFLOWS
from registry.choices import Tier
from registry.documents import check_upload
from registry.forms import OrganizationForm, form_data_from
from registry.models import Organization, Region
from registry.workflow import TransitionConflict, available_transitions, refusal, transition  # noqa: F401

EDITABLE_STATES = (CaseState.DRAFT, CaseState.RETURNED)
UPLOAD_STATES = (CaseState.DRAFT, CaseState.RETURNED, CaseState.PREPARING)


def case_tier(case) -> str:
    return case.workflow.case_tier(case)


def case_authors(case) -> set[int]:
    return case.workflow.authors(case)


def required_documents(case) -> list[str]:
    workflow = case.workflow
    kinds = list(workflow.required_documents)
    for guard, extra in workflow.conditional_documents.items():
        if GUARDS[guard](case, None):
            kinds.extend(extra)
    return kinds


def missing_documents(case) -> list[str]:
    present = set(case.documents.values_list("kind", flat=True))
    return [kind for kind in required_documents(case) if kind not in present]


def payload_form(case, user=None):
    """The proposed details bound to a form. Validation writes into the instance, so it gets a fresh copy:
    the organization in memory must keep its current values (its history is saved from them)."""
    tier = case_tier(case)
    instance = Organization.objects.get(pk=case.organization_id) if case.organization_id else Organization()
    return OrganizationForm(data=form_data_from(case.payload), tier=tier, user=user, instance=instance)


def submission_problems(case) -> list[str]:
    from filings.choices import DocumentKind
    from filings.forms import KIND_FORMS

    problems = []
    if case.kind in KIND_FORMS:
        form = KIND_FORMS[case.kind](data=case.payload, organization=case.organization)
        if not form.is_valid():
            problems.extend(str(e) for errors in form.errors.values() for e in errors)
    elif case.kind != CaseKind.ANNUAL_REPORT:
        form = payload_form(case)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                problems.extend(f"{label}: {error}" if label else error for error in errors)
        problems.extend(str(v) for v in eligibility.check(case_tier(case), case.payload, case.region_id))
    for kind in missing_documents(case):
        problems.append(_("Missing document: %(kind)s") % {"kind": DocumentKind(kind).label})
    return problems


# ------------------------------------------------------------------------------------------------ creation

ORGANIZATION_KINDS = (CaseKind.CHANGE, CaseKind.DEREGISTRATION, CaseKind.ANNUAL_REPORT, CaseKind.LEADERSHIP_CHANGE,
                      CaseKind.REVOCATION)

# The organization's own limits (not review times), counted from a date in the payload:
# a change within 30 days of the supervising unit's approval (《社会团体登记管理条例》 art. 18);
# deregistration within 15 days after liquidation ends (art. 20).
ORGANIZATION_DEADLINES = {
    CaseKind.CHANGE: ("supervisor_approved_on", 30),
    CaseKind.DEREGISTRATION: ("liquidation_ended_on", 15),
}


def organization_deadline(kind, payload) -> date | None:
    field_days = ORGANIZATION_DEADLINES.get(kind)
    if not field_days or not payload.get(field_days[0]):
        return None
    try:
        start = date.fromisoformat(str(payload[field_days[0]]))
    except ValueError:
        return None
    return start + timedelta(days=field_days[1])


def may_create(user, kind) -> bool:
    return user.is_active and (user.is_superuser or user.role in WORKFLOWS[kind].creators)


@transaction.atomic
def create_case(user, kind, payload, organization=None) -> Case:
    if not may_create(user, kind):
        raise PermissionDenied(_("Your role may not open this kind of case."))
    if organization is not None:
        if not Organization.objects.visible_to(user).filter(pk=organization.pk).exists():
            raise PermissionDenied(_("This organization lies outside your jurisdiction."))
        if not organization.is_open:
            raise ValidationError(_("%(name)s is closed (%(status)s).") % {
                "name": organization.name, "status": organization.get_status_display()})
        # An annual report runs beside other cases: an open draft must not block a change or deregistration.
        blocking = organization.cases.filter(state__in=OPEN_STATES).exclude(kind=CaseKind.ANNUAL_REPORT)
        if kind != CaseKind.ANNUAL_REPORT and blocking.exists():
            raise ValidationError(_("%(name)s already has an open case; finish or withdraw it first.")
                                  % {"name": organization.name})
        # The tier as stored: a form bound to the organization may have set the case's tier on it in memory.
        tier = Organization.objects.values_list("tier", flat=True).get(pk=organization.pk)
        if kind == CaseKind.REGISTRATION and tier == Tier.REGISTERED:
            raise ValidationError(_("%(name)s is registered already.") % {"name": organization.name})
        if kind == CaseKind.REVOCATION and tier == Tier.COMMUNITY:
            raise ValidationError(_("A community-guided group is cleared by its community, not revoked."))
    elif kind in ORGANIZATION_KINDS:
        raise ValidationError(_("A change, deregistration, annual report, leadership change or revocation "
                                "concerns an existing organization."))
    region_code = payload.get("region") or (organization.region_id if organization else None)
    region = Region.objects.filter(pk=region_code).first()
    if region is None:
        raise ValidationError(_("Choose the community or region of the organization."))
    case = Case.objects.create(
        number=case_number(kind, timezone.localdate().year), kind=kind, region=region,
        organization=organization, title=payload.get("name") or (organization.name if organization else ""),
        payload=payload, created_by=user, filing_due_on=organization_deadline(kind, payload),
    )
    if not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        raise PermissionDenied(_("This region lies outside your jurisdiction."))
    CaseEvent.objects.create(case=case, action="create", to_state=case.state, actor=user)
    return case


@transaction.atomic
def update_payload(user, case, payload) -> Case:
    locked = Case.objects.visible_to(user).select_for_update().get(pk=case.pk)
    if locked.state not in EDITABLE_STATES:
        raise ValidationError(_("Only a draft or a returned case can be edited."))
    if not may_create(user, locked.kind):
        raise PermissionDenied(_("Your role may not edit this case."))
    locked.payload = payload
    locked.title = payload.get("name") or locked.title
    locked.filing_due_on = organization_deadline(locked.kind, payload)
    if payload.get("region") and locked.organization_id is None:
        locked.region_id = payload["region"]
    locked.save()
    if not Case.objects.visible_to(user).filter(pk=locked.pk).exists():
        raise PermissionDenied(_("This region lies outside your jurisdiction."))
    CaseEvent.objects.create(case=locked, action="edit", actor=user)
    return locked


@transaction.atomic
def add_document(user, case, upload, kind) -> Document:
    locked = Case.objects.visible_to(user).select_for_update().get(pk=case.pk)
    if locked.state not in UPLOAD_STATES:
        raise ValidationError(_("Documents can be added while the case is a draft, returned or in preparation."))
    if not may_create(user, locked.kind):
        raise PermissionDenied(_("Your role may not add documents to this case."))
    content_type, digest = check_upload(upload)
    document = Document(case=locked, kind=kind, original_name=upload.name[:200], content_type=content_type,
                        size=upload.size, sha256=digest, uploaded_by=user)
    document.file.save(upload.name, upload, save=False)
    document.save()
    CaseEvent.objects.create(case=locked, action="upload", actor=user, comment=upload.name[:200])
    return document


# ------------------------------------------------------------------------------------------------ inbox

def waiting_for(user):
    """Open cases in the user's jurisdiction where the user can take the next step; overdue first."""
    conditions = Q(pk__in=[])
    authored = CaseEvent.objects.filter(case=OuterRef("pk"), actor=user, action__in=AUTHORING_ACTIONS)
    for kind, workflow in WORKFLOWS.items():
        for step in workflow.transitions:
            if step.action in ("comment", "withdraw"):
                continue
            for role in step.roles:
                if role == DECIDER:
                    for tier, deciders in DECIDERS_BY_TIER.items():
                        if user.role in deciders and (not workflow.tier or workflow.tier == tier):
                            condition = Q(kind=kind, state__in=step.sources)
                            if not workflow.tier:
                                condition &= Q(organization__tier=tier)
                            if step.when == "is_final_stage":
                                supervised = Q(organization__tier=Tier.REGISTERED,
                                               organization__directly_registered=False)
                                condition &= ((supervised & Q(state=CaseState.UNDER_REVIEW))
                                              | (~supervised & Q(state=CaseState.SUBMITTED)))
                            if step.decides:
                                condition &= ~Q(created_by=user) & ~Q(submitted_by=user) & ~Exists(authored)
                            conditions |= condition
                elif user.role == role:
                    condition = Q(kind=kind, state__in=step.sources)
                    if step.submits and kind != CaseKind.ANNUAL_REPORT:
                        # Annual reports are opened by the daily job: every street worker of the street owes them.
                        condition &= Q(created_by=user) | Q(submitted_by=user)
                    if step.decides:
                        condition &= ~Q(created_by=user) & ~Q(submitted_by=user) & ~Exists(authored)
                    if step.when in ("is_supervised_registered",):
                        condition &= Q(organization__tier=Tier.REGISTERED, organization__directly_registered=False)
                    conditions |= condition
    return (Case.objects.visible_to(user).filter(conditions)
            .order_by(F("due_on").asc(nulls_last=True), "created_at"))
