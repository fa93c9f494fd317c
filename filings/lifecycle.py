"""The yearly and daily lifecycle jobs (DOMAIN.md §2): annual reports, reminders, overdue flags, zombie cleanup.

Each function takes ``today`` so tests (and a catching-up worker) can move the clock.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.choices import CaseKind, CaseState
from filings.models import AnnualReportPolicy, Case, CaseEvent
from filings.numbering import case_numbers
from registry.choices import FlagReason, OrgStatus, Role, Tier
from registry.lifecycle import notify, raise_flag, set_status, street_staff_by_street
from registry.models import Activity, Organization, User

OWING_TIERS = (Tier.REGISTERED, Tier.FILED)
PENDING = (CaseState.DRAFT, CaseState.RETURNED)


def system_user():
    """The author of what scheduled jobs create; it cannot log in."""
    user, created = User.objects.get_or_create(username="system", defaults={"first_name": "系统", "role": Role.ADMIN})
    if created:
        user.set_unusable_password()
        user.is_active = False
        user.save()
    return user


@transaction.atomic
def open_annual_reports(year: int, today=None) -> int:
    """Opens the annual report for ``year`` of every open registered or filed organization that has none."""
    actor = system_user()
    has_report = Case.objects.filter(kind=CaseKind.ANNUAL_REPORT, period=year, organization=OuterRef("pk"))
    owing = list(Organization.objects.open().filter(tier__in=OWING_TIERS).exclude(Exists(has_report))
                 .only("pk", "name", "tier", "region_id").order_by("pk"))
    if not owing:
        return 0
    policies = {}
    numbers = case_numbers(CaseKind.ANNUAL_REPORT, year + 1, len(owing))
    cases = []
    for organization, number in zip(owing, numbers, strict=True):
        county = organization.region_id[:6]
        policy = policies.get(county) or policies.setdefault(county, AnnualReportPolicy.for_region(county))
        cases.append(Case(
            number=number, kind=CaseKind.ANNUAL_REPORT, region_id=organization.region_id, organization=organization,
            title=organization.name, payload={"year": year}, created_by=actor, period=year,
            due_on=policy.due_date(organization.tier, year + 1),
        ))
    created = Case.objects.bulk_create(cases, batch_size=2000)
    CaseEvent.objects.bulk_create(
        [CaseEvent(case=case, action="create", to_state=CaseState.DRAFT, actor=actor) for case in created],
        batch_size=2000)
    return len(created)


def pending_reports(today):
    return Case.objects.filter(kind=CaseKind.ANNUAL_REPORT, state__in=PENDING, due_on__isnull=False)


def send_annual_report_reminders(today=None) -> int:
    """One reminder per street worker and reminder day: "N annual reports are due on D"."""
    today = today or timezone.localdate()
    sent = 0
    policy_days = {int(d) for p in AnnualReportPolicy.objects.all() for d in p.reminders} or {30, 7, 1}
    for days in sorted(policy_days | set(AnnualReportPolicy().reminders)):
        due_on = today + timedelta(days=days)
        due = pending_reports(today).filter(due_on=due_on)
        codes = list(due.values_list("region_id", flat=True))
        if not codes:
            continue
        per_street: dict[str, int] = {}
        for code in codes:
            per_street[code[:9]] = per_street.get(code[:9], 0) + 1
        url = reverse("filings:case_list") + "?kind=annual_report&state=draft"
        for street, users in street_staff_by_street(codes).items():
            for user in users:
                sent += notify(user, f"annual-due:{street}:{due_on}",
                               _("%(n)d annual reports are due on %(date)s (in %(days)d days).") % {
                                   "n": per_street.get(street, 0), "date": due_on, "days": days}, url)
    return sent


def flag_overdue_annual_reports(today=None) -> int:
    """Annual reports past their deadline: the organization goes on the abnormal-activity list."""
    today = today or timezone.localdate()
    flagged = 0
    overdue = pending_reports(today).filter(due_on__lt=today).select_related("organization")
    for case in overdue.iterator(chunk_size=2000):
        flag = raise_flag(case.organization, FlagReason.NO_ANNUAL_REPORT,
                          _("The annual report for %(year)s (%(number)s) was due on %(date)s.") % {
                              "year": case.period, "number": case.number, "date": case.due_on}, today=today)
        flagged += flag is not None
    return flagged


def zombie_candidates(today=None, months=None):
    """Open organizations with neither an annual report nor an activity in the period (DOMAIN.md §2).

    An organization that owes no annual report (community-guided groups) is judged on activities alone, and one
    recorded within the period is not judged yet.
    """
    today = today or timezone.localdate()
    months = months or settings.ZOMBIE_INACTIVE_MONTHS
    since = today - timedelta(days=round(months * 30.44))
    activity = Activity.objects.filter(organization=OuterRef("pk"), held_on__gte=since)
    report = Case.objects.filter(kind=CaseKind.ANNUAL_REPORT, organization=OuterRef("pk"),
                                 submitted_at__date__gte=since)
    return (Organization.objects.filter(status__in=(OrgStatus.ACTIVE, OrgStatus.ABNORMAL), created_at__date__lt=since)
            .exclude(Exists(activity)).exclude(Q(tier__in=OWING_TIERS) & Exists(report)))


def mark_zombie_candidates(today=None, months=None) -> int:
    """Marks the candidates DORMANT: they appear on their street's list for staff to clear or reactivate."""
    candidates = zombie_candidates(today, months)
    return set_status(candidates, OrgStatus.DORMANT, reason=_("No annual report and no activity in the period"))


def _dormant(user, organization):
    if not (user.is_superuser or user.role == Role.STREET_STAFF):
        raise PermissionDenied(_("Street staff confirm zombie clean-ups."))
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


def run_daily(today=None) -> dict:
    """Everything the daily beat entry does, in order."""
    from registry.lifecycle import escalate_flags, run_triggers, send_term_alerts

    today = today or timezone.localdate()
    new_year = today.month == 1 and today.day == 1
    opened = open_annual_reports(today.year - 1, today) if new_year else 0
    return {
        "opened": opened,
        "reminders": send_annual_report_reminders(today),
        "flagged": flag_overdue_annual_reports(today),
        "triggered": run_triggers(today),
        "escalated": escalate_flags(today),
        "term_alerts": send_term_alerts(today),
        "dormant": mark_zombie_candidates(today),
    }
