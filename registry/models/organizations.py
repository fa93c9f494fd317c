import re

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from registry.changes import AnnouncesWrites
from registry.choices import (
    CLOSED_STATUSES,
    USCC_CATEGORY_DIGIT,
    CharterKind,
    Grade,
    LegalForm,
    OrgStatus,
    RegionLevel,
    Tier,
    Vocabulary,
)
from registry.fields import EncryptedCharField
from registry.personal import mask_id, mask_phone, validate_id_number
from registry.scoping import ScopedQuerySet

USCC_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
CIVIL_AFFAIRS_USCC = re.compile(r"^5[1239]")


class TermQuerySet(models.QuerySet):
    def of(self, vocabulary):
        return self.filter(vocabulary=vocabulary, is_active=True)


class Term(models.Model):
    """An entry of a configurable code list (DOMAIN.md §4): categories, target groups, hub kinds, ..."""

    vocabulary = models.CharField(_("vocabulary"), max_length=20, choices=Vocabulary.choices)
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    is_priority = models.BooleanField(_("priority"), default=False)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("code list entry")
        verbose_name_plural = _("code lists")
        ordering = ["vocabulary", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["vocabulary", "code"], name="term_unique_code")]

    def __str__(self):
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class OrganizationQuerySet(AnnouncesWrites, ScopedQuerySet):
    organization_field = "pk"

    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)


