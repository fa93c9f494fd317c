"""Cases, documents and certificates over the API: the same services and access rule as the pages."""

from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from filings import corrections, services
from filings.choices import INSPECTION_RESULTS, CaseKind, DocumentKind
from filings.filters import CaseFilterSet
from filings.forms import KIND_FORMS, CaseForm
from filings.models import Case, Certificate, Document
from filings.pdf import certificate_response
from filings.workflows import WORKFLOWS
from registry import params
from registry.accounts import membership_of
from registry.api.base import ScopedViewSetMixin
from registry.api.fields import VisibleModelSerializer
from registry.api.workflow import transition_action
from registry.forms import form_data_from, payload_from
from registry.middleware import OrganizationOnly
from registry.models import Organization, Region
from registry.personal import mask_id, mask_phone


class CaseSerializer(VisibleModelSerializer):
    payload = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)
    filing_overdue = serializers.BooleanField(read_only=True, help_text="The organization missed its own limit.")

    class Meta:
        model = Case
        fields = ["id", "number", "kind", "state", "region", "organization", "title", "payload", "created_by",
                  "created_at", "submitted_by", "submitted_at", "decided_by", "decided_at", "due_on", "is_overdue",
                  "filing_due_on", "filing_overdue", "period", "result", "return_reason", "version"]
        read_only_fields = fields

    def get_payload(self, case) -> dict:
        payload = dict(case.payload)
        if payload.get("leader_id_number"):
            payload["leader_id_number"] = mask_id(payload["leader_id_number"])
        if payload.get("leader_phone"):
            payload["leader_phone"] = mask_phone(payload["leader_phone"])
        return payload


class CaseWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    organization = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=params.MAX_ID)
    payload = serializers.DictField(help_text="The organization's fields as on the case form (ids for choices).")

    def validate(self, data):
        if data["kind"] in services.ORGANIZATION_KINDS and not data.get("organization"):
            raise ValidationError({"organization": _("A case of this kind names its organization.")})
        return data


class CasePayloadSerializer(serializers.Serializer):
    payload = serializers.DictField()


class TransitionSerializer(serializers.Serializer):
    action = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True,
                                       help_text="The version you saw; a newer one answers 409.")
    uscc = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="The USCC issued with a registration, when approving it.")
    result = serializers.ChoiceField(choices=[r.value for r in INSPECTION_RESULTS], required=False, allow_blank=True,
                                     default="", help_text="A registered organization's annual inspection result, "
                                                           "when recording it (pass / basic_pass / fail).")
    rejected_documents = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=params.MAX_ID), required=False, default=list,
        help_text="When returning: ids of the case's current documents the submitter must replace.")


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    needs_reason = serializers.BooleanField()


def validated_payload(kind, payload, user, organization=None, own_region=False, case=None):
    """The payload through the case's form. ``own_region``: the organization applies for itself, so its region is
    its own whatever was sent (it holds no region of its own to choose from)."""
    tier = WORKFLOWS[kind].tier or (organization.tier if organization else "")
    if kind in KIND_FORMS:
        form = KIND_FORMS[kind](data=payload, organization=organization)
        if not form.is_valid():
            raise ValidationError({"payload": form.errors})
        return form.payload()
    # The form sets the case's tier on its instance: give it a copy, never the organization itself.
    instance = Organization.objects.get(pk=organization.pk) if organization else Organization()
    # The API shows the ID number masked: sent back as shown, the stored one (the draft's, else the
    # organization's) is kept.
    stored = case.payload.get("leader_id_number") if case is not None else None
    form = CaseForm(data=form_data_from(payload), tier=tier, kind=kind, user=user, instance=instance,
                    stored_id_number=stored)
    if own_region and "region" in form.fields:
        form.fields["region"].queryset = Region.objects.filter(code=organization.region_id)
        form.fields["region"].disabled = True
        form.fields["region"].initial = organization.region_id
    if not form.is_valid():
        raise ValidationError({"payload": form.errors})
    return payload_from(form)


class CaseViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases in the caller's jurisdiction: create a draft, edit it, upload documents, then take actions."""

    queryset = Case.objects.select_related("region")
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    ordering_fields = ["created_at", "due_on", "number"]
    own_region = False  # the organization's own API fixes the region to its own

    @extend_schema(request=CaseWriteSerializer, responses={201: CaseSerializer})
    def create(self, request):
        data = CaseWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind = data.validated_data["kind"]
        organization = None
        if data.validated_data.get("organization"):
            organization = Organization.objects.visible_to(request.user).filter(
                pk=data.validated_data["organization"]).first()
            if organization is None:
                raise ValidationError({"organization": _("No such organization in your jurisdiction.")})
        if not services.may_create(request.user, kind):
            raise PermissionDenied(_("Your role may not open this kind of case."))
        payload = validated_payload(kind, data.validated_data["payload"], request.user, organization)
        case = services.create_case(request.user, kind, payload, organization=organization)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CasePayloadSerializer, responses=CaseSerializer)
    def partial_update(self, request, pk=None):
        case = self.get_object()
        data = CasePayloadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = validated_payload(case.kind, data.validated_data["payload"], request.user, case.organization,
                                    own_region=self.own_region, case=case)
        case = services.update_payload(request.user, case, payload)
        return Response(CaseSerializer(case).data)

    @extend_schema(request=TransitionSerializer, responses={200: CaseSerializer, 409: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Take an action (submit, return, approve, ...). 409 when someone acted first."""
        case = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        step = case.workflow.get(values["action"])
        if step is None or step.internal:
            raise ValidationError({"action": "unknown"})
        case = corrections.act(case, step.action, request.user, comment=values["comment"],
                               data={"uscc": values["uscc"], "result": values["result"]},
                               version=values.get("version"), rejected_documents=values["rejected_documents"])
        return Response(CaseSerializer(case).data)

    @extend_schema(responses=ActionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def actions(self, request, pk=None):
        """The actions the caller may take on this case now."""
        case = self.get_object()
        steps = services.available_transitions(case, request.user)
        return Response([{"action": s.action, "label": str(s.label), "needs_reason": s.needs_reason} for s in steps])


class DocumentSerializer(VisibleModelSerializer):
    replaced_by = serializers.SerializerMethodField(help_text="The document that replaced this one, if any.")

    def get_replaced_by(self, document) -> int | None:
        replacement = getattr(document, "replacement", None)  # the reverse one-to-one raises when there is none
        return replacement.pk if replacement else None

    class Meta:
        model = Document
        fields = ["id", "case", "kind", "original_name", "content_type", "size", "sha256", "uploaded_by",
                  "uploaded_at", "rejected_at", "replaces", "replaced_by"]
        read_only_fields = fields


class DocumentUploadSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField()


class DocumentReplaceSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The new version; the old document stays on record, marked replaced.")


class OrganizationDocumentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField()


class DocumentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Document.objects.select_related("replacement")
    serializer_class = DocumentSerializer
    filterset_fields = ["case", "kind"]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=DocumentUploadSerializer, responses={201: DocumentSerializer})
    def create(self, request):
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = Case.objects.visible_to(request.user).filter(pk=data.validated_data["case"]).first()
        if case is None:
            raise ValidationError({"case": _("No such case in your jurisdiction.")})
        with transaction.atomic():
            document = services.add_document(request.user, case, data.validated_data["file"],
                                             data.validated_data["kind"])
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DocumentReplaceSerializer, responses={201: DocumentSerializer})
    @action(detail=True, methods=["post"])
    def replace(self, request, pk=None):
        """Replace a document (one the reviewer returned, or an outdated one) while the case may be corrected."""
        document = self.get_object()
        data = DocumentReplaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = corrections.replace_document(request.user, document, data.validated_data["file"])
        return Response(DocumentSerializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)


class CertificateSerializer(VisibleModelSerializer):
    class Meta:
        model = Certificate
        fields = ["id", "number", "kind", "case", "organization", "issued_on", "issuing_office", "verification_code"]
        read_only_fields = fields


class CertificateViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Certificate.objects.all()
    serializer_class = CertificateSerializer
    filterset_fields = ["case", "organization", "kind"]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return certificate_response(self.get_object())


class OrganizationCaseWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    payload = serializers.DictField(help_text="The organization's fields as on the case form (ids for choices); "
                                              "its region is always its own.")


class OrganizationCaseViewSet(CaseViewSet):
    """The signed-in organization's own cases (organization users only): apply online (a draft for its own record),
    edit, upload documents, submit or withdraw — the same services and workflow kit as the staff's and its pages
    (filings/portal.py). The deciding steps are the authority's; the API answers 400 for them."""

    permission_classes = [IsAuthenticated, OrganizationOnly]
    filterset_class = None
    own_region = True

    def get_queryset(self):
        member = membership_of(self.request.user)
        return self.queryset.filter(organization_id=member.organization_id if member else None) \
            .order_by("-created_at")

    def _organization(self):
        member = membership_of(self.request.user)
        if member is None:
            raise PermissionDenied
        return member.organization

    @extend_schema(request=OrganizationCaseWriteSerializer, responses={201: CaseSerializer})
    def create(self, request):
        from filings.portal import online_kinds

        data = OrganizationCaseWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = self._organization()
        kind = data.validated_data["kind"]
        if kind not in online_kinds(organization):
            raise ValidationError({"kind": _("Your organization cannot apply for this online.")})
        payload = validated_payload(kind, data.validated_data["payload"], request.user, organization, own_region=True)
        case = services.create_case(request.user, kind, payload, organization=organization)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": OrganizationDocumentSerializer},
                   responses={201: DocumentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request, pk=None):
        """Upload a document to the case (checked and size-limited like every upload)."""
        case = self.get_object()
        data = OrganizationDocumentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.add_document(request.user, case, data.validated_data["file"],
                                         data.validated_data["kind"])
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    transition = transition_action(
        TransitionSerializer, CaseSerializer, doc="Submit, apply for establishment, or withdraw (with a reason). "
                                                  "409 when the case moved meanwhile.",
        offered=lambda step: step.action in ("submit", "submit_establishment", "withdraw"))
