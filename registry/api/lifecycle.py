"""API for what follows approval: activities, trainings, grades, brands, credit flags, zombies, jobs, lookup."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from registry import lifecycle, params
from registry.api.base import ScopedViewSetMixin
from registry.api.errors import as_drf
from registry.api.fields import VisibleModelSerializer
from registry.choices import JobKind, OrgStatus, Role
from registry.jobs import start
from registry.lifecycle import clear_dormant, raise_flag, reactivate, repair_flag
from registry.limits import fallback_cache
from registry.models import (
    Activity,
    AuditEvent,
    BrandDesignation,
    CreditFlag,
    EvaluationGrade,
    Job,
    Organization,
    RectificationNotice,
    Training,
)
from registry.resources import validate_import_file


class RecordViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    """Records are added, never edited or deleted through the API; the access rule applies to reads and writes.
    A create calls the same service as the page (``service``), with the serializer's plain data."""

    service = None

    def perform_create(self, serializer):
        # The serializer's related fields offer only visible objects (VisibleRelatedField); the service checks
        # role and scope again, for the page and the API alike.
        data = dict(serializer.validated_data)
        user = self.request.user
        if not lifecycle.has_role(user, self.roles):
            raise PermissionDenied(_("Your role may not record this."))
        try:
            serializer.instance = type(self).service(user, data)
        except (DjangoPermissionDenied, DjangoValidationError) as exc:
            raise as_drf(exc) from None


class ActivitySerializer(VisibleModelSerializer):
    class Meta:
        model = Activity
        fields = ["id", "organization", "held_on", "title", "place", "participants", "beneficiaries", "campaign",
                  "recorded_by", "recorded_at"]
        read_only_fields = ["recorded_by", "recorded_at"]


class ActivityViewSet(RecordViewSet):
    queryset = Activity.objects.all()
    serializer_class = ActivitySerializer
    filterset_fields = ["organization", "campaign"]
    service = staticmethod(lifecycle.record_activity)
    roles = lifecycle.RECORDERS


class TrainingSerializer(VisibleModelSerializer):
    class Meta:
        model = Training
        fields = ["id", "region", "organization", "person_name", "trainee_kind", "course", "held_on", "hours",
                  "recorded_by"]
        read_only_fields = ["recorded_by"]
        extra_kwargs = {"region": {"required": False, "help_text": "Defaults to the organization's region."}}


class TrainingViewSet(RecordViewSet):
    queryset = Training.objects.all()
    serializer_class = TrainingSerializer
    filterset_fields = ["organization", "trainee_kind"]
    service = staticmethod(lifecycle.record_training)
    roles = lifecycle.RECORDERS


class GradeSerializer(VisibleModelSerializer):
    class Meta:
        model = EvaluationGrade
        fields = ["id", "organization", "grade", "awarded_on", "valid_until", "evaluator", "recorded_by"]
        read_only_fields = ["valid_until", "recorded_by"]


class GradeViewSet(RecordViewSet):
    """Evaluation grades, recorded by the district bureau (沪民社管发〔2024〕1号 第六条)."""

    queryset = EvaluationGrade.objects.all()
    serializer_class = GradeSerializer
    filterset_fields = ["organization", "grade"]
    service = staticmethod(lifecycle.record_grade)
    roles = lifecycle.GRADE_RECORDERS


class BrandSerializer(VisibleModelSerializer):
    class Meta:
        model = BrandDesignation
        fields = ["id", "organization", "project", "year", "level", "title", "recorded_by"]
        read_only_fields = ["recorded_by"]


class BrandViewSet(RecordViewSet):
    """Brand organizations and projects, named by the county bureau (豫民文〔2021〕115号)."""

    queryset = BrandDesignation.objects.all()
    serializer_class = BrandSerializer
    filterset_fields = ["organization", "year", "level"]
    service = staticmethod(lifecycle.name_brand)
    roles = lifecycle.BRAND_RECORDERS


class FlagSerializer(VisibleModelSerializer):
    class Meta:
        model = CreditFlag
        fields = ["id", "organization", "listed_on", "reason", "explanation", "raised_on", "raised_by",
                  "escalated_on", "repaired_on", "repaired_by", "repair_reason"]
        read_only_fields = ["listed_on", "raised_on", "raised_by", "escalated_on", "repaired_on", "repaired_by",
                            "repair_reason"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class FlagViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                  viewsets.GenericViewSet):
    """The abnormal-activity and serious lists. POST lists an organization; `repair` takes it off with a reason."""

    queryset = CreditFlag.objects.all()
    serializer_class = FlagSerializer
    filterset_fields = ["organization", "listed_on", "reason"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            flag = raise_flag(data["organization"], data["reason"], data["explanation"], user=self.request.user)
        except (DjangoPermissionDenied, DjangoValidationError) as exc:
            raise as_drf(exc) from None
        if flag is None:
            raise ValidationError(_("Already listed for this reason."))
        serializer.instance = flag

    @extend_schema(request=ReasonSerializer, responses=FlagSerializer)
    @action(detail=True, methods=["post"])
    def repair(self, request, pk=None):
        flag = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            repair_flag(flag, request.user, data.validated_data["reason"])
        except (DjangoPermissionDenied, DjangoValidationError) as exc:
            raise as_drf(exc) from None
        flag.refresh_from_db()
        return Response(FlagSerializer(flag).data)


class NoticeSerializer(VisibleModelSerializer):
    class Meta:
        model = RectificationNotice
        fields = ["id", "organization", "reason", "explanation", "issued_on", "issued_by", "deadline", "result",
                  "result_on", "result_by", "result_note"]
        read_only_fields = ["issued_on", "issued_by", "result", "result_on", "result_by", "result_note"]


class NoticeResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=["rectified", "not_rectified"])
    note = serializers.CharField()


class NoticeViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    """Rectification notices (整改通知) to filed and community groups: POST issues one; `result` records the outcome."""

    queryset = RectificationNotice.objects.all()
    serializer_class = NoticeSerializer
    filterset_fields = ["organization", "result", "reason"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            notice = lifecycle.issue_notice(data["organization"], data["reason"], data["explanation"],
                                            user=self.request.user, deadline=data["deadline"])
        except (DjangoPermissionDenied, DjangoValidationError) as exc:
            raise as_drf(exc) from None
        if notice is None:
            raise ValidationError(_("A notice for this reason is pending already."))
        serializer.instance = notice

    @extend_schema(request=NoticeResultSerializer, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        notice = self.get_object()
        data = NoticeResultSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            lifecycle.record_notice_result(request.user, notice, data.validated_data["result"],
                                           data.validated_data["note"])
        except (DjangoPermissionDenied, DjangoValidationError) as exc:
            raise as_drf(exc) from None
        return Response(NoticeSerializer(notice).data)


class ZombieSerializer(VisibleModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "tier", "region", "status", "last_activity_on", "created_at"]


class ZombieDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["clear", "reactivate"])
    reason = serializers.CharField()


class ZombieViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Organizations marked DORMANT by the daily job; street staff clear (simplified deregistration) or reactivate."""

    queryset = Organization.objects.filter(status=OrgStatus.DORMANT)
    serializer_class = ZombieSerializer

    @extend_schema(request=ZombieDecisionSerializer, responses=ZombieSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        organization = self.get_object()
        data = ZombieDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decide = clear_dormant if data.validated_data["decision"] == "clear" else reactivate
        try:
            decide(request.user, organization, data.validated_data["reason"])
        except (DjangoPermissionDenied, DjangoValidationError) as exc:
            raise as_drf(exc) from None
        return Response(ZombieSerializer(organization).data)


class JobSerializer(VisibleModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    saving = serializers.BooleanField(read_only=True, help_text="Every row checked; the rows are being written.")

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "created_at", "started_at", "finished_at", "total", "processed", "percent",
                  "saving", "input_name", "output_name", "result", "error"]
        read_only_fields = fields


class JobUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[k for k in JobKind.values if k != JobKind.EXPORT])
    file = serializers.FileField(validators=[validate_import_file])


class JobViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                 viewsets.GenericViewSet):
    """The caller's own tracked jobs. POST an XLSX/CSV to start an import; poll the job; download an export."""

    queryset = Job.objects.all()
    serializer_class = JobSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return Job.objects.visible_to(self.request.user)

    @extend_schema(request=JobUploadSerializer, responses={201: JobSerializer})
    def create(self, request):
        user = request.user
        if not (user.is_superuser or user.role in (Role.STREET_STAFF, Role.DISTRICT_REVIEWER, Role.ADMIN)):
            raise PermissionDenied(_("Your role may not import."))
        data = JobUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        with transaction.atomic():
            job = Job(kind=data.validated_data["kind"], created_by=user, input_name=upload.name[:200])
            job.input_file.save(upload.name, upload, save=False)
            job.save()
            start(job)
        return Response(JobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if job.status != "succeeded" or not job.output_file:
            raise Http404
        return FileResponse(job.output_file.open("rb"), as_attachment=True, filename=job.output_name)


class AuditSerializer(VisibleModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor", "actor_name", "ip_address", "action", "object_type", "object_id",
                  "object_repr", "region_code", "changes", "detail"]
        read_only_fields = fields

    def to_representation(self, instance):
        from registry.personal import mask_ids_in

        data = super().to_representation(instance)
        # Events written before ID numbers were masked at the source are masked on the way out.
        for name in ("changes", "detail", "object_repr"):
            data[name] = mask_ids_in(data[name])
        return data


class AuditViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The audit trail (append-only): system administrators see all, district reviewers their jurisdiction's."""

    roles = (Role.ADMIN, Role.DISTRICT_REVIEWER)
    queryset = AuditEvent.objects.all()
    serializer_class = AuditSerializer
    filterset_fields = ["action", "actor", "object_type", "object_id"]


class LookupThrottle(AnonRateThrottle):
    rate = "30/min"
    cache = fallback_cache  # counts in memory while Redis is down, so the lookup keeps serving


class LookupSerializer(VisibleModelSerializer):
    category = serializers.StringRelatedField()
    community = serializers.CharField(source="region.name")
    number = serializers.CharField()
    certificate_valid = serializers.BooleanField(
        help_text="True only for an open organization holding an issued certificate that was not revoked.")

    class Meta:
        model = Organization
        fields = ["name", "tier", "category", "community", "status", "number", "certificate_valid"]


class PublicLookupView(APIView):
    """Public (no login), rate-limited: organizations by name or certificate number; no personal data."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LookupThrottle]

    @extend_schema(parameters=[OpenApiParameter("q", str, required=True)], responses=LookupSerializer(many=True))
    def get(self, request):
        query = params.text(request.query_params, "q", max_length=100)
        if len(query) < 2:
            return Response([])
        from registry.views.lookup import with_certificate_validity

        results = (with_certificate_validity(Organization.objects.select_related("region", "category"))
                   .filter(Q(name__icontains=query) | Q(uscc=query.upper()) | Q(filing_number=query)
                           | Q(ledger_number=query)).order_by("name")[:20])
        return Response(LookupSerializer(results, many=True).data)
