"""Certificates and decision notices as PDF (WeasyPrint), with a CJK font embedded and a verification code."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation

from registry.pdf import render_pdf


def certificate_pdf(certificate) -> bytes:
    # Official documents are issued in Chinese whatever the reader's UI language.
    with translation.override("zh-hans"):
        return render_pdf("filings/pdf/certificate.html", {
            "certificate": certificate,
            "organization": certificate.organization,
            "case": certificate.case,
            "verify_path": reverse("filings:verify", args=[certificate.verification_code]),
            "site_url": settings.SITE_URL,
        })


def certificate_response(certificate) -> HttpResponse:
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.kind}-{certificate.pk}.pdf"'
    return response
