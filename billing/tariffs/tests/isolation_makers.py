"""Isolation-suite makers for billing.tariffs.pages (see accounts.tests.isolation_world).

Every console URL is PLATFORM: admins must not get a 404, everyone else must. The URLs
naming a fee rate group or a suite get a plausible name and id on a server that does
not answer (nothing listens on port 9), so the suite walks the path where VOS cannot be
asked: the page says so in words (200), it never pretends the object is missing."""

from __future__ import annotations

from switch.models import VosServer


def _unreachable_server() -> VosServer:
    server, _ = VosServer.objects.get_or_create(
        name="iso", defaults={"base_url": "http://127.0.0.1:9/external/server/"}
    )
    return server


def _group_kwargs(world):
    _unreachable_server()
    return {"group": "Retail-Premium"}


def _suite_kwargs(world):
    _unreachable_server()
    return {"suite_id": 1}


OBJECT_MAKERS: dict = {}


SAMPLE_KWARGS: dict = {
    "console_fee_rate_group_edit": _group_kwargs,
    "console_fee_rate_group_delete": _group_kwargs,
    "console_suite_delete": _suite_kwargs,
}


OWN_REFUSED: set = set()
