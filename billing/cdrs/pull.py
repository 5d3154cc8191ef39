"""Pulling VOS's call records into the local table (``billing.cdrs.store``).

VOS warns that frequent ``GetCdr`` calls hurt it, and real servers cap the range one
query may cover, so a pull is bounded everywhere: windows of ``CDR_PULL_MAX_DAYS`` UTC
days (VOS's ``yyyyMMdd`` days are UTC days), ``CDR_PULL_ACCOUNT_BATCH`` accounts per
call, ``CDR_PULL_PACE_SECONDS`` between calls, at most ``CDR_PULL_FETCHERS`` calls in
flight, one pull per server at a time.

The fetching and the storing overlap: ``CDR_PULL_FETCHERS`` threads fetch the next
account batches (in order, each paced) while this thread stores the answers already in
(``_Fetches``); at most that many answers wait, so memory stays bounded.

What a run pulls, per server (``plan_days``):

- every day after the server's **watermark** (the last day up to which every day is
  DONE), or ``CDR_PULL_BACKFILL_DAYS`` back for a new server;
- the last ``CDR_PULL_RELOOK_DAYS`` days before today and today itself again, for
  records VOS writes late (the natural key makes the re-pull insert only what is new);
- FAILED days whose ``retry_after`` has come (an admin's pull takes them at once).

A day becomes DONE only after every account batch of its window is stored, so a pull
that dies half-way leaves the day as it was, and the next run pulls it again. A window
that fails marks its days FAILED, with the error in words and a ``retry_after`` that
doubles per attempt (capped at a day); the watermark never passes a failed day, so
nothing is skipped silently.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import Counter, defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Tenant
from billing.cdrs import store as cdr_store
from billing.models import CdrPullDay, CdrPullJob
from switch.vos import client_for, describe_error
from vos3000.client import format_day
from vos3000.errors import RetCode, VosApiError, VosError, VosUnavailable

log = logging.getLogger(__name__)


# The per-server lock lives this long unless the pull holding it renews it (after every
# VOS call), so a worker that dies frees its server within this time.
LOCK_SECONDS = 600


MAX_RETRY_SECONDS = 86_400


def lock_key(server_id: int) -> str:
    return f"cdr-pull:lock:{server_id}"


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _pace() -> None:
    """The pause between two GetCdr calls of one pull (its own function: tests hook it)."""
    if settings.CDR_PULL_PACE_SECONDS:
        time.sleep(settings.CDR_PULL_PACE_SECONDS)


def watermark(server) -> date | None:
    """The last day up to which every tracked day of ``server`` is DONE (None: no such day)."""
    days = CdrPullDay.objects.filter(server=server)
    first_open = (
        days.exclude(status=CdrPullDay.Status.DONE).order_by("day").values_list("day", flat=True)
    ).first()
    done = days.filter(status=CdrPullDay.Status.DONE)
    if first_open is not None:
        done = done.filter(day__lt=first_open)
    return done.order_by("-day").values_list("day", flat=True).first()


def retention_cutoff(today: date) -> date | None:
    """The first day kept under CDR_RETENTION_MONTHS (None: everything is kept)."""
    months = settings.CDR_RETENTION_MONTHS
    if not months:
        return None
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def plan_days(server, now: datetime, *, include_waiting: bool = False) -> list[date]:
    """The days one run pulls, oldest first (see the module's docstring).

    ``include_waiting``: FAILED days are taken even before their ``retry_after`` (an
    admin asked for a pull now).
    """
    today = utc_day(now)
    rows = {row.day: row for row in CdrPullDay.objects.filter(server=server)}
    if not rows:
        start = today - timedelta(days=settings.CDR_PULL_BACKFILL_DAYS)
    else:
        mark = watermark(server)
        start = mark + timedelta(days=1) if mark else min(rows)
    start = min(start, today - timedelta(days=settings.CDR_PULL_RELOOK_DAYS))
    cutoff = retention_cutoff(today)
    if cutoff is not None:
        start = max(start, cutoff)  # months retention drops are not pulled back in

    def waiting(day: date) -> bool:
        row = rows.get(day)
        return (
            row is not None
            and row.status == CdrPullDay.Status.FAILED
            and row.retry_after is not None
            and row.retry_after > now
        )

    return [day for day in _days(start, today) if include_waiting or not waiting(day)]


def retry_delay(attempts: int) -> timedelta:
    """How long a day that failed ``attempts`` times in a row waits for its next try."""
    seconds = settings.CDR_PULL_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, MAX_RETRY_SECONDS))


@dataclass(frozen=True)
class ServerState:
    """What the admins' pull page shows of one server."""

    server: object
    watermark: date | None
    running: CdrPullJob | None
    open_days: list  # FAILED and OWED days, oldest first
    last_job: CdrPullJob | None


def server_states(servers) -> list[ServerState]:
    states = []
    for server in servers:
        jobs = CdrPullJob.objects.filter(server=server)
        states.append(
            ServerState(
                server=server,
                watermark=watermark(server),
                running=jobs.filter(status=CdrPullJob.Status.RUNNING).first(),
                open_days=list(
                    CdrPullDay.objects.filter(server=server)
                    .exclude(status=CdrPullDay.Status.DONE)
                    .order_by("day")[:100]
                ),
                last_job=jobs.first(),
            )
        )
    return states


def make_failed_days_due(server, now: datetime | None = None) -> int:
    """An admin's "retry failed days": every FAILED day is due at once."""
    return CdrPullDay.objects.filter(server=server, status=CdrPullDay.Status.FAILED).update(
        retry_after=now or timezone.now()
    )


@dataclass
class _Run:
    server: object
    job: CdrPullJob
    client: object
    accounts: list[str]
    span: int
    now: datetime
    token: str
    calls_made: int = 0
    failed_days: list[date] = field(default_factory=list)
    first_error: str = ""
    stopped: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def batches(self) -> list[list[str]]:
        size = settings.CDR_PULL_ACCOUNT_BATCH
        return [self.accounts[n : n + size] for n in range(0, len(self.accounts), size)]

    def vos_call(self, name: str, payload: dict) -> dict:
        """One VOS call of this pull: paced after the first, counted, and renewing the
        server's lock. Not retried here: the client already retries a read that failed
        on the way (twice, with backoff); a window that still fails is retried later
        by the schedule (``retry_after``), never in a tight loop against a sick switch."""
        with self.lock:  # the fetchers call from their own threads
            first = not self.calls_made
            self.calls_made += 1
            self.job.vos_calls += 1
        if not first:
            _pace()
        try:
            return self.client.call(name, payload)
        finally:
            cache.touch(lock_key(self.server.pk), LOCK_SECONDS)

    def save_progress(self) -> None:
        CdrPullJob.objects.filter(pk=self.job.pk).update(
            vos_calls=self.job.vos_calls,
            batches_total=self.job.batches_total,
            batches_done=self.job.batches_done,
            fetched=self.job.fetched,
            inserted=self.job.inserted,
        )


def pull_server(
    server,
    *,
    reason: str = CdrPullJob.Reason.SCHEDULED,
    requested_by=None,
    now: datetime | None = None,
) -> CdrPullJob | None:
    """Pull what ``server`` owes (``plan_days``) and return the job, or None when
    another pull of this server is running or nothing is owed yet."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    # One pull per server across every worker process: ``cache.add`` is atomic on Redis
    # (production and CI) and on the local memory cache; the key expires by itself if
    # the worker holding it dies (the pull renews it after every call).
    if not cache.add(lock_key(server.pk), token, LOCK_SECONDS):
        log.info("CDR pull of %s skipped: another pull of it is running", server.name)
        return None
    try:
        return _pull_locked(server, reason, requested_by, now, token)
    finally:
        if cache.get(lock_key(server.pk)) == token:
            cache.delete(lock_key(server.pk))


def _pull_locked(server, reason, requested_by, now, token) -> CdrPullJob | None:
    # A job still RUNNING while we hold the lock belongs to a worker that died (its lock
    # expired): say so, its days were never marked DONE and are in this plan again.
    CdrPullJob.objects.filter(
        server=server, status__in=[CdrPullJob.Status.RUNNING, CdrPullJob.Status.PENDING]
    ).update(
        status=CdrPullJob.Status.FAILED,
        error=_("The pull was interrupted (its worker stopped); its days are pulled again."),
        finished_at=now,
    )
    days = plan_days(server, now, include_waiting=reason != CdrPullJob.Reason.SCHEDULED)
    if not days:
        return None
    CdrPullDay.objects.bulk_create(
        [CdrPullDay(server=server, day=day) for day in days], ignore_conflicts=True
    )
    job = CdrPullJob.objects.create(
        server=server,
        first_day=days[0],
        last_day=days[-1],
        reason=reason,
        requested_by=requested_by,
        status=CdrPullJob.Status.RUNNING,
        started_at=timezone.now(),
    )
    # The pull is the platform's own job, like the tenant sync: no user's scope asks
    # for it, it names every account of the server (tenants or not), and it writes
    # nothing to VOS. So it uses the server's client directly, not telephony.vos.call
    # (whose guard and audit are for calls made on someone's behalf).

    run = _Run(
        server=server,
        job=job,
        client=client_for(server),
        accounts=[],
        span=settings.CDR_PULL_MAX_DAYS,
        now=now,
        token=token,
    )
    try:
        try:
            run.accounts = accounts_to_pull(run)
        except VosError as exc:
            # No window was tried: the days stay as they were, owed to the next run.
            run.first_error = describe_error(exc)
            run.stopped = True
        else:
            _pull_days(run, days)
    except Exception:
        # A bug or a database failure: the days of the window in hand stay as they were
        # (never DONE half-pulled); the job says it stopped.
        log.exception("CDR pull %s of %s crashed", job.pk, server.name)
        _finish(run, error=_("The pull stopped on an internal error; it is retried."))
        raise
    _finish(run, error=_job_error(run, days))
    return job


def accounts_to_pull(run: _Run) -> list[str]:
    """Every account VOS has on the server (``GetAllCustomers``), plus the accounts of
    the server's tenants (an account deleted in VOS keeps its calls there). Accounts
    without a tenant are pulled too: their CDRs are stored with no tenant (admins see
    them) and are adopted when the tenant sync links them."""
    answer = run.vos_call("GetAllCustomers", {})
    accounts = set(answer.get("accounts") or [])
    accounts |= set(
        Tenant.objects.filter(server=run.server)
        .exclude(vos_account="")
        .values_list("vos_account", flat=True)
    )
    return sorted(accounts)


def _windows(days: list[date], span: int) -> list[list[date]]:
    """Runs of consecutive days, cut into windows of at most ``span`` days."""
    windows: list[list[date]] = []
    for day in days:
        last = windows[-1] if windows else None
        if last and len(last) < span and day - last[-1] == timedelta(days=1):
            last.append(day)
        else:
            windows.append([day])
    return windows


Window = tuple[date, ...]


class _Fetches:
    """The GetCdr calls of a pull, made ahead by ``CDR_PULL_FETCHERS`` threads while the
    caller stores the answers already in. Calls start in the order of the windows and
    their batches, and answers are taken in that order; at most ``CDR_PULL_FETCHERS``
    calls are made or waiting to be taken at once. A call's error is raised where its
    answer is taken; the calls made ahead for a window that failed are dropped."""

    def __init__(self, run: _Run, batches: list[list[str]]):
        self.run, self.batches = run, batches
        self.ahead = max(1, settings.CDR_PULL_FETCHERS)
        self.pool = ThreadPoolExecutor(self.ahead, thread_name_prefix="cdr-fetch")
        self.windows: deque[Window] = deque()
        self.todo: deque[tuple[Window, list[str]]] = deque()
        self.made: deque[tuple[Window, Future]] = deque()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.drop(lambda window: True)
        self.pool.shutdown(wait=True, cancel_futures=True)

    def add(self, windows: list[list[date]]) -> None:
        for window in windows:
            key = tuple(window)
            self.windows.append(key)
            self.todo.extend((key, batch) for batch in self.batches)

    def calls_left(self) -> int:
        return len(self.todo) + len(self.made)

    def _fill(self) -> None:
        while self.todo and len(self.made) < self.ahead:
            window, batch = self.todo.popleft()
            self.made.append((window, self.pool.submit(_fetch, self.run, window, batch)))

    def answers(self, window: Window):
        """The answers of every batch of ``window`` (the first window left), in order,
        each {day: records}."""
        for _batch in self.batches:
            self._fill()
            made_for, future = self.made.popleft()
            assert made_for == window, (made_for, window)
            answer = future.result()  # raises the call's error, before the next is made
            self._fill()  # the next calls run while this answer is stored
            yield answer

    def drop(self, dropped) -> list[Window]:
        """Forget the calls not taken of the windows ``dropped(window)`` says; returns
        those windows, in order. Calls under way finish, unread."""
        gone = [window for window in self.windows if dropped(window)]
        self.windows = deque(window for window in self.windows if not dropped(window))
        self.todo = deque(task for task in self.todo if not dropped(task[0]))
        kept = deque()
        for window, future in self.made:
            if dropped(window):
                future.cancel()
            else:
                kept.append((window, future))
        self.made = kept
        return gone


def _fetch(run: _Run, window: Window, batch: list[str]) -> dict[date, list[dict]]:
    """One GetCdr call (a fetcher's thread): the records of ``batch`` over ``window``,
    by UTC day of their start."""
    answer = run.vos_call(
        "GetCdr",
        {"accounts": batch, "beginTime": format_day(window[0]), "endTime": format_day(window[-1])},
    )
    # By the number of the UTC day (whole days of ms since 1970, as ``utc_day`` of the
    # start's datetime gives them), made a date once per day, not once per record.
    by_number: dict[int, list[dict]] = defaultdict(list)
    for info in answer.get("infoCdrs") or []:
        by_number[int(info.get("start") or 0) // _DAY_MS].append(info)
    return {_EPOCH + timedelta(days=number): infos for number, infos in by_number.items()}


_DAY_MS = 86_400_000
_EPOCH = date(1970, 1, 1)


def _pull_days(run: _Run, days: list[date]) -> None:
    batches = run.batches
    with _Fetches(run, batches) as fetches:
        fetches.add(_windows(days, run.span))
        run.job.batches_total = fetches.calls_left()
        run.save_progress()
        while fetches.windows:
            window = fetches.windows[0]
            try:
                _pull_window(run, list(window), fetches.answers(window))
            except VosApiError as exc:
                if exc.code is RetCode.RANGE_TOO_WIDE and len(window) > 1:
                    # The server caps the range: halve the window, and keep the smaller
                    # span for the rest of this run (the next run tries the setting again).
                    run.span = max(1, (len(window) + 1) // 2)
                    this, *rest = fetches.drop(lambda w: True)
                    days_after = [day for w in rest for day in w]
                    fetches.add(_windows(list(this), run.span) + _windows(days_after, run.span))
                    log.info(
                        "CDR pull of %s: range capped, windows of %d days", run.server, run.span
                    )
                    continue
                fetches.drop(lambda w, failed=window: w == failed)
                _mark_failed(run, list(window), describe_error(exc))
            except VosUnavailable as exc:
                # The later windows stay counted as owed; their calls stop on the way out.
                fetches.drop(lambda w, failed=window: w == failed)
                _mark_failed(run, list(window), describe_error(exc))
                run.stopped = True
                break
            else:
                fetches.windows.popleft()
            finally:
                run.job.batches_total = run.job.batches_done + fetches.calls_left()
                run.save_progress()


def _pull_window(run: _Run, window: list[date], answers) -> None:
    """Every account batch of one window, stored as it comes; then its days are DONE."""
    fetched: Counter[date] = Counter()
    inserted: Counter[date] = Counter()
    for by_day in answers:
        for day, infos in by_day.items():
            result = cdr_store.store(run.server, infos)
            fetched[day] += result.fetched
            inserted[day] += result.inserted
            run.job.fetched += result.fetched
            run.job.inserted += result.inserted
        run.job.batches_done += 1
        run.save_progress()
    _mark_done(run, window, fetched, inserted)


def _mark_done(run: _Run, window: list[date], fetched: Counter, inserted: Counter) -> None:
    finished = timezone.now()
    with transaction.atomic():
        rows = CdrPullDay.objects.select_for_update().filter(server=run.server, day__in=window)
        for row in rows:
            row.status = CdrPullDay.Status.DONE
            row.attempts = 0
            # What VOS has for the day now; inserted adds up over re-pulls.
            row.fetched = fetched[row.day]
            row.inserted += inserted[row.day]
            row.last_job = run.job
            row.error = ""
            row.pulled_at = finished
            row.retry_after = None
        CdrPullDay.objects.bulk_update(
            rows,
            [
                "status",
                "attempts",
                "fetched",
                "inserted",
                "last_job",
                "error",
                "pulled_at",
                "retry_after",
            ],
        )


def _mark_failed(run: _Run, window: list[date], error: str) -> None:
    run.failed_days.extend(window)
    run.first_error = run.first_error or error
    with transaction.atomic():
        rows = list(
            CdrPullDay.objects.select_for_update().filter(server=run.server, day__in=window)
        )
        for row in rows:
            row.status = CdrPullDay.Status.FAILED
            row.attempts += 1
            row.error = error
            row.last_job = run.job
            row.retry_after = run.now + retry_delay(row.attempts)
        CdrPullDay.objects.bulk_update(
            rows, ["status", "attempts", "error", "last_job", "retry_after"]
        )


def _job_error(run: _Run, days: list[date]) -> str:
    if not run.failed_days and not run.stopped:
        return ""
    failed = len(set(run.failed_days))
    if failed:
        text = ngettext(
            "%(count)d day failed and will be retried: %(error)s",
            "%(count)d days failed and will be retried: %(error)s",
            failed,
        ) % {"count": failed, "error": run.first_error}
    else:
        text = run.first_error
    if run.stopped:
        done = set(
            CdrPullDay.objects.filter(
                server=run.server, day__in=days, last_job=run.job
            ).values_list("day", flat=True)
        )
        left = len([day for day in days if day not in done])
        if left:
            text += " " + ngettext(
                "%(count)d more day waits for the next pull.",
                "%(count)d more days wait for the next pull.",
                left,
            ) % {"count": left}
    return text


def _finish(run: _Run, *, error: str) -> None:
    job = run.job
    job.status = CdrPullJob.Status.FAILED if error else CdrPullJob.Status.DONE
    job.error = error
    job.finished_at = timezone.now()
    job.save()
    log.info(
        "CDR pull %s of %s: %s, %d calls, %d fetched, %d inserted",
        job.pk,
        run.server.name,
        job.status,
        job.vos_calls,
        job.fetched,
        job.inserted,
    )


def apply_retention(today: date | None = None) -> dict | None:
    """Drop whole months older than CDR_RETENTION_MONTHS (None when everything is kept),
    and forget the pull state of the days dropped."""
    today = today or utc_day(timezone.now())
    cutoff = retention_cutoff(today)
    if cutoff is None:
        return None
    dropped = cdr_store.drop_months_before(cutoff)
    days, _ = CdrPullDay.objects.filter(day__lt=cutoff).delete()
    return {"cutoff": cutoff.isoformat(), "dropped": dropped, "pull_days_forgotten": days}
