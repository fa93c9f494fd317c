"""The yearly report of a region (DOMAIN.md §7): figures A-H as of 31 December, a PDF and an XLSX workbook.

Built by a Celery task that takes the report row's id. The row is the tracked job: status, progress, heartbeat.
A worker killed mid-job leaves the message unacknowledged (acks_late + reject_on_worker_lost), so another worker
runs it again; a report whose heartbeat went stale shows as failed and can be started again. Re-running the same
region and year replaces the files.
"""

from datetime import date, timedelta
from decimal import Decimal
from importlib.util import find_spec

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.replicas import on_replica
from registry import jobs
from registry.choices import CLOSED_STATUSES, RegionLevel, Role
from registry.exports import workbook_bytes
from registry.models import Activity, Organization, Region, Term, Training
from registry.pdf import render_pdf
from registry.scoping import WHOLE_TREE
from reporting.dashboard import indicator_rows
from reporting.indicators import Context, grade_distribution
from reporting.models import ReportStatus, YearlyReport

NARRATIVE = ("progress", "problems", "suggestions")
MAX_REPORT_LEVEL = RegionLevel.STREET


def narrative_fields(report):
    labels = {"progress": _("Progress"), "problems": _("Problems"), "suggestions": _("Suggestions")}
    return [(key, labels[key], report.narrative.get(key, "")) for key in NARRATIVE]


def may_request(user, region) -> bool:
    return user.is_active and region.level <= MAX_REPORT_LEVEL and (
        user.is_superuser or user.role in (Role.ADMIN, Role.LEADER, Role.DISTRICT_REVIEWER, Role.STREET_STAFF))


def _lease() -> timedelta:
    """A running report whose lease (renewed by its worker, registry/jobs.py) has expired: its worker died."""
    return timedelta(seconds=jobs.lease_seconds())


def is_stale(report, now=None) -> bool:
    now = now or timezone.now()
    return report.status == ReportStatus.RUNNING and (report.heartbeat_at is None
                                                      or now - report.heartbeat_at > _lease())


@transaction.atomic
def request_report(user, region, year) -> YearlyReport:
    """Queue (or re-queue) the report of a region and year; a report already running is left to finish."""
    if user is not None:
        if not Region.objects.visible_to(user).filter(pk=region.pk).exists():
            raise PermissionDenied(_("This region lies outside your jurisdiction."))
        if not may_request(user, region):
            raise PermissionDenied(_("Your role may not produce this region's yearly report."))
    report, _created = YearlyReport.objects.select_for_update().get_or_create(region=region, year=year)
    if report.status == ReportStatus.RUNNING and not is_stale(report):
        return report
    report.status, report.progress, report.error, report.requested_by = ReportStatus.QUEUED, 0, "", user
    report.queued_at = timezone.now()
    report.save(update_fields=["status", "progress", "error", "requested_by", "queued_at"])
    from registry.queue import enqueue
    from reporting.tasks import build_yearly_report

    transaction.on_commit(lambda: enqueue(build_yearly_report, report.pk))
    return report


def schedule_reports(year, today=None) -> int:
    """Every region down to the street gets its report before 10 January (run daily from 1 January)."""
    done = YearlyReport.objects.filter(year=year, status__in=(ReportStatus.DONE, ReportStatus.RUNNING))
    queued = 0
    for region in Region.objects.filter(level__lte=MAX_REPORT_LEVEL, is_active=True).exclude(
            code__in=done.values("region")).iterator():
        request_report(None, region, year)
        queued += 1
    return queued


def recover_stale(now=None) -> int:
    """Reports whose worker died are marked failed (retryable), never left looking as if they were running."""
    now = now or timezone.now()
    stale = YearlyReport.objects.filter(status=ReportStatus.RUNNING).filter(
        Q(heartbeat_at__lt=now - _lease()) | Q(heartbeat_at__isnull=True))
    return stale.update(status=ReportStatus.FAILED, error="The worker stopped before the report was finished.")


