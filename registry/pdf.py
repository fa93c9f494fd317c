"""PDF rendering with WeasyPrint, shared by every app (certificates, award notices, reports)."""

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template, context, base_url=None) -> bytes:
    """HTML template → PDF. Templates name the CJK font installed by `make run` (fonts-wqy-microhei), which
    WeasyPrint embeds as a subset, so the file reads the same on any machine."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).write_pdf()
