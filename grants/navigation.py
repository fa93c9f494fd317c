from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    # (url name, label, icon, menu group: see registry/navigation.py)
    ("grants:round_list", _("Venture-grant rounds"), "trophy", "grants"),
    ("grants:application_list", _("Grant applications"), "journal-text", "grants"),
    ("grants:subsidy_list", _("Subsidies"), "cash-coin", "grants"),
]
