import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partybuilding.choices import AssignmentKind, Gap, MeetingKind, PartyForm
from partybuilding.coverage import GAP_CONDITIONS, HAS_PARTY_ORGANIZATION, WORK_COVERED
from partybuilding.models import InstructorAssignment, MeetingRecord
from registry.choices import Tier
from registry.filters import IdFilter, RegionChoiceFilter, YesNoFilter, visible_regions
from registry.models import Organization


class PartyOrganizationFilterSet(django_filters.FilterSet):
    """Filters of the Party-building list; expects organizations annotated by coverage.annotate_party()."""

    q = django_filters.CharFilter(method="search", label=_("Name or number"))
    within = RegionChoiceFilter(queryset=visible_regions, method="in_subtree", label=_("Within"))
    prefix = django_filters.CharFilter(
        method="in_prefix", label=_("Region code"), validators=[RegexValidator(r"^\d{1,12}$")],
        help_text=_("Organizations whose community or region code starts with these digits."),
    )
    gap = django_filters.ChoiceFilter(choices=Gap.choices, method="in_gap", label=_("Gap"))
    party_form = django_filters.ChoiceFilter(choices=PartyForm.choices, label=_("Party organization form"))
    party_organization = YesNoFilter(method="with_party_organization", label=_("Has a Party organization"))
    work_covered = YesNoFilter(method="with_work_coverage", label=_("Party work covered"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("Tier"))

    class Meta:
        model = Organization
        fields = ["q", "within", "prefix", "gap", "party_form", "party_organization", "work_covered", "tier"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(uscc=value.upper()) | Q(filing_number=value) | Q(ledger_number=value))

    def in_subtree(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value.prefix)

    def in_prefix(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value)

    def with_party_organization(self, queryset, name, value):
        return queryset.filter(HAS_PARTY_ORGANIZATION if value else ~HAS_PARTY_ORGANIZATION)

    def with_work_coverage(self, queryset, name, value):
        return queryset.filter(WORK_COVERED if value else ~WORK_COVERED)

    def in_gap(self, queryset, name, value):
        return queryset.filter(GAP_CONDITIONS[Gap(value)])


class AssignmentFilterSet(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", label=_("Organization"))
    kind = django_filters.ChoiceFilter(choices=AssignmentKind.choices)
    current = django_filters.BooleanFilter(method="in_force", label=_("In force today"))

    class Meta:
        model = InstructorAssignment
        fields = ["organization", "kind", "current"]

    def in_force(self, queryset, name, value):
        from django.utils import timezone

        current = queryset.current(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


class MeetingFilterSet(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", label=_("Organization"))
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices)
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")

    class Meta:
        model = MeetingRecord
        fields = ["organization", "kind", "held_after", "held_before"]
