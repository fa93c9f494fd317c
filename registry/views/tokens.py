"""The user's API tokens: issue one (shown once), see when each expires and was last used, revoke one."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from registry import tokens

__all__ = ["api_tokens"]


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """Under /accounts/ (which the second-factor redirect leaves open), so the factor is checked here."""
    from django.conf import settings

    user = request.user
    verified = user.is_verified()
    if tokens.role_needs_second_factor(user) and not verified:
        return redirect(f"{settings.LOGIN_URL_TWO_FACTOR}?next={request.path}")
    key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            token = get_object_or_404(tokens.manageable_by(user).filter(user=user), pk=request.POST["revoke"])
            tokens.revoke(user, token)
            return redirect("api_tokens")
        try:
            _token, key = tokens.issue(user, second_factor=verified, name=request.POST.get("name", "").strip())
        except PermissionDenied:
            return redirect(f"{settings.LOGIN_URL_TWO_FACTOR}?next={request.path}")
    return render(request, "registration/api_tokens.html", {
        "key": key, "tokens": user.api_tokens.select_related("revoked_by")[:50],
        "days": settings.API_TOKEN_DAYS})
