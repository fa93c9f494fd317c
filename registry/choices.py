from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


class Tier(models.TextChoices):
    REGISTERED = "registered", _("Registered (legal person)")
    FILED = "filed", _("Filed with the street")
    COMMUNITY = "community", _("Community-guided group")


class LegalForm(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("Social group")
    SOCIAL_SERVICE = "social_service", _("Social service institution")
    FOUNDATION = "foundation", _("Foundation")


# USCC position 2 under registration authority 5 (civil affairs), GB 32100-2015.
USCC_CATEGORY_DIGIT = {LegalForm.SOCIAL_GROUP: "1", LegalForm.SOCIAL_SERVICE: "2", LegalForm.FOUNDATION: "3"}


class OrgStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("organization status", "Active")
    CHANGE_PENDING = "change_pending", _("Change pending")
    ABNORMAL = "abnormal", _("Abnormal")
    DORMANT = "dormant", _("Dormant (zombie candidate)")
    DEREGISTERING = "deregistering", _("Deregistering")
    DEREGISTERED = "deregistered", _("Deregistered")
    REVOKED = "revoked", _("Revoked")
    CLEARED = "cleared", _("Cleared")


# An organization in one of these no longer holds its name in its community.
CLOSED_STATUSES = (OrgStatus.DEREGISTERED, OrgStatus.REVOKED, OrgStatus.CLEARED)


class Grade(models.TextChoices):
    A5 = "5A", "5A"
    A4 = "4A", "4A"
    A3 = "3A", "3A"
    A2 = "2A", "2A"
    A1 = "1A", "1A"


class CharterKind(models.TextChoices):
    FULL = "full", _("Full charter")
    SIMPLIFIED = "simplified", _("Simplified charter")


class Vocabulary(models.TextChoices):
    CATEGORY = "category", _("Category")
    TARGET_GROUP = "target_group", _("Target group")
    HUB_KIND = "hub_kind", _("Hub / support kind")
    CAMPAIGN = "campaign", _("Campaign theme")
    SUBSIDY_KIND = "subsidy_kind", _("Subsidy kind")
    REWARD_KIND = "reward_kind", _("Reward kind")
    FUNDING_SOURCE = "funding_source", _("Funding source")


class JobKind(models.TextChoices):
    IMPORT_ORGANIZATIONS = "import_organizations", _("Import organizations")
    IMPORT_ACTIVITIES = "import_activities", _("Import activities")
    IMPORT_TRAININGS = "import_trainings", _("Import trainings")
    EXPORT = "export", _("Export")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    REJECTED = "rejected", _("Rejected: rows to fix")
    FAILED = "failed", _("Failed")


class FlagList(models.TextChoices):
    ABNORMAL = "abnormal", _("Abnormal-activity list (活动异常名录)")
    SERIOUS = "serious", _("Serious violation and dishonesty list (严重违法失信名单)")


class FlagReason(models.TextChoices):
    NO_ANNUAL_REPORT = "no_annual_report", _("No annual report by the deadline")
    UNREACHABLE = "unreachable", _("Cannot be reached at its registered address")
    PARTY_NOT_ESTABLISHED = "party_not_established", _("Party organization not established as required")
    OTHER = "other", _("Other")


class TraineeKind(models.TextChoices):
    ORGANIZATION_HEAD = "organization_head", _("Head of an organization")
    STREET_ASSISTANT = "street_assistant", _("Street assistant")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    VOLUNTEER = "volunteer", _("Volunteer")
    # 豫民文〔2021〕115号: training for "……社会救助协理员、社区志愿者等，每年至少组织1次能力培训".
    SOCIAL_ASSISTANCE_ASSISTANT = "social_assistance", _("Social assistance assistant (社会救助协理员)")


class NoticeResult(models.TextChoices):
    PENDING = "pending", _("Pending")
    RECTIFIED = "rectified", _("Rectified")
    NOT_RECTIFIED = "not_rectified", _("Not rectified by the deadline")


class BrandLevel(models.TextChoices):
    COUNTY = "county", _("County")
    CITY = "city", _("City")
    PROVINCE = "province", _("Province")
