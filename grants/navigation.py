from django.utils.translation import gettext_lazy as _

from registry.choices import Role

NAVIGATION = [
    ("grants:round_list", _("Venture grants"), "trophy", (Role.DISTRICT_REVIEWER, Role.STREET_STAFF, Role.LEADER,
                                                          Role.ADMIN)),
    ("grants:application_list", _("Grant applications"), "journal-text", ()),
    ("grants:subsidy_list", _("Subsidies"), "cash-coin", (Role.DISTRICT_REVIEWER, Role.STREET_STAFF, Role.LEADER,
                                                          Role.ADMIN)),
]
