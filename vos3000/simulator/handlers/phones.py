"""Phones (manual 2.5 - 2.9, 2.76) and their registrations.

Table ``phone``:

    e164 TEXT PRIMARY KEY, account (indexed), feerate_group, lock_type, call_level,
    info: the complete phone as JSON: every field of CreatePhone's request and of
    InfoPhone (nested InfoPhoneValueAdded / InfoPhoneAdditional included), as sent,
    with each field the caller left out at its default (see catalog_objects).
    The columns copy the fields other modules filter on.

GetPhone answers ``info`` as stored, so every setting round-trips exactly (this also
keeps ``rewriteRulesInCaller``, which CreatePhone takes but the manual's InfoPhone
table does not list). ModifyPhone is a partial update: fields left out keep their
value and nested objects merge key by key (lists are replaced whole).

Registrations are live state, not stored (``sim.registrations``: e164 -> dict with
remoteIp, remotePort, localIp, localPort, productId, protocol, cryptoType, dids,
registerTime, updateTime). The control actions ``register_phone`` and
``unregister_phone`` change them and push ``PhoneOnline`` (section 3.3) on every change.

Shared functions: ``phone_row(ctx, e164) -> dict | None`` (the columns plus ``info``
as a dict), ``create_phone_row(ctx, req)``.
"""

from __future__ import annotations

import json
import secrets
from functools import cache

