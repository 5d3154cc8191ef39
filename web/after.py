"""Work a request asks for that its answer need not wait for: done after the response.

A page that read balances from VOS remembers them, but the person should not wait for
those writes, and a GET should not write while it is being answered. ``batch(fn, item)``
collects ``item`` for ``fn`` during the request; once the response has been sent (its
``close()``, which the WSGI server calls after the last byte, and Django's test client
too), ``fn`` is called once with every item collected for it, in the order they came.
Outside a request (a task, a shell, a test calling a selector) ``fn([item])`` runs at
once. A failure is logged, never raised: the answer has already gone.

``AfterResponseMiddleware`` (in ``settings.MIDDLEWARE``) opens the collection for each
GET and HEAD. Other methods write anyway and keep their order (a balance read before a
Pay is remembered before the Pay's answer is), so their work runs at once, as outside a
request.

With ``AFTER_RESPONSE_IN_THREAD`` (on, but in tests) the work is handed to one thread of
the process, with its own database connection, instead of being done in ``close()``: a
server that keeps the connection open (gunicorn's threaded workers, a browser's
keep-alive) reads the next request on it only once ``close()`` has returned, so the
writes held up the person's next page (10 ms after a 25-row list page whose balances had
changed: mostly waiting on PostgreSQL, which a thread does without holding the GIL). The
thread takes whatever requests have handed over meanwhile and does it in one go (one
batch per function, as within a request). The tests do it in ``close()``, where they can
see it done.
"""

from __future__ import annotations

import atexit
import contextvars
import logging
import os
import queue
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connections

log = logging.getLogger(__name__)

_pending: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "after_response", default=None
)


def batch(fn: Callable[[list], object], item) -> None:
    """Call ``fn(items)`` after the response, with this ``item`` among them."""
    pending = _pending.get()
    if pending is None:
        fn([item])
        return
    pending.setdefault(fn, []).append(item)


def run(pending: dict) -> None:
    """Call each collected ``fn`` with its items (after the response)."""
    for fn, items in pending.items():
        try:
            fn(items)
        except Exception:  # the answer is out: log, and let the next read try again
            log.exception("after-response work %s failed", getattr(fn, "__qualname__", fn))
    pending.clear()


class AfterResponseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        pending: dict = {}
        token = _pending.set(pending)
        try:
            response = self.get_response(request)
        finally:
            _pending.reset(token)
        if pending:
            # HttpResponse.close() calls its resource closers before request_finished
            # (which closes the database connection): the documented place for work
            # after the last byte (FileResponse closes its file there).
            response._resource_closers.append(lambda: hand_over(pending))
        return response


# --- The process's after-response thread ---------------------------------------------------
_STOP = object()
_thread: list = [None, None, None]  # [pid, thread, queue]: made again in a forked child
_thread_lock = threading.Lock()


def hand_over(pending: dict) -> None:
    """``run(pending)`` now (tests, AFTER_RESPONSE_IN_THREAD off) or on the thread."""
    if not getattr(settings, "AFTER_RESPONSE_IN_THREAD", False):
        run(pending)
        return
    # The request's context (its id on log lines) goes along.
    _queue().put((contextvars.copy_context(), pending))


def _queue() -> queue.SimpleQueue:
    pid, thread, work = _thread
    if pid == os.getpid() and thread.is_alive():
        return work
    with _thread_lock:
        if _thread[0] != os.getpid() or not _thread[1].is_alive():
            work = queue.SimpleQueue()
            thread = threading.Thread(
                target=_work, args=(work,), name="after-response", daemon=True
            )
            thread.start()
            _thread[:] = [os.getpid(), thread, work]
        return _thread[2]


# The thread waits this long after the first hand-over before it takes what has come:
# more requests' work goes into one batch (one transaction a server), and the batch
# less often runs while the person's next request is starting (a kept-alive connection
# sends it at once; both need the GIL: measured on the customer list, 2 ms off its p50).
BATCH_WINDOW_SECONDS = 0.02


def _work(work: queue.SimpleQueue) -> None:
    while True:
        taken = [work.get()]
        if taken[0] is not _STOP:
            time.sleep(BATCH_WINDOW_SECONDS)
        while True:  # and whatever else is waiting: one batch for all
            try:
                taken.append(work.get_nowait())
            except queue.Empty:
                break
        handed = [item for item in taken if item is not _STOP]
        merged: dict = {}
        for _context, pending in handed:
            for fn, items in pending.items():
                merged.setdefault(fn, []).extend(items)
        if merged:
            # A connection of this thread's own, checked as a request's is (its age,
            # whether it still works) before and after each batch.
            close_old_connections()
            try:
                handed[0][0].run(run, merged)
            finally:
                close_old_connections()
        if len(handed) < len(taken):  # drain() asked the thread to end: with its
            connections.close_all()  # connections, which no one else would close
            return


def drain(timeout: float = 5.0) -> None:
    """Finish what has been handed over (a worker that exits; tests). The thread ends;
    the next hand-over starts another."""
    pid, thread, work = _thread
    if pid != os.getpid() or thread is None or not thread.is_alive():
        return
    work.put(_STOP)
    thread.join(timeout)


atexit.register(drain)
