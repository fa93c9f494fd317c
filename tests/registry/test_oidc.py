"""Sign-in through an OpenID Connect provider, tested against a real one running on this machine.

The provider below is a small authorization-code server (authorize, token, userinfo, JWKS) on a loopback port,
signing RS256 ID tokens with a key made for the test. The portal talks to it over HTTP exactly as it would to the
province's unified identity: nothing in the portal's code is replaced.
"""

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import override_settings

from registry.choices import Role
from registry.models import AuditEvent
from tests.factories import UserFactory

CLIENT_ID, CLIENT_SECRET = "shequ-portal", "s3cret-of-the-portal"


class LocalProvider:
    """An OpenID provider on 127.0.0.1. ``person`` is who signs in at the provider next (its own login form, which
    the test does not need to draw); ``audience`` lets a test make it issue tokens to another client."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.person = {"sub": "330106199001011234", "preferred_username": "zhang.san"}
        self.audience = CLIENT_ID
        self.codes, self.access = {}, {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body=None, headers=()):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                data = json.dumps(body).encode() if body is not None else b""
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/authorize":
                    if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                        return self.answer(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {"nonce": query.get("nonce"), "redirect_uri": query["redirect_uri"],
                                            "person": dict(provider.person)}
                    target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
                    return self.answer(302, headers=[("Location", target)])
                if url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    person = provider.access.get(token)
                    return self.answer(200, person) if person else self.answer(401, {"error": "invalid_token"})
                if url.path == "/jwks":
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    return self.answer(200, {"keys": [{**jwk, "kid": "test-key", "alg": "RS256", "use": "sig"}]})
                return self.answer(404, {"error": "not_found"})

            def do_POST(self):
                if urlparse(self.path).path != "/token":
                    return self.answer(404, {"error": "not_found"})
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                grant = provider.codes.pop(form.get("code"), None)
                if (grant is None or form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET
                        or form.get("redirect_uri") != grant["redirect_uri"]):
                    return self.answer(400, {"error": "invalid_grant"})
                now = int(time.time())
                id_token = jwt.encode(
                    {"iss": provider.url, "sub": grant["person"]["sub"], "aud": provider.audience,
                     "nonce": grant["nonce"], "iat": now, "exp": now + 300},
                    provider.key, algorithm="RS256", headers={"kid": "test-key"})
                access_token = secrets.token_urlsafe(16)
                provider.access[access_token] = grant["person"]
                return self.answer(200, {"access_token": access_token, "id_token": id_token,
                                         "token_type": "Bearer", "expires_in": 300})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def settings(self):
        return {"OIDC_ENABLED": True, "OIDC_RP_CLIENT_ID": CLIENT_ID, "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
                "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
                "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token", "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
                "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks", "OIDC_LOGIN_LABEL": "浙里办统一身份认证"}

    def authorize(self, location):
        """What the person's browser does at the provider: follow the portal's redirect and be sent back."""
        answer = requests.get(location, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]


@pytest.fixture
def provider():
    local = LocalProvider()
    with override_settings(**local.settings()):
        yield local
    local.server.shutdown()


def sign_in_through(client, provider, next_url=None):
    start = client.get("/accounts/oidc/login/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302 and start["Location"].startswith(provider.url + "/authorize?")
    callback = provider.authorize(start["Location"])
    path = urlparse(callback)
    return client.get(path.path + "?" + path.query)


@pytest.mark.django_db
def test_login_page_offers_the_provider_and_signs_an_existing_account_in(client, provider):
    user = UserFactory(username="zhang.san", role=Role.STREET_STAFF)
    page = client.get("/accounts/login/")
    assert "浙里办统一身份认证" in page.content.decode()

    answer = sign_in_through(client, provider)

    assert answer.status_code == 302
    assert client.get("/api/me/").json()["username"] == user.username
    assert AuditEvent.objects.filter(actor=user, action="login").exists()


@pytest.mark.django_db
def test_no_account_no_login_and_nothing_created(client, provider):
    from registry.models import User

    provider.person = {"sub": "x", "preferred_username": "nobody.here"}
    before = User.objects.count()

    answer = sign_in_through(client, provider)

    assert answer.status_code == 302 and answer["Location"].endswith("/accounts/login/")
    assert User.objects.count() == before
    assert "_auth_user_id" not in client.session
    follow = client.get(answer["Location"])
    assert "统一身份认证" in follow.content.decode() and "管理员" in follow.content.decode()


@pytest.mark.django_db
def test_inactive_account_is_refused(client, provider):
    UserFactory(username="zhang.san", role=Role.STREET_STAFF, is_active=False)
    sign_in_through(client, provider)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_token_issued_to_another_client_is_refused(client, provider):
    UserFactory(username="zhang.san", role=Role.STREET_STAFF)
    provider.audience = "some-other-portal"
    answer = sign_in_through(client, provider)
    assert answer["Location"].endswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_provider_down_is_a_refused_login_not_an_error(client, provider):
    UserFactory(username="zhang.san", role=Role.STREET_STAFF)
    start = client.get("/accounts/oidc/login/")
    callback = urlparse(provider.authorize(start["Location"]))
    provider.server.shutdown()
    provider.server.server_close()

    answer = client.get(callback.path + "?" + callback.query)

    assert answer.status_code == 302 and answer["Location"].endswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_reviewer_still_gives_the_second_factor(client, provider):
    UserFactory(username="zhang.san", role=Role.DISTRICT_REVIEWER)
    with override_settings(REQUIRE_TWO_FACTOR=True):
        sign_in_through(client, provider)
        answer = client.get("/")
    assert answer.status_code == 302 and "/accounts/two-factor/" in answer["Location"]


@pytest.mark.django_db
def test_without_configuration_the_login_page_is_unchanged(client):
    page = client.get("/accounts/login/").content.decode()
    assert "oidc" not in page and "统一身份认证" not in page
    assert client.get("/accounts/oidc/login/").status_code == 404
    assert client.get("/accounts/oidc/callback/?code=x&state=y").status_code == 404
