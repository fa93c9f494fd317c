"""Related fields of writeable serializers choose only among objects the caller may see: an id outside the
caller's jurisdiction reads as "does not exist" (400), like a page's dropdown that never lists it."""

from rest_framework import serializers


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by id, narrowed through the access rule (``visible_to``) of its model when it has one
    (regions, organizations, cases, applications...); models without one (vocabulary terms, users) as given."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if not hasattr(queryset, "visible_to"):
            return queryset
        request = self.context.get("request")
        if request is None:
            # A view that builds its serializer without context (``Serializer(data=request.data)``): the request
            # being served, as the audit trail knows it (DRF sets the token's user on it too). None outside one.
            from registry.audit import _request

            request = _request.get()
        user = getattr(request, "user", None)
        return queryset.visible_to(user)


# Base of every writeable model serializer: its generated related fields are ``VisibleRelatedField``. (A comment,
# not a docstring: the schema would show a docstring as the description of every serializer without its own.)
class VisibleModelSerializer(serializers.ModelSerializer):
    serializer_related_field = VisibleRelatedField
