"""Live state written from what VOS says: pushes (PhoneOnline, CallStateReport,
AlarmCurrentReport) and the shared, paced polls (GetCurrentCall, GetAllPhoneOnline +
GetPhoneOnline). Pages never call VOS for live figures: they read what is written here
(``telephony.live.selectors``), and ask ``refresh_if_due`` to poll when the snapshot is
older than the interval -- at most one poll per server per interval, whoever watches.

These are the system's reads, made with the server's pooled client (not on behalf of a
user's scope); what each viewer then sees is filtered by its scope when read.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import events
from accounts.models import Tenant, carry_paths
from switch import vos
from telephony.models import CurrentAlarm, LiveCall, LivePoll, PhoneRegistration
from vos3000.client.dates import moment_from_ms
from vos3000.errors import VosError

log = logging.getLogger(__name__)


CALLS, PHONES = "calls", "phones"


STATE_RELEASE = -13


STATE_CONNECT = -6


CHUNK = 200


# Released calls are kept this long so that a late, older push cannot revive them.
RELEASED_KEEP = timedelta(minutes=10)


def poll_interval(kind: str) -> float:
    if kind == CALLS:
        return float(settings.LIVE_CALLS_POLL_SECONDS)
    return float(settings.LIVE_PHONES_POLL_SECONDS)


# --- Whose phone is it ----------------------------------------------------------------------
def _owner_key(server, e164: str) -> str:
    return f"live:owner:{server.pk}:{e164}"


def owners_of(server, numbers) -> dict[str, str]:
    """e164 -> VOS account of the phone ("" when VOS has no such phone), cached
    LIVE_OWNER_CACHE_SECONDS; the misses are asked in batches of GetPhone(e164s), so the
    cost follows new numbers, never viewers. VosError propagates."""
    numbers = sorted({str(n) for n in numbers if n})
    if not numbers:
        return {}
    cached = cache.get_many([_owner_key(server, n) for n in numbers])
    found = {n: cached[_owner_key(server, n)] for n in numbers if _owner_key(server, n) in cached}
    missing = [n for n in numbers if n not in found]
    client = vos.client_for(server)
    for start in range(0, len(missing), CHUNK):
        chunk = missing[start : start + CHUNK]
        rows = client.call("GetPhone", {"e164s": chunk}).get("infoPhones") or []
        answer = {row.get("e164"): row.get("account") or "" for row in rows}
        fresh = {n: answer.get(n, "") for n in chunk}
        cache.set_many(
            {_owner_key(server, n): a for n, a in fresh.items()},
            settings.LIVE_OWNER_CACHE_SECONDS,
        )
        found.update(fresh)
    return found


def forget_owners(server, numbers) -> None:
    """A phone was created, moved or deleted: its cached owner goes, so live calls are
    never attributed to an account that no longer has the phone."""
    cache.delete_many([_owner_key(server, str(n)) for n in numbers if n])


def paths_of(server, accounts) -> dict[str, str]:
    """VOS account -> the portal tenant's tree path (one query)."""
    names = {a for a in accounts if a}
    if not names:
        return {}
    return dict(
        Tenant.objects.filter(server=server, vos_account__in=names).values_list(
            "vos_account", "path"
        )
    )


def _attribution(server, numbers) -> tuple[dict[str, str], dict[str, str]]:
    """(owners, paths); when VOS cannot say, nobody's (the next poll tries again)."""
    try:
        owners = owners_of(server, numbers)
    except VosError as exc:
        log.warning("live: phone owners on %s not read: %s", server.name, type(exc).__name__)
        # The owners the portal last saw, rather than making every call nobody's (which
        # would hide them from every reseller and customer until the next poll).
        owners = dict(
            PhoneRegistration.objects.filter(server=server, e164__in=[str(n) for n in numbers])
            .exclude(account="")
            .values_list("e164", "account")
        )
    return owners, paths_of(server, owners.values())


