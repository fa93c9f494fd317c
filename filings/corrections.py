"""The correction loop around a case's workflow: what a reviewer returns, what the submitter replaces, what changed
since the return, and who is told.

``act()`` is the one write path for a step from the case page and the API: it calls the workflow's
``services.transition()`` and, in the same transaction, marks the documents the reviewer returned, keeps the
details as they stood at the return, and leaves notifications (mailed after the commit when configured).
"""

from copy import copy

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from filings import services
from filings.choices import CaseKind, CaseState
from filings.models import Case, CaseEvent, Document
from registry.documents import check_upload
from registry.models import NotificationKind
from registry.notifications import notify, people_of
from registry.workflow import guard_holds

DECISIONS = (CaseState.APPROVED, CaseState.REJECTED)

# Fields the submitter does not fill: the registration authority issues the credit code with its decision, so a
# street's form neither asks for nor shows it (the reviewer enters it on approval).
FILLED_BY_AUTHORITY = {
    CaseKind.REGISTRATION: ("uscc", "uscc_override_reason"),
}


def hidden_fields(case_kind, user=None) -> tuple[str, ...]:
    """Fields of the case's details the user does not fill (all of FILLED_BY_AUTHORITY for submitters)."""
    if user is not None and not services.may_create(user, case_kind):
        return ()
    return FILLED_BY_AUTHORITY.get(case_kind, ())


@transaction.atomic
def act(case, action, user, comment="", data=None, version=None, rejected_documents=()) -> Case:
    step = case.workflow.get(action)
    rejected_ids = {int(pk) for pk in rejected_documents or ()}
    if rejected_ids and (step is None or step.target != CaseState.RETURNED):
        raise ValidationError(_("Documents can be returned only together with the case."))
    case = services.transition(case, action, user, comment=comment, data=data, version=version)
    if step.target == CaseState.RETURNED:
        _return_documents(case, user, rejected_ids)
        Case.objects.filter(pk=case.pk).update(returned_payload=case.payload)
        case.returned_payload = case.payload
    _notify_step(case, step, user)
    return case


def _return_documents(case, user, ids):
    current = Document.objects.filter(case=case, replacement__isnull=True, rejected_at__isnull=True)
    found = current.filter(pk__in=ids)
    if found.count() != len(ids):
        raise ValidationError(_("A returned document is not one of this case's current documents."))
    found.update(rejected_at=timezone.now(), rejected_by=user)


@transaction.atomic
def replace_document(user, document, upload) -> Document:
    """A new version of a document (returned by the reviewer, or outdated); the old one stays, marked replaced."""
    case = Case.objects.visible_to(user).select_for_update().get(pk=document.case_id)
    if case.state not in services.UPLOAD_STATES:
        raise ValidationError(_("Documents can be replaced while the case is a draft, returned or in preparation."))
    if not services.may_create(user, case.kind):
        raise PermissionDenied(_("Your role may not add documents to this case."))
    old = Document.objects.select_for_update().get(pk=document.pk, case=case)
    if Document.objects.filter(replaces=old).exists():
        raise ValidationError(_("%(name)s has been replaced already.") % {"name": old.original_name})
    content_type, digest = check_upload(upload)
    new = Document(case=case, kind=old.kind, original_name=upload.name[:200], content_type=content_type,
                   size=upload.size, sha256=digest, uploaded_by=user, replaces=old)
    new.file.save(upload.name, upload, save=False)
    new.save()
    # Recorded as an upload: whoever replaces a document has shaped the case (separation of duties).
    CaseEvent.objects.create(case=case, action="upload", actor=user, comment=_("%(new)s (replaces %(old)s)") % {
        "new": new.original_name, "old": old.original_name})
    return new


# ------------------------------------------------------------------------------------------------ what changed

def last_returned_at(case):
    return (case.events.filter(to_state=CaseState.RETURNED).order_by("-at", "-pk")
            .values_list("at", flat=True).first())


def changed_fields(case, details) -> list[tuple]:
    """(label, at the return, now) for each detail that differs from the details as they stood at the last
    return; ``details`` renders a case's details as (label, value, ...) rows."""
    if case.returned_payload is None:
        return []
    before = copy(case)
    before.payload = case.returned_payload
    old = {row[0]: row[1] for row in details(before)}
    new = {row[0]: row[1] for row in details(case)}
    return [(label, old.get(label, "—"), value) for label, value in new.items() if old.get(label, "—") != value] + \
        [(label, value, "—") for label, value in old.items() if label not in new]


def changed_documents(case) -> list[Document]:
    """Documents uploaded since the last return (replacements know what they replace)."""
    returned_at = last_returned_at(case)
    if returned_at is None:
        return []
    return list(case.documents.filter(uploaded_at__gt=returned_at)
                .select_related("replaces", "uploaded_by").order_by("uploaded_at"))


# ------------------------------------------------------------------------------------------------ who is told

def _people(case, roles, exclude=()):
    return [person for person in people_of(case.region, roles) if person.pk not in exclude]


def deciders(case):
    """Who may take a decision on the case in its present state (not those who shaped it)."""
    roles = set()
    for step in case.workflow.transitions:
        if step.decides and case.state in step.sources and (not step.when or guard_holds(case, step.when)):
            roles.update(case.workflow.roles_for(step, case))
    return _people(case, roles, exclude=services.case_authors(case)) if roles else []


def _notify_step(case, step, user):
    url = case.get_absolute_url()
    key = f"case:{case.pk}:{step.action}:{case.version}"
    if step.submits:
        message = _("%(number)s %(title)s was submitted and waits for your decision.")
        recipients, kind = deciders(case), NotificationKind.SUBMITTED
    elif step.target == CaseState.RETURNED:
        message = _("%(number)s %(title)s was returned for correction: %(reason)s")
        recipients, kind = _submitters(case, user), NotificationKind.RETURNED
    elif step.target in DECISIONS:
        message = _("%(number)s %(title)s was decided: %(state)s.")
        recipients, kind = _submitters(case, user), NotificationKind.DECIDED
    else:
        return
    text = message % {"number": case.number, "title": case.title, "state": case.get_state_display(),
                      "reason": case.return_reason}
    for person in recipients:
        notify(person, key, text, url, kind)


def _submitters(case, actor):
    people = {case.created_by, case.submitted_by} - {None, actor}
    return [person for person in people if person.is_active]


def notify_overdue_cases(today=None) -> int:
    """Those who may decide an open case past its decision date are told once per case and due date."""
    today = today or timezone.localdate()
    sent = 0
    overdue = Case.objects.overdue(today).select_related("region", "organization", "created_by", "submitted_by")
    for case in overdue.iterator(chunk_size=500):
        text = _("%(number)s %(title)s is overdue: the decision was due on %(date)s.") % {
            "number": case.number, "title": case.title, "date": case.due_on}
        for person in deciders(case):
            sent += notify(person, f"case-overdue:{case.pk}:{case.due_on}", text, case.get_absolute_url(),
                           NotificationKind.OVERDUE)
    return sent
