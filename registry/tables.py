import functools
import inspect

import django_tables2 as tables
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext_lazy as _

from registry.models import Organization, Region

_signature = tables.utils.signature


@functools.lru_cache(maxsize=4096)
def _cached_signature(function, bound):
    return _signature(function.__get__(object()) if bound else function)


def _signature_once(fn):
    """django-tables2 asks inspect.signature() again for every cell (a third of a list page's rendering time);
    the answer depends only on the function, so it is computed once per function."""
    if inspect.ismethod(fn):
        return _cached_signature(fn.__func__, True)
    try:
        return _cached_signature(fn, False)
    except TypeError:  # unhashable callable
        return _signature(fn)


tables.utils.signature = _signature_once


class BaseTable(tables.Table):
    class Meta:
        attrs = {
            "class": "table table-sm table-hover align-middle",
            # The list container boosts sorting and paging links into the table; links in rows open pages.
            "tbody": {"hx-boost": "false"},
        }


class RegionTable(BaseTable):
    code = tables.Column(linkify=("registry:region_detail", {"pk": tables.A("pk")}), verbose_name=_("Code"))
    name = tables.Column(linkify=("registry:region_detail", {"pk": tables.A("pk")}), verbose_name=_("Name"))
    level = tables.Column(verbose_name=_("Level"))
    parent = tables.Column(verbose_name=_("Parent"), accessor="parent__name", order_by="parent_id")
    committee_type = tables.Column(verbose_name=_("Committee type"))
    urban_rural_code = tables.Column(verbose_name=_("Urban-rural code"))
    population = tables.Column(verbose_name=_("Population"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta(BaseTable.Meta):
        model = Region
        fields = ("code", "name", "level", "parent", "committee_type", "urban_rural_code", "population", "is_active")


class OrganizationTable(BaseTable):
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    number = tables.Column(verbose_name=_("USCC / number"), orderable=False, empty_values=())
    tier = tables.Column(verbose_name=_("Tier"))
    category = tables.Column(verbose_name=_("Category"), order_by="category__sort")
    region = tables.Column(verbose_name=_("Community / region"), accessor="region__name", order_by="region_id")
    status = tables.Column(verbose_name=_("Status"))
    grade = tables.Column(verbose_name=_("Grade"))
    member_count = tables.Column(verbose_name=_("Members"))
    leader_name = tables.Column(verbose_name=_("Person in charge"))
    leader_id = tables.Column(verbose_name=_("ID number"), accessor="masked_id_number", orderable=False)
    leader_phone = tables.Column(verbose_name=_("Phone"), accessor="masked_phone", orderable=False)

    class Meta(BaseTable.Meta):
        model = Organization
        fields = ("name", "number", "tier", "category", "region", "status", "grade", "member_count", "leader_name",
                  "leader_id", "leader_phone")

    def render_number(self, record):
        return record.number or "—"

    def value_number(self, record):
        return record.number


def render_rows(table) -> str:
    """The table's body rows as HTML, built in Python: the same markup as layout/table.html's row block, at a
    fraction of the cost of two nested template loops over 50 rows × 11 columns (docs/benchmarks.md)."""
    columns = list(table.columns)
    labels = [(conditional_escape(column.header), conditional_escape(column.name)) for column in columns]
    html = []
    for row in table.paginated_rows:
        html.append(format_html("<tr {}>", row.attrs.as_html()))
        for (column, cell), (label, name) in zip(row.items(), labels, strict=True):
            if column.localize is None:
                value = localize(template_localtime(cell))
            else:
                value = localize(cell, use_l10n=bool(column.localize))
            html.append(f'<td {column.attrs["td"].as_html()} data-label="{label}" data-column="{name}">'
                        f"{conditional_escape(value)}</td>")
        html.append("</tr>")
    return mark_safe("\n".join(html))  # every part above is escaped or already safe
