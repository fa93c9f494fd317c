"""What the permission matrix needs to know about each scoped model and each URL.

Every URL that takes an object must resolve to a model registered in ``OBJECTS`` (a factory that builds one
such object on street A's side and one on street B's) or be listed in ``UNSCOPED`` with the reason. A view
added without either makes the matrix fail, so no view escapes the access rule unnoticed.
"""

from registry.models import Region

# model -> callable(world, side) returning an object that belongs to street A ("a") or street B ("b")
OBJECTS = {
    Region: lambda world, side: world.community_a1 if side == "a" else world.community_b1,
}

# URL names anyone may open without logging in.
PUBLIC = {
    "login", "logout", "set_language", "healthz", "api:schema", "api:docs", "api:redoc", "api:token",
}

# URL names outside the matrix, with the reason.
UNSCOPED = {
    # Django's admin checks is_staff and model permissions itself; only system administrators get in.
    "admin:*": "Django admin, system administrators only",
}


def object_kwargs(view_class, obj, kwarg_names):
    """URL kwargs that address ``obj``; a view may define ``matrix_kwargs(obj)`` for anything unusual."""
    custom = getattr(view_class, "matrix_kwargs", None)
    if custom is not None:
        return custom(obj)
    if len(kwarg_names) != 1:
        raise AssertionError(f"{view_class} takes {kwarg_names}: define matrix_kwargs(obj) on the view")
    return {kwarg_names[0]: obj.pk}
