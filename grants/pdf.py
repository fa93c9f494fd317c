"""Award notices (立项通知书) as PDF, in Chinese as official documents are issued."""

from django.http import HttpResponse
from django.utils import timezone, translation

from registry.pdf import render_pdf


def notice_pdf(application) -> bytes:
    with translation.override("zh-hans"):
        return render_pdf("grants/pdf/award_notice.html", {
            "application": application,
            "round": application.round,
            "organization": application.applicant,
            "tranches": list(application.tranches.all()),
            "plan": application.round.tranche_plan,
            "today": timezone.localdate(),
        })


def notice_response(application) -> HttpResponse:
    response = HttpResponse(notice_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="award-notice-{application.pk}.pdf"'
    return response
