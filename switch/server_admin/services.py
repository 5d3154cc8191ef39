"""Writes of the platform's server pages: a VOS server created or its connection
settings changed, and "Test connection". Every one is audited; no audit entry, message
or result ever holds the server's address (host and port) or its push token."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.roles import Action
from switch import vos
from switch.models import VosServer
from switch.server_admin.selectors import last_test_key
from vos3000.errors import VosError, VosUnavailable

# "Test connection" answers within about this long whatever the server's own timeouts:
# each call gets at most these (connect, read) seconds; a read is tried at most three
# times (the client's read retries), and the second call is skipped when the first
# found nothing listening.
TEST_TIMEOUT = (2.0, 4.0)
# How long the last test's result is shown on the list.
LAST_TEST_SECONDS = 24 * 3600


def snapshot(server: VosServer) -> dict:
    """What the audit records of a server's settings: everything but the secrets (the
    address is named by its scheme only; the token and source addresses by whether they
    are set)."""
    return {
        "name": server.name,
        "address": server.masked_url,
        "context_path": server.context_path,
        "endpoint_suffix": server.endpoint_suffix,
        "connect_timeout": server.connect_timeout,
        "read_timeout": server.read_timeout,
        "enabled": server.enabled,
        "push_token_set": bool(server.push_token),
        "push_source_ips_set": bool(server.push_source_ips.strip()),
        "sip": f"{server.sip_host}:{server.sip_port}/{server.sip_transport}"
        if server.sip_host
        else "",
    }


def _audited_changes(before: VosServer | None, after: VosServer) -> dict:
    """Which secrets changed (yes/no only): the snapshots cannot show it."""
    if before is None:
        return {}
    return {
        "address_changed": before.address != after.address,
        "push_token_changed": before.push_token != after.push_token,
        "push_source_ips_changed": before.push_source_ips != after.push_source_ips,
    }


def create_server(scope, fields: dict) -> VosServer:
    scope.require_platform(Action.RUN_PLATFORM)
    with transaction.atomic():
        server = VosServer(**fields)
        server.full_clean()
        server.save()
        audit.record(
            "vos_server.create",
            scope=scope,
            target=server,
            vos_server=server,
            after=snapshot(server),
        )
    return server


def update_server(scope, server: VosServer, fields: dict) -> VosServer:
    """Store ``fields`` on ``server``; the pooled client is rebuilt on its next use
    (``switch.vos.client_for`` keys it on the connection settings)."""
    scope.require_platform(Action.RUN_PLATFORM)
    with transaction.atomic():
        server = VosServer.objects.select_for_update().get(pk=server.pk)
        before = VosServer(**{f.attname: getattr(server, f.attname) for f in server._meta.fields})
        for name, value in fields.items():
            setattr(server, name, value)
        server.full_clean()
        server.save()
        audit.record(
            "vos_server.change",
            scope=scope,
            target=server,
            vos_server=server,
            before=snapshot(before),
            after={**snapshot(server), **_audited_changes(before, server)},
        )
    return server


def _timed_call(client, endpoint: str) -> tuple[dict | None, dict]:
    started = time.perf_counter()
    try:
        answer = client.call(endpoint, {}, timeout=_test_timeout(client))
    except VosError as exc:
        return None, {
            "endpoint": endpoint,
            "ok": False,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "error": vos.describe_error(exc),
            "unreachable": isinstance(exc, VosUnavailable),
        }
    return answer, {
        "endpoint": endpoint,
        "ok": True,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "error": "",
        "unreachable": False,
    }


def _test_timeout(client) -> tuple[float, float]:
    connect, read = client.timeout
    return (min(connect, TEST_TIMEOUT[0]), min(read, TEST_TIMEOUT[1]))


def _names(rows) -> list[str]:
    if not isinstance(rows, list):
        return []
    return [str(row.get("name")) for row in rows if isinstance(row, dict) and row.get("name")]


def test_connection(scope, server: VosServer) -> dict:
    """Ask the server for its soft switches (GetSoftSwitch) and its accounts
    (GetAllCustomers) through its pooled client, and say what came back: per call its
    latency in ms or its error in words, the soft switch names, the number of
    customers, and the clock skew (the server's clock minus ours, in seconds, from the
    HTTP ``Date`` header: no answer of the 2.1.7.0 manual carries the server's time),
    ``None`` when unknown. Audited; the result is kept for the list's health column."""
    scope.require_platform(Action.RUN_PLATFORM)
    client = vos.client_for(server)
    calls, switches, customers = [], None, None
    answer, outcome = _timed_call(client, "GetSoftSwitch")
    calls.append(outcome)
    if answer is not None:
        switches = _names(answer.get("infoSoftSwitches"))
    if outcome["unreachable"]:
        calls.append(
            {
                "endpoint": "GetAllCustomers",
                "ok": False,
                "ms": None,
                "error": _("Not tried: the server did not answer the first call."),
                "unreachable": True,
            }
        )
    else:
        answer, outcome = _timed_call(client, "GetAllCustomers")
        calls.append(outcome)
        if answer is not None:
            # Sparse answers leave an empty list out: no accounts is 0.
            accounts = answer.get("accounts")
            customers = len(accounts) if isinstance(accounts, list) else 0
    # A refusal (a retCode) still came over HTTP: the server is there.
    reachable = not calls[0]["unreachable"]
    skew = client.clock_skew() if reachable else None
    result = {
        "server": server.name,
        "at": timezone.now().isoformat(),
        "ok": all(call["ok"] for call in calls),
        "reachable": reachable,
        "calls": calls,
        "soft_switches": switches,
        "customers": customers,
        "clock_skew_s": None if skew is None else round(skew),
        "endpoint_suffix": server.endpoint_suffix,
    }
    audit.record(
        "vos_server.test_connection",
        scope=scope,
        target=server,
        vos_server=server,
        result="ok" if result["ok"] else "error",
        error="; ".join(f"{c['endpoint']}: {c['error']}" for c in calls if not c["ok"])[:255],
        after={key: value for key, value in result.items() if key != "at"},
    )
    cache.set(last_test_key(server.pk), result, LAST_TEST_SECONDS)
    return result
