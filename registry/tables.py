import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from registry.models import Region


class RegionTable(tables.Table):
    code = tables.Column(linkify=("registry:region_detail", {"pk": tables.A("pk")}), verbose_name=_("Code"))
    name = tables.Column(linkify=("registry:region_detail", {"pk": tables.A("pk")}), verbose_name=_("Name"))
    level = tables.Column(verbose_name=_("Level"))
    parent = tables.Column(verbose_name=_("Parent"), accessor="parent__name", order_by="parent_id")
    committee_type = tables.Column(verbose_name=_("Committee type"))
    urban_rural_code = tables.Column(verbose_name=_("Urban-rural code"))
    population = tables.Column(verbose_name=_("Population"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = Region
        fields = ("code", "name", "level", "parent", "committee_type", "urban_rural_code", "population", "is_active")
        attrs = {"class": "table table-sm table-hover align-middle"}
