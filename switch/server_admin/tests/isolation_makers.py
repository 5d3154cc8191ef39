"""Isolation-suite makers for switch.server_admin.pages (see
accounts.tests.isolation_world): every server URL is PLATFORM, so the walks need a real
server id (admins must not get a 404 there, everyone else must). The server is the
world's own when it has one (the simulator), else one nothing listens on (port 9)."""

from __future__ import annotations

from switch.models import VosServer


def _server_kwargs(world):
    server = VosServer.objects.order_by("pk").first()
    if server is None:
        server = VosServer.objects.create(
            name="iso", base_url="http://127.0.0.1:9/external/server/", connect_timeout=0.5
        )
    return {"server_id": server.pk}


OBJECT_MAKERS: dict = {}


SAMPLE_KWARGS: dict = {
    "server_edit": _server_kwargs,
    "server_test": _server_kwargs,
}


OWN_REFUSED: set = set()
