"""VosClient: the portal's one outbound chokepoint to a VOS3000 server.

Every call is validated against the catalog before anything is sent, goes out with
explicit (connect, read) timeouts through one pooled session, is retried only when it
is a read, passes a per-server circuit breaker, is measured, and is logged as one line
per attempt with secrets redacted. Neither exception messages nor log lines ever carry
the server's address: the portal shows exception messages to its users.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

import requests
from requests.adapters import HTTPAdapter

from vos3000 import catalog, types
from vos3000.client.breaker import CircuitBreaker
from vos3000.client.endpoints import METHOD_NAMES, EndpointMethods
from vos3000.client.redact import redacted_json
from vos3000.client.transport import (
    BAD_BODY,
    Failure,
    classify_exception,
    classify_status,
    decode_answer,
)
from vos3000.errors import VosApiError, VosUnavailable, VosValidationError

log = logging.getLogger("vos3000.client")

# What the manual prescribes, whatever the body really is.
HEADERS = {"Content-Type": "text/html;charset=UTF-8", "Accept": "application/json, text/html"}
# Weight of the newest sample in the moving-average latency.
LATENCY_SMOOTHING = 0.2
# What may follow an endpoint name in its URL: nothing, or an extension (Tomcat
# deployments in the field answer at ``.../server/GetCustomer.jsp``).
ENDPOINT_SUFFIX = re.compile(r"(\.[A-Za-z0-9]{1,8})?")


class VosClient(EndpointMethods):
    """One client per VOS server. Thread-safe; share it.

    ``base_url`` is the service root including the context path and a trailing slash
    (``http://vos:8080/external/server/``); the endpoint name is appended to it, then
    ``endpoint_suffix`` (``""``, as the manual; ``".jsp"`` on Tomcat deployments).
    ``call(name, payload)`` takes and returns wire-shaped dicts: the portal's only form.
    Typed methods (``get_customer(accounts=[...])``, ``pay(owner_name=..., ...)``) come
    from ``EndpointMethods``, a library convenience over ``call`` (see README.md).
    """

    def __init__(
        self,
        base_url: str,
        timeout: tuple[float, float] = (3.0, 30.0),
        *,
        session: requests.Session | None = None,
        read_retries: int = 2,
        backoff: float = 0.2,
        breaker: CircuitBreaker | None = None,
        endpoint_suffix: str = "",
    ):
        if not base_url.startswith(("http://", "https://")) or not base_url.endswith("/"):
            raise ValueError("base_url must be an http(s) URL ending with '/'")
        if not isinstance(endpoint_suffix, str) or not ENDPOINT_SUFFIX.fullmatch(endpoint_suffix):
            raise ValueError("endpoint_suffix must be empty or an extension such as '.jsp'")
        connect_timeout, read_timeout = timeout
        if connect_timeout <= 0 or read_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if read_retries < 0 or backoff < 0:
            raise ValueError("read_retries and backoff must be >= 0")
        self._base_url = base_url
        self.endpoint_suffix = endpoint_suffix
        self.timeout = (float(connect_timeout), float(read_timeout))
        self.read_retries = read_retries
        self.backoff = backoff
        self.breaker = breaker or CircuitBreaker()
        self._session = session or _new_session()
        self._stats_lock = threading.Lock()
        self._counts = dict.fromkeys(
            ("calls", "attempts", "retries", "ok", "api_errors", "unavailable", "rejected"), 0
        )
        self._fast_failures = 0
        self._last_latency_ms: float | None = None
        self._avg_latency_ms: float | None = None
        self._last_error: str | None = None
        # The server's clock as its HTTP Date header tells it (see clock_skew).
        self._clock_skew_s: float | None = None
        hooks = getattr(self._session, "hooks", None)
        if isinstance(hooks, dict):
            hooks.setdefault("response", []).append(self._note_server_date)

    def __repr__(self) -> str:
        # Deliberately without the URL: reprs end up in error pages.
        return f"<VosClient breaker={self.breaker.snapshot()['state']}>"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> VosClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- calling ---------------------------------------------------------------------

    def call(self, name: str, payload: dict, *, timeout: tuple[float, float] | None = None):
        """POST ``payload`` (wire names) to endpoint ``name``; the answer as a dict.

        Raises VosValidationError (nothing sent), VosApiError (retCode != 0) or
        VosUnavailable (no usable answer; see ``may_have_been_applied``).
        """
        endpoint, body = self._prepare(name, payload)
        return self._send(endpoint, body, payload, timeout or self.timeout)

    def call_typed(self, name: str, payload: dict, *, timeout: tuple[float, float] | None = None):
        """Like ``call`` but the answer parsed into ``vos3000.types.<name>Response``."""
        return types.RESPONSES[name].from_wire(self.call(name, payload, timeout=timeout))

    def _prepare(self, name: str, payload: dict) -> tuple[catalog.Endpoint, bytes]:
        try:
            if name not in catalog.ENDPOINTS:
                raise VosValidationError(name, "unknown", "not a VOS endpoint")
            if not isinstance(payload, dict):
                raise VosValidationError(name, "type", "the request must be a JSON object")
            catalog.validate_request(name, payload)
            _reject_non_finite(payload, "")
        except VosValidationError as exc:
            self._count("rejected")
            # Field and problem only: the message may quote the (secret) value.
            log.info("VOS %s rejected before sending: %s (%s)", name, exc.field, exc.problem)
            raise
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return catalog.ENDPOINTS[name], body.encode("utf-8")

    def _send(self, endpoint, body: bytes, payload: dict, timeout) -> dict:
        self._count("calls")
        attempts = 1 + (self.read_retries if endpoint.kind == "read" else 0)
        attempt = 1
        while True:
            try:
                return self._attempt(endpoint, body, payload, timeout, attempt, attempts)
            except _FailedAttempt as failed:
                if attempt == attempts or not failed.failure.transient:
                    self._count("unavailable")
                    raise failed.error from None
            self._count("retries")
            time.sleep(self.backoff * 2 ** (attempt - 1))
            attempt += 1

    def _attempt(self, endpoint, body, payload, timeout, attempt, attempts) -> dict:
        context = _AttemptContext(endpoint.name, attempt, attempts, payload)
        if not self.breaker.allow():
            with self._stats_lock:
                self._fast_failures += 1
            retry_in = self.breaker.retry_in()
            failure = Failure(
                "circuit_open", f"circuit open, next trial in {retry_in:.0f} s", False, False
            )
            raise self._unavailable(failure, context, duration_ms=0.0)
        self._count("attempts")
        started = time.perf_counter()
        try:
            response = self._session.post(
                self._base_url + endpoint.name + self.endpoint_suffix,
                data=body,
                headers=HEADERS,
                timeout=timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            self.breaker.record_failure()
            failure = classify_exception(exc)
            raise self._unavailable(failure, context, _ms_since(started)) from None
        except BaseException:
            self.breaker.record_failure()
            raise
        duration_ms = _ms_since(started)
        self._record_latency(duration_ms)
        if response.status_code != 200:
            self.breaker.record_failure()
            raise self._unavailable(classify_status(response.status_code), context, duration_ms)
        answer = decode_answer(response.content)
        if answer is None:
            self.breaker.record_failure()
            raise self._unavailable(BAD_BODY, context, duration_ms)
        self.breaker.record_success()
        # A real server's loose answer (numbers in strings, nulls) in the manual's types;
        # left-out fields stay left out: the portal treats them as unknown.
        answer = catalog.loosen_answer(endpoint.name, answer)
        ret_code = answer["retCode"]
        if ret_code != 0:
            self._count("api_errors")
            message = answer.get("exception")
            message = message if isinstance(message, str) else ""
            _log_attempt(logging.INFO, context, f"retCode {ret_code} ({message})", duration_ms)
            raise VosApiError(ret_code, message, endpoint.name)
        self._count("ok")
        _log_attempt(logging.INFO, context, "retCode 0", duration_ms)
        return answer

    def _unavailable(self, failure: Failure, context, duration_ms: float) -> _FailedAttempt:
        with self._stats_lock:
            self._last_error = failure.reason
        _log_attempt(logging.WARNING, context, f"VosUnavailable({failure.reason})", duration_ms)
        exc = VosUnavailable(
            f"VOS unavailable calling {context.endpoint}: {failure.text}",
            may_have_been_applied=failure.may_have_been_applied,
            endpoint=context.endpoint,
            reason=failure.reason,
        )
        return _FailedAttempt(failure, exc)

    # -- measurements ----------------------------------------------------------------

    def _count(self, key: str) -> None:
        with self._stats_lock:
            self._counts[key] += 1

    def _record_latency(self, duration_ms: float) -> None:
        with self._stats_lock:
            self._last_latency_ms = duration_ms
            if self._avg_latency_ms is None:
                self._avg_latency_ms = duration_ms
            else:
                self._avg_latency_ms += LATENCY_SMOOTHING * (duration_ms - self._avg_latency_ms)

    def _note_server_date(self, response, *args, **kwargs):
        """A response hook: the server's clock minus ours, from its ``Date`` header
        (whole seconds), when it sends one. Never raises: a bad header is ignored."""
        header = getattr(response, "headers", {}).get("Date")
        if header:
            try:
                when = parsedate_to_datetime(header)
                if when.tzinfo is None:  # "-0000": UTC by RFC 5322
                    when = when.replace(tzinfo=UTC)
                skew = when.timestamp() - time.time()
            except (TypeError, ValueError, IndexError, OverflowError):
                return response
            with self._stats_lock:
                self._clock_skew_s = skew
        return response

    def clock_skew(self) -> float | None:
        """Seconds the server's clock is ahead of ours (negative: behind), from the
        ``Date`` header of the last answer that had one; None when none had. The header
        counts whole seconds, so this is exact to about a second."""
        with self._stats_lock:
            return self._clock_skew_s

    def stats(self) -> dict:
        """Counters, latencies (ms, of attempts that got an HTTP answer) and breaker state.

        Per call (that passed validation): ``calls`` = ``ok`` + ``api_errors`` (retCode
        != 0) + ``unavailable`` (VosUnavailable, open breaker included); ``errors`` is
        the last two together. Per attempt: ``attempts`` (requests sent), ``retries``,
        ``fast_failures`` (refused by the open breaker). JSON-able and address-free.
        """
        with self._stats_lock:
            counts = dict(self._counts)
            fast_failures = self._fast_failures
            last, average, last_error = (
                self._last_latency_ms,
                self._avg_latency_ms,
                self._last_error,
            )
        return {
            **counts,
            "fast_failures": fast_failures,
            "errors": counts["api_errors"] + counts["unavailable"],
            "last_latency_ms": None if last is None else round(last, 1),
            "avg_latency_ms": None if average is None else round(average, 1),
            "last_error": last_error,
            "breaker": self.breaker.snapshot(),
        }


@dataclass(frozen=True)
class _AttemptContext:
    endpoint: str
    attempt: int
    attempts: int
    payload: dict


class _FailedAttempt(Exception):
    """One attempt without a usable answer: the VosUnavailable to raise, and whether
    another attempt could help."""

    def __init__(self, failure: Failure, error: VosUnavailable):
        super().__init__(failure.reason)
        self.failure = failure
        self.error = error


def _new_session() -> requests.Session:
    session = requests.Session()
    # No proxies or .netrc from the environment: VOS calls go straight to VOS.
    session.trust_env = False
    # max_retries=0: urllib3 must never resend on its own; retries are decided here.
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=16, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _log_attempt(level: int, context: _AttemptContext, outcome: str, duration_ms: float) -> None:
    log.log(
        level,
        "VOS %s attempt %d/%d: %s in %.1f ms; request %s",
        context.endpoint,
        context.attempt,
        context.attempts,
        outcome,
        duration_ms,
        redacted_json(context.payload),
        extra={
            "vos_endpoint": context.endpoint,
            "vos_attempt": context.attempt,
            "vos_outcome": outcome,
            "vos_duration_ms": round(duration_ms, 1),
        },
    )


def _reject_non_finite(value, path: str) -> None:
    """NaN/Infinity pass a type check but are not JSON; name the field instead."""
    if isinstance(value, float) and not math.isfinite(value):
        raise VosValidationError(path, "type", "not a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_non_finite(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_non_finite(item, f"{path}[{index}]")


def _check_method_names() -> None:
    clash = set(METHOD_NAMES) & set(vars(VosClient))
    if clash:
        raise RuntimeError(f"endpoint methods hidden by VosClient attributes: {sorted(clash)}")


_check_method_names()
