"""Browser tests live here and in the apps' folders; the shared fixtures are in tests/conftest.py."""

import os
from pathlib import Path

import pytest

from tests.factories import OrganizationFactory, org_payload


@pytest.fixture
def busy_world(world, cast, ready_case):
    """A little of everything the menus lead to: organizations of two tiers and a submitted filing."""
    from filings.services import transition

    world.org_a = OrganizationFactory(name="北山互助队", region=world.community_a1)
    OrganizationFactory(name="葛岭村老年协会", region=world.community_a2, tier="community", filing_number=None,
                        ledger_number="TZ-LINKS-1")
    world.case = ready_case(cast.street_a, "filing", org_payload(world.community_a1, name="北山睦邻服务队"))
    transition(world.case, "submit", cast.street_a, "")
    return world


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory):
    """Where browser tests keep their screenshots as artefacts: $SHEQU_SCREENSHOTS, else a pytest temp folder."""
    configured = os.environ.get("SHEQU_SCREENSHOTS")
    folder = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
