"""Credit flags, notifications and term alerts: plain functions, run by views, the API and the daily job."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from registry.calendar import add_months, add_years
from registry.choices import FlagList, NoticeResult, OrgStatus, RegionLevel, Role, Tier
from registry.models import (
    Activity,
    BrandDesignation,
    CreditFlag,
    EvaluationGrade,
    Notification,
    Organization,
    RectificationNotice,
    Training,
    User,
)

# Who decides what (the "who decides" table; the permission matrix walks it, tests/test_permission_matrix.py):
# - credit flags (活动异常名录) list registered legal persons only (DOMAIN.md §3), by their registration authority,
#   the district bureau;
# - a filed (T2) group gets a rectification notice (整改通知) from its street, a community-guided (T3) group from its
#   community (民发〔2017〕191号 Q&A 五: filed groups are managed by the street, small groups guided in the community);
# - evaluation grades are recorded by the district bureau (沪民社管发〔2024〕1号 第六条: "市区两级民政局以评促建……
#   持续推动社区社会组织规范化建设评估");
# - brand designations by the county bureau (豫民文〔2021〕115号: "各县(市、区)民政部门每年推选一次社区社会组织
#   优质项目");
# - activities and trainings by whoever works with the organization.
FLAG_ROLES = (Role.DISTRICT_REVIEWER, Role.ADMIN)
NOTICE_ROLES = {Tier.FILED: (Role.STREET_STAFF, Role.ADMIN), Tier.COMMUNITY: (Role.COMMUNITY_WORKER, Role.ADMIN)}
GRADE_RECORDERS = (Role.DISTRICT_REVIEWER, Role.ADMIN)
BRAND_RECORDERS = (Role.DISTRICT_REVIEWER, Role.ADMIN)
RECORDERS = (Role.STREET_STAFF, Role.COMMUNITY_WORKER, Role.DISTRICT_REVIEWER, Role.ADMIN)


def has_role(user, roles) -> bool:
    return user.is_superuser or user.role in roles


def _may_manage_flags(user):
    return has_role(user, FLAG_ROLES)


def _in_scope(user, organization):
    if not Organization.objects.visible_to(user).filter(pk=organization.pk).exists():
        raise PermissionDenied(_("This organization lies outside your jurisdiction."))


def _require(user, roles, message):
    if not has_role(user, roles):
        raise PermissionDenied(message)


# reason -> (function(queryset of open organizations) -> those to list, explanation). Apps register their checks
# (the Party-building app registers "Party organization not established as required"); the daily job runs them.
FLAG_TRIGGERS: dict[str, tuple] = {}


def register_trigger(reason, select, explanation):
    FLAG_TRIGGERS[reason] = (select, explanation)


def run_triggers(today=None) -> int:
    """Lists (T1) or notifies (T2) what each trigger selects, and lifts what it no longer selects: a flag is
    repaired when its cause is (e.g. the Party organization was set up). Community-guided groups are led by the
    community Party organization and stay out of these checks (DOMAIN.md §3)."""
    listed = 0
    for reason, (select, explanation) in FLAG_TRIGGERS.items():
        selected = select(Organization.objects.open()).exclude(tier=Tier.COMMUNITY)
        for organization in selected.iterator(chunk_size=2000):
            listed += list_or_notify(organization, reason, str(explanation), today=today) is not None
        repaired = (Organization.objects.filter(Q(credit_flags__reason=reason, credit_flags__repaired_on__isnull=True)
                                                | Q(rectification_notices__reason=reason,
                                                    rectification_notices__result=NoticeResult.PENDING))
                    .exclude(pk__in=selected.values("pk")).distinct())
        for organization in repaired:
            repair_flags(organization, reason, None, _("The cause was repaired (scheduled check)."), today)
    return listed


def list_or_notify(organization, reason, explanation, today=None):
    """What a scheduled check does: a registered organization is listed, a filed or community group notified."""
    if organization.tier == Tier.REGISTERED:
        return raise_flag(organization, reason, explanation, today=today)
    return issue_notice(organization, reason, explanation, today=today)


@transaction.atomic
def raise_flag(organization, reason, explanation, user=None, today=None) -> CreditFlag | None:
    """Lists a registered organization as abnormal for a reason; None when it is listed for that reason already."""
    if organization.tier != Tier.REGISTERED:
        raise ValidationError(_("Credit flags apply to registered legal persons only; a filed or community group "
                                "gets a rectification notice instead."))
    if user is not None:
        _require(user, FLAG_ROLES, _("The district bureau lists registered organizations."))
        _in_scope(user, organization)
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
def issue_notice(organization, reason, explanation, user=None, today=None, deadline=None):
    """整改通知 for a filed or community group: a reason and a deadline (a month unless given); None when one is
    pending for that reason already."""
    if organization.tier == Tier.REGISTERED:
        raise ValidationError(_("A registered organization is listed, not given a rectification notice."))
    today = today or timezone.localdate()
    deadline = deadline or add_months(today, 1)
    if user is not None:
        _require(user, NOTICE_ROLES[organization.tier],
                 _("The street notifies filed groups, the community its community-guided groups."))
        _in_scope(user, organization)
        if not explanation.strip():
            raise ValidationError(_("Explain what is to be rectified."))
    if deadline <= today:
        raise ValidationError(_("The deadline must lie after today."))
    try:
        with transaction.atomic():
            return RectificationNotice.objects.create(organization=organization, reason=reason,
                                                      explanation=explanation, issued_on=today, issued_by=user,
                                                      deadline=deadline)
    except IntegrityError:
        return None


@transaction.atomic
def record_notice_result(user, notice, result, note, today=None):
    """The result of a rectification notice, recorded by whoever issues them for the group's tier."""
    _require(user, NOTICE_ROLES.get(notice.organization.tier, ()), _("Your role may not record this result."))
    if not RectificationNotice.objects.visible_to(user).filter(pk=notice.pk).exists():
        raise PermissionDenied(_("This organization lies outside your jurisdiction."))
    if notice.result != NoticeResult.PENDING:
        raise ValidationError(_("The result of this notice is recorded already."))
    if result not in (NoticeResult.RECTIFIED, NoticeResult.NOT_RECTIFIED) or not note.strip():
        raise ValidationError(_("Choose the result and describe it."))
    notice.result, notice.result_on, notice.result_by, notice.result_note = (
        result, today or timezone.localdate(), user, note)
    notice.save()
    return notice


