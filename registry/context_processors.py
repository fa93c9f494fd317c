"""The menu: entries grouped by task, each shown only to users the page itself lets in (``may_open``)."""

from importlib import import_module

from registry.navigation import GROUPS
from registry.permissions import may_open, page

APPS = ("registry", "filings", "grants", "partybuilding", "reporting")


def _entries():
    """Every app's ``NAVIGATION`` (an app without a ``navigation`` module contributes nothing)."""
    entries = []
    for app in APPS:
        try:
            entries.extend(import_module(f"{app}.navigation").NAVIGATION)
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.navigation":
                raise
    return entries


def _allowed(user, url_name):
    if url_name.startswith("admin:"):  # Django's admin site lets in active staff (AdminSite.has_permission)
        return user.is_active and user.is_staff
    return may_open(user, url_name)


def menu_for(user):
    """[(group label, icon, [links])] for ``user``: empty groups dropped; every link is one the user may open."""
    groups = {key: {"key": key, "label": label, "icon": icon, "children": []} for key, label, icon in GROUPS}
    for url_name, label, icon, group in _entries():
        if _allowed(user, url_name):
            groups[group]["children"].append({"url": page(url_name)[0], "label": label, "icon": icon,
                                              "name": url_name})
    return [group for group in groups.values() if group["children"]]


def navigation(request):
    """The menu and the notification bell, computed once per request however many templates the page renders
    (a list page renders its table through a second template)."""
    if not hasattr(request, "_navigation"):
        request._navigation = _navigation(request)
    return request._navigation


def _navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = menu_for(user)
    links = [child for item in items for child in item["children"]]
    matching = [link for link in links if request.path.startswith(link["url"])]
    if matching:
        max(matching, key=lambda link: len(link["url"]))["active"] = True
    for item in items:
        item["active"] = any(child.get("active") for child in item["children"])
        if len(item["children"]) == 1:  # a group of one is a plain link, named after what it opens
            only = item["children"][0]
            item.update(url=only["url"], label=only["label"], icon=only["icon"], children=[])
    from registry.notifications import unread

    if not may_open(user, "registry:notifications"):  # organization users keep to their own pages
        return {"navigation": items}
    return {"navigation": items, "notifications_link": True, "unread_notifications": unread(user).count()}
