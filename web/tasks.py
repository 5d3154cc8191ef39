"""Platform-level tasks and the one way the portal enqueues work."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "worker:heartbeat"


def enqueue(task, *args, **kwargs) -> None:
    """Send a task only once the surrounding transaction has committed, so the worker
    never sees ids of rows that do not exist yet (or were rolled back)."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


@shared_task
def record_heartbeat() -> str:
    """Beat runs this every minute; /healthz shows when a worker last ran it."""
    stamp = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, stamp, timeout=None)
    return stamp


@shared_task
def echo(value):
    """Round trip through broker, worker and result backend (the worker fixture waits on it)."""
    return value