@transaction.atomic
def repair_flags(organization, reason, user, repair_reason, today=None) -> int:
    """Takes an organization off the list for ``reason`` (and closes a pending notice for it as rectified); back to
    active when no flag remains."""
    if not repair_reason.strip():
        raise ValidationError(_("Give the reason for the repair."))
    today = today or timezone.localdate()
    flags = list(CreditFlag.objects.select_for_update().current().filter(organization=organization, reason=reason))
    for flag in flags:
        flag.repaired_on, flag.repaired_by, flag.repair_reason = today, user, repair_reason
        flag.save(update_fields=["repaired_on", "repaired_by", "repair_reason"])
    for notice in RectificationNotice.objects.filter(organization=organization, reason=reason,
                                                     result=NoticeResult.PENDING):
        notice.result, notice.result_on, notice.result_by, notice.result_note = (
            NoticeResult.RECTIFIED, today, user, repair_reason)
        notice.save()
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
    """Abnormal for two years and not repaired: moved to the serious list (DOMAIN.md §2). Saved one by one, so each
    move is an audit event."""
    today = today or timezone.localdate()
    cutoff = add_years(today, -2)
    moved = 0
    for flag in CreditFlag.objects.current().filter(listed_on=FlagList.ABNORMAL, raised_on__lte=cutoff):
        flag.listed_on, flag.escalated_on = FlagList.SERIOUS, today
        flag.save(update_fields=["listed_on", "escalated_on"])
        moved += 1
    return moved


# ------------------------------------------------------------------------------------------------ records
# One service per action, called by the page and the API alike: role and scope checked, the record and the
# organization's history written, the audit trail fed (signals of registry.audit), all in one transaction.

def _save_organization(organization, user, reason, fields):
    organization._history_user = user
    organization._change_reason = reason
    organization.save(update_fields=[*fields, "updated_at"])


def _checked(user, roles, message, data):
    _require(user, roles, message)
    organization = data.get("organization")
    if organization is not None:
        _in_scope(user, organization)
    return organization


def _visible_after_saving(user, record):
    if not type(record).objects.visible_to(user).filter(pk=record.pk).exists():
        raise PermissionDenied(_("This record would lie outside your jurisdiction."))
    return record


@transaction.atomic
def record_activity(user, data) -> Activity:
    organization = _checked(user, RECORDERS, _("Your role may not record this."), data)
    activity = Activity.objects.create(recorded_by=user, **data)
    if not organization.last_activity_on or activity.held_on > organization.last_activity_on:
        organization.last_activity_on = activity.held_on
        _save_organization(organization, user, str(activity), ["last_activity_on"])
    return _visible_after_saving(user, activity)


