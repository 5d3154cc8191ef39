"""Operations pages for the platform: each VOS server's health (the client's own
measurements, per process), its current alarms (and raising one), its soft switch and
performance. Servers are shown by name; their address never (``masked_url`` only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import alert_selectors, alerts
from accounts.alert_forms import CreateAlarmForm
from accounts.roles import Action
from accounts.sessions import redirect_to
from telephony import vos
from telephony.models import VosServer
from telephony.views_common import write_on_form
from vos3000.errors import VosError


def _servers(request):
    servers = VosServer.objects.all()
    wanted = request.GET.get("server")
    if wanted and wanted.isdigit():
        servers = servers.filter(pk=int(wanted))
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
    context = {
        "rows": alert_selectors.server_health(servers),
        "may_run": scope.can(Action.RUN_PLATFORM),
    }
    template = "ops/health.html#health-board" if request.htmx else "ops/health.html"
    return render(request, template, context)


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
    return redirect_to(request, reverse("ops_health"))


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
            return redirect_to(request, reverse("ops_alarms"))
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
    template = "ops/switch.html#switch-board" if request.htmx else "ops/switch.html"
    return render(request, template, {"boards": boards})
