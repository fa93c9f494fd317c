import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from registry.choices import CommitteeType, RegionLevel, UrbanRuralCode
from registry.models import Region


def visible_parents(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.visible_to(request.user).filter(level__lt=RegionLevel.COMMUNITY)


@extend_schema_field(OpenApiTypes.STR)
class RegionChoiceFilter(django_filters.ModelChoiceFilter):
    """A region chosen by its code, from the regions the user may see."""


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label=_("Level"))
    within = RegionChoiceFilter(
        queryset=visible_parents, method="in_subtree", label=_("Within")
    )
    committee_type = django_filters.ChoiceFilter(choices=CommitteeType.choices, label=_("Committee type"))
    urban_rural_code = django_filters.ChoiceFilter(choices=UrbanRuralCode.choices, label=_("Urban-rural code"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Region
        fields = ["q", "level", "within", "committee_type", "urban_rural_code", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def in_subtree(self, queryset, name, value):
        return queryset.subtree(value).exclude(pk=value.pk)
