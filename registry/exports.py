"""Exports of the same filtered rows a list page shows, safe to open in a spreadsheet."""

import re

import tablib
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

# A cell starting with one of these is read as a formula by Excel/WPS (CSV injection); prefix a quote.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def dataset_from_rows(headers, rows) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=[str(h) for h in headers])
    for row in rows:
        dataset.append([safe_cell(value) for value in row])
    return dataset


def dataset_from_table(table) -> tablib.Dataset:
    values = iter(table.as_values())
    headers = next(values)
    return dataset_from_rows(headers, values)


def sheet_title(title) -> str:
    """A worksheet name Excel accepts (31 characters, none of []:*?/\\), in the user's language."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(title or _("Data")))[:31]


def export_bytes(dataset: tablib.Dataset, fmt: str) -> bytes:
    if not dataset.title:  # tablib would name the sheet "Tablib Dataset"
        dataset.title = sheet_title(None)
    # The BOM makes Excel on Chinese Windows read the CSV as UTF-8.
    return ("\ufeff" + dataset.export("csv")).encode() if fmt == "csv" else dataset.export("xlsx")


def export_response(dataset: tablib.Dataset, fmt: str, basename: str, title=None) -> HttpResponse:
    if title:
        dataset.title = sheet_title(title)
    response = HttpResponse(export_bytes(dataset, fmt), content_type=FORMATS[fmt])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{basename}-{stamp}.{fmt}"'
    return response
