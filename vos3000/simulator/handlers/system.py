"""The soft switch itself (2.55 GetSoftSwitch, 2.56 GetPerformance) and what it observes.

The simulator is one soft switch. Its name is what gateways default their
``softswitchName`` to; its IP is the simulator's listening host.

Traffic figures (current calls per gateway, ASR/ACD) come from the billing
handlers' ``current_call`` table and ``cdrs.gateway_totals``.
"""

from __future__ import annotations

import ipaddress

from vos3000.simulator.handlers import catalog_objects as objs
from vos3000.simulator.registry import handler

SOFTSWITCH_NAME = "VOS3000-SIM"
SOFTSWITCH_ID = "VOS3000-SIM-0001"
# A fixed installation date, so answers do not change from one start to the next.
SOFTSWITCH_CREATED_MS = 1_483_228_800_000  # 2017-01-01T00:00:00Z
# ASR and ACD over the CDRs that ended in the last day of simulated time.
STATS_WINDOW_MS = 24 * 3600 * 1000


def softswitch_name(ctx) -> str:
    return SOFTSWITCH_NAME


def softswitch_ip(ctx) -> str:
    """The simulator's listening address; a wildcard or a host name reads as loopback."""
    host = getattr(ctx.settings, "host", "")
    try:
        return "127.0.0.1" if ipaddress.ip_address(host).is_unspecified else host
    except ValueError:
        return "127.0.0.1"


# The calls module's ``current_call`` table: a call is live from begin_ms until end_ms.
_LIVE = "FROM current_call WHERE begin_ms <= ? AND end_ms > ?"


def live_call_count(ctx) -> int:
    now = ctx.now_ms()
    return ctx.db.execute(f"SELECT count(*) {_LIVE}", (now, now)).fetchone()[0]


def current_calls_by_gateway(ctx, side: str) -> dict[str, int]:
    """Number of live calls per gateway name; side "caller" (mapping) or "callee" (routing)."""
    column = {"caller": "caller_gateway", "callee": "callee_gateway"}[side]
    now = ctx.now_ms()
    rows = ctx.db.execute(
        f"SELECT {column}, count(*) {_LIVE} AND {column} != '' GROUP BY {column}",
        (now, now),
    )
    return {row[0]: row[1] for row in rows}


def gateway_asr_acd(ctx, side: str, name: str) -> dict:
    """ASR (answered / attempted, 0..1) and ACD (mean seconds of answered calls).

    Over the CDRs of the gateway that ended in the last ``STATS_WINDOW_MS``.
    """
    from vos3000.simulator.handlers import cdrs

    since = ctx.now_ms() - STATS_WINDOW_MS
    attempted, answered, seconds = cdrs.gateway_totals(ctx, side, name, since)
    return {
        "asr": round(answered / attempted, 4) if attempted else 0.0,
        "acd": round(seconds / answered) if answered else 0,
    }


@handler("GetSoftSwitch")
def get_soft_switch(ctx, req: dict) -> dict:
    switch = {
        "name": softswitch_name(ctx),
        "identification": SOFTSWITCH_ID,
        "createTime": SOFTSWITCH_CREATED_MS,
        "accessTime": ctx.now_ms(),
        "accessAddress": softswitch_ip(ctx),
        "memo": "VOS3000 simulator",
    }
    return {"infoSoftSwitches": [objs.project("InfoSoftSwitch", switch)]}


@handler("GetPerformance")
def get_performance(ctx, req: dict) -> dict:
    # CDRs are written in the call's own transaction, so none ever wait in a queue.
    performance = {"callSize": live_call_count(ctx), "cdrQueueSize": 0}
    return {"infoPerformance": objs.project("InfoPerformance", performance)}
