"""Organizations online, first step: the person in charge gets an account by invitation and sees its own
organization only — its record, its cases, its certificates — and no staff page or endpoint."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from filings.models import Case, Certificate
from registry import accounts
from registry.choices import Role
from registry.models import AuditEvent, Invitation, OrganizationMember
from registry.tokens import issue
from tests.factories import PASSWORD, OrganizationFactory
from tests.matrix import OBJECTS, PUBLIC, object_kwargs
from tests.test_permission_matrix import ALL_ROUTES

NEW_PASSWORD = "Qiao-Shou-2026!"  # meets the portal's complexity rule


@pytest.fixture
def organization(world):
    return OrganizationFactory(name="宝石巧手互助队", region=world.community_a1)


def _invite(client, organization, **data):
    response = client.post(reverse("registry:organization_invite", args=[organization.pk]),
                           {"name": "王秀英", "phone": "13800000000", "as_owner": "on", **data})
    assert response.status_code == 200, response.content.decode()[:500]
    match = re.search(r"/org/invitations/([\w-]+)/", response.content.decode())
    assert match, "the page shows the invitation link once"
    return match.group(1)


def _accept(client, token, username="wangxiuying"):
    return client.post(reverse("registry:invitation_accept", args=[token]), {
        "full_name": "王秀英", "phone": "13800000000", "username": username,
        "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})


@pytest.fixture
def member_client(organization, cast, client_for, client):
    token = _invite(client_for(cast.street_a), organization)
    response = _accept(client, token)
    assert response.status_code == 302 and response["Location"] == reverse("registry:org_home")
    return client


def test_invited_person_in_charge_sees_its_organization_and_its_cases(member_client, organization, world, cast):
    from filings.services import create_case
    from tests.factories import org_payload

    other = OrganizationFactory(name="玉泉合唱团", region=world.community_b1)
    case = create_case(cast.street_a, "change", org_payload(world.community_a1, name=organization.name),
                       organization=organization)
    create_case(cast.street_b, "change", org_payload(world.community_b1, name=other.name), organization=other)

    page = member_client.get("/", follow=True)
    body = page.content.decode()
    assert page.redirect_chain[-1][0] == reverse("registry:org_home")
    assert "宝石巧手互助队" in body and case.number in body
    assert "玉泉合唱团" not in body
    member = OrganizationMember.objects.get(user__username="wangxiuying")
    assert member.is_owner and member.user.role == Role.ORGANIZATION and member.organization == organization
    # the API answers the same: its organization, its cases, nothing else
    assert member_client.get("/api/org/").json()["name"] == "宝石巧手互助队"
    numbers = [row["number"] for row in member_client.get("/api/org/cases/").json()["results"]]
    assert numbers == [case.number]
    assert AuditEvent.objects.filter(object_type="registry.organizationmember", action="create").exists()


def test_invitation_works_once_and_expires(organization, cast, client_for, client):
    token = _invite(client_for(cast.street_a), organization)
    assert _accept(client, token).status_code == 302
    client.logout()
    assert client.get(reverse("registry:invitation_accept", args=[token])).status_code == 404
    response = _accept(client, token, username="someone_else")
    assert response.status_code == 404
    assert OrganizationMember.objects.filter(organization=organization).count() == 1

    delegate_token = _invite(client_for(cast.street_a), organization, name="李桂兰", as_owner="")
    Invitation.objects.filter(accepted_at__isnull=True).update(expires_at=timezone.now())
    assert client.get(reverse("registry:invitation_accept", args=[delegate_token])).status_code == 404


def test_only_the_staff_who_hold_the_record_may_invite(organization, cast, client_for):
    url = reverse("registry:organization_invite", args=[organization.pk])
    assert client_for(cast.street_b).get(url).status_code == 404      # another street: not even its existence
    assert client_for(cast.reviewer).post(url, {"name": "某人"}).status_code == 403  # the district does not hold it
    assert client_for(cast.community_a).get(url).status_code == 200    # its community does
    api = client_for(cast.street_b).post(f"/api/organizations/{organization.pk}/invite/", {"name": "某人"},
                                         content_type="application/json")
    assert api.status_code == 404
    assert not Invitation.objects.exists()


def test_second_owner_refused_and_owner_invites_a_delegate(member_client, organization, cast, client_for, client):
    refused = client_for(cast.street_a).post(f"/api/organizations/{organization.pk}/invite/",
                                             {"name": "张建国", "as_owner": True}, content_type="application/json")
    assert refused.status_code == 400 and "代理人" in str(refused.json())  # the client speaks Chinese
    made = member_client.post("/api/org/delegates/", {"name": "张建国"}, content_type="application/json")
    assert made.status_code == 201
    token = made.json()["link"].rstrip("/").rsplit("/", 1)[1]
    member_client.logout()
    accepted = client.post("/api/org/invitations/accept/", {"token": token, "username": "zhangjianguo",
                                                            "password": NEW_PASSWORD, "full_name": "张建国"},
                           content_type="application/json")
    assert accepted.status_code == 201 and accepted.json()["name"] == organization.name
    delegate = OrganizationMember.objects.get(user__username="zhangjianguo")
    assert not delegate.is_owner
    # a delegate may not invite
    with pytest.raises(accounts.PermissionDenied):
        accounts.invite(delegate.user, organization, name="再邀请", as_owner=False)


def test_weak_password_and_taken_name_refused_in_chinese(organization, cast, client_for, client):
    token = _invite(client_for(cast.street_a), organization)
    response = client.post(reverse("registry:invitation_accept", args=[token]), {
        "full_name": "王秀英", "username": "street_a", "password": "123", "password_again": "123"})
    body = response.content.decode()
    assert response.status_code == 200 and "用户名已被使用" in body
    assert not OrganizationMember.objects.exists()


def _organization_user(organization):
    from registry.models import User

    user = User.objects.create_user("org_member", password=PASSWORD, role=Role.ORGANIZATION)
    from guardian.shortcuts import assign_perm

    OrganizationMember.objects.create(user=user, organization=organization, is_owner=True)
    assign_perm("registry.view_organization", user, organization)
    return user


# Its own side, and the account pages every user has (password, second factor).
OWN_SIDE = {"registry:org_home", "registry:org_invite_delegate", "filings:org_certificate_pdf", "home",
            "api:my-organization", "api:org-delegate-invite", "api:org-case-list", "api:org-case-detail",
            "api:org-case-documents", "api:org-case-transition", "api:current-user",
            "filings:org_case_create", "filings:org_case", "filings:org_case_edit", "filings:org_case_upload",
            "filings:org_case_step", "grants:org_application_create", "grants:org_application",
            "grants:org_application_step", "api:org-grant-application-list", "api:org-grant-application-detail",
            "api:org-grant-application-transition",
            "two_factor", "password_change", "password_change_done", "api_tokens"}
# The supply–demand board's organization side (tests/grants/test_matching.py).
OWN_SIDE |= {"grants:org_board", "grants:org_posting", "grants:org_interest", "grants:org_pairing_activity",
             "api:org-board-posting-list", "api:org-board-posting-detail", "api:org-board-posting-interest",
             "api:org-board-interest-list", "api:org-board-interest-detail", "api:org-board-pairing-list",
             "api:org-board-pairing-detail", "api:org-board-pairing-activities"}


@pytest.mark.parametrize("route", [r for r in ALL_ROUTES if r.name not in PUBLIC | OWN_SIDE], ids=lambda r: r.name)
def test_every_staff_page_and_endpoint_refuses_an_organization_user(route, world, cast, client_for):
    """Even for objects of the organization's own street (which its staff open), never a 200."""
    user = _organization_user(OrganizationFactory(region=world.community_a1))
    client = client_for(user)
    kwargs = dict(route.parameters)
    if route.object_kwarg_names:
        kwargs.update(object_kwargs(route.view_class, OBJECTS[route.model](world, "a"), route.object_kwarg_names))
    url = reverse(route.name, kwargs=kwargs)
    for method in ("get", "post"):
        status = getattr(client, method)(url, HTTP_ACCEPT="application/json").status_code
        assert status in (403, 404, 405), f"organization user on {route.name} ({method}): {status}"
    if route.is_api:  # a token is authenticated by DRF, past the page fence: refused there too
        from rest_framework.test import APIClient

        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {issue(user, second_factor=False)[1]}")
        for method in ("get", "post"):
            status = getattr(api, method)(url, HTTP_ACCEPT="application/json").status_code
            assert status in (403, 404, 405), f"organization user's token on {route.name} ({method}): {status}"


def test_another_organizations_certificate_answers_404(world, cast, client_for):
    own = OrganizationFactory(name="自己的组织", region=world.community_a1)
    other = OrganizationFactory(name="别人的组织", region=world.community_a1)
    client = client_for(_organization_user(own))
    certificates = {}
    for organization in (own, other):
        from filings.services import create_case
        from tests.factories import org_payload

        case = create_case(cast.street_a, "change", org_payload(world.community_a1, name=organization.name),
                           organization=organization)
        certificates[organization.name] = Certificate.objects.create(
            number=f"CERT-{organization.pk}", kind="filing_certificate", case=case, organization=organization,
            issuing_office="北山街道办事处")
    assert client.get(reverse("filings:org_certificate_pdf", args=[certificates["别人的组织"].pk])).status_code == 404
    assert client.get(reverse("filings:org_certificate_pdf", args=[certificates["自己的组织"].pk])).status_code == 200
    from registry.models import User

    assert Case.objects.visible_to(User.objects.get(username="org_member")).count() == 1
