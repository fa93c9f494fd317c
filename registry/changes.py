"""A hook for what must follow every write of an organization's records in the same transaction (the figures
engine keeps its facts and counts there): ``organizations_changed`` is sent with the organization ids whenever
rows that describe organizations are written, by ``save()``/``delete()`` (the reporting app connects the model
signals) and by the bulk queryset paths below, which send no model signals of their own."""

from django.dispatch import Signal

organizations_changed = Signal()  # kwargs: ids (organization ids)
regions_changed = Signal()  # kwargs: codes (regions whose committee type or activity may have changed)


_muted = []


class muted:
    """Bulk loaders that rebuild the figures from scratch afterwards (the bench's synthetic province) skip the
    per-write refresh: ``with muted(): ...``."""

    def __enter__(self):
        _muted.append(True)

    def __exit__(self, *exc):
        _muted.pop()


def announce(ids):
    ids = {i for i in ids if i is not None}
    if ids and not _muted:
        organizations_changed.send(sender=None, ids=ids)


class AnnouncesWrites:
    """QuerySet mixin: bulk creates, bulk updates and queryset updates announce the organizations they touched.
    ``organization_field`` names the attribute holding the organization id ("pk" for organizations)."""

    organization_field = "organization_id"

    def _ids_of(self, objs):
        return {getattr(obj, self.organization_field) for obj in objs}

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        announce(self._ids_of(created))
        return created

    def bulk_update(self, objs, *args, **kwargs):
        objs = list(objs)
        updated = super().bulk_update(objs, *args, **kwargs)
        announce(self._ids_of(objs))
        return updated

    def update(self, **kwargs):
        field = "pk" if self.organization_field == "pk" else self.organization_field
        ids = set(self.values_list(field, flat=True))
        updated = super().update(**kwargs)
        announce(ids)
        return updated
