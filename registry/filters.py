import django_filters
from django import forms
from django.db.models import Q, Subquery
from django.db.models.functions import Coalesce, Least
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from registry import params
from registry.choices import CommitteeType, Grade, LegalForm, OrgStatus, RegionLevel, Tier, UrbanRuralCode, Vocabulary
from registry.generic import ChoicesAtOnce
from registry.models import AuditAction, Organization, Region, Term


def visible_regions(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.visible_to(request.user)


class DropdownRegions(ChoicesAtOnce):
    """The dropdown's regions: the two levels below the user's top region, narrowed when the dropdown is first
    read. A form asks its field for its choices whenever the field or its queryset is set or copied (three times
    per list page), and building the narrowed query each time was a fifth of the filter form's cost."""

    def __init__(self, field):
        self.field = field
        self.visible = field.queryset

    @cached_property
    def queryset(self):
        # One query: the user's top level comes from a subquery (the level index finds it at once) rather than a
        # MIN() over every region in the subtree, which the dropdown asked for again each time it was iterated.
        top = Coalesce(Subquery(self.visible.order_by("level").values("level")[:1]), RegionLevel.PROVINCE)
        return self.visible.filter(level__lte=Least(top + 2, RegionLevel.STREET))


class RegionField(django_filters.fields.ModelChoiceField):
    """Accepts any visible region's code (a community too, for drill-downs) but lists in its dropdown only the
    two levels below the user's top region, never communities: a province has thousands of streets and tens of
    thousands of communities."""

    iterator = DropdownRegions


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


def _audited_types():
    """(object type, its name) for the record types the trail holds, by name."""
    from django.apps import apps

    from registry.audit import AUDITED_APPS, SKIPPED_MODELS

    types = [(f"{m._meta.app_label}.{m._meta.model_name}", str(m._meta.verbose_name)) for m in apps.get_models()
             if m._meta.app_label in AUDITED_APPS and m.__name__ not in SKIPPED_MODELS
             and not m.__name__.startswith("Historical")]
    return sorted(types, key=lambda pair: pair[1])


class AuditFilterSet(django_filters.FilterSet):
    """The audit page's search: a case number or organization, a person, what was done, to what, and when."""

    record = django_filters.CharFilter(method="search_record", label=_("Case number or organization"))
    person = django_filters.CharFilter(method="search_person", label=_("Person"))
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("Action"))
    object_type = django_filters.ChoiceFilter(choices=_audited_types, label=_("Record type"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"),
                                      widget=forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"),
                                      widget=forms.DateInput(attrs={"type": "date"}))

    def search_record(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(object_repr__icontains=value) | Q(object_id=value) | Q(detail__icontains=value))

    def search_person(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(actor_name__icontains=value) | Q(actor__first_name__icontains=value)
                               | Q(actor__last_name__icontains=value))
