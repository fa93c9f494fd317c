"""Walks every URL pattern and API route and tries each role against objects inside and outside its subtree.

Expectations:
- anonymous visitors are sent to the login page (pages) or refused (API), except on public URLs;
- no signed-in role ever gets a server error;
- an object in street A opens for street A's staff, the district reviewer and the district leader, and answers
  404 to street B's staff and to a user of another district;
- a list never shows street B's object to street A's staff, on the page, in the API, or in an export.
"""

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix import OBJECTS, PARAMETERS, PUBLIC, UNSCOPED, WHO_DECIDES, marker, object_kwargs


@dataclass
class Route:
    name: str
    kwarg_names: list[str]
    view_class: type | None
    is_api: bool
    callback: object = None

    def _parameter(self, name):
        return PARAMETERS.get(f"{self.name}:{name}", PARAMETERS.get(name))

    @property
    def parameters(self):
        """Non-object URL parameters with the value to try."""
        return {name: self._parameter(name) for name in self.kwarg_names if self._parameter(name) is not None}

    @property
    def object_kwarg_names(self):
        return [name for name in self.kwarg_names if self._parameter(name) is None]

    @property
    def model(self):
        scoped_model = getattr(self.callback, "scoped_model", None)
        if scoped_model is not None:
            return scoped_model
        view = self.view_class
        if view is None:
            return None
        model = getattr(view, "model", None)
        queryset = getattr(view, "queryset", None)
        if model is None and queryset is not None:
            model = queryset.model
        return model


def _kwarg_names(pattern):
    if hasattr(pattern.pattern, "converters") and pattern.pattern.converters:
        return list(pattern.pattern.converters)
    return list(pattern.pattern.regex.groupindex)


def walk(patterns=None, namespace="", prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            callback = entry.callback
            view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
            full = prefix + str(entry.pattern)
            yield Route(f"{namespace}{entry.name}", _kwarg_names(entry), view_class,
                        full.startswith(("api/", "^api/")), callback)


def routes():
    seen = {}
    for route in walk():
        if "format" in route.kwarg_names:
            continue  # DRF's ".json" suffix twins of the routes below
        if any(route.name.startswith(skip.rstrip("*")) for skip in UNSCOPED):
            continue
        seen.setdefault((route.name, tuple(route.kwarg_names)), route)
    return list(seen.values())


ALL_ROUTES = routes()
LIST_ROUTES = [r for r in ALL_ROUTES if not r.object_kwarg_names]
OBJECT_ROUTES = [r for r in ALL_ROUTES if r.object_kwarg_names]

SIGNED_IN = ["street_a", "street_b", "community_a", "reviewer", "leader", "expert", "outsider", "admin"]
SEES_A = {"street_a", "reviewer", "leader", "admin"}
BLIND_TO_A = {"street_b", "outsider", "expert"}


def test_matrix_covers_the_known_views():
    names = {r.name for r in ALL_ROUTES}
    assert {"home", "registry:region_list", "registry:region_detail", "api:region-list", "api:region-detail",
            "registry:organization_detail", "filings:case_detail", "filings:document_download",
            "filings:certificate_pdf", "api:case-transition", "api:document-download"} <= names


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.name)
def test_every_object_route_has_a_scoped_model(route):
    assert route.model in OBJECTS, (
        f"{route.name} takes {route.kwarg_names} but its model {route.model} has no factory in tests/matrix.py"
    )


def _request(client, route, kwargs=None, method="get"):
    url = reverse(route.name, kwargs={**route.parameters, **(kwargs or {})})
    if route.is_api:
        return getattr(client, method)(url, HTTP_ACCEPT="application/json")
    return getattr(client, method)(url)


@pytest.mark.parametrize("route", LIST_ROUTES, ids=lambda r: r.name)
def test_anonymous_is_sent_to_login(route, client, world):
    response = _request(client, route)
    if route.name in PUBLIC:
        assert response.status_code < 500
    elif route.is_api:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("route", LIST_ROUTES, ids=lambda r: r.name)
