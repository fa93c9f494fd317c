"""What a page costs besides its own content: the menu, the notification bell and the session, once per request;
and the organization page's queries (the soak's three pages, docs/soak.md). Upper bounds, so an N+1 cannot creep in."""

from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.models import Activity, EvaluationGrade, Notification, Term
from tests.factories import OrganizationFactory


def queries(client, url):
    client.get(url)  # the first request after the login saves the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries], response.content.decode()


def test_a_list_page_asks_for_the_menu_the_bell_and_the_session_once(world, cast, client_for):
    Notification.objects.create(user=cast.street_a, message="新的待办", url="/cases/")
    sql, page = queries(client_for(cast.street_a), "/organizations/")
    assert 'data-testid="unread-count">1<' in page
    assert sum('FROM "registry_notification"' in q for q in sql) == 1  # the table renders a second template
    assert not any("django_session" in q and not q.startswith("SELECT") for q in sql)  # saved once a minute
    assert len(sql) <= 11


def test_the_organization_page_asks_only_for_lists_that_have_rows(world, cast, client_for):
    organization = OrganizationFactory(region=world.community_a1)
    client = client_for(cast.street_a)
    sql, page = queries(client, f"/organizations/{organization.pk}/")
    # session, user, the user's regions, the user's organization grants (the access rule reads them first), the
    # organization (with whether each list has rows), history, bell
    assert len(sql) <= 7, "\n".join(sql)

    organization.target_groups.add(Term.objects.filter(vocabulary="target_group").first())
    Activity.objects.create(organization=organization, held_on=date(2026, 5, 1), title="邻里议事会",
                            recorded_by=cast.street_a)
    EvaluationGrade.objects.create(organization=organization, grade="3A", awarded_on=date(2026, 1, 1),
                                   valid_until=date(2030, 12, 31), recorded_by=cast.street_a)
    sql, page = queries(client, f"/organizations/{organization.pk}/")
    assert "邻里议事会" in page and "2030-12-31" in page
    # + the history's target groups (now two versions), and the three lists that have rows
    assert len(sql) <= 11, "\n".join(sql)


def test_an_unchanged_session_is_saved_again_only_after_the_refresh_interval(world, cast, client, password, settings):
    settings.SESSION_REFRESH_SECONDS = 60
    with time_machine.travel("2026-12-01 09:00 +0000", tick=False) as clock:
        client.post("/accounts/login/", {"username": "street_a", "password": password})
        key = client.cookies["sessionid"].value

        def expires():
            return Session.objects.get(session_key=key).expire_date

        first = expires()
        clock.shift(timedelta(seconds=30))
        client.get("/organizations/")
        assert expires() == first  # not saved: within the interval
        clock.shift(timedelta(seconds=31))
        client.get("/organizations/")
        assert expires() == first + timedelta(seconds=61)  # saved: the idle timeout counts from this request


def test_a_refresh_interval_as_long_as_half_the_idle_timeout_stops_start_up(tmp_path):
    from tests.test_settings import boot

    result = boot({"SESSION_COOKIE_AGE": "1800", "SESSION_REFRESH_SECONDS": "900"}, tmp_path)
    assert result.returncode != 0 and "SESSION_REFRESH_SECONDS" in result.stderr
    assert boot({"SESSION_COOKIE_AGE": "1800", "SESSION_REFRESH_SECONDS": "0"}, tmp_path).returncode == 0


# The layout's menu loop before it was written in Python ({% main_menu %}): the tag must write the same characters.
MENU_LOOP = """{% for item in navigation %}
        {% if item.children %}
        <li class="nav-item dropdown">
          <a class="nav-link dropdown-toggle{% if item.active %} active{% endif %}" href="#" role="button" data-bs-toggle="dropdown" aria-expanded="false"><i class="bi bi-{{ item.icon }}" aria-hidden="true"></i> {{ item.label }}</a>
          <ul class="dropdown-menu">
            {% for child in item.children %}<li><a class="dropdown-item{% if child.active %} active{% endif %}" href="{{ child.url }}"{% if child.active %} aria-current="page"{% endif %}><i class="bi bi-{{ child.icon }}" aria-hidden="true"></i> {{ child.label }}</a></li>{% endfor %}
          </ul>
        </li>
        {% else %}
        <li class="nav-item"><a class="nav-link{% if item.active %} active{% endif %}" href="{{ item.url }}"{% if item.active %} aria-current="page"{% endif %}><i class="bi bi-{{ item.icon }}" aria-hidden="true"></i> {{ item.label }}</a></li>
        {% endif %}
        {% endfor %}"""  # noqa: E501 - the template's own lines


@pytest.mark.parametrize("path", ["/", "/organizations/", "/organizations/7/", "/dashboard/", "/regions/"])
def test_the_menu_tag_writes_what_the_template_loop_wrote(world, cast, path):
    from django.template import Context, Template
    from django.test import RequestFactory
    from django.utils import translation

    from registry.context_processors import _navigation
    from registry.templatetags.shequ import main_menu

    for user in (cast.street_a, cast.community_a, cast.reviewer, cast.leader, cast.admin):
        request = RequestFactory().get(path)
        request.user = user
        for language in ("zh-hans", "en"):
            with translation.override(language):
                navigation = _navigation(request)["navigation"]
                assert navigation
                assert main_menu(navigation) == Template(MENU_LOOP).render(Context({"navigation": navigation}))


@pytest.mark.parametrize("value", [None, "", "社区 <b>&\"'", True, False, "1", "0", "true", "junk"])
def test_the_quick_filter_widgets_write_what_django_templates_write(value):
    from django import forms
    from django_filters.widgets import BooleanWidget

    from registry.filters import YesNoSelect
    from registry.generic import QuickBooleanSelect, QuickTextInput

    attrs = {"class": "form-control", "id": "id_q", "autofocus": True, "disabled": False, "data-x": "<&>"}
    for django_widget, quick in ((forms.TextInput(), QuickTextInput), (YesNoSelect(), QuickBooleanSelect),
                                 (BooleanWidget(), QuickBooleanSelect)):
        expected = django_widget.render("q", value, attrs=dict(attrs))
        django_widget.__class__ = quick  # as ObjectListView.get_filterset swaps them
        assert django_widget.render("q", value, attrs=dict(attrs)) == expected


@pytest.mark.parametrize("value", [None, "", "2", 2, "社区 <b>&\"'", ["1", "2"]])
def test_the_quick_select_writes_what_djangos_select_writes(value):
    """QuickSelect leaves out the line breaks of Django's select.html; elements, attributes and text are the same
    (groups, the empty choice, lazy labels, markup in labels, only the first matching option selected)."""
    from django import forms
    from django.test.html import parse_html
    from django.utils.translation import gettext_lazy

    from registry.generic import QuickSelect

    choices = [("", "---------"), (1, "一"), ("2", gettext_lazy("Name")), ("2", "二 again"),
               ("社区 <b>&\"'", "<i>标记</i>"), ("组", [(3, "三"), ("4", "四 & 五")])]
    attrs = {"class": "form-select", "id": "id_q", "autofocus": True, "disabled": False, "data-x": "<&>"}
    django_widget = forms.Select(choices=choices)
    expected = django_widget.render("q", value, attrs=dict(attrs))
    django_widget.__class__ = QuickSelect  # as ObjectListView.get_filterset swaps it
    assert parse_html(django_widget.render("q", value, attrs=dict(attrs))) == parse_html(expected)
