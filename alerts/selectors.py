"""Reads for the alert and operations pages: a user's notifications, each server's
measurements (published to the cache by every process that talks to VOS), and VOS's
alarm, soft-switch and performance answers put in words."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import OutOfScope
from alerts.models import AlertKind, AlertState, Notification
from switch import labels, vos
from vos3000 import catalog
from vos3000.client.dates import moment_from_ms
from web import numbers

STATS_KEY = "alerts:vos-stats:{pk}"


PROBE_KEY = "alerts:vos-probe:{pk}"


# --- Notifications -----------------------------------------------------------------------
def notifications(scope):
    """The notifications of the person the page is seen as: their own only."""
    return Notification.objects.filter(user=scope.user)


def notification_or_404(scope, pk) -> Notification:
    try:
        return notifications(scope).get(pk=int(pk))
    except (Notification.DoesNotExist, TypeError, ValueError):
        raise OutOfScope(f"notification {pk!r}") from None


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


# --- Words for VOS's codes ---------------------------------------------------------------
def alarm_type_words(value) -> str:
    return labels.label(
        "InfoAlarmCurrent", "type", value, default=_("type %(code)s") % {"code": value}
    )


def alarm_level_words(value) -> str:
    return labels.alarm_level(value)


def when(value_ms):
    return moment_from_ms(value_ms)


def alarm_summary(alarm: dict) -> dict:
    start = when(alarm.get("startTime"))
    return {
        "name": str(alarm.get("name") or "")[:200],
        "type": alarm_type_words(alarm.get("type")),
        "level": alarm_level_words(alarm.get("level")),
        "value": numbers.limit(alarm.get("value")) or "—",
        "start": start.strftime("%Y-%m-%d %H:%M UTC") if start else "—",
        "memo": str(alarm.get("memo") or ""),
    }


def alarm_rows(alarms: list[dict]) -> list[dict]:
    """Every field of InfoAlarmCurrent, in words, for the alarms page."""
    rows = []
    for alarm in alarms:
        rows.append(
            {
                "id": alarm.get("id"),
                "name": alarm.get("name", ""),
                "type": alarm_type_words(alarm.get("type")),
                "level": alarm_level_words(alarm.get("level")),
                "level_code": alarm.get("level"),
                "start": when(alarm.get("startTime")),
                "stop": when(alarm.get("stopTime")),
                "value": alarm.get("value"),
                "upper": alarm.get("upper"),
                "lower": alarm.get("lower"),
                "confirm_user": alarm.get("confirmUser", ""),
                "confirm_time": when(alarm.get("confirmTime")),
                "memo": alarm.get("memo", ""),
            }
        )
    return rows


FAILURE_WORDS = {
    "connect_timeout": gettext_lazy("it did not accept a connection in time"),
    "connect_failed": gettext_lazy("the connection was refused"),
    "dns": gettext_lazy("its host name could not be resolved"),
    "read_timeout": gettext_lazy("it did not answer in time"),
    "connection_lost": gettext_lazy("the connection was lost before it answered"),
    "transport_error": gettext_lazy("the network failed"),
    "bad_body": gettext_lazy("it answered with something that is not a VOS answer"),
    "circuit_open": gettext_lazy("calls are paused after repeated failures (circuit breaker open)"),
}


def failure_in_words(reason: str | None) -> str:
    if not reason:
        return ""
    if reason.startswith("http_"):
        return _("it answered with HTTP error %(status)s") % {"status": reason[5:]}
    return str(FAILURE_WORDS.get(reason, _("it could not be reached")))


BREAKER_WORDS = {
    "closed": gettext_lazy("closed (calls go through)"),
    "open": gettext_lazy("open (calls fail at once)"),
    "half_open": gettext_lazy("half-open (one trial call allowed)"),
}


# --- Measurements, per process -----------------------------------------------------------
def process_label(kind: str) -> str:
    return f"{kind} {socket.gethostname()}:{os.getpid()}"


def publish_stats(server, kind: str) -> None:
    """Put this process's client measurements of ``server`` in the cache, with their
    time, next to the other processes' (each process has its own pooled client)."""
    ttl = settings.ALERTS_STATS_TTL
    key = STATS_KEY.format(pk=server.pk)
    entries = cache.get(key) or {}
    now = timezone.now()
    entries = {
        label: entry
        for label, entry in entries.items()
        if (at := parse_datetime(entry.get("at", ""))) and now - at < timedelta(seconds=ttl)
    }
    entries[process_label(kind)] = {
        "kind": kind,
        "at": now.isoformat(),
        "stats": vos.client_for(server).stats(),
    }
    cache.set(key, entries, timeout=ttl)


