"""Pages for what happens after approval: activities, trainings, grades, brands, credit flags, zombie clean-up,
imports and tracked jobs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from registry import lifecycle
from registry import lifecycle_tables as tables
from registry.choices import JobKind, JobStatus, OrgStatus, Role
from registry.filters import AuditFilterSet, OrganizationFilterSet
from registry.forms_lifecycle import (
    ActivityForm,
    BrandDesignationForm,
    EvaluationGradeForm,
    FlagForm,
    ImportForm,
    NoticeForm,
    NoticeResultForm,
    ReasonForm,
    TrainingForm,
)
from registry.generic import ObjectListView, scoped
from registry.jobs import start, template_workbook
from registry.lifecycle import (
    BRAND_RECORDERS,
    GRADE_RECORDERS,
    RECORDERS,
    clear_dormant,
    raise_flag,
    reactivate,
    repair_flag,
)
from registry.models import (
    Activity,
    AuditEvent,
    BrandDesignation,
    CreditFlag,
    EvaluationGrade,
    Job,
    Organization,
    RectificationNotice,
    Training,
)
from registry.permissions import has_role, permits

may_record = has_role(*RECORDERS)
may_import = has_role(Role.STREET_STAFF, Role.DISTRICT_REVIEWER, Role.ADMIN)
may_grade = has_role(*GRADE_RECORDERS)
may_name_brand = has_role(*BRAND_RECORDERS)


class ActivityListView(ObjectListView):
    model = Activity
    queryset = Activity.objects.select_related("organization", "campaign")
    table_class = tables.ActivityTable
    filterset_fields = ["campaign"]
    export_basename = "activities"
    title = _l("Activities")
    create_url_name = "registry:activity_create"


class TrainingListView(ObjectListView):
    model = Training
    queryset = Training.objects.select_related("organization", "region")
    table_class = tables.TrainingTable
    filterset_fields = ["trainee_kind"]
    export_basename = "trainings"
    title = _l("Training records")
    create_url_name = "registry:training_create"


class GradeListView(ObjectListView):
    model = EvaluationGrade
    queryset = EvaluationGrade.objects.select_related("organization")
    table_class = tables.GradeTable
    filterset_fields = ["grade"]
    export_basename = "grades"
    title = _l("Evaluation grades")
    create_url_name = "registry:grade_create"


class BrandListView(ObjectListView):
    model = BrandDesignation
    queryset = BrandDesignation.objects.select_related("organization")
    table_class = tables.BrandTable
    filterset_fields = ["year", "level"]
    export_basename = "brands"
    title = _l("Brand organizations and projects")
    create_url_name = "registry:brand_create"


class FlagListView(ObjectListView):
    model = CreditFlag
    queryset = CreditFlag.objects.select_related("organization")
    table_class = tables.FlagTable
    filterset_fields = ["listed_on", "reason"]
    export_basename = "credit-flags"
    title = _l("Abnormal-activity and serious lists")

    def get_queryset(self):
        return super().get_queryset().filter(repaired_on__isnull=True)


class NoticeListView(ObjectListView):
    model = RectificationNotice
    queryset = RectificationNotice.objects.select_related("organization")
    table_class = tables.NoticeTable
    filterset_fields = ["result", "reason"]
    export_basename = "rectification-notices"
    title = _l("Rectification notices")


class ZombieListView(ObjectListView):
    """Organizations the daily job marked DORMANT: street staff clear them or reactivate them."""

    model = Organization
    queryset = Organization.objects.select_related("region", "category").filter(status=OrgStatus.DORMANT)
    filterset_class = OrganizationFilterSet
    table_class = tables.ZombieTable
    export_basename = "zombie-candidates"
    title = _l("Zombie candidates")


def _record(request, form_class, title, service):
    """One page for each record kind: the form's plain data goes to the same service the API calls (which checks
    role and scope again)."""
    initial = {"organization": request.GET.get("organization")} if request.GET.get("organization", "").isdigit() \
        else None
    form = form_class(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service(request.user, form.cleaned_data)
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Saved."))
            return redirect(request.path.rsplit("/new/", 1)[0] + "/")
    return render(request, "registry/record_form.html", {"form": form, "title": title,
                                                         "cancel_url": request.path.rsplit("/new/", 1)[0] + "/"})


@login_required
@permits(may_record, _l("Your role may not record this."))
def activity_create(request):
    return _record(request, ActivityForm, _("Record an activity"), lifecycle.record_activity)


@login_required
@permits(may_record, _l("Your role may not record this."))
def training_create(request):
    return _record(request, TrainingForm, _("Record a training"), lifecycle.record_training)


@login_required
@permits(may_grade, _l("The district bureau records evaluation grades (沪民社管发〔2024〕1号 第六条)."))
def grade_create(request):
    return _record(request, EvaluationGradeForm, _("Record an evaluation grade"), lifecycle.record_grade)


@login_required
@permits(may_name_brand, _l("The county bureau names brand organizations and projects (豫民文〔2021〕115号)."))
def brand_create(request):
    return _record(request, BrandDesignationForm, _("Name a brand organization or project"), lifecycle.name_brand)


@scoped(Organization)
def organization_notice(request, organization):
    """整改通知 for a filed or community group (where a registered one would be listed)."""
    if not lifecycle.has_role(request.user, lifecycle.NOTICE_ROLES.get(organization.tier, ())):
        raise PermissionDenied(_("The street notifies filed groups, the community its community-guided groups."))
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = lifecycle.issue_notice(organization, data["reason"], data["explanation"], user=request.user,
                                            deadline=data["deadline"])
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            if notice is None:
                messages.info(request, _("A notice for this reason is pending already."))
            else:
                messages.success(request, _("Rectification notice issued."))
            return redirect(organization)
    return render(request, "registry/record_form.html", {"form": form, "title": _("Rectification notice to "
                                                         "%(name)s") % {"name": organization.name}})


@scoped(RectificationNotice)
def notice_result(request, notice):
    form = NoticeResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.record_notice_result(request.user, notice, form.cleaned_data["result"],
                                           form.cleaned_data["note"])
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Result recorded."))
            return redirect("registry:notice_list")
    return render(request, "registry/record_form.html", {"form": form, "title": _("Result: %(notice)s")
                                                         % {"notice": notice}})


@scoped(Organization)
def organization_flag(request, organization):
    if not lifecycle.has_role(request.user, lifecycle.FLAG_ROLES):
        raise PermissionDenied(_("The district bureau lists registered organizations."))
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag = raise_flag(organization, form.cleaned_data["reason"], form.cleaned_data["explanation"],
                              user=request.user)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            if flag is None:
                messages.info(request, _("Already listed for this reason."))
            else:
                messages.success(request, _("Listed on the abnormal-activity list."))
            return redirect(organization)
    return render(request, "registry/record_form.html", {"form": form, "title": _("List %(name)s as abnormal")
                                                         % {"name": organization.name}})


@scoped(CreditFlag, queryset=CreditFlag.objects.current())
def flag_repair(request, flag):
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            repair_flag(flag, request.user, form.cleaned_data["reason"])
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Repaired: %(name)s is off the list for this reason.")
                             % {"name": flag.organization.name})
            return redirect("registry:flag_list")
    return render(request, "registry/record_form.html", {"form": form, "title": _("Repair: %(flag)s")
                                                         % {"flag": flag}})


@scoped(Organization)
def zombie_decide(request, organization):
    """Clear (simplified deregistration) or reactivate a zombie candidate, with a reason."""
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decide = clear_dormant if request.POST.get("decision") == "clear" else reactivate
        try:
            decide(request.user, organization, form.cleaned_data["reason"])
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("%(name)s is now “%(status)s”.") % {
                "name": organization.name, "status": organization.get_status_display()})
            return redirect("registry:zombie_list")
    return render(request, "registry/zombie_decide.html", {"form": form, "organization": organization})


# ------------------------------------------------------------------------------------------------ imports, jobs

@login_required
@permits(may_import, _l("Your role may not import."))
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            form.add_error("file", _("Upload the XLSX template (or a CSV with the same columns)."))
        else:
            with transaction.atomic():
                job = Job(kind=form.cleaned_data["kind"], created_by=request.user, input_name=upload.name[:200])
                job.input_file.save(upload.name, upload, save=False)
                job.save()
                start(job)
            return redirect("registry:job_detail", pk=job.pk)
    recent = Job.objects.visible_to(request.user).exclude(kind=JobKind.EXPORT)[:10]
    return render(request, "registry/import.html", {"form": form, "recent": recent, "kinds": JobKind})


@login_required
def import_template(request, kind):
    if kind not in (JobKind.IMPORT_ORGANIZATIONS, JobKind.IMPORT_ACTIVITIES, JobKind.IMPORT_TRAININGS):
        raise Http404
    response = HttpResponse(template_workbook(kind),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response


@scoped(Job)
def job_detail(request, job):
    """The job's page; while it runs, HTMX polls this view for the progress partial."""
    template = "registry/_job_progress.html" if request.htmx else "registry/job_detail.html"
    return render(request, template, {"job": job, "now": timezone.now()})


@scoped(Job)
@require_POST
def job_retry(request, job):
    """A failed job (e.g. its worker was killed) is queued again; a finished one is left alone."""
    if job.status == JobStatus.FAILED:
        with transaction.atomic():
            Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, error="", processed=0)
            start(job)
    return redirect("registry:job_detail", pk=job.pk)


@scoped(Job, queryset=Job.objects.filter(status=JobStatus.SUCCEEDED))
def job_download(request, job):
    if not job.output_file:
        raise Http404
    return FileResponse(job.output_file.open("rb"), as_attachment=True, filename=job.output_name)


class AuditListView(ObjectListView):
    """The audit trail: system administrators see all of it, district reviewers their jurisdiction's."""

    model = AuditEvent
    roles = (Role.ADMIN, Role.DISTRICT_REVIEWER)
    table_class = tables.AuditTable
    queryset = AuditEvent.objects.select_related("actor")
    filterset_class = AuditFilterSet
    export_basename = "audit"
    title = _l("Audit trail")