@transaction.atomic
def record_training(user, data) -> Training:
    organization = _checked(user, RECORDERS, _("Your role may not record this."), data)
    data = dict(data)
    if data.get("region") is None and organization is not None:
        data["region"] = organization.region
    if data.get("region") is None:
        raise ValidationError(_("Choose the region or the organization."))
    return _visible_after_saving(user, Training.objects.create(recorded_by=user, **data))


@transaction.atomic
def record_grade(user, data) -> EvaluationGrade:
    organization = _checked(user, GRADE_RECORDERS, _("The district bureau records evaluation grades "
                                                     "(沪民社管发〔2024〕1号 第六条)."), data)
    grade = EvaluationGrade.objects.create(recorded_by=user,
                                           valid_until=EvaluationGrade.validity(data["awarded_on"]), **data)
    latest = organization.grades.order_by("-awarded_on", "-pk").first()
    if latest == grade:
        organization.grade, organization.grade_valid_until = grade.grade, grade.valid_until
        _save_organization(organization, user, str(grade), ["grade", "grade_valid_until"])
    return _visible_after_saving(user, grade)


@transaction.atomic
def name_brand(user, data) -> BrandDesignation:
    organization = _checked(user, BRAND_RECORDERS, _("The county bureau names brand organizations and projects "
                                                     "(豫民文〔2021〕115号)."), data)
    brand = BrandDesignation.objects.create(recorded_by=user, **data)
    if not brand.project and not organization.is_brand:
        organization.is_brand = True
        _save_organization(organization, user, str(brand), ["is_brand"])
    return _visible_after_saving(user, brand)


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
    """Alerts street staff before an organization's leadership term (换届) falls due: once per step (90 and 30
    days ahead), judged on a window so a day the job did not run is caught up by the next run."""
    today = today or timezone.localdate()
    steps = sorted(days)
    due = Organization.objects.open().filter(term_ends_on__gte=today,
                                             term_ends_on__lte=today + timedelta(days=steps[-1]))
    staff = street_staff_by_street(due.values_list("region_id", flat=True))
    sent = 0
    for organization in due.only("pk", "name", "region_id", "term_ends_on"):
        left = (organization.term_ends_on - today).days
        step = next(ahead for ahead in steps if left <= ahead)
        for user in staff.get(organization.region_id[:9], []):
            sent += notify(user, f"term:{organization.pk}:{organization.term_ends_on}:{step}",
                           _("%(name)s: leadership term ends on %(date)s (in %(days)d days).") % {
                               "name": organization.name, "date": organization.term_ends_on, "days": left},
                           organization.get_absolute_url())
    return sent


# Who clears a "zombie" organization, by tier (沪民社管发〔2024〕1号 第三条: "常态化开展'僵尸型'社区社会组织清理整治
# ……街(镇)定期对已不符合备案条件和不开展活动的群众活动团队进行清理"; 民发〔2017〕191号 Q&A 五): a registered one is the
# district bureau's (its registration authority), a filed one the street's, a community-guided group its community's.
ZOMBIE_DECIDERS = {
    Tier.REGISTERED: Role.DISTRICT_REVIEWER,
    Tier.FILED: Role.STREET_STAFF,
    Tier.COMMUNITY: Role.COMMUNITY_WORKER,
}


def may_decide_zombie(user, organization) -> bool:
    return user.is_superuser or user.role == Role.ADMIN or user.role == ZOMBIE_DECIDERS.get(organization.tier)


def _dormant(user, organization):
    if not may_decide_zombie(user, organization):
        raise PermissionDenied(_("%(role)s decide on a zombie candidate of this tier (沪民社管发〔2024〕1号 第三条).")
                               % {"role": Role(ZOMBIE_DECIDERS[organization.tier]).label})
    if not Organization.objects.visible_to(user).filter(pk=organization.pk).exists():
        raise PermissionDenied(_("This organization lies outside your jurisdiction."))
    if organization.status != OrgStatus.DORMANT:
        raise ValidationError(_("%(name)s is not on the zombie candidate list.") % {"name": organization.name})


@transaction.atomic
def clear_dormant(user, organization, reason) -> Organization:
    """Simplified deregistration of a zombie organization: status CLEARED; record and history stay."""
    _dormant(user, organization)
    if not reason.strip():
        raise ValidationError(_("Give the reason for clearing."))
    set_status([organization], OrgStatus.CLEARED, user, reason)
    return organization


@transaction.atomic
def reactivate(user, organization, reason) -> Organization:
    _dormant(user, organization)
    if not reason.strip():
        raise ValidationError(_("Give the reason (e.g. the activity that shows it is alive)."))
    set_status([organization], OrgStatus.ACTIVE, user, reason)
    return organization
