"""The one spreadsheet writer: every CSV and XLSX the portal writes (list exports, background exports, yearly
reports, import templates, round summaries) goes through ``export_bytes`` or ``workbook_bytes``.

Each cell is cleaned on the way out: characters XLSX cannot hold are dropped (one vertical tab in an activity
title would otherwise break the whole file), and text that a spreadsheet would run as a formula gets a leading
quote (CSV/formula injection: a community named ``=HYPERLINK(...)`` must stay text).
"""

import io
import re

import tablib
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

# A cell starting with one of these is read as a formula by Excel/WPS (CSV injection); prefix a quote.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 (and so XLSX) cannot hold these control characters; tab, newline and carriage return are allowed.
UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_cell(value):
    """The value as it may be written to a spreadsheet: numbers and dates as they are, text made inert."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = UNWRITABLE.sub("", value)
        if value.startswith(FORMULA_TRIGGERS):
            return "'" + value
        return value
    if isinstance(value, (int, float, bool)) or hasattr(value, "isoformat") or type(value).__name__ == "Decimal":
        return value
    return safe_cell(str(value))  # lazy translations, choices, model instances: their text


def dataset_from_rows(headers, rows, title=None) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=[safe_cell(str(h)) for h in headers], title=title)
    for row in rows:
        dataset.append([safe_cell(value) for value in row])
    return dataset


def dataset_from_table(table) -> tablib.Dataset:
    values = iter(table.as_values())
    headers = next(values)
    return dataset_from_rows(headers, values)


def _cleaned(dataset: tablib.Dataset) -> tablib.Dataset:
    """The same rows with every cell cleaned (cleaning twice changes nothing: a quoted cell no longer triggers)."""
    return dataset_from_rows(dataset.headers or [], dataset, title=dataset.title)


def sheet_title(title) -> str:
    """A worksheet name Excel accepts (31 characters, none of []:*?/\\), in the user's language."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(title or _("Data")))[:31]


def export_bytes(dataset: tablib.Dataset, fmt: str) -> bytes:
    dataset = _cleaned(dataset)
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


def workbook_bytes(sheets: dict, widths: dict | None = None, bold_headers: bool = False) -> bytes:
    """A workbook of several sheets: ``sheets`` maps a title to its rows; ``widths`` maps a title to column
    widths by letter; ``bold_headers`` sets each sheet's first row in bold."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(safe_cell(title)[:31])
        for row in rows:
            sheet.append([safe_cell(value) for value in row])
        if bold_headers and sheet.max_row:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
        for letter, width in (widths or {}).get(title, {}).items():
            sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
