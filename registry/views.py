from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from registry.choices import CommitteeType, RegionLevel, Role
from registry.filters import RegionFilterSet
from registry.forms import CommunityForm, CommunityImportForm
from registry.generic import ObjectDetailView, ObjectListView
from registry.models import Region
from registry.services import ImportRejected, create_community, import_communities
from registry.tables import RegionTable


def region_summary(user):
    """Counts of the user's subtree by level and committee type, in one aggregate query."""
    regions = Region.objects.visible_to(user)
    return regions.aggregate(
        streets=Count("code", filter=Q(level=RegionLevel.STREET)),
        communities=Count("code", filter=Q(level=RegionLevel.COMMUNITY)),
        urban=Count("code", filter=Q(level=RegionLevel.COMMUNITY, committee_type=CommitteeType.RESIDENTS)),
        rural=Count("code", filter=Q(level=RegionLevel.COMMUNITY, committee_type=CommitteeType.VILLAGERS)),
    )


@login_required
def home(request):
    user = request.user
    context = {
        "summary": region_summary(user),
        "jurisdiction": user.jurisdiction,
        "role": user.role or (Role.ADMIN if user.is_superuser else ""),
    }
    return render(request, "registry/home.html", context)


class RegionListView(ObjectListView):
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
def community_create(request):
    if not request.user.has_role(Role.STREET_STAFF, Role.ADMIN) and not request.user.is_superuser:
        raise PermissionDenied
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
def community_import(request):
    if not request.user.has_role(Role.STREET_STAFF, Role.ADMIN) and not request.user.is_superuser:
        raise PermissionDenied
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
