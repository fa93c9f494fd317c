import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filings.models import Document
from filings.services import add_document, create_case
from tests.factories import PDF_BYTES, PNG_BYTES, org_payload


@pytest.fixture
def draft(world, cast):
    return create_case(cast.street_a, "filing", org_payload(world.community_a1))


def upload(name, content):
    return SimpleUploadedFile(name, content)


def test_pdf_and_png_are_recognised_by_content(draft, cast):
    pdf = add_document(cast.street_a, draft, upload("申请表.pdf", PDF_BYTES), "application")
    png = add_document(cast.street_a, draft, upload("身份证.jpg", PNG_BYTES), "leader_id")
    assert (pdf.content_type, png.content_type) == ("application/pdf", "image/png")
    assert png.original_name == "身份证.jpg"


@pytest.mark.parametrize("content", [b"<html><script>alert(1)</script></html>", b"MZ\x90\x00 executable", b""])
def test_other_content_is_refused_whatever_the_name(draft, cast, content):
    with pytest.raises(ValidationError):
        add_document(cast.street_a, draft, upload("章程.pdf", content), "charter")
    assert not Document.objects.exists()


def test_size_limit(draft, cast, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="100"):
        add_document(cast.street_a, draft, upload("big.pdf", PDF_BYTES + b"0" * 200), "charter")


def test_files_live_outside_the_web_root_under_random_names(draft, cast):
    document = add_document(cast.street_a, draft, upload("章程.pdf", PDF_BYTES), "charter")
    path = document.file.path
    assert path.startswith(str(settings.MEDIA_ROOT))
    assert not path.startswith(str(settings.STATIC_ROOT))
    assert "章程" not in path
    assert not settings.MEDIA_URL or settings.MEDIA_URL == "/"  # no URL serves the media folder directly


def test_download_applies_the_access_rule(draft, cast, client_for):
    document = add_document(cast.street_a, draft, upload("章程.pdf", PDF_BYTES), "charter")
    url = reverse("filings:document_download", args=[document.pk])
    response = client_for(cast.street_a).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "attachment" in response["Content-Disposition"]
    assert client_for(cast.street_b).get(url).status_code == 404
    assert client_for(cast.outsider).get(f"/api/documents/{document.pk}/download/").status_code == 404


def test_upload_page_reports_bad_file_in_chinese(draft, cast, client_for):
    response = client_for(cast.street_a).post(
        reverse("filings:document_upload", args=[draft.pk]),
        {"kind": "charter", "file": upload("章程.pdf", b"not really a pdf")}, follow=True)
    assert "PDF" in response.content.decode()
    assert not Document.objects.exists()
