"""Webhook deliveries in the worker (they take ids)."""

from __future__ import annotations

from celery import shared_task

from webhooks import services


@shared_task
def deliver(delivery_id: int) -> str:
    row = services.attempt(delivery_id)
    return row.status if row is not None else "not due"


@shared_task
def deliver_due() -> int:
    """Beat, every minute: a task for each retry that is due (and any whose message was
    lost), so slow endpoints are tried side by side. A delivery queued twice is still sent
    once: each try claims it first (``services.attempt``)."""
    ids = services.due_deliveries()
    for delivery_id in ids:
        deliver.delay(delivery_id)
    return len(ids)
