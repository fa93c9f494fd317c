"""The organizations' own side: invitations (staff), acceptance (public link), the organization's home page."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from registry import accounts
from registry.forms import AcceptInvitationForm, InvitationForm
from registry.generic import scoped
from registry.middleware import is_organization_user
from registry.models import Invitation, Organization
from registry.permissions import permits

__all__ = ["invitation_accept", "org_home", "org_invite_delegate", "organization_invite"]


def _form_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _invite_page(request, organization, form, as_owner, cancel_url):
    link = None
    if request.method == "POST" and form.is_valid():
        try:
            _invitation, token = accounts.invite(
                request.user, organization, name=form.cleaned_data["name"], phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"], as_owner=as_owner)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            link = request.build_absolute_uri(reverse("registry:invitation_accept", args=[token]))
    return render(request, "registry/invitation_form.html", {
        "organization": organization, "form": form, "link": link, "cancel_url": cancel_url,
        "pending": Invitation.objects.visible_to(request.user).pending().filter(organization=organization)
        if not accounts.membership_of(request.user) else organization.invitations.pending(),
    })


@permits(accounts.staff_may_invite, _l("Only the street or community staff who hold this record may invite."))
@scoped(Organization)
@require_http_methods(["GET", "POST"])
def organization_invite(request, organization):
    """Staff who hold the record invite its person in charge (or a delegate); the link is shown once."""
    form = InvitationForm(request.POST or None)
    as_owner = bool(form.is_valid() and form.cleaned_data["as_owner"]) if request.method == "POST" else True
    return _invite_page(request, organization, form, as_owner, organization.get_absolute_url())


@login_required
@permits(is_organization_user)
@require_http_methods(["GET", "POST"])
def org_invite_delegate(request):
    """The person in charge invites a delegate for its own organization."""
    member = accounts.membership_of(request.user)
    if member is None or not member.is_owner:
        raise PermissionDenied(_("Only the person in charge may invite delegates."))
    form = InvitationForm(request.POST or None)
    form.fields.pop("as_owner")
    return _invite_page(request, member.organization, form, False, reverse("registry:org_home"))


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = accounts.invitation_for(token)
    if invitation is None:
        return render(request, "registry/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST or None, initial={"full_name": invitation.name,
                                                               "phone": invitation.phone})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = accounts.accept(token, username=data["username"], password=data["password"],
                                   full_name=data["full_name"], phone=data["phone"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is ready. You act for %(organization)s.")
                             % {"organization": invitation.organization.name})
            return redirect("registry:org_home")
    return render(request, "registry/invitation_accept.html", {"form": form, "invitation": invitation})


@login_required
@permits(is_organization_user)
def org_home(request):
    """The organization's own page: its record, and what other apps add (its cases, its applications)."""
    member = accounts.membership_of(request.user)
    organization = Organization.objects.visible_to(request.user).select_related("region", "category") \
        .get(pk=member.organization_id)
    sections = [section(organization, request.user) for section in accounts.PORTAL_SECTIONS]
    return render(request, "registry/org_home.html", {
        "organization": organization, "member": member, "sections": [s for s in sections if s],
        "members": organization.members.select_related("user") if member.is_owner else None,
    })
