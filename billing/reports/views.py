"""Report pages: the scope's recent VOS fee reports, a new one, one report (progress
polled with htmx, then tables, charts and a CSV), and call statistics from the local
CDR copy.

Every object comes through ``request.scope`` (a foreign report or account is a 404);
the reports themselves are run by ``billing.reports.services`` in a Celery task.
"""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import audit
from accounts.scope import OutOfScope
from billing.cdrs.selectors import visible_cdrs
from billing.models import ReportJob
from billing.reports import charts, selectors
from billing.reports import services as reports
from billing.reports import stats as cdr_stats
from billing.reports.forms import CallStatsForm, ReportForm
from web import querystring
from web.htmx import render_page_or_partial

RECENT_JOBS = 50


# Beyond this the page shows the first rows and points to the CSV for all of them.
MAX_TABLE_ROWS = 500


CHART_BARS = 10


@login_required
def report_list(request):
    jobs = selectors.report_jobs(request.scope).select_related("tenant", "requested_by")[
        :RECENT_JOBS
    ]
    return render(request, "reports/list.html", {"jobs": jobs})


@login_required
def report_new(request):
    scope = request.scope
    initial_tenant = None
    asked_tenant = querystring.identifier(request, "tenant")
    if request.method == "GET" and asked_tenant is not None:
        initial_tenant = scope.tenant_or_404(asked_tenant)
    form = ReportForm(request.POST or None, scope=scope, initial_tenant=initial_tenant)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            job = reports.start_report(
                scope,
                requested_by=request.user,
                tenant=form.subject(),
                kind=data["kind"],
                period=data["period"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                reach=data.get("reach") or reports.REACH_ACCOUNT,
                area_code=data.get("area_code", ""),
                e164s=data.get("e164s") or [],
            )
            return redirect("report_detail", pk=job.pk)
        return render(request, "reports/new.html", {"form": form}, status=400)
    return render(request, "reports/new.html", {"form": form})


def _results(job: ReportJob) -> dict:
    """Tables and charts of a finished report."""
    rows = reports.rows_of(job)
    per_month = job.period == ReportJob.Period.MONTH
    spend = reports.spend_per_period(rows)
    spend_title = _("Spend per month (UTC)") if per_month else _("Spend per day (UTC)")
    context = {
        "rows": rows[:MAX_TABLE_ROWS],
        "rows_cut": len(rows) > MAX_TABLE_ROWS,
        "row_count": len(rows),
        "totals": reports.totals_of(rows),
        "spend": spend,
        "spend_title": spend_title,
        "spend_chart": charts.bar_chart(spend, title=spend_title, unit=_("Fee")),
    }
    if job.kind == ReportJob.Kind.LOCATION_FEE:
        top = reports.top_destinations(rows)
        title = _("Top destinations by fee")
        context["destinations"] = top
        context["destinations_chart"] = charts.bar_chart(
            [(d.label, d.fee) for d in top], title=title, unit=_("Fee")
        )
    else:
        levels = reports.minutes_by_level(rows)
        title = _("Minutes by call level")
        context["levels"] = levels
        context["levels_chart"] = charts.bar_chart(levels, title=title, unit=_("Minutes"))
    return context


@login_required
def report_detail(request, pk: int):
    job = selectors.report_job_or_404(request.scope, pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    context = {"job": job}
    if job.status == ReportJob.Status.DONE:
        context.update(_results(job))
    return render_page_or_partial(request, "reports/detail.html", "job", context)


@login_required
def report_csv(request, pk: int):
    job = selectors.report_job_or_404(request.scope, pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if job.status != ReportJob.Status.DONE:
        return redirect("report_detail", pk=job.pk)
    audit.record(
        "report.csv_downloaded",
        scope=request.scope,
        target=job,
        tenant=job.tenant,
        payload={"rows": len(job.rows or [])},
    )
    raw = querystring.text(request, "columns") == "raw"  # "Column names for machines"
    lines = reports.csv_lines(job, raw=raw)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    name = f"report-{job.kind}-{job.first_day:%Y%m%d}-{job.last_day:%Y%m%d}-{job.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Call statistics from the local CDRs -------------------------------------------------------
def _zone_of(request) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(getattr(request.user, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _stats_charts(group: str, found: list) -> list[dict]:
    """The charts of one grouping (each shown with the table of the same numbers)."""
    if group in (cdr_stats.BY_DAY,):
        return [
            {
                "svg": charts.bar_chart(
                    [(r.label, r.minutes) for r in found],
                    title=_("Minutes per day"),
                    unit=_("Minutes"),
                )
            },
            {
                "svg": charts.line_chart(
                    charts.Series(_("ASR"), [(r.label, r.asr) for r in found]),
                    title=_("ASR per day (%)"),
                    unit="%",
                )
            },
        ]
    if group == cdr_stats.MARGIN_BY_DAY:
        return [
            {
                "svg": charts.line_chart(
                    [
                        charts.Series(_("Revenue"), [(r.label, r.fee) for r in found]),
                        charts.Series(_("Cost"), [(r.label, r.agent_fee) for r in found]),
                    ],
                    title=_("Revenue and cost per day"),
                    unit=_("Fee"),
                )
            }
        ]
    if group == cdr_stats.MARGIN_BY_CUSTOMER:
        top = sorted(found, key=lambda r: -r.margin)[:CHART_BARS]
        return [
            {
                "svg": charts.bar_chart(
                    [(r.label, r.margin) for r in top],
                    title=_("Margin per customer (top %(n)d)") % {"n": CHART_BARS},
                    unit=_("Fee"),
                )
            }
        ]
    if group == cdr_stats.BY_PREFIX:
        title = _("Calls per destination prefix (top %(n)d)") % {"n": CHART_BARS}
        data = [(r.label, r.calls) for r in found[:CHART_BARS]]
        return [{"svg": charts.bar_chart(data, title=title, unit=_("Calls"))}]
    title = (
        _("Minutes per gateway (top %(n)d)")
        if group == cdr_stats.BY_GATEWAY
        else _("Minutes per customer (top %(n)d)")
    ) % {"n": CHART_BARS}
    data = [(r.label, r.minutes) for r in found[:CHART_BARS]]
    return [{"svg": charts.bar_chart(data, title=title, unit=_("Minutes"))}]


@login_required
def call_stats(request):
    scope = request.scope
    visible_cdrs(scope)  # 404 for a role without the view right
    allowed = {value for value, _label in cdr_stats.groupings_for(scope)}
    asked = querystring.text(request, "group") or None
    if asked in (cdr_stats.BY_GATEWAY, *cdr_stats.MARGINS) and asked not in allowed:
        # Gateways are never shown below the platform; margins are a reseller's.
        raise OutOfScope(f"call statistics per {asked}")
    zone = _zone_of(request)
    form = CallStatsForm(request.GET or None, scope=scope, zone=zone)
    chosen = form.chosen()
    context = {
        "form": form,
        "zone": zone.key,
        "shows_margin": cdr_stats.shows_margin(scope),
    }
    if chosen is not None:
        result = cdr_stats.statistics(
            scope, first=chosen["first"], last=chosen["last"], zone=zone, group=chosen["group"]
        )
        context.update(
            {
                "chosen": chosen,
                "group": chosen["group"],
                "is_margin": chosen["group"] in cdr_stats.MARGINS,
                "found": result.rows,
                "total": result.total,
                "charts": _stats_charts(chosen["group"], result.rows),
            }
        )
    return render_page_or_partial(
        request, "reports/calls.html", "stats", context, status=200 if chosen is not None else 400
    )
