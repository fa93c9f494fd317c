"""Role-aware navigation: each entry names the roles that see it (empty = everyone signed in)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from registry.choices import Role

SUPERVISION = [
    ("registry:activity_list", _("Activities"), "calendar-event", ()),
    ("registry:training_list", _("Training records"), "mortarboard", ()),
    ("registry:grade_list", _("Evaluation grades"), "award", ()),
    ("registry:brand_list", _("Brand organizations and projects"), "star", ()),
    ("registry:flag_list", _("Abnormal-activity and serious lists"), "exclamation-triangle", ()),
    ("registry:zombie_list", _("Zombie candidates"), "moon", ()),
    ("registry:import", _("Import from Excel"), "upload", (Role.STREET_STAFF, Role.DISTRICT_REVIEWER, Role.ADMIN)),
]

NAVIGATION = [
    # (url name, label, icon, roles); a url name of None with a list of entries is a dropdown
    ("home", _("Home"), "house", ()),
    ("filings:inbox", _("Waiting for me"), "inbox", (Role.STREET_STAFF, Role.COMMUNITY_WORKER, Role.DISTRICT_REVIEWER)),
    ("registry:organization_list", _("Organizations"), "people", ()),
    ("filings:case_list", _("Cases"), "folder2-open", ()),
    (None, _("Supervision"), "clipboard-check", SUPERVISION),
    ("registry:region_list", _("Regions"), "diagram-3", ()),
    ("registry:audit_list", _("Audit trail"), "journal-text", (Role.ADMIN, Role.DISTRICT_REVIEWER)),
    ("api:docs", _("API"), "braces", (Role.ADMIN, Role.DISTRICT_REVIEWER)),
    ("admin:index", _("Administration"), "gear", (Role.ADMIN,)),
]


def _app_navigation():
    """Entries contributed by other apps (``NAVIGATION`` in their ``navigation`` module), after the registry's."""
    from importlib import import_module

    entries = []
    for app in ("grants", "partybuilding", "reporting"):
        try:
            entries.extend(import_module(f"{app}.navigation").NAVIGATION)
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.navigation":
                raise
    return entries


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    if user.role == Role.ORGANIZATION and not user.is_superuser:  # its own side only: staff pages answer 403
        url = reverse("registry:org_home")
        return {"navigation": [{"url": url, "label": _("My organization"), "icon": "house",
                                "active": request.path.startswith(url)}]}
    entries = NAVIGATION[:-3] + _app_navigation() + NAVIGATION[-3:]  # audit, API and admin stay last

    def allowed(roles):
        return not roles or user.is_superuser or user.role in roles

    items, links = [], []
    for url_name, label, icon, roles in entries:
        if url_name is None:  # a dropdown: ``roles`` holds its entries
            children = [{"url": reverse(name), "label": text, "icon": sign, "active": False}
                        for name, text, sign, child_roles in roles if allowed(child_roles)]
            if children:
                items.append({"label": label, "icon": icon, "children": children, "active": False})
                links.extend(children)
        elif allowed(roles):
            item = {"url": reverse(url_name), "label": label, "icon": icon, "active": False}
            items.append(item)
            links.append(item)
    matching = [link for link in links if request.path == link["url"]
                or (link["url"] != "/" and request.path.startswith(link["url"]))]
    if matching:
        max(matching, key=lambda link: len(link["url"]))["active"] = True
    for item in items:
        if "children" in item:
            item["active"] = any(child["active"] for child in item["children"])
    return {"navigation": items}
