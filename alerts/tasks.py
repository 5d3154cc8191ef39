"""Alert tasks: the beat's probe of every VOS server, and the alert emails. They take
ids and call alerts.services."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from alerts import services as alerts
from alerts.models import AlertKind, AlertState
from switch import vos
from switch.models import VosServer
from vos3000.errors import VosError


@shared_task
def email_notifications(notification_ids: list[int]) -> int:
    """Email the people of these notifications (once each, however often run)."""
    return alerts.send_emails(notification_ids)


# Cleared alarm states are kept this long (a late replay of an old report stays quiet),
# then forgotten: VOS numbers alarms afresh, so the table would only grow.
CLEARED_ALARM_KEPT = timedelta(days=30)


@shared_task
def probe_vos_servers() -> int:
    """Beat: one probe task per enabled VOS server."""
    AlertState.objects.filter(
        kind=AlertKind.ALARM, raised=False, cleared_at__lt=timezone.now() - CLEARED_ALARM_KEPT
    ).delete()
    ids = list(VosServer.objects.filter(enabled=True).values_list("pk", flat=True))
    for server_id in ids:
        probe_vos_server.delay(server_id)
    return len(ids)


@shared_task
def probe_vos_server(server_id: int) -> dict:
    """Probe one server (raising or clearing "unreachable" once per crossing), publish
    the worker's measurements and, when it answers, check its current alarms too, so
    alarms are told even when VOS's pushes do not reach the portal."""
    server = VosServer.objects.filter(pk=server_id, enabled=True).first()
    if server is None:
        return {"skipped": True}
    result = alerts.probe(server, process="worker")
    if result["ok"] and settings.ALERTS_POLL_ALARMS:
        try:
            answer = vos.client_for(server).call("GetAlarmCurrent", {})
        except VosError:
            return result
        alerts.alarms_reported(server, answer.get("infoAlarmCurrents") or [])
    return result
