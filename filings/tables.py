import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from filings.models import Case
from registry.tables import BaseTable


class CaseTable(BaseTable):
    number = tables.Column(linkify=True, verbose_name=_("Case number"))
    title = tables.Column(verbose_name=_("Organization name"))
    kind = tables.Column(verbose_name=_("Kind"))
    state = tables.Column(verbose_name=_("State"))
    region = tables.Column(verbose_name=_("Region"), accessor="region__name", order_by="region_id")
    submitted_at = tables.DateTimeColumn(verbose_name=_("Submitted"), format="Y-m-d")
    due_on = tables.DateColumn(verbose_name=_("Decision due"), format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = Case
        fields = ("number", "title", "kind", "state", "region", "submitted_at", "due_on")
        row_attrs = {"class": lambda record: "table-danger" if record.is_overdue else ""}

    def render_state(self, record, value):
        return format_html('<span class="badge text-bg-{}">{}</span>', STATE_STYLE.get(record.state, "secondary"),
                           value)

    def value_state(self, record):
        return record.get_state_display()


STATE_STYLE = {
    "draft": "light", "submitted": "primary", "under_review": "info", "preparing": "info",
    "establishment_review": "info", "returned": "warning", "approved": "success", "rejected": "danger",
    "withdrawn": "secondary",
}
