from django.db.models import Q

__all__ = ["public_lookup"]
from django.shortcuts import render
from django_ratelimit.decorators import ratelimit

from registry.choices import CLOSED_STATUSES
from registry.models import Organization

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


@ratelimit(key="ip", rate="30/m", block=False)
def public_lookup(request):
    """Public (no login): is this organization on record, and in what status? No personal data, rate-limited."""
    if getattr(request, "limited", False):
        return render(request, "registry/public_lookup.html", {"limited": True}, status=429)
    query = request.GET.get("q", "").strip()
    results = []
    if len(query) >= 2:
        number = query.upper()
        results = (with_certificate_validity(Organization.objects.select_related("region", "category"))
                   .filter(Q(name__icontains=query) | Q(uscc=number) | Q(filing_number=query)
                           | Q(ledger_number=query))
                   .order_by("name")[:20])
    return render(request, "registry/public_lookup.html", {"query": query, "results": results})
