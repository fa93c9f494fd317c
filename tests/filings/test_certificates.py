import subprocess

import pytest
from django.urls import reverse

from filings.pdf import certificate_pdf
from filings.services import transition
from tests.factories import VALID_ID, org_payload


def pdf_text(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def filed(world, cast, colleague_a, ready_case):
    case = transition(ready_case(cast.street_a, "filing", org_payload(world.community_a1)), "submit", cast.street_a)
    return transition(case, "approve", colleague_a)


def test_filing_certificate_pdf_holds_name_number_office_and_code(filed):
    certificate = filed.certificates.get()
    text = pdf_text(certificate_pdf(certificate))
    assert "夕阳红互助队" in text
    assert filed.organization.filing_number in text
    assert "北山街道" in text
    assert certificate.verification_code in text
    assert VALID_ID not in text


def test_certificate_embeds_a_cjk_font(filed):
    content = certificate_pdf(filed.certificates.get())
    fonts = subprocess.run(["pdffonts", "-"], input=content, capture_output=True).stdout.decode()
    assert "emb" in fonts.splitlines()[0]
    assert any(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])


def test_certificate_download_is_scoped(filed, cast, client_for):
    url = reverse("filings:certificate_pdf", args=[filed.certificates.get().pk])
    response = client_for(cast.street_a).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client_for(cast.street_b).get(url).status_code == 404


def test_public_verification_shows_status_without_personal_data(filed, client):
    certificate = filed.certificates.get()
    response = client.get(reverse("filings:verify", args=[certificate.verification_code]),
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert response.status_code == 200
    assert "夕阳红互助队" in body and certificate.number in body
    for personal in ("张桂英", VALID_ID, "13812345678"):
        assert personal not in body


def test_verification_follows_the_current_status(filed, client):
    organization = filed.organization
    organization.status = "deregistered"
    organization.save()
    body = client.get(reverse("filings:verify", args=[filed.certificates.get().verification_code])).content.decode()
    assert organization.get_status_display() in body


def test_unknown_code_is_404(client, db):
    assert client.get(reverse("filings:verify", args=["FFFFFFFFFFFFFFFF"])).status_code == 404
