"""Telephony tasks: processing VOS pushes (ids only; the work is in push_inbox)."""

from __future__ import annotations

from celery import shared_task

from switch import push_inbox


@shared_task
def process_push(inbox_id: int) -> bool:
    """One pushed message from the inbox (enqueued by the receiver on commit)."""
    return push_inbox.process(inbox_id)


@shared_task
def sweep_pushes() -> int:
    """Beat: messages whose task never ran (broker hiccup, worker restart)."""
    return push_inbox.sweep()
