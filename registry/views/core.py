from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import BooleanField, Count, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET

from registry import lifecycle
from registry.audit import client_ip
from registry.choices import CommitteeType, RegionLevel, Role, Tier
from registry.context_processors import menu_for
from registry.filters import OrganizationFilterSet, RegionFilterSet
from registry.forms import CommunityForm, CommunityImportForm
from registry.generic import ObjectDetailView, ObjectListView, scoped
from registry.lifecycle import FLAG_ROLES, NOTICE_ROLES, RECORDERS
from registry.models import Organization, PersonalDataView, Region
from registry.permissions import has_role, may_open, permits
from registry.personal import mask_id, mask_phone, may_view_full_id
from registry.services import ImportRejected, create_community, import_communities
from registry.tables import OrganizationTable, RegionTable


def region_summary(user):
    """Counts of the user's subtree by level and committee type, in one aggregate query."""
    regions = Region.objects.visible_to(user)
    return regions.aggregate(
        streets=Count("code", filter=Q(level=RegionLevel.STREET)),
        communities=Count("code", filter=Q(level=RegionLevel.COMMUNITY)),
        urban=Count("code", filter=Q(level=RegionLevel.COMMUNITY, committee_type=CommitteeType.RESIDENTS)),
        rural=Count("code", filter=Q(level=RegionLevel.COMMUNITY, committee_type=CommitteeType.VILLAGERS)),
    )


may_manage_communities = has_role(Role.STREET_STAFF, Role.ADMIN)


def work_counts(user):
    """Counts that lead to work, from every app that offers them (``work_counts`` in its ``navigation`` module)."""
    from importlib import import_module

    from registry.context_processors import APPS

    counts = []
    for app in APPS:
        try:
            offer = getattr(import_module(f"{app}.navigation"), "work_counts", None)
        except ModuleNotFoundError:
            continue
        if offer is not None:
            counts.extend(offer(user))
    return counts


@login_required
def home(request):
    user = request.user
    context = {
        "notifications": user.notifications.filter(read_at__isnull=True)[:10],
        "summary": region_summary(user),
        "jurisdiction": user.jurisdiction,
        "role": user.role or (Role.ADMIN if user.is_superuser else ""),
        "work": work_counts(user),
        "shortcuts": [group for group in menu_for(user) if group["key"] != "system"],
    }
    return render(request, "registry/home.html", context)


class RegionListView(ObjectListView):
    title = _l("Regions")
    model = Region
    queryset = Region.objects.select_related("parent")
    filterset_class = RegionFilterSet
    table_class = RegionTable
    export_basename = "regions"
    create_url_name = "registry:community_create"


class RegionDetailView(ObjectDetailView):
    model = Region
    queryset = Region.objects.select_related("parent")
    template_name = "registry/region_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        region = self.object
        context["ancestors"] = [a for a in region.ancestors() if self.request.user.can_see_region(a)]
        context["children"] = (
            Region.objects.visible_to(self.request.user).filter(parent=region)
            .annotate(child_count=Count("children")).order_by("code")
        )
        context["history"] = region.history.select_related("history_user").order_by("-history_date")[:20]
        return context


@login_required
@permits(may_manage_communities)
def community_create(request):
    form = CommunityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            community = create_community(
                request.user, parent=data["parent"], code=data["code"], name=data["name"],
                urban_rural_code=data["urban_rural_code"], population=data["population"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Community %(name)s recorded.") % {"name": community.name})
            return redirect("registry:region_detail", pk=community.pk)
    return render(request, "registry/community_form.html", {"form": form})


@login_required
@permits(may_manage_communities)
def community_import(request):
    form = CommunityImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            count = import_communities(form.cleaned_data["file"].read(), user=request.user)
        except ImportRejected as exc:
            errors = exc.errors
            messages.error(request, _("Nothing was imported: %(n)d rows need fixing.") % {"n": len(errors)})
        else:
            messages.success(request, _("%(n)d communities imported.") % {"n": count})
            return redirect("registry:region_list")
    return render(request, "registry/community_import.html", {"form": form, "errors": errors})


@require_GET
def healthz(request):
    """For load balancers and docker-compose: the process answers and the database is reachable."""
    try:
        connection.ensure_connection()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "database unavailable"}, status=503)
    return HttpResponse("ok", content_type="text/plain")


# ------------------------------------------------------------------------------------------------ organizations

class OrganizationListView(ObjectListView):
    model = Organization
    queryset = Organization.objects.select_related("region", "category").only(*OrganizationTable.reads)
    filterset_class = OrganizationFilterSet
    table_class = OrganizationTable
    export_basename = "organizations"
    title = _l("Organizations")


