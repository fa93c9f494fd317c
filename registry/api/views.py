from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from registry.api.accounts import InvitationLinkSerializer, InvitationSerializer, invitation_response
from registry.api.base import ScopedReadOnlyViewSet
from registry.api.serializers import (
    CurrentUserSerializer,
    FullIdSerializer,
    OrganizationSerializer,
    RegionSerializer,
)
from registry.audit import client_ip
from registry.filters import OrganizationFilterSet, RegionFilterSet
from registry.models import Organization, PersonalDataView, Region
from registry.personal import may_view_full_id


class RegionViewSet(ScopedReadOnlyViewSet):
    """Regions in the caller's jurisdiction (province → community)."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    ordering_fields = ["code", "name", "level"]


class CurrentUserView(APIView):
    @extend_schema(responses=CurrentUserSerializer)
    def get(self, request):
        return Response(CurrentUserSerializer(request.user).data)


class OrganizationViewSet(ScopedReadOnlyViewSet):
    """Organizations in the caller's jurisdiction. They are created and changed through cases (/api/cases/)."""

    queryset = Organization.objects.select_related("category", "hub_kind").prefetch_related("target_groups")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    ordering_fields = ["name", "region", "tier", "status", "created_at"]

    @extend_schema(request=InvitationSerializer, responses={201: InvitationLinkSerializer})
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        """Invite the organization's person in charge (or a delegate) to act for it online; the link is shown
        once. For the street or community staff who hold its record."""
        return invitation_response(request, self.get_object(), request.data)

    @extend_schema(request=None, responses=FullIdSerializer)
    @action(detail=True, methods=["post"], url_path="id-number")
    def id_number(self, request, pk=None):
        """The full ID number of the person in charge, for roles that need it; every call is logged."""
        organization = self.get_object()
        if not may_view_full_id(request.user):
            raise PermissionDenied(_("Your role does not need the full ID number."))
        PersonalDataView.objects.create(user=request.user, organization=organization, field="leader_id_number",
                                        ip_address=client_ip(request))
        return Response({"leader_id_number": organization.leader_id_number})
