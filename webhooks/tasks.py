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
    """Beat, every minute: the retries that are due (and any whose message was lost)."""
    ids = services.due_deliveries()
    for delivery_id in ids:
        services.attempt(delivery_id)
    return len(ids)
