import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from filings.services import add_document, create_case
from filings.workflows import WORKFLOWS
from tests.factories import PDF_BYTES, UserFactory


@pytest.fixture
def colleague_a(world):
    """A second staff member of street A, who may decide what street_a submitted."""
    from registry.choices import Role

    return UserFactory(username="street_a2", first_name="北山街道审核人", role=Role.STREET_STAFF,
                       regions=[world.street_a])


def pdf(name="doc.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def ready_case():
    """A case of the given kind with every required document uploaded."""

    def make(user, kind, payload, organization=None):
        case = create_case(user, kind, payload, organization=organization)
        from filings.services import required_documents

        for doc_kind in required_documents(case) or WORKFLOWS[kind].required_documents:
            add_document(user, case, pdf(f"{doc_kind}.pdf"), doc_kind)
        return case

    return make
