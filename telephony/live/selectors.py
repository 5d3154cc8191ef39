"""Scoped reads of the live state (live calls, online phones, alarms, dashboard figures).

Everything here reads the shared snapshots that ``telephony.live.state`` writes; the only
VOS traffic a page can cause is ``refresh_if_due``: at most one poll per server per
interval, whoever and however many watch. Each viewer's rows are then filtered through
its scope: admins all, resellers their subtree's, customers their own (a call is theirs
when its caller's or callee's phone is).
"""

from __future__ import annotations

from django.db.models import Q

from accounts.scope import OutOfScope
from switch.models import VosServer
from switch.servers import enabled_servers
from telephony.live import state as live_state
from telephony.models import CurrentAlarm, LiveCall, LivePoll, PhoneRegistration


def visible_calls(scope):
    """Calls in progress this user may see: all on the platform; otherwise the calls
    whose caller's or callee's phone belongs to the subtree (each row carries both
    phones' owner paths, so this is an indexed prefix, never a tree walk)."""
    return scope.visible(LiveCall.objects.all(), "caller_path", "callee_path")


def visible_registrations(scope):
    """Phone registrations (online state) of the phones in the subtree."""
    return scope.visible(PhoneRegistration.objects.all(), "tenant_path")


def servers_for(scope) -> list[VosServer]:
    """The enabled VOS servers whose live state this scope may see some of."""
    servers = enabled_servers()
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
    rows = visible_calls(scope).filter(server__in=servers, released=False).select_related("server")
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
        rows = visible_calls(scope).filter(
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
    rows = visible_registrations(scope).filter(server__in=servers, online=True)
    return rows.select_related("server").order_by("server__name", "e164")


def poll_status(servers, kind: str) -> dict[int, LivePoll]:
    return {p.server_id: p for p in LivePoll.objects.filter(server__in=servers, kind=kind)}


def current_alarms(servers, limit: int = 10):
    return CurrentAlarm.objects.filter(server__in=servers).select_related("server")[:limit]
