"""The load driver: virtual users making real HTTP requests, run in a process of its own.

Nothing here imports Django: the harness (benchmarks.harness) starts this module's
``drive`` in a separate ("spawn") process, so the client's work never shares an
interpreter with the portal or the simulator. Each virtual user is a thread with its own
``requests.Session`` (its own cookies and connection), making requests back to back: no
think time.
"""

from __future__ import annotations

import threading
import time


def drive(spec: dict) -> dict:
    """Run ``spec`` and return the measured latencies.

    spec keys:
      items     [[method, url, body or None], ...]: what the users request, in turn
                (user n starts at item n, so users spread over the list);
      users     how many virtual users (threads), default 1;
      requests  measured requests per user;
      warmup    unmeasured requests per user first, default 3;
      cookies   one {name: value} per user (cycled), default none;
      headers   extra headers for every request;
      expect    the status every answer must have, default 200.

    Returns {"latencies_ms": [...], "seconds": wall time of the measured part (from the
    moment every user finished warming up to the last answer), "errors": n,
    "error_samples": [...]}.
    """
    import requests

    items = spec["items"]
    users = int(spec.get("users", 1))
    per_user = int(spec["requests"])
    warmup = int(spec.get("warmup", 3))
    cookies = spec.get("cookies") or [{}]
    headers = spec.get("headers") or {}
    expect = int(spec.get("expect", 200))
    barrier = threading.Barrier(users + 1)
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def user(n: int) -> None:
        session = requests.Session()
        session.headers.update(headers)
        for name, value in cookies[n % len(cookies)].items():
            session.cookies.set(name, value)
        position = n

        def one(measured: bool) -> None:
            nonlocal position
            method, url, body = items[position % len(items)]
            position += 1
            started = time.perf_counter()
            try:
                answer = session.request(method, url, data=body, timeout=120)
                status, text = answer.status_code, answer.text[:200]
            except requests.RequestException as exc:
                status, text = 0, repr(exc)[:200]
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status != expect:
                    errors.append(f"{method} {url} -> {status} {text}")
                elif measured:
                    latencies.append(elapsed)

        try:
            for _ in range(warmup):
                one(False)
        finally:
            barrier.wait()
        for _ in range(per_user):
            one(True)

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "latencies_ms": latencies,
        "seconds": seconds,
        "errors": len(errors),
        "error_samples": errors[:5],
    }
