from filings.lifecycle import run_daily
from registry.models import CreditFlag, RectificationNotice
from tests.factories import OrganizationFactory, make_uscc


def test_should_establish_lists_a_registered_organization_and_notifies_a_filed_one(world, cast):
    """Credit flags are for registered legal persons only (DOMAIN.md §3); a filed group gets a rectification notice.
    Both are lifted when the cause is repaired (the Party organization set up)."""
    from partybuilding.models import PartyBuilding

    registered = OrganizationFactory(name="三名党员中心", region=world.community_a1, tier="registered",
                                     legal_form="social_service", uscc=make_uscc(legal_form_digit="2"),
                                     filing_number=None)
    filed = OrganizationFactory(name="三名党员队", region=world.community_a1)
    fine = OrganizationFactory(name="已建党组织队", region=world.community_a1)
    PartyBuilding.objects.create(organization=registered, full_members=3)
    PartyBuilding.objects.create(organization=filed, full_members=3)
    PartyBuilding.objects.create(organization=fine, full_members=4, form="own")
    result = run_daily()
    assert result["triggered"] == 2
    flag = CreditFlag.objects.get(reason="party_not_established")
    assert flag.organization == registered
    notice = RectificationNotice.objects.get(reason="party_not_established")
    assert notice.organization == filed and notice.result == "pending"
    assert run_daily()["triggered"] == 0  # listed once

    PartyBuilding.objects.filter(organization__in=[registered, filed]).update(form="own")
    run_daily()
    flag.refresh_from_db()
    notice.refresh_from_db()
    assert flag.repaired_on is not None and notice.result == "rectified"
