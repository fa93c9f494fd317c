from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    # (url name, label, icon, menu group: see registry/navigation.py)
    ("grants:round_list", _("Venture-grant rounds"), "trophy", "grants"),
    ("grants:application_list", _("Grant applications"), "journal-text", "grants"),
    ("grants:subsidy_list", _("Subsidies"), "cash-coin", "grants"),
    ("grants:expert_reviews", _("My reviews"), "pencil-square", "grants"),
    ("grants:fund_list", _("Venture-grant funds"), "bank", "grants"),
    ("grants:county_share", _("County share of venture-grant money going to CSOs"), "pie-chart", "grants"),
    ("grants:other_applicants", _("Other social organizations (not CSOs)"), "building", "grants"),
    # The supply–demand board (供需对接): the staff's postings, and the organizations' side of it.
    ("grants:posting_list", _("Supply and demand board"), "megaphone", "organizations"),
    ("grants:org_board", _("Needs and projects near us"), "megaphone", "organizations"),
]