# --- Pushes -----------------------------------------------------------------------------------
def phone_online(server, payload: dict) -> bool:
    """PhoneOnline (3.3): a newer eventTime wins; an older one never overwrites. Returns
    whether the row changed."""
    e164 = payload["e164"]
    event_time = int(payload.get("eventTime") or 0)
    owners, paths = _attribution(server, [e164])
    account = owners.get(e164, "")
    with transaction.atomic():
        row, _created = PhoneRegistration.objects.select_for_update().get_or_create(
            server=server, e164=e164
        )
        if row.event_time > event_time:
            return False
        online = bool(payload.get("online"))
        row.online = online
        row.event_time = event_time
        row.local_ip = str(payload.get("localIp") or "")
        row.local_port = payload.get("localPort")
        row.remote_ip = str(payload.get("remoteIp") or "")
        row.device = str(payload.get("productId") or "")[:255]
        row.dids = list(payload.get("dids") or [])
        came_online = online and not row.registered_at
        if came_online:
            row.registered_at = moment_from_ms(event_time)
        if not online:
            row.registered_at = None
        if account or not row.account:
            row.account = account
            row.tenant_path = paths.get(account, "")
        row.save()
    if came_online:
        _announce_registered(row)
    return True


def _announce_registered(row: PhoneRegistration) -> None:
    """A phone the portal saw come online (a push or a poll): its owner's webhooks hear."""
    events.announce(
        "phone.registered",
        tenant_path=row.tenant_path,
        data={
            "e164": row.e164,
            "account": row.account,
            "device": row.device,
            "registered_at": row.registered_at.isoformat() if row.registered_at else None,
        },
    )


def call_state(server, payload: dict) -> None:
    """CallStateReport (3.4): a newer state of a call; Release ends it."""
    call_id = int(payload["callId"])
    event_time = int(payload.get("eventTime") or 0)
    state = int(payload["callState"])
    caller, callee = payload.get("callerE164") or "", payload.get("calleeE164") or ""
    owners, paths = _attribution(server, [caller, callee])
    with transaction.atomic():
        row, _created = LiveCall.objects.select_for_update().get_or_create(
            server=server, call_id=call_id
        )
        if row.event_time > event_time or (row.released and state != STATE_RELEASE):
            return
        row.state = state
        row.event_time = event_time
        row.released = state == STATE_RELEASE
        row.caller_e164, row.callee_e164 = caller, callee
        row.caller_gateway = payload.get("callerGatewayId") or ""
        row.callee_gateway = payload.get("calleeGatewayId") or ""
        row.caller_ip = payload.get("callerIp") or ""
        row.callee_ip = payload.get("calleeIp") or ""
        if state == STATE_CONNECT and not row.connected_at:
            row.connected_at = moment_from_ms(event_time)
        row.caller_path = paths.get(owners.get(caller, ""), "")
        row.callee_path = paths.get(owners.get(callee, ""), "")
        row.save()


def alarm_list_pushed(server, payload: dict) -> None:
    """AlarmCurrentReport (3.6), registered in telephony.apps."""
    alarms(server, list(payload.get("infoAlarmCurrents") or []))


def alarms(server, infos: list[dict]) -> None:
    """AlarmCurrentReport (3.6) / GetAlarmCurrent: the server's current alarms, replaced."""
    ids = []
    with transaction.atomic():
        for info in infos:
            if info.get("id") is None:
                continue
            ids.append(int(info["id"]))
            CurrentAlarm.objects.update_or_create(
                server=server,
                alarm_id=int(info["id"]),
                defaults={
                    "name": str(info.get("name") or "")[:255],
                    "level": int(info.get("level") or 0),
                    "started_at": moment_from_ms(info.get("startTime")),
                    "info": info,
                },
            )
        CurrentAlarm.objects.filter(server=server).exclude(alarm_id__in=ids).delete()


# --- The shared polls -----------------------------------------------------------------------
def claim(server, kind: str) -> bool:
    """Take this interval's turn to poll ``server``: one conditional UPDATE, so exactly
    one caller wins per interval across threads and processes."""
    now = timezone.now()
    poll, _created = LivePoll.objects.get_or_create(server=server, kind=kind)
    if poll.due_at is not None and poll.due_at > now:
        return False  # the common case: a read, no write lock taken
    won = (
        LivePoll.objects.filter(server=server, kind=kind)
        .filter(Q(due_at__isnull=True) | Q(due_at__lte=now))
        .update(due_at=now + timedelta(seconds=poll_interval(kind)))
    )
    return bool(won)


