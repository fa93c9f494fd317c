"""API of the organizations' own side: the staff invite, the invited accept, the organization reads its record."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import accounts
from registry.api.serializers import OrganizationSerializer
from registry.middleware import OrganizationOnly
from registry.models import Organization


def as_drf(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class InvitationSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    as_owner = serializers.BooleanField(default=True)


class InvitationLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    link = serializers.CharField(help_text="Shown once: only a digest of its token is stored.")
    expires_at = serializers.DateTimeField()


def invitation_response(request, organization, data):
    """Shared by the staff's endpoint and the owner's delegate endpoint: validate, call the service, answer."""
    serializer = InvitationSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    try:
        invitation, token = accounts.invite(request.user, organization, **serializer.validated_data)
    except DjangoValidationError as exc:
        raise as_drf(exc) from exc
    link = request.build_absolute_uri(reverse("registry:invitation_accept", args=[token]))
    return Response(InvitationLinkSerializer({"id": invitation.pk, "link": link,
                                              "expires_at": invitation.expires_at}).data, status=201)


class AcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=100)
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True)
    full_name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class AcceptInvitationView(APIView):
    """The invited person creates the organization's account (public: the token is the credential)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=AcceptSerializer, responses={201: OrganizationSerializer})
    def post(self, request):
        serializer = AcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            user = accounts.accept(data["token"], username=data["username"], password=data["password"],
                                   full_name=data["full_name"], phone=data["phone"])
        except DjangoValidationError as exc:
            raise as_drf(exc) from exc
        return Response(OrganizationSerializer(user.membership.organization).data, status=201)


class MyOrganizationView(APIView):
    """The organization the signed-in organization user acts for (its record, personal data masked)."""

    permission_classes = [IsAuthenticated, OrganizationOnly]

    @extend_schema(responses=OrganizationSerializer)
    def get(self, request):
        member = accounts.membership_of(request.user)
        organization = Organization.objects.visible_to(request.user).get(pk=member.organization_id)
        return Response(OrganizationSerializer(organization).data)


class DelegateInvitationView(APIView):
    """The person in charge invites a delegate for its own organization."""

    permission_classes = [IsAuthenticated, OrganizationOnly]

    @extend_schema(request=InvitationSerializer, responses={201: InvitationLinkSerializer})
    def post(self, request):
        member = accounts.membership_of(request.user)
        return invitation_response(request, member.organization, {**request.data, "as_owner": False})
