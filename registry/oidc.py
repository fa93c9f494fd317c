"""Sign-in through the province's unified government identity (统一身份认证), an OpenID Connect provider.

The provider proves who someone is; the portal decides what they may do. An account is found by the user name the
provider's ``OIDC_USERNAME_CLAIM`` claim carries and must already exist and be active: roles and regions are given
in the portal, never taken from the provider, and no account is created on the fly. After signing in this way the
usual rules apply (the second factor for reviewers and administrators, the organization fence, the lockout).

Everything here is off unless ``OIDC_CLIENT_ID`` is set (config/settings.py): the backend then declines every
request and the two pages answer 404, so the login page is unchanged.
"""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import LoginView
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


class ProvinceIdentityBackend(OIDCAuthenticationBackend):
    """Authorization-code flow against the configured provider; an existing, active account or nobody."""

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()
        self.enabled = enabled()
        if self.enabled:  # the parent reads (and insists on) the provider's settings
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        if not self.enabled or request is None:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, SuspiciousOperation, jwt.InvalidTokenError) as exc:
            # The provider down, a forged or expired token, another client's token: no login, a logged reason.
            logger.warning("sign-in through the OpenID provider refused: %s", exc)
            return None

    def get_payload_data(self, token, key):
        """The token's signature and expiry (checked by the library), and that it was issued to this portal."""
        payload = super().get_payload_data(token, key)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("the ID token was issued to another client")
        return payload

    def verify_claims(self, claims):
        return bool(claims.get(settings.OIDC_USERNAME_CLAIM))

    def describe_user_by_claims(self, claims):
        return f"{settings.OIDC_USERNAME_CLAIM} {claims.get(settings.OIDC_USERNAME_CLAIM)!r}"

    def filter_users_by_claims(self, claims):
        username = claims.get(settings.OIDC_USERNAME_CLAIM)
        if not username:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(username=username, is_active=True)

    def create_user(self, claims):  # OIDC_CREATE_USER is False; kept closed should a setting ever flip
        return None


class _EnabledOnly:
    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ProviderLogin(_EnabledOnly, OIDCAuthenticationRequestView):
    """The login page's button: off to the provider, with state and nonce kept in the session."""


class ProviderCallback(_EnabledOnly, OIDCAuthenticationCallbackView):
    """The provider sends the person back here with a code; the backend exchanges it and finds the account."""

    def login_failure(self):
        messages.error(self.request, _(
            "Signing in through the unified identity did not succeed: no active account in this portal matches "
            "that identity, or the sign-in was cancelled. Ask your administrator to create your account, or log "
            "in with your user name and password."))
        return redirect(settings.LOGIN_URL)


class LoginPage(LoginView):
    """Django's login page, offering the provider's button when one is configured (and nothing new otherwise)."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if enabled():
            context["provider_label"] = settings.OIDC_LOGIN_LABEL
        return context
