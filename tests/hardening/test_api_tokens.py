"""Second factor everywhere (issue 18 item 5): a role that needs TOTP obtains and uses API tokens only past it;
tokens are stored as digests, expire, and are revoked by their user (page and API) and by an administrator. The
client address comes from X-Forwarded-For only through a trusted proxy."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client, RequestFactory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from registry.audit import client_ip
from registry.models import ApiToken, AuditEvent
from registry.tokens import issue

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def obtain(client, **data):
    return client.post("/api/auth/token/", data, content_type="application/json")


def me(key):
    return Client().get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}")


def refused(response):
    """Refused as unauthenticated (403 rather than 401: the session scheme, listed first, sends no challenge)."""
    return response.status_code in (401, 403) and "username" not in response.json()


def test_a_reviewer_needs_the_second_factor_to_obtain_a_token(world, cast, password, settings):
    settings.REQUIRE_TWO_FACTOR = True
    refused = obtain(Client(), username="reviewer", password=password)
    assert refused.status_code == 403 and not ApiToken.objects.exists()
    device = TOTPDevice.objects.create(user=cast.reviewer, name="app", confirmed=True)
    assert obtain(Client(), username="reviewer", password=password, otp="000000").status_code in (401, 403)
    device.refresh_from_db()
    device.throttle_reset()
    issued = obtain(Client(), username="reviewer", password=password, otp=code(device))
    assert issued.status_code == 201, issued.content
    key = issued.json()["token"]
    assert me(key).json()["username"] == "reviewer"
    token = ApiToken.objects.get()
    assert token.second_factor and token.expires_at == NOW + timedelta(days=settings.API_TOKEN_DAYS)
    with connection.cursor() as cursor:  # only the digest is stored, nowhere the key itself
        cursor.execute("SELECT * FROM registry_apitoken")
        assert key not in repr(cursor.fetchall())
    assert key not in repr(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_street_staff_obtain_a_token_with_the_password(world, cast, password, settings):
    settings.REQUIRE_TWO_FACTOR = True
    issued = obtain(Client(), username="street_a", password=password)
    assert issued.status_code == 201
    assert me(issued.json()["token"]).json()["username"] == "street_a"
    assert obtain(Client(), username="street_a", password="wrong").status_code == 403
    assert ApiToken.objects.count() == 1


def test_a_token_issued_without_the_factor_stops_working_once_it_is_required(world, cast, settings):
    settings.REQUIRE_TWO_FACTOR = False
    _token, key = issue(cast.reviewer, second_factor=False)
    assert me(key).status_code == 200
    settings.REQUIRE_TWO_FACTOR = True
    assert refused(me(key))
    assert me(issue(cast.street_a, second_factor=False)[1]).status_code == 200


def test_a_verified_session_obtains_a_token_an_unverified_one_does_not(world, cast, client_for, settings):
    settings.REQUIRE_TWO_FACTOR = True
    reviewer = client_for(cast.reviewer)
    page = reviewer.get("/accounts/tokens/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/two-factor/")
    assert reviewer.post("/accounts/tokens/", {"name": "x"}).status_code == 302 and not ApiToken.objects.exists()
    device = TOTPDevice.objects.create(user=cast.reviewer, name="app", confirmed=True)
    assert reviewer.post("/accounts/two-factor/", {"token": code(device), "next": "/"}).status_code == 302
    shown = reviewer.post("/accounts/tokens/", {"name": "报表脚本"})
    assert shown.status_code == 200
    token = ApiToken.objects.get()
    assert token.second_factor and token.name == "报表脚本"
    key = shown.context["key"]
    assert key and me(key).status_code == 200
    assert key not in reviewer.get("/accounts/tokens/").content.decode()  # shown once


def test_tokens_expire(world, cast, settings):
    settings.API_TOKEN_DAYS = 7
    _token, key = issue(cast.street_a, second_factor=False)
    with time_machine.travel(NOW + timedelta(days=7) - timedelta(minutes=1), tick=False):
        assert me(key).status_code == 200
    with time_machine.travel(NOW + timedelta(days=7, minutes=1), tick=False):
        assert refused(me(key))


def test_the_user_revokes_a_token_through_the_api_and_the_page(world, cast, client_for):
    token, key = issue(cast.street_a, second_factor=False)
    other, other_key = issue(cast.street_a, second_factor=False)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    listed = api.get("/api/auth/tokens/").json()["results"]
    assert {row["id"] for row in listed} == {token.pk, other.pk} and "digest" not in listed[0]
    assert api.post(f"/api/auth/tokens/{other.pk}/revoke/").status_code == 200
    assert refused(me(other_key)) and me(key).status_code == 200

    page = client_for(cast.street_a)
    assert page.post("/accounts/tokens/", {"revoke": token.pk}).status_code == 302
    assert refused(me(key))
    token.refresh_from_db()
    assert token.revoked_by == cast.street_a


def test_only_the_owner_or_an_administrator_revokes(world, cast, client_for):
    token, key = issue(cast.street_a, second_factor=False)
    _b, b_key = issue(cast.street_b, second_factor=False)
    stranger = Client(HTTP_AUTHORIZATION=f"Token {b_key}")
    assert stranger.post(f"/api/auth/tokens/{token.pk}/revoke/").status_code == 404
    assert client_for(cast.street_b).post("/accounts/tokens/", {"revoke": token.pk}).status_code == 404
    assert me(key).status_code == 200
    admin = client_for(cast.admin)
    assert token.pk in {row["id"] for row in admin.get("/api/auth/tokens/").json()["results"]}
    assert admin.post(f"/api/auth/tokens/{token.pk}/revoke/").status_code == 200
    assert refused(me(key))
    # and through the Django admin's action
    _c, c_key = issue(cast.street_b, second_factor=False)
    admin.post("/admin/registry/apitoken/", {"action": "revoke", "_selected_action": [_c.pk]})
    assert refused(me(c_key))


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"  # not through the proxy
    assert client_ip(_request("10.0.0.5", "198.51.100.7")) == "198.51.100.7"
    # the client's own claim to the left of what the proxy saw is ignored
    assert client_ip(_request("10.0.0.5", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request("10.0.0.5", "198.51.100.7, 10.0.0.6")) == "198.51.100.7"
    assert client_ip(_request("10.0.0.5")) == "10.0.0.5"


def test_the_audit_trail_records_the_connecting_address_of_an_untrusted_client(world, cast, password, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="6.6.6.6").post(
        "/accounts/login/", {"username": "street_a", "password": password})
    Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7").post(
        "/accounts/login/", {"username": "street_b", "password": password})
    addresses = dict(AuditEvent.objects.filter(action="login").values_list("actor_name", "ip_address"))
    assert addresses == {"street_a": "203.0.113.9", "street_b": "198.51.100.7"}