def remember_probe(server, result: dict) -> None:
    cache.set(PROBE_KEY.format(pk=server.pk), result, timeout=settings.ALERTS_STATS_TTL)


def _stats_row(label: str, entry: dict) -> dict:
    stats = entry.get("stats") or {}
    calls = stats.get("calls") or 0
    breaker = stats.get("breaker") or {}
    return {
        "label": label,
        "kind": entry.get("kind", ""),
        "at": parse_datetime(entry.get("at", "")),
        "calls": calls,
        "errors": stats.get("errors", 0),
        "error_rate": round(100 * stats.get("errors", 0) / calls, 1) if calls else None,
        "api_errors": stats.get("api_errors", 0),
        "unavailable": stats.get("unavailable", 0),
        "retries": stats.get("retries", 0),
        "fast_failures": stats.get("fast_failures", 0),
        "last_latency_ms": stats.get("last_latency_ms"),
        "avg_latency_ms": stats.get("avg_latency_ms"),
        "last_error": failure_in_words(stats.get("last_error")),
        "breaker_state": breaker.get("state", ""),
        "breaker_words": str(BREAKER_WORDS.get(breaker.get("state"), breaker.get("state", ""))),
        "breaker_failures": breaker.get("consecutive_failures", 0),
        "breaker_threshold": breaker.get("failure_threshold"),
        "breaker_opened": breaker.get("times_opened", 0),
    }


def server_health(servers) -> list[dict]:
    """Per server: its last probe, whether it is down for the alerts, and the
    measurements each process published. Names only, never an address."""
    states = {
        s.server_id: s
        for s in AlertState.objects.filter(kind=AlertKind.UNREACHABLE, server__in=servers)
    }
    rows = []
    for server in servers:
        probe = cache.get(PROBE_KEY.format(pk=server.pk))
        entries = cache.get(STATS_KEY.format(pk=server.pk)) or {}
        state = states.get(server.pk)
        rows.append(
            {
                "server": server,
                "masked_url": server.masked_url,
                "probe": probe
                and {
                    **probe,
                    "at": parse_datetime(probe["at"]),
                    "reason_words": failure_in_words(probe.get("reason")),
                },
                "down": bool(state and state.raised),
                "down_since": state.raised_at if state and state.raised else None,
                "processes": [_stats_row(label, entry) for label, entry in sorted(entries.items())],
            }
        )
    return rows


# --- Soft switch and performance ---------------------------------------------------------
# Labels of the fields ``described_fields`` shows, in the portal's words (the manual's
# descriptions are English); a field missing here falls back to the manual's.
FIELD_LABELS = {
    ("InfoSoftSwitch", "name"): gettext_lazy("Softswitch name"),
    ("InfoSoftSwitch", "identification"): gettext_lazy("Softswitch ID"),
    ("InfoSoftSwitch", "createTime"): gettext_lazy("Created"),
    ("InfoSoftSwitch", "accessTime"): gettext_lazy("Last access"),
    ("InfoSoftSwitch", "accessAddress"): gettext_lazy("Access address"),
    ("InfoSoftSwitch", "memo"): gettext_lazy("Memo"),
    ("InfoPerformance", "callSize"): gettext_lazy("Current calls"),
    ("InfoPerformance", "cdrQueueSize"): gettext_lazy("CDR queue size"),
}


def described_fields(type_name: str, info: dict, *, hidden=frozenset()) -> list[dict]:
    """Every field the manual gives for ``type_name``, labelled with its description;
    times (UTC milliseconds) as dates; ``hidden`` fields shown as withheld."""
    rows = []
    for spec in catalog.TYPES[type_name]:
        value = info.get(spec.name)
        if spec.name in hidden:
            shown = _("withheld: the portal never shows the switch's addresses")
        elif spec.type.lower() == "long" and "time" in spec.name.lower():
            shown = when(value) or "—"
        elif spec.enum and value not in (None, ""):
            shown = labels.label(type_name, spec.name, value)
        elif numbers.is_unlimited(value) and not isinstance(value, str):
            shown = numbers.limit(value)  # VOS's "no limit" sentinel
        else:
            shown = "—" if value in (None, "") else value
        label = FIELD_LABELS.get((type_name, spec.name)) or spec.description or spec.name
        rows.append({"name": spec.name, "label": label, "value": shown})
    return rows
