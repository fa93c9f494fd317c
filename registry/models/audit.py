from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalDataView(models.Model):
    """Each time a full ID number is shown to someone (PIPL): who, whose, when, from where. Append-only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("user"))
    organization = models.ForeignKey("registry.Organization", models.PROTECT, related_name="+",
                                     verbose_name=_("organization"))
    field = models.CharField(_("field"), max_length=40)
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("full view of personal data")
        verbose_name_plural = _("full views of personal data")
        ordering = ["-viewed_at"]

    def __str__(self):
        return f"{self.user} {self.field} {self.viewed_at:%Y-%m-%d %H:%M}"
