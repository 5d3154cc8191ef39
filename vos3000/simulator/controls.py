"""The core control actions under ``/_sim/<action>`` (documented in README.md).

A control function gets ``(sim, params)`` and returns a JSON-able dict; bad
parameters raise ValueError/KeyError/TypeError (answered as HTTP 400).
"""

from __future__ import annotations

from vos3000.simulator.registry import control
from vos3000.simulator.settings import Settings


@control("reset")
def reset(sim, params: dict) -> dict:
    sim.reset(demo=bool(params.get("demo", False)))
    return {"now": sim.clock.now_ms()}


@control("advance")
def advance(sim, params: dict) -> dict:
    offset = sim.advance(float(params["seconds"]))
    return {"now": sim.clock.now_ms(), "offsetMs": offset}


@control("now")
def now(sim, params: dict) -> dict:
    return {"now": sim.clock.now_ms(), "offsetMs": sim.clock.offset_ms}


@control("stats")
def stats(sim, params: dict) -> dict:
    counts = dict(sim.request_counts)
    return {
        "requests": counts,
        "total": sum(counts.values()),
        "loadFailures": sim.load_failures,
        "pushesDropped": sim.pusher.dropped,
    }


@control("requests")
def requests_log(sim, params: dict) -> dict:
    entries = list(sim.request_log)
    if endpoint := params.get("endpoint"):
        entries = [entry for entry in entries if entry["endpoint"] == endpoint]
    limit = int(params.get("limit", 100))
    return {"requests": entries[-limit:] if limit > 0 else []}


@control("fault")
def fault(sim, params: dict) -> dict:
    sim.faults.set(
        str(params.get("endpoint") or "*"),
        str(params["mode"]),
        int(params.get("count", 1)),
        ms=int(params.get("ms", 0)),
        seconds=float(params.get("seconds", 0)),
    )
    return {"faults": sim.faults.describe()}


@control("clear_faults")
def clear_faults(sim, params: dict) -> dict:
    sim.faults.clear()
    return {"faults": {}}


@control("settings")
def settings(sim, params: dict) -> dict:
    unknown = set(params) - set(Settings.RUNTIME)
    if unknown:
        raise ValueError(f"not runtime settings: {', '.join(sorted(unknown))}")
    for name, value in params.items():
        current = getattr(sim.settings, name)
        if value is not None and current is not None and not isinstance(value, type(current)):
            value = type(current)(value)
        setattr(sim.settings, name, value)
    return {name: getattr(sim.settings, name) for name in Settings.RUNTIME}


@control("pushes")
def pushes(sim, params: dict) -> dict:
    entries = sim.pusher.snapshot()
    if name := params.get("name"):
        entries = [entry for entry in entries if entry["name"] == name]
    return {"pushes": entries, "dropped": sim.pusher.dropped}
