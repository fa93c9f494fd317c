from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from grants import services
from grants.choices import REASON_LABELS, AppState, SheetState
from grants.exports import summary_dataset
from grants.filters import (
    ApplicationFilterSet,
    ExpertLinkFilterSet,
    FundFilterSet,
    PaymentFilterSet,
    RoundFilterSet,
    SubsidyFilterSet,
)
from grants.forms import (
    ApplicationForm,
    AssignForm,
    BudgetForm,
    BudgetLineFormSet,
    DecideForm,
    FundForm,
    LinkForm,
    PanelForm,
    PaymentForm,
    RoundForm,
    ScoreForm,
    SubsidyForm,
    TrackForm,
    TransitionForm,
    budget_lines_from,
)
from grants.models import AllocationRun, Application, Attachment, ExpertLink, Fund, Payment, Round, Subsidy, Tranche
from grants.pdf import notice_response
from grants.tables import (
    ApplicationTable,
    ExpertLinkTable,
    FundTable,
    PaymentTable,
    RoundTable,
    SubsidyTable,
)
from registry.choices import Role
from registry.exports import FORMATS, export_response
from registry.generic import ObjectDetailView, ObjectListView, scoped

DISTRICT = (Role.DISTRICT_REVIEWER, Role.ADMIN)


def _report(request, exc):
    if isinstance(exc, PermissionDenied):
        messages.error(request, str(exc) or _("Your role may not do this."))
    else:
        for message in exc.messages:
            messages.error(request, message)


def _require_district(user):
    if not (user.is_superuser or user.role in DISTRICT):
        raise PermissionDenied(_("Only the district bureau may do this."))


# ------------------------------------------------------------------------------------------------ rounds

class RoundListView(ObjectListView):
    model = Round
    queryset = Round.objects.select_related("region")
    filterset_class = RoundFilterSet
    table_class = RoundTable
    export_basename = "grant-rounds"
    title = _l("Venture-grant rounds")
    template_name = "grants/round_list.html"


@login_required
def round_create(request):
    _require_district(request.user)
    form = RoundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "region"}
        try:
            round_ = services.create_round(request.user, form.cleaned_data["region"], **data)
        except (PermissionDenied, ValidationError) as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Round created. Add its tracks and budget, then open the call."))
            return redirect(round_)
    return render(request, "grants/round_form.html", {"form": form})


class RoundDetailView(ObjectDetailView):
    model = Round
    queryset = Round.objects.select_related("region", "created_by")
    template_name = "grants/round_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        round_, user = self.object, self.request.user
        applications = Application.objects.visible_to(user).filter(round=round_).select_related(
            "organization", "track", "round").order_by("rank", "pk")
        manage = services.refusal(round_, round_.workflow.get("close_call"), user) is None or (
            (user.is_superuser or user.role == Role.DISTRICT_REVIEWER) and user.can_see_region(round_.region))
        context.update(
            tracks=round_.tracks.all(), budgets=round_.budgets.select_related("source"),
            criteria=round_.criteria.all(), panels=round_.panels.prefetch_related("members"),
            applications=applications, actions=services.available_transitions(round_, user),
            readiness=services.round_readiness(round_) if round_.state == "draft" else [],
            manage=manage, may_apply=services.may_apply(user) and round_.state == "open",
            track_form=TrackForm(), budget_form=BudgetForm(), panel_form=PanelForm(),
            events=round_.events.select_related("actor"),
        )
        return context


