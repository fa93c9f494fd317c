"""Excel import: a dry run lists every bad row and saves nothing; a good file is imported whole."""

import io

import pytest
import tablib
from django.urls import reverse

from partybuilding.models import PartyBuilding
from partybuilding.resources import COLUMNS
from partybuilding.services import import_party_building
from registry.services import ImportRejected

HEADERS = [column for column, _field in COLUMNS]


def xlsx(*rows):
    dataset = tablib.Dataset(headers=HEADERS)
    for row in rows:
        dataset.append(row)
    return dataset.export("xlsx")


def row(number="", name="", community="", full=0, probationary=0, form="无", established="", superior="",
        joint="", two_way="否", cross="否", contact=""):
    return [number, name, community, full, probationary, form, established, superior, joint, two_way, cross, contact]


def test_dry_run_lists_every_bad_row_and_imports_nothing(known, world, cast):
    before = PartyBuilding.objects.count()
    source = xlsx(
        row(known.a1_bare.filing_number, full=3, form="独立党组织", established="2025-07-01"),  # row 2: good
        row("BA-NO-SUCH-NUMBER"),                                            # row 3: unknown organization
        row(known.b1_bare.filing_number),                                    # row 4: outside the jurisdiction
        row(name=known.a1_future.name, community=world.community_a1.code, full="三"),  # row 5: bad number
        row(known.a1_expired.filing_number, form="党支部"),                    # row 6: bad form value
        row(known.a1_should.filing_number, full=3, form="联合党组织", joint="BA-NOBODY"),  # row 7: joint unknown
    )
    with pytest.raises(ImportRejected) as rejected:
        import_party_building(source, cast.street_a, dry_run=True)
    errors = {error.row: error.message for error in rejected.value.errors}
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert "BA-NO-SUCH-NUMBER" in errors[3]
    assert known.b1_bare.filing_number in errors[4]
    assert "三" in errors[5]
    assert "党支部" in errors[6]
    assert "BA-NOBODY" in errors[7]
    assert PartyBuilding.objects.count() == before

    # The same file without the dry run: still nothing, the good row included.
    with pytest.raises(ImportRejected):
        import_party_building(source, cast.street_a)
    assert not PartyBuilding.objects.filter(organization=known.a1_bare).exists()


def test_a_good_file_is_imported_with_history(known, world, cast):
    source = xlsx(
        row(known.a1_bare.filing_number, full=3, probationary=1, form="独立党组织", established="2025-07-01",
            superior="宝石社区党委", two_way="是", contact="2026-01-05"),
        row(name=known.a1_future.name, community=world.community_a1.code, full=1, form="联合党组织",
            joint=known.a1_bare.filing_number),
        row(known.a1_own.filing_number, full=6, form="独立党组织"),
    )
    assert import_party_building(source, cast.street_a, dry_run=True) == 3
    assert not PartyBuilding.objects.filter(organization=known.a1_bare).exists()
    assert import_party_building(source, cast.street_a) == 3
    bare = PartyBuilding.objects.get(organization=known.a1_bare)
    assert (bare.form, bare.full_members, bare.probationary_members, bare.two_way_entry) == ("own", 3, 1, True)
    assert str(bare.established_on) == "2025-07-01" and str(bare.last_contact_on) == "2026-01-05"
    future = PartyBuilding.objects.get(organization=known.a1_future)
    assert list(future.joint_with.all()) == [known.a1_bare]
    own = PartyBuilding.objects.get(organization=known.a1_own)
    assert own.full_members == 6
    assert own.history.first().history_user == cast.street_a


def test_import_page_shows_the_bad_rows(known, cast, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(cast.street_a)
    upload = SimpleUploadedFile("党建.xlsx", xlsx(row("BA-NO-SUCH-NUMBER"), row(known.b1_bare.filing_number)))
    response = client.post(reverse("partybuilding:import"), {"file": upload, "dry_run": "on"})
    errors = response.content.decode().split('data-testid="import-errors"')[1].split("</ul>")[0]
    assert errors.count("<li>") == 2 and "BA-NO-SUCH-NUMBER" in errors


def test_the_template_has_the_chinese_headers(cast, client_for):
    response = client_for(cast.street_a).get(reverse("partybuilding:import_template"))
    assert response.status_code == 200
    dataset = tablib.Dataset().load(io.BytesIO(response.content).read(), format="xlsx")
    assert dataset.headers == HEADERS
