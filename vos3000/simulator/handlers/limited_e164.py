"""Limited E164 groups (2.66 CreateLimitedE164, 2.77 DeleteLimitE164 -- the manual's names;
GetLimitE164, seen in the field and not in the manual).

A group is a named list of numbers that gateways refer to in
``callerLimitE164Groups`` / ``calleeLimitE164Groups``. Create adds numbers to a group
(creating it; a number already there gets the new memo); Delete removes numbers
from an existing group, and the group disappears with its last number. The manual
has no Get: ``limited_e164_numbers(ctx, group)`` is for the router, the control
action ``limited_numbers`` (group) for tests.

Table:

    limited_e164(group_name TEXT, e164 TEXT, memo TEXT, PRIMARY KEY (group_name, e164))
"""

from __future__ import annotations

from vos3000.simulator import codes
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers import catalog_objects as objs
from vos3000.simulator.registry import control, handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS limited_e164 (
    group_name TEXT NOT NULL,
    e164 TEXT NOT NULL,
    memo TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (group_name, e164)
);
"""


def limited_e164_numbers(ctx, group: str) -> dict[str, str]:
    """Numbers of a group -> memo (empty when the group does not exist)."""
    rows = ctx.db.execute(
        "SELECT e164, memo FROM limited_e164 WHERE group_name = ? ORDER BY e164", (group,)
    )
    return {r["e164"]: r["memo"] for r in rows}


@handler("CreateLimitedE164")
def create_limited_e164(ctx, req: dict) -> dict:
    if not req["infoLimitE164s"]:
        raise SimError(codes.INPUT_ERROR, "infoLimitE164s is empty.")
    numbers = [objs.project("InfoLimitE164", item) for item in req["infoLimitE164s"]]
    ctx.db.executemany(
        "INSERT INTO limited_e164 (group_name, e164, memo) VALUES (?, ?, ?)"
        " ON CONFLICT (group_name, e164) DO UPDATE SET memo = excluded.memo",
        [(req["limitE164GroupName"], n["e164"], n["memo"]) for n in numbers],
    )
    return {}


@handler("DeleteLimitE164")
def delete_limit_e164(ctx, req: dict) -> dict:
    group = req["limitE164GroupName"]
    if not limited_e164_numbers(ctx, group):
        raise SimError(codes.NOT_FOUND, f"Limited E164 group {group} not found.")
    ctx.db.executemany(
        "DELETE FROM limited_e164 WHERE group_name = ? AND e164 = ?",
        [(group, e164) for e164 in req["e164s"]],
    )
    return {}


@handler("GetLimitE164")
def get_limit_e164(ctx, req: dict) -> dict:
    numbers = limited_e164_numbers(ctx, req["limitE164GroupName"])
    wanted = req.get("e164")
    return {
        "infoLimitE164s": [
            {"e164": e164, "memo": memo}
            for e164, memo in numbers.items()
            if wanted in (None, "", e164)
        ]
    }


@control("limited_numbers")
def limited_numbers(sim, params: dict) -> dict:
    """The numbers of a group (the manual has no Get for them): group."""
    with sim.transaction(write=False) as ctx:
        return {"numbers": limited_e164_numbers(ctx, params["group"])}
