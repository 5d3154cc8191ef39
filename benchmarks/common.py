"""Helpers shared by the benchmarks."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "var" / "bench"
# Each benchmark's JSON: var/bench/<name>.json (`python -m benchmarks.table` reads them).
RESULTS = DATA
# The load average when this benchmark's process started (each runs in its own).
LOAD_AT_START = os.getloadavg()


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


def goal(
    measure: str,
    *,
    now: str,
    met: bool,
    goal: str,
    baseline: str = "",
    ratio: float | None = None,
) -> dict:
    """One row of README's table: what is measured, its baseline in the same run, the
    figure now, the figure as a ratio to the baseline, the goal and whether it is met."""
    return {
        "measure": measure,
        "baseline": baseline,
        "now": now,
        "ratio": ratio,
        "goal": goal,
        "met": bool(met),
    }


def git_commit() -> str:
    """The commit measured, with "+changes" when the work tree differs from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return f"{commit}+changes" if dirty else commit


def write_result(name: str, payload: dict, *, load_before: tuple | None = None) -> Path:
    """Write var/bench/<name>.json: the payload (with ``goals``, a list of ``goal()``
    rows, when the benchmark has goals), the machine, the commit and the load average
    before (when the process started, unless given) and after."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    before = load_before or LOAD_AT_START
    payload = {
        "benchmark": name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "commit": git_commit(),
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine() or "?",
            "cores": os.cpu_count(),
        },
        "load_average": {
            "before": [round(x, 2) for x in before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
        **payload,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path
