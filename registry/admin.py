from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from registry.models import ApiToken, Organization, PersonalDataView, Region, Term, User


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "level", "parent", "committee_type", "urban_rural_code", "is_active")
    list_filter = ("level", "committee_type", "urban_rural_code", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    # Administrators may change a community's classification (DOMAIN.md §1); the code is its identity.
    readonly_fields = ("code",)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "unit", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    filter_horizontal = ("regions", "groups", "user_permissions")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Post"), {"fields": ("role", "regions", "unit", "phone")}),
    )
    autocomplete_fields = ()


class NoDeleteAdmin(admin.ModelAdmin):
    """Registry records are never deleted: closed organizations keep their record and history."""

    def has_delete_permission(self, request, obj=None):
        return False


class WorkflowEventInline(admin.TabularInline):
    """A workflow object's events (registry.models.WorkflowEvent), read-only: they are written by the kit alone."""

    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_state", "to_state", "actor", "at", "comment")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(NoDeleteAdmin, SimpleHistoryAdmin):
    list_display = ("name", "tier", "category", "region", "status", "uscc", "filing_number", "ledger_number")
    list_filter = ("tier", "status", "legal_form", "category")
    search_fields = ("name", "uscc", "filing_number", "ledger_number")
    raw_id_fields = ("region",)
    exclude = ("leader_id_number",)  # shown and changed only through the logged, role-bound paths
    readonly_fields = ("created_at", "updated_at")


@admin.register(Term)
class TermAdmin(NoDeleteAdmin):
    """The code lists (DOMAIN.md §4): rename, reorder or retire entries; codes stay stable."""

    list_display = ("vocabulary", "code", "name", "name_en", "is_priority", "sort", "is_active")
    list_filter = ("vocabulary", "is_active")
    list_editable = ("name", "name_en", "is_priority", "sort", "is_active")
    search_fields = ("code", "name", "name_en")


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(NoDeleteAdmin):
    list_display = ("viewed_at", "user", "organization", "field", "ip_address")
    list_filter = ("field",)
    search_fields = ("user__username", "organization__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(NoDeleteAdmin):
    """Administrators see every API token (never its key: only a digest is stored) and revoke them."""

    list_display = ("prefix", "user", "name", "second_factor", "created_at", "expires_at", "last_used_at",
                    "revoked_at")
    list_filter = ("second_factor",)
    search_fields = ("user__username", "prefix", "name")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # issued by the user, past the second factor (registry/tokens.py)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        from registry import tokens

        for token in queryset:
            tokens.revoke(request.user, token)
