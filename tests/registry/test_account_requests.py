"""Applying for an organization's account with its number, confirmed by the staff who hold its record.

Nothing is granted before the confirmation; the public page and endpoint are rate-limited per address and capped per
organization; only the staff who hold the record see and decide a request.
"""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from registry.choices import OrgStatus, Role
from registry.models import AccountRequest, AuditEvent, OrganizationMember, User
from tests.factories import OrganizationFactory, make_uscc

PASSWORD = "Qiao-Shou-2026!"
NOW = dt.datetime(2028, 2, 29, 10, 0, 30, tzinfo=dt.UTC)  # a leap day, mid-minute: the limit's window is fixed


@pytest.fixture(autouse=True)
def frozen_and_clean():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


@pytest.fixture
def organization(world):
    return OrganizationFactory(name="宝石巧手互助队", region=world.community_a1, uscc=make_uscc(serial="MJ0000077"),
                               leader_name="王秀英", leader_phone="13800000000")


def log_in(client, username):
    """Through the login page, as a person would (the lockout backend needs the request)."""
    answer = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    return answer.status_code == 302


def apply(client, number, username="wangxiuying", **extra):
    return client.post(reverse("registry:account_request"), {
        "number": number, "full_name": "王秀英", "phone": "13800000000", "username": username,
        "password": PASSWORD, "password_again": PASSWORD, **extra})


def test_request_then_confirmation_by_the_street_gives_an_account_for_that_organization(
        organization, cast, client_for, world):
    public = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    answer = apply(public, organization.uscc.lower())  # typed in lower case: the code is matched upper-case

    assert answer.status_code == 200 and "宝石巧手互助队" in answer.content.decode()
    pending = AccountRequest.objects.get()
    assert pending.status == "pending" and pending.matches_record
    assert PASSWORD not in pending.password_hash and pending.password_hash.startswith(("pbkdf2", "argon2", "md5"))
    assert not User.objects.filter(username="wangxiuying").exists(), "nothing is granted before confirmation"
    assert not log_in(public, "wangxiuying")

    street = client_for(cast.street_a)
    listing = street.get(reverse("registry:account_request_list")).content.decode()
    assert "王秀英" in listing and "宝石巧手互助队" in listing
    decided = street.post(reverse("registry:account_request_decide", args=[pending.pk]), {"decision": "confirm"})
    assert decided.status_code == 302

    account = User.objects.get(username="wangxiuying")
    assert account.role == Role.ORGANIZATION
    member = OrganizationMember.objects.get(user=account)
    assert member.organization == organization and member.is_owner
    assert log_in(public, "wangxiuying"), "the password chosen at the request works"
    home = public.get(reverse("registry:org_home")).content.decode()
    assert "宝石巧手互助队" in home
    pending.refresh_from_db()
    assert pending.status == "confirmed" and pending.decided_by == cast.street_a and pending.password_hash == ""
    assert AuditEvent.objects.filter(object_type="registry.accountrequest", action="create").exists()
    assert AuditEvent.objects.filter(object_type="registry.organizationmember", actor=cast.street_a).exists()


@pytest.mark.parametrize("field", ["filing_number", "ledger_number"])
def test_filing_and_ledger_numbers_find_the_organization_too(field, world):
    number = {"filing_number": "西湖备2028001", "ledger_number": "西湖台账2028-0001"}[field]
    organization = OrganizationFactory(name="葛岭舞蹈队", region=world.community_a2, **{field: number})
    assert apply(Client(), number).status_code == 200
    assert AccountRequest.objects.get().organization == organization


def test_unknown_or_closed_number_is_refused_with_a_message_in_chinese(organization):
    public = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = apply(public, "51330106MJ9999999X").content.decode()
    assert "没有" in body and "编号" in body
    organization.status = OrgStatus.DEREGISTERED
    organization.save()
    body = apply(public, organization.uscc).content.decode()
    assert "没有" in body
    assert not AccountRequest.objects.exists()


def test_weak_password_and_taken_user_name_are_named(organization, cast):
    public = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = apply(public, organization.uscc, username=cast.street_a.username, password="123",
                 password_again="123").content.decode()
    assert "用户名" in body and "密码" in body
    assert not AccountRequest.objects.exists()


