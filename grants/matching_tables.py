import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from grants.matching_models import Posting
from registry.tables import BaseTable


class PostingTable(BaseTable):
    title = tables.Column(verbose_name=_("Title"), linkify=True)
    kind = tables.Column(verbose_name=_("Kind"))
    category = tables.Column(verbose_name=_("Category"), accessor="category__name", order_by="category__sort")
    region = tables.Column(verbose_name=_("Community or street"), accessor="region__name", order_by="region_id")
    starts_on = tables.DateColumn(verbose_name=_("From"), format="Y-m-d")
    budget = tables.Column(verbose_name=_("Budget (yuan)"))
    state = tables.Column(verbose_name=_("State"))
    interest_count = tables.Column(verbose_name=_("Interested organizations"), orderable=False)

    class Meta(BaseTable.Meta):
        model = Posting
        fields = ("title", "kind", "category", "region", "starts_on", "budget", "state", "interest_count")
