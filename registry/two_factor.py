"""The TOTP second factor (django-otp), required for district reviewers and system administrators when
REQUIRE_TWO_FACTOR is on (the default in production)."""

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from registry.choices import Role

TWO_FACTOR_ROLES = (Role.DISTRICT_REVIEWER, Role.ADMIN)
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/verify/", "/lookup/")


def needs_second_factor(user) -> bool:
    return (settings.REQUIRE_TWO_FACTOR and user.is_authenticated
            and (user.is_superuser or user.role in TWO_FACTOR_ROLES) and not user.is_verified())


class SecondFactorMiddleware:
    """Sends a reviewer or administrator who has not passed the second factor to it (API tokens are separate)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_second_factor(request.user) and not request.path.startswith(EXEMPT_PREFIXES):
            return redirect(f"{settings.LOGIN_URL_TWO_FACTOR}?next={request.get_full_path()}")
        return self.get_response(request)


@login_required
def two_factor(request):
    """Set up an authenticator app (first time) or enter its current code."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=False)
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip().replace(" ", "")
        if token.isdigit() and device.verify_token(token):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            target = request.POST.get("next") or "/"
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = "/"
            return redirect(target)
        error = _("The code is wrong or has expired; enter the current six digits.")
    context = {"setting_up": setting_up, "error": error, "next": request.GET.get("next", "/")}
    if setting_up:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
        context["secret"] = _base32(device)
    return render(request, "registration/two_factor.html", context)


def _base32(device):
    from base64 import b32encode

    return b32encode(device.bin_key).decode().rstrip("=")
