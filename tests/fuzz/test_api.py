"""schemathesis over the whole API schema, reads and writes, as the administrator and as street staff.

Every operation the portal serves (``/api/schema/`` through the WSGI app) is called with generated path, query and
body values; no response may be a server error, and every response must match the schema (status, content type,
body). Short profile in ``make test`` (a few examples per operation); ``make fuzz`` (SHEQU_FUZZ=full) runs many.
Derandomized, so a failure repeats.
"""

import os

import pytest
import schemathesis
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from config.wsgi import application
from registry.tokens import issue
from tests.conftest import FAST_HASHERS, build_cast, build_world, shared_rows
from tests.factories import OrganizationFactory
from tests.fuzz.conftest import CASES, STATUSES

FULL = os.environ.get("SHEQU_FUZZ") == "full"
# The short profile (make test): two generated cases per operation and role, about two and a half minutes on two
# cores; the full one (make fuzz) adds the schema's examples and coverage cases, 40 generated cases each.
MAX_EXAMPLES = 40 if FULL else 2
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application).exclude(path_regex=r"^/api/(schema|docs|redoc)")
schema.config.generation.update(max_examples=MAX_EXAMPLES, database="none", deterministic=True)
if not FULL:  # the short profile: generated cases only (the full one adds the schema's examples and coverage)
    schema.config.phases.update(phases=["fuzzing"])


@pytest.fixture(scope="module", params=["admin", "street_a"])
def token(request, django_db_setup, django_db_blocker):
    """The cast, two organizations in each community and the role's token, made once per role for the module (the
    tests are grouped by role): each test's calls are rolled back with it, so every test sees exactly these rows."""
    with shared_rows(django_db_blocker):
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            world = build_world()
            cast = build_cast(world)
            for place in (world.community_a1, world.community_a2, world.community_b1):
                OrganizationFactory.create_batch(2, region=place)
            key = issue(getattr(cast, request.param), second_factor=True)[1]
        yield key


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_survives_hostile_input(case, token, wsgi_keeps_connection):
    response = case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
    CASES[case.operation.label] = CASES.get(case.operation.label, 0) + 1
    status = f"{response.status_code // 100}xx"
    STATUSES[status] = STATUSES.get(status, 0) + 1
