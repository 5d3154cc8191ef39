"""Platform-level tasks and the one way the portal enqueues work."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "worker:heartbeat"
log = logging.getLogger(__name__)


def enqueue(task, *args, robust: bool = False, countdown: float | None = None, **kwargs) -> None:
    """Send a task only once the surrounding transaction has committed, so the worker
    never sees ids of rows that do not exist yet (or were rolled back).

    ``robust``: a broker that cannot take the message is logged, not raised, for work
    that a beat sweep picks up anyway (a stored VOS push): the caller's answer must not
    fail for it. ``countdown``: the worker runs it no sooner than that many seconds
    later (``apply_async(countdown=...)``)."""

    def send():
        try:
            if countdown is None:
                task.delay(*args, **kwargs)
            else:
                task.apply_async(args, kwargs, countdown=countdown)
        except Exception as exc:  # kombu's errors vary by transport
            if not robust:
                raise
            log.warning("%s%r not enqueued (%s); its sweep will run it", task.name, args, exc)

    transaction.on_commit(send)


@shared_task
def record_heartbeat() -> str:
    """Beat runs this every minute; /healthz shows when a worker last ran it."""
    stamp = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, stamp, timeout=None)
    return stamp
