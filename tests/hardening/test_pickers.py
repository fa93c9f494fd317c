"""Organization pickers: a scoped search, not a drop-down of every organization (issue 19, item 5).

Every form that picks an organization renders only the chosen one and a search box; the search answers only
organizations the user may see; a posted id outside the field's scope is refused.
"""

from datetime import date

import pytest
from django.urls import reverse

from registry.models import Activity, Organization, Term
from registry.widgets import OrganizationPicker
from tests.factories import OrganizationFactory
from tests.grants.factories import open_round

IN_SCOPE = 3_000


def _bulk(region, count, prefix):
    """``count`` organizations in ``region`` in one insert (a factory per row would take minutes)."""
    category = Term.objects.get(vocabulary="category", code="mutual_aid")
    Organization.objects.bulk_create(
        Organization(name=f"{prefix}{n:05d}号", tier="filed", category=category, region=region, leader_name="王芳",
                     filing_number=f"{prefix}-{n:05d}") for n in range(count))


@pytest.fixture
def crowded(world):
    _bulk(world.community_a1, IN_SCOPE, "北山互助队")
    return world


def _forms(world, cast):
    """Every page form that picks an organization: (user, url)."""
    from partybuilding.models import PartyBuilding

    round_ = open_round(world.county, cast.reviewer)
    member = OrganizationFactory(region=world.community_a1, name="党建组织")
    party = PartyBuilding.objects.get_or_create(organization=member)[0]
    return [
        (cast.street_a, reverse("registry:activity_create")),
        (cast.street_a, reverse("registry:training_create")),
        (cast.reviewer, reverse("registry:grade_create")),
        (cast.reviewer, reverse("registry:brand_create")),
        (cast.street_a, reverse("grants:application_create", args=[round_.pk])),
        (cast.reviewer, reverse("grants:subsidy_create")),
        (cast.street_a, reverse("partybuilding:organization_party", args=[party.organization_id])),
    ]


def test_forms_with_thousands_of_organizations_in_scope_render_small(crowded, cast, client_for):
    for user, url in _forms(crowded, cast):
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        # A drop-down of 3,000 options is over 150 kB; the picker lists none of them.
        assert len(page) < 60_000, f"{url}: {len(page)} bytes"
        assert "北山互助队00042号" not in page, url
        assert 'data-org-picker' in page and reverse("registry:organization_search") in page, url


def test_the_search_returns_only_organizations_the_user_may_see(world, cast, client_for):
    mine = OrganizationFactory(region=world.community_a1, name="同名读书会甲")
    theirs = OrganizationFactory(region=world.community_b1, name="同名读书会乙")
    url = reverse("registry:organization_search")
    page = client_for(cast.street_a).get(url, {"q": "同名读书会"}).content.decode()
    assert f'data-org-pick="{mine.pk}"' in page and "同名读书会乙" not in page
    found = client_for(cast.street_a).get(url, {"q": "同名读书会", "format": "json"}).json()["results"]
    assert [row["id"] for row in found] == [mine.pk]
    found = client_for(cast.reviewer).get(url, {"q": "同名读书会", "format": "json"}).json()["results"]
    assert {row["id"] for row in found} == {mine.pk, theirs.pk}
    # a number finds it too; the outsider sees neither
    assert client_for(cast.street_a).get(url, {"q": mine.filing_number, "format": "json"}).json()["results"]
    assert client_for(cast.outsider).get(url, {"q": "同名读书会", "format": "json"}).json()["results"] == []


def test_the_search_is_bounded_and_narrowed_as_the_field_asks(crowded, cast, client_for):
    url = reverse("registry:organization_search")
    found = client_for(cast.street_a).get(url, {"q": "北山互助队", "format": "json"}).json()["results"]
    assert len(found) == 20
    closed = OrganizationFactory(region=crowded.community_a2, name="已注销互助队", status="deregistered")
    assert client_for(cast.street_a).get(url, {"q": "已注销互助队", "format": "json"}).json()["results"]
    assert not client_for(cast.street_a).get(url, {"q": "已注销互助队", "open": "1", "format": "json"}).json()[
        "results"]
    assert not client_for(cast.street_a).get(url, {"q": closed.name, "within": crowded.community_a1.code,
                                                   "format": "json"}).json()["results"]
    for junk in ({"q": "\x00"}, {"within": "abc"}, {"tier": "bogus"}, {"exclude": "99999999999999999999"}):
        assert client_for(cast.street_a).get(url, junk).status_code == 400, junk
    assert client_for(cast.street_a).post(url, {"q": "x"}).status_code == 405


def test_submitting_an_organization_out_of_scope_is_refused(world, cast, client_for):
    theirs = OrganizationFactory(region=world.community_b1, name="灵隐读书会")
    response = client_for(cast.street_a).post(reverse("registry:activity_create"), {
        "organization": theirs.pk, "held_on": "2026-03-01", "title": "越权活动", "participants": "5"})
    assert response.status_code == 200 and "organization" in response.context["form"].errors
    assert not Activity.objects.filter(title="越权活动").exists()
    # the page shows no trace of the refused organization either
    assert "灵隐读书会" not in response.content.decode()
    mine = OrganizationFactory(region=world.community_a1, name="北山读书会")
    response = client_for(cast.street_a).post(reverse("registry:activity_create"), {
        "organization": mine.pk, "held_on": "2026-03-01", "title": "本街活动", "participants": "5"})
    assert response.status_code == 302
    assert Activity.objects.get(title="本街活动").organization == mine


def test_a_chosen_organization_stays_chosen_when_the_form_comes_back(world, cast, client_for):
    mine = OrganizationFactory(region=world.community_a1, name="北山合唱团")
    response = client_for(cast.street_a).post(reverse("registry:activity_create"), {
        "organization": mine.pk, "held_on": "not a date", "title": "合唱"})
    page = response.content.decode()
    assert response.status_code == 200 and f'<option value="{mine.pk}" selected>北山合唱团</option>' in page


def test_every_organization_field_of_a_page_form_is_a_picker(world, cast):
    from grants.forms import ApplicationForm, SubsidyForm
    from partybuilding.forms import PartyBuildingForm
    from partybuilding.models import PartyBuilding
    from registry import forms_lifecycle

    round_ = open_round(world.county, cast.reviewer)
    party = PartyBuilding(organization=OrganizationFactory(region=world.community_a1), established_on=date(2020, 1, 1))
    forms = [form(user=cast.street_a) for form in (forms_lifecycle.ActivityForm, forms_lifecycle.TrainingForm,
                                                   forms_lifecycle.EvaluationGradeForm,
                                                   forms_lifecycle.BrandDesignationForm, SubsidyForm)]
    forms += [ApplicationForm(user=cast.street_a, round=round_), PartyBuildingForm(user=cast.street_a, instance=party)]
    for form in forms:
        for name, field in form.fields.items():
            if getattr(field, "queryset", None) is not None and field.queryset.model is Organization:
                assert isinstance(field.widget, OrganizationPicker), f"{type(form).__name__}.{name}"
