"""What the supply–demand board shows on an organization's own page (registry.accounts.PORTAL_SECTIONS)."""

from django.utils.translation import gettext as _

from grants.matching_models import Pairing


def pairings_section(organization, user):
    """The organization's pairings on the board and the activities recorded under them."""
    rows = (Pairing.objects.visible_to(user).filter(organization=organization)
            .select_related("posting").prefetch_related("activities").order_by("-picked_at")[:20])
    return {"key": "board", "title": _("Needs and projects we took on"),
            "template": "grants/matching/_org_pairings.html", "rows": rows}
