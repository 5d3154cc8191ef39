"""Mapping and routing gateways (manual 2.10-2.19).

Tables (the billing engineer's router reads ``gateway_routing`` and its prefixes):

    gateway_mapping(id INTEGER PRIMARY KEY, name TEXT UNIQUE, account TEXT,
                    priority INTEGER, lock_type INTEGER, capacity INTEGER, info TEXT)
    gateway_routing(id INTEGER PRIMARY KEY, name TEXT UNIQUE, priority INTEGER,
                    prefix_style INTEGER, lock_type INTEGER, capacity INTEGER,
                    clearing_account TEXT, info TEXT)
    gateway_routing_prefix(prefix TEXT, gateway_id INTEGER)   -- index on prefix

``info`` is the complete object as JSON: every field of the Create/Modify requests
and of the Info type, as sent or with its default (see catalog_objects), so that a
Get answers exactly what was written. The indexed columns copy ``account``,
``priority``, ``prefixStyle``, ``lockType``, ``capacity`` and ``clearingAccount``.
``gateway_routing_prefix`` holds one row per comma-separated entry of the routing
gateway's ``prefix``, and one row with "" when the prefix is empty (it then matches
every callee). Use ``routing_candidates(ctx, callee)`` rather than the tables when
you can: it applies the manual's order.

Online state lives in memory on the simulator (``sim.live["gateway_registrations"]``,
keyed by (kind, name)); the control actions ``gateway_online`` and
``gateway_offline`` change it. Static gateways (registerType 0) are always
online, as VOS lists them with registerTime 0.
"""

from __future__ import annotations

import itertools
import json
import secrets
from dataclasses import dataclass

