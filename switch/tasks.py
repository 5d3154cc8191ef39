"""Telephony tasks: processing VOS pushes (no ids to take: the inbox is the work list;
the work is in push_inbox)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from switch import push_inbox


@shared_task(bind=True)
def drain_pushes(self) -> int:
    """A wake-up (``push_inbox.wake``): drain the inbox, then keep looking until the
    wake-up interval is over. Run eagerly (tests, no worker) it runs inside the push's
    own request: it frees the wake-up key first and does not linger."""
    if self.request.is_eager:
        cache.delete(push_inbox.WAKE_KEY)
        return push_inbox.drain()
    return push_inbox.drain(linger=settings.VOS_PUSH_WAKE_SECONDS)


@shared_task
def process_push(inbox_id: int) -> bool:
    """One pushed message from the inbox (the receiver enqueued one per push before the
    wake-ups; kept for such messages still in the broker)."""
    return push_inbox.process(inbox_id)


@shared_task
def sweep_pushes() -> int:
    """Beat: messages no wake-up reached (broker hiccup, worker restart), and retries."""
    return push_inbox.sweep()
