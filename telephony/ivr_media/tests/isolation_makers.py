"""Isolation-suite makers for telephony.ivr_media.pages (see accounts.tests.isolation_world).

The console's pages are PLATFORM pages with parameters: admins must reach them (not
404), so the suite gets real objects. The VOS server points at a closed port: pages
that ask VOS show the failure in words, which is still an answer."""

from __future__ import annotations

import uuid

OBJECT_MAKERS: dict = {}


OWN_REFUSED: set = set()


def _server():
    from switch.models import VosServer

    return VosServer.objects.create(
        name=f"iso-console-{uuid.uuid4().hex[:8]}",
        base_url="http://127.0.0.1:9/external/server/",
        connect_timeout=0.2,
        read_timeout=0.2,
    )


def _audio_kwargs(world):
    return {"server_id": _server().pk, "audio_type": 0, "audio_id": 1}


def _dtmf_rule_kwargs(world):
    from telephony.models import DtmfRule

    rule = DtmfRule.objects.create(menu_name=f"iso-{uuid.uuid4().hex[:8]}", digits="1", ret_code=1)
    return {"rule_id": rule.pk}


def _media_block_kwargs(world):
    from telephony.models import MediaBlockIp

    return {"block_id": MediaBlockIp.objects.create(server=_server(), ip="192.0.2.1").pk}


SAMPLE_KWARGS: dict = {
    "ivr_audio_edit": _audio_kwargs,
    "ivr_audio_delete": _audio_kwargs,
    "dtmf_rule_edit": _dtmf_rule_kwargs,
    "dtmf_rule_delete": _dtmf_rule_kwargs,
    "media_block_delete": _media_block_kwargs,
}
