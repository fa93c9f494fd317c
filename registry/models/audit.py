from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.scoping import ScopedQuerySet


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


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    TRANSITION = "transition", _("Workflow step")
    EXPORT = "export", _("Exported")
    DOWNLOAD = "download", _("Downloaded")
    VIEW_PERSONAL = "view_personal", _("Full ID number viewed")
    IMPORT = "import", _("Imported")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")



class AuditEvent(models.Model):
    """Who did what, when, from where, to which record, with the values before and after. Append-only: the model
    refuses updates and deletes, and on PostgreSQL a trigger refuses them too."""

    scope_region_lookup = "region_code"

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("by"))
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("record type"), max_length=80, blank=True)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    region_code = models.CharField(_("region"), max_length=12, blank=True,
                                   help_text=_("The record's region (or the actor's): reviewers see their subtree."))
    changes = models.JSONField(_("before and after"), default=dict, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-pk"]
        indexes = [
            # The audit page: newest first within a jurisdiction; one record's trail.
            models.Index(fields=["region_code", "at"], name="audit_region_at_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The audit trail is append-only.")
