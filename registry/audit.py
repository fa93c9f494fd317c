"""The audit trail: every create, update, workflow step, export, download, full view of an ID number and login.

Plain records (AuditEvent rows); the acting user and address come from the request through a context variable,
so services called from views are attributed without taking a request. Bulk writes (imports, demo data, the
daily jobs' status changes) are recorded as one event each, not per row.
"""

import contextvars
import logging
from functools import cache, lru_cache
from ipaddress import ip_address, ip_network
from urllib.parse import unquote

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save, pre_save

from registry.params import printable

logger = logging.getLogger(__name__)

_request = contextvars.ContextVar("audit_request", default=None)

AUDITED_APPS = {"registry", "filings", "grants", "partybuilding", "reporting"}
SKIPPED_MODELS = {"AuditEvent", "NumberSequence", "Notification", "Job", "IndicatorSnapshot", "YearlyReport"}
# Written by the login itself, which has its own event: a change of only these is not recorded again.
LOGIN_FIELDS = {"last_login"}
MASKED_FIELDS = {"leader_id_number": "masked_id", "leader_phone": "masked_phone", "password": None}


@lru_cache(maxsize=8)
def _trusted_networks(proxies: tuple[str, ...]):
    return tuple(ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address, networks) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request):
    """The client's address: the connecting address, unless that is a trusted proxy (``TRUSTED_PROXIES``); then
    the nearest address in ``X-Forwarded-For`` that is not one of the trusted proxies (read from the right, as
    each proxy appends what it saw, and anything to the left is the client's own claim). Also axes' address."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if remote is None or not networks or not _is_trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ip_address(hop))
            except ValueError:
                return remote  # a proxy passed on garbage: the proxy is all we know
    return hops[0] if hops else remote


class AuditMiddleware:
    """Makes the request's user and address available to the audit records; records attachment responses
    (every export and download, pages and API alike)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            response = self.get_response(request)
            disposition = response.get("Content-Disposition", "")
            if "attachment" in disposition and response.status_code == 200:
                from registry.models import AuditAction

                exporting = "export=" in request.META.get("QUERY_STRING", "")
                record(AuditAction.EXPORT if exporting else AuditAction.DOWNLOAD,
                       detail=printable(unquote(f"{request.path}?{request.META.get('QUERY_STRING', '')}"))[:300],
                       object_repr=disposition.split("filename=")[-1].strip('"')[:200])
            return response
        finally:
            _request.reset(token)


def _region_code(obj):
    if obj is None:
        return ""
    lookup = getattr(type(obj), "scope_region_lookup", None)
    if not lookup:
        return ""
    value = obj
    for part in lookup.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


def _mask(field, value):
    from registry.personal import mask_id, mask_ids_in, mask_phone

    if isinstance(value, dict | list):  # a case's payload: the organization's fields, ID number among them
        return mask_ids_in(value)
    if field == "leader_id_number":
        return mask_id(str(value or ""))
    if field == "leader_phone":
        return mask_phone(str(value or ""))
    if field == "password":
        return "***"
    return value


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def record(action, obj=None, *, user=None, changes=None, detail="", object_repr=None, region_code=None):
    """Write one audit event. Never raises into the caller's work: a failure to audit is logged loudly."""
    from registry.models import AuditEvent
    from registry.personal import mask_ids_in

    # Personal data never enters the trail in full, whatever the caller passed (the page, its CSV export and the
    # API show what is stored).
    changes, detail = mask_ids_in(changes or {}), mask_ids_in(detail)
    object_repr = mask_ids_in(object_repr) if object_repr is not None else None
    request = _request.get()
    if user is None and request is not None and getattr(request, "user", None) is not None \
            and request.user.is_authenticated:
        user = request.user
    if region_code is None:
        region_code = _region_code(obj)
        if not region_code and user is not None and getattr(user, "primary_region", None) is not None:
            region_code = user.primary_region.code
    try:
        with transaction.atomic():  # a failed insert must not break the caller's transaction
            AuditEvent.objects.create(
                actor=user if getattr(user, "pk", None) else None, actor_name=getattr(user, "username", "") or "",
                ip_address=client_ip(request) if request is not None else None, action=action,
                object_type=f"{obj._meta.app_label}.{obj._meta.model_name}" if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "",
                object_repr=printable(object_repr if object_repr is not None else mask_ids_in(str(obj))
                                      if obj is not None else "")[:200],
                region_code=region_code[:12], changes=changes or {}, detail=printable(detail)[:300])
    except Exception:  # the audited work must not fail because auditing did; the log shows it
        logger.exception("audit record failed: %s %s", action, obj)


# ------------------------------------------------------------------------------------------------ signal handlers

# What follows depends only on the model class: computed once per class, not on every save.
@cache
def _audited(sender) -> bool:
    meta = sender._meta
    # Migrations' state models (module "__fake__") write seed data before the audit table may exist.
    return (meta.app_label in AUDITED_APPS and sender.__name__ not in SKIPPED_MODELS
            and not sender.__name__.startswith("Historical") and sender.__module__ != "__fake__")


@cache
def _has_history(sender) -> bool:
    from simple_history.models import registered_models

    return sender._meta.db_table in {m._meta.db_table for m in registered_models.values()}


