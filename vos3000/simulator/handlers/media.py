"""Media block IPs (2.80 CreateMediaBlockIp, 2.81 DeleteMediaBlockIp).

Addresses (or networks, "10.0.0.0/8") whose RTP the switch drops. The manual has no
Get: ``is_media_blocked(ctx, ip)`` is for the call simulation, the control action
``media_block_ips`` for tests.

Table:

    media_block_ip(ip TEXT PRIMARY KEY, memo TEXT)    ip as normalized by ipaddress
"""

from __future__ import annotations

import ipaddress

from vos3000.simulator import codes
from vos3000.simulator.codes import SimError
from vos3000.simulator.registry import control, handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS media_block_ip (
    ip TEXT PRIMARY KEY,
    memo TEXT NOT NULL DEFAULT ''
);
"""


def _normalized(text: str) -> str:
    try:
        if "/" in text:
            return str(ipaddress.ip_network(text.strip(), strict=False))
        return str(ipaddress.ip_address(text.strip()))
    except ValueError as exc:
        raise SimError(codes.INPUT_ERROR, f"{text!r} is not an IP address.") from exc


def is_media_blocked(ctx, ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for row in ctx.db.execute("SELECT ip FROM media_block_ip"):
        blocked = row["ip"]
        if "/" in blocked and address in ipaddress.ip_network(blocked):
            return True
        if blocked == str(address):
            return True
    return False


@handler("CreateMediaBlockIp")
def create_media_block_ip(ctx, req: dict) -> dict:
    ip = _normalized(req["ip"])
    if ctx.db.execute("SELECT 1 FROM media_block_ip WHERE ip = ?", (ip,)).fetchone():
        raise SimError(codes.ALREADY_EXISTS)
    ctx.db.execute(
        "INSERT INTO media_block_ip (ip, memo) VALUES (?, ?)", (ip, req.get("memo") or "")
    )
    return {}


@handler("DeleteMediaBlockIp")
def delete_media_block_ip(ctx, req: dict) -> dict:
    ip = _normalized(req["ip"])
    if ctx.db.execute("DELETE FROM media_block_ip WHERE ip = ?", (ip,)).rowcount == 0:
        raise SimError(codes.NOT_FOUND)
    return {}


@control("media_block_ips")
def media_block_ips(sim, params: dict) -> dict:
    """Every blocked address with its memo (the manual has no Get)."""
    with sim.transaction(write=False) as ctx:
        rows = ctx.db.execute("SELECT ip, memo FROM media_block_ip ORDER BY ip")
        return {"ips": {r["ip"]: r["memo"] for r in rows}}
