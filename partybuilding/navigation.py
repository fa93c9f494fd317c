from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    # (url name, label, icon, menu group: see registry/navigation.py)
    ("partybuilding:coverage", _("Party building"), "flag", "organizations"),
]
