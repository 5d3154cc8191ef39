"""Injected faults: what the next N calls of an endpoint (or of any, "*") suffer.

Modes (parameters): ``latency`` (``ms``: answer normally after a delay),
``http500`` (HTTP 500, nothing applied), ``garbage`` (HTTP 200 with a non-JSON body,
nothing applied), ``reset`` (the TCP connection is reset without an answer, nothing
applied), ``timeout_before`` (``seconds``: sleep, then close without applying) and
``timeout_after`` (``seconds``: apply and commit, then sleep and close without an
answer: the lost-response case).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

MODES = ("latency", "http500", "garbage", "reset", "timeout_before", "timeout_after")


@dataclass
class Fault:
    mode: str
    remaining: int
    ms: int = 0
    seconds: float = 0.0

    def describe(self) -> dict:
        return {
            "mode": self.mode,
            "remaining": self.remaining,
            "ms": self.ms,
            "seconds": self.seconds,
        }


class FaultTable:
    def __init__(self):
        self._faults: dict[str, Fault] = {}
        self._lock = threading.Lock()

    def set(self, endpoint: str, mode: str, count: int, ms: int = 0, seconds: float = 0.0):
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}; one of {', '.join(MODES)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults[endpoint] = Fault(mode, count, int(ms), float(seconds))

    def take(self, endpoint: str) -> Fault | None:
        """The fault that hits this call (an endpoint's own before "*"), used up by one."""
        with self._lock:
            for key in (endpoint, "*"):
                fault = self._faults.get(key)
                if fault is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        del self._faults[key]
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def describe(self) -> dict:
        with self._lock:
            return {key: fault.describe() for key, fault in self._faults.items()}
