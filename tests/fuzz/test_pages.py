"""Page fuzz: every list, detail and form route of the portal, opened with hostile query values, never fails.

Each route is opened as the administrator and as street staff, once per hostile value with every query parameter
the page knows (its filter fields plus the names pages read by hand) set to that value, and with the value as a
path parameter where the route takes text. A server error fails the test; a 400 with a message, a 404 or the
page with the bad filter ignored are all fine. ``make fuzz`` (SHEQU_FUZZ=full) also tries each parameter alone.
"""

import os

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from tests.conftest import FAST_HASHERS, build_cast, build_world, shared_rows
from tests.matrix import OBJECTS, object_kwargs
from tests.test_permission_matrix import ALL_ROUTES

pytestmark = pytest.mark.django_db

FULL = os.environ.get("SHEQU_FUZZ") == "full"

HOSTILE = [
    "\x00", "a\x00b", "\x0b\x1f\x7f", "99999999999999999999999", "-1", "-9223372036854775809", "0", "1e309",
    "abc", "[]", "{\"a\": 1}", "%", "' OR 1=1 --", "\u202e\ufeff", "9" * 300, "２０２５",
]
if not FULL:
    HOSTILE = ["\x00", "99999999999999999999999", "abc"]

# Query parameters pages read without a filter form.
COMMON = ["q", "year", "organization", "region", "page", "sort", "export", "status", "state", "round", "kind",
          "format", "per_page", "next", "code", "prefix", "within", "application", "case", "tab", "full"]


@pytest.fixture(scope="module")
def people(django_db_setup, django_db_blocker):
    """The regions and the cast, made once for the module's routes: what a route's test makes or writes is rolled
    back with it, so every test starts from exactly these rows."""
    with shared_rows(django_db_blocker):
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            world = build_world()
            cast = build_cast(world)
        yield world, cast


@pytest.fixture
def world(people):
    return people[0]


@pytest.fixture
def cast(people):
    return people[1]


def _parameters(route):
    names = set(COMMON)
    filterset = getattr(route.view_class, "filterset_class", None)
    if filterset is not None:
        names |= set(filterset.base_filters)
    return sorted(names)


def _url(route, objects, value=None):
    kwargs = {**route.parameters, **objects}
    if value is not None:
        for name in route.kwarg_names:
            kwargs[name] = value
    return reverse(route.name, kwargs=kwargs)


def _check(client, url, params, label):
    response = client.get(url, params, HTTP_ACCEPT="application/json" if url.startswith("/api/") else "text/html")
    assert response.status_code < 500, f"{label}: {response.status_code} for {url} {params!r}"


@pytest.mark.parametrize("route", [r for r in ALL_ROUTES if not r.name.startswith("admin:")], ids=lambda r: r.name)
def test_hostile_query_values_never_fail(route, world, cast, client_for):
    if route.object_kwarg_names and route.model not in OBJECTS:
        pytest.skip("no factory")
    objects = {}
    if route.object_kwarg_names:
        objects = object_kwargs(route.view_class, OBJECTS[route.model](world, "a"), route.object_kwarg_names)
    url = _url(route, objects)
    names = _parameters(route)
    for role in ("admin", "street_a"):
        client = client_for(getattr(cast, role))
        for value in HOSTILE:
            _check(client, url, dict.fromkeys(names, value), role)
            if FULL:
                for name in names:
                    _check(client, url, {name: value}, role)
        for value in HOSTILE:  # the value as a path parameter, where the route's converter lets it through
            try:
                hostile_url = _url(route, objects, value)
            except NoReverseMatch:
                continue
            _check(client, hostile_url, {}, f"{role} path")
