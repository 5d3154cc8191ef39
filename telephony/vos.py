"""The portal's door to VOS: one pooled client per VOS server row. Every VOS call the
portal makes goes through a client from here (and, for tenant data, through the
request's scope first)."""

from __future__ import annotations

import threading

from vos3000 import catalog
from vos3000.client import VosApiError, VosClient, VosUnavailable, VosValidationError

_clients: dict[tuple, VosClient] = {}
_lock = threading.Lock()


def client_for(server) -> VosClient:
    """The pooled client of a VosServer. Rebuilt when the row's address or timeouts
    change, so an admin's edit takes effect without a restart."""
    key = (server.pk, server.base_url, server.connect_timeout, server.read_timeout)
    with _lock:
        client = _clients.get(key)
        if client is None:
            for stale in [k for k in _clients if k[0] == server.pk]:
                _clients.pop(stale).close()
            client = VosClient(
                server.base_url, timeout=(server.connect_timeout, server.read_timeout)
            )
            _clients[key] = client
        return client


def forget_clients() -> None:
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


def call(scope, server, endpoint: str, payload: dict, *, target=None, tenant=None) -> dict:
    """Make one VOS call on behalf of ``scope``'s user: the way views and services call VOS.

    The client validates the payload against the catalog first (VosValidationError,
    nothing sent, nothing recorded). Every WRITE endpoint is then audited whatever the
    outcome: result "ok", "error" (VOS refused: its retCode; or certainly not applied:
    the failure's reason), or "unknown" when VOS may have applied it (a read timeout after
    sending). Errors are re-raised for the caller to show. Reads are not audited. The
    caller has already checked the accounts it names against the scope
    (``scope.require_vos_accounts``). The server's name is recorded, never its address.
    """
    from accounts import audit

    client = client_for(server)
    is_write = endpoint in catalog.ENDPOINTS and catalog.endpoint(endpoint).kind == "write"
    event = {
        "scope": scope,
        "target": target,
        "tenant": tenant,
        "vos_server": server.name,
        "vos_endpoint": endpoint,
        "payload": payload,
    }
    try:
        answer = client.call(endpoint, payload)
    except VosValidationError:
        raise
    except VosApiError as exc:
        if is_write:
            audit.record(
                f"vos.{endpoint}",
                **event,
                result="error",
                ret_code=exc.ret_code,
                error=(exc.message or "")[:255],
            )
        raise
    except VosUnavailable as exc:
        if is_write:
            audit.record(
                f"vos.{endpoint}",
                **event,
                result="unknown" if exc.may_have_been_applied else "error",
                # The reason tag only: the message may name the host.
                error=exc.reason or "unavailable",
            )
        raise
    if is_write:
        audit.record(f"vos.{endpoint}", **event, result="ok", ret_code=answer.get("retCode", 0))
    return answer
