"""Webhooks out, the writes: an announced event becomes one delivery per endpoint that
hears of it; each delivery is tried by the worker, then again with a growing wait for up
to 24 hours; endpoints are made, changed, tested and deleted from the Settings pages,
and a delivery can be replayed. Every change a person makes is audited."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import audit
from accounts.models import Tenant, carry_paths
from accounts.roles import Action
from web.tasks import enqueue
from webhooks import delivery as http
from webhooks import keys, signing, tasks
from webhooks.models import (
    EVENT_TYPES,
    PLATFORM_ONLY,
    TEST_EVENT,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

log = logging.getLogger(__name__)

Problem = WebhookDelivery.Problem
Status = WebhookDelivery.Status

# The waits between tries: doubling from a minute, at most 6 hours apart, for as long as
# the waits add up to no more than 24 hours (12 tries in all, the last 20.5 h after the
# first).
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(hours=24)


def _retry_delays() -> list[timedelta]:
    delays: list[timedelta] = []
    wait = FIRST_WAIT
    while sum(delays, timedelta()) + wait <= GIVE_UP_AFTER:
        delays.append(wait)
        wait = min(wait * 2, LONGEST_WAIT)
    return delays


RETRY_DELAYS = _retry_delays()
# A claimed try that never reported (a killed worker) is tried again after this.
LEASE = timedelta(minutes=5)


def retry_delay(attempts: int) -> timedelta | None:
    """The wait after the ``attempts``-th failed try; None: give up."""
    if 1 <= attempts <= len(RETRY_DELAYS):
        return RETRY_DELAYS[attempts - 1]
    return None


def timeout() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 10))


# --- Announced events --------------------------------------------------------------------
def _ancestor_paths(path: str) -> list[str]:
    """ "/1/4/9/" -> ["/1/", "/1/4/", "/1/4/9/"]."""
    parts = [part for part in path.strip("/").split("/") if part]
    return [f"/{'/'.join(parts[: n + 1])}/" for n in range(len(parts))]


def listeners(event_type: str, tenant_path: str) -> list[WebhookEndpoint]:
    """The enabled endpoints that hear of an event about ``tenant_path``: those of the
    tenant itself and of every tenant above it (the platform's hear of everything);
    platform-only events reach the platform's endpoints only."""
    platform = Q(tenant__kind=Tenant.Kind.PLATFORM)
    where = (
        platform
        if event_type in PLATFORM_ONLY
        else platform | Q(tenant__path__in=_ancestor_paths(tenant_path))
    )
    rows = WebhookEndpoint.objects.filter(where, enabled=True).select_related("tenant")
    return [endpoint for endpoint in rows if event_type in endpoint.events]


def on_announced(sender, event_type: str, tenant_path: str, data: dict, **kwargs):
    """accounts.events.announced: store the event once for the endpoints that hear of it
    and queue a delivery to each (after the surrounding transaction commits)."""
    if event_type not in EVENT_TYPES:
        log.warning("unknown webhook event %r not sent", event_type)
        return None
    # One savepoint: a failure here leaves the caller's transaction usable.
    with transaction.atomic():
        endpoints = listeners(event_type, tenant_path or "")
        if not endpoints:
            return None
        event = WebhookEvent.objects.create(
            type=event_type, tenant_path=tenant_path or "", data=data
        )
        deliveries = [_new_delivery(endpoint, event) for endpoint in endpoints]
    return event, deliveries


def _new_delivery(endpoint, event, replay_of=None) -> WebhookDelivery:
    row = WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, next_attempt_at=timezone.now(), replay_of=replay_of
    )
    # A lost message is picked up by the sweep (tasks.deliver_due).
    enqueue(tasks.deliver, row.pk, robust=True)
    return row


def follow_tenant_move(sender, old_path: str, new_path: str, **kwargs) -> int:
    return carry_paths(WebhookEvent.objects.all(), "tenant_path", old_path, new_path)


# --- Delivering -----------------------------------------------------------------------------
def body_of(event: WebhookEvent) -> bytes:
    """The JSON a receiver gets: the same bytes on every try of the event."""
    document = {
        "id": str(event.event_id),
        "type": event.type,
        "created": event.created_at.isoformat(timespec="seconds"),
        "data": event.data,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _claim(delivery_id: int) -> bool:
    """Take a due delivery for one try (one worker only): its next try moves a lease
    ahead, so a worker that dies leaves it to the sweep."""
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + LEASE)
    )


