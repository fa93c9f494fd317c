"""Credit flags, notifications and term alerts: plain functions, run by views, the API and the daily job."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from registry.calendar import add_years
from registry.choices import FlagList, OrgStatus, RegionLevel, Role
from registry.models import CreditFlag, Notification, Organization, User

FLAG_ROLES = (Role.STREET_STAFF, Role.DISTRICT_REVIEWER, Role.ADMIN)
# Who records activities, trainings, grades and brands.
RECORDERS = (Role.STREET_STAFF, Role.COMMUNITY_WORKER, Role.DISTRICT_REVIEWER, Role.ADMIN)


def _may_manage_flags(user):
    return user.is_superuser or user.role in FLAG_ROLES


# reason -> (function(queryset of open organizations) -> those to list, explanation). Apps register their checks
# (the Party-building app registers "Party organization not established as required"); the daily job runs them.
FLAG_TRIGGERS: dict[str, tuple] = {}


def register_trigger(reason, select, explanation):
    FLAG_TRIGGERS[reason] = (select, explanation)


def run_triggers(today=None) -> int:
    listed = 0
    for reason, (select, explanation) in FLAG_TRIGGERS.items():
        for organization in select(Organization.objects.open()).iterator(chunk_size=2000):
            listed += raise_flag(organization, reason, str(explanation), today=today) is not None
    return listed


@transaction.atomic
def raise_flag(organization, reason, explanation, user=None, today=None) -> CreditFlag | None:
    """Lists an organization as abnormal for a reason; None when it is listed for that reason already."""
    if user is not None:
        if not _may_manage_flags(user):
            raise PermissionDenied(_("Your role may not list organizations."))
        if not Organization.objects.visible_to(user).filter(pk=organization.pk).exists():
            raise PermissionDenied(_("This organization lies outside your jurisdiction."))
        if not explanation.strip():
            raise ValidationError(_("Explain why the organization is listed."))
    try:
        with transaction.atomic():
            flag = CreditFlag.objects.create(organization=organization, reason=reason, explanation=explanation,
                                             raised_on=today or timezone.localdate(), raised_by=user)
    except IntegrityError:
        return None
    if organization.status == OrgStatus.ACTIVE:
        organization.status = OrgStatus.ABNORMAL
        organization._history_user = user
        organization._change_reason = str(flag)
        organization.save(update_fields=["status", "updated_at"])
    return flag


@transaction.atomic
def repair_flags(organization, reason, user, repair_reason, today=None) -> int:
    """Takes an organization off the list for ``reason``; back to active when no flag remains."""
    if not repair_reason.strip():
        raise ValidationError(_("Give the reason for the repair."))
    flags = list(CreditFlag.objects.select_for_update().current().filter(organization=organization, reason=reason))
    for flag in flags:
        flag.repaired_on, flag.repaired_by, flag.repair_reason = today or timezone.localdate(), user, repair_reason
        flag.save(update_fields=["repaired_on", "repaired_by", "repair_reason"])
    if flags and organization.status == OrgStatus.ABNORMAL and not organization.credit_flags.current().exists():
        organization.status = OrgStatus.ACTIVE
        organization._history_user = user
        organization._change_reason = repair_reason
        organization.save(update_fields=["status", "updated_at"])
    return len(flags)


def repair_flag(flag, user, repair_reason, today=None) -> int:
    if not _may_manage_flags(user):
        raise PermissionDenied(_("Your role may not repair credit flags."))
    if not CreditFlag.objects.visible_to(user).filter(pk=flag.pk).exists():
        raise PermissionDenied(_("This organization lies outside your jurisdiction."))
    return repair_flags(flag.organization, flag.reason, user, repair_reason, today)


def escalate_flags(today=None) -> int:
    """Abnormal for two years and not repaired: moved to the serious list (DOMAIN.md §2)."""
    today = today or timezone.localdate()
    cutoff = add_years(today, -2)
    return CreditFlag.objects.current().filter(listed_on=FlagList.ABNORMAL, raised_on__lte=cutoff).update(
        listed_on=FlagList.SERIOUS, escalated_on=today)


AUDIT_EACH_UP_TO = 200  # above this (the daily job's bulk runs) one summary event is recorded


def set_status(organizations, status, user=None, reason=""):
    """Bulk status change that still writes a history row per organization, and the audit trail: an event per
    organization for a person's decision, one summary event for a scheduled bulk run."""
    from registry.audit import record
    from registry.models import AuditAction

    organizations = list(organizations)
    before = {organization.pk: organization.status for organization in organizations}
    for organization in organizations:
        organization.status = status
        organization._change_reason = reason
    bulk_update_with_history(organizations, Organization, ["status"], batch_size=1000, default_user=user,
                             default_change_reason=reason)
    if len(organizations) <= AUDIT_EACH_UP_TO:
        for organization in organizations:
            record(AuditAction.UPDATE, organization, user=user, detail=str(reason)[:300],
                   changes={"status": [before[organization.pk], status]})
    else:
        record(AuditAction.UPDATE, user=user, region_code="",
               detail=f"{len(organizations)} organizations → {status}: {reason}"[:300])
    return len(organizations)


# ------------------------------------------------------------------------------------------------ notifications

def street_staff_by_street(region_codes) -> dict[str, list]:
    """Street staff posted to the streets that contain the given region codes."""
    streets = {code[:9] for code in region_codes if len(code) >= 9}
    staff: dict[str, list] = {}
    for user in User.objects.filter(is_active=True, role=Role.STREET_STAFF, regions__code__in=streets,
                                    regions__level=RegionLevel.STREET).prefetch_related("regions").distinct():
        for region in user.regions.all():
            staff.setdefault(region.code, []).append(user)
    return staff


def notify(user, key, message, url="") -> bool:
    """One notification per user and key (a daily job may run twice); returns whether it is new."""
    _notification, created = Notification.objects.get_or_create(user=user, key=key,
                                                                defaults={"message": message[:300], "url": url})
    if created and user.email:
        from django.core.mail import send_mail

        send_mail(message[:78], f"{message}\n{url}", None, [user.email], fail_silently=True)
    return created


def send_term_alerts(today=None, days=(90, 30)) -> int:
    """Alerts street staff before an organization's leadership term (换届) falls due."""
    today = today or timezone.localdate()
    sent = 0
    for ahead in days:
        due = Organization.objects.open().filter(term_ends_on=today + timedelta(days=ahead))
        staff = street_staff_by_street(due.values_list("region_id", flat=True))
        for organization in due.only("pk", "name", "region_id", "term_ends_on"):
            for user in staff.get(organization.region_id[:9], []):
                sent += notify(user, f"term:{organization.pk}:{organization.term_ends_on}:{ahead}",
                               _("%(name)s: leadership term ends on %(date)s (in %(days)d days).") % {
                                   "name": organization.name, "date": organization.term_ends_on, "days": ahead},
                               organization.get_absolute_url())
    return sent
