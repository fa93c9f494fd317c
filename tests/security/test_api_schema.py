"""Property-based tests of the API against its own OpenAPI schema (schemathesis).

The schema is the one the application serves (``/api/schema/`` through the WSGI app, not the committed copy), so
a view that drifts from its declared serializer fails here. Each main read endpoint is called with generated
query and path parameters as a district reviewer (DRF token) over the test cast, and every response must not be
a server error and must match the schema: status code, content type and body. Detail endpoints of objects the
fixture creates are pointed at a real object, so their bodies are validated too, not only their 404s.

Bounded: a few examples per operation, no deadline, derandomized (the same inputs on every run, so a strict
xfail cannot flake). An operation that exposes a real application bug is listed in ``KNOWN_BUGS``; the xfail is
strict, so the entry must go once the bug is fixed.
"""

from dataclasses import dataclass
from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from config.wsgi import application
from registry.tokens import issue
from tests.factories import OrganizationFactory

MAX_EXAMPLES = 12

# The main read endpoints: list, detail and the GET actions under them.
MAIN_READS = (
    r"^/api/(regions|organizations|cases|documents|certificates|activities|trainings|grades|brands|credit-flags"
    r"|zombies|jobs|dashboard|yearly-reports|party/coverage|grants/rounds)/"
)

# "GET /api/..." -> one-line reason. Strict: remove the entry when the application is fixed.
KNOWN_BUGS: dict[str, str] = {}

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application).include(method="GET", path_regex=MAIN_READS)
schema.config.generation.update(max_examples=MAX_EXAMPLES, database="none", deterministic=True)


@dataclass
class ApiWorld:
    token: str
    real_paths: dict  # operation path -> path parameters of an object the reviewer may see


@pytest.fixture
def api_world(cast, world):
    """The district reviewer of 西湖区, organizations inside and one outside their jurisdiction, a report row."""
    from registry.models import Activity
    from reporting.models import YearlyReport

    orgs = []
    for place, count in ((world.community_a1, 3), (world.community_a2, 2), (world.community_b1, 2),
                         (world.other_street, 1)):
        orgs += OrganizationFactory.create_batch(count, region=place)
    activity = Activity.objects.create(organization=orgs[0], held_on=date(2025, 6, 1), title="邻里节",
                                       participants=30, beneficiaries=80, recorded_by=cast.street_a)
    report = YearlyReport.objects.create(region=world.county, year=2025)
    return ApiWorld(
        token=issue(cast.reviewer, second_factor=True)[1],
        real_paths={
            "/api/organizations/{id}/": {"id": orgs[0].pk},
            "/api/regions/{code}/": {"code": world.street_a.code},
            "/api/activities/{id}/": {"id": activity.pk},
            "/api/yearly-reports/{id}/": {"id": report.pk},
        },
    )


@pytest.fixture
def wsgi_keeps_connection():
    """Calls go straight to the WSGI app, whose request signals would close the test transaction's connection;
    Django's own test client disconnects the same handler for the same reason."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _known_bugs(request):
    label = request.node.name.partition("[")[2].rstrip("]")
    if label in KNOWN_BUGS:
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[label]))


def test_operations_are_covered():
    """The filter keeps every endpoint the issue names (a renamed route must not silently drop out)."""
    paths = {result.ok().path for result in schema.get_all_operations()}
    for expected in ("/api/regions/", "/api/organizations/", "/api/organizations/{id}/", "/api/cases/",
                     "/api/documents/", "/api/certificates/", "/api/activities/", "/api/trainings/",
                     "/api/grades/", "/api/brands/", "/api/credit-flags/", "/api/zombies/", "/api/jobs/",
                     "/api/dashboard/", "/api/yearly-reports/", "/api/party/coverage/", "/api/grants/rounds/"):
        assert expected in paths


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_schema(case, api_world, wsgi_keeps_connection):
    real = api_world.real_paths.get(case.operation.path)
    if real:
        case.path_parameters = {**(case.path_parameters or {}), **real}
    case.call_and_validate(headers={"Authorization": f"Token {api_world.token}"}, checks=CHECKS)
