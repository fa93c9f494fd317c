"""What the permission matrix needs to know about each scoped model and each URL.

Every URL that takes an object must resolve to a model registered in ``OBJECTS`` (a factory that builds one
such object on street A's side and one on street B's) or be listed in ``UNSCOPED`` with the reason. A view
added without either makes the matrix fail, so no view escapes the access rule unnoticed.
"""

from itertools import count

from django.core.files.base import ContentFile

from filings.models import Case, Certificate, Document
from registry.models import (
    AccountRequest,
    Activity,
    AuditEvent,
    BrandDesignation,
    CreditFlag,
    EvaluationGrade,
    Organization,
    RectificationNotice,
    Region,
    Training,
)


def _community(world, side):
    return world.community_a1 if side == "a" else world.community_b1


_serial = count(1)


def _organization(world, side):
    from tests.factories import OrganizationFactory

    return OrganizationFactory(name=f"矩阵组织{side.upper()}{next(_serial)}", region=_community(world, side))


def _case(world, side):
    from filings.services import create_case
    from registry.models import User
    from tests.factories import org_payload

    creator = User.objects.get(username="street_a" if side == "a" else "street_b")
    return create_case(creator, "filing",
                       org_payload(_community(world, side), name=f"矩阵案件{side.upper()}{next(_serial)}"))


def _document(world, side):
    from tests.factories import PDF_BYTES

    case = _case(world, side)
    document = Document(case=case, kind="application", original_name=f"矩阵文件{side.upper()}{next(_serial)}.pdf",
                        content_type="application/pdf", size=len(PDF_BYTES), sha256="0" * 64,
                        uploaded_by=case.created_by)
    document.file.save("m.pdf", ContentFile(PDF_BYTES), save=True)
    return document


def _certificate(world, side):
    case = _case(world, side)
    return Certificate.objects.create(number=f"MATRIX-{side}-{next(_serial)}", kind="filing_certificate", case=case,
                                      organization=_organization(world, side), issuing_office="街道办事处")


def _user(side):
    from registry.models import User

    return User.objects.get(username="street_a" if side == "a" else "street_b")


def _activity(world, side):
    return Activity.objects.create(organization=_organization(world, side), held_on="2026-10-01",
                                   title=f"矩阵活动{side.upper()}{next(_serial)}", recorded_by=_user(side))


def _training(world, side):
    return Training.objects.create(region=_community(world, side), person_name=f"矩阵学员{side.upper()}{next(_serial)}",
                                   trainee_kind="organization_head", course="能力建设", held_on="2026-10-01",
                                   recorded_by=_user(side))


def _grade(world, side):
    return EvaluationGrade.objects.create(organization=_organization(world, side), grade="4A", awarded_on="2026-01-01",
                                          valid_until="2030-12-31", evaluator=f"矩阵评估{side.upper()}{next(_serial)}",
                                          recorded_by=_user(side))


def _brand(world, side):
    return BrandDesignation.objects.create(organization=_organization(world, side), year=2026, level="county",
                                           project=f"矩阵品牌{side.upper()}{next(_serial)}", recorded_by=_user(side))


def _flag(world, side):
    return CreditFlag.objects.create(organization=_organization(world, side), reason="unreachable",
                                     explanation=f"矩阵异常{side.upper()}{next(_serial)}")


def _notice(world, side):
    return RectificationNotice.objects.create(organization=_organization(world, side), reason="other",
                                              explanation=f"矩阵整改{side.upper()}{next(_serial)}",
                                              deadline="2099-12-31")


def _account_request(world, side):
    return AccountRequest.objects.create(organization=_organization(world, side), number="matrix",
                                         name="矩阵申请人", phone="13800000000",
                                         username=f"matrix_applicant_{side}{next(_serial)}", password_hash="!")


def _audit(world, side):
    return AuditEvent.objects.create(action="update", region_code=_community(world, side).code,
                                     object_repr=f"矩阵审计{side.upper()}{next(_serial)}")


# model -> callable(world, side) returning an object that belongs to street A ("a") or street B ("b")
OBJECTS = {
    Region: _community,
    Organization: _organization,
    Case: _case,
    Document: _document,
    Certificate: _certificate,
    Activity: _activity,
    Training: _training,
    EvaluationGrade: _grade,
    BrandDesignation: _brand,
    CreditFlag: _flag,
    RectificationNotice: _notice,
    AuditEvent: _audit,
    AccountRequest: _account_request,
}

# The text by which a listed object is recognised on a page, in an API response or an export.
MARKERS = {Region: "name", Organization: "name", Case: "title", Document: "original_name", Certificate: "number",
           Activity: "title", Training: "person_name", EvaluationGrade: "evaluator", BrandDesignation: "project",
           CreditFlag: "explanation", RectificationNotice: "explanation", AuditEvent: "object_repr",
           AccountRequest: "username"}


def marker(obj):
    return str(getattr(obj, MARKERS[type(obj)]))


