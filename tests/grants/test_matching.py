"""The supply–demand board (issue 17 item 3): a street or community publishes a need or a service project,
organizations express interest, the publisher picks one, activities recorded against the pairing land on the
organization's record, and the residents' evaluation closes it."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from guardian.shortcuts import assign_perm

from grants import matching
from grants.matching_models import Interest, InterestState, Pairing, Posting, PostingState
from registry.choices import Role, Vocabulary
from registry.models import Activity, AuditEvent, OrganizationMember, Term, User
from tests.factories import PASSWORD, OrganizationFactory

NOW = datetime(2026, 10, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def organization_user(organization, username):
    user = User.objects.create_user(username, password=PASSWORD, role=Role.ORGANIZATION, first_name=username)
    OrganizationMember.objects.create(user=user, organization=organization, is_owner=True)
    # A transactional test before this one may have flushed and recreated the content types: the cached ids
    # would name permissions that no longer exist.
    ContentType.objects.clear_cache()
    assign_perm("registry.view_organization", user, organization)
    return user


def term(vocabulary, code):
    return Term.objects.get(vocabulary=vocabulary, code=code)


def publish(user, region, **extra):
    data = {"kind": "need", "title": "独居老人助餐", "description": "为独居老人送餐、陪伴。",
            "category": term(Vocabulary.CATEGORY, "life_services"), "region": region,
            "starts_on": date(2026, 10, 1), "target_groups": [term(Vocabulary.TARGET_GROUP, "elderly")],
            "place": "宝石社区活动室", **extra}
    return matching.publish(user, **data)


@pytest.fixture
def board(world, cast):
    """A need of 宝石社区 and two organizations of street A with their users."""
    class Board:
        pass

    b = Board()
    b.posting = publish(cast.community_a, world.community_a1, budget=Decimal("8000.00"))
    b.org1 = OrganizationFactory(name="宝石邻里互助队", region=world.community_a1)
    b.org2 = OrganizationFactory(name="葛岭银龄服务社", region=world.community_a2)
    b.user1 = organization_user(b.org1, "org_one")
    b.user2 = organization_user(b.org2, "org_two")
    return b


def test_journey_publish_interest_pick_activity_evaluate(board, cast):
    first = matching.express_interest(board.user1, board.posting, "我们有 12 名志愿者，可每天送餐。")
    second = matching.express_interest(board.user2, board.posting, "我们可以每周上门两次。")
    pairing = matching.pick(cast.community_a, first)

    board.posting.refresh_from_db()
    second.refresh_from_db()
    first.refresh_from_db()
    assert board.posting.state == PostingState.MATCHED
    assert (first.state, second.state) == (InterestState.PICKED, InterestState.NOT_PICKED)
    assert pairing.organization == board.org1

    activity = matching.record_activity(board.user1, pairing, held_on=date(2026, 10, 12), title="第一次送餐",
                                        participants=6, beneficiaries=18)
    matching.record_activity(cast.community_a, pairing, held_on=date(2026, 10, 14), title="第二次送餐",
                             participants=5, beneficiaries=20)
    # The activities are the organization's: the figures (activities, beneficiaries) count them.
    own = Activity.objects.filter(organization=board.org1)
    assert own.count() == 2 and own.aggregate(total=Sum("beneficiaries"))["total"] == 38
    assert activity.place == "宝石社区活动室"
    board.org1.refresh_from_db()
    assert board.org1.last_activity_on == date(2026, 10, 14)

    matching.evaluate(cast.community_a, pairing, satisfaction=5, comment="老人们很满意")
    board.posting.refresh_from_db()
    pairing.refresh_from_db()
    assert board.posting.state == PostingState.DONE
    assert (pairing.satisfaction, pairing.evaluated_by) == (5, cast.community_a)
    assert [e.action for e in board.posting.events.all()] == ["publish", "pick", "close"]
    # Every action audited: the posting's steps, both interests, the pairing, the activities.
    audit = AuditEvent.objects.all()
    assert audit.filter(object_type="grants.posting", action="transition").count() == 3
    assert audit.filter(object_type="grants.interest", action="create").count() == 2
    assert audit.filter(object_type="grants.pairing", action="create").count() == 1
    assert audit.filter(object_type="registry.activity", action="create").count() == 2
    assert audit.filter(object_type="grants.pairing", action="update").exists()


def test_publishing_rules(world, cast):
    with pytest.raises(ValidationError) as outside:
        publish(cast.community_a, world.community_b1)  # not the worker's community
    assert "region" in outside.value.message_dict
    with pytest.raises(ValidationError) as level:
        publish(cast.street_a, world.county)  # a street publishes for its street or communities only
    assert "region" in level.value.message_dict
    for budget in (Decimal(0), Decimal("-5")):
        with pytest.raises(ValidationError) as money:
            publish(cast.street_a, world.street_a, budget=budget)
        assert "budget" in money.value.message_dict
    with pytest.raises(ValidationError) as period:
        publish(cast.street_a, world.street_a, ends_on=date(2026, 9, 1))
    assert "ends_on" in period.value.message_dict
    with pytest.raises(PermissionDenied):
        publish(cast.reviewer, world.street_a)
    organization = OrganizationFactory(region=world.community_a1)
    with pytest.raises(PermissionDenied):
        publish(organization_user(organization, "org_x"), world.community_a1)
    assert not Posting.objects.exists()
    assert publish(cast.street_a, world.community_a2).budget is None  # no budget: not purchased


def test_interest_rules(board, cast, world):
    matching.express_interest(board.user1, board.posting, "愿意承接")
    with pytest.raises(ValidationError):
        matching.express_interest(board.user1, board.posting, "再来一次")
    with pytest.raises(PermissionDenied):
        matching.express_interest(cast.street_a, board.posting, "工作人员不能表达意向")
    with pytest.raises(ValidationError):
        matching.express_interest(board.user2, board.posting, "   ")
    closed = OrganizationFactory(region=world.community_a1, status="deregistered")
    with pytest.raises(ValidationError):
        matching.express_interest(organization_user(closed, "org_closed"), board.posting, "已注销")
    matching.withdraw(cast.community_a, board.posting, "需求已由居委会自行解决")
    with pytest.raises(ValidationError):
        matching.express_interest(board.user2, board.posting, "太晚了")
    assert Interest.objects.count() == 1


def test_only_the_publishing_region_picks_once(board, cast):
    interest = matching.express_interest(board.user1, board.posting, "愿意承接")
    other = matching.express_interest(board.user2, board.posting, "我们也愿意")
    for user in (cast.street_b, cast.reviewer, board.user1):
        with pytest.raises(PermissionDenied):
            matching.pick(user, interest)
    matching.pick(cast.street_a, interest)  # the street holds its communities' postings
    with pytest.raises(ValidationError):
        matching.pick(cast.community_a, other)
    assert Pairing.objects.count() == 1


def test_activity_and_evaluation_rules(board, cast):
    pairing = matching.pick(cast.community_a, matching.express_interest(board.user1, board.posting, "愿意"))
    with pytest.raises(PermissionDenied):  # another organization cannot record on this pairing
        matching.record_activity(board.user2, pairing, held_on=date(2026, 10, 10), title="冒名")
    with pytest.raises(PermissionDenied):
        matching.record_activity(cast.street_b, pairing, held_on=date(2026, 10, 10), title="外街道")
    with pytest.raises(ValidationError) as future:
        matching.record_activity(board.user1, pairing, held_on=date(2026, 10, 16), title="明天的活动")
    assert "held_on" in future.value.message_dict
    with pytest.raises(ValidationError):
        matching.evaluate(cast.community_a, pairing, satisfaction=4)  # nothing done yet
    matching.record_activity(board.user1, pairing, held_on=date(2026, 10, 15), title="送餐", beneficiaries=9)
    for score in (0, 6):
        with pytest.raises(ValidationError):
            matching.evaluate(cast.community_a, pairing, satisfaction=score)
    with pytest.raises(PermissionDenied):  # the residents' evaluation is recorded by the staff
        matching.evaluate(board.user1, pairing, satisfaction=5)
    matching.evaluate(cast.community_a, pairing, satisfaction=4)
    with pytest.raises(ValidationError):  # closed: no more activities under it
        matching.record_activity(board.user1, pairing, held_on=date(2026, 10, 15), title="之后")
    assert Activity.objects.filter(organization=board.org1).count() == 1


def test_who_sees_what(board, cast, world):
    mine = matching.express_interest(board.user1, board.posting, "我们的留言")
    theirs = matching.express_interest(board.user2, board.posting, "别人的留言")
    elsewhere = publish(cast.outsider, world.other_street, title="湖滨街道助学")
    # Organizations browse every open posting (across districts too), and see only their own interests.
    assert set(Posting.objects.visible_to(board.user1)) == {board.posting, elsewhere}
    assert list(Interest.objects.visible_to(board.user1)) == [mine]
    assert list(Interest.objects.visible_to(board.user2)) == [theirs]
    # Staff see the postings of their jurisdiction only.
    assert list(Posting.objects.visible_to(cast.street_b)) == []
    assert set(Posting.objects.visible_to(cast.reviewer)) == {board.posting}
    assert set(Interest.objects.visible_to(cast.community_a)) == {mine, theirs}
    matching.pick(cast.community_a, mine)
    # Matched: off the board for others, still visible to the organization that expressed interest.
    assert board.posting not in Posting.objects.visible_to(organization_user(
        OrganizationFactory(region=world.community_b1), "org_three"))
    assert board.posting in Posting.objects.visible_to(board.user2)


def test_board_lists_nearest_first(board, cast, world, client_for):
    street = publish(cast.street_a, world.community_a2, title="葛岭村环境整治")
    district = publish(cast.street_b, world.community_b1, title="玉泉社区儿童托管")
    further = publish(cast.outsider, world.other_street, title="湖滨街道助学")
    withdrawn = publish(cast.street_a, world.street_a, title="已撤回的项目")
    matching.withdraw(cast.street_a, withdrawn, "预算取消")
    rows = client_for(board.user1).get("/api/org/board/postings/").json()["results"]
    assert [(r["title"], r["nearness"]) for r in rows] == [
        (board.posting.title, 0), (street.title, 1), (district.title, 2), (further.title, 3)]
    assert "published_by" not in rows[0]
    page = client_for(board.user1).get("/org/board/").content.decode()
    positions = [page.index(p.title) for p in (board.posting, street, district, further)]
    assert positions == sorted(positions) and withdrawn.title not in page


def test_api_journey_and_scope(board, cast, world, client_for):
    json = {"content_type": "application/json"}
    staff = client_for(cast.community_a)
    created = staff.post("/api/board/postings/", {
        "kind": "project", "title": "社区助浴服务", "description": "每月两次", "category": "life_services",
        "target_groups": ["elderly", "disabled"], "region": world.community_a1.code, "starts_on": "2026-10-01",
        "budget": "12000.00"}, **json)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    refused = staff.post("/api/board/postings/", {**created.json(), "region": world.community_b1.code,
                                                  "category": "life_services", "target_groups": []}, **json)
    assert refused.status_code == 400 and "region" in refused.json()
    negative = staff.post("/api/board/postings/", {"title": "x", "description": "x", "category": "charity",
                                                   "region": world.community_a1.code, "starts_on": "2026-10-01",
                                                   "budget": "-1"}, **json)
    assert negative.status_code == 400 and "budget" in negative.json()

    one, two = client_for(board.user1), client_for(board.user2)
    assert one.post(f"/api/org/board/postings/{pk}/interest/", {"message": "我们来"}, **json).status_code == 201
    made = two.post(f"/api/org/board/postings/{pk}/interest/", {"message": "我们也来"}, **json)
    assert made.status_code == 201
    other_id = made.json()["id"]
    mine = one.get("/api/org/board/interests/").json()["results"]
    assert [r["message"] for r in mine] == ["我们来"] and "organization_name" not in mine[0]
    assert one.get(f"/api/org/board/interests/{other_id}/").status_code == 404
    assert "我们也来" not in one.get(f"/api/org/board/postings/{pk}/").content.decode()

    interests = staff.get(f"/api/board/interests/?posting={pk}").json()["results"]
    assert {r["organization_name"] for r in interests} == {"宝石邻里互助队", "葛岭银龄服务社"}
    first = next(r["id"] for r in interests if r["organization_name"] == "宝石邻里互助队")
    assert client_for(cast.street_b).post(f"/api/board/interests/{first}/pick/", **json).status_code == 404
    assert client_for(cast.reviewer).post(f"/api/board/interests/{first}/pick/", **json).status_code == 403
    picked = staff.post(f"/api/board/interests/{first}/pick/", **json)
    assert picked.status_code == 201
    pairing = picked.json()["id"]

    assert two.post(f"/api/org/board/pairings/{pairing}/activities/", {"held_on": "2026-10-10", "title": "x"},
                    **json).status_code == 404
    held = one.post(f"/api/org/board/pairings/{pairing}/activities/", {
        "held_on": "2026-10-10", "title": "助浴第一次", "participants": 4, "beneficiaries": 7}, **json)
    assert held.status_code == 201, held.content
    assert Activity.objects.get(pk=held.json()["id"]).organization == board.org1
    evaluated = staff.post(f"/api/board/pairings/{pairing}/evaluate/", {"satisfaction": 5, "comment": "好"}, **json)
    assert evaluated.status_code == 200 and evaluated.json()["satisfaction"] == 5
    assert staff.get(f"/api/board/postings/{pk}/").json()["state"] == "done"
    # An organization user is refused on the staff's endpoints, staff on the organizations'.
    assert one.get("/api/board/postings/").status_code == 403
    assert one.post(f"/api/board/interests/{first}/pick/", **json).status_code == 403
    assert staff.get("/api/org/board/postings/").status_code == 403


def test_pages_permissions_and_menus(board, cast, world, client_for):
    mine = matching.express_interest(board.user1, board.posting, "我们的留言")
    theirs = matching.express_interest(board.user2, board.posting, "别人的留言")
    one = client_for(board.user1)
    assert one.get(f"/org/board/interests/{theirs.pk}/").status_code == 404
    body = one.get(f"/org/board/interests/{mine.pk}/").content.decode()
    assert "我们的留言" in body and "别人的留言" not in body and "葛岭银龄服务社" not in body
    assert "别人的留言" not in one.get(f"/org/board/{board.posting.pk}/").content.decode()
    for url in ("/board/", f"/board/{board.posting.pk}/", "/board/new/", f"/board/interests/{mine.pk}/pick/"):
        assert one.get(url).status_code == 403, url
    assert client_for(cast.street_b).get(f"/board/{board.posting.pk}/").status_code == 404
    assert client_for(cast.street_b).post(f"/board/interests/{mine.pk}/pick/").status_code == 404
    assert client_for(cast.street_a).get("/org/board/").status_code == 403
    staff_page = client_for(cast.community_a).get(f"/board/{board.posting.pk}/").content.decode()
    assert "我们的留言" in staff_page and "别人的留言" in staff_page and 'data-testid="pick"' in staff_page
    assert 'data-testid="pick"' not in client_for(cast.reviewer).get(f"/board/{board.posting.pk}/").content.decode()

    def menu(user):
        from registry.context_processors import menu_for

        return {child["name"] for group in menu_for(user) for child in group["children"]}

    assert "grants:org_board" in menu(board.user1) and "grants:posting_list" not in menu(board.user1)
    assert "grants:posting_list" in menu(cast.community_a) and "grants:org_board" not in menu(cast.community_a)
    assert "grants:posting_list" in menu(cast.reviewer) and "grants:posting_list" not in menu(cast.expert)


def test_pages_journey(board, cast, world, client_for):
    staff = client_for(cast.community_a)
    response = staff.post("/board/new/", {
        "kind": "need", "title": "楼道照明维修", "description": "老旧小区楼道灯", "region": world.community_a1.code,
        "category": term(Vocabulary.CATEGORY, "mutual_aid").pk, "starts_on": "2026-10-02", "budget": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    posting = Posting.objects.get(title="楼道照明维修")
    one = client_for(board.user1)
    assert one.post(f"/org/board/{posting.pk}/", {"message": "我们有电工志愿者"}).status_code == 302
    interest = Interest.objects.get(posting=posting)
    assert staff.post(f"/board/interests/{interest.pk}/pick/").status_code == 302
    pairing = Pairing.objects.get(posting=posting)
    assert one.post(f"/org/board/pairings/{pairing.pk}/activity/", {
        "held_on": "2026-10-13", "title": "更换楼道灯", "participants": 3, "beneficiaries": 40}).status_code == 302
    assert staff.post(f"/board/pairings/{pairing.pk}/evaluate/", {"satisfaction": 4, "comment": ""}).status_code == 302
    posting.refresh_from_db()
    assert posting.state == PostingState.DONE
    home = one.get("/org/").content.decode()
    assert "更换楼道灯" in home and "楼道照明维修" in home
    assert "更换楼道灯" in staff.get(f"/organizations/{board.org1.pk}/").content.decode()


def test_no_link_shown_on_the_board_is_refused(board, cast, client_for):
    """The menus and buttons of both sides lead only to pages that open (registry.permissions.may_open)."""
    from tests.e2e.test_links import REFUSED, walk

    interest = matching.express_interest(board.user1, board.posting, "愿意承接")
    matching.express_interest(board.user2, board.posting, "我们也愿意")
    pairing = matching.pick(cast.community_a, interest)
    matching.record_activity(board.user1, pairing, held_on=date(2026, 10, 12), title="第一次送餐")
    publish(cast.street_a, cast.street_a.primary_region, title="北山街道助学项目")
    for user, must_reach in ((board.user1, ["/org/board/", f"/org/board/interests/{interest.pk}/",
                                            f"/org/board/pairings/{pairing.pk}/activity/"]),
                             (board.user2, ["/org/board/"]),
                             (cast.community_a, ["/board/", f"/board/{board.posting.pk}/",
                                                 f"/board/pairings/{pairing.pk}/activity/"]),
                             (cast.reviewer, ["/board/", f"/board/{board.posting.pk}/"])):
        statuses = walk(client_for(user), start="/org/" if user.role == Role.ORGANIZATION else "/board/")
        refused = {url: status for url, status in statuses.items() if status in REFUSED}
        assert not refused, f"{user.username} is shown links that refuse: {refused}"
        assert set(must_reach) <= set(statuses), (user.username, sorted(statuses))
