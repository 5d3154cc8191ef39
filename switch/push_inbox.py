"""VOS pushes (manual section 3) after the receiver accepted them: the durable inbox and
what each message changes.

The receiver writes every accepted message to ``PushInbox`` before it answers VOS, then
enqueues ``switch.tasks.process_push`` on commit; the beat sweep
(``switch.tasks.sweep_pushes``) processes whatever a lost broker message left behind.
Processing is idempotent: a message processed twice changes nothing more.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from switch import push_handlers, tasks
from switch.models import PushInbox
from vos3000.errors import VosError
from web.tasks import enqueue

log = logging.getLogger(__name__)


MAX_ATTEMPTS = 5


# Messages that state "the value is now X" without a time (a balance, the alarm list):
# the latest to arrive wins. An identical one is not a duplicate (A, B, then A again is a
# real change back), so they are never dropped; an older one processed after a newer one
# (tasks run in any order) is skipped as superseded.
SNAPSHOT_PUSHES = frozenset({"CustomerMoneyChange", "AlarmCurrentReport"})


def dedupe_key(name: str, payload: dict) -> str:
    """Events (PhoneOnline, CallStateReport carry their eventTime and ids): the same
    content is the same event. Snapshots: a key of their own."""
    if name in SNAPSHOT_PUSHES:
        return uuid.uuid4().hex
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{name}\n{canonical}".encode()).hexdigest()


def _superseded(row: PushInbox) -> bool:
    """A newer snapshot of the same thing was processed already."""
    if row.name not in SNAPSHOT_PUSHES:
        return False
    newer = PushInbox.objects.filter(
        server_id=row.server_id, name=row.name, pk__gt=row.pk, processed_at__isnull=False
    )
    if row.name == "CustomerMoneyChange":
        newer = newer.filter(payload__account=row.payload.get("account"))
    return newer.exists()


def store(server, name: str, payload: dict) -> PushInbox | None:
    """Write the message to the inbox and enqueue its processing on commit; None when
    the same message is already waiting (a duplicate: nothing more to do)."""
    try:
        with transaction.atomic():
            row = PushInbox.objects.create(
                server=server, name=name, payload=payload, dedupe_key=dedupe_key(name, payload)
            )
            # A broker that is down must not turn VOS's answer into a 500: the row is
            # stored, the sweep will process it.
            enqueue(tasks.process_push, row.pk, robust=True)
    except IntegrityError:
        log.info("push %s on %s: duplicate of a waiting message, dropped", name, server.name)
        return None
    return row


def answer_now(server, name: str, payload: dict) -> dict:
    """A push VOS waits on (PushDtmfInfo(s): the menu runs on the answer): its answerer
    (switch.push_handlers) answers now; the message and the answer are recorded
    (processed at once)."""
    try:
        answer = dict(push_handlers.answerer_for(name)(server, name, payload) or {"retCode": 0})
    except Exception:
        # A broken rule must not leave a caller in silence: VOS runs its default menu.
        log.exception("answer to %s on %s failed", name, server.name)
        answer = {"retCode": 0}
    answer.setdefault("retCode", 0)
    PushInbox.objects.create(
        server=server,
        name=name,
        payload=payload,
        dedupe_key=dedupe_key(name, payload),
        processed_at=timezone.now(),
        answer=answer,
    )
    return answer


def apply(server, name: str, payload: dict) -> None:
    """What one message changes: each handler the feature apps registered for it
    (switch.push_handlers). Raises on failure (the row is then retried)."""
    if push_handlers.answered_at_once(name):
        return  # answered and recorded by the receiver
    handlers = push_handlers.handlers_for(name)
    if not handlers:
        raise ValueError(f"no handler for push {name}")
    for handler in handlers:
        handler(server, payload)


def process(inbox_id: int) -> bool:
    """Process one inbox row unless done already; returns whether it was processed now."""
    with transaction.atomic():
        row = (
            PushInbox.objects.select_for_update()
            .select_related("server")
            .filter(pk=inbox_id, processed_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        if _superseded(row):
            row.processed_at = timezone.now()
            row.error = ""
            _save_done(row)
            return True
        try:
            with transaction.atomic():
                apply(row.server, row.name, row.payload)
        except Exception as exc:
            row.attempts += 1
            # A VOS failure's text may name the server's address: its kind only.
            detail = "" if isinstance(exc, VosError) else f": {exc}"
            row.error = f"{type(exc).__name__}{detail}"[:255]
            if row.attempts >= MAX_ATTEMPTS:
                log.error("push %s #%s given up: %s", row.name, row.pk, row.error)
                row.processed_at = timezone.now()
            else:
                log.warning("push %s #%s failed (will retry): %s", row.name, row.pk, row.error)
            _save_done(row)
            return False
        row.processed_at = timezone.now()
        row.error = ""
        _save_done(row)
        return True


def _save_done(row: PushInbox) -> None:
    row.save(update_fields=["processed_at", "attempts", "error"])


def pending_ids(*, older_than: float = 0.0, limit: int = 5000) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than)
    return list(
        PushInbox.objects.filter(processed_at__isnull=True, received_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def sweep(*, older_than: float | None = None) -> int:
    """Process waiting messages in arrival order (those whose task never ran); also
    forgets processed ones past their keep time. Returns how many were processed."""
    if older_than is None:
        older_than = float(settings.VOS_PUSH_SWEEP_AFTER_SECONDS)
    done = sum(process(pk) for pk in pending_ids(older_than=older_than))
    keep = timezone.now() - timedelta(days=settings.VOS_PUSH_KEEP_DAYS)
    PushInbox.objects.filter(processed_at__lt=keep).delete()
    return done
