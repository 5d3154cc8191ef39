"""A small thread-safe circuit breaker, one per VOS server.

While VOS is down, every portal request would otherwise wait for its own connect
timeout; the breaker turns that into an immediate, clearly-not-applied failure and
lets a single trial call through after the cool-down to find out if VOS is back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"


class CircuitBreaker:
    """closed -> (``failure_threshold`` consecutive failures) -> open -> (``cooldown``
    seconds) -> half_open: one trial call; success closes, failure opens again."""

    def __init__(
        self,
        failure_threshold: int = 5,
        cooldown: float = 30.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ):
        if failure_threshold < 1 or cooldown < 0:
            raise ValueError("failure_threshold must be >= 1 and cooldown >= 0")
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CLOSED
        self._consecutive_failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False
        self._times_opened = 0

    def allow(self) -> bool:
        """May a call go out now? In half-open state only one caller gets True."""
        with self._lock:
            if self._state == OPEN and self._clock() - self._opened_at >= self.cooldown:
                self._state = HALF_OPEN
            if self._state == CLOSED:
                return True
            if self._state == HALF_OPEN and not self._trial_in_flight:
                self._trial_in_flight = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._state = CLOSED
            self._consecutive_failures = 0
            self._trial_in_flight = False

    def record_failure(self) -> None:
        with self._lock:
            self._consecutive_failures += 1
            self._trial_in_flight = False
            if self._state == HALF_OPEN or self._consecutive_failures >= self.failure_threshold:
                if self._state != OPEN:
                    self._times_opened += 1
                self._state = OPEN
                self._opened_at = self._clock()

    def retry_in(self) -> float:
        """Seconds until an open breaker lets a trial call through (0 when not open)."""
        with self._lock:
            if self._state != OPEN:
                return 0.0
            return max(0.0, self.cooldown - (self._clock() - self._opened_at))

    def snapshot(self) -> dict:
        with self._lock:
            state = self._state
            if state == OPEN and self._clock() - self._opened_at >= self.cooldown:
                state = HALF_OPEN
            return {
                "state": state,
                "consecutive_failures": self._consecutive_failures,
                "failure_threshold": self.failure_threshold,
                "cooldown_s": self.cooldown,
                "times_opened": self._times_opened,
            }