@scoped(Round)
@require_POST
def round_setup(request, round_):
    part = request.POST.get("part")
    forms = {"track": TrackForm, "budget": BudgetForm, "panel": PanelForm}
    form = forms.get(part, TrackForm)(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete; please try again."))
        return redirect(round_)
    data = form.cleaned_data
    try:
        if part == "budget":
            services.set_budget(request.user, round_, data["source"], data["amount"])
        elif part == "panel":
            services.add_panel(request.user, round_, data["name"], list(data["experts"]))
        else:
            services.set_track(request.user, round_, data["name"], data["budget"])
    except (PermissionDenied, ValidationError) as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect(round_)


@scoped(Round)
@require_POST
def round_transition(request, round_):
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete; please try again."))
        return redirect(round_)
    step = round_.workflow.get(form.cleaned_data["action"])
    if step is None or step.internal:
        messages.error(request, _("Unknown action."))
        return redirect(round_)
    try:
        round_ = services.transition(round_, step.action, request.user, comment=form.cleaned_data["comment"])
    except (PermissionDenied, ValidationError) as exc:
        _report(request, exc)
    else:
        messages.success(request, _("%(action)s: done.") % {"action": step.label})
    return redirect(round_)


def _labelled(result, applications):
    rows = []
    for key, decision in sorted(result["decisions"].items(), key=lambda item: item[1]["rank"]):
        application = applications.get(int(key))
        if application is not None:
            rows.append({"application": application, "label": REASON_LABELS.get(decision["reason"], ""),
                         **decision})
    return rows


@scoped(Round)
def round_allocation(request, round_):
    """Both modes side by side, with each application's reason; POST runs the allocation again."""
    if request.method == "POST":
        try:
            services.run_allocation(round_, request.user)
        except (PermissionDenied, ValidationError) as exc:
            _report(request, exc)
        return redirect("grants:round_allocation", pk=round_.pk)
    run = round_.allocation_runs.first()
    context = {"round": round_, "run": run, "manage": run is not None and round_.state == "review"
               and (request.user.is_superuser or request.user.role == Role.DISTRICT_REVIEWER)}
    if run is not None:
        applications = Application.objects.visible_to(request.user).filter(round=round_).select_related(
            "organization", "track").in_bulk()
        context["modes"] = [
            {"mode": mode, "summary": run.results[mode], "rows": _labelled(run.results[mode], applications)}
            for mode in ("rank", "optimal") if mode in run.results
        ]
        context["runnable"] = False
    context["can_run"] = round_.state == "review" and (request.user.is_superuser
                                                        or request.user.role == Role.DISTRICT_REVIEWER)
    return render(request, "grants/round_allocation.html", context)


@scoped(Round)
@require_POST
def round_decide(request, round_):
    form = DecideForm(request.POST)
    run = None
    if form.is_valid():
        run = AllocationRun.objects.filter(round=round_, pk=form.cleaned_data["run"]).first()
    if run is None:
        messages.error(request, _("Run the allocation first."))
        return redirect("grants:round_allocation", pk=round_.pk)
    try:
        services.decide(round_, run, form.cleaned_data["mode"], request.user)
    except (PermissionDenied, ValidationError) as exc:
        _report(request, exc)
        return redirect("grants:round_allocation", pk=round_.pk)
    messages.success(request, _("The allocation is applied: award notices can be printed."))
    return redirect(round_)


@scoped(Round)
def round_summary(request, round_):
    applications = Application.objects.visible_to(request.user).filter(round=round_)
    summary = services.round_summary(round_, applications)
    if request.GET.get("export") in FORMATS:
        return export_response(summary_dataset(round_, applications), request.GET["export"],
                               f"round-{round_.pk}")
    return render(request, "grants/round_summary.html", {"round": round_, "summary": summary})


# ------------------------------------------------------------------------------------------------ applications

class ApplicationListView(ObjectListView):
    model = Application
    queryset = Application.objects.select_related("organization", "round", "track")
    filterset_class = ApplicationFilterSet
    table_class = ApplicationTable
    export_basename = "grant-applications"
    title = _l("Venture-grant applications")


@scoped(Round)
def application_create(request, round_):
    if not services.may_apply(request.user):
        raise PermissionDenied(_("Street staff submit applications on an organization's behalf."))
    form = ApplicationForm(request.POST or None, user=request.user, round=round_)
    formset = BudgetLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            lines = budget_lines_from(formset, form.cleaned_data["amount_requested"])
            fields = {k: v for k, v in form.cleaned_data.items() if k not in ("organization", "target_groups")}
            application = services.create_application(request.user, round_, form.cleaned_data["organization"],
                                                       fields, lines, form.cleaned_data["target_groups"])
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Draft saved. Check it, then submit."))
            return redirect(application)
    return render(request, "grants/application_form.html", {"form": form, "formset": formset, "round": round_})


class ApplicationDetailView(ObjectDetailView):
    model = Application
    queryset = Application.objects.select_related("round__region", "organization__region", "track", "created_by")
    template_name = "grants/application_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application, user = self.object, self.request.user
        district = user.is_superuser or user.role in DISTRICT
        is_expert = user.role == Role.GRANT_EXPERT
        assigned = application.assignments.filter(expert=user).exists()
        context.update(
            budget_lines=application.budget_lines.all(),
            attachments=application.attachments.all(),
            events=application.events.select_related("actor", "application"),
            actions=services.available_transitions(application, user),
            problems=services.eligibility_problems(application, at_submission=application.state == AppState.DRAFT)
            if application.state in (AppState.DRAFT, AppState.SUBMITTED) and not is_expert else [],
            assignments=application.assignments.select_related("expert") if district else [],
            sheets=application.score_sheets.select_related("expert") if district else [],
            may_assign=district and application.state in (AppState.SUBMITTED, AppState.IN_REVIEW),
            may_score=is_expert and assigned and application.state == AppState.IN_REVIEW,
            assign_form=AssignForm(), panels=application.round.panels.all() if district else [],
            tranches=application.tranches.prefetch_related("payments__source") if not is_expert else [],
            payment_form=PaymentForm() if district else None,
            may_upload=(user.role == Role.STREET_STAFF and application.state == AppState.DRAFT),
            has_notice=application.awarded_amount is not None and not is_expert,
            target_groups=application.target_groups.all(),
            is_expert=is_expert,
        )
        return context


@scoped(Application)
@require_POST
def application_transition(request, application):
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete; please try again."))
        return redirect(application)
    action = form.cleaned_data["action"]
    step = application.workflow.get(action)
    if step is None or (step.internal and action != "evaluate"):
        messages.error(request, _("Unknown action."))
        return redirect(application)
    try:
        application = services.transition(application, action, request.user, comment=form.cleaned_data["comment"],
                                          data={"score": form.cleaned_data.get("score")})
    except (PermissionDenied, ValidationError) as exc:
        _report(request, exc)
    else:
        messages.success(request, _("%(action)s: done.") % {"action": step.label})
    return redirect(application)


@scoped(Application)
@require_POST
def application_assign(request, application):
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete; please try again."))
        return redirect(application)
    try:
        if form.cleaned_data.get("panel"):
            panel = get_object_or_404(application.round.panels, pk=form.cleaned_data["panel"])
            _require_district(request.user)
            assigned, refused = services.assign_panel(application, panel, request.user)
            for message in refused:
                messages.warning(request, message)
            messages.success(request, _("%(n)d experts assigned.") % {"n": len(assigned)})
        elif form.cleaned_data.get("expert"):
            services.assign_expert(application, form.cleaned_data["expert"], request.user)
            messages.success(request, _("Expert assigned."))
    except (PermissionDenied, ValidationError) as exc:
        _report(request, exc)
    return redirect(application)


@scoped(Application)
def application_score(request, application):
    """The expert's score sheet for one assigned application."""
    if not application.assignments.filter(expert=request.user).exists():
        raise PermissionDenied(_("You are not assigned to this application."))
    sheet = application.score_sheets.filter(expert=request.user).prefetch_related("scores").first()
    form = ScoreForm(request.POST or None, criteria=application.round.criteria.all(), sheet=sheet)
    locked = sheet is not None and sheet.state == SheetState.SUBMITTED
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                sheet = services.save_score_sheet(application, request.user, form.scores(),
                                                  form.cleaned_data["comment"], submit="submit" in request.POST)
        except (PermissionDenied, ValidationError) as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Score sheet submitted and locked.") if sheet.is_locked
                             else _("Score sheet saved."))
            return redirect("grants:application_score", pk=application.pk)
    return render(request, "grants/score_form.html",
                  {"application": application, "form": form, "sheet": sheet, "locked": locked})


