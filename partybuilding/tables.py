import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from partybuilding.choices import PartyForm
from registry.models import Organization
from registry.tables import BaseTable


class PartyOrganizationTable(BaseTable):
    """Organizations with their Party-building status; rows come from coverage.annotate_party()."""

    # Named "actions" so the generic export leaves the tick boxes out.
    actions = tables.CheckBoxColumn(accessor="pk", attrs={"input": {"name": "organizations"}},
                                    verbose_name=_("Select"))
    name = tables.Column(linkify=("partybuilding:organization_party", {"pk": tables.A("pk")}),
                         verbose_name=_("Name"))
    number = tables.Column(verbose_name=_("USCC / number"), orderable=False, empty_values=())
    region = tables.Column(verbose_name=_("Community / region"), accessor="region__name", order_by="region_id")
    tier = tables.Column(verbose_name=_("Tier"))
    party_form = tables.Column(verbose_name=_("Party organization"))
    party_full_members = tables.Column(verbose_name=_("Full Party members"))
    party_probationary_members = tables.Column(verbose_name=_("Probationary Party members"))
    has_instructor = tables.BooleanColumn(verbose_name=_("Instructor or liaison"))
    leader_is_party_member = tables.BooleanColumn(verbose_name=_("Person in charge is a Party member"))

    class Meta(BaseTable.Meta):
        model = Organization
        fields = ("actions", "name", "number", "region", "tier", "party_form", "party_full_members",
                  "party_probationary_members", "has_instructor", "leader_is_party_member")
        row_attrs = {"data-testid": "party-org-row"}

    def render_number(self, record):
        return record.number or "—"

    def value_number(self, record):
        return record.number

    def render_party_form(self, value):
        style = "secondary" if value == PartyForm.NONE else "success"
        return format_html('<span class="badge text-bg-{}">{}</span>', style, PartyForm(value).label)

    def value_party_form(self, value):
        return PartyForm(value).label