def test_list_routes_never_fail_and_never_leak(route, world, cast, client_for):
    if route.name in PUBLIC:
        return
    marker_b = {model: marker(make(world, "b")) for model, make in OBJECTS.items()}
    for role in SIGNED_IN:
        response = _request(client_for(getattr(cast, role)), route)
        assert response.status_code in (200, 302, 403, 405), f"{role} on {route.name}: {response.status_code}"
        if role == "street_a" and response.status_code == 200 and route.model in marker_b:
            assert marker_b[route.model] not in response.content.decode(), f"{route.name} shows street B to A"
            if not route.is_api and route.view_class and hasattr(route.view_class, "export"):
                for fmt in ("csv", "xlsx"):
                    exported = client_for(cast.street_a).get(reverse(route.name, kwargs=route.parameters)
                                                             + f"?export={fmt}")
                    assert exported.status_code == 200
                    if fmt == "csv":
                        assert marker_b[route.model] not in exported.content.decode("utf-8-sig")


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.name)
def test_object_routes_follow_the_subtree(route, world, cast, client_for):
    make = OBJECTS.get(route.model)
    if make is None:
        pytest.fail(f"no factory for {route.model}")
    obj_a = make(world, "a")
    kwargs = object_kwargs(route.view_class, obj_a, route.object_kwarg_names)
    for role in SIGNED_IN:
        client = client_for(getattr(cast, role))
        statuses = {method: _request(client, route, kwargs, method).status_code for method in ("get", "post")}
        assert all(code < 500 for code in statuses.values()), f"{role} on {route.name}: {statuses}"
        if role in SEES_A:
            assert statuses["get"] != 404 or statuses["post"] != 404, f"{role} cannot reach {route.name}"
        if role in BLIND_TO_A:
            if 403 in statuses.values():
                # Allowed only for a role barred from the endpoint altogether: 403 on its own side's object too.
                own = object_kwargs(route.view_class, make(world, "b"), route.object_kwarg_names)
                assert _request(client, route, own, "get").status_code == 403, f"{role} on {route.name}: 403 leaks"
                continue
            assert set(statuses.values()) <= {404, 405}, f"{role} reaches {route.name}: {statuses}"
            assert 404 in statuses.values(), f"{role} on {route.name}: {statuses}"


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.name)
def test_anonymous_cannot_open_objects(route, world, cast, client):
    make = OBJECTS.get(route.model)
    if make is None or route.name in PUBLIC:
        return
    kwargs = object_kwargs(route.view_class, make(world, "a"), route.object_kwarg_names)
    status = _request(client, route, kwargs).status_code
    assert status in ((401, 403) if route.is_api else (302,)), f"anonymous on {route.name}: {status}"


def _tiered_organization(world, tier):
    from tests.factories import OrganizationFactory, make_uscc

    extra = {"registered": {"legal_form": "social_service", "uscc": make_uscc(legal_form_digit="2"),
                            "filing_number": None},
             "filed": {}, "community": {"filing_number": None, "ledger_number": "TZ-MATRIX"}}[tier]
    return OrganizationFactory(name=f"谁决定{tier}", region=world.community_a1, tier=tier, **extra)


def _decide_case(kind, world, cast, author):
    """A submitted case of ``kind`` by a second author of the right role (so separation of duties is not what
    refuses the role under test)."""
    from filings.services import add_document, create_case, required_documents, transition
    from registry.choices import Role
    from tests.conftest import pdf
    from tests.factories import UserFactory, org_payload, registration_payload

    role, region = {"community_record": (Role.COMMUNITY_WORKER, world.community_a1),
                    "filing": (Role.STREET_STAFF, world.street_a),
                    "registration": (Role.STREET_STAFF, world.street_a)}[kind]
    author = UserFactory(username=f"author_{kind}", role=role, regions=[region])
    payload = (registration_payload(world.community_a1, legal_form="social_service") if kind == "registration"
               else org_payload(world.community_a1, name=f"谁决定{kind}"))
    case = create_case(author, kind, payload)
    for doc_kind in required_documents(case):
        add_document(author, case, pdf(f"{doc_kind}.pdf"), doc_kind)
    return transition(case, "submit", author)


@pytest.mark.parametrize(("action", "tier", "role", "allowed"), WHO_DECIDES,
                         ids=lambda v: str(v))
