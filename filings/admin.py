from django.contrib import admin

from filings.models import Case, CaseEvent, Certificate, RegistrationPolicy
from registry.admin import NoDeleteAdmin, WorkflowEventInline


@admin.register(RegistrationPolicy)
class RegistrationPolicyAdmin(admin.ModelAdmin):
    """Registration conditions per jurisdiction; the longest matching code prefix applies."""

    list_display = ("jurisdiction_code", "name", "source_document", "min_unit_members", "min_individual_members",
                    "min_mixed_members", "min_activity_funds", "min_hub_startup_funds", "filing_min_members")


class CaseEventInline(WorkflowEventInline):
    model = CaseEvent


@admin.register(Case)
class CaseAdmin(NoDeleteAdmin):
    """Read-only here: cases move only through their workflow (the kit's transition(), registry/workflow.py)."""

    list_display = ("number", "kind", "title", "state", "region", "due_on", "created_at")
    list_filter = ("kind", "state")
    search_fields = ("number", "title")
    inlines = [CaseEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Certificate)
class CertificateAdmin(NoDeleteAdmin):
    list_display = ("number", "kind", "organization", "issued_on", "issuing_office", "verification_code")
    list_filter = ("kind",)
    search_fields = ("number", "verification_code", "organization__name")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
