"""The yearly report of a region (DOMAIN.md §7): figures A-H as of 31 December, a PDF and an XLSX workbook.

The row is tracked work on the registry's job engine (registered in reporting/apps.py): a Celery task takes the
row's id, the engine claims it once and renews its lease while ``build`` works. A worker killed mid-job leaves the
message unacknowledged (acks_late + reject_on_worker_lost), and the row is taken over once its lease expired; a
report whose lease went stale shows as failed and can be started again. Re-running the same region and year
replaces the files.
"""

from collections import Counter
from datetime import date
from decimal import Decimal
from importlib.util import find_spec

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Min, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.replicas import on_replica
from registry import jobs
from registry.choices import CLOSED_STATUSES, LegalForm, RegionLevel, Role, Tier, TraineeKind
from registry.exports import workbook_bytes
from registry.models import Activity, Organization, Region, Term, Training
from registry.pdf import render_pdf
from registry.scoping import WHOLE_TREE
from reporting.dashboard import indicator_rows
from reporting.facts import local_day
from reporting.indicators import INDICATORS, Context, grade_distribution
from reporting.models import ReportStatus, YearlyReport

NARRATIVE = ("progress", "problems", "suggestions")
MAX_REPORT_LEVEL = RegionLevel.STREET


def narrative_fields(report):
    labels = {"progress": _("Progress"), "problems": _("Problems"), "suggestions": _("Suggestions")}
    return [(key, labels[key], report.narrative.get(key, "")) for key in NARRATIVE]


def may_request(user, region) -> bool:
    return user.is_active and region.level <= MAX_REPORT_LEVEL and (
        user.is_superuser or user.role in (Role.ADMIN, Role.LEADER, Role.DISTRICT_REVIEWER, Role.STREET_STAFF))


def is_stale(report, now=None) -> bool:
    """A running report whose lease (renewed by its worker, registry/jobs.py) has expired: its worker died."""
    return jobs.lease_expired(report, now)


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
    jobs.queue("yearly_report", report.pk)
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
    return jobs.fail_abandoned(YearlyReport, "The worker stopped before the report was finished.", now)


def run(report_id):
    """The task body: the job engine (registry/jobs.py) claims the report once, renews its lease while ``build``
    works and records a failure; a finished report is not built again."""
    return jobs.execute("yearly_report", report_id)


def build(report, attempt):
    """Figures, PDF and workbook of one report, written only by the attempt that owns the row."""
    jobs.owned(YearlyReport, report.pk, attempt).update(progress=0, error="")

    def progress(percent):
        jobs.owned(YearlyReport, report.pk, attempt).update(progress=percent, heartbeat_at=timezone.now())

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
        jobs.finish(YearlyReport, report.pk, attempt, status=ReportStatus.DONE, progress=100,
                    pdf=report.pdf.name, xlsx=report.xlsx.name, figures=_jsonable(figures),
                    heartbeat_at=timezone.now())
    for name in old:
        if name not in (report.pdf.name, report.xlsx.name):
            report.pdf.storage.delete(name)


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

AREA_LABELS = {"urban": "城市社区（居委会）", "rural": "农村社区（村委会）", "": "街道及以上"}


