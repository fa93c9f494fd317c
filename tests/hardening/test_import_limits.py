"""Import files are capped by size, unpacked size and rows before any parser sees them; refused in under a second."""

import io
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from registry import resources
from registry.models import Job

ZEROS = b"\0" * (1 << 20)


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A small file that declares a worksheet of 300 MB (zeros compress about a thousandfold)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(300):
                sheet.write(ZEROS)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_within_a_second_through_the_api(world, cast, client_for, zip_bomb):
    assert len(zip_bomb) < 2 * 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(ValidationError):
        resources.validate_import_file(SimpleUploadedFile("bomb.xlsx", zip_bomb))
    assert time.perf_counter() - started < 1  # the refusal itself (the request around it: test client, login)
    response = client_for(cast.street_a).post("/api/jobs/", {
        "kind": "import_organizations", "file": SimpleUploadedFile("bomb.xlsx", zip_bomb)})
    assert response.status_code == 400 and "解压" in str(response.json())
    assert not Job.objects.exists()


@pytest.mark.parametrize(("name", "content", "words"), [
    ("many.csv", b"a,b\n" + b"1,2\n" * (resources.MAX_IMPORT_ROWS + 5), "行"),
    ("big.csv", b"x" * (resources.MAX_IMPORT_BYTES + 1), "MB"),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "XLSX"),
])
def test_oversized_or_broken_files_are_refused_with_a_message(world, cast, client_for, name, content, words):
    started = time.perf_counter()
    with pytest.raises(ValidationError):
        resources.validate_import_file(SimpleUploadedFile(name, content))
    assert time.perf_counter() - started < 1
    response = client_for(cast.street_a).post("/api/jobs/", {
        "kind": "import_organizations", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400 and words in str(response.json())


def test_the_page_refuses_a_zip_bomb_too(world, cast, client_for, zip_bomb):
    response = client_for(cast.street_a).post("/imports/", {
        "kind": "import_organizations", "file": SimpleUploadedFile("bomb.xlsx", zip_bomb)})
    assert response.status_code == 200 and "解压" in response.content.decode()
    assert not Job.objects.exists()


def test_a_real_workbook_passes(world):
    from openpyxl import Workbook

    book = Workbook()
    for i in range(10):
        book.active.append([i, "甲"])
    buffer = io.BytesIO()
    book.save(buffer)
    resources.validate_import_file(SimpleUploadedFile("ok.xlsx", buffer.getvalue()))
