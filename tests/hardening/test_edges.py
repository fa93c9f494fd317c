"""Input at the edge and a Redis outage: a 400 or 404 with a message, or the page as usual, never a 500."""

import pytest
from django.core.cache import caches
from django.test import Client

from registry import params
from registry.limits import CACHE_DOWN
from tests.factories import OrganizationFactory

DEAD_REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens on port 1


@pytest.fixture
def anonymous():
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


@pytest.mark.parametrize("url", ["/lookup/?q=%00", "/lookup/?q=ab%00cd", "/api/lookup/?q=%00x", "/verify/%00/",
                                 "/verify/AB%00CD/", "/lookup/?q=%0b%1f"])
def test_control_characters_on_public_pages_are_refused_not_a_server_error(db, anonymous, url):
    response = anonymous.get(url)
    assert response.status_code in (400, 404)
    if response.status_code == 400 and not url.startswith("/api/"):
        assert "控制字符" in response.content.decode()


def test_the_lookup_answers_a_nul_with_a_message_in_the_page_itself(db, anonymous):
    """The view's own typed reading refuses it (the middleware guard is only the second line)."""
    from django.test import RequestFactory
    from django.utils import translation

    from registry.views.lookup import public_lookup

    request = RequestFactory().get("/lookup/", {"q": "社区\x00"})
    with translation.override("zh-hans"):
        response = public_lookup(request)
    assert response.status_code == 400 and "控制字符" in response.content.decode()


@pytest.mark.parametrize("url", ["/grants/payments/?year=99999999999999999999", "/grants/payments/?year=abc",
                                 "/grants/subsidies/?year=-5", "/grants/rounds/?year=1e309",
                                 "/reports/?year=99999999999", "/reports/?year=x",
                                 "/cases/new/filing/?organization=abc",
                                 "/cases/new/filing/?organization=99999999999999999999",
                                 "/api/grants/payments/?year=99999999999999999999", "/regions/%00/",
                                 "/api/regions/99999999999999999999999/"])
def test_junk_parameters_answer_400_or_404(world, cast, client_for, url):
    response = client_for(cast.admin).get(url)
    assert response.status_code in (200, 400, 404), response.status_code


def test_a_junk_year_names_the_parameter(world, cast, client_for):
    response = client_for(cast.reviewer).get("/reports/?year=abc")
    assert response.status_code == 400 and "整数" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "1.5", "99999999999999999999", "-1", "\x00", True])
def test_the_typed_helpers_refuse_junk(value):
    with pytest.raises(params.InvalidParameter):
        params.object_id({"organization": value}, "organization")


def test_the_typed_helpers_read_good_values():
    assert params.year({"year": " 2025 "}) == 2025
    assert params.year({}, default=2024) == 2024
    assert params.text({"q": "  宝石  "}, "q") == "宝石"
    assert params.object_id({"organization": "12"}, "organization") == 12


@pytest.fixture
def redis_down(settings):
    settings.CACHES = DEAD_REDIS
    with pytest.raises(CACHE_DOWN):  # the portal really is pointed at a dead Redis
        caches["default"].get("x")
    yield


def test_with_redis_down_the_lookup_pages_serve(world, anonymous, redis_down):
    OrganizationFactory(name="宝石邻里互助会", region=world.community_a1)
    page = anonymous.get("/lookup/", {"q": "宝石"})
    assert page.status_code == 200 and "宝石邻里互助会" in page.content.decode()
    api = anonymous.get("/api/lookup/", {"q": "宝石"})
    assert api.status_code == 200 and api.json()[0]["name"] == "宝石邻里互助会"
    assert anonymous.get("/verify/NOSUCHCODE/").status_code == 404  # the usual "not found" page, not a 500


def test_with_redis_down_the_limit_still_holds_in_memory(world, redis_down):
    client = Client(REMOTE_ADDR="10.9.8.7")
    codes = [client.get("/lookup/", {"q": "宝石"}).status_code for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429


@pytest.mark.parametrize("kind", ["change", "deregistration", "annual_report", "leadership_change", "revocation"])
def test_a_case_about_an_organization_without_one_is_refused(world, cast, client_for, kind):
    """Found by the API fuzz: an annual report without its organization reached the case form with no tier (500)."""
    response = client_for(cast.admin).post("/api/cases/", {"kind": kind, "payload": {}},
                                           content_type="application/json")
    assert response.status_code == 400 and "organization" in response.json(), response.content[:200]
