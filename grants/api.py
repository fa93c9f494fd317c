"""Venture grants over the API: the same services and the same access rule as the pages."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from grants import services
from grants.filters import ApplicationFilterSet, FundFilterSet, PaymentFilterSet, RoundFilterSet, SubsidyFilterSet
from grants.models import (
    AllocationRun,
    Application,
    BudgetLine,
    ExpertLink,
    Fund,
    Payment,
    Round,
    ScoreSheet,
    Subsidy,
    Track,
    Tranche,
)
from grants.pdf import notice_response
from registry.api.base import ScopedViewSetMixin
from registry.choices import Grade, Role
from registry.models import Organization, User


def django_errors(exc):
    if isinstance(exc, DjangoPermissionDenied):
        return PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    return exc


class _Call:
    """Runs a service and turns Django's exceptions into DRF's."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, DjangoPermissionDenied | DjangoValidationError):
            raise django_errors(exc) from None
        return False


# ------------------------------------------------------------------------------------------------ serializers

class TrackSerializer(serializers.ModelSerializer):
    class Meta:
        model = Track
        fields = ["id", "name", "budget"]


def _grade(value):
    if value and value not in Grade.values:
        raise ValidationError(f"one of {', '.join(Grade.values)} or empty")


class RoundSerializer(serializers.ModelSerializer):
    tracks = TrackSerializer(many=True, read_only=True)
    # A plain string: the same choices as Organization.grade, which already names the enum in the schema.
    min_grade = serializers.CharField(required=False, allow_blank=True, validators=[_grade],
                                      help_text="Minimum evaluation grade: 5A, 4A, 3A, 2A, 1A or empty.")
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Round
        fields = ["id", "name", "year", "region", "state", "call_opens_on", "call_closes_on", "review_by",
                  "decision_on", "allowed_tiers", "min_grade", "one_application_per_organization", "min_amount",
                  "max_amount", "org_cap", "cofunding_pct", "pass_score", "ring_fence_pct", "ring_fence_tiers",
                  "ring_fence_registered_in_community", "normalise_scores", "tranche_plan", "allocation_mode",
                  "budget", "tracks"]
        read_only_fields = ["state", "allocation_mode"]


class GrantTransitionSerializer(serializers.Serializer):
    action = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    score = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True,
                                     help_text="The final evaluation score, for the action “evaluate”.")


class DecideSerializer(serializers.Serializer):
    run = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=["rank", "optimal"])


class AllocationRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = AllocationRun
        fields = ["id", "round", "created_by", "created_at", "results"]


class SummarySerializer(serializers.Serializer):
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    community = serializers.DecimalField(max_digits=16, decimal_places=2)
    share = serializers.DecimalField(max_digits=6, decimal_places=2)
    ring_fence_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    ring_fence_met = serializers.BooleanField()
    budget = serializers.DecimalField(max_digits=16, decimal_places=2)
    by_category = serializers.ListField(child=serializers.DictField())
    by_tier = serializers.ListField(child=serializers.DictField())
    by_track = serializers.ListField(child=serializers.DictField())
    by_region = serializers.ListField(child=serializers.DictField())
    states = serializers.ListField(child=serializers.DictField())


class BudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["item", "amount"]


class ApplicationSerializer(serializers.ModelSerializer):
    budget_lines = BudgetLineSerializer(many=True)

    class Meta:
        model = Application
        fields = ["id", "round", "track", "organization", "title", "summary", "target_groups",
                  "expected_beneficiaries", "amount_requested", "own_funds", "timeline",
                  "declares_no_other_public_funding", "budget_lines", "state", "eligibility_note", "score", "rank",
                  "allocation_reason", "awarded_amount", "final_score", "final_grade", "submitted_at", "created_at"]
        read_only_fields = ["state", "eligibility_note", "score", "rank", "allocation_reason", "awarded_amount",
                            "final_score", "final_grade", "submitted_at", "created_at"]


class AssignSerializer(serializers.Serializer):
    expert = serializers.IntegerField(required=False, allow_null=True)
    panel = serializers.IntegerField(required=False, allow_null=True)


class ScoreInputSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2),
                                   help_text="Criterion id → score 0-100.")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    submit = serializers.BooleanField(default=False, help_text="Submitting locks the sheet for good.")


class ScoreSheetSerializer(serializers.ModelSerializer):
    scores = serializers.SerializerMethodField()

    class Meta:
        model = ScoreSheet
        fields = ["id", "application", "expert", "state", "total", "comment", "submitted_at", "scores"]

    def get_scores(self, sheet) -> dict[str, str]:
        return {str(s.criterion_id): str(s.score) for s in sheet.scores.all()}


class TrancheSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tranche
        fields = ["id", "application", "sequence", "percent", "amount", "milestone", "state", "decided_at", "note"]


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "tranche", "amount", "paid_on", "source", "reference", "recorded_at"]
        read_only_fields = ["tranche", "recorded_at"]


class FundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fund
        fields = ["id", "jurisdiction", "year", "source", "amount", "note"]


class SubsidySerializer(serializers.ModelSerializer):
    class Meta:
        model = Subsidy
        fields = ["id", "organization", "kind", "amount", "granted_on", "source", "note", "recorded_at"]
        read_only_fields = ["recorded_at"]


class ExpertLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExpertLink
        fields = ["id", "expert", "organization", "nature", "declared_at"]
        read_only_fields = ["expert", "declared_at"]


class TotalsSerializer(serializers.Serializer):
    totals = serializers.DictField()


# ------------------------------------------------------------------------------------------------ viewsets

class RoundViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Venture-grant rounds of the caller's jurisdiction (and the calls of the regions above it)."""

    queryset = Round.objects.prefetch_related("tracks", "budgets")
    serializer_class = RoundSerializer
    filterset_class = RoundFilterSet

    @extend_schema(request=RoundSerializer, responses={201: RoundSerializer})
    def create(self, request):
        data = RoundSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        region = values.pop("region")
        with _Call():
            round_ = services.create_round(request.user, region, **values)
        return Response(RoundSerializer(round_).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GrantTransitionSerializer, responses=RoundSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Open the call, close it, close the round."""
        round_ = self.get_object()
        data = GrantTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        step = round_.workflow.get(data.validated_data["action"])
        if step is None or step.internal:
            raise ValidationError({"action": "unknown"})
        with _Call():
            round_ = services.transition(round_, step.action, request.user, data.validated_data["comment"])
        return Response(RoundSerializer(round_).data)

    @extend_schema(methods=["GET"], request=None, responses=AllocationRunSerializer)
    @extend_schema(methods=["POST"], request=None, responses={201: AllocationRunSerializer})
    @action(detail=True, methods=["get", "post"])
    def allocation(self, request, pk=None):
        """GET: the latest allocation run (both modes, each application's decision and reason). POST: run it."""
        round_ = self.get_object()
        if request.method == "POST":
            with _Call():
                run = services.run_allocation(round_, request.user)
            return Response(AllocationRunSerializer(run).data, status=status.HTTP_201_CREATED)
        run = round_.allocation_runs.first()
        if run is None:
            return Response({"detail": "not run yet"}, status=status.HTTP_404_NOT_FOUND)
        visible = set(Application.objects.visible_to(request.user).filter(round=round_).values_list("pk", flat=True))
        results = {mode: {**r, "decisions": {k: v for k, v in r["decisions"].items() if int(k) in visible}}
                   for mode, r in run.results.items()}
        return Response({**AllocationRunSerializer(run).data, "results": results})

    @extend_schema(request=DecideSerializer, responses=RoundSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Apply one mode of an allocation run: funded → awarded, others → reserve or declined."""
        round_ = self.get_object()
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = AllocationRun.objects.filter(round=round_, pk=data.validated_data["run"]).first()
        if run is None:
            raise ValidationError({"run": "no such run for this round"})
        with _Call():
            round_ = services.decide(round_, run, data.validated_data["mode"], request.user)
        return Response(RoundSerializer(round_).data)

    @extend_schema(responses=SummarySerializer)
    @action(detail=True, methods=["get"])
    def summary(self, request, pk=None):
        """Money by category, tier, street and track; community share against the ring-fence."""
        round_ = self.get_object()
        applications = Application.objects.visible_to(request.user).filter(round=round_)
        return Response(SummarySerializer(services.round_summary(round_, applications)).data)


class ApplicationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """Applications in the caller's jurisdiction; an expert sees exactly those assigned to them."""

    queryset = Application.objects.select_related("round").prefetch_related("budget_lines", "target_groups")
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilterSet

    @extend_schema(request=ApplicationSerializer, responses={201: ApplicationSerializer})
    def create(self, request):
        data = ApplicationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lines = [(line["item"], line["amount"]) for line in values.pop("budget_lines")]
        organization, round_ = values.pop("organization"), values.pop("round")
        target_groups = values.pop("target_groups", [])
        if not Organization.objects.visible_to(request.user).filter(pk=organization.pk).exists():
            raise ValidationError({"organization": "No such organization in your jurisdiction."})
        with _Call():
            application = services.create_application(request.user, round_, organization, values, lines,
                                                      target_groups)
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GrantTransitionSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Submit, screen, override (with a reason), sign, review milestones, evaluate, close, terminate."""
        application = self.get_object()
        data = GrantTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        step = application.workflow.get(values["action"])
        if step is None or (step.internal and step.action != "evaluate"):
            raise ValidationError({"action": "unknown"})
        with _Call():
            application = services.transition(application, step.action, request.user, values["comment"],
                                              data={"score": values.get("score")})
        return Response(ApplicationSerializer(application).data)

    @extend_schema(request=AssignSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign an expert (or a whole panel); refused for an expert linked to the organization."""
        application = self.get_object()
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with _Call():
            if data.validated_data.get("panel"):
                panel = application.round.panels.filter(pk=data.validated_data["panel"]).first()
                if panel is None:
                    raise ValidationError({"panel": "no such panel in this round"})
                services.assign_panel(application, panel, request.user)
            else:
                expert = User.objects.filter(pk=data.validated_data.get("expert") or 0,
                                             role=Role.GRANT_EXPERT).first()
                if expert is None:
                    raise ValidationError({"expert": "no such expert"})
                services.assign_expert(application, expert, request.user)
        return Response(ApplicationSerializer(application).data)

    @extend_schema(request=ScoreInputSerializer, responses=ScoreSheetSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """The caller's score sheet on this application (experts assigned to it only)."""
        application = self.get_object()
        data = ScoreInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with _Call(), transaction.atomic():
            sheet = services.save_score_sheet(application, request.user, values["scores"], values["comment"],
                                              submit=values["submit"])
        return Response(ScoreSheetSerializer(sheet).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def notice(self, request, pk=None):
        """The award notice as PDF."""
        application = self.get_object()
        if application.awarded_amount is None or request.user.role == Role.GRANT_EXPERT:
            raise PermissionDenied("There is no award notice for this application.")
        return notice_response(application)


class ScoreSheetViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Score sheets: an expert's own, and those on applications of the caller's jurisdiction."""

    queryset = ScoreSheet.objects.prefetch_related("scores")
    serializer_class = ScoreSheetSerializer
    filterset_fields = ["application", "state"]


class TrancheViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Tranche.objects.all()
    serializer_class = TrancheSerializer
    filterset_fields = ["application", "state"]

    @extend_schema(request=PaymentSerializer, responses={201: PaymentSerializer})
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """Record a payment on a released tranche."""
        tranche = self.get_object()
        data = PaymentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with _Call():
            payment = services.record_payment(tranche, request.user, values["amount"], values["source"],
                                              values.get("paid_on"), values.get("reference", ""))
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class PaymentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Payment.objects.select_related("tranche")
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet

    @extend_schema(responses=TotalsSerializer)
    @action(detail=False, methods=["get"])
    def totals(self, request):
        """Paid totals per organization, round and source."""
        rows = self.filter_queryset(self.get_queryset())
        return Response({"totals": services.disbursement_totals(rows)})


class FundViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    queryset = Fund.objects.all()
    serializer_class = FundSerializer
    filterset_class = FundFilterSet

    def perform_create(self, serializer):
        values = serializer.validated_data
        with _Call():
            serializer.instance = services.record_fund(self.request.user, values["jurisdiction"], values["year"],
                                                       values["source"], values["amount"], values.get("note", ""))


class SubsidyViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    queryset = Subsidy.objects.all()
    serializer_class = SubsidySerializer
    filterset_class = SubsidyFilterSet

    def perform_create(self, serializer):
        values = serializer.validated_data
        with _Call():
            serializer.instance = services.record_subsidy(
                self.request.user, values["organization"], values["kind"], values["amount"], values["source"],
                values.get("granted_on"), values.get("note", ""))

    @extend_schema(responses=TotalsSerializer)
    @action(detail=False, methods=["get"])
    def totals(self, request):
        """Totals by kind and by street."""
        rows = self.filter_queryset(self.get_queryset())
        totals = services.subsidy_totals(rows)
        return Response({"totals": {**totals, "total": str(totals["total"])}})


class ExpertLinkViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """An expert's declared links to organizations (an expert is never assigned to a linked organization)."""

    queryset = ExpertLink.objects.all()
    serializer_class = ExpertLinkSerializer

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "organization" in getattr(serializer, "fields", {}):
            serializer.fields["organization"].queryset = Organization.objects.all()
        return serializer

    def perform_create(self, serializer):
        values = serializer.validated_data
        with _Call():
            serializer.instance = services.declare_link(self.request.user, values["organization"], values["nature"])


def register_routes(router):
    router.register("grants/rounds", RoundViewSet, basename="grant-round")
    router.register("grants/applications", ApplicationViewSet, basename="grant-application")
    router.register("grants/score-sheets", ScoreSheetViewSet, basename="grant-score-sheet")
    router.register("grants/tranches", TrancheViewSet, basename="grant-tranche")
    router.register("grants/payments", PaymentViewSet, basename="grant-payment")
    router.register("grants/funds", FundViewSet, basename="grant-fund")
    router.register("grants/subsidies", SubsidyViewSet, basename="grant-subsidy")
    router.register("grants/expert-links", ExpertLinkViewSet, basename="grant-expert-link")

