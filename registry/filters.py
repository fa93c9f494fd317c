import django_filters
from django import forms
from django.db.models import Min, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from registry import params
from registry.choices import CommitteeType, Grade, LegalForm, OrgStatus, RegionLevel, Tier, UrbanRuralCode, Vocabulary
from registry.models import Organization, Region, Term


def visible_regions(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.visible_to(request.user)


class RegionField(django_filters.fields.ModelChoiceField):
    """Accepts any visible region's code (a community too, for drill-downs) but lists in its dropdown only the
    two levels below the user's top region, never communities: a province has thousands of streets and tens of
    thousands of communities."""

    def _get_choices(self):
        if hasattr(self, "_choices"):
            return self._choices
        top = self.queryset.aggregate(top=Min("level"))["top"] or RegionLevel.PROVINCE
        iterator = self.iterator(self)
        iterator.queryset = self.queryset.filter(level__lte=min(top + 2, RegionLevel.STREET))
        return iterator

    choices = property(_get_choices, forms.ChoiceField.choices.fset)


class YesNoSelect(django_filters.widgets.BooleanWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("All")), ("true", _("Yes")), ("false", _("No")))


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter whose empty choice reads "all", not Django's "unknown"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoSelect())
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """An object id: a whole number PostgreSQL can hold (a larger one is a form error, not a database error)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", params.MAX_ID)
        super().__init__(*args, **kwargs)


class YearFilter(IdFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", params.YEARS[0])
        kwargs.setdefault("max_value", params.YEARS[1])
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class RegionChoiceFilter(django_filters.ModelChoiceFilter):
    """A region chosen by its code, from the regions the user may see."""

    field_class = RegionField


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label=_("Level"))
    within = RegionChoiceFilter(
        queryset=visible_regions, method="in_subtree", label=_("Within")
    )
    committee_type = django_filters.ChoiceFilter(choices=CommitteeType.choices, label=_("Committee type"))
    urban_rural_code = django_filters.ChoiceFilter(choices=UrbanRuralCode.choices, label=_("Urban-rural code"))
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = Region
        fields = ["q", "level", "within", "committee_type", "urban_rural_code", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def in_subtree(self, queryset, name, value):
        return queryset.subtree(value).exclude(pk=value.pk)


class OrganizationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name, USCC or number"))
    within = RegionChoiceFilter(queryset=visible_regions, method="in_subtree", label=_("Within"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("Tier"))
    legal_form = django_filters.ChoiceFilter(choices=LegalForm.choices, label=_("Legal form"))
    category = django_filters.ModelChoiceFilter(
        queryset=Term.objects.of(Vocabulary.CATEGORY), label=_("Category"))
    status = django_filters.ChoiceFilter(choices=OrgStatus.choices, label=_("Status"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Evaluation grade"))
    hub_kind = django_filters.ModelChoiceFilter(queryset=Term.objects.of(Vocabulary.HUB_KIND), label=_("Hub kind"))
    is_brand = YesNoFilter(label=_("Brand organization"))

    class Meta:
        model = Organization
        fields = ["q", "within", "tier", "legal_form", "category", "status", "grade", "hub_kind", "is_brand"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(uscc=value.upper()) | Q(filing_number=value) | Q(ledger_number=value)
        )

    def in_subtree(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value.prefix)
