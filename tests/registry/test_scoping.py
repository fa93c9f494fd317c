"""A street-A user cannot see street B's communities through a page, the API or an export."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from registry.models import Region


def codes_in_csv(response):
    text = response.content.decode("utf-8-sig")
    return {row[0] for row in csv.reader(io.StringIO(text))}


def test_visible_to_follows_the_region_subtree(world, cast):
    visible = set(Region.objects.visible_to(cast.street_a).values_list("code", flat=True))
    assert visible == {"330106002", "330106002001", "330106002201"}
    assert Region.objects.visible_to(cast.reviewer).filter(code="330106003001").exists()
    assert not Region.objects.visible_to(cast.outsider).filter(code__startswith="330106").exists()
    assert Region.objects.visible_to(cast.admin).count() == Region.objects.count()


def test_expert_without_region_sees_no_region(world, cast):
    assert not Region.objects.visible_to(cast.expert).exists()


def test_region_list_page_hides_other_street(world, cast, client_for):
    response = client_for(cast.street_a).get(reverse("registry:region_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "宝石社区" in body
    assert "玉泉社区" not in body


def test_region_detail_of_other_street_is_404(world, cast, client_for):
    client = client_for(cast.street_a)
    assert client.get(reverse("registry:region_detail", args=["330106002001"])).status_code == 200
    assert client.get(reverse("registry:region_detail", args=["330106003001"])).status_code == 404


def test_region_api_hides_other_street(world, cast, client_for):
    client = client_for(cast.street_a)
    listed = client.get("/api/regions/?page_size=500").json()
    codes = {row["code"] for row in listed["results"]}
    assert "330106002001" in codes
    assert "330106003001" not in codes
    assert client.get("/api/regions/330106003001/").status_code == 404
    assert client.get("/api/regions/330106002001/").status_code == 200


def test_region_exports_hide_other_street(world, cast, client_for):
    client = client_for(cast.street_a)
    response = client.get(reverse("registry:region_list") + "?export=csv")
    assert response.status_code == 200
    codes = codes_in_csv(response)
    assert "330106002001" in codes
    assert "330106003001" not in codes

    response = client.get(reverse("registry:region_list") + "?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    exported = {str(row[0].value) for row in sheet.iter_rows(min_row=2)}
    assert "330106002001" in exported
    assert "330106003001" not in exported


def test_export_keeps_the_page_filters(world, cast, client_for):
    response = client_for(cast.reviewer).get(reverse("registry:region_list") + "?committee_type=villagers&export=csv")
    assert codes_in_csv(response) - {"代码", "Code"} == {"330106002201"}


def test_filter_dropdown_lists_only_visible_regions(world, cast, client_for):
    body = client_for(cast.street_a).get(reverse("registry:region_list")).content.decode()
    assert 'value="330106002"' in body
    assert 'value="330106003"' not in body


@pytest.mark.parametrize("role_user", ["street_a"])
def test_community_form_offers_only_own_street(world, cast, client_for, role_user):
    client = client_for(getattr(cast, role_user))
    body = client.get(reverse("registry:community_create")).content.decode()
    assert "北山街道" in body
    assert "灵隐街道" not in body
    response = client.post(reverse("registry:community_create"), {
        "parent": "330106003", "code": "330106003009", "name": "越界社区", "urban_rural_code": "111",
    })
    assert response.status_code == 200
    assert not Region.objects.filter(code="330106003009").exists()


def test_street_staff_records_a_community(world, cast, client_for):
    response = client_for(cast.street_a).post(reverse("registry:community_create"), {
        "parent": "330106002", "code": "330106002005", "name": "北山新社区", "urban_rural_code": "111",
    })
    assert response.status_code == 302
    created = Region.objects.get(code="330106002005")
    assert created.committee_type == "residents"
    assert created.history.first().history_user == cast.street_a


def test_community_with_code_outside_parent_is_refused(world, cast, client_for):
    response = client_for(cast.street_a).post(reverse("registry:community_create"), {
        "parent": "330106002", "code": "330106003005", "name": "错码社区", "urban_rural_code": "111",
    })
    assert response.status_code == 200
    assert "330106002" in response.content.decode()
    assert not Region.objects.filter(code="330106003005").exists()


def test_import_page_lists_bad_rows_and_saves_nothing(world, cast, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "c.csv", "code,name,urban_rural_code\n330106002002,好社区,111\n330106003002,越界社区,111\n".encode()
    )
    response = client_for(cast.street_a).post(reverse("registry:community_import"), {"file": upload})
    assert response.status_code == 200
    assert "330106003" in response.content.decode()
    assert not Region.objects.filter(code="330106002002").exists()


def test_many_grants_go_as_one_array_and_select_the_same_rows(world, cast, monkeypatch):
    """Past ARRAY_PAST grants the access rule sends one array parameter (= ANY) instead of an IN list."""
    from guardian.shortcuts import assign_perm

    from registry import scoping
    from registry.models import Organization
    from tests.factories import OrganizationFactory

    granted = [OrganizationFactory(region=world.community_b1) for _ in range(3)]
    for organization in granted:
        assign_perm("view_organization", cast.street_a, organization)
    as_list = set(Organization.objects.visible_to(cast.street_a).values_list("pk", flat=True))
    monkeypatch.setattr(scoping, "ARRAY_PAST", 2)
    queryset = Organization.objects.visible_to(cast.street_a)
    assert "= ANY(" in str(queryset.query)
    assert set(queryset.values_list("pk", flat=True)) == as_list
    assert {o.pk for o in granted} <= as_list
