"""Base API viewsets: the same access rule as the pages, applied once in ``initial()``."""

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied


class ScopedViewSetMixin:
    roles: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        user = request.user
        if self.roles and not (user.sees_everything or user.role in self.roles):
            raise PermissionDenied
        self.queryset = self.queryset.visible_to(user)

    def perform_create(self, serializer):
        self._save_in_scope(serializer)

    def perform_update(self, serializer):
        self._save_in_scope(serializer)

    def _save_in_scope(self, serializer):
        # Saved, then checked against the access rule inside the same transaction; rolled back when out of scope.
        with transaction.atomic():
            instance = serializer.save()
            if not type(instance)._default_manager.visible_to(self.request.user).filter(pk=instance.pk).exists():
                raise PermissionDenied(_("This record would lie outside your jurisdiction."))


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass
