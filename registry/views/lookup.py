from django.db.models import Q

__all__ = ["public_lookup"]
from django.shortcuts import render
from django_ratelimit.decorators import ratelimit

from registry.models import Organization

PUBLIC_FIELDS = ("name", "tier", "category__name", "region__name", "status", "uscc", "filing_number",
                 "ledger_number")


@ratelimit(key="ip", rate="30/m", block=False)
def public_lookup(request):
    """Public (no login): is this organization on record, and in what status? No personal data, rate-limited."""
    if getattr(request, "limited", False):
        return render(request, "registry/public_lookup.html", {"limited": True}, status=429)
    query = request.GET.get("q", "").strip()
    results = []
    if len(query) >= 2:
        number = query.upper()
        results = (Organization.objects.select_related("region", "category")
                   .filter(Q(name__icontains=query) | Q(uscc=number) | Q(filing_number=query)
                           | Q(ledger_number=query))
                   .order_by("name")[:20])
    return render(request, "registry/public_lookup.html", {"query": query, "results": results})
