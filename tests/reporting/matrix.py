from reporting.models import Target, YearlyReport


def _report(world, side):
    from django.core.files.base import ContentFile

    from tests.factories import PDF_BYTES

    region = world.street_a if side == "a" else world.street_b
    report = YearlyReport(region=region, year=2026, status="done")
    report.pdf.save("r.pdf", ContentFile(PDF_BYTES), save=False)
    report.save()
    return report


def _target(world, side):
    # Targets are set by bureaus (county and above); a row at a street's prefix stands for "on that side".
    region = world.street_a if side == "a" else world.street_b
    return Target.objects.create(jurisdiction_code=region.prefix, indicator="organizations", value=10,
                                 source_document=f"矩阵目标{side.upper()}{region.code}")


OBJECTS = {YearlyReport: _report, Target: _target}
MARKERS = {YearlyReport: "year", Target: "source_document"}
PARAMETERS = {"reporting:below_target:kind": "urban", "reporting:yearly_file:fmt": "pdf",
              "reporting:figure_rows:indicator": "organizations",
              "api:yearly-report-file:format": "pdf"}
