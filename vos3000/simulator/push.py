"""Section-3 pushes: queued on commit, POSTed by one background sender thread.

A push goes to ``<push_url>/<InterfaceName>`` (e.g. ``http://portal/vos/push/PhoneOnline``)
as a UTF-8 JSON body, the way VOS sends them. The sender keeps order: while the
receiver is down it retries the head of the queue with exponential backoff
(``push_backoff`` seconds, doubling, capped at 30 s) up to ``push_max_retries``
times, then drops that message with an error log. The queue is bounded; when it is
full new pushes are dropped and counted. The push URL and retry settings are read
from the live settings at every attempt, so tests can point a running simulator at
their own receiver.
"""

from __future__ import annotations

import collections
import json
import logging
import queue
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

log = logging.getLogger("vos3000.simulator.push")

QUEUE_SIZE = 10_000
_MAX_BACKOFF = 30.0
_SEND_TIMEOUT = 5.0


class Pusher:
    def __init__(self, settings: Any, now_ms: Callable[[], int]):
        self._settings = settings
        self._now_ms = now_ms
        self._queue: queue.Queue[dict] = queue.Queue(QUEUE_SIZE)
        self._stop = threading.Event()
        # Set by clear()/stop() to cut short a retry wait; the message being retried is
        # then abandoned if it belongs to an earlier generation (before a reset).
        self._interrupt = threading.Event()
        self._generation = 0
        self._lock = threading.Lock()
        # Recent pushes with their delivery status, for the `pushes` control action.
        self.recent: collections.deque[dict] = collections.deque(maxlen=500)
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="sim-pusher", daemon=True)
        self._thread.start()

    def send(self, name: str, payload: dict) -> None:
        entry = {
            "name": name,
            "payload": payload,
            "queuedAt": self._now_ms(),
            "status": "queued",
            "attempts": 0,
            "generation": self._generation,
        }
        with self._lock:
            self.recent.append(entry)
        if not self._settings.push_url:
            entry["status"] = "no-push-url"
            return
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            entry["status"] = "dropped"
            self.dropped += 1
            log.error("push queue full, dropped %s", name)

    def snapshot(self) -> list[dict]:
        with self._lock:
            return [dict(entry) for entry in self.recent]

    def clear(self) -> None:
        """Forget queued, in-flight and recent pushes (simulator reset)."""
        self._generation += 1
        self._interrupt.set()
        while True:
            try:
                self._queue.get_nowait()["status"] = "cancelled"
            except queue.Empty:
                break
        with self._lock:
            self.recent.clear()
        self.dropped = 0

    def stop(self) -> None:
        self._stop.set()
        self._interrupt.set()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                entry = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            self._interrupt.clear()
            self._deliver(entry)

    def _deliver(self, entry: dict) -> None:
        delay = float(self._settings.push_backoff)
        while not self._stop.is_set():
            if entry["generation"] != self._generation:
                entry["status"] = "cancelled"
                return
            url = self._settings.push_url
            if not url:
                entry["status"] = "no-push-url"
                return
            entry["attempts"] += 1
            try:
                self._post(url, entry["name"], entry["payload"])
            except (OSError, urllib.error.URLError, ValueError) as exc:
                if entry["attempts"] > int(self._settings.push_max_retries):
                    entry["status"] = "failed"
                    log.error(
                        "push %s dropped after %d attempts: %s",
                        entry["name"],
                        entry["attempts"],
                        exc,
                    )
                    return
                entry["status"] = "retrying"
                log.warning(
                    "push %s attempt %d failed (%s), retrying in %.2fs",
                    entry["name"],
                    entry["attempts"],
                    exc,
                    delay,
                )
                self._interrupt.wait(delay)
                delay = min(delay * 2, _MAX_BACKOFF)
            else:
                entry["status"] = "delivered"
                entry["deliveredAt"] = self._now_ms()
                return

    @staticmethod
    def _post(url: str, name: str, payload: dict) -> None:
        target = url.rstrip("/") + "/" + name
        if not target.startswith(("http://", "https://")):
            raise ValueError(f"push URL must be http(s): {url}")
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            target,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "text/html;charset=UTF-8"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=_SEND_TIMEOUT) as response:  # noqa: S310
            response.read()
