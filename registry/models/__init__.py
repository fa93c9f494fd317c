from registry.models.accounts import AccountRequest, AccountRequestStatus, Invitation, OrganizationMember
from registry.models.audit import AuditAction, AuditEvent, PersonalDataView
from registry.models.jobs import Job
from registry.models.lifecycle import (
    Activity,
    BrandDesignation,
    CreditFlag,
    EvaluationGrade,
    Notification,
    NotificationKind,
    RectificationNotice,
    Training,
)
from registry.models.organizations import Organization, Term, clean_uscc
from registry.models.regions import Region, code_prefixes, committee_type_of, nearest_for_code, township_kind_of
from registry.models.tokens import ApiToken
from registry.models.users import User
from registry.models.workflow import WorkflowEvent

__all__ = [
    "AccountRequest",
    "AccountRequestStatus",
    "Activity",
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "BrandDesignation",
    "CreditFlag",
    "EvaluationGrade",
    "Invitation",
    "Job",
    "Notification",
    "NotificationKind",
    "Organization",
    "OrganizationMember",
    "PersonalDataView",
    "RectificationNotice",
    "Region",
    "Term",
    "Training",
    "User",
    "WorkflowEvent",
    "clean_uscc",
    "code_prefixes",
    "committee_type_of",
    "nearest_for_code",
    "township_kind_of",
]
