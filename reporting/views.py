from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from registry import params
from registry.choices import CommitteeType, RegionLevel
from registry.exports import dataset_from_rows, export_response
from registry.generic import region_for_page, scoped
from registry.models import Region
from registry.pdf import render_pdf
from registry.permissions import has_jurisdiction, permits
from reporting import yearly
from reporting.dashboard import figures
from reporting.indicators import INDICATORS, Context, communities_with_counts, parse_as_of
from reporting.models import YearlyReport
from reporting.targets import below_target_communities, may_manage, summarize, targets_for

NO_JURISDICTION = _l("Dashboards and reports belong to a jurisdiction, and you have none.")


def region_for(request, code=None):
    region = region_for_page(request.user, code or request.GET.get("region"))
    if region is None:
        raise PermissionDenied(str(NO_JURISDICTION))
    return region


def _breadcrumbs(request, region):
    return [r for r in region.ancestors() if request.user.can_see_region(r)]


def as_of_from(request):
    """The "as of" day a page or endpoint asks for (``as_of=YYYY-MM-DD``), today when absent."""
    try:
        return parse_as_of(request.GET.get("as_of")) or timezone.localdate()
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


@login_required
@permits(has_jurisdiction, NO_JURISDICTION)
def dashboard(request):
    region = region_for(request)
    try:
        today = as_of_from(request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        today = timezone.localdate()
    snapshot = request.GET.get("source") == "snapshot"
    shown = figures(region, request.user, today, snapshot=snapshot)
    rows, children = shown["rows"], shown["children"]
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return export_response(_dashboard_dataset(region, rows), fmt, f"dashboard-{region.code}")
    if fmt == "pdf":
        return _dashboard_pdf(region, rows, children, today)
    chart = {
        "labels": [row["region"].name for row in children],
        "urban": [float(row["urban"].value or 0) for row in children],
        "rural": [float(row["rural"].value or 0) for row in children],
        "trend": {key: [[month, float(value or 0)] for month, value in points]
                  for key, points in shown["trends"].items()},
    }
    targets = shown["targets"]
    return render(request, "reporting/dashboard.html", {
        "summary": summarize([row["assessment"] for row in rows]), "may_manage": may_manage(request.user, region),
        "today": today,
        "region": region, "rows": rows, "snapshot_time": shown["snapshot_time"], "children": children,
        "breadcrumbs": _breadcrumbs(request, region), "chart": chart,
        "grades": shown["grades"], "as_of": today, "is_today": shown["live"],
        "urban_target": targets.get("orgs_per_urban_community"),
        "rural_target": targets.get("orgs_per_rural_community"),
        "is_community": region.level == RegionLevel.COMMUNITY,
    })


@scoped(Region)
def figure_rows(request, region, indicator):
    """The rows behind one figure: the same definition as the number, the same region and day."""
    found = INDICATORS.get(indicator)
    if found is None:
        raise Http404
    try:
        today = as_of_from(request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        today = timezone.localdate()
    ctx = Context(region, today)
    rows = found.rows(ctx)
    total = rows.count()
    return render(request, "reporting/figure_rows.html", {
        "region": region, "indicator": found, "kind": found.numerator.kind, "rows": rows[:ROWS_SHOWN],
        "total": total, "shown": min(total, ROWS_SHOWN), "value": found.value(ctx), "as_of": today,
        "is_today": ctx.live, "breadcrumbs": _breadcrumbs(request, region)})


ROWS_SHOWN = 1000


def _dashboard_dataset(region, rows):
    headers = [_("Indicator"), _("Numerator"), _("Denominator"), _("Value"), _("Target"), _("Deadline"), _("Met"),
               _("Short of target"), _("Source")]
    body = []
    for row in rows:
        target = row["target"]
        body.append([str(row["indicator"].name), row["value"].numerator, row["value"].denominator, row["number"],
                     f"{target.get_operator_display()} {target.display_value}" if target else "",
                     target.deadline.isoformat() if target and target.deadline else "",
                     "" if row["met"] is None else (_("Yes") if row["met"] else _("No")),
                     row["assessment"].gap_text or row["assessment"].rollup_text,
                     target.source_document if target else ""])
    return dataset_from_rows(headers, body)


def _dashboard_pdf(region, rows, children, today):
    content = render_pdf("reporting/pdf/dashboard.html", {"region": region, "rows": rows, "children": children,
                                                          "today": today})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{region.code}.pdf"'
    return response


@scoped(Region, queryset=Region.objects.select_related("parent__parent__parent__parent"))
def below_target(request, region, kind):
    """The communities behind "communities below target", each with its count and a link to its organizations."""
    committee = {"urban": CommitteeType.RESIDENTS, "rural": CommitteeType.VILLAGERS}.get(kind)
    if committee is None:
        raise Http404
    indicator_id = "orgs_per_urban_community" if kind == "urban" else "orgs_per_rural_community"
    target = targets_for(region).get(indicator_id)
    communities = communities_with_counts(Context(region), committee, Region.objects.visible_to(request.user))
    below = below_target_communities(communities, region, indicator_id)
    communities = (communities if below is None else below).select_related("parent").order_by("org_count", "code")
    return render(request, "reporting/below_target.html", {
        "region": region, "communities": communities[:500], "total": communities.count(), "target": target,
        "kind": kind, "breadcrumbs": _breadcrumbs(request, region)})


# ------------------------------------------------------------------------------------------------ yearly reports

@login_required
@permits(has_jurisdiction, NO_JURISDICTION)
def yearly_list(request):
    region = region_for(request)
    year = params.year(request.GET, default=timezone.localdate().year - 1)
    own = YearlyReport.objects.filter(region=region, year=year).first()
    children = (Region.objects.visible_to(request.user).filter(parent=region).order_by("code")
                .annotate(submitted=Count("code", filter=Q(pk__in=YearlyReport.objects.filter(
                    year=year, submitted_at__isnull=False).values("region")))))
    reports = {r.region_id: r for r in YearlyReport.objects.filter(region__parent=region, year=year)}
    return render(request, "reporting/yearly_list.html", {
        "region": region, "year": year, "report": own, "children": [(c, reports.get(c.code)) for c in children],
        "breadcrumbs": _breadcrumbs(request, region), "may_request": yearly.may_request(request.user, region)})


@login_required
@require_POST
def yearly_request(request):
    region = region_for(request, request.POST.get("region"))
    year = params.year(request.POST, default=timezone.localdate().year - 1)
    try:
        report = yearly.request_report(request.user, region, year)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(f"{request.path.replace('request/', '')}?region={region.code}&year={year}")
    return redirect("reporting:yearly_detail", pk=report.pk)


@scoped(YearlyReport, queryset=YearlyReport.objects.select_related("region"))
def yearly_detail(request, report):
    if request.method == "POST":
        try:
            if request.POST.get("action") == "submit":
                yearly.submit(request.user, report)
                messages.success(request, _("Submitted to the superior level."))
            else:
                yearly.save_narrative(request.user, report, {k: request.POST.get(k, "") for k in yearly.NARRATIVE})
                messages.success(request, _("Narrative saved; run the report again to include it."))
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("reporting:yearly_detail", pk=report.pk)
    template = "reporting/_yearly_progress.html" if request.htmx else "reporting/yearly_detail.html"
    return render(request, template, {"report": report, "stale": yearly.is_stale(report),
                                      "narrative_fields": yearly.narrative_fields(report)})


@scoped(YearlyReport, queryset=YearlyReport.objects.filter(status="done"))
def yearly_file(request, report, fmt):
    stored = report.pdf if fmt == "pdf" else report.xlsx if fmt == "xlsx" else None
    if not stored:
        raise Http404
    return FileResponse(stored.open("rb"), as_attachment=True,
                        filename=f"yearly-report-{report.region_id}-{report.year}.{fmt}")
