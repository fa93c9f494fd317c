import pytest

from filings.models import Case
from registry.models import PersonalDataView
from tests.factories import PDF_BYTES, VALID_ID, org_payload


@pytest.fixture
def api_for(client_for):
    return client_for


def test_filing_through_the_api(world, cast, colleague_a, api_for):
    street = api_for(cast.street_a)
    created = street.post("/api/cases/", {"kind": "filing", "payload": org_payload(world.community_a1)},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    case = created.json()
    assert case["state"] == "draft"
    assert case["payload"]["leader_id_number"] == "1101**********002X"

    refused = street.post(f"/api/cases/{case['id']}/transition/", {"action": "submit"},
                          content_type="application/json")
    assert refused.status_code == 400

    for kind in ("application", "charter", "leader_id", "venue"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = street.post("/api/documents/", {"case": case["id"], "kind": kind,
                                                   "file": SimpleUploadedFile(f"{kind}.pdf", PDF_BYTES)})
        assert response.status_code == 201, response.content
    submitted = street.post(f"/api/cases/{case['id']}/transition/", {"action": "submit"},
                            content_type="application/json")
    assert submitted.json()["state"] == "submitted"

    own = street.post(f"/api/cases/{case['id']}/transition/", {"action": "approve"}, content_type="application/json")
    assert own.status_code == 403

    decider = api_for(colleague_a)
    assert [a["action"] for a in decider.get(f"/api/cases/{case['id']}/actions/").json()] == [
        "accept", "return", "approve", "reject", "withdraw"]
    version = submitted.json()["version"]
    approved = decider.post(f"/api/cases/{case['id']}/transition/", {"action": "approve", "version": version},
                            content_type="application/json")
    assert approved.json()["state"] == "approved"
    again = decider.post(f"/api/cases/{case['id']}/transition/", {"action": "return", "comment": "x",
                                                                   "version": version},
                         content_type="application/json")
    assert again.status_code == 409

    organization = Case.objects.get(pk=case["id"]).organization
    listed = street.get("/api/organizations/").json()["results"]
    assert [o["name"] for o in listed] == ["夕阳红互助队"]
    assert listed[0]["leader_id_number"] == "1101**********002X"
    assert listed[0]["number"] == organization.filing_number


def test_street_b_cannot_reach_street_a_cases_through_the_api(world, cast, api_for):
    created = api_for(cast.street_a).post("/api/cases/", {"kind": "filing",
                                                          "payload": org_payload(world.community_a1)},
                                          content_type="application/json").json()
    other = api_for(cast.street_b)
    assert other.get(f"/api/cases/{created['id']}/").status_code == 404
    assert other.post(f"/api/cases/{created['id']}/transition/", {"action": "withdraw", "comment": "x"},
                      content_type="application/json").status_code == 404
    assert other.get("/api/cases/").json()["count"] == 0
    refused = other.post("/api/cases/", {"kind": "filing", "payload": org_payload(world.community_a1)},
                         content_type="application/json")
    assert refused.status_code == 400
    assert not Case.objects.filter(created_by=cast.street_b).exists()


def test_full_id_number_endpoint_is_logged_and_role_bound(world, cast, api_for):
    from tests.factories import OrganizationFactory

    organization = OrganizationFactory(region=world.community_a1)
    shown = api_for(cast.reviewer).post(f"/api/organizations/{organization.pk}/id-number/")
    assert shown.json() == {"leader_id_number": VALID_ID}
    assert PersonalDataView.objects.filter(user=cast.reviewer, organization=organization).count() == 1
    assert api_for(cast.leader).post(f"/api/organizations/{organization.pk}/id-number/").status_code == 403
    assert api_for(cast.street_b).post(f"/api/organizations/{organization.pk}/id-number/").status_code == 404
    assert PersonalDataView.objects.count() == 1


def test_token_authentication(world, cast, client):
    from registry.tokens import issue

    _token, key = issue(cast.street_a, second_factor=False)
    response = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.json()["username"] == "street_a"
    assert client.get("/api/me/").status_code in (401, 403)
