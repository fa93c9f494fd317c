from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from filings import corrections, services
from filings.choices import CaseKind, DocumentKind
from filings.filters import CaseFilterSet
from filings.forms import KIND_FORMS, CaseForm, DocumentForm, KindForm, ReplaceDocumentForm, TransitionForm
from filings.models import Case, Certificate, Document
from filings.pdf import certificate_response
from filings.tables import CaseTable
from filings.workflows import WORKFLOWS
from registry import params
from registry.forms import form_data_from, payload_from
from registry.generic import ObjectDetailView, ObjectListView, fetch_visible, scoped
from registry.limits import over_limit
from registry.models import Organization
from registry.views.workflow import transition_view


class CaseListView(ObjectListView):
    model = Case
    queryset = Case.objects.select_related("region")
    filterset_class = CaseFilterSet
    table_class = CaseTable
    export_basename = "cases"
    title = _l("All cases")


class InboxView(CaseListView):
    title = _l("Waiting for me")
    template_name = "filings/inbox.html"

    def get_queryset(self):
        return services.waiting_for(self.request.user).select_related("region")


def _tier_of(kind, organization):
    return WORKFLOWS[kind].tier or organization.tier


def _form_for(request, kind, organization=None, case=None):
    if kind in KIND_FORMS:
        initial = case.payload if case else None
        return KIND_FORMS[kind](request.POST or None, initial=initial, organization=organization)
    tier = _tier_of(kind, organization)
    # The form sets the case's tier on its instance: give it a copy, never the organization itself.
    instance = Organization.objects.get(pk=organization.pk) if organization else Organization()
    # The number kept when the form's masked one comes back: the draft's, else the organization's.
    stored = case.payload.get("leader_id_number") if case is not None else None
    if case is not None and request.method != "POST":
        return CaseForm(data=form_data_from(case.payload), tier=tier, kind=kind, user=request.user,
                        instance=instance, stored_id_number=stored)
    return CaseForm(request.POST or None, tier=tier, kind=kind, user=request.user, instance=instance,
                    stored_id_number=stored)


def _payload(form):
    if isinstance(form, KindForm):
        return form.payload()
    return payload_from(form)