from vos3000.simulator import codes
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers import catalog_objects as objs
from vos3000.simulator.handlers import system
from vos3000.simulator.registry import control, handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS gateway_mapping (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    account TEXT NOT NULL DEFAULT '',
    priority INTEGER NOT NULL DEFAULT 0,
    lock_type INTEGER NOT NULL DEFAULT 0,
    capacity INTEGER NOT NULL DEFAULT 0,
    info TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS gateway_mapping_account ON gateway_mapping (account);
CREATE TABLE IF NOT EXISTS gateway_routing (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    priority INTEGER NOT NULL DEFAULT 0,
    prefix_style INTEGER NOT NULL DEFAULT 0,
    lock_type INTEGER NOT NULL DEFAULT 0,
    capacity INTEGER NOT NULL DEFAULT 0,
    clearing_account TEXT NOT NULL DEFAULT '',
    info TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gateway_routing_prefix (
    prefix TEXT NOT NULL,
    gateway_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS gateway_routing_prefix_prefix ON gateway_routing_prefix (prefix);
CREATE INDEX IF NOT EXISTS gateway_routing_prefix_gateway ON gateway_routing_prefix (gateway_id);
"""

LOCK_ALL = 3
TERMINAL = 0
STATIC = 0
H323 = 0
H323_SIGNAL_PORT, SIP_SIGNAL_PORT = 1720, 5060


@dataclass(frozen=True)
class _Kind:
    name: str
    table: str
    info_type: str
    create: str
    modify: str
    list_field: str
    online_type: str

    @property
    def fields(self):
        return objs.union_fields(self.info_type, self.create, self.modify)


MAPPING = _Kind(
    "mapping",
    "gateway_mapping",
    "InfoGatewayMapping",
    "CreateGatewayMapping",
    "ModifyGatewayMapping",
    "infoGatewayMappings",
    "InfoGatewayMappingOnline",
)
ROUTING = _Kind(
    "routing",
    "gateway_routing",
    "InfoGatewayRouting",
    "CreateGatewayRouting",
    "ModifyGatewayRouting",
    "infoGatewayRoutings",
    "InfoGatewayRoutingOnline",
)
KINDS = {k.name: k for k in (MAPPING, ROUTING)}


def _row(ctx, kind: _Kind, name: str):
    return ctx.db.execute(f"SELECT * FROM {kind.table} WHERE name = ?", (name,)).fetchone()  # noqa: S608


def _existing(ctx, kind: _Kind, name: str):
    row = _row(ctx, kind, name)
    if row is None:
        raise SimError(codes.NOT_FOUND)
    return row


def _check_account(ctx, account: str) -> None:
    if not account:
        return
    from vos3000.simulator.handlers.customers import get_customer_row

    if get_customer_row(ctx, account) is None:
        raise SimError(codes.NOT_FOUND, f"Account {account} not found, operation failed.")


def _prefixes(prefix: str) -> list[str]:
    parts = sorted({p.strip() for p in prefix.split(",") if p.strip()})
    return parts or [""]


def _save(ctx, kind: _Kind, obj: dict, gateway_id: int | None) -> None:
    common = (obj["name"], obj["priority"], obj["lockType"], obj["capacity"])
    info = json.dumps(obj, ensure_ascii=False)
    if kind is MAPPING:
        _check_account(ctx, obj["account"])
        values = (*common, obj["account"], info)
        columns = "name, priority, lock_type, capacity, account, info"
    else:
        _check_account(ctx, obj["clearingAccount"])
        values = (*common, obj["prefixStyle"], obj["clearingAccount"], info)
        columns = "name, priority, lock_type, capacity, prefix_style, clearing_account, info"
    if gateway_id is None:
        marks = ", ".join("?" * len(values))
        cur = ctx.db.execute(f"INSERT INTO {kind.table} ({columns}) VALUES ({marks})", values)  # noqa: S608
        gateway_id = cur.lastrowid
    else:
        assignments = ", ".join(f"{c.strip()} = ?" for c in columns.split(","))
        ctx.db.execute(f"UPDATE {kind.table} SET {assignments} WHERE id = ?", (*values, gateway_id))  # noqa: S608
    if kind is ROUTING:
        ctx.db.execute("DELETE FROM gateway_routing_prefix WHERE gateway_id = ?", (gateway_id,))
        ctx.db.executemany(
            "INSERT INTO gateway_routing_prefix (prefix, gateway_id) VALUES (?, ?)",
            [(p, gateway_id) for p in _prefixes(obj["prefix"])],
        )


def _create(ctx, kind: _Kind, req: dict) -> dict:
    if _row(ctx, kind, req["name"]) is not None:
        raise SimError(codes.ALREADY_EXISTS)
    given = dict(req)
    given.setdefault("softswitchName", system.softswitch_name(ctx))
    if kind is ROUTING:
        # Defaults the catalog cannot hold: they depend on other fields or on chance.
        if not given.get("password"):
            given["password"] = secrets.token_hex(4)
        if given.get("signalPort") is None:
            h323 = (given.get("protocol") or H323) == H323
            given["signalPort"] = H323_SIGNAL_PORT if h323 else SIP_SIGNAL_PORT
    _save(ctx, kind, objs.complete(kind.fields, given), None)
    return {}


def _modify(ctx, kind: _Kind, req: dict) -> dict:
    row = _existing(ctx, kind, req["name"])
    _save(ctx, kind, objs.merged(kind.fields, json.loads(row["info"]), req), row["id"])
    return {}


def _delete(ctx, kind: _Kind, req: dict) -> dict:
    row = _existing(ctx, kind, req["name"])
    ctx.db.execute("DELETE FROM gateway_routing_prefix WHERE gateway_id = ?", (row["id"],))
    ctx.db.execute(f"DELETE FROM {kind.table} WHERE id = ?", (row["id"],))  # noqa: S608
    _registrations(ctx.sim).pop((kind.name, req["name"]), None)
    return {}


def _rows(ctx, kind: _Kind, names) -> list:
    """Rows for ``names`` in the order asked (unknown names skipped); all when empty."""
    if not names:
        return ctx.db.execute(f"SELECT * FROM {kind.table} ORDER BY id").fetchall()  # noqa: S608
    rows = [_row(ctx, kind, n) for n in dict.fromkeys(names)]
    return [r for r in rows if r is not None]


def as_info(kind: _Kind, stored: dict) -> dict:
    """A stored gateway as answered: every field kept (nothing sent is lost), each field of
    the manual's Info type in that type.

    ``sipPPreferredIdentity``/``sipPAssertedIdentity`` are Integer 0/1/2 in the
    Create/Modify tables but Boolean in the Info types (2.12, 2.18): the answer says
    whether the header is included (any value but 0), as the manual types it; a lenient
    ModifyGateway* reads that boolean back as 0/1.
    """
    info = dict(stored)
    for field in objs.catalog.TYPES[kind.info_type]:
        value = info.get(field.name)
        if field.type.lower() == "boolean" and type(value) is int:
            info[field.name] = value != 0
    return info


def _get(ctx, kind: _Kind, req: dict) -> dict:
    rows = _rows(ctx, kind, req.get("names"))
    return {kind.list_field: [as_info(kind, json.loads(r["info"])) for r in rows]}


def routing_candidates(ctx, callee: str) -> list[dict]:
    """Routing gateways that may carry a call to ``callee`` now, in the order VOS tries them.

    Longest matching prefix first; among gateways of one prefix the smallest priority
    number, then the lower share of capacity in use, then the gateway id. A group of
    one prefix that holds a gateway in terminal prefix mode (0) ends the search;
    shorter prefixes are only tried after groups in continual mode (1). Left out:
    locked gateways (lockType 3), gateways whose ``capacity`` (> 0) is all in use, and
    dynamic ones (registerType 1/2) that are not registered.
    """
    heads = [callee[:n] for n in range(len(callee), -1, -1)]
    marks = ", ".join("?" * len(heads))
    rows = ctx.db.execute(
        f"SELECT g.*, p.prefix FROM gateway_routing_prefix p "  # noqa: S608
        f"JOIN gateway_routing g ON g.id = p.gateway_id "
        f"WHERE p.prefix IN ({marks}) AND g.lock_type != ?",
        (*heads, LOCK_ALL),
    ).fetchall()
    calls = system.current_calls_by_gateway(ctx, "callee")
    registrations = _registrations(ctx.sim)

    def order(row):
        load = calls.get(row["name"], 0) / row["capacity"] if row["capacity"] > 0 else 0
        return (-len(row["prefix"]), row["priority"], load, row["id"])

    def usable(row, obj) -> bool:
        full = 0 < row["capacity"] <= calls.get(row["name"], 0)
        offline = obj["registerType"] != STATIC and ("routing", row["name"]) not in registrations
        return not full and not offline

    chosen: dict[int, dict] = {}
    for _, group in itertools.groupby(sorted(rows, key=order), key=lambda r: r["prefix"]):
        group = [r for r in group if r["id"] not in chosen]
        for row in group:
            obj = json.loads(row["info"])
            if usable(row, obj):
                chosen[row["id"]] = obj
        if any(r["prefix_style"] == TERMINAL for r in group):
            break
    return list(chosen.values())


# ---------------------------------------------------------------------------- online state


def _registrations(sim) -> dict:
    """The in-memory registrations of dynamic gateways: (kind, name) -> registration."""
    return sim.live.setdefault("gateway_registrations", {})


def _get_online(ctx, kind: _Kind, req: dict, list_field: str) -> dict:
    registrations = _registrations(ctx.sim)
    side = "caller" if kind is MAPPING else "callee"
    calls = system.current_calls_by_gateway(ctx, side)
    wanted_switch = req.get("softswitchName")
    now = ctx.now_ms()
    out = []
    for row in _rows(ctx, kind, req.get("names")):
        obj = json.loads(row["info"])
        registration = registrations.get((kind.name, row["name"]))
        if obj["registerType"] != STATIC and registration is None:
            continue
        if wanted_switch and obj["softswitchName"] != wanted_switch:
            continue
        entry = {
            **obj,
            "id": row["id"],
            "currentCall": calls.get(row["name"], 0),
            **system.gateway_asr_acd(ctx, side, row["name"]),
            "softswitchIp": system.softswitch_ip(ctx),
        }
        if registration:
            entry.update(registration)
            entry["keepTime"] = max(0, (now - registration["registerTime"]) // 1000)
        out.append(objs.project(kind.online_type, entry))
    return {list_field: out}


@control("gateway_online")
def gateway_online(sim, params: dict) -> dict:
    """Register a dynamic gateway: kind ("mapping"|"routing"), name, ip, natIp, cryptoType."""
    kind = KINDS.get(params.get("kind", "mapping"))
    if kind is None:
        raise ValueError("kind must be 'mapping' or 'routing'")
    with sim.transaction(write=False) as ctx:
        if _row(ctx, kind, params["name"]) is None:
            raise KeyError(f"no {kind.name} gateway {params['name']}")
        now = ctx.now_ms()
    registrations = _registrations(sim)
    previous = registrations.get((kind.name, params["name"]))
    registration = {
        "localIp": params.get("ip", "127.0.0.1"),
        "natIp": params.get("natIp", ""),
        "cryptoType": int(params.get("cryptoType", 0)),
        "registerTime": previous["registerTime"] if previous else now,
        "updateTime": now,
    }
    if kind is ROUTING:
        registration["registerName"] = params.get("registerName", params["name"])
    registrations[(kind.name, params["name"])] = registration
    return {"online": True, **registration}


@control("gateway_offline")
def gateway_offline(sim, params: dict) -> dict:
    """Drop a dynamic gateway's registration: kind, name."""
    removed = _registrations(sim).pop((params.get("kind", "mapping"), params["name"]), None)
    return {"online": False, "wasOnline": removed is not None}


# ---------------------------------------------------------------------------- endpoints


@handler("CreateGatewayMapping")
def create_gateway_mapping(ctx, req: dict) -> dict:
    return _create(ctx, MAPPING, req)


@handler("ModifyGatewayMapping")
def modify_gateway_mapping(ctx, req: dict) -> dict:
    return _modify(ctx, MAPPING, req)


@handler("GetGatewayMapping")
def get_gateway_mapping(ctx, req: dict) -> dict:
    return _get(ctx, MAPPING, req)


@handler("DeleteGatewayMapping")
def delete_gateway_mapping(ctx, req: dict) -> dict:
    return _delete(ctx, MAPPING, req)


@handler("GetGatewayMappingOnline")
def get_gateway_mapping_online(ctx, req: dict) -> dict:
    return _get_online(ctx, MAPPING, req, "infoGatewayMappingOnlines")


@handler("CreateGatewayRouting")
def create_gateway_routing(ctx, req: dict) -> dict:
    return _create(ctx, ROUTING, req)


@handler("ModifyGatewayRouting")
def modify_gateway_routing(ctx, req: dict) -> dict:
    return _modify(ctx, ROUTING, req)


@handler("DeleteGatewayRouting")
def delete_gateway_routing(ctx, req: dict) -> dict:
    return _delete(ctx, ROUTING, req)


@handler("GetGatewayRouting")
def get_gateway_routing(ctx, req: dict) -> dict:
    return _get(ctx, ROUTING, req)


@handler("GetGatewayRoutingOnline")
def get_gateway_routing_online(ctx, req: dict) -> dict:
    return _get_online(ctx, ROUTING, req, "infoGatewayRoutingOnlines")
