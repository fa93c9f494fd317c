from rest_framework import serializers

from registry.api.fields import VisibleModelSerializer
from registry.models import Organization, Region, User


class RegionSerializer(VisibleModelSerializer):
    prefix = serializers.CharField(read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = [
            "code", "name", "level", "level_display", "parent", "prefix", "committee_type", "urban_rural_code",
            "population", "is_active",
        ]


class CurrentUserSerializer(VisibleModelSerializer):
    regions = RegionSerializer(source="jurisdiction", many=True, read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role", "role_display", "unit", "regions"]


class OrganizationSerializer(VisibleModelSerializer):
    """Personal data always masked here; the full ID number has its own logged endpoint."""

    number = serializers.CharField(read_only=True)
    leader_id_number = serializers.CharField(source="masked_id_number", read_only=True)
    leader_phone = serializers.CharField(source="masked_phone", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    hub_kind = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    # Read-only choice fields lose "may be blank" in the schema; these may be: filed groups have no legal form.
    legal_form = serializers.CharField(read_only=True, help_text="social_group, social_service, foundation or empty")
    charter_kind = serializers.CharField(read_only=True, help_text="full, simplified or empty")
    grade = serializers.CharField(read_only=True, help_text="5A-1A or empty")
    target_groups = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id", "name", "number", "tier", "legal_form", "category", "target_groups", "hub_kind", "region", "status",
            "founded_on", "leader_name", "leader_id_number", "leader_phone", "leader_is_party_member", "member_count",
            "venue", "charter_kind", "is_social_work_institution", "is_volunteer_service", "is_brand", "grade",
            "grade_valid_until", "last_activity_on", "uscc", "registration_authority", "supervising_unit",
            "directly_registered", "legal_representative", "domicile", "startup_funds", "unit_member_count",
            "individual_member_count", "is_charity", "term_ends_on", "registered_on", "filing_number", "filed_on",
            "financial_custody", "ledger_number", "created_at", "updated_at",
        ]
        read_only_fields = fields


class FullIdSerializer(serializers.Serializer):
    leader_id_number = serializers.CharField()
