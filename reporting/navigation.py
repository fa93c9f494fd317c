from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    ("reporting:dashboard", _("Dashboard"), "speedometer2", ()),
    ("reporting:yearly_list", _("Yearly reports"), "file-earmark-bar-graph", ()),
]
