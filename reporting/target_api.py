"""Targets over the API: the same services and access rule as the targets page (reporting/target_views.py)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from registry.api.base import ScopedViewSetMixin
from registry.api.fields import VisibleModelSerializer
from registry.generic import region_for_page
from registry.models import Region
from reporting import targets as service
from reporting.forms import parse_target_value
from reporting.indicators import INDICATORS
from reporting.models import JudgedAt, Operator, Target


class TargetSerializer(VisibleModelSerializer):
    indicator_name = serializers.SerializerMethodField()
    display_value = serializers.CharField(read_only=True)
    jurisdiction_name = serializers.SerializerMethodField()
    inherited = serializers.SerializerMethodField()
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Target
        fields = ["id", "jurisdiction_code", "jurisdiction_name", "inherited", "indicator", "indicator_name",
                  "operator", "value", "value_divisor", "display_value", "deadline", "judged_at", "source_document",
                  "preset", "updated_at", "updated_by", "retired_at"]
        read_only_fields = fields

    def get_indicator_name(self, target) -> str:
        indicator = INDICATORS.get(target.indicator)
        return str(indicator.name) if indicator else target.indicator

    def get_jurisdiction_name(self, target) -> str:
        names = self.context.get("names", {})
        return names.get(target.jurisdiction_code, "")

    def get_inherited(self, target) -> bool:
        region = self.context.get("region")
        return region is not None and target.jurisdiction_code != region.prefix


class TargetWriteSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="The bureau's region code (county, city or province).")
    indicator = serializers.ChoiceField(choices=sorted(INDICATORS))
    operator = serializers.ChoiceField(choices=Operator.choices, default=Operator.AT_LEAST)
    value = serializers.CharField(help_text="A number (16, 30) or a fraction for a share (1/3).")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    judged_at = serializers.ChoiceField(choices=JudgedAt.choices, default=JudgedAt.EVERY_LEVEL)
    source_document = serializers.CharField(max_length=100)


class TargetChangeSerializer(serializers.Serializer):
    value = serializers.CharField(required=False)
    deadline = serializers.DateField(required=False, allow_null=True)
    source_document = serializers.CharField(required=False, max_length=100)
    judged_at = serializers.ChoiceField(choices=JudgedAt.choices, required=False)


class AdoptSerializer(serializers.Serializer):
    region = serializers.CharField()
    preset = serializers.ChoiceField(choices=sorted(service.PRESETS))


class AdoptionSerializer(serializers.Serializer):
    created = TargetSerializer(many=True)
    kept = TargetSerializer(many=True)


class PresetSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    source_document = serializers.CharField()
    rules = serializers.ListField(child=serializers.DictField())


def _value(text, indicator_id):
    try:
        return parse_target_value(text, indicator_id)
    except DjangoValidationError as exc:
        raise ValidationError({"value": exc.messages}) from None


def _call(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None


def _names(targets):
    codes = {service.region_code_for(t.jurisdiction_code): t.jurisdiction_code for t in targets}
    return {codes[r.code]: r.full_name for r in Region.objects.filter(code__in=codes)}


class TargetViewSet(ScopedViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Targets (DOMAIN.md §3). GET lists the targets in effect for a region (its own and those inherited from the
    nearest higher level, with where they were set); a bureau's own reviewers and administrators adopt presets,
    add, change and retire its targets. Every change is audited."""

    queryset = Target.objects.all()
    serializer_class = TargetSerializer
    pagination_class = None  # the targets in effect and the presets are short lists, answered whole

    def _visible_region(self, code):
        region = Region.objects.visible_to(self.request.user).filter(code=code).first() \
            if code and code.isdigit() else None
        if region is None:
            raise NotFound("No such region in your jurisdiction.")
        return region

    @extend_schema(parameters=[OpenApiParameter("region", str, description="region code; default: your own")],
                   responses=TargetSerializer(many=True))
    def list(self, request):
        region = region_for_page(request.user, request.query_params.get("region"))
        if region is None:
            raise PermissionDenied("Targets belong to a jurisdiction, and you have none.")
        in_effect = sorted(service.targets_for(region, timezone.localdate()).values(), key=lambda t: t.indicator)
        context = {"region": region, "names": _names(in_effect)}
        return Response(TargetSerializer(in_effect, many=True, context=context).data)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "names": {}}

    @extend_schema(request=TargetWriteSerializer, responses={201: TargetSerializer})
    def create(self, request):
        data = TargetWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        region = self._visible_region(fields["region"])
        value, divisor = _value(fields["value"], fields["indicator"])
        target = _call(service.set_target, request.user, region, fields["indicator"], value, fields["deadline"],
                       fields["source_document"], fields["judged_at"], fields["operator"], divisor)
        return Response(TargetSerializer(target, context={"region": region, "names": _names([target])}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=TargetChangeSerializer, responses=TargetSerializer)
    def partial_update(self, request, pk=None):
        target = self.get_object()
        data = TargetChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        value, divisor = _value(fields["value"], target.indicator) if "value" in fields else (None, None)
        changed = _call(service.override, request.user, target, value=value, divisor=divisor,
                        deadline=fields.get("deadline", ...), source_document=fields.get("source_document"),
                        judged_at=fields.get("judged_at"))
        return Response(TargetSerializer(changed, context={"names": _names([changed])}).data)

    @extend_schema(request=None, responses=TargetSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        target = _call(service.retire, request.user, self.get_object())
        return Response(TargetSerializer(target, context={"names": _names([target])}).data)

    @extend_schema(request=AdoptSerializer, responses={201: AdoptionSerializer})
    @action(detail=False, methods=["post"])
    def adopt(self, request):
        data = AdoptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        region = self._visible_region(data.validated_data["region"])
        adoption = _call(service.adopt_preset, region, data.validated_data["preset"], user=request.user)
        context = {"region": region, "names": _names(adoption.created + adoption.kept)}
        return Response(AdoptionSerializer({"created": adoption.created, "kept": adoption.kept}, context=context).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses=PresetSerializer(many=True))
    @action(detail=False, methods=["get"])
    def presets(self, request):
        return Response(PresetSerializer([{
            "key": key, "label": str(label), "source_document": source,
            "rules": [{"indicator": r.indicator, "value": str(r.value), "divisor": r.divisor,
                       "deadline": r.deadline.isoformat() if r.deadline else None, "judged_at": str(r.judged_at)}
                      for r in rules]} for key, (source, label, rules) in service.PRESETS.items()], many=True).data)
