"""The notification list (each person's own), the low-balance thresholds, and the
operations pages of the platform (server health, alarms, soft switch and performance)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import Action
from accounts.scope import OutOfScope
from alerts import selectors as alert_selectors
from alerts import services as alert_services
from alerts import services as alerts
from alerts.forms import CreateAlarmForm, ThresholdForm
from alerts.models import AlertKind, AlertSettings, AlertState
from alerts.services import low_balance_threshold
from billing.models import MoneySettings
from switch import push_receiver, vos
from switch.models import VosServer
from switch.shortcuts import write_on_form
from vos3000.errors import VosError
from web import querystring
from web.htmx import redirect_after, render_page_or_partial

PAGE_SIZE = 50


def _read_only(scope) -> bool:
    """Someone viewing as this person sees their list but does not read it for them."""
    return scope.acting_user is not None


@login_required
def notification_list(request):
    scope = request.scope
    rows = alert_selectors.notifications(scope)
    unread_only = querystring.flag(request, "unread")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PAGE_SIZE).get_page(querystring.page_number(request))
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread": alert_selectors.unread_count(scope.user),
        "read_only": _read_only(scope),
    }
    return render_page_or_partial(
        request, "alerts/notifications.html", "notification-list", context
    )


@login_required
def notification_read(request, notification_id: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    scope = request.scope
    notification = alert_selectors.notification_or_404(scope, notification_id)
    if _read_only(scope):
        messages.info(request, _("Notifications stay unread while you view as someone else."))
        return redirect_after(request, reverse("notification_list"))
    alert_services.mark_read(scope, notification)
    if request.htmx:
        return render(
            request,
            "alerts/notifications.html#notification-item",
            {
                "notification": notification,
                "unread": alert_selectors.unread_count(scope.user),
                "oob_count": True,
            },
        )
    return redirect("notification_list")


@login_required
def notification_read_all(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    scope = request.scope
    if _read_only(scope):
        messages.info(request, _("Notifications stay unread while you view as someone else."))
    else:
        count = alert_services.mark_all_read(scope)
        messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return redirect_after(request, reverse("notification_list"))


@login_required
def alert_settings(request):
    """A customer's own alert settings are its account's Alerts tab; providers set
    each customer's there too, and see here how thresholds work."""
    scope = request.scope
    if scope.is_customer:
        return redirect("customer_alerts", tenant_id=scope.tenant.pk)
    return render(
        request,
        "alerts/settings.html",
        {"default_threshold": MoneySettings.current().low_balance_threshold},
    )


@login_required
def customer_alerts(request, tenant_id: int):
    """A customer's low-balance threshold: set by its owner, its reseller or an admin;
    read by everyone else who may see the account."""
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    scope.require(Action.VIEW)
    may_set = alert_services.may_set_threshold(scope, tenant)
    own = AlertSettings.objects.filter(tenant=tenant).first()
    initial = {"low_balance_threshold": own.low_balance_threshold if own else None}
    form = ThresholdForm(initial=initial) if may_set else None
    if request.method == "POST":
        if not may_set:
            # Viewers and auditors read the page; their POST is refused like any other.
            raise OutOfScope(f"tenant {tenant.pk}: threshold not changeable by this user")
        form = ThresholdForm(request.POST)
        if form.is_valid():
            alert_services.set_threshold(scope, tenant, form.cleaned_data["low_balance_threshold"])
            messages.success(request, _("Alert settings saved."))
            return redirect_after(
                request, reverse("customer_alerts", kwargs={"tenant_id": tenant.pk})
            )
    state = (
        AlertState.objects.filter(
            kind=AlertKind.LOW_BALANCE, server_id=tenant.server_id, subject=tenant.vos_account
        ).first()
        if tenant.server_id and tenant.vos_account
        else None
    )
    return render(
        request,
        "alerts/customer.html",
        {
            "tenant": tenant,
            "form": form,
            "may_set": may_set,
            "own_threshold": own.low_balance_threshold if own else None,
            "threshold": low_balance_threshold(tenant),
            "default_threshold": MoneySettings.current().low_balance_threshold,
            "state": state,
        },
    )


def _servers(request):
    servers = VosServer.objects.all()
    wanted = querystring.identifier(request, "server")
    if wanted is not None:
        servers = servers.filter(pk=wanted)
    return list(servers)


