"""API tokens: obtained with the password and, where the role needs it, the second factor; listed and revoked by
their user (an administrator: anyone's). The same service as the page (registry/tokens.py)."""

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import tokens
from registry.api.fields import VisibleModelSerializer
from registry.models import ApiToken


class ObtainTokenSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, allow_blank=True, default="",
                                     help_text="Not needed when the request is signed in (a session).")
    password = serializers.CharField(required=False, allow_blank=True, default="", style={"input_type": "password"},
                                     trim_whitespace=False)
    otp = serializers.CharField(required=False, allow_blank=True, default="", max_length=10,
                                help_text="The current code of the authenticator app; required for district "
                                          "reviewers and administrators when the second factor is on.")
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once: only a digest is stored. Send `Authorization: Token …`.")
    id = serializers.IntegerField()
    expires_at = serializers.DateTimeField()


class ObtainTokenView(APIView):
    """A new API token. Where the role needs the second factor, the current code (``otp``) must be sent along, or
    the request must come from a session that passed it."""

    permission_classes = [AllowAny]
    authentication_classes = []  # a session counts only through the explicit check below (CSRF checked there)

    @extend_schema(request=ObtainTokenSerializer, responses={201: IssuedTokenSerializer})
    def post(self, request):
        data = ObtainTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        session_user = getattr(request._request, "user", None)
        if values["username"] or values["password"] or session_user is None or not session_user.is_authenticated:
            user = authenticate(request._request, username=values["username"], password=values["password"])
            if user is None:
                raise AuthenticationFailed(_("Unable to log in with provided credentials."))
            verified = bool(values["otp"]) and tokens.verify_code(user, values["otp"])
            if values["otp"] and not verified:
                raise AuthenticationFailed(_("The code is wrong or has expired; enter the current six digits."))
        else:
            from rest_framework.authentication import SessionAuthentication

            SessionAuthentication().enforce_csrf(request)
            user = session_user
            verified = user.is_verified() or (bool(values["otp"]) and tokens.verify_code(user, values["otp"]))
        try:
            token, key = tokens.issue(user, second_factor=verified, name=values["name"])
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(IssuedTokenSerializer({"token": key, "id": token.pk, "expires_at": token.expires_at}).data,
                        status=201)


class ApiTokenSerializer(VisibleModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    usable = serializers.BooleanField(source="is_usable", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "user", "name", "prefix", "second_factor", "created_at", "expires_at", "last_used_at",
                  "revoked_at", "usable"]
        read_only_fields = fields


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your API tokens (an administrator: everyone's); ``revoke`` ends one at once."""

    permission_classes = [IsAuthenticated]
    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()
    filterset_fields = ["user"]

    def get_queryset(self):
        return tokens.manageable_by(self.request.user)

    @extend_schema(request=None, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = self.get_object()
        try:
            token = tokens.revoke(request.user, token)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(ApiTokenSerializer(token).data)
