from django.db.models import Q
from django.shortcuts import render

from registry import params
from registry.choices import CLOSED_STATUSES
from registry.limits import over_limit
from registry.models import Organization

__all__ = ["public_lookup"]

# Certificates that attest an organization's standing (filing certificate, community record, decision to register);
# a refusal or a decision to deregister or revoke attests nothing.
STANDING_CERTIFICATES = ("filing_certificate", "record_certificate", "registration_decision")
ENDING_CERTIFICATES = ("deregistration_decision", "revocation_decision")


def with_certificate_validity(organizations):
    """Annotates ``certificate_valid``: "valid" only for an open organization holding an issued certificate of
    standing that no deregistration or revocation decision followed."""
    from django.db.models import Exists, OuterRef

    certificate = Organization._meta.get_field("certificates").related_model  # filings builds on registry
    issued = certificate.objects.filter(organization=OuterRef("pk"), kind__in=STANDING_CERTIFICATES)
    ended = certificate.objects.filter(organization=OuterRef("pk"), kind__in=ENDING_CERTIFICATES)
    return organizations.annotate(certificate_valid=Exists(issued) & ~Exists(ended) & ~Q(status__in=CLOSED_STATUSES))


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
        results = (with_certificate_validity(Organization.objects.select_related("region", "category"))
                   .filter(Q(name__icontains=query) | Q(uscc=number) | Q(filing_number=query)
                           | Q(ledger_number=query))
                   .order_by("name")[:20])
    return render(request, "registry/public_lookup.html", {"query": query, "results": results})
