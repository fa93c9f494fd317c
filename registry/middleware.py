"""Organization users live on their own side of the portal: every staff page and endpoint answers 403 to them."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from registry.choices import Role

# What an organization user may open: its own side, signing in and out, language, assets, public pages.
ORGANIZATION_PREFIXES = ("/org/", "/api/org/", "/accounts/", "/i18n/", "/static/", "/healthz", "/verify/",
                         "/lookup/", "/api/me/", "/api/auth/")


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
