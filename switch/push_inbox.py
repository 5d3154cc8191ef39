"""VOS pushes (manual section 3) after the receiver accepted them: the durable inbox and
what each message changes.

The receiver writes every accepted message to ``PushInbox`` (committed) before it
answers VOS. There is no broker message per push: the commit wakes the worker at most
once per VOS_PUSH_WAKE_SECONDS (``wake``), and the woken task
(``switch.tasks.drain_pushes``) drains the inbox in batches, in arrival order
(``drain``). The beat sweep (``switch.tasks.sweep_pushes``) is the safety net for a
lost wake-up and retries failed messages. Processing is idempotent: a message processed
twice changes nothing more.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.fields.json import KT
from django.utils import timezone

from switch import push_handlers, tasks
from switch.models import PushInbox
from vos3000.errors import VosError

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


def _snapshot_of(server_id: int, name: str, account) -> tuple:
    """What a snapshot message states the value of: the account's balance, or the
    server's alarm list."""
    return (server_id, name, account if name == "CustomerMoneyChange" else None)


def _newest_done(rows: list[PushInbox]) -> dict[tuple, int]:
    """For the snapshots among ``rows``: the newest id of the same snapshot already
    processed after the first of them, in one query for the batch (``_superseded`` for
    a batch)."""
    snapshots = [row for row in rows if row.name in SNAPSHOT_PUSHES]
    if not snapshots:
        return {}
    done = (
        PushInbox.objects.filter(
            server_id__in={row.server_id for row in snapshots},
            name__in={row.name for row in snapshots},
            pk__gt=snapshots[0].pk,
            processed_at__isnull=False,
        )
        .annotate(account=KT("payload__account"))
        .values("server_id", "name", "account")
        .annotate(newest=Max("pk"))
    )
    found: dict[tuple, int] = {}
    for item in done:
        key = _snapshot_of(item["server_id"], item["name"], item["account"])
        found[key] = max(found.get(key, 0), item["newest"])
    return found


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
    """Write the message to the inbox (committed before the receiver answers) and, once
    committed, wake the worker (``wake``); None when the same message is already waiting
    (a duplicate: nothing more to do)."""
    fields = {"server": server, "name": name, "payload": payload}
    fields["dedupe_key"] = dedupe_key(name, payload)
    connection = transaction.get_connection()
    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint: a duplicate spoils nothing around it
                row = PushInbox.objects.create(**fields)
        elif not settings.VOS_PUSH_DURABLE_COMMIT and connection.vendor == "postgresql":
            with transaction.atomic():  # answered before the WAL reaches the disk
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
                row = PushInbox.objects.create(**fields)
        else:  # autocommit: the INSERT commits itself, one round trip to the database
            row = PushInbox.objects.create(**fields)
    except IntegrityError:
        log.info("push %s on %s: duplicate of a waiting message, dropped", name, server.name)
        return None
    transaction.on_commit(wake)  # at once in autocommit
    return row


# --- Waking the worker ----------------------------------------------------------------------
# No broker message per push: a committed push sends one wake-up (``drain_pushes``) unless
# one was sent less than VOS_PUSH_WAKE_SECONDS ago (the cache key below, set with ``add``:
# one process wins per interval, across all web processes). A push whose wake-up was held
# back is not forgotten: the drain woken for that interval looks again until the interval
# is over (``drain(linger=...)``), and its last look starts after the key expired, so it
# sees every push committed while the key held. A broker that cannot take the wake-up
# frees the key (the next push tries again); the beat sweep is the safety net.
#
# A process that sent a wake-up itself knows, without asking the cache, that the drain it
# woke will look again after ``sent + interval`` (the drain lingers until then, by the
# wake-up's own time stamp): its pushes until then need no wake-up at all. Not so when
# tasks run eagerly (no lingering drain): then every push asks the cache. A wake-up that
# waited in the broker past its interval (a worker down) does one pass, no lingering.
WAKE_KEY = "push:wake"
_wake_sent_at = [float("-inf")]  # time.monotonic() of this process's last wake-up sent


