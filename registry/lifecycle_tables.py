import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from registry.audit_display import changes_text, record_type
from registry.models import (
    Activity,
    BrandDesignation,
    CreditFlag,
    EvaluationGrade,
    Organization,
    RectificationNotice,
    Training,
)
from registry.personal import mask_ids_in
from registry.tables import BaseTable


class ActivityTable(BaseTable):
    organization = tables.Column(linkify=True, verbose_name=_("Organization"))

    class Meta(BaseTable.Meta):
        model = Activity
        fields = ("held_on", "organization", "title", "place", "participants", "beneficiaries", "campaign")


class TrainingTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = Training
        fields = ("held_on", "person_name", "trainee_kind", "organization", "region", "course", "hours")


class GradeTable(BaseTable):
    organization = tables.Column(linkify=True, verbose_name=_("Organization"))

    class Meta(BaseTable.Meta):
        model = EvaluationGrade
        fields = ("organization", "grade", "awarded_on", "valid_until", "evaluator")


class BrandTable(BaseTable):
    organization = tables.Column(linkify=True, verbose_name=_("Organization"))

    class Meta(BaseTable.Meta):
        model = BrandDesignation
        fields = ("year", "organization", "project", "level", "title")


class FlagTable(BaseTable):
    organization = tables.Column(linkify=True, verbose_name=_("Organization"))
    repair = tables.Column(verbose_name="", empty_values=(), orderable=False, exclude_from_export=True)

    class Meta(BaseTable.Meta):
        model = CreditFlag
        fields = ("organization", "listed_on", "reason", "explanation", "raised_on", "escalated_on")

    def render_repair(self, record):
        return format_html('<a class="btn btn-sm btn-outline-success" href="{}">{}</a>',
                           reverse("registry:flag_repair", args=[record.pk]), _("Repair"))


class NoticeTable(BaseTable):
    organization = tables.Column(linkify=True, verbose_name=_("Organization"))
    record = tables.Column(verbose_name="", empty_values=(), orderable=False, exclude_from_export=True)

    class Meta(BaseTable.Meta):
        model = RectificationNotice
        fields = ("organization", "reason", "explanation", "issued_on", "deadline", "result", "result_on")

    def render_record(self, record):
        if record.result != "pending":
            return ""
        return format_html('<a class="btn btn-sm btn-outline-success" href="{}">{}</a>',
                           reverse("registry:notice_result", args=[record.pk]), _("Record the result"))


class ZombieTable(BaseTable):
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    region = tables.Column(accessor="region__name", verbose_name=_("Community / region"), order_by="region_id")
    decide = tables.Column(verbose_name="", empty_values=(), orderable=False, exclude_from_export=True)

    class Meta(BaseTable.Meta):
        model = Organization
        fields = ("name", "tier", "category", "region", "last_activity_on", "created_at")

    def render_decide(self, record):
        return format_html('<a class="btn btn-sm btn-outline-primary" href="{}" data-testid="zombie-decide">{}</a>',
                           reverse("registry:zombie_decide", args=[record.pk]), _("Clear or reactivate"))


class AuditTable(BaseTable):
    class Meta(BaseTable.Meta):
        from registry.models import AuditEvent

        model = AuditEvent
        fields = ("at", "actor_name", "ip_address", "action", "object_type", "object_repr", "region_code", "changes",
                  "detail")

    def render_actor_name(self, value, record):
        full = record.actor.get_full_name() if record.actor_id else ""
        return f"{full}（{value}）" if full and full != value else value

    def render_object_type(self, value):
        return record_type(value)

    def render_changes(self, value, record):
        return changes_text(record.object_type, value)

    def render_object_repr(self, value):
        return mask_ids_in(value)  # events written before ID numbers were masked at the source

    def render_detail(self, value):
        return mask_ids_in(value)

    def render_region_code(self, value):
        if self._region_names is None:  # one query for the page's regions, not one per row
            from registry.models import Region

            codes = {row.record.region_code for row in self.paginated_rows}
            self._region_names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        return self._region_names.get(value, value)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._region_names = None
