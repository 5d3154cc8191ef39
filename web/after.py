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
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable

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
            response._resource_closers.append(lambda: run(pending))
        return response