# --- Health ------------------------------------------------------------------------------
@login_required
def ops_health(request):
    scope = request.scope
    scope.require_platform(Action.VIEW)
    servers = list(VosServer.objects.all())
    for server in servers:
        # This web process's own view of each server, next to the worker's.
        alert_selectors.publish_stats(server, "web")
    rows = alert_selectors.server_health(servers)
    refused = push_receiver.refusals()["by_server"]
    for row in rows:
        counts = refused.get(row["server"].name, {})
        by_reason = [(push_receiver.reason_words(tag), n) for tag, n in sorted(counts.items())]
        row["pushes_refused"] = {"total": sum(counts.values()), "by_reason": by_reason}
    context = {"rows": rows, "may_run": scope.can(Action.RUN_PLATFORM)}
    return render_page_or_partial(request, "ops/health.html", "health-board", context)


@login_required
def ops_health_probe(request):
    scope = request.scope
    scope.require_platform(Action.RUN_PLATFORM)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    servers = list(VosServer.objects.filter(enabled=True))
    down = [s.name for s in servers if not alerts.probe(s, process="web")["ok"]]
    if down:
        messages.warning(request, _("No answer from: %(servers)s.") % {"servers": ", ".join(down)})
    else:
        messages.success(request, _("Every enabled server answered."))
    return redirect_after(request, reverse("ops_health"))


# --- Alarms ------------------------------------------------------------------------------
def _alarm_boards(scope, servers) -> list[dict]:
    boards = []
    for server in servers:
        board = {"server": server, "rows": [], "error": ""}
        if not server.enabled:
            board["error"] = _("This server is disabled.")
        else:
            try:
                answer = vos.call(scope, server, "GetAlarmCurrent", {})
            except VosError as exc:
                board["error"] = vos.describe_error(exc)
            else:
                current = answer.get("infoAlarmCurrents") or []
                # What the page read is what VOS says is current: alerts follow it.
                alerts.alarms_reported(server, current)
                board["rows"] = alert_selectors.alarm_rows(current)
        boards.append(board)
    return boards


def _render_alarms(request, scope, form):
    return render(
        request,
        "ops/alarms.html",
        {
            "boards": _alarm_boards(scope, _servers(request)),
            "form": form,
            "may_create": scope.can(Action.CHANGE),
        },
    )


@login_required
def ops_alarms(request):
    scope = request.scope
    scope.require_platform(Action.VIEW)
    form = CreateAlarmForm() if scope.can(Action.CHANGE) else None
    return _render_alarms(request, scope, form)


@login_required
def ops_alarm_create(request):
    scope = request.scope
    scope.require_platform(Action.CHANGE)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = CreateAlarmForm(request.POST)
    if form.is_valid():
        server = form.cleaned_data["server"]
        if write_on_form(
            form, lambda: vos.call(scope, server, "CreateAlarm", form.to_payload(), target=server)
        ):
            messages.success(
                request,
                _("Alarm %(name)s raised on %(server)s.")
                % {"name": form.cleaned_data["name"], "server": server.name},
            )
            return redirect_after(request, reverse("ops_alarms"))
    return _render_alarms(request, scope, form)


# --- Soft switch and performance ---------------------------------------------------------
@login_required
def ops_switch(request):
    scope = request.scope
    scope.require_platform(Action.VIEW)
    boards = []
    for server in _servers(request):
        board = {"server": server, "switches": [], "performance": [], "error": ""}
        if not server.enabled:
            board["error"] = _("This server is disabled.")
            boards.append(board)
            continue
        try:
            switches = vos.call(scope, server, "GetSoftSwitch", {}).get("infoSoftSwitches") or []
            performance = vos.call(scope, server, "GetPerformance", {}).get("infoPerformance")
        except VosError as exc:
            board["error"] = vos.describe_error(exc)
        else:
            board["switches"] = [
                alert_selectors.described_fields("InfoSoftSwitch", info, hidden={"accessAddress"})
                for info in switches
            ]
            board["performance"] = alert_selectors.described_fields(
                "InfoPerformance", performance or {}
            )
        boards.append(board)
    return render_page_or_partial(request, "ops/switch.html", "switch-board", {"boards": boards})
