"""GET /healthz: database, broker, worker heartbeat and each VOS server; and the counts
of refused VOS pushes (``pushes_refused``: total and by reason).

Says whether each part works, never where it is: no host, port or URL appears in
the answer, because monitors and load balancers show it to people.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from switch import push_receiver, vos
from switch.models import VosServer
from vos3000.errors import VosError
from web.tasks import HEARTBEAT_CACHE_KEY

# Monitors poll /healthz often; VOS must not be asked more than once per this many
# seconds per server whatever the polling rate.
VOS_PROBE_CACHE_SECONDS = 10


def _timed(check):
    started = time.monotonic()
    try:
        detail = check() or {}
        ok = True
    except Exception as exc:  # a health check reports failures, it does not raise them
        detail = {"error": type(exc).__name__}
        ok = False
    return {"ok": ok, "ms": round((time.monotonic() - started) * 1000, 1), **detail}


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"engine": connection.vendor}


def _check_broker():
    with Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=2,
    ) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {}


def _probe_vos(server: VosServer) -> dict:
    cache_key = f"healthz:vos:{server.pk}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached

    def probe():
        try:
            vos.client_for(server).call("GetSoftSwitch", {})
        except VosError as exc:
            # An answer with a non-zero retCode still proves the server is reachable.
            if getattr(exc, "ret_code", None) is None:
                raise
        return {}

    result = _timed(probe)
    cache.set(cache_key, result, VOS_PROBE_CACHE_SECONDS)
    return result


@never_cache
@require_GET
def healthz(request):
    heartbeat = cache.get(HEARTBEAT_CACHE_KEY)
    database = _timed(_check_database)
    checks = {
        "database": database,
        "broker": _timed(_check_broker),
        "worker": {"ok": heartbeat is not None, "last_heartbeat": heartbeat},
        "vos": {s.name: _probe_vos(s) for s in VosServer.objects.filter(enabled=True)}
        if database["ok"]
        else {},
    }
    essential_ok = checks["database"]["ok"] and checks["broker"]["ok"]
    vos_ok = all(item["ok"] for item in checks["vos"].values())
    status = "ok" if essential_ok and vos_ok else ("degraded" if essential_ok else "down")
    body = {"status": status, "checks": checks, "pushes_refused": _pushes_refused()}
    return JsonResponse(body, status=200 if essential_ok else 503)


def _pushes_refused() -> dict:
    """The pushes the receiver refused, by reason (counts only: no address, no body).
    Not a check: a refused push is VOS's or a stranger's fault, not the portal's."""
    try:
        counts = push_receiver.refusals()
    except Exception as exc:  # the cache is down: the other checks still answer
        return {"error": type(exc).__name__}
    return {"total": counts["total"], "by_reason": counts["by_reason"]}
