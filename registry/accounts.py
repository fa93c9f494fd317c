"""Organization accounts: invitations from the staff who hold a record, acceptance, delegates, removal.

Every function takes the acting user and plain data, checks role and scope, and writes the audit event in the same
transaction; the pages and the API call these and nothing else.
"""

import secrets

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from registry.audit import record
from registry.choices import OrgStatus, Role
from registry.models import (
    AccountRequest,
    AccountRequestStatus,
    AuditAction,
    Invitation,
    Organization,
    OrganizationMember,
    User,
)
from registry.models.accounts import token_digest

# Staff who hold an organization's record (its street, its community) may invite its person in charge.
INVITING_ROLES = (Role.STREET_STAFF, Role.COMMUNITY_WORKER, Role.ADMIN)

# Sections that higher apps add to an organization's own home page (its cases, its grant applications, ...):
# each a function (organization, user) -> dict(title=..., template=..., context...), registered in AppConfig.ready().
PORTAL_SECTIONS: list = []


def register_portal_section(section):
    if section not in PORTAL_SECTIONS:
        PORTAL_SECTIONS.append(section)
    return section


def staff_may_invite(user) -> bool:
    """The role check of the invite page, also deciding whether its button shows on the organization page."""
    return user.is_superuser or user.role in INVITING_ROLES


def membership_of(user):
    """The user's membership (organization users only), or None."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.ORGANIZATION:
        return None
    return OrganizationMember.objects.select_related("organization").filter(user=user).first()


def _may_invite(user, organization, as_owner) -> bool:
    member = membership_of(user)
    if member is not None:  # the owner invites delegates for its own organization, never a second owner
        return member.is_owner and member.organization_id == organization.pk and not as_owner
    return staff_may_invite(user) and Organization.objects.visible_to(user).filter(pk=organization.pk).exists()


@transaction.atomic
def invite(user, organization, *, name, phone="", email="", as_owner=True) -> tuple[Invitation, str]:
    """Invite a person to act for ``organization``; returns the invitation and its one-time token."""
    if not _may_invite(user, organization, as_owner):
        raise PermissionDenied(_("Only the staff who hold this organization's record, or its person in charge "
                                 "for a delegate, may invite."))
    if not name.strip():
        raise ValidationError({"name": _("Enter the name of the person invited.")})
    if as_owner and organization.members.filter(is_owner=True).exists():
        raise ValidationError(_("This organization already has a person in charge with an account; invite a "
                                "delegate instead."))
    token = secrets.token_urlsafe(24)
    invitation = Invitation.objects.create(organization=organization, name=name.strip(), phone=phone, email=email,
                                           as_owner=as_owner, token_hash=token_digest(token), created_by=user)
    return invitation, token


def invitation_for(token: str) -> Invitation | None:
    """The usable invitation a link carries, or None (unknown, used, revoked or expired)."""
    if not token or len(token) > 100:
        return None
    invitation = Invitation.objects.select_related("organization").filter(token_hash=token_digest(token)).first()
    return invitation if invitation is not None and invitation.is_usable else None


@transaction.atomic
def accept(token, *, username, password, full_name, phone="") -> User:
    """The invited person sets up an account; it sees and acts on the invitation's organization only."""
    invitation = invitation_for(token)
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid: it was used, revoked or has expired. Ask the "
                                "staff who invited you for a new one."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(_("This invitation link has just been used."))
    errors = {}
    if not username or User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("This user name is taken; choose another.")
    user = User(username=username, first_name=full_name, role=Role.ORGANIZATION, phone=phone)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    _make_member(user, invitation.organization, as_owner=invitation.as_owner, added_by=invitation.created_by,
                 actor=user, detail=_("invitation accepted"))
    invitation.accepted_by, invitation.accepted_at = user, timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    return user


def _make_member(user, organization, *, as_owner, added_by, actor, detail) -> OrganizationMember:
    """The account acts for ``organization`` from now on: a membership (the owner if it is the first person in charge)
    and the per-object grant the one access rule reads. Audited."""
    owner = as_owner and not organization.members.filter(is_owner=True).exists()
    member = OrganizationMember.objects.create(user=user, organization=organization, is_owner=owner, added_by=added_by)
    assign_perm("registry.view_organization", user, organization)
    record(AuditAction.CREATE, member, user=actor, detail=detail, object_repr=str(member),
           region_code=organization.region_id)
    return member


@transaction.atomic
def revoke(user, invitation) -> None:
    if not _may_invite(user, invitation.organization, invitation.as_owner):
        raise PermissionDenied(_("You may not revoke this invitation."))
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation was already accepted; remove the member instead."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


@transaction.atomic
def remove_member(user, member) -> None:
    """The staff (or the owner, for a delegate) take an account's access away; the account is kept, inactive."""
    acting = membership_of(user)
    if acting is not None:
        allowed = acting.is_owner and acting.organization_id == member.organization_id and not member.is_owner
    else:
        allowed = (user.is_superuser or user.role in INVITING_ROLES) and \
            Organization.objects.visible_to(user).filter(pk=member.organization_id).exists()
    if not allowed:
        raise PermissionDenied(_("You may not remove this member."))
    remove_perm("registry.view_organization", member.user, member.organization)
    member.user.is_active = False
    member.user.save(update_fields=["is_active"])
    record(AuditAction.DELETE, member, user=user, object_repr=str(member), region_code=member.organization.region_id)
    member.delete()


