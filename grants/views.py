from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from grants import services
from grants.choices import EDITABLE_STATES, REASON_LABELS, AppState
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
    CriterionFormSet,
    DecideForm,
    FundForm,
    LinkForm,
    OtherApplicantForm,
    PanelForm,
    PaymentForm,
    ReportForm,
    ReviewForm,
    ReviewsFilterForm,
    RoundForm,
    ScoreForm,
    ShareForm,
    SubsidyForm,
    TrackForm,
    TransitionForm,
    budget_lines_from,
)
from grants.models import (
    AllocationRun,
    Application,
    Attachment,
    ExpertLink,
    Fund,
    OtherApplicant,
    Payment,
    ProjectReport,
    Round,
    Subsidy,
    Tranche,
)
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
from registry.permissions import has_jurisdiction, has_role, permits
from registry.views.workflow import transition_view

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
@permits(has_role(*DISTRICT), _l("Only the district bureau may do this."))
def round_create(request):
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
            "organization", "other_applicant", "track", "round").order_by("rank", "pk")
        manage = services.refusal(round_, round_.workflow.get("close_call"), user) is None or (
            (user.is_superuser or user.role == Role.DISTRICT_REVIEWER) and user.can_see_region(round_.region))
        context.update(
            tracks=round_.tracks.all(), budgets=round_.budgets.select_related("source", "fund__jurisdiction"),
            money=services.round_money(round_, applications) if manage else None,
            frozen=services.config_frozen(round_),
            waiting=[a for a in applications if manage and services.needs_replacement(a)],
            criteria=round_.criteria.all(), panels=round_.panels.prefetch_related("members"),
            applications=applications, actions=services.available_transitions(round_, user),
            readiness=services.round_readiness(round_) if round_.state == "draft" else [],
            manage=manage, may_apply=services.may_apply(user) and round_.state == "open",
            track_form=TrackForm(), budget_form=BudgetForm(round=round_, user=user), panel_form=PanelForm(),
            events=round_.events.select_related("actor", "round"),
        )
        return context


@scoped(Round)
@require_POST
def round_setup(request, round_):
    part = request.POST.get("part")
    forms = {"track": TrackForm, "panel": PanelForm}
    form = (BudgetForm(request.POST, round=round_, user=request.user) if part == "budget"
            else forms.get(part, TrackForm)(request.POST))
    if not form.is_valid():
        messages.error(request, _("The request was incomplete; please try again."))
        return redirect(round_)
    data = form.cleaned_data
    try:
        if part == "budget":
            services.set_budget(request.user, round_, data["fund"], data["amount"])
        elif part == "panel":
            services.add_panel(request.user, round_, data["name"], list(data["experts"]))
        else:
            services.set_track(request.user, round_, data["name"], data["budget"])
    except (PermissionDenied, ValidationError) as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect(round_)


