"""Telephony tasks: processing VOS pushes (no ids to take: the inbox is the work list;
the work is in push_inbox)."""

from __future__ import annotations

import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from switch import push_inbox

# The wake-up's interval is measured by the sender's clock: a margin for another host's.
CLOCK_MARGIN_SECONDS = 0.2


@shared_task(bind=True)
def drain_pushes(self, sent_at: float | None = None) -> int:
    """A wake-up (``push_inbox.wake``, sent at ``sent_at``, a time.time()): drain the
    inbox, then keep looking until the wake-up's interval is over (a wake-up that waited
    in the broker past it does one pass). Run eagerly (tests, no worker) it runs inside
    the push's own request: it frees the wake-up key first and does not linger."""
    if self.request.is_eager:
        cache.delete(push_inbox.WAKE_KEY)
        return push_inbox.drain()
    interval = settings.VOS_PUSH_WAKE_SECONDS
    if sent_at is None:
        linger = float(interval)
    else:
        linger = min(sent_at + interval + CLOCK_MARGIN_SECONDS - time.time(), interval + 1.0)
    return push_inbox.drain(linger=max(linger, 0.0))


@shared_task
def process_push(inbox_id: int) -> bool:
    """One pushed message from the inbox (the receiver enqueued one per push before the
    wake-ups; kept for such messages still in the broker)."""
    return push_inbox.process(inbox_id)


@shared_task
def sweep_pushes() -> int:
    """Beat: messages no wake-up reached (broker hiccup, worker restart), and retries."""
    return push_inbox.sweep()