class Organization(models.Model):
    """A community social organization (社区社会组织) of any tier. Never deleted; every change is history."""

    scope_region_lookup = "region__code"
    scope_allows_grants = True

    name = models.CharField(_("name"), max_length=200)
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    legal_form = models.CharField(_("legal form"), max_length=16, choices=LegalForm.choices, blank=True)
    category = models.ForeignKey(
        Term, models.PROTECT, related_name="+", verbose_name=_("category"),
        limit_choices_to={"vocabulary": Vocabulary.CATEGORY},
    )
    target_groups = models.ManyToManyField(
        Term, blank=True, related_name="+", verbose_name=_("target groups"),
        limit_choices_to={"vocabulary": Vocabulary.TARGET_GROUP},
    )
    hub_kind = models.ForeignKey(
        Term, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hub / support kind"),
        limit_choices_to={"vocabulary": Vocabulary.HUB_KIND},
    )
    region = models.ForeignKey(
        "registry.Region", models.PROTECT, related_name="organizations", verbose_name=_("community / region"),
    )
    status = models.CharField(_("status"), max_length=16, choices=OrgStatus.choices, default=OrgStatus.ACTIVE)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)

    leader_name = models.CharField(_("person in charge"), max_length=50)
    leader_id_number = EncryptedCharField(_("ID number of the person in charge"), blank=True)
    leader_phone = models.CharField(_("phone of the person in charge"), max_length=20, blank=True)
    leader_is_party_member = models.BooleanField(_("person in charge is a Party member"), default=False)
    member_count = models.PositiveIntegerField(_("members"), default=0)
    venue = models.CharField(_("activity venue"), max_length=200, blank=True)
    charter_kind = models.CharField(_("charter"), max_length=12, choices=CharterKind.choices, blank=True)
    is_social_work_institution = models.BooleanField(_("social-work institution"), default=False)
    is_volunteer_service = models.BooleanField(_("volunteer-service organization"), default=False)
    is_brand = models.BooleanField(_("brand organization"), default=False)
    grade = models.CharField(_("evaluation grade"), max_length=2, choices=Grade.choices, blank=True)
    grade_valid_until = models.DateField(_("grade valid until"), null=True, blank=True)
    last_activity_on = models.DateField(_("last activity"), null=True, blank=True)

    # Registered (T1)
    uscc = models.CharField(_("unified social credit code"), max_length=18, null=True, blank=True, unique=True)
    uscc_override_reason = models.CharField(
        _("reason for accepting a non-standard check character"), max_length=200, blank=True,
        help_text=_("Only for early pilot codes whose check character does not follow GB 32100."),
    )
    registration_authority = models.CharField(_("registration authority"), max_length=100, blank=True)
    supervising_unit = models.CharField(_("supervising unit"), max_length=100, blank=True)
    directly_registered = models.BooleanField(_("registered directly"), default=False)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    domicile = models.CharField(_("domicile"), max_length=200, blank=True)
    startup_funds = models.DecimalField(
        _("start-up / activity funds (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    unit_member_count = models.PositiveIntegerField(_("unit members"), default=0)
    individual_member_count = models.PositiveIntegerField(_("individual members"), default=0)
    is_charity = models.BooleanField(_("recognised charity organization"), default=False)
    term_ends_on = models.DateField(_("leadership term ends"), null=True, blank=True)
    registered_on = models.DateField(_("registration date"), null=True, blank=True)

    # Filed (T2)
    filing_number = models.CharField(_("filing number"), max_length=40, null=True, blank=True, unique=True)
    filed_on = models.DateField(_("filing date"), null=True, blank=True)
    financial_custody = models.BooleanField(_("finances kept by the street's service centre"), default=False)

    # Community-guided (T3)
    ledger_number = models.CharField(_("community ledger number"), max_length=40, null=True, blank=True, unique=True)

    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[target_groups])

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], condition=~Q(status__in=CLOSED_STATUSES),
                name="org_name_unique_among_open_in_region",
                violation_error_message=_("An open organization of this name already exists in this community."),
            ),
        ]
        indexes = [
            # Organization list filtered by region subtree, tier and status (the main list and the dashboards).
            models.Index(fields=["region", "tier", "status"], name="org_region_tier_status_idx"),
            # Search by name prefix within a jurisdiction.
            models.Index(fields=["name"], name="org_name_idx"),
            # Organization list filtered by tier + category, sorted by name, within a region subtree (a prefix of
            # region_id, hence its pattern opclass): the count is read from the index alone, and the page walks
            # the names in order, testing the region in the index, instead of sorting every matching row.
            models.Index(fields=["tier", "category", "name", "region"], name="org_tier_category_name_idx",
                         opclasses=["varchar_ops", "int8_ops", "varchar_ops", "varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:organization_detail", args=[self.pk])

    @property
    def number(self) -> str:
        """The identifier that matters for the tier: USCC, filing number or ledger number."""
        return {Tier.REGISTERED: self.uscc, Tier.FILED: self.filing_number,
                Tier.COMMUNITY: self.ledger_number}.get(self.tier) or ""

    @property
    def masked_id_number(self) -> str:
        return mask_id(self.leader_id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.leader_phone)

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    def clean(self):
        errors = {}
        if self.leader_id_number:
            try:
                self.leader_id_number = validate_id_number(self.leader_id_number)
            except ValidationError as exc:
                errors["leader_id_number"] = exc.messages
        if self.uscc:
            try:
                self.uscc = clean_uscc(self.uscc, self.legal_form, self.uscc_override_reason)
            except ValidationError as exc:
                errors["uscc"] = exc.messages
        if self.region_id:
            level = self.region.level
            if self.tier == Tier.COMMUNITY and level != RegionLevel.COMMUNITY:
                errors["region"] = _t("A community-guided group belongs to one community.")
            elif self.tier == Tier.FILED and level not in (RegionLevel.COMMUNITY, RegionLevel.STREET):
                errors["region"] = _t("A filed organization belongs to a community or a street.")
            elif level < RegionLevel.COUNTY:
                errors["region"] = _t("An organization belongs to a county, street or community.")
        if self.tier == Tier.REGISTERED and not self.legal_form:
            errors["legal_form"] = _t("A registered organization needs its legal form.")
        if errors:
            raise ValidationError(errors)


def clean_uscc(value: str, legal_form: str = "", override_reason: str = "") -> str:
    """A civil-affairs USCC (GB 32100-2015) for a registered CSO; a bad check character needs a recorded reason."""
    value = (value or "").strip().upper()
    if not USCC_PATTERN.match(value):
        raise ValidationError(_t("%(value)s is not an 18-character unified social credit code.") % {"value": value})
    if not CIVIL_AFFAIRS_USCC.match(value):
        raise ValidationError(_t("%(value)s is not a civil-affairs code: it must start with 51, 52, 53 or 59.")
                              % {"value": value})
    expected_digit = USCC_CATEGORY_DIGIT.get(legal_form)
    if expected_digit and value[1] not in (expected_digit, "9"):
        raise ValidationError(_t("Position 2 of %(value)s must be %(digit)s for this legal form.")
                              % {"value": value, "digit": expected_digit})
    try:
        uscc.validate(value)
    except StdnumError:
        if not override_reason:
            raise ValidationError(
                _t("The check character of %(value)s is wrong (GB 32100-2015); if this is an early pilot code, "
                   "record the reason for accepting it.") % {"value": value}
            ) from None
    return value