round_transition = transition_view(Round, RoundDetailView, TransitionForm)


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
            "organization", "other_applicant", "track").in_bulk()
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
        services.decide(round_, run, form.cleaned_data["mode"], request.user, form.cleaned_data["reason"])
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
    county = services.county_of(round_.region)
    whole = request.user.can_see_region(round_.region)
    return render(request, "grants/round_summary.html", {
        "round": round_, "summary": summary, "whole_round": whole,
        "money": services.round_money(round_, applications),
        "share": services.county_share(county, round_.year)
        if county is not None and request.user.can_see_region(county) else None})


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
            fields = {k: v for k, v in form.cleaned_data.items()
                      if k not in ("organization", "other_applicant", "target_groups")}
            application = services.create_application(
                request.user, round_, form.cleaned_data.get("organization"), fields, lines,
                form.cleaned_data["target_groups"], other_applicant=form.cleaned_data.get("other_applicant"))
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
        assigned = application.assignments.filter(expert=user, voided_at__isnull=True).exists()
        filer = services.is_filer(application, user) and user.role in (Role.STREET_STAFF, Role.DISTRICT_REVIEWER)
        live = application.state in (AppState.CONTRACTED, AppState.IN_PROGRESS, AppState.MIDTERM)
        tranches = list(application.tranches.prefetch_related("payments__source")) if not is_expert else []
        for tranche in tranches:
            tranche.refusal = services.release_refusal(tranche) if district else None
        reports = list(application.reports.select_related("submitted_by", "reviewed_by")) if not is_expert else []
        for report in reports:
            report.lines = services.report_lines(report)
        context.update(
            budget_lines=application.budget_lines.all(),
            attachments=application.attachments.all(),
            # An expert sees neither co-reviewers' names nor their totals: the history is for staff.
            events=application.events.select_related("actor", "application") if not is_expert else [],
            may_edit=filer and application.state in EDITABLE_STATES,
            report_form=ReportForm(lines=application.budget_lines.all()) if filer and live else None,
            reports=reports, review_form=ReviewForm() if district else None,
            needs_replacement=district and services.needs_replacement(application),
            actions=services.available_transitions(application, user),
            problems=services.eligibility_problems(application, at_submission=application.state == AppState.DRAFT)
            if application.state in (AppState.DRAFT, AppState.SUBMITTED) and not is_expert else [],
            assignments=application.assignments.select_related("expert", "replaced_by__expert") if district else [],
            sheets=application.score_sheets.select_related("expert") if district else [],
            may_assign=district and application.state in (AppState.SUBMITTED, AppState.IN_REVIEW),
            may_score=is_expert and assigned and application.state == AppState.IN_REVIEW,
            assign_form=AssignForm(), panels=application.round.panels.all() if district else [],
            tranches=tranches,
            payment_form=PaymentForm() if district else None,
            may_upload=filer and application.state in EDITABLE_STATES,
            has_notice=application.awarded_amount is not None and not is_expert,
            target_groups=application.target_groups.all(),
            is_expert=is_expert,
        )
        return context


# The final evaluation is an internal step the district takes from its own small form on the page.
application_transition = transition_view(
    Application, ApplicationDetailView, TransitionForm,
    step_data=lambda data: {"score": data.get("score"), "amount": data.get("amount")},
    offered=lambda step: not step.internal or step.action == "evaluate")


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
    locked = sheet is not None and sheet.is_locked
    confirming = False
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST or "confirm" in request.POST
        if "submit" in request.POST:
            # Locking is for good: show the scores and the total once more and ask to confirm.
            scores = form.scores()
            confirming = all(v is not None for v in scores.values())
            if not confirming:
                messages.error(request, _("Score every criterion before submitting."))
        if not confirming:
            try:
                sheet = services.save_score_sheet(application, request.user, form.scores(),
                                                  form.cleaned_data["comment"], submit=submit)
            except (PermissionDenied, ValidationError) as exc:
                _report(request, exc)
            else:
                messages.success(request, _("Score sheet submitted and locked.") if sheet.is_locked
                                 else _("Score sheet saved."))
                return redirect("grants:application_score", pk=application.pk)
    preview = None
    if confirming:
        weights = {c.pk: c for c in form.criteria}
        preview = {"rows": [(weights[pk], value) for pk, value in form.scores().items()],
                   "total": sum((v * weights[pk].weight / 100 for pk, v in form.scores().items()),
                                Decimal("0")).quantize(Decimal("0.01"))}
    return render(request, "grants/score_form.html",
                  {"application": application, "form": form, "sheet": sheet, "locked": locked,
                   "confirming": confirming, "preview": preview})


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
@permits(has_role(*DISTRICT), _l("Only the district bureau may do this."))
def fund_create(request):
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


# ------------------------------------------------------------------------------------------------ configuration