@scoped(Application)
def application_notice(request, application):
    if application.awarded_amount is None or request.user.role == Role.GRANT_EXPERT:
        raise PermissionDenied(_("There is no award notice for this application."))
    return notice_response(application)


@scoped(Application)
@require_POST
def attachment_upload(request, application):
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return redirect(application)
    try:
        services.add_attachment(request.user, application, upload)
    except (PermissionDenied, ValidationError) as exc:
        _report(request, exc)
    return redirect(application)


@scoped(Attachment)
def attachment_download(request, attachment):
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type)


@scoped(Tranche, queryset=Tranche.objects.select_related("application"))
@require_POST
def tranche_payment(request, tranche):
    form = PaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete; please try again."))
        return redirect(tranche.application)
    data = form.cleaned_data
    try:
        services.record_payment(tranche, request.user, data["amount"], data["source"], data["paid_on"],
                                data["reference"])
    except (PermissionDenied, ValidationError) as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Payment recorded."))
    return redirect(tranche.application)


# ------------------------------------------------------------------------------------------------ money registers

class FundListView(ObjectListView):
    model = Fund
    queryset = Fund.objects.select_related("jurisdiction", "source")
    filterset_class = FundFilterSet
    table_class = FundTable
    export_basename = "grant-funds"
    title = _l("Venture-grant funds")
    create_url_name = "grants:fund_create"


