import django_filters
from django.utils.translation import gettext_lazy as _

from grants.matching_models import Posting, PostingKind, PostingState
from registry.choices import Vocabulary
from registry.filters import RegionChoiceFilter, visible_regions
from registry.models import Term


class PostingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title"))
    kind = django_filters.ChoiceFilter(choices=PostingKind.choices, label=_("Kind"))
    state = django_filters.ChoiceFilter(choices=PostingState.choices, label=_("State"))
    category = django_filters.ModelChoiceFilter(queryset=Term.objects.of(Vocabulary.CATEGORY), label=_("Category"))
    within = RegionChoiceFilter(queryset=visible_regions, method="in_subtree", label=_("Within"))

    class Meta:
        model = Posting
        fields = ["q", "kind", "state", "category", "within"]

    def in_subtree(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value.prefix) if value else queryset
