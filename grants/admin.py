from django.contrib import admin

from grants.models import (
    ApplicationEvent,
    Criterion,
    ExpertLink,
    Fund,
    Round,
    RoundBudget,
    RoundEvent,
    Subsidy,
    Track,
)
from registry.admin import NoDeleteAdmin, WorkflowEventInline


class TrackInline(admin.TabularInline):
    model = Track
    extra = 0


class BudgetInline(admin.TabularInline):
    model = RoundBudget
    extra = 0


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class RoundEventInline(WorkflowEventInline):
    model = RoundEvent


@admin.register(Round)
class RoundAdmin(NoDeleteAdmin):
    """Rules and budgets can be corrected here; states move only through the workflow kit's transition()."""

    list_display = ("name", "year", "region", "state", "ring_fence_pct")
    list_filter = ("state", "year")
    search_fields = ("name",)
    raw_id_fields = ("region", "created_by")
    readonly_fields = ("state", "allocation_mode")
    inlines = [TrackInline, BudgetInline, CriterionInline, RoundEventInline]


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ("jurisdiction", "year", "source", "amount")
    list_filter = ("year", "source")
    raw_id_fields = ("jurisdiction",)


@admin.register(Subsidy)
class SubsidyAdmin(NoDeleteAdmin):
    list_display = ("organization", "kind", "amount", "granted_on", "source")
    list_filter = ("kind", "source")
    raw_id_fields = ("organization", "recorded_by")


@admin.register(ExpertLink)
class ExpertLinkAdmin(admin.ModelAdmin):
    list_display = ("expert", "organization", "nature", "declared_at")
    raw_id_fields = ("expert", "organization")


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(NoDeleteAdmin):
    list_display = ("application", "action", "from_state", "to_state", "actor", "at")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