class OrganizationDetailView(ObjectDetailView):
    model = Organization
    queryset = Organization.objects.select_related("region__parent", "category", "hub_kind")
    template_name = "registry/organization_detail.html"

    def get_queryset(self):
        """The organization, and whether each list on its page has any row, in one query: most organizations have
        no cases, certificates, flags or grades, and an empty list then costs no query of its own."""
        queryset = super().get_queryset()
        return queryset.annotate(**_has_rows(queryset.db))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = self.object
        user = self.request.user

        def rows(name, shown=_all):
            """The list ``name`` of DETAIL_LISTS (ordered or cut by ``shown``), no query when it has no row."""
            if not getattr(organization, f"has_{name}"):
                return ()
            return shown(DETAIL_LISTS[name](getattr(organization, name).all()))

        context.update(
            target_groups=rows("target_groups"),
            may_view_full_id=may_view_full_id(user),
            timeline=history_timeline(organization),
            cases=rows("cases", lambda cases: cases.order_by("-created_at")),
            certificates=rows("certificates", lambda certificates: certificates.order_by("-issued_on")),
            may_open_cases=user.has_role(Role.STREET_STAFF) and organization.is_open,
            flags=rows("credit_flags"),
            activities=rows("activities", lambda activities: activities[:5]),
            grades=rows("grades", lambda grades: grades[:3]),
            brands=rows("brands", lambda brands: brands[:5]),
            may_flag=(user.is_superuser or user.role in FLAG_ROLES) and organization.tier == Tier.REGISTERED,
            notices=rows("rectification_notices"),
            may_notice=organization.tier in NOTICE_ROLES
            and lifecycle.has_role(user, NOTICE_ROLES[organization.tier]),
            may_revoke=organization.is_open and organization.tier != Tier.COMMUNITY
            and lifecycle.has_role(user, (Role.STREET_STAFF, Role.DISTRICT_REVIEWER)),
            may_record=user.is_superuser or user.role in RECORDERS,
            may_invite=may_open(user, "registry:organization_invite", pk=organization.pk),
            party_url=_optional_url("partybuilding:organization_party", organization.pk),
        )
        return context


def _all(rows):
    return rows


# The lists on an organization's page (relation name: which of its rows are shown), each asked first whether it has
# any (``_has_rows``) and then read only when it has (``get_context_data``).
DETAIL_LISTS = {
    "target_groups": _all, "cases": _all, "certificates": _all, "credit_flags": lambda rows: rows.current(),
    "activities": _all, "grades": _all, "brands": _all,
    "rectification_notices": lambda rows: rows.filter(result="pending"),
}


_HAS_ROWS: dict = {}


def _has_rows(using):
    """{"has_<list>": EXISTS ...} for DETAIL_LISTS, as SQL compiled once per process and database: building and
    compiling the eight subqueries was a fifth of the page's time, and their SQL never changes."""
    if using not in _HAS_ROWS:
        query = Organization._default_manager.using(using).annotate(
            **{f"has_{name}": _any(name, narrow) for name, narrow in DETAIL_LISTS.items()}).query
        compiler = query.get_compiler(using)
        _HAS_ROWS[using] = {name: compiler.compile(annotation) for name, annotation in query.annotations.items()}
    return {name: RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 - SQL Django compiled itself
            for name, (sql, params) in _HAS_ROWS[using].items()}


def _any(relation, narrow):
    """EXISTS over an organization's related rows, named by relation (cases and certificates belong to filings,
    which the registry does not import)."""
    field = Organization._meta.get_field(relation)
    if field.many_to_many:
        rows, link = field.remote_field.through._default_manager.all(), field.m2m_field_name()
    else:
        rows, link = field.related_model._default_manager.all(), field.field.name
    return Exists(narrow(rows).filter(**{link: OuterRef("pk")}))


def _optional_url(name, *args):
    """A link to a page another app may or may not provide (the registry does not depend on other apps)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def history_timeline(organization, limit=50):
    """Each historical version as (record, [(field label, old, new)]), newest first; personal data masked."""
    masked = {"leader_id_number": mask_id, "leader_phone": mask_phone}
    records = list(organization.history.select_related("history_user").order_by("-history_date", "-history_id")
                   [: limit + 1])
    groups = _target_groups_by_record(records)
    timeline = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        changes = []
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=["target_groups"], foreign_keys_are_objs=False)
            for change in delta.changes:
                field = Organization._meta.get_field(change.field)
                mask = masked.get(change.field, lambda v: v)
                old, new = change.old, change.new
                changes.append((change.field, field.verbose_name, mask(old) if old not in (None, "") else "—",
                                mask(new) if new not in (None, "") else "—"))
            old, new = groups[older.pk], groups[newer.pk]
            if old != new:  # shown as how many; the groups themselves are on the page
                changes.append(("target_groups", Organization._meta.get_field("target_groups").verbose_name,
                                len(old), len(new)))
            changes = [change[1:] for change in sorted(changes, key=lambda change: change[0])]
        timeline.append((newer, changes))
    return timeline[:limit]


def _target_groups_by_record(records):
    """{history id: [term ids]} of every record, in one query (diffing the records pair by pair asks two each)."""
    groups = defaultdict(list)
    if len(records) > 1:  # a single version has nothing to compare
        rows = records[0].target_groups.model._default_manager.filter(history__in=[r.pk for r in records])
        for history_id, term_id in rows.order_by("term_id").values_list("history_id", "term_id"):
            groups[history_id].append(term_id)
    return groups


@scoped(Organization)
def reveal_id_number(request, organization):
    """Shows the full ID number to a role that needs it, and logs the view (PIPL)."""
    if request.method != "POST":
        return HttpResponse(status=405)
    if not may_view_full_id(request.user):
        raise PermissionDenied(_("Your role does not need the full ID number."))
    PersonalDataView.objects.create(user=request.user, organization=organization, field="leader_id_number",
                                    ip_address=client_ip(request))
    return render(request, "registry/_full_id.html", {"value": organization.leader_id_number})
