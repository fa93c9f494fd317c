from rest_framework import serializers

from registry.models import Region, User


class RegionSerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = [
            "code", "name", "level", "level_display", "parent", "prefix", "committee_type", "urban_rural_code",
            "population", "is_active",
        ]


class CurrentUserSerializer(serializers.ModelSerializer):
    regions = RegionSerializer(source="jurisdiction", many=True, read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role", "role_display", "unit", "regions"]