def run(report_id):
    """The task body, on the job engine (registry/jobs.py): claimed once, its lease renewed while it runs, its
    final state written only by the attempt that owns it. A finished report is not built again."""
    attempt = jobs.claim(YearlyReport, report_id)
    report = YearlyReport.objects.select_related("region").get(pk=report_id)
    if attempt is None:
        return report  # finished, or a live worker has it
    jobs.owned(YearlyReport, report.pk, attempt).update(progress=0, error="")

    def progress(percent):
        jobs.owned(YearlyReport, report.pk, attempt).update(progress=percent, heartbeat_at=timezone.now())

    try:
        with jobs.lease(YearlyReport, report.pk, attempt), translation.override("zh-hans"):
            # On a read replica when one is configured and healthy (config/replicas.py).
            figures = on_replica(lambda: build_figures(report.region, report.year, progress))
            pdf = render_pdf("reporting/pdf/yearly_report.html", {"region": report.region, "year": report.year,
                                                                  "f": figures, "narrative": report.narrative})
            progress(90)
            xlsx = workbook(report.region, report.year, figures, report.narrative)
            old = [f.name for f in (report.pdf, report.xlsx) if f]
            report.pdf.save(f"{report.region_id}-{report.year}.pdf", ContentFile(pdf), save=False)
            report.xlsx.save(f"{report.region_id}-{report.year}.xlsx", ContentFile(xlsx), save=False)
            jobs.finish(YearlyReport, report.pk, attempt, status=ReportStatus.DONE, progress=100,
                        pdf=report.pdf.name, xlsx=report.xlsx.name, figures=_jsonable(figures),
                        heartbeat_at=timezone.now())
        for name in old:
            if name not in (report.pdf.name, report.xlsx.name):
                report.pdf.storage.delete(name)
    except jobs.LeaseLost:
        return report  # taken over by another worker, which writes the report
    except Exception as exc:  # the row exists: record the failure for the page, then let Celery see it
        jobs.owned(YearlyReport, report.pk, attempt).update(status=ReportStatus.FAILED, error=str(exc)[:2000])
        raise
    return report
    now = timezone.now()
    YearlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, started_at=now, heartbeat_at=now,
                                                     progress=0, attempts=report.attempts + 1, error="")

    def progress(percent):
        YearlyReport.objects.filter(pk=report.pk).update(progress=percent, heartbeat_at=timezone.now())

    try:
        with translation.override("zh-hans"):
            # On a read replica when one is configured and healthy (config/replicas.py).
            figures = on_replica(lambda: build_figures(report.region, report.year, progress))
            pdf = render_pdf("reporting/pdf/yearly_report.html", {"region": report.region, "year": report.year,
                                                                  "f": figures, "narrative": report.narrative})
            progress(90)
            xlsx = workbook(report.region, report.year, figures, report.narrative)
        old = [f.name for f in (report.pdf, report.xlsx) if f]
        report.pdf.save(f"{report.region_id}-{report.year}.pdf", ContentFile(pdf), save=False)
        report.xlsx.save(f"{report.region_id}-{report.year}.xlsx", ContentFile(xlsx), save=False)
        YearlyReport.objects.filter(pk=report.pk).update(
            status=ReportStatus.DONE, progress=100, finished_at=timezone.now(), pdf=report.pdf.name,
            xlsx=report.xlsx.name, figures=_jsonable(figures), heartbeat_at=timezone.now())
        for name in old:
            if name not in (report.pdf.name, report.xlsx.name):
                report.pdf.storage.delete(name)
    except Exception as exc:  # the row exists: record the failure for the page, then let Celery see it
        YearlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error=str(exc)[:2000])
        raise
    return report


@transaction.atomic
def submit(user, report):
    if report.status != ReportStatus.DONE:
        raise ValidationError(_("Only a finished report can be submitted."))
    if not may_request(user, report.region) or user.role == Role.GRANT_EXPERT:
        raise PermissionDenied(_("Your role may not submit this report."))
    report.submitted_at, report.submitted_by = timezone.now(), user
    report.save(update_fields=["submitted_at", "submitted_by"])


def save_narrative(user, report, values):
    if not may_request(user, report.region):
        raise PermissionDenied(_("Your role may not edit this report."))
    report.narrative = {key: (values.get(key) or "").strip()[:5000] for key in NARRATIVE}
    report.save(update_fields=["narrative"])


# ------------------------------------------------------------------------------------------------ figures

