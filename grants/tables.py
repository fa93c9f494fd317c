import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from grants.models import Application, ExpertLink, Fund, Payment, Round, Subsidy
from registry.tables import BaseTable

STATE_STYLE = {
    "draft": "light", "open": "success", "review": "info", "decided": "primary", "closed": "secondary",
    "submitted": "primary", "ineligible": "danger", "in_review": "info", "awarded": "success",
    "reserve": "warning", "declined": "secondary", "contracted": "success", "in_progress": "primary",
    "midterm": "primary", "evaluated": "info", "terminated": "danger",
}


class StateColumn(tables.Column):
    def render(self, record, value):
        return format_html('<span class="badge text-bg-{}">{}</span>', STATE_STYLE.get(record.state, "secondary"),
                           value)

    def value(self, record, value):
        return record.get_state_display()


class RoundTable(BaseTable):
    name = tables.Column(linkify=True, verbose_name=_("Round"))
    year = tables.Column(verbose_name=_("Year"))
    region = tables.Column(verbose_name=_("Jurisdiction"), accessor="region__name", order_by="region_id")
    state = StateColumn(verbose_name=_("State"))
    call_closes_on = tables.DateColumn(verbose_name=_("Call closes"), format="Y-m-d")
    ring_fence_pct = tables.Column(verbose_name=_("Ring-fence (%)"))

    class Meta(BaseTable.Meta):
        model = Round
        fields = ("name", "year", "region", "state", "call_closes_on", "ring_fence_pct")


class ApplicationTable(BaseTable):
    title = tables.Column(linkify=True, verbose_name=_("Project"))
    organization = tables.Column(verbose_name=_("Organization"), accessor="organization__name",
                                 order_by="organization__name", empty_values=())
    tier = tables.Column(verbose_name=_("Tier"), accessor="organization__tier", empty_values=())
    round = tables.Column(verbose_name=_("Round"), accessor="round__name", order_by="round_id")
    track = tables.Column(verbose_name=_("Track"), accessor="track__name", order_by="track_id")
    amount_requested = tables.Column(verbose_name=_("Requested (yuan)"))
    state = StateColumn(verbose_name=_("State"))
    score = tables.Column(verbose_name=_("Score"))
    rank = tables.Column(verbose_name=_("Rank"))
    allocation_reason = tables.Column(verbose_name=_("Reason"), accessor="reason_label", order_by="allocation_reason")
    awarded_amount = tables.Column(verbose_name=_("Awarded (yuan)"))

    class Meta(BaseTable.Meta):
        model = Application
        fields = ("title", "organization", "tier", "round", "track", "amount_requested", "state", "score", "rank",
                  "allocation_reason", "awarded_amount")

    def render_organization(self, record):
        return record.applicant.name

    def value_organization(self, record):
        return record.applicant.name

    def render_tier(self, record):
        return record.applicant.get_tier_display()

    def value_tier(self, record):
        return record.applicant.get_tier_display()


class FundTable(BaseTable):
    jurisdiction = tables.Column(verbose_name=_("Jurisdiction"), accessor="jurisdiction__name",
                                 order_by="jurisdiction_id")
    year = tables.Column(verbose_name=_("Year"), linkify=True)
    source = tables.Column(verbose_name=_("Funding source"), accessor="source__name", order_by="source__sort")
    amount = tables.Column(verbose_name=_("Amount (yuan)"))
    note = tables.Column(verbose_name=_("Note"))

    class Meta(BaseTable.Meta):
        model = Fund
        fields = ("jurisdiction", "year", "source", "amount", "note")


class SubsidyTable(BaseTable):
    organization = tables.Column(verbose_name=_("Organization"), accessor="organization__name",
                                 order_by="organization__name")
    region = tables.Column(verbose_name=_("Region"), accessor="organization__region__name",
                           order_by="organization__region_id")
    kind = tables.Column(verbose_name=_("Kind"), accessor="kind__name", order_by="kind__sort")
    amount = tables.Column(verbose_name=_("Amount (yuan)"))
    granted_on = tables.DateColumn(verbose_name=_("Date"), format="Y-m-d")
    source = tables.Column(verbose_name=_("Funding source"), accessor="source__name", order_by="source__sort")
    note = tables.Column(verbose_name=_("Note"))

    class Meta(BaseTable.Meta):
        model = Subsidy
        fields = ("organization", "region", "kind", "amount", "granted_on", "source", "note")


class PaymentTable(BaseTable):
    application = tables.Column(verbose_name=_("Project"), accessor="tranche__application__title",
                                linkify=lambda record: record.tranche.application.get_absolute_url(),
                                order_by="tranche__application__title")
    organization = tables.Column(verbose_name=_("Organization"), accessor="tranche__application__organization__name",
                                 order_by="tranche__application__organization__name")
    round = tables.Column(verbose_name=_("Round"), accessor="tranche__application__round__name",
                          order_by="tranche__application__round_id")
    sequence = tables.Column(verbose_name=_("Tranche"), accessor="tranche__sequence")
    amount = tables.Column(verbose_name=_("Amount (yuan)"))
    paid_on = tables.DateColumn(verbose_name=_("Paid on"), format="Y-m-d")
    source = tables.Column(verbose_name=_("Funding source"), accessor="source__name", order_by="source__sort")
    reference = tables.Column(verbose_name=_("Reference"))

    class Meta(BaseTable.Meta):
        model = Payment
        fields = ("application", "organization", "round", "sequence", "amount", "paid_on", "source", "reference")


class ExpertLinkTable(BaseTable):
    expert = tables.Column(verbose_name=_("Expert"), accessor="expert__username", order_by="expert__username")
    organization = tables.Column(verbose_name=_("Organization"), accessor="organization__name",
                                 order_by="organization__name")
    nature = tables.Column(verbose_name=_("Nature of the link"))
    declared_at = tables.DateTimeColumn(verbose_name=_("Declared"), format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = ExpertLink
        fields = ("expert", "organization", "nature", "declared_at")
