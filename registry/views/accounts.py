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
from registry.forms import AcceptInvitationForm, AccountRequestForm, InvitationForm, RefuseRequestForm
from registry.generic import scoped
from registry.limits import over_limit
from registry.middleware import is_organization_user
from registry.models import AccountRequest, AccountRequestStatus, Invitation, Organization
from registry.permissions import permits

__all__ = ["account_request", "account_request_decide", "account_request_list", "invitation_accept", "org_home",
           "org_invite_delegate", "organization_invite"]


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


@require_http_methods(["GET", "POST"])
def account_request(request):
    """Public: apply for an organization's account with its number; the staff who hold its record confirm."""
    form = AccountRequestForm(request.POST or None)
    done = None
    status = 200
    if request.method == "POST":
        if over_limit(request, "account-request", accounts.REQUESTS_PER_MINUTE):
            form.is_valid()
            form.add_error(None, _("Too many requests from this address. Please wait a minute and try again."))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                done = accounts.request_account(number=data["number"], name=data["full_name"], phone=data["phone"],
                                                username=data["username"], password=data["password"])
            except ValidationError as exc:
                _form_errors(form, exc)
    return render(request, "registry/account_request.html", {"form": form, "done": done}, status=status)


@login_required
@permits(accounts.staff_may_invite, _l("Only the street or community staff who hold organizations' records decide "
                                       "account requests."))
def account_request_list(request):
    """Requests waiting for the staff who hold the organizations' records, and the last decided ones."""
    visible = AccountRequest.objects.visible_to(request.user).select_related("organization", "decided_by")
    return render(request, "registry/account_request_list.html", {
        "pending": visible.filter(status=AccountRequestStatus.PENDING),
        "decided": visible.exclude(status=AccountRequestStatus.PENDING)[:20],
        "refuse_form": RefuseRequestForm(),
    })


@permits(accounts.staff_may_invite)
@scoped(AccountRequest)
@require_http_methods(["POST"])
def account_request_decide(request, account_request):
    """Confirm (the account is created) or refuse with a reason; back to the list with what happened."""
    try:
        if request.POST.get("decision") == "confirm":
            account = accounts.confirm_request(request.user, account_request)
            messages.success(request, _("Account %(username)s created for %(organization)s.") % {
                "username": account.username, "organization": account_request.organization.name})
        else:
            form = RefuseRequestForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Say why the request is refused."))
            accounts.refuse_request(request.user, account_request, reason=form.cleaned_data["reason"])
            messages.success(request, _("Request refused."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("registry:account_request_list")
