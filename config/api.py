"""The API: one router for every app's endpoints, the schema and its offline docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from filings.api import CaseViewSet, CertificateViewSet, DocumentViewSet
from registry.api.views import CurrentUserView, OrganizationViewSet, RegionViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("cases", CaseViewSet, basename="case")
router.register("documents", DocumentViewSet, basename="document")
router.register("certificates", CertificateViewSet, basename="certificate")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("auth/token/", obtain_auth_token, name="token"),
    path("me/", CurrentUserView.as_view(), name="current-user"),
    *router.urls,
]
