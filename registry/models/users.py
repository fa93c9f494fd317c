from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import ROLE_LEVELS, Role
from registry.models.regions import Region


class User(AbstractUser):
    """A portal account: one post (role) in one or a few regions."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    regions = models.ManyToManyField(
        Region, blank=True, related_name="staff", verbose_name=_("jurisdiction"),
        help_text=_("The user sees everything in the subtree of these regions."),
    )
    unit = models.CharField(_("work unit"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def sees_everything(self) -> bool:
        return self.is_superuser or (self.role == Role.ADMIN and not self.region_prefixes)

    @cached_property
    def region_prefixes(self) -> list[str]:
        return [region.prefix for region in self.jurisdiction]

    @cached_property
    def jurisdiction(self) -> list[Region]:
        if not self.pk:
            return []
        return list(self.regions.order_by("code"))

    @property
    def primary_region(self):
        return self.jurisdiction[0] if self.jurisdiction else None

    def has_role(self, *roles) -> bool:
        return self.is_active and self.role in roles

    def can_see_region(self, region) -> bool:
        return self.sees_everything or any(region.code.startswith(p) for p in self.region_prefixes)

    def check_region_levels(self, regions):
        allowed = ROLE_LEVELS.get(self.role, set())
        wrong = [r for r in regions if r.level not in allowed]
        if wrong:
            raise ValidationError(
                _("A %(role)s cannot be assigned to %(regions)s (wrong level).")
                % {"role": self.get_role_display(), "regions": "、".join(r.name for r in wrong)}
            )