def save_new_case(request, form, kind, organization):
    """The posted form saved as a new draft (the staff's page and the organization's); None while it is not."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        case = services.create_case(request.user, kind, _payload(form), organization=organization)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, _("Draft %(number)s saved. Upload the documents, then submit.") % {"number": case.number})
    return case


@login_required
def case_create(request, kind):
    if kind not in WORKFLOWS:
        raise Http404
    if not services.may_create(request.user, kind):
        raise PermissionDenied(_("Your role may not open this kind of case."))
    organization = None
    organization_id = params.object_id(request.GET, "organization")
    if organization_id:
        organization = fetch_visible(Organization, request.user, pk=organization_id)
    elif kind in services.ORGANIZATION_KINDS:
        raise Http404
    form = _form_for(request, kind, organization)
    case = save_new_case(request, form, kind, organization)
    if case is not None:
        return redirect(case)
    return render(request, "filings/case_form.html", {
        "form": form, "kind": kind, "workflow": WORKFLOWS[kind], "organization": organization,
    })


@scoped(Case)
def case_edit(request, case):
    if case.state not in services.EDITABLE_STATES or not services.may_create(request.user, case.kind):
        raise PermissionDenied(_("Only a draft or a returned case can be edited."))
    form = _form_for(request, case.kind, case.organization, case)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_payload(request.user, case, _payload(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(case)
    return render(request, "filings/case_form.html", {
        "form": form, "kind": case.kind, "workflow": case.workflow, "organization": case.organization, "case": case,
    })


class CaseDetailView(ObjectDetailView):
    model = Case
    queryset = Case.objects.select_related("region", "organization", "created_by", "submitted_by", "decided_by")
    template_name = "filings/case_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        present, history = {}, []
        for document in case.documents.select_related("uploaded_by", "rejected_by", "replacement", "replaces"):
            if getattr(document, "replacement", None) is not None:
                history.append(document)
            else:
                present.setdefault(document.kind, []).append(document)
        current = [d for docs in present.values() for d in docs]
        accepted = {d.kind for d in current if d.rejected_at is None}
        required = services.required_documents(case)
        may_upload = case.state in services.UPLOAD_STATES and services.may_create(user, case.kind)
        actions = services.available_transitions(case, user)
        hidden = corrections.hidden_fields(case.kind, user)
        context.update(
            details=[row for row in case_details(case) if row[0] not in _labels(case, hidden)],
            history=history,
            returnable=[d for d in current if d.rejected_at is None]
            if any(t.target == "returned" for t in actions) else [],
            replace_form=ReplaceDocumentForm() if may_upload else None,
            changed_fields=corrections.changed_fields(case, case_details)
            if case.returned_payload is not None and case.state not in services.EDITABLE_STATES else [],
            changed_documents=corrections.changed_documents(case)
            if case.state not in services.EDITABLE_STATES else [],
            documents=present,
            required=[(DocumentKind(kind).label, kind in accepted) for kind in required],
            events=case.events.select_related("actor", "case"),
            actions=actions,
            may_edit=case.state in services.EDITABLE_STATES and services.may_create(user, case.kind),
            may_upload=may_upload,
            problems=services.submission_problems(case) if case.state in services.EDITABLE_STATES else [],
            document_form=DocumentForm(),
            certificates=case.certificates.all(),
            # The credit code is asked of whoever may register the organization now, not of the submitter.
            needs_uscc=case.kind == CaseKind.REGISTRATION and not case.payload.get("uscc")
            and any(t.effect == "register_organization" for t in actions),
            needs_result=services.GUARDS["is_registered"](case) and any(
                t.records_result for t in services.available_transitions(case, user)),
            result_choices=TransitionForm().fields["result"].choices,
        )
        return context


def _labels(case, names):
    if not names or case.kind in KIND_FORMS or case.kind == CaseKind.ANNUAL_REPORT:
        return set()
    fields = services.payload_form(case).fields
    return {fields[name].label for name in names if name in fields}


def case_details(case):
    """(label, proposed value, current value) rows; the current value only for changes."""
    if case.kind in KIND_FORMS:
        form = KIND_FORMS[case.kind]()
        return [(form.fields[k].label, _display(form.fields[k], v, k), None)
                for k, v in case.payload.items() if k in form.fields]
    if case.kind == CaseKind.ANNUAL_REPORT:
        return [(_("Year reported on"), case.period, None)] + (
            [(_("Result"), case.get_result_display(), None)] if case.result else [])
    form = services.payload_form(case)
    form.is_valid()
    rows = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name, case.payload.get(name))
        rows.append((field.label, _display(field, value, name),
                     _display(field, getattr(case.organization, name, None), name)
                     if case.kind == CaseKind.CHANGE and case.organization and name != "target_groups" else None))
    return rows


def _display(field, value, name):
    from registry.personal import mask_id, mask_phone

    if value in (None, "", []):
        return "—"
    if name == "leader_id_number":
        return mask_id(str(value))
    if name == "leader_phone":
        return mask_phone(str(value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if hasattr(value, "all"):
        return "、".join(str(v) for v in value.all())
    if isinstance(value, list | tuple):
        choices = dict(getattr(field, "choices", []))
        return "、".join(str(choices.get(v, v)) for v in value)
    choices = getattr(field, "choices", None)
    if choices and not hasattr(value, "pk"):
        return str(dict(choices).get(value, value))
    return str(value)


# The kit's transition view (registry/views/workflow.py), with the documents a reviewer returns
# (filings/corrections.py).
case_transition = transition_view(
    Case, CaseDetailView, TransitionForm,
    form_kwargs=lambda case: {"documents": case.documents.filter(replacement__isnull=True)},
    act=lambda case, step, user, data: corrections.act(
        case, step.action, user, comment=data["comment"], data={"uscc": data["uscc"], "result": data["result"]},
        version=data["version"], rejected_documents=data["rejected_documents"]))


@scoped(Case)
@require_POST
def document_upload(request, case):
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(case)
    try:
        document = services.add_document(request.user, case, form.cleaned_data["file"], form.cleaned_data["kind"])
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s uploaded.") % {"name": document.original_name})
    return redirect(case)


@scoped(Document)
@require_POST
def document_replace(request, document):
    form = ReplaceDocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(document.case)
    try:
        new = corrections.replace_document(request.user, document, form.cleaned_data["replacement"])
    except (PermissionDenied, ValidationError) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, _("%(old)s replaced by %(new)s.") % {"old": document.original_name,
                                                                      "new": new.original_name})
    return redirect(document.case)


@scoped(Document)
def document_download(request, document):
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name,
                        content_type=document.content_type)


@scoped(Certificate)
def certificate_pdf(request, certificate):
    return certificate_response(certificate)


VERIFICATIONS_PER_MINUTE = 30


def verify(request, code):
    """Public page (no login): is this certificate genuine, and what is the organization's status now?"""
    if over_limit(request, "verify", VERIFICATIONS_PER_MINUTE):
        return render(request, "filings/verify.html", {"limited": True, "code": ""}, status=429)
    code = params.path_text(code, max_length=64)
    certificate = Certificate.objects.select_related("organization__region", "organization__category").filter(
        verification_code=code.strip().upper()).first()
    return render(request, "filings/verify.html", {"certificate": certificate, "code": code},
                  status=200 if certificate else 404)
