"""The simulator's clock: real time plus an offset that the control API can advance.

Handlers read time only through ``ctx.now_ms()`` so tests can move days ahead in
milliseconds instead of sleeping. The offset is persisted by the app (``sim_meta``)
so simulated time never runs backwards across a restart.
"""

from __future__ import annotations

import threading
import time


class Clock:
    def __init__(self, offset_ms: int = 0):
        self._offset_ms = offset_ms
        self._lock = threading.Lock()

    @property
    def offset_ms(self) -> int:
        return self._offset_ms

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000 + self._offset_ms

    def advance(self, seconds: float) -> int:
        if seconds < 0:
            raise ValueError("the simulator clock only moves forward")
        with self._lock:
            self._offset_ms += round(seconds * 1000)
            return self._offset_ms

    def set_offset(self, offset_ms: int) -> None:
        with self._lock:
            self._offset_ms = offset_ms