@login_required
def fund_create(request):
    _require_district(request.user)
    form = FundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_fund(request.user, data["jurisdiction"], data["year"], data["source"], data["amount"],
                                 data["note"])
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("grants:fund_list")
    return render(request, "grants/simple_form.html", {"form": form, "title": _("Venture-grant fund")})


class SubsidyListView(ObjectListView):
    model = Subsidy
    queryset = Subsidy.objects.select_related("organization__region", "kind", "source")
    filterset_class = SubsidyFilterSet
    table_class = SubsidyTable
    export_basename = "subsidies"
    title = _l("Subsidies and rewards")
    create_url_name = "grants:subsidy_create"
    template_name = "grants/subsidy_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = context["filter"].qs if context["filter"].is_valid() else self.get_queryset().none()
        context["totals"] = services.subsidy_totals(rows)
        return context


@login_required
def subsidy_create(request):
    form = SubsidyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_subsidy(request.user, data["organization"], data["kind"], data["amount"], data["source"],
                                    data["granted_on"], data["note"])
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("grants:subsidy_list")
    return render(request, "grants/simple_form.html", {"form": form, "title": _("Subsidy or reward")})


class PaymentListView(ObjectListView):
    model = Payment
    queryset = Payment.objects.select_related("tranche__application__organization", "tranche__application__round",
                                              "source")
    filterset_class = PaymentFilterSet
    table_class = PaymentTable
    export_basename = "grant-payments"
    title = _l("Disbursements")
    template_name = "grants/payment_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = context["filter"].qs if context["filter"].is_valid() else self.get_queryset().none()
        context["totals"] = services.disbursement_totals(rows)
        return context


class ExpertLinkListView(ObjectListView):
    model = ExpertLink
    queryset = ExpertLink.objects.select_related("expert", "organization")
    filterset_class = ExpertLinkFilterSet
    table_class = ExpertLinkTable
    export_basename = "expert-links"
    title = _l("Experts' declared links")
    template_name = "grants/link_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["link_form"] = LinkForm() if self.request.user.role == Role.GRANT_EXPERT else None
        return context


@login_required
@require_POST
def link_create(request):
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            services.declare_link(request.user, form.cleaned_data["organization"], form.cleaned_data["nature"])
        except (PermissionDenied, ValidationError) as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Link declared."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("grants:link_list")
