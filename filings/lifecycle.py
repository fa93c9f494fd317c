"""The yearly and daily lifecycle jobs (DOMAIN.md §2): annual reports, reminders, overdue flags, zombie cleanup.

Each function takes ``today`` so tests (and a catching-up worker) can move the clock.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.choices import CaseKind, CaseState
from filings.models import AnnualReportPolicy, Case, CaseEvent
from filings.numbering import case_numbers
from registry.choices import FlagReason, OrgStatus, Role, Tier
from registry.lifecycle import list_or_notify, notify, set_status, street_staff_by_street
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
    """Opens the annual report for ``year`` of every open registered or filed organization that has none.

    Idempotent, so the daily job calls it every day: a day the job did not run (1 January included) is caught up
    the next time it runs. An organization registered or filed after ``year`` owes no report for it.
    """
    from datetime import date

    actor = system_user()
    end = date(year, 12, 31)
    has_report = Case.objects.filter(kind=CaseKind.ANNUAL_REPORT, period=year, organization=OuterRef("pk"))
    owing = list(Organization.objects.open().filter(tier__in=OWING_TIERS).exclude(Exists(has_report))
                 # registered / filed after the year (a record without dates is taken to have existed)
                 .exclude(Q(tier=Tier.REGISTERED, registered_on__gt=end) | Q(tier=Tier.FILED, filed_on__gt=end))
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
            # The organization's own limit, kept when submitting replaces due_on with the review's deadline:
            # "submitted on time" is judged on it (reporting's annual_report_on_time).
            filing_due_on=policy.due_date(organization.tier, year + 1),
        ))
    created = Case.objects.bulk_create(cases, batch_size=2000)
    CaseEvent.objects.bulk_create(
        [CaseEvent(case=case, action="create", to_state=CaseState.DRAFT, actor=actor) for case in created],
        batch_size=2000)
    return len(created)


def pending_reports(today):
    return Case.objects.filter(kind=CaseKind.ANNUAL_REPORT, state__in=PENDING, due_on__isnull=False)


def send_annual_report_reminders(today=None) -> int:
    """One reminder per street worker, deadline and reminder step: "N annual reports are due on D".

    Judged on a window, not on the exact day, so a day the job did not run is caught up by the next run.
    """
    today = today or timezone.localdate()
    sent = 0
    policy_days = {int(d) for p in AnnualReportPolicy.objects.all() for d in p.reminders} or {30, 7, 1}
    steps = sorted(policy_days | set(AnnualReportPolicy().reminders))
    due = pending_reports(today).filter(due_on__gte=today, due_on__lte=today + timedelta(days=steps[-1]))
    per_street: dict[tuple, int] = {}
    for code, due_on in due.values_list("region_id", "due_on"):
        step = next(days for days in steps if (due_on - today).days <= days)
        per_street[(code[:9], due_on, step)] = per_street.get((code[:9], due_on, step), 0) + 1
    if not per_street:
        return 0
    url = reverse("filings:case_list") + "?kind=annual_report&state=draft"
    staff = street_staff_by_street({street + "000" for street, _due, _step in per_street})
    for (street, due_on, step), count in per_street.items():
        for user in staff.get(street, []):
            sent += notify(user, f"annual-due:{street}:{due_on}:{step}",
                           _("%(n)d annual reports are due on %(date)s (in %(days)d days).") % {
                               "n": count, "date": due_on, "days": (due_on - today).days}, url)
    return sent


def flag_overdue_annual_reports(today=None) -> int:
    """Annual reports past their deadline (a report submitted on the due date itself is on time): the
    organization is listed (registered) or given a rectification notice (filed), and the street's staff are told,
    so an overdue report reaches an inbox."""
    today = today or timezone.localdate()
    flagged = 0
    overdue = pending_reports(today).filter(due_on__lt=today).select_related("organization")
    per_street: dict[str, int] = {}
    for case in overdue.iterator(chunk_size=2000):
        flag = list_or_notify(case.organization, FlagReason.NO_ANNUAL_REPORT,
                          _("The annual report for %(year)s (%(number)s) was due on %(date)s.") % {
                              "year": case.period, "number": case.number, "date": case.due_on}, today=today)
        flagged += flag is not None
        per_street[case.region_id[:9]] = per_street.get(case.region_id[:9], 0) + 1
    url = reverse("filings:inbox")
    staff = street_staff_by_street({street + "000" for street in per_street})
    for street, count in per_street.items():
        for user in staff.get(street, []):
            notify(user, f"annual-overdue:{street}:{today}",
                   _("%(n)d annual reports are overdue; they are at the top of your inbox.") % {"n": count}, url,
                   kind="overdue")
    return flagged


def revocation_grounds(organization, today=None) -> set[str]:
    """Which grounds for revocation (DOMAIN.md §2: inactive, or failing/skipping the annual inspection two years
    running) hold for the organization today."""
    from filings.choices import InspectionResult, RevocationGround

    today = today or timezone.localdate()
    grounds = set()
    if organization.status == OrgStatus.DORMANT or zombie_candidates(today).filter(pk=organization.pk).exists():
        grounds.add(RevocationGround.INACTIVE)
    if organization.tier in OWING_TIERS:
        policy = AnnualReportPolicy.for_region(organization.region_id)
        # The latest year whose report is past its final deadline, and the year before it.
        last = today.year - 1 if today > policy.date_of(policy.registered_due, today.year) else today.year - 2
        reports = {case.period: case for case in Case.objects.filter(
            kind=CaseKind.ANNUAL_REPORT, organization=organization, period__in=(last - 1, last))}

        def failed_or_skipped(year):
            case = reports.get(year)
            if case is None:
                started = organization.registered_on or organization.filed_on
                return started is None or started.year <= year
            return case.result == InspectionResult.FAIL or case.state != CaseState.APPROVED

        if failed_or_skipped(last - 1) and failed_or_skipped(last):
            grounds.add(RevocationGround.INSPECTION)
    return grounds


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


def run_daily(today=None) -> dict:
    """Everything the daily beat entry does, in order."""
    from filings.corrections import notify_overdue_cases
    from registry.lifecycle import escalate_flags, run_triggers, send_term_alerts

    today = today or timezone.localdate()
    return {
        # Every day, not only on 1 January: a missed day is caught up (the function skips what is open already).
        "opened": open_annual_reports(today.year - 1, today),
        "reminders": send_annual_report_reminders(today),
        "flagged": flag_overdue_annual_reports(today),
        "triggered": run_triggers(today),
        "escalated": escalate_flags(today),
        "term_alerts": send_term_alerts(today),
        "dormant": mark_zombie_candidates(today),
        "overdue_cases": notify_overdue_cases(today),
    }
