from filings.lifecycle import run_daily
from registry.models import CreditFlag
from tests.factories import OrganizationFactory


def test_should_establish_lists_the_organization_as_abnormal(world, cast):
    from partybuilding.models import PartyBuilding

    should = OrganizationFactory(name="三名党员队", region=world.community_a1)
    fine = OrganizationFactory(name="已建党组织队", region=world.community_a1)
    PartyBuilding.objects.create(organization=should, full_members=3)
    PartyBuilding.objects.create(organization=fine, full_members=4, form="own")
    result = run_daily()
    assert result["triggered"] == 1
    flag = CreditFlag.objects.get()
    assert flag.organization == should and flag.reason == "party_not_established"
    assert run_daily()["triggered"] == 0  # listed once