def test_who_decides(action, tier, role, allowed, world, cast, client_for):
    from registry.models import Organization

    client = client_for(getattr(cast, role))
    json = {"content_type": "application/json"}
    if action.startswith("decide_case:"):
        case = _decide_case(action.split(":")[1], world, cast, role)
        step = "approve" if case.kind != "registration" else "accept"
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert (f'data-testid="action-{step}"' in page) is allowed
        response = client.post(f"/api/cases/{case.pk}/transition/", {"action": step}, **json)
        assert (response.status_code == 200) is allowed, (response.status_code, response.content[:300])
        return
    organization = _tiered_organization(world, tier)
    if action == "clear_zombie":
        Organization.objects.filter(pk=organization.pk).update(status="dormant")
        response = client.post(f"/api/zombies/{organization.pk}/decide/", {"decision": "clear", "reason": "无活动"},
                               **json)
        ok = 200
    elif action == "record_grade":
        response = client.post("/api/grades/", {"organization": organization.pk, "grade": "4A",
                                                "awarded_on": "2026-01-01"}, **json)
        assert (client.get("/grades/new/").status_code == 200) is allowed
        ok = 201
    elif action == "name_brand":
        response = client.post("/api/brands/", {"organization": organization.pk, "year": 2026, "level": "county"},
                               **json)
        assert (client.get("/brands/new/").status_code == 200) is allowed
        ok = 201
    elif action == "list_flag":
        response = client.post("/api/credit-flags/", {"organization": organization.pk, "reason": "unreachable",
                                                      "explanation": "无法联系"}, **json)
        ok = 201
    else:
        response = client.post("/api/rectification-notices/", {
            "organization": organization.pk, "reason": "other", "explanation": "整改", "deadline": "2099-01-01"},
            **json)
        assert (client.get(f"/organizations/{organization.pk}/notice/").status_code == 200) is allowed
        ok = 201
    assert (response.status_code == ok) is allowed, (response.status_code, response.content[:300])
    if not allowed:
        assert response.status_code in (400, 403), response.status_code


# ------------------------------------------------------------------------------------------------ the board

def _board_routes():
    from tests.grants.matrix import BOARD_ANSWERS

    return BOARD_ANSWERS


def test_board_answers_cover_every_board_route():
    modules = {"grants.matching_views", "grants.matching_api"}
    board = {r.name for r in ALL_ROUTES
             if getattr(r.view_class or r.callback, "__module__", "") in modules}
    assert board == set(_board_routes())


@pytest.mark.parametrize("name", sorted(_board_routes()))
def test_board_answers(name, world, cast, client_for):
    """Every role's answer on each route of the supply–demand board, the organization role included."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine
    from django.contrib.contenttypes.models import ContentType
    from guardian.shortcuts import assign_perm

    from registry.choices import Role
    from registry.models import OrganizationMember, User
    from tests.factories import OrganizationFactory
    from tests.matrix import OBJECTS

    model, method, payload, expected = _board_routes()[name]
    route = next(r for r in ALL_ROUTES if r.name == name)

    def organization_user(organization):
        user = User.objects.create_user(f"board_{organization.pk}", role=Role.ORGANIZATION)
        OrganizationMember.objects.create(user=user, organization=organization, is_owner=True)
        # A transactional test before this one may have flushed and recreated the content types: the cached ids
        # would name permissions that no longer exist.
        ContentType.objects.clear_cache()
        assign_perm("registry.view_organization", user, organization)
        return user

    answers = {}
    with time_machine.travel(datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        for role in expected:
            obj = OBJECTS[model](world, "a") if model is not None else None
            own = getattr(obj, "organization", None) or OrganizationFactory(region=world.community_a1)
            user = (organization_user(own) if role == "org_own" else
                    organization_user(OrganizationFactory(region=world.community_a1)) if role == "org_other" else
                    getattr(cast, role))
            kwargs = object_kwargs(route.view_class, obj, route.object_kwarg_names) if obj is not None else {}
            url = reverse(name, kwargs=kwargs)
            client = client_for(user)
            if route.is_api:
                response = getattr(client, method)(url, payload, content_type="application/json") \
                    if method == "post" else client.get(url, HTTP_ACCEPT="application/json")
            else:
                response = getattr(client, method)(url, payload) if method == "post" else client.get(url)
            answers[role] = response.status_code
    assert answers == expected