def build_figures(region, year, progress=lambda p: None) -> dict:
    """Every section as the records stood on 31 December of ``year``; the year's flows by their decision dates."""
    as_of = date(year, 12, 31)
    ctx = Context(region, as_of)
    start, end = date(year, 1, 1), as_of
    figures = {"as_of": as_of.isoformat()}

    # A. inventory by tier x legal form x category x urban/rural, as of 31 December.
    open_facts = INDICATORS["organizations"].rows(ctx)
    area_of = dict(INDICATORS["orgs_per_urban_community"].rows(Context(region, as_of, tiers=tuple(Tier.values)))
                   .values_list("organization_id", "key"))
    area_of.update(INDICATORS["orgs_per_rural_community"].rows(Context(region, as_of, tiers=tuple(Tier.values)))
                   .values_list("organization_id", "key"))
    grouped = Counter()
    for org_id, key, legal_form, category in open_facts.values_list(
            "organization_id", "key", "organization__legal_form", "organization__category__name"):
        grouped[(key.split(".", 1)[1], legal_form, category, area_of.get(org_id, "").split(".")[0])] += 1
    figures["inventory"] = [
        {"tier": str(Tier(tier).label), "legal_form": str(LegalForm(form).label) if form else "",
         "category": category, "area": AREA_LABELS[area], "count": n}
        for (tier, form, category, area), n in sorted(grouped.items())]
    figures["by_tier"] = {tier: ctx.total([f"org.{tier}"]) for tier in Tier.values}
    figures["flows"] = flows(region, start, end)
    progress(20)

    # B, C, E, F: every indicator against its target, as of 31 December.
    rows, _snapshot = indicator_rows(region, as_of, live=True)
    figures["indicators"] = [{"id": r["indicator"].id, "section": r["indicator"].section,
                              "name": str(r["indicator"].name), "numerator": r["value"].numerator,
                              "denominator": r["value"].denominator, "value": r["number"],
                              "target": r["target"].value if r["target"] else None,
                              "operator": r["target"].get_operator_display() if r["target"] else "",
                              "source": r["target"].source_document if r["target"] else "", "met": r["met"]}
                             for r in rows]
    figures["below_target"] = [
        {"kind": label, "code": c.code, "name": c.name}
        for indicator_id, label in (("urban_communities_below_target", "城市社区"),
                                    ("rural_communities_below_target", "农村社区"))
        for c in INDICATORS[indicator_id].rows(ctx)[:500]]
    progress(55)

    # D. funding: the year's venture-grant rounds (decided by 31 December) and subsidies granted in the year.
    funding = {}
    if find_spec("grants"):
        from grants.models import Subsidy

        share = INDICATORS["venture_grant_community_share"].value(ctx)
        funding["venture_total"] = share.denominator or Decimal(0)
        funding["venture_to_community"] = share.numerator or Decimal(0)
        funding["venture_share"] = share.value
        subsidies = Subsidy.objects.filter(organization__region__code__startswith=region.prefix,
                                           granted_on__range=(start, end))
        funding["subsidies"] = [{"kind": r["kind__name"], "total": r["total"]} for r in
                                subsidies.values("kind__name").annotate(total=Sum("amount")).order_by("kind__name")]
    figures["funding"] = funding

    # E. capacity: sessions, distinct people and attendances (人次), each labelled.
    trainings = Training.objects.filter(region__code__startswith=region.prefix, held_on__range=(start, end))
    figures["capacity"] = {
        "trainings": trainings.values("course", "held_on").distinct().count(),
        "people": trainings.values("person_name", "trainee_kind", "organization").distinct().count(),
        "participations": trainings.count(),
        "by_kind": {str(TraineeKind(r["trainee_kind"]).label): r["n"]
                    for r in trainings.values("trainee_kind").annotate(n=Count("pk")).order_by("trainee_kind")}}

    # F. quality: grades in force on 31 December; annual inspections submitted in the year.
    figures["grades"] = grade_distribution(ctx)
    from filings.choices import InspectionResult
    from filings.models import Case

    results = (Case.objects.filter(kind="annual_report", period=year - 1, region__code__startswith=region.prefix,
                                   submitted_at__date__lte=end)
               .exclude(result="").values("result").annotate(n=Count("pk")).order_by("result"))
    figures["inspections"] = {str(InspectionResult(r["result"]).label): r["n"] for r in results}
    progress(75)

    # G. the four campaigns.
    campaigns = (Activity.objects.filter(organization__region__code__startswith=region.prefix,
                                         held_on__range=(start, end), campaign__isnull=False)
                 .values("campaign").annotate(activities=Count("pk"), beneficiaries=Sum("beneficiaries"))
                 .order_by("campaign"))
    names = {t.pk: t.name for t in Term.objects.filter(vocabulary="campaign")}
    figures["campaigns"] = [{"campaign": names.get(r["campaign"], ""), "activities": r["activities"],
                             "beneficiaries": r["beneficiaries"] or 0} for r in campaigns]
    figures["children"] = _children_density(region, ctx)
    progress(80)
    return figures


def flows(region, start, end) -> dict:
    """The year's new, changed, deregistered, revoked and cleared organizations, by decision date: new = existing
    from a day in the year (its registration, filing or recording date, not the day the row was typed); closed =
    moved into that status in the year (a later edit of an already closed organization is not a second closing)."""
    from filings.models import Case
    from reporting.models import OrganizationFact

    first = (OrganizationFact.objects.filter(key__startswith="org.", region__startswith=region.prefix)
             .values("organization").annotate(first=Min("valid_from")).filter(first__range=(start, end)))
    candidates = Organization.history.filter(region__code__startswith=region.prefix, status__in=CLOSED_STATUSES,
                                             history_date__date__range=(start, end)).values("id")
    closed, before = Counter(), {}
    for org_id, status, day in (Organization.history.filter(id__in=candidates, history_date__date__lte=end)
                                .order_by("id", "history_date", "history_id")
                                .values_list("id", "status", "history_date")):
        if status in CLOSED_STATUSES and before.get(org_id) != status and local_day(day) >= start:
            closed[status] += 1
        before[org_id] = status
    changed = Case.objects.filter(kind="change", state="approved", region__code__startswith=region.prefix,
                                  decided_at__date__range=(start, end)).count()
    return {"new": first.count(), "changed": changed,
            **{status: closed.get(status, 0) for status in CLOSED_STATUSES}}


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


