from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    # (url name, label, icon, menu group: see registry/navigation.py)
    ("reporting:dashboard", _("Dashboard"), "speedometer2", "reports"),
    ("reporting:targets", _("Targets"), "bullseye", "reports"),
    ("reporting:yearly_list", _("Yearly reports"), "file-earmark-bar-graph", "reports"),
]