from vos3000.simulator import codes
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers import catalog_objects
from vos3000.simulator.handlers.customers import (
    check_fee_rate_group,
    create_customer_row,
    get_customer_row,
)
from vos3000.simulator.registry import control, handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS phone (
    e164 TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    feerate_group TEXT NOT NULL DEFAULT '',
    lock_type INTEGER NOT NULL DEFAULT 0,
    call_level INTEGER NOT NULL DEFAULT 5,
    info TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS phone_account ON phone (account);
"""


@cache
def _phone_fields() -> tuple:
    fields = catalog_objects.union_fields("InfoPhone", "CreatePhone")
    return tuple(f for f in fields if f.name != "autoCreateAccount")


def phone_row(ctx, e164: str) -> dict | None:
    row = ctx.db.execute("SELECT * FROM phone WHERE e164 = ?", (e164,)).fetchone()
    if row is None:
        return None
    out = dict(row)
    out["info"] = json.loads(row["info"])
    return out


def _save(ctx, info: dict, *, insert: bool) -> None:
    values = (
        info["account"],
        info["feerateGroup"],
        info["lockType"],
        info["callLevel"],
        json.dumps(info),
        info["e164"],
    )
    if insert:
        ctx.db.execute(
            "INSERT INTO phone (account, feerate_group, lock_type, call_level, info, e164)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            values,
        )
    else:
        ctx.db.execute(
            "UPDATE phone SET account = ?, feerate_group = ?, lock_type = ?, call_level = ?,"
            " info = ? WHERE e164 = ?",
            values,
        )


def _deep_merge(stored: dict, changes: dict) -> dict:
    out = dict(stored)
    for key, value in changes.items():
        if value is None:
            continue
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def create_phone_row(ctx, req: dict) -> str:
    """Insert a phone from a CreatePhone-shaped request; returns its password."""
    e164 = req["e164"]
    if phone_row(ctx, e164) is not None:
        raise SimError(codes.ALREADY_EXISTS, f"Phone {e164} already exists.")
    if not req.get("account"):
        raise SimError(codes.MISS_PARAMETERS, "account is needed unless autoCreateAccount.")
    if get_customer_row(ctx, req["account"]) is None:
        raise SimError(codes.NOT_FOUND, f"Account {req['account']} not found, operation failed.")
    check_fee_rate_group(ctx, req.get("feerateGroup"))
    given = {k: v for k, v in req.items() if k != "autoCreateAccount"}
    given["password"] = req.get("password") or f"{secrets.randbelow(10**8):08d}"
    info = catalog_objects.complete(_phone_fields(), given)
    _save(ctx, info, insert=True)
    return info["password"]


@handler("CreatePhone")
def create_phone(ctx, req: dict) -> dict:
    if req["autoCreateAccount"]:
        account = req.get("account") or req["e164"]
        create_customer_row(
            ctx,
            {"account": account, "name": req["e164"], "feeRateGroup": req.get("feerateGroup")},
        )
        req = {**req, "account": account}
    return {"password": create_phone_row(ctx, req)}


@handler("ModifyPhone")
def modify_phone(ctx, req: dict) -> dict:
    row = phone_row(ctx, req["e164"])
    if row is None:
        raise SimError(codes.NOT_FOUND, f"Phone {req['e164']} not found, operation failed.")
    if req.get("account") and get_customer_row(ctx, req["account"]) is None:
        raise SimError(codes.NOT_FOUND, f"Account {req['account']} not found, operation failed.")
    if req.get("feerateGroup"):
        check_fee_rate_group(ctx, req["feerateGroup"])
    info = catalog_objects.complete(_phone_fields(), _deep_merge(row["info"], req))
    _save(ctx, info, insert=False)
    return {}


@handler("DeletePhone")
def delete_phone(ctx, req: dict) -> dict:
    e164 = req["e164"]
    if phone_row(ctx, e164) is None:
        raise SimError(codes.NOT_FOUND, f"Phone {e164} not found, operation failed.")
    ctx.db.execute("DELETE FROM phone WHERE e164 = ?", (e164,))
    registration = ctx.sim.registrations.get(e164)
    if registration is not None:
        # The registration goes with the phone, but only once the delete commits.
        ctx.extra["after_commit"].append(lambda: ctx.sim.registrations.pop(e164, None))
        ctx.push("PhoneOnline", _online_push(registration, online=False, now_ms=ctx.now_ms()))
    return {}


@handler("GetPhone")
def get_phone(ctx, req: dict) -> dict:
    e164s = list(req.get("e164s") or [])
    for account in req.get("accounts") or []:
        rows = ctx.db.execute("SELECT e164 FROM phone WHERE account = ? ORDER BY e164", (account,))
        e164s.extend(row[0] for row in rows)
    infos = []
    for e164 in dict.fromkeys(e164s):
        row = ctx.db.execute("SELECT info FROM phone WHERE e164 = ?", (e164,)).fetchone()
        if row is not None:
            infos.append(json.loads(row[0]))
    return {"infoPhones": infos}


# -- registrations -----------------------------------------------------------------------


def current_calls(sim, e164: str) -> int:
    """Calls the phone is in right now, from the calls module's live state if present."""
    counter = sim.live.get("current_calls_of")
    return counter(e164) if callable(counter) else 0


def _online_info(sim, registration: dict) -> dict:
    return {
        "e164": registration["e164"],
        "currentCall": current_calls(sim, registration["e164"]),
        "remoteIp": registration["remoteIp"],
        "localIp": registration["localIp"],
        "registerTime": registration["registerTime"],
        "updateTime": registration["updateTime"],
        "protocol": registration["protocol"],
        "cryptoType": registration["cryptoType"],
        "productId": registration["productId"],
    }


def _online_push(registration: dict, *, online: bool, now_ms: int) -> dict:
    return {
        "e164": registration["e164"],
        "dids": registration["dids"],
        "online": online,
        "eventTime": now_ms,
        "localIp": registration["localIp"],
        "localPort": registration["localPort"],
        "remoteIp": registration["remoteIp"],
        "productId": registration["productId"],
    }


@handler("GetPhoneOnline")
def get_phone_online(ctx, req: dict) -> dict:
    registrations = ctx.sim.registrations
    return {
        "infoPhoneOnlines": [
            _online_info(ctx.sim, registrations[e164])
            for e164 in dict.fromkeys(req["e164s"])
            if e164 in registrations
        ]
    }


@handler("GetAllPhoneOnline")
def get_all_phone_online(ctx, req: dict) -> dict:
    return {"E164s": sorted(ctx.sim.registrations)}


_REGISTRATION_KEYS = (
    "remoteIp",
    "remotePort",
    "localIp",
    "localPort",
    "productId",
    "protocol",
    "cryptoType",
    "dids",
)


@control("register_phone")
def register_phone(sim, params: dict) -> dict:
    """Register (or refresh) a phone: e164, ip, port, local_ip, local_port, device, ..."""
    e164 = str(params["e164"])
    with sim.transaction() as ctx:
        row = phone_row(ctx, e164)
        if row is None:
            raise SimError(codes.NOT_FOUND, f"Phone {e164} not found.")
        now = ctx.now_ms()
        protocol = row["info"].get("infoPhoneAdditional", {}).get("protocol", 1)
        registration = {
            "e164": e164,
            "remoteIp": str(params.get("ip", "127.0.0.1")),
            "remotePort": int(params.get("port", 5060)),
            "localIp": str(params.get("local_ip", "127.0.0.1")),
            "localPort": int(params.get("local_port", 5060)),
            "productId": str(params.get("device", "VOS Simulator Phone")),
            "protocol": int(params.get("protocol", protocol)),
            "cryptoType": int(params.get("crypto_type", 0)),
            "dids": [str(did) for did in params.get("dids", [])],
            "registerTime": now,
            "updateTime": now,
        }
        previous = sim.registrations.get(e164)
        changed = previous is None or any(
            previous[key] != registration[key] for key in _REGISTRATION_KEYS
        )
        if previous is not None and not changed:
            registration["registerTime"] = previous["registerTime"]
        if changed:
            ctx.push("PhoneOnline", _online_push(registration, online=True, now_ms=now))
    sim.registrations[e164] = registration
    return {"registration": registration, "changed": changed}


@control("unregister_phone")
def unregister_phone(sim, params: dict) -> dict:
    e164 = str(params["e164"])
    with sim.transaction() as ctx:
        registration = sim.registrations.get(e164)
        if registration is not None:
            ctx.push("PhoneOnline", _online_push(registration, online=False, now_ms=ctx.now_ms()))
    sim.registrations.pop(e164, None)
    return {"changed": registration is not None}