# URL names anyone may open without logging in.
PUBLIC = {
    "login", "logout", "set_language", "healthz", "api:schema", "api:docs", "api:redoc", "api:token",
    "filings:verify", "registry:public_lookup", "api:lookup",
    # An invitation link: the token is the credential (tests/registry/test_organization_accounts.py).
    "registry:invitation_accept", "api:org-invitation-accept",
    # Applying with the organization's number: nothing is granted until staff confirm (test_account_requests.py).
    "registry:account_request", "api:org-account-request",
    # The OpenID provider's round trip (404 unless configured; tests/registry/test_oidc.py).
    "oidc_login", "oidc_callback",
}

# URL parameters that are not objects, with a value to try ("<url name>:<kwarg>" overrides "<kwarg>").
PARAMETERS = {
    "kind": "filing",
    "code": "0000000000000000",
    "registry:import_template:kind": "import_organizations",
    "token": "not-a-real-invitation-token",
}

# URL names outside the matrix, with the reason.
UNSCOPED = {
    # Django's admin checks is_staff and model permissions itself; only system administrators get in.
    "admin:*": "Django admin, system administrators only",
    # A job belongs to the user who started it, not to a region: tests/lifecycle/test_jobs.py covers it.
    "registry:job_*": "owner-only",
    "api:job-*": "owner-only",
    # A notification is its addressee's alone: tests/filings/test_corrections.py covers it (another user: 404).
    "api:notification-*": "owner-only",
    # A token belongs to its user (an administrator sees all): tests/hardening/test_api_tokens.py covers it.
    "api:api-token-*": "owner-only",
}


def _merge_app_entries():
    """Apps add their scoped models in tests/<app>/matrix.py (OBJECTS, MARKERS, PARAMETERS, PUBLIC)."""
    from importlib import import_module

    for app in ("grants", "partybuilding", "reporting"):
        try:
            module = import_module(f"tests.{app}.matrix")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"tests.{app}", f"tests.{app}.matrix"):
                raise
            continue
        OBJECTS.update(getattr(module, "OBJECTS", {}))
        MARKERS.update(getattr(module, "MARKERS", {}))
        PARAMETERS.update(getattr(module, "PARAMETERS", {}))
        PUBLIC.update(getattr(module, "PUBLIC", set()))


_merge_app_entries()


def object_kwargs(view_class, obj, kwarg_names):
    """URL kwargs that address ``obj``; a view may define ``matrix_kwargs(obj)`` for anything unusual."""
    custom = getattr(view_class, "matrix_kwargs", None)
    if custom is not None:
        return custom(obj)
    if len(kwarg_names) != 1:
        raise AssertionError(f"{view_class} takes {kwarg_names}: define matrix_kwargs(obj) on the view")
    return {kwarg_names[0]: obj.pk}


# Who decides (issue 11; the policy sentence is cited beside each rule in the code): (action, tier of the
# organization, role of the cast, allowed?). tests/test_permission_matrix.py::test_who_decides walks each row through
# the API (and the page where there is one) on an organization of street A's community 宝石社区.
WHO_DECIDES = [
    # "Zombie" clearing: T1 the district bureau, T2 the street, T3 the community (沪民社管发〔2024〕1号 第三条).
    ("clear_zombie", "registered", "reviewer", True),
    ("clear_zombie", "registered", "street_a", False),
    ("clear_zombie", "registered", "community_a", False),
    ("clear_zombie", "filed", "street_a", True),
    ("clear_zombie", "filed", "reviewer", False),
    ("clear_zombie", "filed", "community_a", False),
    ("clear_zombie", "community", "community_a", True),
    ("clear_zombie", "community", "street_a", False),
    # Evaluation grades: the district bureau (沪民社管发〔2024〕1号 第六条).
    ("record_grade", "registered", "reviewer", True),
    ("record_grade", "registered", "street_a", False),
    ("record_grade", "registered", "community_a", False),
    # Brand designations: the county bureau (豫民文〔2021〕115号).
    ("name_brand", "filed", "reviewer", True),
    ("name_brand", "filed", "street_a", False),
    ("name_brand", "filed", "community_a", False),
    # Credit flags: registered legal persons only, by the district bureau; T2/T3 get a rectification notice.
    ("list_flag", "registered", "reviewer", True),
    ("list_flag", "registered", "street_a", False),
    ("list_flag", "filed", "reviewer", False),
    ("issue_notice", "filed", "street_a", True),
    ("issue_notice", "filed", "community_a", False),
    ("issue_notice", "community", "community_a", True),
    ("issue_notice", "community", "street_a", False),
    # Cases: T3 records decided in the community, T2 filings by the street, T1 registrations by the district.
    ("decide_case:community_record", "community", "community_a", True),
    ("decide_case:community_record", "community", "street_a", False),
    ("decide_case:filing", "filed", "street_a", True),
    ("decide_case:filing", "filed", "reviewer", False),
    ("decide_case:registration", "registered", "reviewer", True),
    ("decide_case:registration", "registered", "street_a", False),
]
