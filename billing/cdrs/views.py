"""The CDR pages: the scoped search (and an account's Calls tab, the same search fixed
to that account), today's calls fetched live from the switch, and the CSV/XLSX exports
(a background job, polled, downloaded by its requester only).

Every search reads the local copy through ``request.scope`` (``cdr_selectors.search``);
the only VOS call is the live fetch, paced and cached in ``billing.cdrs.live``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.models import Tenant
from accounts.roles import Action
from billing.cdrs import columns as cdr_columns
from billing.cdrs import export as cdr_export
from billing.cdrs import live as cdr_live
from billing.cdrs import pull as cdr_pull
from billing.cdrs import selectors as cdr_selectors
from billing.cdrs import tasks as cdr_tasks
from billing.cdrs.forms import MAX_RANGE_DAYS, CdrExportForm, CdrSearchForm
from billing.models import CdrExport, CdrPullJob
from switch.models import VosServer
from web import querystring
from web.htmx import redirect_after, render_page_or_partial, wants_fragment
from web.tasks import enqueue

PAGE_SIZE = 50


def _time_zone(request) -> str:
    return getattr(request.user, "time_zone", "") or "UTC"


def _search_form(request, data, fixed_tenant=None) -> CdrSearchForm:
    return CdrSearchForm(
        data, scope=request.scope, time_zone=_time_zone(request), fixed_tenant=fixed_tenant
    )


def _with_default_days(request, query, fixed_tenant=None):
    """A page opened without dates shows the latest day with calls (the user's today
    when there are calls today, or none at all), never an empty "today" while the
    dashboard lists calls. Returns the data and that day when it is not today."""
    data = query.copy()
    shown_instead = None
    if not data.get("date_from") and not data.get("date_to"):
        zone = _time_zone(request)
        day = today = CdrSearchForm.today_in(zone)
        latest = cdr_selectors.latest_call_start(request.scope, fixed_tenant)
        if latest is not None:
            day = CdrSearchForm.day_in(latest, zone)
            if day < today:
                shown_instead = day
            else:
                day = today
        data["date_from"] = data["date_to"] = day.isoformat()
    return data, shown_instead


def _live_tenant(scope, form, fixed_tenant):
    """The one customer account a live fetch may be offered for on this page."""
    tenant = fixed_tenant
    if tenant is None and form.is_valid():
        tenant = form.chosen_tenant
    if tenant is None and scope.is_customer:
        tenant = scope.tenant
    if tenant is None or tenant.kind != Tenant.Kind.CUSTOMER or not tenant.is_linked:
        return None
    return tenant


def _search_page(request, fixed_tenant=None):
    scope = request.scope
    cdr_selectors.visible_cdrs(scope)  # 404 for a role without the right to view
    data, latest_day = _with_default_days(request, request.GET, fixed_tenant)
    form = _search_form(request, data, fixed_tenant)
    columns = cdr_columns.page_columns(scope)
    context = {
        "form": form,
        "columns": columns,
        "tenant": fixed_tenant,
        "time_zone": _time_zone(request),
        "page": None,
        "totals": None,
        "rows": [],
        "query": "",
        "export_params": [],
        "sees_agent_fee": scope.is_provider,
        "max_days": MAX_RANGE_DAYS,
        "latest_day": latest_day,
    }
    if form.is_valid():
        rows = cdr_selectors.search(scope, form.filters())
        page, totals = cdr_selectors.page_and_totals(
            rows,
            before=querystring.text(request, "before") or None,
            after=querystring.text(request, "after") or None,
            size=PAGE_SIZE,
            fields=[column.field for column in columns],
        )
        params = form.as_params()
        context.update(
            page=page,
            totals=totals,
            rows=[cdr_columns.cells(row, columns) for row in page.rows],
            query=urlencode(params),
            export_params=sorted(params.items()),
        )
    live_tenant = _live_tenant(scope, form, fixed_tenant)
    context["live_tenant"] = live_tenant
    context["live"] = cdr_live.live_calls(scope, live_tenant, fetch=False) if live_tenant else None
    if request.htmx and request.htmx.target == "cdr-results":
        return render(request, "cdrs/search.html#results", context)
    context["exports"] = cdr_selectors.cdr_exports(scope).order_by("-id")[:5]
    return render(request, "cdrs/search.html", context)


@login_required
def cdr_search(request):
    return _search_page(request)


@login_required
def account_calls(request, tenant_id: int):
    """An account's Calls tab: the search, fixed to that account (a reseller's: its
    whole subtree)."""
    tenant = request.scope.account_or_404(tenant_id)
    return _search_page(request, fixed_tenant=tenant)


@login_required
def live_calls(request, tenant_id: int):
    """GET shows what was fetched lately (never asks the switch); POST asks it, at most
    once per CDR_LIVE_CACHE_SECONDS for the account whoever asks."""
    scope = request.scope
    cdr_selectors.visible_cdrs(scope)
    tenant = scope.account_or_404(tenant_id)
    fetch = request.method == "POST" and tenant.kind == Tenant.Kind.CUSTOMER
    context = {
        "tenant": tenant,
        "live_tenant": tenant if tenant.kind == Tenant.Kind.CUSTOMER else None,
        "live": cdr_live.live_calls(scope, tenant, fetch=fetch),
        "time_zone": _time_zone(request),
    }
    return render_page_or_partial(request, "cdrs/live.html", "live", context)


@login_required
@require_POST
def export_start(request):
    """Queue an export of the search the page shows (its filters, posted again and
    validated again)."""
    scope = request.scope
    cdr_selectors.visible_cdrs(scope)
    form = _search_form(request, request.POST)
    options = CdrExportForm({"format": CdrExport.Format.CSV, **request.POST.dict()})
    if not options.is_valid() or not form.is_valid():
        context = {"form": form, "columns": [], "rows": [], "page": None, "totals": None}
        context["time_zone"] = _time_zone(request)
        context["export_error"] = True
        template = "cdrs/export.html#refused" if wants_fragment(request) else "cdrs/search.html"
        return render(request, template, context, status=400)
    fmt, raw = options.cleaned_data["format"], options.cleaned_data["raw"]
    job = cdr_export.start(scope, request.user, form, fmt, raw=raw)
    if request.htmx:
        return render(request, "cdrs/export.html#status", {"job": job})
    return redirect("cdr_export_status", pk=job.pk)


@login_required
def export_status(request, pk: int):
    job = cdr_selectors.cdr_export_or_404(request.scope, pk)
    return render_page_or_partial(request, "cdrs/export.html", "status", {"job": job})


@login_required
def export_download(request, pk: int):
    job = cdr_selectors.cdr_export_or_404(request.scope, pk)
    first, last = job.filters.get("date_from", ""), job.filters.get("date_to", "")
    return cdr_export.download(request.scope, job, f"calls-{first}-{last}-{job.pk}")


RECENT_JOBS = 50


@login_required
def pulls(request):
    scope = request.scope
    scope.require_platform(Action.VIEW)
    servers = list(VosServer.objects.all())
    jobs = list(CdrPullJob.objects.select_related("server", "requested_by")[:RECENT_JOBS])
    states = cdr_pull.server_states(servers)
    context = {
        "jobs": jobs,
        "states": states,
        "busy": any(job.status in ("pending", "running") for job in jobs),
        "may_run": scope.can(Action.RUN_PLATFORM),
    }
    return render_page_or_partial(request, "pulls/pulls.html", "pull-board", context)


def _server_for_action(request, server_id: int):
    scope = request.scope
    scope.require_platform(Action.RUN_PLATFORM)  # before the method check
    if request.method != "POST":
        return scope, None, HttpResponseNotAllowed(["POST"])
    return scope, get_object_or_404(VosServer, pk=server_id), None


def _queue_pull(server, reason: str, user_id: int) -> None:
    enqueue(cdr_tasks.pull_server, server.pk, reason, user_id)


@login_required
def pull_now(request, server_id: int):
    scope, server, refused = _server_for_action(request, server_id)
    if refused:
        return refused
    if not server.enabled:
        messages.error(request, _("This server is disabled: enable it before pulling."))
        return redirect_after(request, reverse("cdr_pulls"))
    _queue_pull(server, CdrPullJob.Reason.MANUAL, (scope.acting_user or scope.user).pk)
    audit.record("cdr.pull.start", scope=scope, target=server, vos_server=server)
    messages.info(request, _("A pull of %(server)s has been queued.") % {"server": server.name})
    return redirect_after(request, reverse("cdr_pulls"))


@login_required
def retry_failed(request, server_id: int):
    scope, server, refused = _server_for_action(request, server_id)
    if refused:
        return refused
    due = cdr_pull.make_failed_days_due(server)
    if due and server.enabled:
        _queue_pull(server, CdrPullJob.Reason.RETRY, (scope.acting_user or scope.user).pk)
    audit.record(
        "cdr.pull.retry", scope=scope, target=server, vos_server=server, after={"days": due}
    )
    if not due:
        messages.info(request, _("No day of %(server)s has failed.") % {"server": server.name})
    elif not server.enabled:
        messages.info(request, _("The failed days are due again; the server is disabled."))
    else:
        messages.info(
            request,
            _("%(count)s failed days of %(server)s are being pulled again.")
            % {"count": due, "server": server.name},
        )
    return redirect_after(request, reverse("cdr_pulls"))
