"""Dashboard figures and yearly reports over the API: the same functions and access rule as the pages."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from registry.api.base import ScopedViewSetMixin
from registry.api.fields import VisibleModelSerializer
from registry.generic import region_for_page
from registry.models import Region
from reporting import yearly
from reporting.dashboard import figures
from reporting.indicators import parse_as_of
from reporting.models import YearlyReport
from reporting.target_api import TargetViewSet
from reporting.targets import region_code_for, summarize


class IndicatorSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    numerator = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    denominator = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    value = serializers.DecimalField(max_digits=14, decimal_places=1, allow_null=True)
    target = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    operator = serializers.CharField(allow_blank=True)
    source_document = serializers.CharField(allow_blank=True)
    met = serializers.BooleanField(allow_null=True)
    rows_url = serializers.CharField(allow_blank=True)
    # The judgement (reporting/targets.py): exact, in the indicator's own unit, with where the target comes from.
    target_display = serializers.CharField(allow_blank=True, help_text="e.g. 16, 100 (percent), 1/3")
    deadline = serializers.DateField(allow_null=True)
    judged_at = serializers.CharField(allow_blank=True)
    set_by = serializers.CharField(allow_blank=True, help_text="region code of the jurisdiction that set it")
    inherited = serializers.BooleanField()
    not_judged_here = serializers.CharField(allow_blank=True, help_text="'total' or 'unit' when judged elsewhere")
    gap = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    gap_text = serializers.CharField(allow_blank=True)
    units_meeting = serializers.IntegerField(allow_null=True)
    units_judged = serializers.IntegerField(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())


class GapSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    gap_text = serializers.CharField()


class TargetSummarySerializer(serializers.Serializer):
    targets_met = serializers.IntegerField()
    targets_judged = serializers.IntegerField()
    largest_gaps = GapSerializer(many=True)


class ChildSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    orgs_per_urban_community = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    orgs_per_rural_community = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    communities_below_target = serializers.IntegerField()
    status = serializers.CharField()
    rank = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    region = serializers.CharField()
    as_of = serializers.DateField()
    snapshot_time = serializers.DateTimeField(allow_null=True)
    summary = TargetSummarySerializer()
    indicators = IndicatorSerializer(many=True)
    children = ChildSerializer(many=True)


class DashboardView(APIView):
    """Every indicator of a region against its target, and the child regions side by side."""

    @extend_schema(parameters=[OpenApiParameter("region", str, description="region code; default: your own"),
                               OpenApiParameter("as_of", OpenApiTypes.DATE,
                                                description="the day the figures are computed for (YYYY-MM-DD); "
                                                            "default: today")],
                   responses=DashboardSerializer)
    def get(self, request):
        region = region_for_page(request.user, request.query_params.get("region"))
        if region is None:
            raise PermissionDenied("Dashboards belong to a jurisdiction, and you have none.")
        try:
            today = parse_as_of(request.query_params.get("as_of")) or timezone.localdate()
        except ValueError as exc:
            raise ValidationError({"as_of": [str(exc)]}) from None
        shown = figures(region, request.user, today)
        rows, snapshot_time = shown["rows"], shown["snapshot_time"]
        indicators = [{
            "id": r["indicator"].id, "name": str(r["indicator"].name), "unit": r["indicator"].unit,
            "numerator": r["value"].numerator, "denominator": r["value"].denominator, "value": r["number"],
            "target": r["target"].value if r["target"] else None,
            "operator": r["target"].operator if r["target"] else "",
            "source_document": r["target"].source_document if r["target"] else "", "met": r["met"],
            "rows_url": r["url"], **_judgement(r["assessment"])} for r in rows]
        summary = summarize([r["assessment"] for r in rows])
        children = [{
            "code": c["region"].code, "name": c["region"].name, "orgs_per_urban_community": c["urban"].value,
            "orgs_per_rural_community": c["rural"].value, "communities_below_target": c["below"],
            "status": c["status"], "rank": c["rank"]} for c in shown["children"]]
        return Response(DashboardSerializer({
            "region": region.code, "as_of": today, "snapshot_time": snapshot_time, "indicators": indicators,
            "children": children,
            "summary": {"targets_met": summary.met, "targets_judged": summary.judged, "largest_gaps": [
                {"id": a.indicator, "name": str(a.name), "gap_text": a.gap_text} for a in summary.largest_gaps]},
        }).data)


def _judgement(assessment) -> dict:
    target = assessment.target
    return {
        "target_display": target.display_value if target else "", "deadline": target.deadline if target else None,
        "judged_at": target.judged_at if target else "",
        "set_by": region_code_for(target.jurisdiction_code) if target else "", "inherited": assessment.inherited,
        "not_judged_here": assessment.not_here, "gap": assessment.gap, "gap_text": assessment.gap_text,
        "units_meeting": assessment.rollup[0] if assessment.rollup else None,
        "units_judged": assessment.rollup[1] if assessment.rollup else None,
        "notes": [str(note) for note in assessment.notes]}


def FileRenderer(fmt, media):  # a renderer class per file kind, so DRF accepts ?format=pdf|xlsx
    return type(f"{fmt.title()}FileRenderer", (BaseRenderer,), {
        "format": fmt, "media_type": media, "charset": None, "render": lambda self, data, *a, **k: data})


class YearlyReportSerializer(VisibleModelSerializer):
    class Meta:
        model = YearlyReport
        fields = ["id", "region", "year", "status", "progress", "attempts", "started_at", "finished_at", "error",
                  "narrative", "submitted_at", "submitted_by"]
        read_only_fields = fields


class ReportRequestSerializer(serializers.Serializer):
    region = serializers.CharField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class YearlyReportViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Yearly reports (DOMAIN.md §7). POST queues one (a Celery job); poll it; download the PDF or XLSX."""

    queryset = YearlyReport.objects.all()
    serializer_class = YearlyReportSerializer
    filterset_fields = ["region", "year", "status"]

    @extend_schema(request=ReportRequestSerializer, responses={202: YearlyReportSerializer})
    def create(self, request):
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        region = Region.objects.visible_to(request.user).filter(code=data.validated_data["region"]).first()
        if region is None:
            raise ValidationError({"region": "No such region in your jurisdiction."})
        try:
            report = yearly.request_report(request.user, region, data.validated_data["year"])
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(YearlyReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=YearlyReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object()
        try:
            yearly.submit(request.user, report)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None
        return Response(YearlyReportSerializer(report).data)

    @extend_schema(parameters=[OpenApiParameter("kind", str, enum=["pdf", "xlsx"],
                                                description="which file; default pdf (``format`` is DRF's own "
                                                            "content-negotiation parameter, so it is not used)")],
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="file",
            renderer_classes=[JSONRenderer, FileRenderer("pdf", "application/pdf"), FileRenderer(
                "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
    def file(self, request, pk=None):
        report = self.get_object()
        fmt = request.query_params.get("kind") or request.query_params.get("format") or "pdf"
        stored = report.pdf if fmt == "pdf" else report.xlsx if fmt == "xlsx" else None
        if report.status != "done" or not stored:
            raise Http404
        return FileResponse(stored.open("rb"), as_attachment=True,
                            filename=f"yearly-report-{report.region_id}-{report.year}.{fmt}")


def register_routes(router):
    router.register("yearly-reports", YearlyReportViewSet, basename="yearly-report")
    router.register("targets", TargetViewSet, basename="target")


urlpatterns_extra = [("dashboard/", DashboardView, "dashboard")]
