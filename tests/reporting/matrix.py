from reporting.models import YearlyReport


def _report(world, side):
    from django.core.files.base import ContentFile

    from tests.factories import PDF_BYTES

    region = world.street_a if side == "a" else world.street_b
    report = YearlyReport(region=region, year=2026, status="done")
    report.pdf.save("r.pdf", ContentFile(PDF_BYTES), save=False)
    report.save()
    return report


OBJECTS = {YearlyReport: _report}
MARKERS = {YearlyReport: "year"}
PARAMETERS = {"reporting:yearly_file:fmt": "pdf",
              "reporting:figure_rows:indicator": "organizations",
              "api:yearly-report-file:format": "pdf"}
