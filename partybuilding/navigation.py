from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    # (url name, label, icon, roles); empty roles = everyone signed in
    ("partybuilding:coverage", _("Party building"), "flag", ()),
]
