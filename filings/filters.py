from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.choices import CaseKind, CaseState
from filings.models import Case
from registry.filters import RegionChoiceFilter, YesNoFilter, visible_regions

DUE_SOON_DAYS = 7


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Number or name"))
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices, label=_("Kind"))
    state = django_filters.ChoiceFilter(choices=CaseState.choices, label=_("State"))
    within = RegionChoiceFilter(queryset=visible_regions, method="in_subtree", label=_("Within"))
    overdue = YesNoFilter(method="only_overdue", label=_("Overdue"))
    due_soon = YesNoFilter(method="only_due_soon", label=_("Due within 7 days"))

    class Meta:
        model = Case
        fields = ["q", "kind", "state", "within", "overdue", "due_soon"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value.strip()) | Q(title__icontains=value.strip()))

    def in_subtree(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value.prefix)

    def only_overdue(self, queryset, name, value):
        overdue = queryset.model.objects.overdue(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)

    def only_due_soon(self, queryset, name, value):
        """Open cases whose deadline falls today or in the next DUE_SOON_DAYS days (not yet overdue)."""
        today = timezone.localdate()
        soon = (queryset.model.objects.overdue(today + timedelta(days=DUE_SOON_DAYS + 1))
                .filter(due_on__gte=today).values("pk"))
        return queryset.filter(pk__in=soon) if value else queryset.exclude(pk__in=soon)
