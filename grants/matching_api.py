"""API of the supply–demand board: the staff's endpoints (/api/board/...) and the organizations' (/api/org/board/...).

Each write calls the same service as its page (grants/matching.py).
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from grants import matching
from grants.matching_filters import PostingFilterSet
from grants.matching_models import Interest, InterestState, Pairing, Posting, PostingKind, PostingState
from registry.api.base import ScopedViewSetMixin
from registry.choices import RegionLevel, Vocabulary
from registry.middleware import OrganizationOnly
from registry.models import Activity, Region, Term


def _as_drf(exc):
    if isinstance(exc, DjangoPermissionDenied):
        return PermissionDenied(str(exc) or None)
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


def _call(service, *args, **kwargs):
    try:
        return service(*args, **kwargs)
    except (DjangoPermissionDenied, DjangoValidationError) as exc:
        raise _as_drf(exc) from exc


# Named components: other apps have fields called "kind" and "state".
@extend_schema_field({"type": "string", "enum": PostingKind.values}, component_name="PostingKind")
class PostingKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=PostingKind.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": PostingState.values}, component_name="PostingState")
class PostingStateField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=PostingState.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": InterestState.values}, component_name="InterestState")
class InterestStateField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=InterestState.choices, **kwargs)


@extend_schema_field({"type": "string"})
class PublishableRegionField(serializers.SlugRelatedField):
    """A street or community by code, among those the caller holds (others read as "does not exist")."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Region.objects.none()
        return Region.objects.visible_to(request.user).filter(level__in=(RegionLevel.STREET, RegionLevel.COMMUNITY))


class TermSlugField(serializers.SlugRelatedField):
    def __init__(self, vocabulary, **kwargs):
        super().__init__(slug_field="code", queryset=Term.objects.of(vocabulary), **kwargs)


class PostingSerializer(serializers.ModelSerializer):
    kind = PostingKindField(default=PostingKind.NEED)
    state = PostingStateField(read_only=True)
    category = TermSlugField(Vocabulary.CATEGORY)
    target_groups = TermSlugField(Vocabulary.TARGET_GROUP, many=True, required=False)
    region = PublishableRegionField()
    region_name = serializers.CharField(source="region.name", read_only=True)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True,
                                      min_value=Decimal("0.01"))
    interest_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Posting
        fields = ["id", "kind", "title", "description", "category", "target_groups", "region", "region_name", "place",
                  "starts_on", "ends_on", "budget", "state", "published_at", "interest_count"]
        read_only_fields = ["published_at"]


