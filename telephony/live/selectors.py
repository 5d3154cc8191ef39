"""Scoped reads of the live state (live calls, online phones, alarms, dashboard figures).

Everything here reads the shared snapshots that ``telephony.live.state`` writes; the only
VOS traffic a page can cause is ``refresh_if_due``: at most one poll per server per
interval, whoever and however many watch. Each viewer's rows are then filtered through
its scope: admins all, resellers their subtree's, customers their own (a call is theirs
when its caller's or callee's phone is).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, Sum

from accounts.scope import OutOfScope
from switch.models import VosServer
from telephony.live import state as live_state
from telephony.models import CurrentAlarm, LiveCall, LivePoll


def servers_for(scope) -> list[VosServer]:
    """The enabled VOS servers whose live state this scope may see some of."""
    servers = VosServer.objects.filter(enabled=True).order_by("name")
    if scope.is_platform:
        return list(servers)
    ids = scope.tenants().exclude(server__isnull=True).values_list("server_id", flat=True)
    return list(servers.filter(pk__in=ids))


def refresh(servers, kind: str) -> None:
    for server in servers:
        live_state.refresh_if_due(server, kind)


def live_calls(scope, *, servers=None, q: str = "", state: str = ""):
    """The calls in progress this scope may see (refreshing due snapshots first)."""
    servers = servers_for(scope) if servers is None else servers
    refresh(servers, live_state.CALLS)
    rows = scope.live_calls().filter(server__in=servers, released=False).select_related("server")
    if q:
        rows = rows.filter(Q(caller_e164__contains=q) | Q(callee_e164__contains=q))
    if state == "connected":
        rows = rows.filter(connected_at__isnull=False)
    elif state == "ringing":
        rows = rows.filter(connected_at__isnull=True)
    return rows.order_by("server__name", "call_id")


def call_or_404(scope, server_id, call_id) -> LiveCall:
    """A live call in the scoped snapshot (what a disconnect may name); else 404."""
    try:
        rows = scope.live_calls().filter(
            server_id=int(server_id), call_id=int(call_id), released=False, server__enabled=True
        )
    except (TypeError, ValueError):
        raise OutOfScope(f"live call {call_id!r}") from None
    call = rows.select_related("server").first()
    if call is None:
        raise OutOfScope(f"live call {call_id!r}")
    return call


def online_phones(scope, *, servers=None, refresh_due: bool = True):
    servers = servers_for(scope) if servers is None else servers
    if refresh_due:
        refresh(servers, live_state.PHONES)
    rows = scope.phone_registrations().filter(server__in=servers, online=True)
    return rows.select_related("server").order_by("server__name", "e164")


def poll_status(servers, kind: str) -> dict[int, LivePoll]:
    return {p.server_id: p for p in LivePoll.objects.filter(server__in=servers, kind=kind)}


def current_alarms(servers, limit: int = 10):
    return CurrentAlarm.objects.filter(server__in=servers).select_related("server")[:limit]


def dashboard(scope) -> dict:
    """The live figures of a dashboard or a customer's home: per server the live calls
    and online phones of the scope, poll errors in words, balances from pushes and
    page reads, the platform's current alarms (admins), and the last pulled calls."""
    from billing.models import BalanceReading

    servers = servers_for(scope)
    calls = list(live_calls(scope, servers=servers))
    phones = list(online_phones(scope, servers=servers))
    polls = poll_status(servers, live_state.CALLS)
    figures = [
        {
            "server": server,
            "calls": sum(1 for c in calls if c.server_id == server.pk),
            "phones": sum(1 for p in phones if p.server_id == server.pk),
            "error": getattr(polls.get(server.pk), "error", ""),
            "polled_at": getattr(polls.get(server.pk), "polled_at", None),
        }
        for server in servers
    ]
    live = {
        "servers": figures,
        "calls": len(calls),
        "phones": phones,
        "phones_online": len(phones),
        "alarms": list(current_alarms(servers)) if scope.is_platform else [],
        "recent": list(scope.cdrs().order_by("-start", "-id")[:5]),
        "balance": None,
    }
    tenant = scope.tenant
    if tenant is not None and tenant.is_linked:
        live["balance"] = BalanceReading.objects.filter(
            server_id=tenant.server_id, vos_account=tenant.vos_account
        ).first()
    if scope.is_provider and not scope.is_platform:
        below = (
            scope.tenants()
            .exclude(pk=tenant.pk)
            .filter(server_id=OuterRef("server_id"), vos_account=OuterRef("vos_account"))
        )
        total = BalanceReading.objects.filter(Exists(below)).aggregate(total=Sum("money"))
        live["subtree_balances"] = total["total"]
    return live
