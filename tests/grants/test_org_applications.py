"""A community social organization applies to a venture-grant call itself: only calls open where it lies, only for
itself, only its own steps. The phone journey is in tests/e2e/test_org_online.py."""

from guardian.shortcuts import assign_perm

from registry.choices import Role
from registry.models import OrganizationMember, User
from tests.factories import PASSWORD
from tests.grants.factories import open_round, organization


def member_of(org, username):
    user = User.objects.create_user(username, password=PASSWORD, role=Role.ORGANIZATION)
    OrganizationMember.objects.create(user=user, organization=org, is_owner=True)
    assign_perm("registry.view_organization", user, org)
    return user


def body(round_, **extra):
    return {"round": round_.pk, "track": round_.tracks.first().pk, "title": "巧手助老织补服务", "summary": "上门织补",
            "amount_requested": "8000.00", "own_funds": "0", "declares_no_other_public_funding": True,
            "budget_lines": [{"item": "材料费", "amount": "8000.00"}], **extra}


def test_api_apply_submit_and_nothing_more(world, cast, client_for):
    org = organization(world.community_a1, name="宝石巧手互助队")
    client = client_for(member_of(org, "wangxiuying"))
    round_ = open_round(world.county, cast.reviewer)
    elsewhere = open_round(world.other_county, cast.reviewer, name="上城区公益创投")

    made = client.post("/api/org/grant-applications/", body(round_), content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["organization"] == org.pk
    refused = client.post("/api/org/grant-applications/", body(elsewhere), content_type="application/json")
    assert refused.status_code == 400 and "round" in refused.json()
    pk = made.json()["id"]
    assert client.post(f"/api/org/grant-applications/{pk}/transition/", {"action": "screen_pass"},
                       content_type="application/json").status_code == 400
    submitted = client.post(f"/api/org/grant-applications/{pk}/transition/", {"action": "submit"},
                            content_type="application/json")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert client.get("/api/grants/applications/").status_code == 403, "the staff's endpoint stays closed"


def test_another_organizations_application_is_not_there(world, cast, client_for):
    from tests.grants.factories import application

    mine = organization(world.community_a1, name="宝石巧手互助队")
    theirs = organization(world.community_a1, name="玉泉合唱团")
    round_ = open_round(world.county, cast.reviewer)
    other = application(round_, theirs, cast.street_a)
    client = client_for(member_of(mine, "wangxiuying"))
    assert client.get(f"/api/org/grant-applications/{other.pk}/").status_code == 404
    assert client.get(f"/org/grants/applications/{other.pk}/").status_code == 404
    assert client.get(f"/org/grants/rounds/{open_round(world.other_county, cast.reviewer).pk}/apply/").status_code \
        == 404
    assert client.get(f"/org/grants/rounds/{round_.pk}/apply/").status_code == 200
    assert "玉泉合唱团" not in client.get("/org/").content.decode()


def test_staff_do_not_use_the_organization_side(world, cast, client_for):
    round_ = open_round(world.county, cast.reviewer)
    street = client_for(cast.street_a)
    assert street.get(f"/org/grants/rounds/{round_.pk}/apply/").status_code == 403
    assert street.get("/api/org/grant-applications/").status_code == 403
