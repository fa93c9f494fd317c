from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from partybuilding import services
from partybuilding.choices import MIN_FULL_MEMBERS, Gap
from partybuilding.coverage import annotate_party, coverage, coverage_by_child, in_region, overview_region
from partybuilding.filters import PartyOrganizationFilterSet
from partybuilding.forms import (
    AssignmentForm,
    BulkAssignForm,
    EndAssignmentForm,
    ImportForm,
    MeetingForm,
    OrganizationIdsField,
    PartyBuildingForm,
)
from partybuilding.models import InstructorAssignment
from partybuilding.resources import template_dataset
from partybuilding.tables import PartyOrganizationTable
from registry.exports import export_response
from registry.generic import ObjectListView, fetch_visible, scoped
from registry.models import Organization
from registry.services import ImportRejected

# ------------------------------------------------------------------------------------------------ coverage


def gap_url(prefix, gap=None):
    """The Party-building list behind a figure: organizations under ``prefix``, optionally in one gap."""
    query = {"prefix": prefix, **({"gap": gap} if gap else {})}
    return f"{reverse('partybuilding:organization_list')}?{urlencode(query)}"


def _with_links(row, prefix):
    row["links"] = {
        "all": gap_url(prefix),
        "no_org": gap_url(prefix, Gap.NO_ORG),
        "no_work_coverage": gap_url(prefix, Gap.NO_WORK_COVERAGE),
        "should_establish": gap_url(prefix, Gap.SHOULD_ESTABLISH),
        "needs_instructor": gap_url(prefix, Gap.NEEDS_INSTRUCTOR),
        "with_party_organization": f"{gap_url(prefix)}&party_organization=true",
        "work_covered": f"{gap_url(prefix)}&work_covered=true",
    }
    return row


@login_required
def coverage_overview(request):
    """Coverage of the user's region (or ``?region=<code>`` inside it) with its child regions side by side."""
    region = overview_region(request.user, request.GET.get("region", "").strip())
    if region is None:
        return render(request, "partybuilding/coverage.html", {"region": None})
    totals = _with_links(coverage(in_region(region, request.user)), region.prefix)
    rows = []
    for row in coverage_by_child(region, request.user):
        _with_links(row, row["prefix"])
        child = row["region"]
        if child is not None and not child.is_community:
            row["drill_url"] = f"{reverse('partybuilding:coverage')}?{urlencode({'region': child.code})}"
        else:
            row["drill_url"] = row["links"]["all"]
        rows.append(row)
    ancestors = [a for a in region.ancestors() if request.user.can_see_region(a)]
    return render(request, "partybuilding/coverage.html", {
        "region": region, "totals": totals, "rows": rows, "ancestors": ancestors,
        "may_edit": services.may_edit(request.user),
    })


# ------------------------------------------------------------------------------------------------ the list


class PartyOrganizationListView(ObjectListView):
    """Open organizations with their Party-building status; the coverage figures link here with a gap filter."""

    model = Organization
    queryset = Organization.objects.open().select_related("region")
    filterset_class = PartyOrganizationFilterSet
    table_class = PartyOrganizationTable
    export_basename = "party-building"
    title = _l("Party building by organization")
    template_name = "partybuilding/organization_list.html"
    partial_template_name = "partybuilding/_organization_table.html"

    def get_queryset(self):
        return annotate_party(super().get_queryset()).order_by("region_id", "name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_edit"] = services.may_edit(self.request.user)
        return context


# ------------------------------------------------------------------------------------------------ one organization


