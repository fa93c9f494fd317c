"""Venture grants over the API: the same services and the same access rule as the pages."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from grants import services
from grants.choices import ReportKind
from grants.filters import ApplicationFilterSet, FundFilterSet, PaymentFilterSet, RoundFilterSet, SubsidyFilterSet
from grants.models import (
    AllocationRun,
    Application,
    BudgetLine,
    ExpertLink,
    Fund,
    OtherApplicant,
    Payment,
    ProjectReport,
    Round,
    ScoreSheet,
    Subsidy,
    Track,
    Tranche,
)
from grants.pdf import notice_response
from registry.accounts import membership_of
from registry.api.base import ScopedViewSetMixin
from registry.api.fields import VisibleModelSerializer, VisibleRelatedField
from registry.api.workflow import transition_action
from registry.choices import Grade, Role
from registry.middleware import OrganizationOnly
from registry.models import Organization, User

# ------------------------------------------------------------------------------------------------ serializers

class TrackSerializer(VisibleModelSerializer):
    class Meta:
        model = Track
        fields = ["id", "name", "budget"]


def _grade(value):
    if value and value not in Grade.values:
        raise ValidationError(f"one of {', '.join(Grade.values)} or empty")


class RoundSerializer(VisibleModelSerializer):
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
                  "budget", "tracks", "version"]
        read_only_fields = ["state", "allocation_mode"]

    def validate_tranche_plan(self, value):
        """Whole positive percentages adding up to 100 (the award is split by them)."""
        if not isinstance(value, list) or not value or any(
                isinstance(p, bool) or not isinstance(p, int) or p <= 0 for p in value) or sum(value) != 100:
            raise ValidationError(_("The shares must be positive whole numbers adding up to 100, e.g. [50, 30, 20]."))
        return value

    def validate(self, attrs):
        limits = {name: attrs.get(name) for name in ("min_amount", "max_amount", "org_cap")}
        problems = services.round_rule_problems(limits)
        if problems:
            raise ValidationError(problems)
        return attrs

    def validate_allowed_tiers(self, value):
        return _tiers(value)

    def validate_ring_fence_tiers(self, value):
        return _tiers(value, allow_empty=True)


def _tiers(value, allow_empty=False):
    from registry.choices import Tier

    if not isinstance(value, list) or (not value and not allow_empty) or any(v not in Tier.values for v in value):
        raise ValidationError(_("A list of tiers: %(tiers)s.") % {"tiers": ", ".join(Tier.values)})
    return value


class TrackInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))


class BudgetInputSerializer(serializers.Serializer):
    fund = VisibleRelatedField(queryset=Fund.objects.all())
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))


class CriterionSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    weight = serializers.IntegerField(min_value=1, max_value=100)


class RubricSerializer(serializers.Serializer):
    criteria = CriterionSerializer(many=True)


class PanelInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    experts = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
                                    allow_empty=False)


class MoneySerializer(serializers.Serializer):
    budget = serializers.DecimalField(max_digits=16, decimal_places=2)
    committed = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    uncommitted = serializers.DecimalField(max_digits=16, decimal_places=2)
    unpaid = serializers.DecimalField(max_digits=16, decimal_places=2)
    tracks = serializers.ListField(child=serializers.DictField())
    funds = serializers.ListField(child=serializers.DictField())


class ShareSerializer(serializers.Serializer):
    county = serializers.CharField()
    county_name = serializers.CharField()
    year = serializers.IntegerField()
    cso = serializers.DecimalField(max_digits=16, decimal_places=2)
    other = serializers.DecimalField(max_digits=16, decimal_places=2)
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    funds = serializers.DecimalField(max_digits=16, decimal_places=2)
    share = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    target = serializers.DecimalField(max_digits=5, decimal_places=2)
    met = serializers.BooleanField()
    rule = serializers.CharField()


class ShareQuerySerializer(serializers.Serializer):
    region = serializers.RegexField(r"^\d{6}$", required=False, help_text="A county code (6 digits).")
    year = serializers.IntegerField(min_value=1949, max_value=2100, required=False)


class LedgerSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    drawn = serializers.DecimalField(max_digits=16, decimal_places=2)
    left = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    unpaid = serializers.DecimalField(max_digits=16, decimal_places=2)
    rounds = serializers.ListField(child=serializers.DictField())


class GrantTransitionSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=30)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**31 - 1,
                                       help_text="The version you saw; a newer one answers 409.")
    score = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True,
                                     help_text="The final evaluation score, for the action “evaluate”.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True,
                                      min_value=Decimal("0.01"),
                                      help_text="The amount awarded, for “override_award” (default: as requested).")


class DecideSerializer(serializers.Serializer):
    run = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    mode = serializers.ChoiceField(choices=["rank", "optimal"])
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="Required when the chosen result misses a constraint (the ring-fence).")


class AllocationRunSerializer(VisibleModelSerializer):
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
    other = serializers.DecimalField(max_digits=16, decimal_places=2)
    whole_round = serializers.BooleanField(help_text="False: the figures cover only the caller's jurisdiction.")
    money = MoneySerializer()
    county_share = ShareSerializer(allow_null=True)


class BudgetLineSerializer(VisibleModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["item", "amount"]


class ApplicationSerializer(VisibleModelSerializer):
    budget_lines = BudgetLineSerializer(many=True)

    class Meta:
        model = Application
        fields = ["id", "round", "track", "organization", "other_applicant", "title", "summary", "target_groups",
                  "expected_beneficiaries", "amount_requested", "own_funds", "timeline",
                  "declares_no_other_public_funding", "budget_lines", "state", "eligibility_note", "score", "rank",
                  "allocation_reason", "awarded_amount", "final_score", "final_grade", "submitted_at", "created_at",
                  "version"]
        read_only_fields = ["state", "eligibility_note", "score", "rank", "allocation_reason", "awarded_amount",
                            "final_score", "final_grade", "submitted_at", "created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and request.user.role == Role.GRANT_EXPERT:
            # An expert never sees the other experts' marks, not even their mean.
            data["score"] = data["rank"] = None
        return data


class ApplicationUpdateSerializer(VisibleModelSerializer):
    budget_lines = BudgetLineSerializer(many=True)

    class Meta:
        model = Application
        fields = ["track", "title", "summary", "target_groups", "expected_beneficiaries", "amount_requested",
                  "own_funds", "timeline", "declares_no_other_public_funding", "budget_lines"]


def _report_kind(value):
    if value not in ReportKind.values:
        raise ValidationError(_("Choose an interim or a final report."))


class ReportInputSerializer(serializers.Serializer):
    # A plain string (interim / final), as Round.min_grade: one enum per name keeps the schema's names stable.
    kind = serializers.CharField(validators=[_report_kind], help_text="interim or final")
    progress = serializers.CharField()
    spending = serializers.DictField(child=serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0),
                                     help_text="Budget line id → amount spent so far (yuan).")


class ProjectReportSerializer(VisibleModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="interim or final")

    class Meta:
        model = ProjectReport
        fields = ["id", "application", "kind", "progress", "spending", "state", "submitted_at", "reviewed_at",
                  "review_note"]


class ReviewInputSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReleaseInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReviewRowSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    title = serializers.CharField(source="application.title")
    round = serializers.CharField(source="application.round.name")
    scored = serializers.BooleanField()


class ReviewsSerializer(serializers.Serializer):
    to_score = serializers.IntegerField()
    scored = serializers.IntegerField()
    results = ReviewRowSerializer(many=True)


class ReviewsQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["", "to_score", "scored"], required=False, default="")


class OtherApplicantSerializer(VisibleModelSerializer):
    class Meta:
        model = OtherApplicant
        fields = ["id", "name", "uscc", "region", "nature", "recorded_at"]
        read_only_fields = ["recorded_at"]


class AssignSerializer(serializers.Serializer):
    expert = serializers.IntegerField(required=False, allow_null=True)
    panel = serializers.IntegerField(required=False, allow_null=True)


class ScoreInputSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2),
                                   help_text="Criterion id → score 0-100.")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    submit = serializers.BooleanField(default=False, help_text="Submitting locks the sheet for good.")


class ScoreSheetSerializer(VisibleModelSerializer):
    scores = serializers.SerializerMethodField()

    class Meta:
        model = ScoreSheet
        fields = ["id", "application", "expert", "state", "total", "comment", "submitted_at", "scores"]

    def get_scores(self, sheet) -> dict[str, str]:
        return {str(s.criterion_id): str(s.score) for s in sheet.scores.all()}


class TrancheSerializer(VisibleModelSerializer):
    class Meta:
        model = Tranche
        fields = ["id", "application", "sequence", "percent", "amount", "milestone", "state", "decided_at", "note"]


class PaymentSerializer(VisibleModelSerializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))

    class Meta:
        model = Payment
        fields = ["id", "tranche", "amount", "paid_on", "source", "reference", "recorded_at"]
        read_only_fields = ["tranche", "recorded_at"]


class FundSerializer(VisibleModelSerializer):
    class Meta:
        model = Fund
        fields = ["id", "jurisdiction", "year", "source", "amount", "note"]


class SubsidySerializer(VisibleModelSerializer):
    class Meta:
        model = Subsidy
        fields = ["id", "organization", "kind", "amount", "granted_on", "source", "note", "recorded_at"]
        read_only_fields = ["recorded_at"]


class ExpertLinkSerializer(VisibleModelSerializer):
    # The one related field not narrowed to what the caller sees: an expert declares links to any organization
    # (that is what keeps them off its applications), and sees no organization otherwise.
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())

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
        round_ = services.create_round(request.user, region, **values)
        return Response(RoundSerializer(round_).data, status=status.HTTP_201_CREATED)

    transition = transition_action(GrantTransitionSerializer, RoundSerializer,
                                   doc="Open the call, close it, close the round.")

    @extend_schema(methods=["GET"], request=None, responses=AllocationRunSerializer)
    @extend_schema(methods=["POST"], request=None, responses={201: AllocationRunSerializer})
    @action(detail=True, methods=["get", "post"])
    def allocation(self, request, pk=None):
        """GET: the latest allocation run (both modes, each application's decision and reason). POST: run it."""
        round_ = self.get_object()
        if request.method == "POST":
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
        round_ = services.decide(round_, run, data.validated_data["mode"], request.user,
                                 data.validated_data["reason"])
        return Response(RoundSerializer(round_).data)

    @extend_schema(responses=SummarySerializer)
    @action(detail=True, methods=["get"])
    def summary(self, request, pk=None):
        """Money by category, tier, street and track; community share against the ring-fence; the county's
        share of the year's venture-grant money going to CSOs (for the county's staff). ``whole_round`` is
        false when the figures cover only the caller's jurisdiction."""
        round_ = self.get_object()
        applications = Application.objects.visible_to(request.user).filter(round=round_)
        county = services.county_of(round_.region)
        data = {**services.round_summary(round_, applications),
                "whole_round": request.user.can_see_region(round_.region),
                "money": services.round_money(round_, applications),
                "county_share": services.county_share(county, round_.year)
                if county is not None and request.user.can_see_region(county) else None}
        return Response(SummarySerializer(data).data)

    @extend_schema(responses=MoneySerializer)
    @action(detail=True, methods=["get"])
    def money(self, request, pk=None):
        """Budget by fund; budget, committed, paid and uncommitted per track and for the round."""
        round_ = self.get_object()
        applications = Application.objects.visible_to(request.user).filter(round=round_)
        return Response(MoneySerializer(services.round_money(round_, applications)).data)

    @extend_schema(request=TrackInputSerializer, responses={201: TrackSerializer})
    @action(detail=True, methods=["post"])
    def tracks(self, request, pk=None):
        """Add a track or change its budget (until scoring opens)."""
        round_ = self.get_object()
        data = TrackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        track = services.set_track(request.user, round_, data.validated_data["name"],
                                   data.validated_data["budget"])
        return Response(TrackSerializer(track).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BudgetInputSerializer, responses={201: MoneySerializer})
    @action(detail=True, methods=["post"])
    def budgets(self, request, pk=None):
        """Draw an amount from a fund (refused above what the fund has left)."""
        round_ = self.get_object()
        data = BudgetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_budget(request.user, round_, data.validated_data["fund"], data.validated_data["amount"])
        return Response(MoneySerializer(services.round_money(round_)).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=RubricSerializer)
    @extend_schema(methods=["PUT"], request=RubricSerializer, responses=RubricSerializer)
    @action(detail=True, methods=["get", "put"])
    def rubric(self, request, pk=None):
        """The scoring rubric; PUT replaces it (weights add up to 100; frozen once scoring opens)."""
        round_ = self.get_object()
        if request.method == "PUT":
            data = RubricSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.set_rubric(request.user, round_, [(c["name"], c["description"], c["weight"])
                                                       for c in data.validated_data["criteria"]])
        criteria = [{"name": c.name, "description": c.description, "weight": c.weight}
                    for c in round_.criteria.all()]
        return Response(RubricSerializer({"criteria": criteria}).data)

    @extend_schema(request=PanelInputSerializer, responses={201: PanelInputSerializer})
    @action(detail=True, methods=["post"])
    def panels(self, request, pk=None):
        """Add an expert panel (until scoring opens)."""
        round_ = self.get_object()
        data = PanelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = set(data.validated_data["experts"])
        experts = list(User.objects.filter(pk__in=ids, role=Role.GRANT_EXPERT, is_active=True))
        if len(experts) != len(ids):
            raise ValidationError({"experts": _("Only active grant experts can sit on a panel.")})
        panel = services.add_panel(request.user, round_, data.validated_data["name"], experts)
        return Response({"name": panel.name, "experts": sorted(ids)}, status=status.HTTP_201_CREATED)


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
        organization, round_ = values.pop("organization", None), values.pop("round")
        other = values.pop("other_applicant", None)
        target_groups = values.pop("target_groups", [])
        if organization is not None and not Organization.objects.visible_to(request.user).filter(
                pk=organization.pk).exists():
            raise ValidationError({"organization": "No such organization in your jurisdiction."})
        application = services.create_application(request.user, round_, organization, values, lines,
                                                  target_groups, other_applicant=other)
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationUpdateSerializer, responses=ApplicationSerializer)
    def partial_update(self, request, pk=None):
        """Change a draft or a returned application (the whole budget is given again)."""
        application = self.get_object()
        data = ApplicationUpdateSerializer(application, data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lines = [(line["item"], line["amount"]) for line in values.pop("budget_lines")]
        target_groups = values.pop("target_groups", [])
        application = services.update_application(request.user, application, values, lines, target_groups)
        return Response(self.get_serializer(application).data)

    @extend_schema(request=ReportInputSerializer, responses={201: ProjectReportSerializer})
    @action(detail=True, methods=["post"])
    def reports(self, request, pk=None):
        """Submit an interim or final report: progress and spending against the budget lines."""
        application = self.get_object()
        data = ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        report = services.submit_report(request.user, application, values["kind"], values["progress"],
                                        values["spending"])
        return Response(ProjectReportSerializer(report).data, status=status.HTTP_201_CREATED)

    # The final evaluation is an internal step the district records through this action too.
    transition = transition_action(
        GrantTransitionSerializer, ApplicationSerializer,
        doc="Submit, screen, override (with a reason), sign, review milestones, evaluate, close, terminate.",
        step_data=lambda values: {"score": values.get("score"), "amount": values.get("amount")},
        offered=lambda step: not step.internal or step.action == "evaluate")

    @extend_schema(request=AssignSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign an expert (or a whole panel); refused for an expert linked to the organization."""
        application = self.get_object()
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
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
        return Response(self.get_serializer(application).data)

    @extend_schema(request=ScoreInputSerializer, responses=ScoreSheetSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """The caller's score sheet on this application (experts assigned to it only)."""
        application = self.get_object()
        data = ScoreInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
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

    @extend_schema(request=ReleaseInputSerializer, responses=TrancheSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Release a tranche (needs the accepted report that unlocks it)."""
        tranche = self.get_object()
        data = ReleaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tranche = services.release_tranche(request.user, tranche, data.validated_data["note"])
        return Response(TrancheSerializer(tranche).data)

    @extend_schema(request=PaymentSerializer, responses={201: PaymentSerializer})
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """Record a payment on a released tranche."""
        tranche = self.get_object()
        data = PaymentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
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


class FundViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    queryset = Fund.objects.all()
    serializer_class = FundSerializer
    filterset_class = FundFilterSet

    @extend_schema(responses=LedgerSerializer)
    @action(detail=True, methods=["get"])
    def ledger(self, request, pk=None):
        """The fund reconciled: amount = drawn by rounds + left; drawn = paid + unpaid; per round."""
        return Response(LedgerSerializer(services.fund_ledger(self.get_object())).data)

    def perform_create(self, serializer):
        values = serializer.validated_data
        serializer.instance = services.record_fund(self.request.user, values["jurisdiction"], values["year"],
                                                   values["source"], values["amount"], values.get("note", ""))


class SubsidyViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    queryset = Subsidy.objects.all()
    serializer_class = SubsidySerializer
    filterset_class = SubsidyFilterSet

    def perform_create(self, serializer):
        values = serializer.validated_data
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

    queryset = ExpertLink.objects.order_by("-declared_at", "pk")  # stable pages
    serializer_class = ExpertLinkSerializer

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "organization" in getattr(serializer, "fields", {}):
            serializer.fields["organization"].queryset = Organization.objects.all()
        return serializer

    def perform_create(self, serializer):
        values = serializer.validated_data
        serializer.instance = services.declare_link(self.request.user, values["organization"], values["nature"])


class ProjectReportViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Interim and final reports of funded projects."""

    queryset = ProjectReport.objects.all()
    serializer_class = ProjectReportSerializer
    filterset_fields = ["application", "state"]

    @extend_schema(request=ReviewInputSerializer, responses=ProjectReportSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Accept a report, or return it with a note."""
        report = self.get_object()
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.review_report(request.user, report, data.validated_data["accept"],
                                        data.validated_data["note"])
        return Response(ProjectReportSerializer(report).data)


class OtherApplicantViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.CreateModelMixin,
                            viewsets.GenericViewSet):
    """Social organizations that are not CSOs, recorded with their USCC so a round may take their application."""

    queryset = OtherApplicant.objects.all()
    serializer_class = OtherApplicantSerializer

    def perform_create(self, serializer):
        values = serializer.validated_data
        serializer.instance = services.record_other_applicant(
            self.request.user, values["name"], values["uscc"], values["region"], values["nature"])


class ShareViewSet(viewsets.ViewSet):
    """The county-year share of venture-grant money going to CSOs (DOMAIN.md §3 rule 14, Hangzhou 2018: 30 %), for
    each county the caller's jurisdiction covers and each year it has rounds; ``?region=`` and ``?year=`` narrow."""

    @extend_schema(parameters=[ShareQuerySerializer], responses=ShareSerializer(many=True))
    def list(self, request):
        from django.db.models.functions import Left

        from registry.choices import RegionLevel
        from registry.models import Region

        query = ShareQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        # The (county, year) pairs that have rounds, in one query; only counties the caller's jurisdiction covers.
        pairs = Round.objects.annotate(county=Left("region_id", 6)).values_list("county", "year").distinct()
        if query.validated_data.get("region"):
            pairs = pairs.filter(region__code__startswith=query.validated_data["region"])
        if query.validated_data.get("year"):
            pairs = pairs.filter(year=query.validated_data["year"])
        counties = {c.code: c for c in Region.objects.filter(level=RegionLevel.COUNTY, code__in=pairs.values("county"))
                    if request.user.can_see_region(c)}
        rows = [services.county_share(counties[code], year) for code, year in sorted(set(pairs)) if code in counties]
        return Response(ShareSerializer(rows, many=True).data)


class ReviewsViewSet(viewsets.ViewSet):
    """An expert's own assignments, to score or scored, with both counts."""

    @extend_schema(parameters=[ReviewsQuerySerializer], responses=ReviewsSerializer)
    def list(self, request):
        if request.user.role != Role.GRANT_EXPERT:
            raise PermissionDenied(_("This list is for grant experts."))
        query = ReviewsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows, counts = services.expert_reviews(request.user, query.validated_data["status"])
        return Response(ReviewsSerializer({**counts, "results": rows}).data)


def register_routes(router):
    router.register("grants/rounds", RoundViewSet, basename="grant-round")
    router.register("grants/applications", ApplicationViewSet, basename="grant-application")
    router.register("org/grant-applications", OrganizationApplicationViewSet, basename="org-grant-application")
    router.register("grants/score-sheets", ScoreSheetViewSet, basename="grant-score-sheet")
    router.register("grants/tranches", TrancheViewSet, basename="grant-tranche")
    router.register("grants/payments", PaymentViewSet, basename="grant-payment")
    router.register("grants/funds", FundViewSet, basename="grant-fund")
    router.register("grants/subsidies", SubsidyViewSet, basename="grant-subsidy")
    router.register("grants/expert-links", ExpertLinkViewSet, basename="grant-expert-link")
    router.register("grants/reports", ProjectReportViewSet, basename="grant-report")
    router.register("grants/other-applicants", OtherApplicantViewSet, basename="grant-other-applicant")
    router.register("grants/share", ShareViewSet, basename="grant-share")
    router.register("grants/reviews", ReviewsViewSet, basename="grant-reviews")
    from grants.matching_api import register_routes as register_board_routes

    register_board_routes(router)  # the supply–demand board (grants/matching_api.py)



class OrganizationApplicationSerializer(ApplicationSerializer):
    """The organization names a round and track it cannot see through the staff's access rule; the service checks
    the call is open where the organization lies and the track belongs to the round."""

    round = serializers.PrimaryKeyRelatedField(queryset=Round.objects.all())
    track = serializers.PrimaryKeyRelatedField(queryset=Track.objects.all())


class OrganizationApplicationViewSet(ApplicationViewSet):
    """The signed-in organization's own venture-grant applications (organization users only): apply to a call open
    to it, change the draft, submit or withdraw — the same services and workflow kit as the staff's (grants/portal.py
    for the pages). Screening, scoring and awards are the district's and the experts'."""

    permission_classes = [IsAuthenticated, OrganizationOnly]
    filterset_class = None

    def get_queryset(self):
        member = membership_of(self.request.user)
        return self.queryset.filter(organization_id=member.organization_id if member else None).order_by("-pk")

    @extend_schema(request=OrganizationApplicationSerializer, responses={201: ApplicationSerializer})
    def create(self, request):
        member = membership_of(request.user)
        data = OrganizationApplicationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("organization", None)
        values.pop("other_applicant", None)
        lines = [(line["item"], line["amount"]) for line in values.pop("budget_lines")]
        round_, target_groups = values.pop("round"), values.pop("target_groups", [])
        if not services.rounds_open_to(member.organization).filter(pk=round_.pk).exists():
            raise ValidationError({"round": _("This call is not open to your organization.")})
        application = services.create_application(request.user, round_, member.organization, values, lines,
                                                  target_groups)
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(exclude=True)
    def reports(self, request, pk=None):
        raise PermissionDenied

    transition = transition_action(
        GrantTransitionSerializer, ApplicationSerializer, doc="Submit or withdraw (with a reason); 409 when the "
                                                              "application moved meanwhile.",
        offered=lambda step: step.action in ("submit", "withdraw"))
