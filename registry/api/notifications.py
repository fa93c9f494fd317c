"""The caller's own notifications: list (``?unread=true``), one, and marking them read."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from registry.api.base import ScopedViewSetMixin
from registry.models import Notification
from registry.notifications import mark_read


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "url", "created_at", "read_at"]
        read_only_fields = fields


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read.")
    unread = serializers.IntegerField(help_text="Unread notifications left.")


class NotificationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer

    def get_queryset(self):
        notes = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("unread") in ("1", "true"):
            notes = notes.filter(read_at__isnull=True)
        return notes

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="only unread ones")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _marked(self, marked):
        unread = Notification.objects.visible_to(self.request.user).filter(read_at__isnull=True).count()
        return Response({"marked": marked, "unread": unread})

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark this notification read."""
        return self._marked(mark_read(request.user, [self.get_object().pk]))

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark all of the caller's notifications read."""
        return self._marked(mark_read(request.user))
