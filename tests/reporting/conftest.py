"""A fixture district with known counts.

西湖区 330106 (in the shared world) gets 12 urban communities holding 130 organizations and 9 rural ones holding
40, spread over 北山街道 (street A) and 灵隐街道 (street B):

    street A: urban communities 001-006 with 12,12,12,12,12,10 orgs (70);  rural 201-205 with 6,6,6,6,6 (30)
    street B: urban communities 001-006 with 10,10,10,10,10,10 orgs (60);  rural 201-204 with 5,5,0,0 (10)

Urban: 130 / 12 = 10.8 per community; rural: 40 / 9 = 4.4 per community.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from registry.choices import CommitteeType, RegionLevel
from registry.models import Organization, Region, Term
from tests.factories import community

A_URBAN, A_RURAL = [12, 12, 12, 12, 12, 10], [6, 6, 6, 6, 6]
B_URBAN, B_RURAL = [10, 10, 10, 10, 10, 10], [5, 5, 0, 0]


@pytest.fixture(autouse=True)
def on_the_day():
    """Every figure is as of a day: these tests write their records on 21 November 2026 and read that day."""
    with time_machine.travel(datetime(2026, 11, 21, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


@pytest.fixture
def district(world):
    Region.objects.filter(level=RegionLevel.COMMUNITY).delete()
    category = Term.objects.get(vocabulary="category", code="mutual_aid")
    rows, serial = [], 0
    for street, urban, rural in ((world.street_a, A_URBAN, A_RURAL), (world.street_b, B_URBAN, B_RURAL)):
        for number, count in enumerate(urban, start=1):
            place = community(street, number, f"{street.name[:2]}{number}社区")
            for _ in range(count):
                serial += 1
                rows.append(Organization(name=f"组织{serial}", tier=["community", "filed", "registered"][serial % 3],
                                         category=category, region=place, leader_name="王芳",
                                         **({"ledger_number": f"L{serial}"} if serial % 3 == 0 else {})))
        for number, count in enumerate(rural, start=201):
            place = community(street, number, f"{street.name[:2]}{number}村")
            for _ in range(count):
                serial += 1
                rows.append(Organization(name=f"组织{serial}", tier="community", category=category, region=place,
                                         leader_name="王芳", ledger_number=f"L{serial}"))
    Organization.objects.bulk_create(rows)
    assert Region.objects.filter(level=5, committee_type=CommitteeType.RESIDENTS).count() == 12
    assert Region.objects.filter(level=5, committee_type=CommitteeType.VILLAGERS).count() == 9
    return world