@cache
def _is_event(sender) -> bool:
    names = {f.name for f in sender._meta.get_fields()}
    return {"action", "from_state", "to_state", "actor"} <= names


@cache
def _has_events(sender) -> bool:
    """Whether the model's steps are rows of an event model (a case and its CaseEvent rows)."""
    return any(_is_event(relation.related_model) for relation in sender._meta.related_objects)


def _defer_to_event(instance, action, changes) -> bool:
    """One event per action: a workflow subject's own create/update is held on the instance and written with the
    step's event row that follows it in the same transaction. Held changes no step claims are written when the
    transaction commits, so nothing is lost."""
    if not transaction.get_connection().in_atomic_block:
        return False
    pending = getattr(instance, "_audit_pending", None)
    if pending is None:
        instance._audit_pending = (action, dict(changes))
        transaction.on_commit(lambda: _flush_pending(instance))
    else:  # saved twice before its event: keep the first action, the latest values
        for field, (old, new) in changes.items():
            pending[1][field] = [pending[1].get(field, [old])[0], new]
    return True


def _flush_pending(instance):
    pending = instance.__dict__.pop("_audit_pending", None)
    if pending is not None:
        record(pending[0], instance, changes=pending[1])


def on_history(sender, instance, history_instance, **kwargs):
    """Creates and changes of models with history: the diff against the previous version."""
    from registry.models import AuditAction

    model = type(instance)
    if model._meta.app_label not in AUDITED_APPS:
        return
    kind = history_instance.history_type
    changes = {}
    previous = history_instance.prev_record if kind == "~" else None
    if previous is not None:
        for change in history_instance.diff_against(previous, foreign_keys_are_objs=False).changes:
            changes[change.field] = [_jsonable(_mask(change.field, change.old)),
                                     _jsonable(_mask(change.field, change.new))]
        if not changes:
            return
    action = {"+": AuditAction.CREATE, "~": AuditAction.UPDATE, "-": AuditAction.DELETE}[kind]
    record(action, instance, user=getattr(history_instance, "history_user", None), changes=changes,
           detail=getattr(history_instance, "history_change_reason", "") or "")


def on_pre_save(sender, instance, **kwargs):
    """Remember the values before a change of a model without history, for the diff after saving."""
    if not _audited(sender) or _has_history(sender) or _is_event(sender) or instance.pk is None:
        return
    before = sender._default_manager.filter(pk=instance.pk).values().first()
    instance._audit_before = before


def on_post_save(sender, instance, created, **kwargs):
    from registry.models import AuditAction, PersonalDataView

    if not _audited(sender) or _has_history(sender) or kwargs.get("raw"):
        return
    if sender is PersonalDataView:
        record(AuditAction.VIEW_PERSONAL, instance.organization, user=instance.user, detail=instance.field)
        return
    if _is_event(sender):
        subject = next((getattr(instance, f.name) for f in sender._meta.concrete_fields
                        if f.is_relation and f.name != "actor"), None)
        pending = subject.__dict__.pop("_audit_pending", None) if subject is not None else None
        changes = dict(pending[1]) if pending else {}
        if instance.to_state:
            changes["state"] = [instance.from_state or None, instance.to_state]
        record(AuditAction.TRANSITION, subject, user=instance.actor, changes=changes,
               detail=f"{instance.action}: {instance.comment}"[:300])
        return
    after = {f.attname: getattr(instance, f.attname) for f in sender._meta.concrete_fields}
    before = getattr(instance, "_audit_before", None) or {}
    if created:
        changes = {k: [None, _jsonable(_mask(k, v))] for k, v in after.items() if v not in (None, "", False)}
    else:
        changes = {k: [_jsonable(_mask(k, before.get(k))), _jsonable(_mask(k, v))]
                   for k, v in after.items() if k in before and before.get(k) != v and k not in LOGIN_FIELDS}
        if not changes:
            return
    action = AuditAction.CREATE if created else AuditAction.UPDATE
    if _has_events(sender) and _defer_to_event(instance, action, changes):
        return
    record(action, instance, changes=changes)


def on_login(sender, request, user, **kwargs):
    from registry.models import AuditAction

    token = _request.set(request)
    try:
        record(AuditAction.LOGIN, user=user, object_repr=user.username)
    finally:
        _request.reset(token)


def on_logout(sender, request, user, **kwargs):
    from registry.models import AuditAction

    if user is not None:
        record(AuditAction.LOGOUT, user=user, object_repr=user.username)


def on_login_failed(sender, credentials, request=None, **kwargs):
    from registry.models import AuditAction

    token = _request.set(request)
    try:
        record(AuditAction.LOGIN_FAILED, object_repr=str(credentials.get("username", ""))[:150], region_code="")
    finally:
        _request.reset(token)


def connect():
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
    from simple_history.signals import post_create_historical_record

    post_create_historical_record.connect(on_history, dispatch_uid="audit-history")
    pre_save.connect(on_pre_save, dispatch_uid="audit-pre-save")
    post_save.connect(on_post_save, dispatch_uid="audit-post-save")
    user_logged_in.connect(on_login, dispatch_uid="audit-login")
    user_logged_out.connect(on_logout, dispatch_uid="audit-logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit-login-failed")
