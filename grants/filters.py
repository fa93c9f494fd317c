import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grants.choices import AppState, RoundState
from grants.models import Application, ExpertLink, Fund, Payment, Round, Subsidy
from registry.choices import Tier, Vocabulary
from registry.filters import IdFilter, RegionChoiceFilter, YearFilter, visible_regions
from registry.models import Term


class RoundFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    year = YearFilter(label=_("Year"))
    state = django_filters.ChoiceFilter(choices=RoundState.choices, label=_("State"))

    class Meta:
        model = Round
        fields = ["q", "year", "state"]


class ApplicationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Project or organization"))
    round = IdFilter(field_name="round_id", label=_("Round"))
    state = django_filters.ChoiceFilter(choices=AppState.choices, label=_("State"))
    tier = django_filters.ChoiceFilter(field_name="organization__tier", choices=Tier.choices, label=_("Tier"))
    within = RegionChoiceFilter(queryset=visible_regions, method="in_subtree", label=_("Within"))

    class Meta:
        model = Application
        fields = ["q", "round", "state", "tier", "within"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(organization__name__icontains=value)
                               | Q(other_applicant__name__icontains=value))

    def in_subtree(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value.prefix)


class FundFilterSet(django_filters.FilterSet):
    year = YearFilter(label=_("Year"))
    source = django_filters.ModelChoiceFilter(queryset=Term.objects.filter(vocabulary=Vocabulary.FUNDING_SOURCE),
                                              label=_("Funding source"))

    class Meta:
        model = Fund
        fields = ["year", "source"]


class SubsidyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="organization__name", lookup_expr="icontains", label=_("Organization"))
    kind = django_filters.ModelChoiceFilter(
        queryset=Term.objects.filter(vocabulary__in=(Vocabulary.SUBSIDY_KIND, Vocabulary.REWARD_KIND)),
        label=_("Kind"))
    year = YearFilter(field_name="granted_on__year", label=_("Year"))
    within = RegionChoiceFilter(queryset=visible_regions, method="in_subtree", label=_("Within"))

    class Meta:
        model = Subsidy
        fields = ["q", "kind", "year", "within"]

    def in_subtree(self, queryset, name, value):
        return queryset.filter(organization__region__code__startswith=value.prefix)


class PaymentFilterSet(django_filters.FilterSet):
    round = IdFilter(field_name="tranche__application__round_id", label=_("Round"))
    year = YearFilter(field_name="paid_on__year", label=_("Year"))

    class Meta:
        model = Payment
        fields = ["round", "year"]


class ExpertLinkFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="organization__name", lookup_expr="icontains", label=_("Organization"))

    class Meta:
        model = ExpertLink
        fields = ["q"]
