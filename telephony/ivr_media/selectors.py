"""Reads of the IVR & media console (platform only: callers check the scope first)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from switch import vos
from telephony.models import DtmfRule, MediaBlockIp


def audios(scope, server, audio_type: int) -> list[dict]:
    answer = vos.call(scope, server, "GetIvrAudio", {"type": audio_type})
    return sorted(answer.get("infoIvrAudios") or [], key=lambda a: (a.get("name") or "", a["id"]))


def audio_or_404(scope, server, audio_type: int, audio_id: int) -> dict:
    # ``ids`` is typed as one Integer yet described as a list: filtering here works with
    # either reading of the manual.
    answer = vos.call(scope, server, "GetIvrAudio", {"type": audio_type})
    for audio in answer.get("infoIvrAudios") or []:
        if audio.get("id") == audio_id:
            return audio
    raise Http404("no such IVR audio")


def dtmf_rules():
    return DtmfRule.objects.select_related("server")


def dtmf_rule_or_404(rule_id) -> DtmfRule:
    return get_object_or_404(dtmf_rules(), pk=rule_id)


def media_blocks(server=None):
    rows = MediaBlockIp.objects.select_related("server", "blocked_by")
    return rows.filter(server=server) if server is not None else rows


def media_block_or_404(block_id) -> MediaBlockIp:
    return get_object_or_404(media_blocks(), pk=block_id)
