"""Accounts of the organizations themselves: the person in charge (or a delegate) acts for one organization.

An organization user holds a per-object grant (django-guardian ``view_organization``) on its organization, so the
one access rule (``visible_to``) shows it that organization and the records that belong to it, never a region.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.scoping import ScopedQuerySet

INVITATION_DAYS = 14


def token_digest(token: str) -> str:
    """Only a digest of an invitation's token is stored: the link itself is shown once, to the person inviting."""
    return hashlib.sha256(token.encode()).hexdigest()


def _expiry():
    return timezone.now() + timedelta(days=INVITATION_DAYS)


class OrganizationMember(models.Model):
    """A user who acts for an organization; one of them is its owner (the person in charge)."""

    scope_region_lookup = "organization__region__code"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.PROTECT, related_name="membership",
                                verbose_name=_("user"))
    organization = models.ForeignKey("registry.Organization", models.PROTECT, related_name="members",
                                     verbose_name=_("organization"))
    is_owner = models.BooleanField(_("owner"), default=False,
                                   help_text=_("The person in charge, who may invite delegates."))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("added by"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization member")
        verbose_name_plural = _("organization members")
        ordering = ["organization", "-is_owner", "added_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization"], condition=models.Q(is_owner=True),
                                    name="one_owner_per_organization"),
        ]

    def __str__(self):
        return f"{self.organization} · {self.user.get_full_name() or self.user.username}"


class InvitationQuerySet(ScopedQuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An invitation from the staff who hold an organization's record to its person in charge (or a delegate).

    The link carries a random token; it works once, until it expires or is revoked.
    """

    scope_region_lookup = "organization__region__code"

    organization = models.ForeignKey("registry.Organization", models.PROTECT, related_name="invitations",
                                     verbose_name=_("organization"))
    name = models.CharField(_("name of the person invited"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    as_owner = models.BooleanField(_("as person in charge"), default=True,
                                   help_text=_("The person in charge becomes the owner; a delegate does not."))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), default=_expiry)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("accepted by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.organization} · {self.name}"

    @property
    def is_usable(self):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class AccountRequestStatus(models.TextChoices):
    PENDING = "pending", _("awaiting confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    REFUSED = "refused", _("refused")


class AccountRequest(models.Model):
    """A person asks for an account for an organization by its number (统一社会信用代码, 备案号 or 台账编号); the staff
    who hold the organization's record confirm or refuse. The chosen password is kept only as Django's hash."""

    scope_region_lookup = "organization__region__code"

    organization = models.ForeignKey("registry.Organization", models.PROTECT, related_name="account_requests",
                                     verbose_name=_("organization"))
    number = models.CharField(_("number given"), max_length=40)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    username = models.CharField(_("user name"), max_length=150)
    password_hash = models.CharField(max_length=200, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=AccountRequestStatus.choices,
                              default=AccountRequestStatus.PENDING)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("account created"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("account request")
        verbose_name_plural = _("account requests")
        ordering = ["-requested_at"]
        # The staff's list of requests waiting for them, and the per-organization cap on pending requests.
        indexes = [models.Index(fields=["organization", "status"], name="accountrequest_org_status_idx")]

    def __str__(self):
        return f"{self.organization} · {self.name}"

    @property
    def matches_record(self) -> bool:
        """Name and phone equal the person in charge on record: a hint for the staff, never a confirmation."""
        organization = self.organization
        return self.name.strip() == organization.leader_name.strip() and bool(self.phone) and \
            self.phone.strip() == (organization.leader_phone or "").strip()
