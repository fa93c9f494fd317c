"""The organization's own side of cases: what it sees on its home page, and applying online itself.

An organization user (registry/accounts.py) opens, edits, documents, submits and withdraws its own cases here, under
``/org/``: founding as a filed group (备案) or registration (登记, the two-step route for social groups), change,
换届, deregistration and the annual report (Pinghu: 成立、变更、注销、换届、年检…"最多跑一次"; Shanghai 2024 第二条:
全流程网络办理). The pages call the same services as the staff's (filings/services.py, the workflow kit); the
deciding steps stay with the authority (filings/workflows.py ``DECIDERS_BY_TIER``), and the one access rule shows the
organization its own cases only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings import services
from filings.choices import CaseKind, DocumentKind
from filings.forms import DocumentForm, TransitionForm
from filings.models import Case
from filings.workflows import WORKFLOWS
from registry.accounts import membership_of
from registry.choices import Tier
from registry.generic import ObjectDetailView, scoped
from registry.middleware import is_organization_user
from registry.models import Region
from registry.permissions import permits
from registry.views.workflow import transition_view

# What an organization may apply for online, by its current tier (a registered organization does not file; a
# community group may be filed or registered). Annual reports are opened for it each January by the daily job
# (filings/lifecycle.py): it fills and submits the one it finds among its cases.
ONLINE_KINDS = {
    Tier.COMMUNITY: (CaseKind.FILING, CaseKind.REGISTRATION, CaseKind.CHANGE, CaseKind.LEADERSHIP_CHANGE,
                     CaseKind.DEREGISTRATION),
    Tier.FILED: (CaseKind.REGISTRATION, CaseKind.CHANGE, CaseKind.LEADERSHIP_CHANGE, CaseKind.DEREGISTRATION),
    Tier.REGISTERED: (CaseKind.CHANGE, CaseKind.LEADERSHIP_CHANGE, CaseKind.DEREGISTRATION),
}
# The steps an organization takes itself; every other step is the staff's.
OWN_STEPS = ("submit", "submit_establishment", "withdraw")


def online_kinds(organization):
    return [kind for kind in ONLINE_KINDS.get(organization.tier, ()) if kind in WORKFLOWS]


def cases_section(organization, user):
    """The organization's cases with their state, the reason of a return, and its certificates to download."""
    rows = (Case.objects.visible_to(user).filter(organization=organization)
            .prefetch_related("certificates").order_by("-created_at")[:50])
    kinds = [(kind, WORKFLOWS[kind].label) for kind in online_kinds(organization)] \
        if is_organization_user(user) else []
    return {"key": "cases", "title": _("Our cases"), "template": "filings/_org_cases.html", "rows": rows,
            "kinds": kinds}


def _own_organization(user):
    member = membership_of(user)
    if member is None:
        raise PermissionDenied
    return member.organization


def _own_form(request, kind, organization, case=None):
    """The staff's case form, fitted to the organization: its own community, fixed (it applies for itself, it does
    not move itself to another community by filing)."""
    from filings.views import _form_for

    form = _form_for(request, kind, organization, case)
    region = form.fields.get("region")
    if region is not None:
        region.queryset = Region.objects.filter(code=organization.region_id)
        region.initial = organization.region_id
        region.disabled = True
    return form


def org_case_url(case):
    return reverse("filings:org_case", args=[case.pk])


@login_required
@permits(is_organization_user)
def org_case_create(request, kind):
    """A new application for the organization's own record; saved as a draft it can come back to."""
    from filings.views import save_new_case

    organization = _own_organization(request.user)
    if kind not in online_kinds(organization):
        raise Http404
    form = _own_form(request, kind, organization)
    case = save_new_case(request, form, kind, organization)
    if case is not None:
        return redirect(org_case_url(case))
    return render(request, "filings/case_form.html", {
        "form": form, "kind": kind, "workflow": WORKFLOWS[kind], "organization": organization,
        "cancel_url": reverse("registry:org_home")})


class OrgCaseView(ObjectDetailView):
    """The application as the organization sees it: state, the reason of a return, what is missing, its documents,
    the steps it may take (submit, withdraw), its certificates, its history (without the staff's notes)."""

    model = Case
    queryset = Case.objects.select_related("region", "organization")
    template_name = "filings/org_case.html"

    @classmethod
    def permits(cls, user) -> bool:
        return is_organization_user(user)

    def get_context_data(self, **kwargs):
        from filings.views import case_details

        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        present = {}
        for document in case.documents.all():
            present.setdefault(document.kind, []).append(document)
        editable = case.state in services.EDITABLE_STATES and services.may_create(user, case.kind)
        context.update(
            details=case_details(case),
            required=[(DocumentKind(kind).label, kind in present) for kind in services.required_documents(case)],
            documents=[d for docs in present.values() for d in docs],
            steps=[s for s in services.available_transitions(case, user) if s.action in OWN_STEPS],
            may_edit=editable,
            may_upload=case.state in services.UPLOAD_STATES and services.may_create(user, case.kind),
            problems=services.submission_problems(case) if editable else [],
            document_form=DocumentForm(), certificates=case.certificates.all(),
            events=case.events.select_related("actor").exclude(action="comment").order_by("at"),  # staff notes stay
        )
        return context


@permits(is_organization_user)
@scoped(Case)
def org_case_edit(request, case):
    from filings.views import _payload

    if case.state not in services.EDITABLE_STATES:
        raise PermissionDenied(_("Only a draft or a returned case can be edited."))
    form = _own_form(request, case.kind, _own_organization(request.user), case)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_payload(request.user, case, _payload(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(org_case_url(case))
    return render(request, "filings/case_form.html", {
        "form": form, "kind": case.kind, "workflow": case.workflow, "organization": case.organization,
        "case": case, "cancel_url": org_case_url(case)})


@login_required
@permits(is_organization_user)
@require_POST
def org_case_upload(request, pk):
    """The staff's upload (same form, checks, service and messages; 404 out of scope), landing back here."""
    from filings.views import document_upload

    document_upload(request, pk=pk)
    return redirect(reverse("filings:org_case", args=[pk]))


# Submit, apply for establishment, or withdraw: the kit's page view (a stale version answers 409 with the page as it
# is now and the typed reason kept), landing back on the organization's own page of the case.
org_case_step = permits(is_organization_user)(transition_view(
    Case, OrgCaseView, TransitionForm, offered=lambda step: step.action in OWN_STEPS, after=org_case_url))


org_case_upload.scoped_model = Case  # the permission matrix builds a case for it (the staff view it calls is scoped)