def build_figures(region, year, progress=lambda p: None) -> dict:
    as_of = date(year, 12, 31)
    ctx = Context(region, as_of)
    start, end = date(year, 1, 1), as_of
    organizations = ctx.organizations()
    everything = Organization.objects.filter(region__code__startswith=region.prefix)
    figures = {"as_of": as_of.isoformat()}

    # A. inventory by tier x legal form x category x urban/rural; new, deregistered, revoked, cleared.
    inventory = (organizations.values("tier", "legal_form", "category__name", "region__committee_type")
                 .annotate(n=Count("pk")).order_by("tier", "legal_form", "category__name", "region__committee_type"))
    figures["inventory"] = [{"tier": r["tier"], "legal_form": r["legal_form"], "category": r["category__name"],
                             "area": r["region__committee_type"] or "", "count": r["n"]} for r in inventory]
    figures["by_tier"] = {r["tier"]: r["n"] for r in organizations.values("tier").annotate(n=Count("pk"))}
    history = Organization.history.filter(region__code__startswith=region.prefix,
                                          history_date__date__range=(start, end))
    figures["flows"] = {
        "new": everything.filter(created_at__date__range=(start, end)).count(),
        **{status: history.filter(status=status).values("id").distinct().count() for status in CLOSED_STATUSES},
    }
    progress(20)

    # B, C, F (indicators against targets).
    rows, _snapshot = indicator_rows(region, as_of, live=True)
    figures["indicators"] = [{"id": r["indicator"].id, "section": r["indicator"].section,
                              "name": str(r["indicator"].name), "numerator": r["value"].numerator,
                              "denominator": r["value"].denominator, "value": r["number"],
                              "target": r["target"].value if r["target"] else None,
                              "operator": r["target"].get_operator_display() if r["target"] else "",
                              "source": r["target"].source_document if r["target"] else "", "met": r["met"]}
                             for r in rows]
    progress(55)

    # D. funding.
    funding = {}
    if find_spec("grants"):
        from grants.models import Application, Subsidy

        awarded = Application.objects.filter(organization__region__code__startswith=region.prefix,
                                             round__year=year, awarded_amount__isnull=False)
        funding["venture_total"] = awarded.aggregate(s=Sum("awarded_amount"))["s"] or Decimal(0)
        subsidies = Subsidy.objects.filter(organization__region__code__startswith=region.prefix,
                                           granted_on__range=(start, end))
        funding["subsidies"] = [{"kind": r["kind__name"], "total": r["total"]} for r in
                                subsidies.values("kind__name").annotate(total=Sum("amount")).order_by("kind__name")]
    figures["funding"] = funding

    # E. capacity.
    trainings = Training.objects.filter(region__code__startswith=region.prefix, held_on__range=(start, end))
    figures["capacity"] = {"trainings": trainings.values("course", "held_on").distinct().count(),
                           "people": trainings.values("person_name", "region").distinct().count(),
                           "by_kind": {r["trainee_kind"]: r["n"] for r in
                                       trainings.values("trainee_kind").annotate(n=Count("pk"))}}

    # F. quality: grades, inspection results.
    figures["grades"] = grade_distribution(ctx)
    from filings.models import Case

    results = (Case.objects.filter(kind="annual_report", period=year, region__code__startswith=region.prefix)
               .exclude(result="").values("result").annotate(n=Count("pk")))
    figures["inspections"] = {r["result"]: r["n"] for r in results}
    progress(75)

    # G. the four campaigns.
    campaigns = (Activity.objects.filter(organization__region__code__startswith=region.prefix,
                                         held_on__range=(start, end), campaign__isnull=False)
                 .values("campaign").annotate(activities=Count("pk"), beneficiaries=Sum("beneficiaries")))
    names = {t.pk: t.name for t in Term.objects.filter(vocabulary="campaign")}
    figures["campaigns"] = [{"campaign": names.get(r["campaign"], ""), "activities": r["activities"],
                             "beneficiaries": r["beneficiaries"] or 0} for r in campaigns]
    figures["children"] = _children_density(region, ctx)
    progress(80)
    return figures


def _children_density(region, ctx):
    from reporting.dashboard import scorecard

    return [{"name": row["region"].name, "urban": row["urban"].value, "rural": row["rural"].value,
             "below": row["below"]} for row in scorecard(region, WHOLE_TREE, ctx.today)]


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def workbook(region, year, figures, narrative) -> bytes:
    """Through the portal's one spreadsheet writer: names and narrative text never become live formulas."""
    inventory = [["管理层级", "法人类型", "类别", "城乡", "数量"]]
    for row in figures["inventory"]:
        inventory.append([row["tier"], row["legal_form"], row["category"], row["area"], row["count"]])
    indicators = [["部分", "指标", "分子", "分母", "数值", "目标", "达标", "依据"]]
    for row in figures["indicators"]:
        indicators.append([row["section"], row["name"], _num(row["numerator"]), _num(row["denominator"]),
                           _num(row["value"]), f"{row['operator']}{row['target']}" if row["target"] is not None else "",
                           "" if row["met"] is None else ("是" if row["met"] else "否"), row["source"]])
    children = [["下级区域", "城市社区平均", "农村社区平均", "未达标社区数"]]
    for row in figures["children"]:
        children.append([row["name"], _num(row["urban"]), _num(row["rural"]), row["below"]])
    campaigns = [["主题", "活动次数", "受益人数"]]
    for row in figures["campaigns"]:
        campaigns.append([row["campaign"], row["activities"], row["beneficiaries"]])
    text = [[label, narrative.get(key, "")] for key, label in (("progress", "进展"), ("problems", "问题"),
                                                                 ("suggestions", "建议"))]
    return workbook_bytes({"A 数量": inventory, "B-F 指标": indicators, "下级对比": children,
                           "G 主题活动": campaigns, "H 文字说明": text})


def _num(value):
    return float(value) if isinstance(value, Decimal) else value
