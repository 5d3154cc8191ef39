"""Isolation-suite makers for the CDR pull pages (see accounts.tests.isolation_world):
their URLs name a VOS server, which only admins may act on."""

from __future__ import annotations

from switch.models import VosServer


def _server_kwargs(world):
    # Never called: "Pull now" only queues a task (run after a commit the test never makes).
    server, _ = VosServer.objects.get_or_create(
        name="iso", defaults={"base_url": "http://127.0.0.1:9/external/server/"}
    )
    return {"server_id": server.pk}


OBJECT_MAKERS: dict = {}


SAMPLE_KWARGS: dict = {
    "cdr_pull_now": _server_kwargs,
    "cdr_pull_retry": _server_kwargs,
}


OWN_REFUSED: set = set()
