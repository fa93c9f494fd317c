"""The one translation of a service's exceptions into API answers, for every viewset (the REST framework's
``EXCEPTION_HANDLER``): a refusal is 403 with its reason, invalid input 400 with its messages, and a stale state 409
with the workflow kit's conflict message, the same words the page shows; an object out of scope is 404."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from registry.workflow import TransitionConflict


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def as_drf(exc):
    """Django's exceptions from a service, as the REST framework's (same messages, in the user's language)."""
    if isinstance(exc, TransitionConflict):
        return Conflict(str(exc))
    if isinstance(exc, DjangoPermissionDenied):
        return PermissionDenied(str(exc) or None)
    if isinstance(exc, ObjectDoesNotExist):  # out of the caller's scope, as far as the caller can tell
        return NotFound()
    if isinstance(exc, DjangoValidationError):
        return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    return exc


def exception_handler(exc, context):
    return drf_exception_handler(as_drf(exc), context)
