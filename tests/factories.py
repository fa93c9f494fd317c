"""Factories shared by every app's tests."""

import factory

from registry.choices import CommitteeType, RegionLevel, Role, UrbanRuralCode
from registry.models import Region, User

PASSWORD = "correct-horse-battery"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"地区{n}")
    level = RegionLevel.COMMUNITY


def region(code, name, level, parent=None, **extra):
    return RegionFactory(code=code, name=name, level=level, parent=parent, **extra)


def community(parent, number, name, **extra):
    villagers = number >= 200
    return region(
        f"{parent.code}{number:03d}", name, RegionLevel.COMMUNITY, parent,
        committee_type=CommitteeType.VILLAGERS if villagers else CommitteeType.RESIDENTS,
        urban_rural_code=UrbanRuralCode.VILLAGE if villagers else UrbanRuralCode.MAIN_URBAN,
        **extra,
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.STREET_STAFF
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)
        self.save()
