"""The organization applies online itself through the API and its pages: its own cases only, its own steps only
(submit, apply for establishment, withdraw), deciding left to the authority. The phone journey through the pages is
tests/e2e/test_org_online.py."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from guardian.shortcuts import assign_perm

from filings.models import Case
from registry.choices import Role, Tier
from registry.models import OrganizationMember, User
from tests.factories import PASSWORD, PDF_BYTES, VALID_ID, OrganizationFactory, make_uscc

DOCUMENTS = ["application", "charter", "leader_id", "venue"]


def member_of(organization, username):
    user = User.objects.create_user(username, password=PASSWORD, role=Role.ORGANIZATION)
    OrganizationMember.objects.create(user=user, organization=organization, is_owner=True)
    assign_perm("registry.view_organization", user, organization)
    return user


@pytest.fixture
def group(world):
    return OrganizationFactory(name="宝石巧手互助队", region=world.community_a1, tier=Tier.COMMUNITY,
                               filing_number=None, ledger_number="西湖台账2027-0007", member_count=8)


@pytest.fixture
def member(group, client_for):
    return client_for(member_of(group, "wangxiuying"))


def payload(group, **overrides):
    return {"name": group.name, "category": group.category_id,
            "target_groups": list(group.target_groups.values_list("pk", flat=True)) or [],
            "leader_name": "王秀英", "leader_id_number": VALID_ID, "leader_phone": "13800000000",
            "member_count": 26, "venue": "宝石社区活动室", "charter_kind": "simplified", **overrides}


def test_api_journey_apply_upload_submit_returned_corrected_filed(member, group, cast, client_for, world):
    made = member.post("/api/org/cases/", {"kind": "filing", "payload": payload(group, member_count=8,
                                                                                 region=world.community_b1.code)},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    case = Case.objects.get(pk=made.json()["id"])
    assert case.organization == group and case.region_id == world.community_a1.code, "its own community, always"
    assert made.json()["payload"]["leader_id_number"] != VALID_ID, "masked in answers"

    for kind in DOCUMENTS:
        upload = SimpleUploadedFile(f"{kind}.pdf", PDF_BYTES, content_type="application/pdf")
        answer = member.post(f"/api/org/cases/{case.pk}/documents/", {"kind": kind, "file": upload})
        assert answer.status_code == 201, answer.content
    approve = member.post(f"/api/org/cases/{case.pk}/transition/", {"action": "approve"},
                          content_type="application/json")
    assert approve.status_code == 400, "deciding is never the organization's step"
    submitted = member.post(f"/api/org/cases/{case.pk}/transition/", {"action": "submit"},
                            content_type="application/json")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"

    street = client_for(cast.street_a)
    returned = street.post(f"/api/cases/{case.pk}/transition/", {"action": "return", "comment": "成员人数不足"},
                           content_type="application/json")
    assert returned.status_code == 200
    mine = member.get(f"/api/org/cases/{case.pk}/").json()
    assert mine["state"] == "returned" and mine["return_reason"] == "成员人数不足"

    corrected = member.patch(f"/api/org/cases/{case.pk}/", {"payload": payload(group)},
                             content_type="application/json")
    assert corrected.status_code == 200
    stale = member.post(f"/api/org/cases/{case.pk}/transition/",
                        {"action": "submit", "version": mine["version"] - 1}, content_type="application/json")
    assert stale.status_code == 409
    assert member.post(f"/api/org/cases/{case.pk}/transition/", {"action": "submit"},
                       content_type="application/json").status_code == 200
    assert street.post(f"/api/cases/{case.pk}/transition/", {"action": "approve"},
                       content_type="application/json").status_code == 200
    group.refresh_from_db()
    assert group.tier == Tier.FILED and group.member_count == 26
    certificate = Case.objects.get(pk=case.pk).certificates.get()
    pdf = member.get(f"/org/certificates/{certificate.pk}/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_its_own_cases_only(member, group, world, cast, client_for):
    from filings.services import create_case
    from tests.factories import org_payload

    other = OrganizationFactory(name="玉泉合唱团", region=world.community_a1)
    theirs = create_case(cast.street_a, "change", org_payload(world.community_a1, name=other.name),
                         organization=other)
    assert member.get(f"/api/org/cases/{theirs.pk}/").status_code == 404
    assert member.get(f"/org/cases/{theirs.pk}/").status_code == 404
    assert member.post(f"/org/cases/{theirs.pk}/act/", {"action": "withdraw", "comment": "x"}).status_code == 404
    assert member.post(f"/api/org/cases/{theirs.pk}/transition/", {"action": "withdraw", "comment": "x"},
                       content_type="application/json").status_code == 404
    assert [row["id"] for row in member.get("/api/org/cases/").json()["results"]] == []
    # and the staff's own case page stays closed, even for its own case
    mine = member.post("/api/org/cases/", {"kind": "filing", "payload": payload(group)},
                       content_type="application/json").json()
    assert member.get(f"/cases/{mine['id']}/").status_code == 403
    assert member.get(f"/org/cases/{mine['id']}/").status_code == 200


def test_what_it_may_apply_for_follows_its_tier(world, client_for):
    registered = OrganizationFactory(name="西湖公益服务中心", region=world.community_a1, tier=Tier.REGISTERED,
                                     legal_form="social_service", uscc=make_uscc(legal_form_digit="2"),
                                     filing_number=None)
    client = client_for(member_of(registered, "center_head"))
    assert client.get("/org/cases/new/filing/").status_code == 404
    assert client.get("/org/cases/new/revocation/").status_code == 404
    assert client.get("/org/cases/new/change/").status_code == 200
    refused = client.post("/api/org/cases/", {"kind": "filing", "payload": {}}, content_type="application/json")
    assert refused.status_code == 400 and "kind" in refused.json()
    home = client.get("/org/").content.decode()
    assert "/org/cases/new/change/" in home and "/org/cases/new/filing/" not in home


def test_staff_cannot_use_the_organization_side(group, cast, client_for):
    street = client_for(cast.street_a)
    assert street.get("/org/cases/new/filing/").status_code == 403
    assert street.get("/api/org/cases/").status_code == 403
    assert street.post("/api/org/cases/", {"kind": "filing", "payload": {}},
                       content_type="application/json").status_code == 403
