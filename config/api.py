"""The API: one router for every app's endpoints, the schema and its offline docs.

An app adds its endpoints by defining ``register_routes(router)`` in its ``api`` module (or package).
"""

from importlib import import_module

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from filings.api import CaseViewSet, CertificateViewSet, DocumentViewSet, OrganizationCaseViewSet
from registry.api.accounts import (
    AcceptInvitationView,
    AccountRequestCreateView,
    AccountRequestViewSet,
    DelegateInvitationView,
    MyOrganizationView,
)
from registry.api.lifecycle import (
    ActivityViewSet,
    AuditViewSet,
    BrandViewSet,
    FlagViewSet,
    GradeViewSet,
    JobViewSet,
    NoticeViewSet,
    PublicLookupView,
    TrainingViewSet,
    ZombieViewSet,
)
from registry.api.notifications import NotificationViewSet
from registry.api.tokens import ApiTokenViewSet, ObtainTokenView
from registry.api.views import CurrentUserView, OrganizationViewSet, RegionViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("cases", CaseViewSet, basename="case")
router.register("org/cases", OrganizationCaseViewSet, basename="org-case")
router.register("documents", DocumentViewSet, basename="document")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("activities", ActivityViewSet, basename="activity")
router.register("trainings", TrainingViewSet, basename="training")
router.register("grades", GradeViewSet, basename="grade")
router.register("brands", BrandViewSet, basename="brand")
router.register("credit-flags", FlagViewSet, basename="credit-flag")
router.register("rectification-notices", NoticeViewSet, basename="rectification-notice")
router.register("zombies", ZombieViewSet, basename="zombie")
router.register("jobs", JobViewSet, basename="job")
router.register("audit", AuditViewSet, basename="audit")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("auth/tokens", ApiTokenViewSet, basename="api-token")
router.register("account-requests", AccountRequestViewSet, basename="account-request")

extra_urls = []
for app in ("grants", "partybuilding", "reporting"):
    try:
        module = import_module(f"{app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app}.api":
            raise
        continue
    module.register_routes(router)
    for route, view, name in getattr(module, "urlpatterns_extra", ()):
        extra_urls.append(path(route, view.as_view(), name=name))

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the docs work under the strict script policy.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("me/", CurrentUserView.as_view(), name="current-user"),
    path("lookup/", PublicLookupView.as_view(), name="lookup"),
    path("org/", MyOrganizationView.as_view(), name="my-organization"),
    path("org/delegates/", DelegateInvitationView.as_view(), name="org-delegate-invite"),
    path("org/invitations/accept/", AcceptInvitationView.as_view(), name="org-invitation-accept"),
    path("org/account-requests/", AccountRequestCreateView.as_view(), name="org-account-request"),
    *extra_urls,
    *router.urls,
]
