"""Endpoint handler registry of the simulator.

Each module under ``vos3000.simulator.handlers`` registers one function per VOS
endpoint it serves:

    from vos3000.simulator.registry import handler
    from vos3000.simulator import codes
    from vos3000.simulator.codes import SimError

    SCHEMA = '''CREATE TABLE IF NOT EXISTS ...;'''   # optional; run at startup

    @handler("CreateCustomer")
    def create_customer(ctx, req: dict) -> dict:
        ...
        return {}            # the app adds retCode 0; return response fields only

Handlers raise ``SimError(code)`` to answer a non-zero retCode; the app adds the
endpoint's list field as ``[]`` to error answers, as real servers do.
``ctx`` is a ``vos3000.simulator.context.Context``: ``ctx.db`` (sqlite3 connection,
one transaction per request, rolled back if the handler raises), ``ctx.now_ms()``
(the simulator's clock, advanceable), ``ctx.push(name, payload)`` (queue a
section-3 push), ``ctx.settings`` (simulator settings such as the GetCdr range cap).
"""

from __future__ import annotations

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}


def handler(name: str):
    def register(fn):
        if name in HANDLERS:
            raise RuntimeError(f"two handlers for {name}")
        HANDLERS[name] = fn
        return fn

    return register


# Control API actions under /_sim/<name> (not part of VOS). Same idea: modules
# register what they own ("place_call" lives with the calls, "fault" with the app).
# A control function gets (sim, params: dict) and returns a JSON-able dict.
CONTROLS: dict[str, Callable] = {}


def control(name: str):
    def register(fn):
        if name in CONTROLS:
            raise RuntimeError(f"two control actions named {name}")
        CONTROLS[name] = fn
        return fn

    return register


# Lifecycle hooks for modules that keep live state or background work.
# RESET_HOOKS: fn(sim), called inside the reset transaction after the tables are emptied
#   (clear in-memory state such as live calls).
# ADVANCE_HOOKS: fn(sim), called after the control API moved the clock (end calls whose
#   simulated time is up).
# BACKGROUND: fn(sim) -> stop callable or None, called once when the simulator starts
#   serving (the traffic generator reads sim.settings.traffic and sim.stopping).
RESET_HOOKS: list[Callable] = []
ADVANCE_HOOKS: list[Callable] = []
BACKGROUND: list[Callable] = []
