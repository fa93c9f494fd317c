"""The registry's menu entries and the menu groups every app's entries fall into.

Menus are grouped by task. Whether an entry shows is never decided here: the context processor asks
``registry.permissions.may_open``, the same check the page itself makes, so a menu cannot offer a page that answers
403. An app adds entries in its own ``navigation.py`` (``NAVIGATION``: url name, label, icon, group).
"""

from django.utils.translation import gettext_lazy as _

# (key, label, icon), in menu order.
GROUPS = [
    ("cases", _("Cases"), "folder2-open"),
    ("organizations", _("Organizations"), "people"),
    ("supervision", _("Supervision"), "clipboard-check"),
    ("grants", _("Venture grants"), "trophy"),
    ("reports", _("Statistics"), "bar-chart"),
    ("system", _("System"), "gear"),
]

NAVIGATION = [
    ("registry:org_home", _("My organization"), "house", "organizations"),
    ("registry:organization_list", _("Organizations"), "people", "organizations"),
    ("registry:region_list", _("Regions and communities"), "diagram-3", "organizations"),
    ("registry:activity_list", _("Activities"), "calendar-event", "supervision"),
    ("registry:training_list", _("Training records"), "mortarboard", "supervision"),
    ("registry:grade_list", _("Evaluation grades"), "award", "supervision"),
    ("registry:brand_list", _("Brand organizations and projects"), "star", "supervision"),
    ("registry:flag_list", _("Abnormal-activity and serious lists"), "exclamation-triangle", "supervision"),
    ("registry:zombie_list", _("Zombie candidates"), "moon", "supervision"),
    ("registry:import", _("Import from Excel"), "upload", "organizations"),
    ("registry:account_request_list", _("Organization account requests"), "person-check", "organizations"),
    ("registry:audit_list", _("Audit trail"), "journal-text", "system"),
    ("admin:index", _("Administration"), "gear", "system"),
]
