import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import JobKind, JobStatus
from registry.scoping import ScopedQuerySet


def job_path(job, filename):
    return f"jobs/{secrets.token_hex(12)}"


class Job(models.Model):
    """Long work as a tracked row (import, export): the page polls it; a Celery task takes its id.

    A job is its owner's, not a region's (it may hold personal data the owner was allowed to export): only its
    owner and superusers see it."""

    scope_region_lookup = None
    scope_owner_lookup = "created_by"
    scope_everything = staticmethod(lambda user: user.is_superuser)

    kind = models.CharField(_("kind"), max_length=30, choices=JobKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="The lease: renewed while running.")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Claims so far; the running attempt owns the row.")
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows done"), default=0)
    input_file = models.FileField(upload_to=job_path, blank=True, max_length=200)
    input_name = models.CharField(_("file name"), max_length=200, blank=True)
    output_file = models.FileField(upload_to=job_path, blank=True, max_length=200)
    output_name = models.CharField(max_length=200, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True, help_text="Counts, and the rows to fix when rejected.")
    error = models.TextField(_("error"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status in (JobStatus.SUCCEEDED, JobStatus.REJECTED):
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def saving(self) -> bool:
        """Every row checked and none wrong: the rows are being written, in one transaction (no per-row progress)."""
        return self.status == JobStatus.RUNNING and self.total > 0 and self.processed >= self.total \
            and self.kind != JobKind.EXPORT

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.REJECTED, JobStatus.FAILED)
