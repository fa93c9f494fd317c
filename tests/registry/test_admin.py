import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import OrganizationFactory


def test_every_admin_changelist_opens(world, cast, client_for):
    client = client_for(cast.admin)
    OrganizationFactory(region=world.community_a1)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", ["organization", "term"])
def test_registry_records_cannot_be_deleted_in_the_admin(world, cast, client_for, model):
    organization = OrganizationFactory(region=world.community_a1)
    pk = organization.pk if model == "organization" else organization.category_id
    response = client_for(cast.admin).post(reverse(f"admin:registry_{model}_delete", args=[pk]), {"post": "yes"})
    assert response.status_code == 403
    assert type(organization).objects.filter(pk=organization.pk).exists()


def test_non_staff_cannot_enter_the_admin(world, cast, client_for):
    response = client_for(cast.reviewer).get(reverse("admin:index"))
    assert response.status_code == 302
