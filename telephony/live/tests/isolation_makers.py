"""Isolation-suite makers for telephony.live.pages (see accounts.tests.isolation_world).

A live call is keyed by its VOS server and call id; it belongs to whoever owns its
caller's (or callee's) phone, recorded as that tenant's path. The maker writes a call of
the own or the foreign tenant into the shared snapshot, on a server nobody can reach (a
disconnect then fails in words, never a 500)."""

from __future__ import annotations

import itertools

from accounts.tests.isolation_world import _tenant

_ids = itertools.count(7_000_000)


def _live_call(world, role_name, own):
    from switch.models import VosServer
    from telephony.models import LiveCall

    tenant = _tenant(world, role_name, own)
    if tenant is None:
        return None
    server, _created = VosServer.objects.get_or_create(
        name="isolation", defaults={"base_url": "http://127.0.0.1:9/external/server/"}
    )
    call = LiveCall.objects.create(
        server=server,
        call_id=next(_ids),
        caller_e164="80001111",
        callee_e164="80002222",
        caller_path=tenant.path,
    )
    return {"server_id": server.pk, "call_id": call.call_id}


OBJECT_MAKERS: dict = {"live_call": _live_call}


SAMPLE_KWARGS: dict = {
    "vos_push": lambda world: {
        "token": "matches-nothing-0000",
        "server_name": "nothing",
        "name": "PhoneOnline",
    },
}


OWN_REFUSED: set = set()