def refresh_if_due(server, kind: str) -> bool:
    """Poll ``server`` if its snapshot is due and nobody else is polling it; returns
    whether this call polled. Errors are kept on the LivePoll row, in words."""
    if not server.enabled or not claim(server, kind):
        return False
    error = ""
    try:
        (poll_calls if kind == CALLS else poll_phones)(server)
    except VosError as exc:
        error = vos.describe_error(exc)[:255]
        log.warning("live: %s poll of %s failed: %s", kind, server.name, type(exc).__name__)
    LivePoll.objects.filter(server=server, kind=kind).update(polled_at=timezone.now(), error=error)
    return True


def poll_calls(server) -> int:
    """One GetCurrentCall: the server's live calls replaced by what VOS lists now."""
    rows = vos.client_for(server).call("GetCurrentCall", {}).get("infoCurrentCalls") or []
    numbers = [r.get("callerE164") for r in rows] + [r.get("calleeE164") for r in rows]
    owners, paths = _attribution(server, numbers)
    now = timezone.now()
    seen = []
    with transaction.atomic():
        for info in rows:
            if info.get("callId") is None:
                continue
            call_id = int(info["callId"])
            seen.append(call_id)
            caller, callee = info.get("callerE164") or "", info.get("calleeE164") or ""
            keep = int(info.get("keepTime") or 0)
            LiveCall.objects.update_or_create(
                server=server,
                call_id=call_id,
                defaults={
                    "state": STATE_CONNECT if keep > 0 else keep,
                    "released": False,
                    "connected_at": moment_from_ms(info.get("connectedTime")),
                    "caller_e164": caller,
                    "callee_e164": callee,
                    "caller_gateway": info.get("callerGatewayId") or "",
                    "callee_gateway": info.get("calleeGatewayId") or "",
                    "caller_ip": info.get("callerRtpIp") or "",
                    "callee_ip": info.get("calleeRtpIp") or "",
                    "codec": info.get("callCodec") or "",
                    "caller_path": paths.get(owners.get(caller, ""), ""),
                    "callee_path": paths.get(owners.get(callee, ""), ""),
                },
            )
        LiveCall.objects.filter(server=server, released=False).exclude(call_id__in=seen).delete()
        LiveCall.objects.filter(
            server=server, released=True, updated_at__lt=now - RELEASED_KEEP
        ).delete()
    return len(seen)


def poll_phones(server) -> int:
    """GetAllPhoneOnline, then GetPhoneOnline in batches for device, IPs and time."""
    client = vos.client_for(server)
    numbers = [str(n) for n in client.call("GetAllPhoneOnline", {}).get("E164s") or []]
    infos: list[dict] = []
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        infos += client.call("GetPhoneOnline", {"e164s": chunk}).get("infoPhoneOnlines") or []
    owners, paths = _attribution(server, numbers)
    now_ms = int(timezone.now().timestamp() * 1000)
    came_online = []
    with transaction.atomic():
        known_online = set(
            PhoneRegistration.objects.filter(
                server=server, online=True, e164__in=numbers
            ).values_list("e164", flat=True)
        )
        for info in infos:
            e164 = str(info.get("e164") or "")
            if not e164:
                continue
            account = owners.get(e164, "")
            row, _created = PhoneRegistration.objects.update_or_create(
                server=server,
                e164=e164,
                defaults={
                    "online": True,
                    "event_time": max(now_ms, int(info.get("updateTime") or 0)),
                    "registered_at": moment_from_ms(info.get("registerTime")),
                    "local_ip": info.get("localIp") or "",
                    "remote_ip": info.get("remoteIp") or "",
                    "device": str(info.get("productId") or "")[:255],
                    "current_calls": int(info.get("currentCall") or 0),
                    "account": account,
                    "tenant_path": paths.get(account, ""),
                },
            )
            if e164 not in known_online:
                came_online.append(row)
        PhoneRegistration.objects.filter(server=server, online=True).exclude(
            e164__in=numbers
        ).update(online=False, registered_at=None, event_time=now_ms)
    for row in came_online:
        _announce_registered(row)
    return len(numbers)


def follow_tenant_move(sender, old_path: str, new_path: str, **kwargs) -> None:
    """A tenant and its subtree moved (accounts.events.tenant_moved): the snapshots that
    copy their owners' paths follow."""
    carry_paths(PhoneRegistration.objects.all(), "tenant_path", old_path, new_path)
    carry_paths(LiveCall.objects.all(), "caller_path", old_path, new_path)
    carry_paths(LiveCall.objects.all(), "callee_path", old_path, new_path)
