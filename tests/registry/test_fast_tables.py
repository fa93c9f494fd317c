"""Every list page's table is written in Python (registry/tables.py ``render_table``, also used by
layout/table.html for its rows); it must give the HTML django-tables2's own bootstrap5-responsive template gives, with
what our layout adds to it (the phone cards' wrapper class, each cell's header as ``data-label`` and column name as
``data-column``, the empty row): same elements, attributes and text, whitespace between tags aside. For every table a
list page shows, with rows, sorted, paged and empty, in both languages."""

import difflib
import re
from itertools import count

import pytest
from django.template import RequestContext, Template
from django.test.html import parse_html
from django.urls import reverse
from django.utils import translation

from registry.tables import render_table
from tests.factories import OrganizationFactory
from tests.test_permission_matrix import LIST_ROUTES

# django-tables2's template for Bootstrap 5 with our layout's additions, written independently of registry/tables.py.
REFERENCE = Template("""{% extends "django_tables2/bootstrap5-responsive.html" %}{% load i18n l10n %}
{% block table-wrapper %}<div class="table-container table-responsive table-cards">
  {% block table %}{{ block.super }}{% endblock table %}{% block pagination %}{{ block.super }}{% endblock pagination %}
</div>{% endblock table-wrapper %}
{% block table.tbody.row %}<tr {{ row.attrs.as_html }}>{% for column, cell in row.items %}
<td {{ column.attrs.td.as_html }} data-label="{{ column.header|striptags }}" data-column="{{ column.name }}">\
{% if column.localize == None %}{{ cell }}{% else %}{% if column.localize %}{{ cell|localize }}{% else %}\
{{ cell|unlocalize }}{% endif %}{% endif %}</td>{% endfor %}</tr>{% endblock table.tbody.row %}
{% block table.tbody.empty_text %}<tr><td colspan="{{ table.columns|length }}" \
class="text-center text-body-secondary py-4">{% translate "Nothing matches." %}</td></tr>{% endblock %}""")
PAGE_ROUTES = [route for route in LIST_ROUTES if not route.is_api and not route.parameters
               and not route.kwarg_names]


def both(response):
    """(ours, the reference's) HTML of the table the page rendered, or None when the page has no table."""
    table = (response.context or {}).get("table")
    if table is None or not hasattr(table, "paginated_rows"):
        return None
    request = response.wsgi_request
    table._counter = count()  # the rows' odd/even count goes on from the page's own rendering: start both afresh
    table.context = RequestContext(request, {"table": table})
    try:
        theirs = REFERENCE.render(table.context)
    finally:
        del table.context
    table._counter = count()
    table.context = RequestContext(request, {"table": table})
    try:
        ours = render_table(table, request)
    finally:
        del table.context
    return ours, theirs


def assert_same_html(ours, theirs, what=""):
    ours, theirs = parse_html(ours), parse_html(theirs)
    if ours != theirs:
        lines = [re.sub(r"><", ">\n<", str(html)).splitlines() for html in (theirs, ours)]
        diff = "\n".join(difflib.unified_diff(*lines, "reference", "ours", lineterm="", n=1))
        pytest.fail(f"{what}: the tables differ\n{diff}")


@pytest.fixture
def admin_client(world, cast, client_for):
    for place in (world.community_a1, world.community_a2, world.community_b1):
        OrganizationFactory.create_batch(3, region=place)
    OrganizationFactory(region=world.community_a1, name='老年人<b>互助</b>&"会"', leader_name='<i>张</i>三',
                       member_count=12345)  # markup in names is text: escaped; the count localized
    return client_for(cast.admin)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_list_table_is_written_as_django_tables2_would(admin_client, language):
    compared = []
    for route in PAGE_ROUTES:
        with translation.override(language):
            response = admin_client.get(reverse(route.name), HTTP_ACCEPT_LANGUAGE=language)
            if response.status_code != 200:
                continue
            pair = both(response)
            if pair is None:
                continue
            ours, theirs = pair
            assert_same_html(ours, theirs, route.name)
            compared.append(route.name)
    # The walk found the tables (a renamed context variable would otherwise compare nothing).
    assert "registry:organization_list" in compared and len(compared) >= 10, compared


@pytest.mark.parametrize("query", [{"sort": "-name"}, {"sort": "tier"}, {"page": "2", "per_page": "2"},
                                   {"q": "没有这样的组织"}])
def test_the_organization_table_sorted_paged_and_empty(admin_client, query):
    response = admin_client.get(reverse("registry:organization_list"), query)
    assert response.status_code == 200
    ours, theirs = both(response)
    assert_same_html(ours, theirs, query)
    if "page" in query:
        assert 'class="pagination' in ours
    if "q" in query:
        assert "<tbody" in ours and 'class="odd"' not in ours
