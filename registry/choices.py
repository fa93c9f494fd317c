from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County / district")
    STREET = 4, _("Street / township")
    COMMUNITY = 5, _("Community")


# Significant digits of a code at each level: a region's subtree is every code that starts with them.
PREFIX_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.STREET: 9,
    RegionLevel.COMMUNITY: 12,
}
CODE_LENGTH = {
    RegionLevel.PROVINCE: 6,
    RegionLevel.CITY: 6,
    RegionLevel.COUNTY: 6,
    RegionLevel.STREET: 9,
    RegionLevel.COMMUNITY: 12,
}


class CommitteeType(models.TextChoices):
    RESIDENTS = "residents", _("Residents' committee (urban community)")
    VILLAGERS = "villagers", _("Villagers' committee (rural community)")


class UrbanRuralCode(models.TextChoices):
    """NBS urban-rural classification code (城乡分类代码); first digit 1 = urban, 2 = rural."""

    MAIN_URBAN = "111", _("111 Main urban area")
    URBAN_FRINGE = "112", _("112 Urban-rural fringe")
    TOWN_CENTRE = "121", _("121 Town centre")
    TOWN_FRINGE = "122", _("122 Town-rural fringe")
    SPECIAL_AREA = "123", _("123 Special area")
    TOWNSHIP_CENTRE = "210", _("210 Township centre")
    VILLAGE = "220", _("220 Village")


class TownshipKind(models.TextChoices):
    """Digits 7-9 of a township code (GB/T 10114): 001-099 street, 100-199 town, 200-399 township."""

    STREET = "street", _("Street (街道)")
    TOWN = "town", _("Town (镇)")
    TOWNSHIP = "township", _("Township (乡)")
    OTHER = "other", _("Other unit")


class Role(models.TextChoices):
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    STREET_STAFF = "street_staff", _("Street / township staff")
    DISTRICT_REVIEWER = "district_reviewer", _("District bureau reviewer")
    LEADER = "leader", _("Leader")
    GRANT_EXPERT = "grant_expert", _("Grant expert")
    ADMIN = "admin", _("System administrator")


# The region level a role's posts sit at; a user's regions must be of one of these levels.
ROLE_LEVELS = {
    Role.COMMUNITY_WORKER: {RegionLevel.COMMUNITY},
    Role.STREET_STAFF: {RegionLevel.STREET},
    Role.DISTRICT_REVIEWER: {RegionLevel.COUNTY},
    Role.LEADER: {RegionLevel.COUNTY, RegionLevel.CITY, RegionLevel.PROVINCE},
    Role.GRANT_EXPERT: set(),
    Role.ADMIN: {RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY},
}
