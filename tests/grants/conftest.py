import pytest

from registry.choices import Role
from tests.factories import UserFactory


@pytest.fixture
def experts(world):
    return [UserFactory(username=f"expert{i}", first_name=f"专家{i}", role=Role.GRANT_EXPERT) for i in (1, 2)]


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are asserted on their English msgids, whatever the default language."""
    from django.utils import translation

    with translation.override("en"):
        yield
