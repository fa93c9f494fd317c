"""API tokens as a service: issue (past the second factor where the role needs one), authenticate, revoke.

A token is 32 random bytes shown once; the database keeps its SHA-256 digest (a token is random enough that a
fast digest suffices), when it expires (``API_TOKEN_DAYS``) and whether it was issued past the second factor. A
reviewer or administrator who must pass the second factor cannot obtain a token with the password alone, and a
token issued without it (before the requirement was switched on) is refused.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from registry.choices import Role
from registry.models import ApiToken
from registry.two_factor import TWO_FACTOR_ROLES

KEYWORD = "Token"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def role_needs_second_factor(user) -> bool:
    """Whether this user's role must pass the second factor (the setting on), verified or not."""
    return settings.REQUIRE_TWO_FACTOR and (user.is_superuser or user.role in TWO_FACTOR_ROLES)


def verify_code(user, code) -> bool:
    """The current code of the user's confirmed authenticator (django-otp throttles guessing)."""
    code = str(code or "").strip().replace(" ", "")
    if not code.isdigit():
        return False
    return any(device.verify_token(code) for device in TOTPDevice.objects.filter(user=user, confirmed=True))


@transaction.atomic
def issue(user, *, second_factor: bool, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``: (the row, the key to show once). ``second_factor`` says the caller has checked
    the second factor in this request (a verified session or a current code)."""
    if not user.is_active:
        raise PermissionDenied(_("This account is inactive."))
    if role_needs_second_factor(user) and not second_factor:
        raise PermissionDenied(_("Your role needs the second factor: enter the current code of your "
                                 "authenticator app to obtain an API token."))
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(user=user, name=name[:60], digest=digest(key), prefix=key[:8],
                                    second_factor=second_factor, created_at=now,
                                    expires_at=now + timedelta(days=settings.API_TOKEN_DAYS))
    return token, key


def may_manage_all(user) -> bool:
    """Administrators revoke anyone's tokens (a lost laptop, a person who left)."""
    return user.is_active and (user.is_superuser or user.role == Role.ADMIN)


def manageable_by(user):
    tokens = ApiToken.objects.select_related("user", "revoked_by")
    return tokens if may_manage_all(user) else tokens.filter(user=user)


@transaction.atomic
def revoke(user, token: ApiToken) -> ApiToken:
    """The token's own user or an administrator revokes it; revoking twice changes nothing."""
    locked = manageable_by(user).select_for_update(of=("self",)).filter(pk=token.pk).first()
    if locked is None:
        raise PermissionDenied(_("You may revoke only your own tokens."))
    if locked.revoked_at is None:
        locked.revoked_at, locked.revoked_by = timezone.now(), user
        locked.save(update_fields=["revoked_at", "revoked_by"])
    return locked


class HashedTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, looked up by digest; refused when revoked, expired, its user inactive, or
    when the user's role needs the second factor and the token was issued without it."""

    keyword = KEYWORD

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
        if token is None or not token.is_usable:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if role_needs_second_factor(user) and not token.second_factor:
            raise exceptions.AuthenticationFailed(_("This token was issued without the second factor your role "
                                                    "needs; obtain a new one."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # bookkeeping, not an audited change
        return user, token
