"""The organization's own side of venture grants: the calls open to it and its applications, filed online itself.

A community social organization applies to a round whose call is open in a jurisdiction that contains it (Hypha's
applicant account; Shanghai 2024 第八条 on community service projects CSOs take on). The application is the same row
street staff file on its behalf, made by the same service (grants/services.py ``create_application``), moved by the
same workflow kit; the organization takes its own steps only (submit, withdraw), screening, scoring and awards stay
with the district and the experts.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from grants import services
from grants.forms import ApplicationForm, BudgetLineFormSet, TransitionForm, budget_lines_from
from grants.models import Application, Round
from registry.accounts import membership_of
from registry.generic import ObjectDetailView
from registry.middleware import is_organization_user
from registry.permissions import permits
from registry.views.workflow import transition_view

OWN_STEPS = ("submit", "withdraw")


def grants_section(organization, user):
    """Calls open to the organization and its applications (for its own users; staff see them on their pages)."""
    if not is_organization_user(user):
        return None
    applications = Application.objects.visible_to(user).filter(organization=organization) \
        .select_related("round").order_by("-created_at")[:50]
    return {"key": "grants", "title": _("Venture grants"), "template": "grants/_org_grants.html",
            "rows": applications, "kinds": list(services.rounds_open_to(organization))}


def org_application_url(application):
    return reverse("grants:org_application", args=[application.pk])


@login_required
@permits(is_organization_user)
def org_application_create(request, pk):
    """A new application to an open call, as a draft the organization checks before submitting."""
    member = membership_of(request.user)
    round_ = services.rounds_open_to(member.organization).filter(pk=pk).first()
    if round_ is None:
        raise Http404
    form = ApplicationForm(request.POST or None, user=request.user, round=round_)
    formset = BudgetLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            lines = budget_lines_from(formset, form.cleaned_data["amount_requested"])
            fields = {k: v for k, v in form.cleaned_data.items() if k != "target_groups"}
            application = services.create_application(request.user, round_, member.organization, fields, lines,
                                                      form.cleaned_data["target_groups"])
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Draft saved. Check it, then submit."))
            return redirect(org_application_url(application))
    return render(request, "grants/application_form.html", {
        "form": form, "formset": formset, "round": round_, "back_url": reverse("registry:org_home")})


class OrgApplicationView(ObjectDetailView):
    """The application as the organization sees it: its state, budget and the steps it may take."""

    model = Application
    queryset = Application.objects.select_related("round", "track")
    template_name = "grants/org_application.html"

    @classmethod
    def permits(cls, user) -> bool:
        return is_organization_user(user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.object
        context.update(
            budget_lines=application.budget_lines.all(),
            steps=[s for s in services.available_transitions(application, self.request.user)
                   if s.action in OWN_STEPS],
            problems=services.eligibility_problems(application, at_submission=True)
            if application.state in services.EDITABLE_STATES else [],
        )
        return context


org_application_step = permits(is_organization_user)(transition_view(
    Application, OrgApplicationView, TransitionForm, offered=lambda step: step.action in OWN_STEPS,
    after=org_application_url))


org_application_create.scoped_model = Round  # the permission matrix builds a round for it
