"""Reads of the platform's server pages: the servers with what this process knows of
their health, one server by id. Nothing here names an address."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.http import Http404

from switch import vos
from switch.models import VosServer


def last_test_key(server_pk: int) -> str:
    """Where the last "Test connection" result of a server is kept (the cache)."""
    return f"server_admin:last_test:{server_pk}"


def server_or_404(scope, server_id) -> VosServer:
    """Any server (disabled ones too: they are set up here) for the platform."""
    scope.require_platform()
    try:
        return VosServer.objects.get(pk=int(server_id))
    except (VosServer.DoesNotExist, TypeError, ValueError):
        raise Http404("no such VOS server") from None


def last_test(server: VosServer) -> dict | None:
    result = cache.get(last_test_key(server.pk))
    if result and isinstance(result.get("at"), str):
        result = {**result, "at": datetime.fromisoformat(result["at"])}
    return result


def server_rows(scope) -> list[dict]:
    """Each server with its health: the last "Test connection" (kept a day), and this
    process's client: its circuit breaker and latency (an enabled server only: a
    disabled one is asked nothing)."""
    scope.require_platform()
    rows = []
    for server in VosServer.objects.order_by("name"):
        stats = vos.client_for(server).stats() if server.enabled else None
        rows.append(
            {
                "server": server,
                "masked_url": server.masked_url,
                "last_test": last_test(server),
                "breaker": stats["breaker"]["state"] if stats else None,
                "latency_ms": stats["avg_latency_ms"] if stats else None,
                "calls": stats["calls"] if stats else 0,
                "last_error": stats["last_error"] if stats else None,
            }
        )
    return rows