def attempt(delivery_id: int) -> WebhookDelivery | None:
    """One try of a due delivery (None when it is not due or another worker has it)."""
    if not _claim(delivery_id):
        return None
    row = WebhookDelivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    endpoint, event = row.endpoint, row.event
    now = timezone.now()
    row.attempts += 1
    row.last_attempt_at = now
    row.answer_code, row.problem, row.problem_detail = None, "", ""
    if not endpoint.enabled:
        row.status, row.next_attempt_at, row.problem = Status.FAILED, None, Problem.DISABLED
        row.save()
        return row
    try:
        secret = keys.decrypt(endpoint.secret_token)
    except keys.SecretUnreadable:
        row.status, row.next_attempt_at, row.problem = Status.FAILED, None, Problem.SECRET
        row.save()
        return row
    body = body_of(event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "VosPortal-Webhooks/1",
        signing.EVENT_ID_HEADER: str(event.event_id),
        signing.EVENT_TYPE_HEADER: event.type,
        signing.HEADER: signing.header_value(secret, body),
    }
    try:
        row.answer_code = http.post(endpoint.url, body, headers, timeout=timeout())
    except http.Refused as exc:
        row.problem, row.problem_detail = exc.problem, exc.detail[:200]
    except requests.Timeout:
        row.problem = Problem.TIMEOUT
    except requests.RequestException as exc:
        row.problem, row.problem_detail = Problem.CONNECTION, type(exc).__name__
    if row.answer_code is not None:
        if 200 <= row.answer_code < 300:
            row.status, row.next_attempt_at = Status.SUCCEEDED, None
            row.save()
            return row
        row.problem = Problem.REDIRECT if 300 <= row.answer_code < 400 else Problem.ANSWER
        row.problem_detail = str(row.answer_code)
    wait = retry_delay(row.attempts)
    if wait is None:
        row.status, row.next_attempt_at = Status.FAILED, None
    else:
        row.next_attempt_at = now + wait
    row.save()
    return row


def due_deliveries(limit: int = 500) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            status=Status.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)[:limit]
    )


# --- Endpoints (the Settings pages) -----------------------------------------------------------
def _audited(endpoint: WebhookEndpoint) -> dict:
    """An endpoint as the trail keeps it: never its secret."""
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events),
        "enabled": endpoint.enabled,
    }


def create_endpoint(scope, *, url: str, description: str, events: list[str]):
    """A new endpoint of the user's own tenant, and its secret (to show once)."""
    scope.require(Action.MANAGE_USERS)
    secret = keys.new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            tenant=scope.tenant,
            url=url,
            description=description,
            events=list(events),
            secret_token=keys.encrypt(secret),
            secret_hint=keys.hint(secret),
            created_by=scope.acting_user or scope.user,
        )
        audit.record(
            "webhooks.endpoint.created",
            scope=scope,
            target=endpoint,
            tenant=endpoint.tenant,
            after=_audited(endpoint),
        )
    return endpoint, secret


def change_endpoint(scope, endpoint: WebhookEndpoint, before: dict) -> None:
    """Save what the form put in ``endpoint`` (its address, events, enabled flag)."""
    scope.require(Action.MANAGE_USERS)
    with transaction.atomic():
        endpoint.save()
        audit.record(
            "webhooks.endpoint.changed",
            scope=scope,
            target=endpoint,
            tenant=endpoint.tenant,
            before=before,
            after=_audited(endpoint),
        )


def new_secret(scope, endpoint: WebhookEndpoint) -> str:
    """Replace the secret (the old one stops signing at once); the new one, to show once."""
    scope.require(Action.MANAGE_USERS)
    secret = keys.new_secret()
    with transaction.atomic():
        endpoint.secret_token = keys.encrypt(secret)
        endpoint.secret_hint = keys.hint(secret)
        endpoint.save(update_fields=["secret_token", "secret_hint", "updated_at"])
        audit.record(
            "webhooks.endpoint.secret_replaced",
            scope=scope,
            target=endpoint,
            tenant=endpoint.tenant,
        )
    return secret


def delete_endpoint(scope, endpoint: WebhookEndpoint) -> None:
    scope.require(Action.MANAGE_USERS)
    with transaction.atomic():
        audit.record(
            "webhooks.endpoint.deleted",
            scope=scope,
            target=endpoint,
            tenant=endpoint.tenant,
            before=_audited(endpoint),
        )
        endpoint.delete()


def send_test(scope, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A ``webhook.test`` event to this endpoint only, whatever it subscribed to."""
    scope.require(Action.MANAGE_USERS)
    with transaction.atomic():
        event = WebhookEvent.objects.create(
            type=TEST_EVENT,
            tenant_path=endpoint.tenant.path,
            data={"message": "A test event sent from the portal's webhook page."},
        )
        row = _new_delivery(endpoint, event)
        audit.record(
            "webhooks.endpoint.tested",
            scope=scope,
            target=endpoint,
            tenant=endpoint.tenant,
            payload={"event_id": str(event.event_id)},
        )
    return row


def replay(scope, original: WebhookDelivery) -> WebhookDelivery:
    """The same event (same id and body) sent again to the same endpoint, as a new row
    of the delivery log."""
    scope.require(Action.MANAGE_USERS)
    with transaction.atomic():
        row = _new_delivery(original.endpoint, original.event, replay_of=original)
        audit.record(
            "webhooks.delivery.replayed",
            scope=scope,
            target=original.endpoint,
            tenant=original.endpoint.tenant,
            payload={"event_id": str(original.event.event_id), "delivery": original.pk},
        )
    return row
