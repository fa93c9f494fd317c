"""What the cases app shows on an organization's own page (registry.accounts.PORTAL_SECTIONS)."""

from django.utils.translation import gettext as _

from filings.models import Case


def cases_section(organization, user):
    """The organization's cases with their state, the reason of a return, and its certificates to download."""
    rows = (Case.objects.visible_to(user).filter(organization=organization)
            .prefetch_related("certificates").order_by("-created_at")[:50])
    return {"key": "cases", "title": _("Our cases"), "template": "filings/_org_cases.html", "rows": rows}