@scoped(Round)
def round_rubric(request, round_):
    """The rubric (criteria, weights, descriptions) edited on a page until scoring opens."""
    _require_district(request.user)
    initial = [{"name": c.name, "description": c.description, "weight": c.weight} for c in round_.criteria.all()]
    formset = CriterionFormSet(request.POST or None, initial=initial, prefix="criteria")
    if request.method == "POST" and formset.is_valid():
        rows = [(f.cleaned_data["name"], f.cleaned_data.get("description", ""), f.cleaned_data["weight"])
                for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        try:
            services.set_rubric(request.user, round_, rows)
        except (PermissionDenied, ValidationError) as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Rubric saved."))
            return redirect(round_)
    return render(request, "grants/rubric_form.html",
                  {"round": round_, "formset": formset, "frozen": services.config_frozen(round_)})


# ------------------------------------------------------------------------------------------------ applicant side

@scoped(Application)
def application_edit(request, application):
    """A draft or returned application changed by whoever files it."""
    if application.state not in EDITABLE_STATES:
        raise PermissionDenied(_("Only a draft or a returned application can be changed."))
    form = ApplicationForm(request.POST or None, instance=application, user=request.user, round=application.round)
    lines = [{"item": line.item, "amount": line.amount} for line in application.budget_lines.all()]
    formset = BudgetLineFormSet(request.POST or None, prefix="lines", initial=lines, instance=Application())
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            rows = budget_lines_from(formset, form.cleaned_data["amount_requested"])
            fields = {k: v for k, v in form.cleaned_data.items() if k != "target_groups"}
            application = services.update_application(request.user, application, fields, rows,
                                                      form.cleaned_data["target_groups"])
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved. Check it, then submit."))
            return redirect(application)
    return render(request, "grants/application_form.html",
                  {"form": form, "formset": formset, "round": application.round, "application": application})


@login_required
@permits(has_role(*DISTRICT))
def other_applicants(request):
    """Social organizations that are not CSOs, recorded with their USCC so they may apply (district bureau)."""
    form = OtherApplicantForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_other_applicant(request.user, data["name"], data["uscc"], data["region"], data["nature"])
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("grants:other_applicants")
    rows = OtherApplicant.objects.visible_to(request.user).select_related("region")
    return render(request, "grants/other_applicants.html", {"form": form, "rows": rows})


# ------------------------------------------------------------------------------------------------ reports, tranches

@scoped(Application)
@require_POST
def report_submit(request, application):
    form = ReportForm(request.POST, lines=application.budget_lines.all())
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(application)
    try:
        services.submit_report(request.user, application, form.cleaned_data["kind"], form.cleaned_data["progress"],
                               form.spending())
    except (PermissionDenied, ValidationError) as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Report submitted for review."))
    return redirect(application)


@scoped(ProjectReport, queryset=ProjectReport.objects.select_related("application"))
@require_POST
def report_review(request, report):
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete; please try again."))
        return redirect(report.application)
    try:
        services.review_report(request.user, report, form.cleaned_data["decision"] == "accept",
                               form.cleaned_data["note"])
    except (PermissionDenied, ValidationError) as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Report reviewed."))
    return redirect(report.application)


@scoped(Tranche, queryset=Tranche.objects.select_related("application"))
@require_POST
def tranche_release(request, tranche):
    try:
        services.release_tranche(request.user, tranche, request.POST.get("note", "")[:500])
    except (PermissionDenied, ValidationError) as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Tranche released."))
    return redirect(tranche.application)


# ------------------------------------------------------------------------------------------------ money pages

@scoped(Fund, queryset=Fund.objects.select_related("jurisdiction", "source"))
def fund_detail(request, fund):
    """One fund reconciled: its amount, what each round draws, what was paid, what is left."""
    return render(request, "grants/fund_detail.html", {"fund": fund, "ledger": services.fund_ledger(fund)})


@login_required
@permits(has_jurisdiction)
def county_share(request):
    """The county-year share of venture-grant money going to CSOs, against the 30 % rule (Hangzhou 2018)."""
    form = ShareForm(request.GET or None, user=request.user)
    share = None
    if request.GET:
        if not form.is_valid():
            return render(request, "grants/share.html", {"form": form}, status=400)
        share = services.county_share(form.cleaned_data["region"], form.cleaned_data["year"])
    return render(request, "grants/share.html", {"form": form, "share": share})


@login_required
@permits(has_role(Role.GRANT_EXPERT), _l("This list is for grant experts."))
def expert_reviews(request):
    """An expert's own assignments: to score / scored, with the counts."""
    form = ReviewsFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return HttpResponseBadRequest(_("Unknown filter."))
    status = form.cleaned_data.get("status", "") if form.is_bound else ""
    rows, counts = services.expert_reviews(request.user, status)
    return render(request, "grants/reviews.html", {"rows": rows, "counts": counts, "form": form, "status": status})
