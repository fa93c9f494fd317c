"""Typed reading of query, path and body parameters at the edge of a view.

A view that reads ``request.GET`` (or a path or JSON value) by hand goes through one of these helpers instead of
``int()`` or a raw string: a value it cannot use answers 400 with a message in the user's language (404 for an
object id), never a server error deeper down (PostgreSQL refuses NUL bytes and integers past 64 bits).

``InvalidParameter`` is both Django's ``BadRequest`` (pages answer 400) and DRF's ``ValidationError`` (the API
answers 400 with the message), so the same helper serves a page and its endpoint.
"""

import re

from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

# Control characters other than tab, newline and carriage return: no text the portal stores may contain them
# (PostgreSQL refuses NUL; XLSX cannot hold the others).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_ID = 2**63 - 1  # PostgreSQL bigint
YEARS = (1949, 2200)


class InvalidParameter(BadRequest, ValidationError):
    def __init__(self, name, message):
        self.name = name
        self.message = message
        ValidationError.__init__(self, {name: [message]})

    def __str__(self):
        return f"{self.name}: {self.message}"


def has_control_characters(value: str) -> bool:
    return bool(CONTROL.search(value))


def printable(value: str) -> str:
    """The text without control characters (for text the portal writes itself, such as an audit detail)."""
    return CONTROL.sub("", value)


def text(params, name, default="", max_length=200) -> str:
    """A short text parameter (a search, a code): stripped, without control characters, at most max_length."""
    value = params.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidParameter(name, _("Expected text."))
    if has_control_characters(value):
        raise InvalidParameter(name, _("The text contains control characters."))
    value = value.strip()
    if len(value) > max_length:
        raise InvalidParameter(name, _("At most %(count)d characters.") % {"count": max_length})
    return value


def integer(params, name, default=None, minimum=None, maximum=None):
    """A whole number within bounds, or ``default`` when the parameter is absent or empty."""
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise InvalidParameter(name, _("Expected a whole number."))
    try:
        number = int(value) if isinstance(value, int) else int(str(value).strip(), 10)
    except ValueError:
        raise InvalidParameter(name, _("Expected a whole number.")) from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise InvalidParameter(name, _("Expected a number from %(minimum)s to %(maximum)s.") % {
            "minimum": minimum if minimum is not None else "…", "maximum": maximum if maximum is not None else "…"})
    return number


def year(params, name="year", default=None) -> int | None:
    return integer(params, name, default, minimum=YEARS[0], maximum=YEARS[1])


def object_id(params, name, default=None) -> int | None:
    """The id of an object named in a parameter (``?organization=12``); a junk id is a 400."""
    return integer(params, name, default, minimum=1, maximum=MAX_ID)


def path_id(value) -> int:
    """An id taken from the URL: one that cannot exist is simply not found."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 1 <= number <= MAX_ID:
        raise Http404
    return number


def path_text(value, max_length=100) -> str:
    """A code taken from the URL (a region code, a verification code): junk is simply not found."""
    if not isinstance(value, str) or has_control_characters(value) or len(value) > max_length:
        raise Http404
    return value.strip()


def json_object(data, name="payload") -> dict:
    """A JSON body or field that must be an object (not a list, a string or a number)."""
    if not isinstance(data, dict):
        raise InvalidParameter(name, _("Expected an object."))
    return data


class QueryGuardMiddleware:
    """Second line, behind the typed helpers: a query string or path with control characters is refused with 400
    before any view (or the audit trail) passes it to the database, which cannot store a NUL byte."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from urllib.parse import unquote

        raw = unquote(request.META.get("QUERY_STRING", "")) + request.path
        if has_control_characters(raw):
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request):
        from django.http import JsonResponse
        from django.shortcuts import render

        message = _("The address contains control characters; remove them and try again.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return render(request, "400.html", {"message": message}, status=400)


def bad_request(request, exception):
    """handler400: the page says which parameter it could not use."""
    from django.shortcuts import render

    return render(request, "400.html", {"message": getattr(exception, "message", "")}, status=400)
