from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from registry.choices import (
    CODE_LENGTH,
    PREFIX_LENGTH,
    CommitteeType,
    RegionLevel,
    TownshipKind,
    UrbanRuralCode,
)
from registry.scoping import ScopedQuerySet

digits_only = RegexValidator(r"^\d+$", _("A region code has digits only."))


class RegionQuerySet(ScopedQuerySet):
    def subtree(self, region):
        return self.filter(code__startswith=region.prefix)

    def communities(self):
        return self.filter(level=RegionLevel.COMMUNITY)


class Region(models.Model):
    """A node of the administrative tree (DOMAIN.md §1), keyed by its official code.

    The code is the primary key, so every row that points to a region carries the code itself and a
    jurisdiction filter is a prefix match on that column, without a join.
    """

    scope_region_lookup = "code"

    code = models.CharField(_("code"), max_length=12, primary_key=True, validators=[digits_only])
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    committee_type = models.CharField(
        _("committee type"), max_length=12, choices=CommitteeType.choices, blank=True,
        help_text=_("Communities only: decides whether the urban or the rural target applies."),
    )
    urban_rural_code = models.CharField(
        _("urban-rural classification code"), max_length=3, choices=UrbanRuralCode.choices, blank=True
    )
    population = models.PositiveIntegerField(_("resident population"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RegionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["parent"])

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [
            # Children of a region in code order: the region tree pages and the drill-down.
            models.Index(fields=["parent", "code"], name="region_children_idx"),
            # Communities of a subtree by committee type: the per-community density indicators.
            models.Index(fields=["level", "committee_type"], name="region_level_committee_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:region_detail", args=[self.pk])

    @property
    def prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[self.level]]

    @property
    def is_community(self) -> bool:
        return self.level == RegionLevel.COMMUNITY

    @property
    def is_urban_community(self) -> bool:
        return self.is_community and self.committee_type == CommitteeType.RESIDENTS

    @property
    def township_kind(self) -> str:
        if self.level != RegionLevel.STREET:
            return ""
        return township_kind_of(self.code)

    @property
    def full_name(self) -> str:
        return "".join(region.name for region in self.ancestors(include_self=True))

    def ancestors(self, include_self=False):
        chain = []
        node = self if include_self else self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def contains(self, other) -> bool:
        return other.code.startswith(self.prefix)

    def clean(self):
        expected = CODE_LENGTH.get(self.level)
        if expected and len(self.code) != expected:
            raise ValidationError({"code": _("A code at this level has %(n)d digits.") % {"n": expected}})
        if self.parent_id and not self.code.startswith(self.parent.prefix):
            raise ValidationError({"code": _("The code must start with the parent's code %(p)s.") % {
                "p": self.parent.prefix}})
        if self.level == RegionLevel.COMMUNITY and not self.committee_type:
            raise ValidationError({"committee_type": _("A community needs its committee type.")})


def code_prefixes(code: str) -> list[str]:
    """A code's prefixes, longest first, ending with "" (everywhere): how jurisdiction rules are looked up."""
    return [code[:n] for n in range(len(code), 0, -1)] + [""]


def nearest_for_code(model, code: str, field: str = "jurisdiction_code"):
    """The row of ``model`` whose jurisdiction code is the longest prefix of ``code``, or None."""
    prefixes = code_prefixes(code)
    found = {getattr(row, field): row for row in model.objects.filter(**{f"{field}__in": prefixes})}
    return next((found[prefix] for prefix in prefixes if prefix in found), None)


def township_kind_of(code: str) -> str:
    number = int(code[6:9])
    if 1 <= number <= 99:
        return TownshipKind.STREET
    if 100 <= number <= 199:
        return TownshipKind.TOWN
    if 200 <= number <= 399:
        return TownshipKind.TOWNSHIP
    return TownshipKind.OTHER


def committee_type_of(code: str) -> str:
    """Digits 10-12 of a community code: 001-199 residents' committee, 200-399 villagers' committee."""
    number = int(code[9:12])
    if 1 <= number <= 199:
        return CommitteeType.RESIDENTS
    if 200 <= number <= 399:
        return CommitteeType.VILLAGERS
    return ""
