"""Writes of the IVR & media console: IVR audios in VOS, the portal's DTMF rules and
its record of media block IPs. VOS writes go through ``vos.call`` (audited there);
the portal's own rows are audited here with before/after."""

from __future__ import annotations

import logging

from django.db import transaction

from accounts import audit
from accounts.roles import Action
from switch import vos
from telephony.models import DtmfRule, MediaBlockIp
from vos3000.client import VosApiError, VosUnavailable
from vos3000.errors import VosError

log = logging.getLogger(__name__)


# VOS's "not found" retCode: an address unblocked outside the portal.
VOS_NOT_FOUND = -10007


# --- IVR audio ---------------------------------------------------------------------------
def create_audio(scope, server, payload: dict, sound=None) -> int:
    """Create an IVR audio and, when given, its sound (a ConvertedAudio). Nothing
    partial is left: an audio whose sound VOS refused is deleted again."""
    scope.require_platform(Action.RUN_PLATFORM)
    audio_id = vos.call(scope, server, "CreateIvrAudio", payload).get("id")
    if sound is not None and audio_id is not None:
        try:
            upload_sound(scope, server, audio_id, sound)
        except VosError:
            try:
                delete_audio(scope, server, audio_id)
            except VosError:
                log.warning("IVR audio %s left without sound on %s", audio_id, server.name)
            raise
    return audio_id


def modify_audio(scope, server, audio_id: int, payload: dict) -> None:
    scope.require_platform(Action.RUN_PLATFORM)
    vos.call(scope, server, "ModifyIvrAudio", {"id": audio_id, **payload})


def upload_sound(scope, server, audio_id: int, sound) -> None:
    """Send a converted WAV (telephony.ivr_media.audio.ConvertedAudio) in one call."""
    scope.require_platform(Action.RUN_PLATFORM)
    vos.call(scope, server, "ModifyIvrAudioData", {"id": audio_id, "data": sound.hex})


def delete_audio(scope, server, audio_id: int) -> None:
    scope.require_platform(Action.RUN_PLATFORM)
    vos.call(scope, server, "DeleteIvrAudio", {"id": audio_id})


# --- DTMF rules ----------------------------------------------------------------------------
def save_dtmf_rule(scope, form) -> DtmfRule:
    """Create or change a rule from a valid DtmfRuleForm, audited with before/after."""
    scope.require_platform(Action.RUN_PLATFORM)
    before = DtmfRule.objects.get(pk=form.instance.pk).as_audit() if form.instance.pk else None
    with transaction.atomic():
        rule = form.save()
        audit.record(
            "dtmf_rule.change" if before else "dtmf_rule.create",
            scope=scope,
            target=rule,
            vos_server=rule.server,
            before=before,
            after=rule.as_audit(),
        )
    return rule


def delete_dtmf_rule(scope, rule: DtmfRule) -> None:
    scope.require_platform(Action.RUN_PLATFORM)
    with transaction.atomic():
        audit.record(
            "dtmf_rule.delete",
            scope=scope,
            target=rule,
            vos_server=rule.server,
            before=rule.as_audit(),
        )
        rule.delete()


# --- Media block IPs -----------------------------------------------------------------------
class AlreadyBlocked(Exception):
    pass


class BlockUndone(Exception):
    """VOS did not answer a block in time, and the portal unblocked the address again
    (VOS cannot be asked what it blocks): nothing is blocked, nothing recorded."""


def _undo_block(scope, server, ip: str) -> bool:
    """Back to a known state after a block that may have been applied: True when the
    address is certainly not blocked now."""
    try:
        vos.call(scope, server, "DeleteMediaBlockIp", {"ip": ip})
    except VosApiError as exc:
        return exc.ret_code == VOS_NOT_FOUND
    except VosError:
        return False
    return True


def block_media_ip(scope, server, ip: str, memo: str) -> MediaBlockIp:
    """Block ``ip`` in VOS, then record it; a refused or failed call records nothing."""
    scope.require_platform(Action.RUN_PLATFORM)
    if MediaBlockIp.objects.filter(server=server, ip=ip).exists():
        raise AlreadyBlocked(ip)
    payload = {"ip": ip, **({"memo": memo} if memo else {})}
    try:
        vos.call(scope, server, "CreateMediaBlockIp", payload)
    except VosUnavailable as exc:
        if exc.may_have_been_applied and _undo_block(scope, server, ip):
            raise BlockUndone(ip) from exc
        raise
    with transaction.atomic():
        row = MediaBlockIp.objects.create(
            server=server, ip=ip, memo=memo, blocked_by=scope.acting_user or scope.user
        )
        audit.record(
            "media_block_ip.create",
            scope=scope,
            target=row,
            vos_server=server,
            after=row.as_audit(),
        )
    return row


def unblock_media_ip(scope, row: MediaBlockIp) -> bool:
    """Unblock in VOS, then forget the record. Returns False when VOS no longer had the
    address (unblocked outside the portal): the record goes all the same."""
    scope.require_platform(Action.RUN_PLATFORM)
    was_blocked = True
    try:
        vos.call(scope, row.server, "DeleteMediaBlockIp", {"ip": row.ip})
    except VosApiError as exc:
        if exc.ret_code != VOS_NOT_FOUND:
            raise
        was_blocked = False
    with transaction.atomic():
        audit.record(
            "media_block_ip.delete",
            scope=scope,
            target=row,
            vos_server=row.server,
            before=row.as_audit(),
        )
        row.delete()
    return was_blocked
