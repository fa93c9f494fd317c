"""The audit trail as people read it: record types and fields by their Chinese names, values as labels.

The stored events keep codes and field names (stable for the API and for forensics); the page and its exports
show them through these functions.
"""

from functools import cache, lru_cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

# Bookkeeping no reader needs: the optimistic-lock counter and the row's own key.
HIDDEN_FIELDS = {"version", "id"}


@cache
def _model(object_type):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def record_type(object_type: str) -> str:
    """``filings.case`` → 办理事项 (the model's verbose name in the user's language)."""
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def _field(model, name):
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def value_label(field, value) -> str:
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.many_to_one and isinstance(value, int | str):
        return _related_name(field.related_model._meta.label, value)
    if isinstance(value, str) and len(value) > 19 and value[4:5] == "-" and value[10:11] in (" ", "T"):
        return value[:16].replace("T", " ")  # a stored timestamp, to the minute
    return str(value)


@lru_cache(maxsize=1024)
def _related_name(label, pk) -> str:
    """A related record by its name (a user by full name); the key if it no longer exists."""
    model = apps.get_model(label)
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        return f"#{pk}"
    full_name = getattr(obj, "get_full_name", None)
    return (full_name() if full_name else "") or str(obj)


def readable_changes(object_type: str, changes: dict) -> list[tuple[str, str, str]]:
    """[(field label, old, new)] of an event's changes."""
    from registry.personal import mask_ids_in

    model = _model(object_type)
    rows = []
    # Events written before ID numbers were masked at the source are masked on the way out.
    for name, pair in mask_ids_in(changes or {}).items():
        if name in HIDDEN_FIELDS:
            continue
        old, new = [*pair, None, None][:2] if isinstance(pair, list | tuple) else (None, pair)
        field = _field(model, name)
        label = str(field.verbose_name) if field is not None and hasattr(field, "verbose_name") else name
        rows.append((label, value_label(field, old), value_label(field, new)))
    return rows


def changes_text(object_type: str, changes: dict, limit=300) -> str:
    text = "；".join(f"{label}：{old} → {new}" for label, old, new in readable_changes(object_type, changes))
    return text[:limit] or "—"
