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


# ----------------------------------------------------------------------------------------------- organizations

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
VALID_ID = "11010519491231002X"


def term(vocabulary, code):
    from registry.models import Term

    return Term.objects.get(vocabulary=vocabulary, code=code)


def make_uscc(area="330106", legal_form_digit="1", serial="MJ0000001"):
    """A civil-affairs USCC with a correct check character (stdnum computes it)."""
    from stdnum.cn import uscc

    body = f"5{legal_form_digit}{area}{serial}"
    return body + uscc.calc_check_digit(body)


def org_payload(region, **overrides):
    payload = {
        "name": "夕阳红互助队", "region": region.code, "category": term("category", "mutual_aid").pk,
        "target_groups": [term("target_group", "elderly").pk], "leader_name": "张桂英",
        "leader_id_number": VALID_ID, "leader_phone": "13812345678", "member_count": 25,
        "venue": "社区活动室", "charter_kind": "simplified",
    }
    payload.update(overrides)
    return payload


def registration_payload(region, **overrides):
    payload = org_payload(region, name="北山邻里服务社", legal_form="social_group", supervising_unit="北山街道办事处",
                          individual_member_count=25, startup_funds="30000", legal_representative="李明")
    payload.update(overrides)
    return payload


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registry.Organization"

    name = factory.Sequence(lambda n: f"社区组织{n}号")
    tier = "filed"
    category = factory.LazyFunction(lambda: term("category", "mutual_aid"))
    leader_name = "王芳"
    leader_id_number = VALID_ID
    leader_phone = "13900001111"
    member_count = 20
    filing_number = factory.Sequence(lambda n: f"BATEST-{n:05d}")
