"""Walks every page, export and API endpoint of the permission matrix as each role, over data that holds known
resident ID numbers (organizations and their history, case drafts and decided cases, the audit trail, including an
event written before numbers were masked at the source), and fails on a full number in any response, except the
logged "show full number" answer to a role that needs it (registry/personal.py FULL_ID_ROLES)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from filings.services import create_case, update_payload
from registry.models import AuditEvent, Organization, PersonalDataView
from registry.personal import may_view_full_id
from tests.factories import VALID_ID, org_payload
from tests.matrix import OBJECTS, object_kwargs
from tests.registry.test_organization_accounts import _organization_user
from tests.test_permission_matrix import LIST_ROUTES, OBJECT_ROUTES, SIGNED_IN

CHANGED_ID = "110105198001011238"  # the organization's number after a change (its history holds both)
DRAFT_ID = "110105197512120044"  # typed into a draft, then edited (the audit trail holds the change)
LEGACY_ID = "110105197512120044"
FULL_NUMBERS = (VALID_ID, CHANGED_ID, DRAFT_ID)
REVEAL_ROUTES = {"registry:organization_reveal_id", "api:organization-id-number"}


def _full_numbers_in(content: bytes, content_type: str) -> set[str]:
    if "spreadsheetml" in content_type:
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        text = " ".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row)
    else:
        text = content.decode("utf-8-sig", errors="replace")
    text = text.upper()
    return {number for number in FULL_NUMBERS if number in text}


@pytest.fixture
def personal_world(world, cast):
    """Street A's data with ID numbers everywhere they are kept; one object per scoped model for object routes."""
    objects = {model: make(world, "a") for model, make in OBJECTS.items()}
    organization = objects[Organization]
    organization.leader_id_number = CHANGED_ID
    organization._history_user = cast.street_a
    organization.save()
    draft = create_case(cast.street_a, "filing", org_payload(world.community_a1, name="个人信息草稿",
                                                             leader_id_number=VALID_ID))
    draft = update_payload(cast.street_a, draft, {**draft.payload, "leader_id_number": DRAFT_ID})
    # An event written before numbers were masked where they are recorded: the trail is append-only.
    AuditEvent.objects.create(action="update", region_code=world.community_a1.code, object_type="filings.case",
                              object_id=str(draft.pk), object_repr=f"旧记录 {LEGACY_ID}",
                              changes={"payload": [None, str({"leader_id_number": LEGACY_ID})],
                                       "leader_id_number": [None, LEGACY_ID]},
                              detail=f"身份证 {LEGACY_ID}")
    assert draft.payload["leader_id_number"] == DRAFT_ID
    return objects


def _responses(client, route, kwargs, methods):
    url = reverse(route.name, kwargs={**route.parameters, **kwargs})
    headers = {"HTTP_ACCEPT": "application/json"} if route.is_api else {}
    for method in methods:
        yield method, url, getattr(client, method)(url, **headers)
    if not route.is_api and route.view_class is not None and hasattr(route.view_class, "export"):
        for fmt in ("csv", "xlsx"):
            yield "get", f"{url}?export={fmt}", client.get(f"{url}?export={fmt}")


@pytest.mark.parametrize("role", [*SIGNED_IN, "organization"])
def test_no_response_shows_a_full_id_number(role, personal_world, world, cast, client_for):
    user = _organization_user(personal_world[Organization]) if role == "organization" else getattr(cast, role)
    client = client_for(user)
    leaks, revealed = [], []
    walk = [(route, {}, ("get",)) for route in LIST_ROUTES] + [
        (route, object_kwargs(route.view_class, personal_world[route.model], route.object_kwarg_names),
         ("get", "post")) for route in OBJECT_ROUTES if route.model in personal_world]
    for route, kwargs, methods in walk:
        for method, url, response in _responses(client, route, kwargs, methods):
            content = getattr(response, "content", None)
            if content is None:  # a streamed download (a document, a certificate): no ID number in it
                continue
            found = _full_numbers_in(content, response.get("Content-Type", ""))
            if not found:
                continue
            if route.name in REVEAL_ROUTES and method == "post" and may_view_full_id(user):
                revealed.append(route.name)
                continue
            leaks.append(f"{method.upper()} {url}: {sorted(found)}")
    assert not leaks, f"{role} sees full ID numbers:\n" + "\n".join(leaks)
    organization = personal_world[Organization]
    if may_view_full_id(user) and Organization.objects.visible_to(user).filter(pk=organization.pk).exists():
        # The roles that need the number get it on request, and each view is logged.
        assert sorted(revealed) == sorted(REVEAL_ROUTES)
        assert PersonalDataView.objects.filter(user=user).count() == len(revealed)
    else:
        assert not revealed and not PersonalDataView.objects.filter(user=user).exists()
