from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partybuilding.models import InstructorAssignment, MeetingRecord, PartyBuilding


class KeepHistoryAdmin(SimpleHistoryAdmin):
    """Party-building records are corrected, never deleted (an assignment ends by its "to" date)."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PartyBuilding)
class PartyBuildingAdmin(KeepHistoryAdmin):
    list_display = ("organization", "form", "full_members", "probationary_members", "established_on",
                    "last_contact_on", "updated_at")
    list_filter = ("form", "two_way_entry", "cross_appointment")
    search_fields = ("organization__name", "superior_organization")
    raw_id_fields = ("organization", "joint_with", "updated_by")


@admin.register(InstructorAssignment)
class InstructorAssignmentAdmin(KeepHistoryAdmin):
    list_display = ("person_name", "kind", "unit", "organization", "starts_on", "ends_on", "assigned_by")
    list_filter = ("kind",)
    search_fields = ("person_name", "unit", "organization__name")
    raw_id_fields = ("organization", "assigned_by")


@admin.register(MeetingRecord)
class MeetingRecordAdmin(KeepHistoryAdmin):
    list_display = ("organization", "held_on", "kind", "attendees", "recorded_by")
    list_filter = ("kind",)
    search_fields = ("organization__name", "note")
    raw_id_fields = ("organization", "recorded_by")
