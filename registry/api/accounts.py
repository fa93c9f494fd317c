"""API of the organizations' own side: the staff invite, the invited accept, the organization reads its record."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import accounts
from registry.api.base import ScopedReadOnlyViewSet
from registry.api.serializers import OrganizationSerializer
from registry.limits import over_limit
from registry.middleware import OrganizationOnly
from registry.models import AccountRequest, Organization


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


class AccountRequestSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=40, help_text="统一社会信用代码, 备案号 or 台账编号 of the organization.")
    full_name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20)
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True)


class AccountRequestReceivedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization = serializers.CharField()
    status = serializers.CharField()


class AccountRequestCreateView(APIView):
    """Public: apply for an organization's account with its number (rate-limited per address); the staff who hold
    its record confirm through ``/api/account-requests/{id}/confirm/``."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=AccountRequestSerializer, responses={201: AccountRequestReceivedSerializer})
    def post(self, request):
        if over_limit(request, "account-request", accounts.REQUESTS_PER_MINUTE):
            raise Throttled(detail=_("Too many requests from this address. Please wait a minute and try again."))
        serializer = AccountRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            made = accounts.request_account(number=data["number"], name=data["full_name"], phone=data["phone"],
                                            username=data["username"], password=data["password"])
        except DjangoValidationError as exc:
            raise as_drf(exc) from exc
        return Response(AccountRequestReceivedSerializer(
            {"id": made.pk, "organization": made.organization.name, "status": made.status}).data, status=201)


class PendingAccountRequestSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    matches_record = serializers.BooleanField(read_only=True)

    class Meta:
        model = AccountRequest
        fields = ["id", "organization", "organization_name", "name", "phone", "username", "status", "requested_at",
                  "decided_at", "reason", "matches_record"]
        read_only_fields = fields


class RefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class AccountRequestViewSet(ScopedReadOnlyViewSet):
    """Account requests of the organizations whose records the staff hold; confirm or refuse (same services as the
    page)."""

    queryset = AccountRequest.objects.select_related("organization").order_by("-requested_at")
    serializer_class = PendingAccountRequestSerializer
    roles = accounts.INVITING_ROLES

    def _decide(self, call):
        try:
            return call()
        except DjangoValidationError as exc:
            raise as_drf(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc

    @extend_schema(request=None, responses=PendingAccountRequestSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        item = self.get_object()
        self._decide(lambda: accounts.confirm_request(request.user, item))
        item.refresh_from_db()
        return Response(self.get_serializer(item).data)

    @extend_schema(request=RefuseSerializer, responses=PendingAccountRequestSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        item = self.get_object()
        serializer = RefuseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._decide(lambda: accounts.refuse_request(request.user, item, reason=serializer.validated_data["reason"]))
        item.refresh_from_db()
        return Response(self.get_serializer(item).data)