def test_rate_limit_per_address_and_cap_per_organization(organization, world):
    public = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    for n in range(3):
        assert apply(public, organization.uscc, username=f"applicant{n}").status_code == 200
    capped = apply(public, organization.uscc, username="applicant3")
    assert "等待" in capped.content.decode() and AccountRequest.objects.count() == 3

    other = OrganizationFactory(name="葛岭舞蹈队", region=world.community_a2, filing_number="西湖备2028002")
    refused = apply(public, other.filing_number, username="applicant4")  # the fifth request of this minute
    assert refused.status_code == 200
    refused = apply(public, other.filing_number, username="applicant5")
    assert refused.status_code == 429 and "稍" in refused.content.decode()
    api = Client().post("/api/org/account-requests/", {"number": other.filing_number, "full_name": "李四",
                                                        "phone": "13900000000", "username": "applicant6",
                                                        "password": PASSWORD}, content_type="application/json")
    assert api.status_code == 429
    assert AccountRequest.objects.count() == 4
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        assert apply(public, other.filing_number, username="applicant7").status_code == 200


def test_only_the_staff_holding_the_record_see_and_decide(organization, cast, client_for):
    apply(Client(), organization.uscc)
    pending = AccountRequest.objects.get()
    decide = reverse("registry:account_request_decide", args=[pending.pk])

    assert "王秀英" not in client_for(cast.street_b).get(reverse("registry:account_request_list")).content.decode()
    assert client_for(cast.street_b).post(decide, {"decision": "confirm"}).status_code == 404
    assert client_for(cast.outsider).post(decide, {"decision": "confirm"}).status_code == 404
    assert client_for(cast.reviewer).get(reverse("registry:account_request_list")).status_code == 403
    assert client_for(cast.reviewer).post(decide, {"decision": "confirm"}).status_code == 403
    assert client_for(cast.street_b).get(f"/api/account-requests/{pending.pk}/").status_code == 404
    assert client_for(cast.street_b).post(f"/api/account-requests/{pending.pk}/confirm/").status_code == 404
    pending.refresh_from_db()
    assert pending.status == "pending" and not User.objects.filter(username="wangxiuying").exists()

    community = client_for(cast.community_a)  # the community holds the record too
    assert "王秀英" in community.get(reverse("registry:account_request_list")).content.decode()


def test_refusal_needs_a_reason_and_creates_nothing(organization, cast, client_for):
    apply(Client(), organization.uscc)
    pending = AccountRequest.objects.get()
    street = client_for(cast.street_a)
    decide = reverse("registry:account_request_decide", args=[pending.pk])
    street.post(decide, {"decision": "refuse", "reason": ""})
    pending.refresh_from_db()
    assert pending.status == "pending"
    street.post(decide, {"decision": "refuse", "reason": "电话核实非本组织负责人"})
    pending.refresh_from_db()
    assert pending.status == "refused" and pending.reason == "电话核实非本组织负责人"
    assert not User.objects.filter(username="wangxiuying").exists()
    again = street.post(decide, {"decision": "confirm"}, follow=True)
    assert "已" in again.content.decode() and not User.objects.filter(username="wangxiuying").exists()


def test_api_journey_public_request_and_staff_confirmation(organization, cast, client_for):
    made = Client().post("/api/org/account-requests/", {
        "number": organization.uscc, "full_name": "王秀英", "phone": "13800000000", "username": "wangxiuying",
        "password": PASSWORD}, content_type="application/json")
    assert made.status_code == 201 and made.json()["organization"] == "宝石巧手互助队"
    assert "password" not in made.json()

    street = client_for(cast.street_a)
    rows = street.get("/api/account-requests/").json()["results"]
    assert [row["username"] for row in rows] == ["wangxiuying"] and rows[0]["matches_record"]
    confirmed = street.post(f"/api/account-requests/{rows[0]['id']}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert street.post(f"/api/account-requests/{rows[0]['id']}/confirm/").status_code == 400

    member = Client()
    assert log_in(member, "wangxiuying")
    assert member.get("/api/org/").json()["name"] == "宝石巧手互助队"
    assert member.get("/api/account-requests/").status_code == 403  # a staff endpoint


def test_menu_offers_the_requests_page_to_those_who_decide_only(cast, client_for):
    url = reverse("registry:account_request_list")
    assert url in client_for(cast.street_a).get("/").content.decode()
    assert url not in client_for(cast.reviewer).get("/").content.decode()
    assert url not in client_for(cast.leader).get("/").content.decode()
