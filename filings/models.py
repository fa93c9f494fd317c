import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.choices import OPEN_STATES, CaseKind, CaseState, CertificateKind, DocumentKind, InspectionResult
from registry.fields import EncryptedKeysJSONField
from registry.models.regions import nearest_for_code
from registry.models.workflow import WorkflowEvent
from registry.scoping import ScopedQuerySet


class CaseQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, today=None):
        # A draft request has no deadline yet; an annual report's deadline applies to the draft itself.
        return (self.open().exclude(Q(state=CaseState.DRAFT) & ~Q(kind=CaseKind.ANNUAL_REPORT))
                .filter(due_on__lt=today or timezone.localdate()))


class Case(models.Model):
    """One request to the civil-affairs system: register, file, record, change or deregister an organization.

    ``payload`` holds the organization's fields as proposed; approval writes them to the Organization in the
    same transaction. The workflow of each kind is a table in filings/workflows.py.
    """

    scope_region_lookup = "region__code"
    scope_organization_lookup = "organization"

    number = models.CharField(_("case number"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    state = models.CharField(_("state"), max_length=24, choices=CaseState.choices, default=CaseState.DRAFT)
    region = models.ForeignKey("registry.Region", models.PROTECT, related_name="cases", verbose_name=_("region"))
    organization = models.ForeignKey(
        "registry.Organization", models.PROTECT, null=True, blank=True, related_name="cases",
        verbose_name=_("organization"),
    )
    title = models.CharField(_("organization name"), max_length=200)
    # The person in charge's ID number in it is encrypted at rest (registry/fields.py), drafts included.
    payload = EncryptedKeysJSONField(_("proposed details"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    due_on = models.DateField(_("decision due"), null=True, blank=True)
    filing_due_on = models.DateField(
        _("organization must file by"), null=True, blank=True,
        help_text=_("The organization's own limit, not a review time: a change within 30 days of the supervising "
                    "unit's approval (《社会团体登记管理条例》 art. 18), deregistration within 15 days after "
                    "liquidation ends (art. 20)."),
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    returned_payload = models.JSONField(
        _("details when last returned"), null=True, blank=True, editable=False,
        help_text=_("The proposed details as they stood when the case was last returned: a resubmission shows the "
                    "reviewer what changed since."),
    )
    period = models.PositiveSmallIntegerField(_("year reported on"), null=True, blank=True,
                                              help_text=_("Annual reports: the year the report covers."))
    result = models.CharField(_("result"), max_length=12, choices=InspectionResult.choices, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        constraints = [
            # One annual report per organization and year, whoever opens it (the yearly job or a person).
            models.UniqueConstraint(fields=["organization", "period"], condition=models.Q(kind="annual_report"),
                                    name="one_annual_report_per_year"),
        ]
        indexes = [
            # The inbox: open cases of a subtree by state, overdue first.
            models.Index(fields=["state", "due_on"], name="case_state_due_idx"),
            models.Index(fields=["region", "state"], name="case_region_state_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("filings:case_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def is_overdue(self):
        has_deadline = self.state != CaseState.DRAFT or self.kind == CaseKind.ANNUAL_REPORT
        return self.is_open and has_deadline and self.due_on is not None and self.due_on < timezone.localdate()

    @property
    def filing_overdue(self) -> bool:
        """The organization missed its own limit: still unsubmitted after it, or submitted late."""
        if self.filing_due_on is None:
            return False
        filed = timezone.localtime(self.submitted_at).date() if self.submitted_at else None
        if filed is not None:
            return filed > self.filing_due_on
        return self.is_open and timezone.localdate() > self.filing_due_on

    @property
    def workflow(self):
        from filings.workflows import WORKFLOWS

        return WORKFLOWS[self.kind]


EVENT_LABELS = {
    "create": _("Created"),
    "edit": _("Details edited"),
    "upload": _("Document uploaded"),
    "replace": _("Document replaced"),
    "comment": _("Comment"),
}


class CaseEvent(WorkflowEvent):
    """Every transition and comment is a row: who, when, from which state to which, and why."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="events", verbose_name=_("case"))

    state_choices = CaseState.choices
    action_labels = EVENT_LABELS

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self):
        return f"{self.case.number} {self.action}"

    @property
    def workflow(self):
        return self.case.workflow


def document_path(document, filename):
    # Stored under a random name: the original name is kept in the row, never used as a path.
    return f"cases/{document.case_id}/{secrets.token_hex(16)}"



class Document(models.Model):
    scope_region_lookup = "case__region__code"
    scope_organization_lookup = "case__organization"

    case = models.ForeignKey(Case, models.PROTECT, related_name="documents", verbose_name=_("case"))
    kind = models.CharField(_("document type"), max_length=24, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # The correction loop: a reviewer returns a document, the submitter replaces it; the old one stays on record.
    rejected_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("returned by"))
    replaces = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="replacement",
                                    verbose_name=_("replaces"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["kind", "uploaded_at"]

    def __str__(self):
        return self.original_name


class NumberSequence(models.Model):
    """Counters for issued numbers (filing numbers per street per year, case numbers per kind per year).

    Taken under a row lock, so two concurrent approvals never share a number.
    """

    key = models.CharField(max_length=80, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self):
        return f"{self.key}: {self.last}"


def verification_code():
    return secrets.token_hex(8).upper()



class Certificate(models.Model):
    """A filing certificate or decision notice. Its verification code opens a public page with the current status."""

    scope_region_lookup = "case__region__code"
    scope_organization_lookup = "case__organization"

    number = models.CharField(_("document number"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=CertificateKind.choices)
    case = models.ForeignKey(Case, models.PROTECT, related_name="certificates", verbose_name=_("case"))
    organization = models.ForeignKey("registry.Organization", models.PROTECT, null=True, blank=True,
                                     related_name="certificates", verbose_name=_("organization"))
    issued_on = models.DateField(_("issued on"), default=timezone.localdate)
    issuing_office = models.CharField(_("issuing office"), max_length=100)
    verification_code = models.CharField(_("verification code"), max_length=16, unique=True,
                                         default=verification_code)
    comment = models.TextField(_("grounds"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-pk"]

    def __str__(self):
        return self.number


class RegistrationPolicy(models.Model):
    """Registration conditions of a jurisdiction (DOMAIN.md §2-3). The policy whose code is the longest prefix
    of the organization's region applies; the one with an empty code is the national baseline."""

    jurisdiction_code = models.CharField(_("jurisdiction code prefix"), max_length=12, blank=True, unique=True,
                                         help_text=_("e.g. 3301 for Hangzhou; empty = national baseline"))
    name = models.CharField(_("name"), max_length=100)
    source_document = models.CharField(_("source document"), max_length=100)
    min_unit_members = models.PositiveIntegerField(_("social group: minimum unit members"), default=30)
    min_individual_members = models.PositiveIntegerField(_("social group: minimum individual members"), default=50)
    min_mixed_members = models.PositiveIntegerField(_("social group: minimum members, mixed"), default=50)
    min_activity_funds = models.DecimalField(_("minimum activity funds (yuan)"), max_digits=12, decimal_places=2,
                                             default=30000)
    min_hub_startup_funds = models.DecimalField(_("hub/support organization: minimum start-up funds (yuan)"),
                                                max_digits=12, decimal_places=2, default=30000)
    filing_min_members = models.PositiveIntegerField(
        _("filing: minimum members"), null=True, blank=True,
        help_text=_("Smaller groups are recorded by their community instead of filed (tier boundary)."),
    )

    class Meta:
        verbose_name = _("registration policy")
        verbose_name_plural = _("registration policies")
        ordering = ["jurisdiction_code"]

    def __str__(self):
        return self.name

    @classmethod
    def for_region(cls, region_code: str):
        return nearest_for_code(cls, region_code) or cls(name="national baseline", source_document=NATIONAL_SOURCE)


# The national thresholds (30 unit / 50 individual / 50 mixed members, ¥30,000 activity funds for a local social
# group) are those of the State Council's regulation, art. 10, not of the Ministry's 2017 opinion.
NATIONAL_SOURCE = "《社会团体登记管理条例》第十条"


class AnnualReportPolicy(models.Model):
    """When annual reports are due in a jurisdiction (DOMAIN.md §2 dates as defaults); longest prefix wins."""

    jurisdiction_code = models.CharField(_("jurisdiction code prefix"), max_length=12, blank=True, unique=True)
    supervisor_due = models.CharField(
        _("registered organizations: to the supervising unit by (MM-DD)"), max_length=5, default="03-31",
        help_text=_("First stage of the annual inspection: the report reaches the supervising unit."))
    registered_due = models.CharField(_("registered organizations: due (MM-DD)"), max_length=5, default="05-31",
                                      help_text=_("Annual inspection by the registration authority."))
    filed_due = models.CharField(_("filed organizations: due (MM-DD)"), max_length=5, default="03-31",
                                 help_text=_("Annual update with the street."))
    reminder_days = models.CharField(_("reminders, days before the deadline"), max_length=40, default="30,7,1")

    class Meta:
        verbose_name = _("annual report policy")
        verbose_name_plural = _("annual report policies")

    def __str__(self):
        return self.jurisdiction_code or "national"

    @classmethod
    def for_region(cls, region_code: str):
        return nearest_for_code(cls, region_code) or cls()

    def due_date(self, tier, year):
        """When the organization's report is due: a registered one's first stage (supervising unit), or a filed
        one's annual update."""
        return self.date_of(self.supervisor_due if tier == "registered" else self.filed_due, year)

    @staticmethod
    def date_of(month_day: str, year: int):
        """A configured MM-DD in ``year``; "02-29" in a common year is 28 February."""
        month, day = (int(part) for part in month_day.split("-"))
        return _clamped(year, month, day)

    @property
    def reminders(self) -> list[int]:
        return sorted({int(d) for d in self.reminder_days.split(",") if d.strip().isdigit()}, reverse=True)


def _clamped(year, month, day):
    from calendar import monthrange
    from datetime import date

    return date(year, month, min(day, monthrange(year, month)[1]))
