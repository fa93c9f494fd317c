"""Uploaded documents: PDF, JPEG or PNG, recognised by their first bytes, never by the file name."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]


def sniff(upload) -> str:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    raise ValidationError(_("%(name)s is not a PDF, JPEG or PNG file (checked by its content, not its name).")
                          % {"name": upload.name})


def check_upload(upload) -> tuple[str, str]:
    """Content type and SHA-256 of an acceptable upload, or ValidationError in the user's language."""
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(_("%(name)s is %(size)s; the limit is %(limit)s.") % {
            "name": upload.name, "size": filesizeformat(upload.size),
            "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES)})
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": upload.name})
    content_type = sniff(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()
