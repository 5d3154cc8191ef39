"""Isolation-suite makers for telephony.gateways.pages (see accounts.tests.isolation_world).

The gateway pages name a VOS server, a gateway kind and (edit, delete) a gateway: all
platform pages. The server here answers nothing (nothing listens on port 9), so an
admin's requests show the failure in words and change nothing; everyone else's are
refused with 404 before any VOS call.
"""

from __future__ import annotations

from switch.models import VosServer


def _server(world) -> VosServer:
    server, _ = VosServer.objects.get_or_create(
        name="iso", defaults={"base_url": "http://127.0.0.1:9/external/server/"}
    )
    return server


def _kind_kwargs(world):
    return {"server_id": _server(world).pk, "kind": "routing"}


def _gateway_kwargs(world):
    return {**_kind_kwargs(world), "name": "carrier-tier1"}


OBJECT_MAKERS: dict = {}


SAMPLE_KWARGS: dict = {
    "gateway_list": _kind_kwargs,
    "gateway_create": _kind_kwargs,
    "gateway_edit": _gateway_kwargs,
    "gateway_delete": _gateway_kwargs,
}


OWN_REFUSED: set = set()
