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


# ------------------------------------------------------------------------------------------------ issue 18 item 4

CHANGED_ID = "110105198001011238"


def _change_form(organization, leader_id_number):
    from tests.factories import org_payload

    data = org_payload(organization.region, name=organization.name, leader_id_number=leader_id_number)
    data.pop("target_groups")
    return data


def test_case_payloads_are_encrypted_at_rest_drafts_included(world, cast):
    from filings.models import Case
    from filings.services import create_case
    from tests.factories import org_payload

    case = create_case(cast.street_a, "filing", org_payload(world.community_a1))
    raw = stored("filings_case", "payload::text", "id", case.pk)[0]
    assert VALID_ID not in raw and '"leader_id_number": "fernet:' in raw
    assert "夕阳红互助队" in raw  # the other keys stay plain JSON
    assert Case.objects.get(pk=case.pk).payload["leader_id_number"] == VALID_ID


def test_the_migration_encrypts_payloads_written_before(world, cast):
    import importlib

    from django.apps import apps

    from filings.models import Case
    from filings.services import create_case
    from tests.factories import org_payload

    case = create_case(cast.street_a, "filing", org_payload(world.community_a1))
    with connection.cursor() as cursor:  # as stored before the field encrypted it
        cursor.execute("UPDATE filings_case SET payload = jsonb_set(payload, '{leader_id_number}', %s::jsonb) "
                       "WHERE id = %s", [f'"{VALID_ID}"', case.pk])
    assert VALID_ID in stored("filings_case", "payload::text", "id", case.pk)[0]
    assert Case.objects.get(pk=case.pk).payload["leader_id_number"] == VALID_ID  # plain values still read
    migration = importlib.import_module("filings.migrations.0007_encrypt_payload_id_numbers")
    migration.encrypt_existing(apps, None)
    assert VALID_ID not in stored("filings_case", "payload::text", "id", case.pk)[0]
    assert Case.objects.get(pk=case.pk).payload["leader_id_number"] == VALID_ID


def test_the_audit_trail_stores_case_payloads_masked(world, cast):
    from filings.services import create_case, update_payload
    from registry.models import AuditEvent
    from tests.factories import org_payload

    case = create_case(cast.street_a, "filing", org_payload(world.community_a1))
    update_payload(cast.street_a, case, {**case.payload, "leader_id_number": CHANGED_ID})
    events = list(AuditEvent.objects.filter(object_type="filings.case", object_id=str(case.pk))
                  .values_list("changes", "detail", "object_repr"))
    assert len(events) >= 2
    assert "1101**********002X" in repr(events)  # recorded, masked
    assert VALID_ID not in repr(events) and CHANGED_ID not in repr(events)


def test_a_form_shows_the_stored_number_masked_and_keeps_it(world, cast, client_for):
    from filings.models import Case
    from registry.personal import mask_id

    organization = OrganizationFactory(region=world.community_a1)
    client = client_for(cast.street_a)
    page = client.get(f"/cases/new/change/?organization={organization.pk}").content.decode()
    assert VALID_ID not in page and mask_id(VALID_ID) in page
    # The masked number sent back as shown keeps the stored one.
    response = client.post(f"/cases/new/change/?organization={organization.pk}",
                           _change_form(organization, mask_id(VALID_ID)))
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(kind="change")
    assert case.payload["leader_id_number"] == VALID_ID
    # Editing the draft: shown masked again; a masked text that is not the stored number is refused.
    edit = client.get(f"/cases/{case.pk}/edit/").content.decode()
    assert VALID_ID not in edit and mask_id(VALID_ID) in edit
    refused = client.post(f"/cases/{case.pk}/edit/", _change_form(organization, "1101**********9999"))
    assert refused.status_code == 200 and "请填写完整的身份证号码" in refused.content.decode()
    assert client.post(f"/cases/{case.pk}/edit/", _change_form(organization, mask_id(VALID_ID))).status_code == 302
    case.refresh_from_db()
    assert case.payload["leader_id_number"] == VALID_ID
    # A newly typed number replaces it, and is itself shown masked from then on.
    assert client.post(f"/cases/{case.pk}/edit/", _change_form(organization, CHANGED_ID)).status_code == 302
    case.refresh_from_db()
    assert case.payload["leader_id_number"] == CHANGED_ID
    edit = client.get(f"/cases/{case.pk}/edit/").content.decode()
    assert CHANGED_ID not in edit and mask_id(CHANGED_ID) in edit


def test_the_api_keeps_the_stored_number_when_the_masked_one_comes_back(world, cast, client_for):
    from filings.services import create_case
    from registry.personal import mask_id
    from tests.factories import org_payload

    case = create_case(cast.street_a, "filing", org_payload(world.community_a1))
    api = client_for(cast.street_a)
    shown = api.get(f"/api/cases/{case.pk}/").json()["payload"]
    assert shown["leader_id_number"] == mask_id(VALID_ID)
    # (The phone is shown masked too and is sent in full here: only the ID number is kept from a masked value.)
    payload = {**shown, "leader_phone": "13812345678", "member_count": 30}
    response = api.patch(f"/api/cases/{case.pk}/", {"payload": payload}, content_type="application/json")
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert case.payload["leader_id_number"] == VALID_ID and case.payload["member_count"] == 30