@scoped(Organization, queryset=Organization.objects.select_related("region"))
def organization_party(request, organization):
    """The Party-building tab of an organization: status, instructors and liaisons, meeting records."""
    user = request.user
    party = services.party_building_of(organization)
    may_edit = services.may_edit(user)
    section = request.POST.get("section") if request.method == "POST" else None
    if section and not may_edit:
        raise PermissionDenied(_("Your role may read Party-building data but not change it."))
    status_form = PartyBuildingForm(request.POST if section == "status" else None, instance=party, user=user)
    assignment_form = AssignmentForm(request.POST if section == "assignment" else None, prefix="assignment")
    meeting_form = MeetingForm(request.POST if section == "meeting" else None, prefix="meeting")
    end_form = EndAssignmentForm(request.POST if section == "end_assignment" else None)
    forms_by_section = {"status": status_form, "assignment": assignment_form, "meeting": meeting_form,
                        "end_assignment": end_form}
    form = forms_by_section.get(section)
    if form is not None and form.is_valid():
        try:
            _save_section(section, form, organization, user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("partybuilding:organization_party", pk=organization.pk)
    today = timezone.localdate()
    return render(request, "partybuilding/organization_party.html", {
        "organization": organization, "party": party, "may_edit": may_edit, "today": today,
        "status_form": status_form, "assignment_form": assignment_form, "meeting_form": meeting_form,
        "end_form": end_form, "open_section": section,
        "partners": party.joint_with.select_related("region") if party.pk else [],
        "assignments": organization.instructor_assignments.select_related("assigned_by"),
        "meetings": organization.party_meetings.select_related("recorded_by")[:50],
        "history": party.history.select_related("history_user").order_by("-history_date")[:20] if party.pk else [],
        "should_establish": party.full_members >= MIN_FULL_MEMBERS and not party.has_party_organization,
    })


def _save_section(section, form, organization, user):
    data = form.cleaned_data
    if section == "status":
        values = {name: data[name] for name in services.PARTY_FIELDS}
        services.save_party_building(organization, user, values, joint_with=data["joint_with"])
    elif section == "assignment":
        services.add_assignment(organization, user, **data)
    elif section == "meeting":
        services.add_meeting(organization, user, **data)
    elif section == "end_assignment":
        assignment = fetch_visible(InstructorAssignment, user, pk=data["assignment"], organization=organization)
        services.end_assignment(assignment, user, data["ends_on"])


# ------------------------------------------------------------------------------------------------ bulk assignment


@login_required
def bulk_assign(request):
    """Assign one instructor or liaison to several organizations; all or none, only inside the jurisdiction."""
    user = request.user
    if not services.may_edit(user):
        raise PermissionDenied(_("Your role may read Party-building data but not change it."))
    initial = {"organizations": ", ".join(request.GET.getlist("organizations")),
               "starts_on": timezone.localdate()}
    form = BulkAssignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        ids = data.pop("organizations")
        try:
            assignments = services.assign_instructor(ids, user, **data)
        except (PermissionDenied, ValidationError) as exc:
            message = str(exc) if isinstance(exc, PermissionDenied) else " ".join(exc.messages)
            form.add_error(None, message)
        else:
            messages.success(request, _("%(name)s assigned to %(n)d organizations.")
                             % {"name": data["person_name"], "n": len(assignments)})
            return redirect("partybuilding:organization_list")
    try:
        chosen_ids = OrganizationIdsField().clean(form["organizations"].value())
    except ValidationError:
        chosen_ids = []
    # Only what the user may see is listed back; the service names the rest by number.
    chosen = Organization.objects.visible_to(user).filter(pk__in=chosen_ids).select_related("region")
    return render(request, "partybuilding/bulk_assign.html", {"form": form, "chosen": chosen})


# ------------------------------------------------------------------------------------------------ import


@login_required
def party_import(request):
    user = request.user
    if not services.may_edit(user):
        raise PermissionDenied(_("Your role may read Party-building data but not change it."))
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, checked = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        fmt = "csv" if upload.name.lower().endswith(".csv") else "xlsx"
        dry_run = form.cleaned_data["dry_run"]
        try:
            count = services.import_party_building(upload.read(), user, fmt=fmt, dry_run=dry_run)
        except ImportRejected as exc:
            errors = exc.errors
            messages.error(request, _("Nothing was imported: %(n)d rows need fixing.") % {"n": len(errors)})
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            if dry_run:
                checked = count
            else:
                messages.success(request, _("Party-building data of %(n)d organizations imported.") % {"n": count})
                return redirect("partybuilding:organization_list")
    return render(request, "partybuilding/import.html", {"form": form, "errors": errors, "checked": checked})


@login_required
def import_template(request):
    """The import template: an empty sheet with the Chinese column headers."""
    return export_response(template_dataset(), "xlsx", "party-building-template")
