from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from registry.models import Region, User


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
