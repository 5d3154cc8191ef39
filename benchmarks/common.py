"""Helpers shared by the benchmarks."""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DATA = ROOT / "var" / "bench"


def sample(fn: Callable[[], object], *, runs: int, warmup: int = 3) -> list[float]:
    """Milliseconds per call of ``fn`` over ``runs`` calls, after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def summary(timings: list[float], baseline_p50: float | None = None) -> dict:
    ordered = sorted(timings)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    result = {"runs": len(ordered), "p50_ms": round(p50, 3), "p95_ms": round(p95, 3)}
    if baseline_p50:
        result["p50_ratio_to_baseline"] = round(p50 / baseline_p50, 2)
        result["p95_ratio_to_baseline"] = round(p95 / baseline_p50, 2)
    return result


def write_result(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or "?"},
        **payload,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path
