import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from registry.models import PersonalDataView
from tests.factories import VALID_ID, OrganizationFactory, make_uscc


@pytest.fixture
def orgs(world):
    return {
        "a_filed": OrganizationFactory(name="北山读书会", region=world.community_a1, tier="filed"),
        "a_registered": OrganizationFactory(name="北山公益服务中心", region=world.community_a2, tier="registered",
                                            legal_form="social_service", filing_number=None,
                                            uscc=make_uscc(legal_form_digit="2"), grade="4A"),
        "a_formula": OrganizationFactory(name="=HYPERLINK(\"http://x\")队", region=world.community_a1),
        "b_filed": OrganizationFactory(name="灵隐合唱团", region=world.community_b1),
    }


def test_list_filters_and_search(orgs, cast, client_for):
    client = client_for(cast.reviewer)
    url = reverse("registry:organization_list")
    assert "北山公益服务中心" in client.get(url + "?tier=registered").content.decode()
    assert "北山读书会" not in client.get(url + "?tier=registered").content.decode()
    by_uscc = client.get(url + "?q=" + orgs["a_registered"].uscc).content.decode()
    assert "北山公益服务中心" in by_uscc and "灵隐合唱团" not in by_uscc
    within_b = client.get(url + "?within=330106003").content.decode()
    assert "灵隐合唱团" in within_b and "北山读书会" not in within_b
    assert "北山公益服务中心" in client.get(url + "?grade=4A").content.decode()


def test_list_hides_other_street_and_masks_id(orgs, cast, client_for):
    body = client_for(cast.street_a).get(reverse("registry:organization_list")).content.decode()
    assert "北山读书会" in body and "灵隐合唱团" not in body
    assert VALID_ID not in body
    assert "1101**********002X" in body


def test_exports_mask_personal_data_and_neutralise_formulas(orgs, cast, client_for):
    client = client_for(cast.street_a)
    text = client.get(reverse("registry:organization_list") + "?export=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert VALID_ID not in text
    assert "灵隐合唱团" not in text
    names = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://x\")队" in names

    content = client.get(reverse("registry:organization_list") + "?export=xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    assert VALID_ID not in [str(v) for v in values]


def test_detail_masks_and_reveal_is_logged(orgs, cast, client_for):
    organization = orgs["a_filed"]
    reviewer = client_for(cast.reviewer)
    body = reviewer.get(reverse("registry:organization_detail", args=[organization.pk])).content.decode()
    assert VALID_ID not in body and "1101**********002X" in body
    shown = reviewer.post(reverse("registry:organization_reveal_id", args=[organization.pk]))
    assert VALID_ID in shown.content.decode()
    assert PersonalDataView.objects.get().user == cast.reviewer
    leader = client_for(cast.leader)
    assert leader.post(reverse("registry:organization_reveal_id", args=[organization.pk])).status_code == 403
    page = leader.get(reverse("registry:organization_detail", args=[organization.pk]))
    assert "reveal-id" not in page.content.decode()


def test_history_timeline_shows_changes(orgs, cast, client_for):
    organization = orgs["a_filed"]
    organization.member_count = 99
    organization.save()
    url = reverse("registry:organization_detail", args=[organization.pk])
    body = client_for(cast.street_a).get(url).content.decode()
    assert "99" in body