# Applying with the organization's number (no invitation): at most this many requests wait per organization, so a
# stranger who knows a number cannot bury the staff's list; the public page is rate-limited per address as well.
PENDING_REQUESTS_PER_ORGANIZATION = 3
REQUESTS_PER_MINUTE = 5  # per address, page and API together (registry.limits: held in memory if Redis is down)
CLOSED_STATUSES = (OrgStatus.DEREGISTERED, OrgStatus.REVOKED, OrgStatus.CLEARED)


def organization_by_number(number: str):
    """The organization in operation whose 统一社会信用代码, 备案号 or 台账编号 is ``number``, or None."""
    number = (number or "").strip()
    if not number or len(number) > 40:
        return None
    return Organization.objects.exclude(status__in=CLOSED_STATUSES).filter(
        Q(uscc=number.upper()) | Q(filing_number=number) | Q(ledger_number=number)).first()


def _username_taken(username) -> bool:
    return User.objects.filter(username__iexact=username).exists() or AccountRequest.objects.filter(
        username__iexact=username, status=AccountRequestStatus.PENDING).exists()


@transaction.atomic
def request_account(*, number, name, phone, username, password) -> AccountRequest:
    """Someone asks for an account for the organization ``number`` names; nothing is granted until the staff who
    hold its record confirm (``confirm_request``). Errors name the field, in the user's language."""
    organization = organization_by_number(number)
    errors = {}
    if organization is None:
        errors["number"] = _("No organization in operation has this number. Type the unified social credit code, "
                             "the filing number or the community ledger number exactly as on its certificate.")
    if not name.strip():
        errors["name"] = _("Enter your name.")
    if not phone.strip():
        errors["phone"] = _("Enter a phone number the staff can call to confirm.")
    if not username or _username_taken(username):
        errors["username"] = _("This user name is taken; choose another.")
    try:
        validate_password(password, User(username=username, first_name=name))
    except ValidationError as exc:
        errors["password"] = exc.messages
    if not errors:
        Organization.objects.select_for_update().filter(pk=organization.pk).first()  # one request at a time
        if organization.account_requests.filter(status=AccountRequestStatus.PENDING).count() \
                >= PENDING_REQUESTS_PER_ORGANIZATION:
            errors["number"] = _("Several requests for this organization already await the staff's confirmation. "
                                 "Please contact your street office or community.")
    if errors:
        raise ValidationError(errors)
    account_request = AccountRequest.objects.create(
        organization=organization, number=number.strip(), name=name.strip(), phone=phone.strip(),
        username=username, password_hash=make_password(password))
    record(AuditAction.CREATE, account_request, user=None, detail=_("account requested with the organization's "
                                                                    "number"),
           object_repr=str(account_request), region_code=organization.region_id)
    return account_request


def _decidable(user, account_request) -> AccountRequest:
    """The request, locked, if ``user`` holds the organization's record and it still awaits a decision."""
    if not (staff_may_invite(user) and Organization.objects.visible_to(user)
            .filter(pk=account_request.organization_id).exists()):
        raise PermissionDenied(_("Only the street or community staff who hold this record may decide."))
    locked = AccountRequest.objects.select_for_update().select_related("organization").get(pk=account_request.pk)
    if locked.status != AccountRequestStatus.PENDING:
        raise ValidationError(_("This request was already decided."))
    return locked


@transaction.atomic
def confirm_request(user, account_request) -> User:
    """The staff confirm: the account is created with the password the person chose and acts for the organization
    (its owner when it has none yet, a delegate otherwise)."""
    account_request = _decidable(user, account_request)
    if User.objects.filter(username__iexact=account_request.username).exists():
        raise ValidationError(_("The user name chosen is now taken; refuse this request and ask the person to "
                                "apply again."))
    account = User(username=account_request.username, first_name=account_request.name, role=Role.ORGANIZATION,
                   phone=account_request.phone, password=account_request.password_hash)
    account.save()
    _make_member(account, account_request.organization, as_owner=True, added_by=user, actor=user,
                 detail=_("account request confirmed"))
    account_request.status, account_request.decided_by = AccountRequestStatus.CONFIRMED, user
    account_request.decided_at, account_request.user = timezone.now(), account
    account_request.password_hash = ""  # the account holds it now
    account_request.save(update_fields=["status", "decided_by", "decided_at", "user", "password_hash"])
    return account


@transaction.atomic
def refuse_request(user, account_request, *, reason) -> AccountRequest:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the request is refused.")})
    account_request = _decidable(user, account_request)
    account_request.status, account_request.decided_by = AccountRequestStatus.REFUSED, user
    account_request.decided_at, account_request.reason = timezone.now(), reason.strip()[:300]
    account_request.password_hash = ""
    account_request.save(update_fields=["status", "decided_by", "decided_at", "reason", "password_hash"])
    record(AuditAction.UPDATE, account_request, user=user, detail=_("account request refused"),
           object_repr=str(account_request), region_code=account_request.organization.region_id)
    return account_request
