from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    FILING = "filing", _("Filing")
    COMMUNITY_RECORD = "community_record", _("Community record")
    CHANGE = "change", _("Change")
    DEREGISTRATION = "deregistration", _("Deregistration")
    ANNUAL_REPORT = "annual_report", _("Annual report")
    LEADERSHIP_CHANGE = "leadership_change", _("Leadership change (换届)")
    REVOCATION = "revocation", _("Revocation (撤销)")


class CaseState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    PREPARING = "preparing", _("Preparation approved")
    ESTABLISHMENT_REVIEW = "establishment_review", _("Establishment under review")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATES = (
    CaseState.DRAFT, CaseState.SUBMITTED, CaseState.UNDER_REVIEW, CaseState.PREPARING,
    CaseState.ESTABLISHMENT_REVIEW, CaseState.RETURNED,
)


class DocumentKind(models.TextChoices):
    APPLICATION = "application", _("Application form")
    CHARTER = "charter", _("Charter")
    LEADER_ID = "leader_id", _("ID of the person in charge")
    VENUE = "venue", _("Venue certificate")
    FUNDS = "funds", _("Proof of funds")
    SUPERVISOR_APPROVAL = "supervisor_approval", _("Approval of the supervising unit")
    COMMUNITY_CERTIFICATE = "community_certificate", _("Community certificate (direct registration)")
    RESOLUTION = "resolution", _("Meeting resolution")
    LIQUIDATION_REPORT = "liquidation_report", _("Liquidation report")
    ANNUAL_REPORT = "annual_report", _("Annual work report")
    SUPERVISOR_OPINION = "supervisor_opinion", _("Opinion of the supervising unit on the annual report")
    ELECTION_RECORD = "election_record", _("Record of the election (换届)")
    EVIDENCE = "evidence", _("Evidence for the grounds")
    OTHER = "other", _("Other")


class CertificateKind(models.TextChoices):
    FILING_CERTIFICATE = "filing_certificate", _("Filing certificate")
    RECORD_CERTIFICATE = "record_certificate", _("Community record certificate")
    REGISTRATION_DECISION = "registration_decision", _("Decision to register")
    REJECTION_NOTICE = "rejection_notice", _("Notice of refusal")
    CHANGE_DECISION = "change_decision", _("Decision on change")
    DEREGISTRATION_DECISION = "deregistration_decision", _("Decision on deregistration")
    REVOCATION_DECISION = "revocation_decision", _("Decision on revocation")


class InspectionResult(models.TextChoices):
    PASS = "pass", _("Pass")
    BASIC_PASS = "basic_pass", _("Basic pass")
    FAIL = "fail", _("Fail")
    UPDATED = "updated", _("Annual update accepted")


# The annual report's result values a registration authority records (DOMAIN.md §2).
INSPECTION_RESULTS = (InspectionResult.PASS, InspectionResult.BASIC_PASS, InspectionResult.FAIL)


class RevocationGround(models.TextChoices):
    """Grounds for revoking a registration or filing (DOMAIN.md §2 Lifecycles: 撤销)."""

    INACTIVE = "inactive", _("No activity (inactive)")
    INSPECTION = "inspection", _("Failed or skipped the annual inspection two years running")
