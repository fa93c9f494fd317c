"""Organization accounts: invitations from the staff who hold a record, acceptance, delegates, removal.

Every function takes the acting user and plain data, checks role and scope, and writes the audit event in the same
transaction; the pages and the API call these and nothing else.
"""

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from registry.audit import record
from registry.choices import Role
from registry.models import AuditAction, Invitation, Organization, OrganizationMember, User
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
    organization = invitation.organization
    owner = invitation.as_owner and not organization.members.filter(is_owner=True).exists()
    member = OrganizationMember.objects.create(user=user, organization=organization, is_owner=owner,
                                               added_by=invitation.created_by)
    assign_perm("registry.view_organization", user, organization)
    invitation.accepted_by, invitation.accepted_at = user, timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    record(AuditAction.CREATE, member, user=user, detail=_("invitation accepted"),
           object_repr=str(member), region_code=organization.region_id)
    return user


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
