"""Organization users live on their own side of the portal: every staff page and endpoint answers 403 to them.
Also the session middleware, which saves an unchanged session only once a minute."""

import time

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from registry.choices import Role

# What an organization user may open: its own side, signing in and out, language, assets, public pages.
ORGANIZATION_PREFIXES = ("/org/", "/api/org/", "/accounts/", "/i18n/", "/static/", "/healthz", "/verify/",
                         "/lookup/", "/api/me/", "/api/auth/")
# When RefreshingSessionMiddleware last saved the session (seconds since the epoch), kept in the session itself.
REFRESHED_AT = "_refreshed_at"


def is_organization_user(user) -> bool:
    return user.is_authenticated and user.role == Role.ORGANIZATION and not user.is_superuser


def fenced_off(user, path) -> bool:
    """Whether ``path`` is on the staff side, closed to an organization user (the menus ask this too)."""
    return is_organization_user(user) and not path.startswith(ORGANIZATION_PREFIXES)


class OrganizationFence:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_organization_user(request.user):
            if request.path == "/":
                return redirect("registry:org_home")
            if fenced_off(request.user, request.path):
                raise PermissionDenied
        return self.get_response(request)


class StaffOnly:
    """DRF permission, on by default for every endpoint: an organization user is refused (403) everywhere but on
    its own endpoints (/api/org/...), which declare ``OrganizationOnly`` instead. Token-authenticated requests are
    only known to DRF, so the page fence above cannot stand in for this."""

    message = "This endpoint is for civil-affairs staff."

    def has_permission(self, request, view):
        user = request.user
        return not (user and user.is_authenticated and user.role == Role.ORGANIZATION and not user.is_superuser)

    def has_object_permission(self, request, view, obj):
        return True


class OrganizationOnly:
    """DRF permission of the organization side's own endpoints: signed-in organization users only."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.ORGANIZATION)

    def has_object_permission(self, request, view, obj):
        return True


class RefreshingSessionMiddleware(SessionMiddleware):
    """Django's session middleware, but a session nobody changed is saved again (its idle timeout pushed back) at
    most once per ``SESSION_REFRESH_SECONDS`` instead of on every request: one UPDATE and its transaction fewer on
    nearly every page. A session still ends ``SESSION_COOKIE_AGE`` seconds after the last request at the latest,
    and no sooner than ``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS``."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and response.status_code < 500 and (
                session.modified or settings.SESSION_COOKIE_NAME in request.COOKIES):
            now = int(time.time())
            refreshed = session.get(REFRESHED_AT)  # loads the session if the page did not
            if session.keys() and (session.modified or refreshed is None
                                   or now - refreshed >= settings.SESSION_REFRESH_SECONDS):
                session[REFRESHED_AT] = now
        return super().process_response(request, response)
