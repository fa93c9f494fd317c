"""Party building over the API: the same services, figures and access rule as the pages."""

from datetime import date

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from partybuilding import services
from partybuilding.choices import AssignmentKind, MeetingKind, PartyForm
from partybuilding.coverage import (
    annotate_party,
    coverage,
    coverage_by_child,
    in_region,
    overview_region,
    should_establish,
)
from partybuilding.filters import AssignmentFilterSet, MeetingFilterSet, PartyOrganizationFilterSet
from partybuilding.models import InstructorAssignment, MeetingRecord
from registry.api.base import ScopedViewSetMixin
from registry.api.fields import VisibleModelSerializer, VisibleRelatedField
from registry.models import Organization


def django_errors(exc):
    """Django's exceptions from a service, as DRF's (same messages, in the user's language)."""
    if isinstance(exc, DjangoPermissionDenied):
        return PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    return exc


# Several apps have a field named "kind"; named components keep the generated enum names from colliding.
@extend_schema_field({"type": "string", "enum": AssignmentKind.values}, component_name="AssignmentKind")
class AssignmentKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=AssignmentKind.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": MeetingKind.values}, component_name="MeetingKind")
class MeetingKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=MeetingKind.choices, **kwargs)


# ------------------------------------------------------------------------------------------------ status


class PartyStatusSerializer(VisibleModelSerializer):
    """An organization's Party-building status; organizations without a record read as "none"."""

    organization = serializers.IntegerField(source="pk", read_only=True)
    form = serializers.ChoiceField(source="party_form", choices=PartyForm.choices, read_only=True)
    full_members = serializers.IntegerField(source="party_full_members", read_only=True)
    probationary_members = serializers.IntegerField(source="party_probationary_members", read_only=True)
    has_instructor = serializers.BooleanField(read_only=True, help_text="An instructor or liaison is in force today.")
    joint_with = serializers.SerializerMethodField()
    established_on = serializers.SerializerMethodField()
    superior_organization = serializers.SerializerMethodField()
    two_way_entry = serializers.SerializerMethodField()
    cross_appointment = serializers.SerializerMethodField()
    last_contact_on = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["organization", "name", "region", "tier", "leader_is_party_member", "form", "full_members",
                  "probationary_members", "has_instructor", "joint_with", "established_on", "superior_organization",
                  "two_way_entry", "cross_appointment", "last_contact_on"]
        read_only_fields = fields

    def _party(self, organization):
        return getattr(organization, "party_building", None)

    def get_joint_with(self, organization) -> list[int]:
        party = self._party(organization)
        return sorted(p.pk for p in party.joint_with.all()) if party else []

    def get_established_on(self, organization) -> date | None:
        party = self._party(organization)
        return party.established_on if party else None

    def get_superior_organization(self, organization) -> str:
        party = self._party(organization)
        return party.superior_organization if party else ""

    def get_two_way_entry(self, organization) -> bool:
        party = self._party(organization)
        return party.two_way_entry if party else False

    def get_cross_appointment(self, organization) -> bool:
        party = self._party(organization)
        return party.cross_appointment if party else False

    def get_last_contact_on(self, organization) -> date | None:
        party = self._party(organization)
        return party.last_contact_on if party else None


class PartyStatusWriteSerializer(serializers.Serializer):
    full_members = serializers.IntegerField(min_value=0, required=False)
    probationary_members = serializers.IntegerField(min_value=0, required=False)
    form = serializers.ChoiceField(choices=PartyForm.choices, required=False)
    joint_with = VisibleRelatedField(queryset=Organization.objects.all(), many=True, required=False)
    established_on = serializers.DateField(required=False, allow_null=True)
    superior_organization = serializers.CharField(required=False, allow_blank=True, max_length=200)
    two_way_entry = serializers.BooleanField(required=False)
    cross_appointment = serializers.BooleanField(required=False)
    last_contact_on = serializers.DateField(required=False, allow_null=True)


class BulkAssignSerializer(serializers.Serializer):
    organizations = serializers.ListField(child=serializers.IntegerField(), allow_empty=False,
                                         help_text="Organization ids; one outside your jurisdiction changes nothing.")
    kind = AssignmentKindField()
    person_name = serializers.CharField(max_length=50)
    unit = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class AssignmentSerializer(VisibleModelSerializer):
    organization = VisibleRelatedField(queryset=Organization.objects.all())
    kind = AssignmentKindField(required=False)

    class Meta:
        model = InstructorAssignment
        fields = ["id", "organization", "kind", "person_name", "unit", "starts_on", "ends_on", "assigned_by",
                  "assigned_at"]
        read_only_fields = ["id", "assigned_by", "assigned_at"]


class PartyOrganizationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               viewsets.GenericViewSet):
    """Open organizations in the caller's jurisdiction with their Party-building status.

    Filter by ``prefix`` (region code digits) and ``gap`` (no_org, no_work_coverage, should_establish,
    needs_instructor) to get the organizations behind a coverage figure.
    """

    queryset = Organization.objects.open().select_related("party_building").prefetch_related(
        "party_building__joint_with")
    serializer_class = PartyStatusSerializer
    filterset_class = PartyOrganizationFilterSet
    ordering_fields = ["name", "region"]

    def get_queryset(self):
        return annotate_party(super().get_queryset()).order_by("region_id", "name")

    @extend_schema(request=PartyStatusWriteSerializer, responses=PartyStatusSerializer)
    def partial_update(self, request, pk=None):
        """Change the organization's Party-building status (fields left out keep their value)."""
        organization = self.get_object()
        data = PartyStatusWriteSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        joint_with = values.pop("joint_with", None)
        try:
            services.save_party_building(organization, request.user, values, joint_with=joint_with)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise django_errors(exc) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=organization.pk)).data)

    @extend_schema(responses=PartyStatusSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="should-establish")
    def should_establish(self, request):
        """Organizations that should establish a Party organization (≥3 full members, none established)."""
        rows = self.filter_queryset(should_establish(self.get_queryset()))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=BulkAssignSerializer, responses={201: AssignmentSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="bulk-assign")
    def bulk_assign(self, request):
        """Assign one instructor or liaison to several organizations, all or none (403 naming the ids outside
        the caller's jurisdiction)."""
        data = BulkAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            assignments = services.assign_instructor(values.pop("organizations"), request.user, **values)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise django_errors(exc) from None
        return Response(AssignmentSerializer(assignments, many=True).data, status=status.HTTP_201_CREATED)


# ------------------------------------------------------------------------------------------------ assignments, meetings


class AssignmentEndSerializer(serializers.Serializer):
    ends_on = serializers.DateField()


class AssignmentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Instructors and liaisons. Never deleted: an assignment ends with its ``ends_on`` date."""

    queryset = InstructorAssignment.objects.select_related("organization")
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet
    ordering_fields = ["starts_on", "ends_on"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = services.add_assignment(data.pop("organization"), self.request.user, **data)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise django_errors(exc) from None

    @extend_schema(request=AssignmentEndSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """Record the last day of the assignment."""
        assignment = self.get_object()
        data = AssignmentEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            assignment = services.end_assignment(assignment, request.user, data.validated_data["ends_on"])
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise django_errors(exc) from None
        return Response(AssignmentSerializer(assignment, context={"request": request}).data)


class MeetingSerializer(VisibleModelSerializer):
    organization = VisibleRelatedField(queryset=Organization.objects.all())
    kind = MeetingKindField()

    class Meta:
        model = MeetingRecord
        fields = ["id", "organization", "held_on", "kind", "attendees", "note", "recorded_by", "recorded_at"]
        read_only_fields = ["id", "recorded_by", "recorded_at"]


class MeetingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.CreateModelMixin, viewsets.GenericViewSet):
    """"Three meetings and one lesson" records."""

    queryset = MeetingRecord.objects.all()
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet
    ordering_fields = ["held_on"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = services.add_meeting(data.pop("organization"), self.request.user, **data)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise django_errors(exc) from None


# ------------------------------------------------------------------------------------------------ coverage


class CoverageCountsSerializer(serializers.Serializer):
    organizations = serializers.IntegerField()
    with_party_organization = serializers.IntegerField()
    own = serializers.IntegerField()
    joint = serializers.IntegerField()
    work_covered = serializers.IntegerField()
    no_party_organization = serializers.IntegerField()
    not_work_covered = serializers.IntegerField()
    with_instructor = serializers.IntegerField()
    should_establish = serializers.IntegerField()
    needs_instructor = serializers.IntegerField()
    full_members = serializers.IntegerField()
    probationary_members = serializers.IntegerField()
    organizational_coverage = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True,
                                                       help_text="Percentage, one decimal; null without orgs.")
    work_coverage = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)


class CoverageRowSerializer(CoverageCountsSerializer):
    region = serializers.CharField(source="region.code", allow_null=True, default=None,
                                   help_text="The child region's code; null for organizations directly under.")
    name = serializers.CharField(source="region.name", allow_null=True, default=None)
    prefix = serializers.CharField()


class CoverageSerializer(serializers.Serializer):
    region = serializers.CharField(source="region.code")
    name = serializers.CharField(source="region.name")
    level = serializers.IntegerField(source="region.level")
    totals = CoverageCountsSerializer()
    children = CoverageRowSerializer(many=True)


class CoverageView(APIView):
    """Party-building coverage of a region and its child regions side by side (the figures of /party/)."""

    @extend_schema(parameters=[OpenApiParameter("region", str, description="Region code; default: your own.")],
                   responses=CoverageSerializer)
    def get(self, request):
        code = request.query_params.get("region", "").strip()
        region = overview_region(request.user, code)
        if region is None:
            raise PermissionDenied(_("You have no jurisdiction to report on."))
        data = {"region": region, "totals": coverage(in_region(region, request.user)),
                "children": coverage_by_child(region, request.user)}
        return Response(CoverageSerializer(data).data)


def register_routes(router):
    router.register("party/organizations", PartyOrganizationViewSet, basename="party-organization")
    router.register("party/assignments", AssignmentViewSet, basename="party-assignment")
    router.register("party/meetings", MeetingViewSet, basename="party-meeting")


# One object, not a list: a plain view beside the router's routes (config/api.py adds these).
urlpatterns_extra = [("party/coverage/", CoverageView, "party-coverage-list")]
