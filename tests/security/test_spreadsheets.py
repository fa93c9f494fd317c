"""Every spreadsheet the portal writes, filled with hostile text, opens in openpyxl without a live formula.

Kinds: every list export (page, CSV and XLSX), a background export job, the yearly report workbook, the import
templates, the round summary and the dashboard export. The hostile text: formula-leading cells (=, +, -, @, tab,
CR) and characters an XLSX file cannot hold (a vertical tab once broke the activity export).
"""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from registry.exports import FORMULA_TRIGGERS, UNWRITABLE, safe_cell
from tests.factories import OrganizationFactory
from tests.test_permission_matrix import LIST_ROUTES

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点此\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)",
           "\tTAB", "\rCR", "标题\x0b竖向制表", "\x01\x1f控制"]


def inert(value) -> bool:
    return not (isinstance(value, str) and (value.startswith(FORMULA_TRIGGERS) or UNWRITABLE.search(value)))


def assert_workbook_inert(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                assert inert(cell.value), f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                cells += 1
    return cells


def assert_csv_inert(content: bytes):
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
        for value in row:
            assert not value.startswith(FORMULA_TRIGGERS[:4]), value
            assert not UNWRITABLE.search(value), repr(value)


@pytest.mark.parametrize("value", [*HOSTILE, None, 0, -5, 1.5, date(2025, 1, 1)])
def test_the_writer_cleans_each_cell(value):
    cleaned = safe_cell(value)
    assert inert(cleaned)
    assert safe_cell(cleaned) == cleaned  # cleaning twice changes nothing
    if isinstance(value, (int, float)):
        assert cleaned == value  # numbers stay numbers (a negative amount is not a formula)


@pytest.fixture
def hostile_world(world, cast):
    """Organizations, an activity, a training and a community whose text is hostile."""
    from registry.models import Activity

    world.community_a1.name = HOSTILE[0]
    world.community_a1.save()
    organizations = [OrganizationFactory(name=f"{text}{index}", region=world.community_a1)
                     for index, text in enumerate(HOSTILE)]
    for index, text in enumerate(HOSTILE):
        Activity.objects.create(organization=organizations[index], held_on=date(2025, 6, 1), title=text,
                                participants=1, beneficiaries=2, recorded_by=cast.street_a)
    return organizations


EXPORTING = [r for r in LIST_ROUTES if not r.is_api and r.view_class and hasattr(r.view_class, "export")]


@pytest.mark.parametrize("route", EXPORTING, ids=lambda r: r.name)
def test_every_list_export_is_inert(route, hostile_world, cast, client_for):
    client = client_for(cast.admin)
    url = reverse(route.name, kwargs=route.parameters)
    xlsx = client.get(url + "?export=xlsx")
    assert xlsx.status_code == 200, xlsx.status_code
    assert_workbook_inert(xlsx.content)
    text = client.get(url + "?export=csv")
    assert text.status_code == 200
    assert_csv_inert(text.content)


def test_the_hostile_rows_are_really_exported(hostile_world, cast, client_for):
    content = client_for(cast.admin).get(reverse("registry:activity_list") + "?export=xlsx").content
    values = {cell.value for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows() for cell in row}
    assert "'=cmd|' /C calc'!A0" in values and "标题竖向制表" in values


def test_a_background_export_is_inert(hostile_world, cast, settings):
    from registry import jobs
    from registry.models import Job

    job = Job.objects.create(kind="export", created_by=cast.admin, parameters={
        "view": "registry.views.lifecycle.ActivityListView", "query": "", "format": "xlsx"})
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert assert_workbook_inert(job.output_file.read()) > len(HOSTILE)


def test_the_yearly_report_workbook_is_inert(hostile_world, world, cast):
    from reporting import yearly
    from reporting.models import YearlyReport

    report = YearlyReport.objects.create(region=world.street_a, year=2025, narrative={
        "progress": "=cmd|' /C calc'!A0", "problems": "@SUM(1)\x0b", "suggestions": "+HYPERLINK(\"x\")"})
    yearly.run(report.pk)
    report.refresh_from_db()
    assert report.status == "done", report.error
    assert_workbook_inert(report.xlsx.read())


@pytest.mark.parametrize("url", [reverse("registry:import_template", args=[kind]) for kind in
                                 ("import_organizations", "import_activities", "import_trainings")]
                         + ["/party/import/template.xlsx"])
def test_the_import_templates_are_inert(url, world, cast, client_for):
    response = client_for(cast.admin).get(url)
    assert response.status_code == 200
    assert_workbook_inert(response.content)


def test_the_round_summary_is_inert(world, cast, client_for):
    from tests.grants.factories import application, open_round, organization

    round_ = open_round(world.county, cast.reviewer)
    for text in HOSTILE[:4]:
        application(round_, organization(world.community_a1, name=f"{text}组织"), cast.street_a, title=text)
    response = client_for(cast.reviewer).get(reverse("grants:round_summary", args=[round_.pk]) + "?export=xlsx")
    assert response.status_code == 200
    assert_workbook_inert(response.content)


def test_the_dashboard_export_is_inert(world, cast, client_for):
    from reporting.models import Target

    Target.objects.create(jurisdiction_code=world.county.prefix, indicator="organizations", value=10,
                          source_document=HOSTILE[1])
    response = client_for(cast.reviewer).get(reverse("reporting:dashboard") + f"?region={world.county.code}"
                                             "&export=xlsx")
    assert response.status_code == 200
    assert_workbook_inert(response.content)
    values = {cell.value for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows()
              for cell in row}
    assert "'" + HOSTILE[1] in values  # the hostile source document is there, neutralised
