from django.db.models import Q
from django.shortcuts import render

from registry import params
from registry.limits import over_limit
from registry.models import Organization

__all__ = ["public_lookup"]

PUBLIC_FIELDS = ("name", "tier", "category__name", "region__name", "status", "uscc", "filing_number",
                 "ledger_number")
LOOKUPS_PER_MINUTE = 30


def public_lookup(request):
    """Public (no login): is this organization on record, and in what status? No personal data, rate-limited."""
    if over_limit(request, "lookup", LOOKUPS_PER_MINUTE):
        return render(request, "registry/public_lookup.html", {"limited": True}, status=429)
    try:
        query = params.text(request.GET, "q", max_length=100)
    except params.InvalidParameter as exc:
        return render(request, "registry/public_lookup.html", {"error": exc.message}, status=400)
    results = []
    if len(query) >= 2:
        number = query.upper()
        results = (Organization.objects.select_related("region", "category")
                   .filter(Q(name__icontains=query) | Q(uscc=number) | Q(filing_number=query)
                           | Q(ledger_number=query))
                   .order_by("name")[:20])
    return render(request, "registry/public_lookup.html", {"query": query, "results": results})
