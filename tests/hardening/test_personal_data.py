from django.db import connection

from registry.models import Organization
from tests.factories import VALID_ID, OrganizationFactory


def stored(table, column, pk_column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {pk_column} = %s", [pk])  # noqa: S608 - test SQL
        return [row[0] for row in cursor.fetchall()]


def test_id_numbers_are_encrypted_at_rest_including_history(world):
    organization = OrganizationFactory(region=world.community_a1)
    raw = stored("registry_organization", "leader_id_number", "id", organization.pk)[0]
    assert raw.startswith("fernet:") and VALID_ID not in raw
    history = stored("registry_historicalorganization", "leader_id_number", "id", organization.pk)
    assert history and all(value.startswith("fernet:") for value in history)
    assert Organization.objects.get(pk=organization.pk).leader_id_number == VALID_ID
    assert organization.history.first().leader_id_number == VALID_ID


def test_rotating_the_key_keeps_old_values_readable(world, settings):
    from cryptography.fernet import Fernet

    from registry.fields import _cipher

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    _cipher.cache_clear()
    organization = OrganizationFactory(region=world.community_a1)
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    assert Organization.objects.get(pk=organization.pk).leader_id_number == VALID_ID
    _cipher.cache_clear()
