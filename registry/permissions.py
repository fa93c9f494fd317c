"""Who may open a page: one check per view, used by the view itself and by every menu item, button and link to it.

A class-based view declares ``roles`` (or overrides ``permits``); a function view is wrapped in
``@permits(check)``. ``may_open(user, url_name)`` resolves the URL to its view and asks that same check, so the
navigation, the 新增 buttons and the home page cannot offer a page that would answer 403.
"""

from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, resolve, reverse


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


# Per process: a page without arguments always has the same path and check, and a role-only check (``has_role``)
# the same answer for the same role; the menu asks both for some thirty pages on every request.
_pages: dict = {}
_answers: dict = {}


@receiver(setting_changed)
def _forget(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _pages.clear()
        _answers.clear()


def page(url_name, *args, **kwargs):
    """(path, check) of the page named ``url_name``; raises NoReverseMatch for an unknown name."""
    if args or kwargs:
        path = reverse(url_name, args=args, kwargs=kwargs)
        return path, view_check(resolve(path).func)
    key = (url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    if key not in _pages:
        path = reverse(url_name)
        _pages[key] = (path, view_check(resolve(path).func))
    return _pages[key]


def may_open(user, url_name, *args, **kwargs) -> bool:
    """Whether ``user`` may open the page named ``url_name`` (False for an unknown name or a signed-out user)."""
    if user is None or not user.is_authenticated:
        return False
    try:
        path, check = page(url_name, *args, **kwargs)
    except NoReverseMatch:
        return False
    from registry.middleware import fenced_off

    if not (args or kwargs) and getattr(check, "roles", None) is not None:  # decided by the role alone
        key = (path, check, user.role, user.is_superuser, user.is_active)
        if key not in _answers:
            _answers[key] = not fenced_off(user, path) and bool(check(user))
        return _answers[key]
    if fenced_off(user, path):
        return False
    return check is None or bool(check(user))


# ------------------------------------------------------------------------------------------------ shared checks

def has_role(*roles):
    """A check: a superuser, or a user holding one of ``roles``."""

    def check(user):
        return user.is_active and (user.is_superuser or user.role in roles)

    check.roles = roles  # the answer depends on nothing else: may_open keeps it per process
    return check


def has_jurisdiction(user) -> bool:
    """Dashboards and reports belong to a jurisdiction: an administrator sees all, others need a region."""
    return user.is_active and (user.sees_everything or bool(user.region_prefixes))
