"""Every link a role is shown opens: no menu item, button or link answers 403, 404 or 500.

Walked with the test client (fast): the home page, every page its menu and links lead to, and every link on those
pages, for each role of the cast. Menus, 新增 buttons and home links come from ``registry.permissions.may_open``,
the check the page itself makes, so a link offered is a page that opens.
"""

import re

import pytest

from registry.choices import Role
from registry.permissions import may_open

pytestmark = pytest.mark.django_db

HREF = re.compile(r'<a\b[^>]*\bhref="(/[^"#]*)"', re.IGNORECASE)
# Links that are not pages: signing out, language switching, downloads the export tests cover, the admin's
# own pages (Django's) and the API documentation (tested with the API).
SKIP = re.compile(r"^/(i18n|admin/.+|api/|accounts/logout)|[?&]export=|/download/|/pdf/|/template")
REFUSED = {403, 404, 500}


def links(html):
    return {href.replace("&amp;", "&") for href in HREF.findall(html) if not SKIP.search(href.replace("&amp;", "&"))}


def walk(client, start="/", limit=250):
    """Breadth-first over the links shown, two levels deep from the home page; returns {url: status}."""
    seen, frontier = {}, [start]
    for _depth in range(3):
        following = []
        for url in frontier:
            if url in seen or len(seen) >= limit:
                continue
            response = client.get(url)
            seen[url] = response.status_code
            if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                following.extend(sorted(links(response.content.decode())))
        frontier = following
    return seen


@pytest.mark.parametrize("member", ["street_a", "community_a", "reviewer", "leader", "expert", "admin"])
def test_no_link_shown_to_a_role_is_refused(busy_world, cast, client_for, member):
    user = getattr(cast, member)
    statuses = walk(client_for(user))
    refused = {url: status for url, status in statuses.items() if status in REFUSED}
    assert len(statuses) > 5, statuses
    assert not refused, f"{member} is shown links that refuse: {refused}"


def test_menus_follow_the_views_own_check(cast, client_for, world):
    """The expert and the leader no longer see pages that refuse them (the issue's examples)."""
    expert_home = client_for(cast.expert).get("/").content.decode()
    assert "/dashboard/" not in expert_home and "/reports/" not in expert_home
    assert not may_open(cast.expert, "reporting:dashboard")
    assert may_open(cast.leader, "reporting:dashboard")
    for name in ("registry:activity_create", "registry:training_create", "registry:community_create"):
        assert not may_open(cast.leader, name)
    assert may_open(cast.street_a, "registry:community_create")
    activities = client_for(cast.leader).get("/activities/").content.decode()
    assert 'data-testid="add"' not in activities
    assert 'data-testid="add"' in client_for(cast.street_a).get("/activities/").content.decode()
    # A page's own refusal and the menu's come from one function: flipping one flips both.
    assert client_for(cast.leader).get("/activities/new/").status_code == 403
    assert cast.leader.role == Role.LEADER


def test_home_counts_lead_to_the_lists_they_count(busy_world, cast, client_for):
    client = client_for(cast.street_a)
    home = client.get("/")
    work = {item["key"]: item for item in home.context["work"]}
    assert set(work) >= {"waiting", "returned", "due_soon", "overdue"}
    for item in work.values():
        listed = client.get(item["url"])
        assert listed.status_code == 200
        assert listed.context["table"].paginator.count == item["count"], item["key"]