def wake() -> None:
    """Wake the worker for the inbox, at most once per VOS_PUSH_WAKE_SECONDS (call after
    the push's commit). Never raises: the push is stored, VOS's answer must not fail."""
    interval = settings.VOS_PUSH_WAKE_SECONDS
    if time.monotonic() < _wake_sent_at[0] + interval:
        return  # the drain this process woke will look again after this push
    try:
        if not cache.add(WAKE_KEY, 1, interval):
            return  # a drain woken within the interval will see this push
    except Exception:  # the cache is down: the beat sweep processes the push
        log.exception("push wake-up not sent (cache)")
        return
    sent_at = time.monotonic()
    try:
        tasks.drain_pushes.delay(time.time())
    except Exception as exc:  # kombu's errors vary by transport
        log.warning("push wake-up not sent (%s); the sweep will process the inbox", exc)
        try:
            cache.delete(WAKE_KEY)
        except Exception:
            log.exception("push wake-up key not freed")
        return
    if not tasks.drain_pushes.app.conf.task_always_eager:  # an eager drain did not linger
        _wake_sent_at[0] = sent_at


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
            PushInbox.objects.select_for_update(of=("self",))
            .select_related("server")
            .filter(pk=inbox_id, processed_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        done = _process_row(row)
        _save_done(row)
        return done


def _process_row(row: PushInbox, superseded: bool | None = None) -> bool:
    """Apply one waiting row (in the caller's transaction, the row locked) unless
    ``superseded`` (asked here when not told); its outcome is set on the row, not
    saved. Returns whether it is done (applied or superseded)."""
    if superseded is None:
        superseded = _superseded(row)
    if not superseded:
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
            return False
    row.processed_at = timezone.now()
    row.error = ""
    return True


def _save_done(row: PushInbox) -> None:
    row.save(update_fields=["processed_at", "attempts", "error"])


def _waiting(*, retries: bool, older_than: float = 0.0):
    """Rows still to process: fresh ones, and with ``retries`` also those that failed
    before (only the sweep retries them, so a failing message is tried once per sweep,
    not at every wake-up)."""
    rows = PushInbox.objects.filter(processed_at__isnull=True)
    if not retries:
        rows = rows.filter(attempts=0)
    if older_than:
        rows = rows.filter(received_at__lte=timezone.now() - timedelta(seconds=older_than))
    return rows


# A batch ends at VOS_PUSH_BATCH rows or after this much work, whichever comes first: the
# handlers may ask VOS (a phone's owner), and the batch's transaction should not hold its
# locks (on SQLite: the one writer's lock) for many of those.
BATCH_SECONDS = 0.25


def process_batch(*, after: int = 0, retries: bool = False, older_than: float = 0.0):
    """The next waiting rows after id ``after`` (VOS_PUSH_BATCH at most, BATCH_SECONDS of
    work at most), in arrival order, in one transaction: one commit for the batch, each
    row in a savepoint of its own (a failing handler spoils only its row). The rows are
    locked while they are applied, so two drains never apply the same rows and a later
    batch waits for an earlier one. Returns (processed now, last id taken, more to do)."""
    limit = settings.VOS_PUSH_BATCH
    started = time.monotonic()
    with transaction.atomic():
        rows = list(
            _waiting(retries=retries, older_than=older_than)
            .filter(pk__gt=after)
            .select_for_update(of=("self",))
            .select_related("server")
            .order_by("pk")[:limit]
        )
        newest = _newest_done(rows)  # a batch in order supersedes nothing of its own
        done, failed, last = [], [], after
        for row in rows:
            key = _snapshot_of(row.server_id, row.name, row.payload.get("account"))
            superseded = row.name in SNAPSHOT_PUSHES and newest.get(key, 0) > row.pk
            (done if _process_row(row, superseded) else failed).append(row)
            last = row.pk
            if time.monotonic() - started > BATCH_SECONDS:
                break
        if done:  # one UPDATE for the batch's done rows
            PushInbox.objects.filter(pk__in=[r.pk for r in done]).update(
                processed_at=timezone.now(), error=""
            )
        for row in failed:
            _save_done(row)
    return len(done), last, last != after and (len(rows) == limit or last != rows[-1].pk)


def drain_once(*, retries: bool = False, older_than: float = 0.0) -> int:
    """One pass over the waiting rows, batch after batch in arrival order; each row is
    tried at most once per pass. Returns how many were processed."""
    processed, after, more = 0, 0, True
    while more:
        done, after, more = process_batch(after=after, retries=retries, older_than=older_than)
        processed += done
    return processed


# How often a lingering drain looks for pushes whose wake-up was held back.
LINGER_POLL_SECONDS = 0.1


def drain(*, linger: float = 0.0, clock=time.monotonic, sleep=time.sleep) -> int:
    """What a wake-up does: process the fresh pushes now, then keep looking for
    ``linger`` seconds (the wake-up interval: pushes committed meanwhile sent no wake-up
    of their own), with a last pass once it is over. Returns how many were processed."""
    processed = drain_once()
    if linger <= 0:
        return processed
    end = clock() + linger
    while (left := end - clock()) > 0:
        sleep(min(LINGER_POLL_SECONDS, left))
        if _waiting(retries=False).exists():
            processed += drain_once()
    return processed + drain_once()


def sweep(*, older_than: float | None = None) -> int:
    """The beat's safety net: process every waiting message older than ``older_than``
    (VOS_PUSH_SWEEP_AFTER_SECONDS) in arrival order, those that failed before included
    (each retried once per sweep, up to MAX_ATTEMPTS); also forgets processed ones past
    their keep time. Returns how many were processed."""
    if older_than is None:
        older_than = float(settings.VOS_PUSH_SWEEP_AFTER_SECONDS)
    done = drain_once(retries=True, older_than=older_than)
    keep = timezone.now() - timedelta(days=settings.VOS_PUSH_KEEP_DAYS)
    PushInbox.objects.filter(processed_at__lt=keep).delete()
    return done