SECTION_TITLES = {"A": "A 数量", "B": "B 密度", "C": "C 覆盖", "D": "D 资金", "E": "E 能力建设", "F": "F 质量",
                  "G": "G 主题活动", "H": "H 文字说明"}
CLOSED_LABELS = {"deregistered": "注销", "revoked": "撤销", "cleared": "清理"}


def workbook(region, year, figures, narrative) -> bytes:
    """The report as a workbook: one sheet per section A-H, Chinese headers and labels (never raw codes), through
    the portal's one spreadsheet writer (names and narrative text never become live formulas)."""
    sheets = {section: [[f"{region.full_name} {year}年度 {title}（截至{year}年12月31日）"]]
              for section, title in SECTION_TITLES.items()}

    a = sheets["A"]
    a.append(["管理层级", "数量"])
    for tier in Tier:
        a.append([str(tier.label), figures["by_tier"].get(tier.value, 0)])
    a.append([])
    a.append(["本年新增", "本年变更", *CLOSED_LABELS.values()])
    a.append([figures["flows"]["new"], figures["flows"].get("changed", 0),
              *(figures["flows"].get(key, 0) for key in CLOSED_LABELS)])
    a.append([])
    a.append(["管理层级", "法人类型", "类别", "城乡", "数量"])
    for row in figures["inventory"]:
        a.append([row["tier"], row["legal_form"] or "—", row["category"], row["area"], row["count"]])

    headers = ["指标", "分子", "分母", "数值", "目标", "达标", "依据"]
    for section in "BCEF":
        sheets[section].append(headers)
    for row in figures["indicators"]:
        sheet = sheets.get(row["section"] if row["section"] in "BCEF" else "B")
        sheet.append([row["name"], _num(row["numerator"]), _num(row["denominator"]), _num(row["value"]),
                      f"{row['operator']}{row['target']}" if row["target"] is not None else "",
                      "" if row["met"] is None else ("是" if row["met"] else "否"), row["source"]])
    b = sheets["B"]
    b.append([])
    b.append(["下级区域", "城市社区平均", "农村社区平均", "未达标社区数"])
    for row in figures["children"]:
        b.append([row["name"], _num(row["urban"]), _num(row["rural"]), row["below"]])
    b.append([])
    b.append(["未达标社区", "类型", "代码"])
    for row in figures.get("below_target", []):
        b.append([row["name"], row["kind"], row["code"]])

    d = sheets["D"]
    funding = figures.get("funding") or {}
    d.append(["公益创投资助总额（元）", _num(funding.get("venture_total", 0))])
    d.append(["其中资助社区社会组织（元）", _num(funding.get("venture_to_community", 0))])
    d.append(["社区社会组织所占比例（%）", _num(funding.get("venture_share"))])
    d.append([])
    d.append(["补贴、奖励类别", "金额（元）"])
    for row in funding.get("subsidies", []):
        d.append([row["kind"], _num(row["total"])])

    e = sheets["E"]
    e.append([])
    capacity = figures["capacity"]
    e.append(["培训期次", "参训人数（不重复）", "参训人次"])
    e.append([capacity["trainings"], capacity["people"], capacity.get("participations", 0)])
    e.append(["参训对象", "人次"])
    for kind, n in capacity.get("by_kind", {}).items():
        e.append([kind, n])

    f = sheets["F"]
    f.append([])
    f.append(["评估等级（有效期内）", "组织数"])
    for grade, n in figures["grades"].items():
        f.append([grade, n])
    f.append(["年检结果", "数量"])
    for result, n in figures["inspections"].items():
        f.append([result, n])
    f.append(["僵尸型组织清理", figures["flows"].get("cleared", 0)])

    g = sheets["G"]
    g.append(["主题", "活动次数", "受益人数"])
    for row in figures["campaigns"]:
        g.append([row["campaign"], row["activities"], row["beneficiaries"]])

    h = sheets["H"]
    for key, label in (("progress", "工作进展"), ("problems", "存在问题"), ("suggestions", "意见建议")):
        h.append([label, narrative.get(key, "")])
    return workbook_bytes({SECTION_TITLES[section]: rows for section, rows in sheets.items()})


def _num(value):
    return float(value) if isinstance(value, Decimal) else value
