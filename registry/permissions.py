"""Who may open a page: one check per view, used by the view itself and by every menu item, button and link to it.

A class-based view declares ``roles`` (or overrides ``permits``); a function view is wrapped in
``@permits(check)``. ``may_open(user, url_name)`` resolves the URL to its view and asks that same check, so the
navigation, the 新增 buttons and the home page cannot offer a page that would answer 403.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, resolve, reverse


def permits(check, message=None):
    """Marks a function view with the check that decides who may open it, and enforces it."""

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not check(request.user):
                raise PermissionDenied(str(message) if message else None)
            return view(request, *args, **kwargs)

        guarded.permits = check
        return guarded

    return decorate


def view_check(view):
    """The check attached to a resolved view function (class-based or decorated), or None if it has none."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None and hasattr(view_class, "permits"):
        return view_class.permits
    return getattr(view, "permits", None)


def may_open(user, url_name, *args, **kwargs) -> bool:
    """Whether ``user`` may open the page named ``url_name`` (False for an unknown name or a signed-out user)."""
    if user is None or not user.is_authenticated:
        return False
    try:
        match = resolve(reverse(url_name, args=args, kwargs=kwargs))
    except NoReverseMatch:
        return False
    check = view_check(match.func)
    return check is None or bool(check(user))


# ------------------------------------------------------------------------------------------------ shared checks

def has_role(*roles):
    """A check: a superuser, or a user holding one of ``roles``."""

    def check(user):
        return user.is_active and (user.is_superuser or user.role in roles)

    check.roles = roles
    return check


def has_jurisdiction(user) -> bool:
    """Dashboards and reports belong to a jurisdiction: an administrator sees all, others need a region."""
    return user.is_active and (user.sees_everything or bool(user.region_prefixes))
