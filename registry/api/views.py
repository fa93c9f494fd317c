from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from registry.api.base import ScopedReadOnlyViewSet
from registry.api.serializers import CurrentUserSerializer, RegionSerializer
from registry.filters import RegionFilterSet
from registry.models import Region


class RegionViewSet(ScopedReadOnlyViewSet):
    """Regions in the caller's jurisdiction (province → community)."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    ordering_fields = ["code", "name", "level"]


class CurrentUserView(APIView):
    @extend_schema(responses=CurrentUserSerializer)
    def get(self, request):
        return Response(CurrentUserSerializer(request.user).data)
