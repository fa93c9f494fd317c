from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from registry import params
from registry.choices import Tier
from registry.models import Organization

__all__ = ["organization_search"]

SEARCH_RESULTS = 20


@login_required
@require_GET
def organization_search(request):
    """The organization pickers' search (registry.widgets): at most 20 organizations the user may see, matched by
    name, USCC, filing or ledger number. An htmx partial of options, or JSON with ``?format=json``."""
    query = params.text(request.GET, "q", max_length=100)
    within = params.text(request.GET, "within", max_length=12)
    exclude = params.object_id(request.GET, "exclude")
    tiers = request.GET.getlist("tier")
    if within and not within.isdigit():
        raise params.InvalidParameter("within", _("Expected a region code."))
    if any(tier not in Tier.values for tier in tiers):
        raise params.InvalidParameter("tier", _("One of %(tiers)s.") % {"tiers": ", ".join(Tier.values)})
    organizations = Organization.objects.visible_to(request.user).select_related("region")
    if request.GET.get("open") == "1":
        organizations = organizations.open()
    if within:
        organizations = organizations.filter(region__code__startswith=within)
    if tiers:
        organizations = organizations.filter(tier__in=tiers)
    if exclude:
        organizations = organizations.exclude(pk=exclude)
    if query:
        organizations = organizations.filter(
            Q(name__icontains=query) | Q(uscc=query.upper()) | Q(filing_number=query) | Q(ledger_number=query))
    results = list(organizations.order_by("name", "pk")[:SEARCH_RESULTS])
    if request.GET.get("format") == "json":
        return JsonResponse({"results": [{"id": org.pk, "name": org.name, "region": org.region.name}
                                         for org in results]})
    return render(request, "registry/_organization_options.html", {"results": results, "query": query})
