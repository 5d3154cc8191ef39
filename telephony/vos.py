"""The portal's door to VOS: one pooled client per VOS server row. Every VOS call the
portal makes goes through a client from here (and, for tenant data, through the
request's scope first)."""

from __future__ import annotations

import threading

from vos3000.client import VosClient

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