class OrgPostingSerializer(serializers.ModelSerializer):
    """A posting as an organization sees it: no publisher's name, no other organization's interest."""

    kind = PostingKindField(read_only=True)
    state = PostingStateField(read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    target_groups = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    nearness = serializers.IntegerField(read_only=True, default=None, allow_null=True,
                                        help_text="0 own community, 1 own street, 2 own district, 3 further.")

    class Meta:
        model = Posting
        fields = ["id", "kind", "title", "description", "category", "target_groups", "region", "region_name", "place",
                  "starts_on", "ends_on", "budget", "state", "published_at", "nearness"]
        read_only_fields = fields


class InterestSerializer(serializers.ModelSerializer):
    state = InterestStateField(read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Interest
        fields = ["id", "posting", "organization", "organization_name", "message", "state", "expressed_at"]
        read_only_fields = fields


class OrgInterestSerializer(serializers.ModelSerializer):
    state = InterestStateField(read_only=True)
    posting_title = serializers.CharField(source="posting.title", read_only=True)

    class Meta:
        model = Interest
        fields = ["id", "posting", "posting_title", "message", "state", "expressed_at"]
        read_only_fields = fields


class InterestInputSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=500)


class ActivityBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Activity
        fields = ["id", "held_on", "title", "place", "participants", "beneficiaries"]
        read_only_fields = ["id"]


class ActivityInputSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    title = serializers.CharField(max_length=200)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    participants = serializers.IntegerField(min_value=0, max_value=100000, default=0)
    beneficiaries = serializers.IntegerField(min_value=0, max_value=100000, default=0)


class PairingSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    posting_title = serializers.CharField(source="posting.title", read_only=True)
    activities = ActivityBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Pairing
        fields = ["id", "posting", "posting_title", "interest", "organization", "organization_name", "picked_at",
                  "activities", "satisfaction", "evaluation", "evaluated_at"]
        read_only_fields = fields


class EvaluationSerializer(serializers.Serializer):
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


# ------------------------------------------------------------------------------------------------ staff

class PostingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """Needs and service projects of the caller's jurisdiction; streets and communities publish them."""

    queryset = Posting.objects.select_related("category", "region").prefetch_related("target_groups") \
        .annotate(interest_count=Count("interests")).order_by("-published_at", "-pk")
    serializer_class = PostingSerializer
    filterset_class = PostingFilterSet
    ordering_fields = ["published_at", "starts_on"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        posting = _call(matching.publish, request.user, **data)
        return Response(PostingSerializer(posting, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=WithdrawSerializer, responses=PostingSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        posting = self.get_object()
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        posting = _call(matching.withdraw, request.user, posting, data.validated_data["reason"])
        return Response(PostingSerializer(posting, context=self.get_serializer_context()).data)


class InterestViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Organizations interested in the caller's postings; the publisher picks one."""

    queryset = Interest.objects.select_related("organization")
    serializer_class = InterestSerializer
    filterset_fields = ["posting", "state"]

    @extend_schema(request=None, responses=PairingSerializer)
    @action(detail=True, methods=["post"])
    def pick(self, request, pk=None):
        pairing = _call(matching.pick, request.user, self.get_object())
        return Response(PairingSerializer(pairing).data, status=201)


class PairingViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Pairings of the caller's postings: their activities and the residents' evaluation."""

    queryset = Pairing.objects.select_related("organization", "posting").prefetch_related("activities")
    serializer_class = PairingSerializer
    filterset_fields = ["posting", "organization"]

    @extend_schema(request=ActivityInputSerializer, responses={201: ActivityBriefSerializer})
    @action(detail=True, methods=["post"])
    def activities(self, request, pk=None):
        return _record_activity(request, self.get_object())

    @extend_schema(request=EvaluationSerializer, responses=PairingSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        pairing = self.get_object()
        data = EvaluationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pairing = _call(matching.evaluate, request.user, pairing, **data.validated_data)
        return Response(PairingSerializer(pairing).data)


def _record_activity(request, pairing):
    data = ActivityInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    activity = _call(matching.record_activity, request.user, pairing, **data.validated_data)
    return Response(ActivityBriefSerializer(activity).data, status=201)


# ------------------------------------------------------------------------------------------------ organizations

class OrgSide:
    permission_classes = [IsAuthenticated, OrganizationOnly]


class OrgPostingViewSet(OrgSide, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Open needs and projects, nearest first; an organization expresses interest in one."""

    queryset = Posting.objects.select_related("category", "region").prefetch_related("target_groups")
    serializer_class = OrgPostingSerializer
    filterset_fields = ["kind"]
    ordering_fields = []

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            organization = matching.interested_organization(self.request.user)
            queryset = queryset.filter(state=PostingState.OPEN).nearest_first(organization.region)
        return queryset

    @extend_schema(request=InterestInputSerializer, responses={201: OrgInterestSerializer})
    @action(detail=True, methods=["post"])
    def interest(self, request, pk=None):
        posting = self.get_object()
        data = InterestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interest = _call(matching.express_interest, request.user, posting, data.validated_data["message"])
        return Response(OrgInterestSerializer(interest).data, status=201)


class OrgInterestViewSet(OrgSide, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The organization's own interests (never another organization's)."""

    queryset = Interest.objects.select_related("posting")
    serializer_class = OrgInterestSerializer


class OrgPairingViewSet(OrgSide, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The organization's pairings; it records the activities it holds under them."""

    queryset = Pairing.objects.select_related("organization", "posting").prefetch_related("activities")
    serializer_class = PairingSerializer

    @extend_schema(request=ActivityInputSerializer, responses={201: ActivityBriefSerializer})
    @action(detail=True, methods=["post"])
    def activities(self, request, pk=None):
        return _record_activity(request, self.get_object())


def register_routes(router):
    router.register("board/postings", PostingViewSet, basename="board-posting")
    router.register("board/interests", InterestViewSet, basename="board-interest")
    router.register("board/pairings", PairingViewSet, basename="board-pairing")
    router.register("org/board/postings", OrgPostingViewSet, basename="org-board-posting")
    router.register("org/board/interests", OrgInterestViewSet, basename="org-board-interest")
    router.register("org/board/pairings", OrgPairingViewSet, basename="org-board-pairing")
