"""The portal's door to VOS: one pooled client per configured server, built from
settings. Every VOS call the portal makes goes through a client from here."""

from __future__ import annotations

import threading

from django.conf import settings

_clients: dict = {}
_lock = threading.Lock()


def server_names() -> list[str]:
    return [server["name"] for server in settings.VOS_SERVERS]


def client_for(name: str):
    from vos3000.client import VosClient

    with _lock:
        if name not in _clients:
            server = next((s for s in settings.VOS_SERVERS if s["name"] == name), None)
            if server is None:
                raise KeyError(name)
            _clients[name] = VosClient(
                server["base_url"],
                timeout=(settings.VOS_CONNECT_TIMEOUT, settings.VOS_READ_TIMEOUT),
            )
        return _clients[name]


def forget_clients() -> None:
    """Drop cached clients (settings changed, e.g. in tests)."""
    with _lock:
        _clients.clear()
