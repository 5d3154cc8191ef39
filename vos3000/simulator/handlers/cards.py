"""Active phone cards (2.31-2.34) and the numbers bound to them (2.35-2.38).

Tables:

    active_phone_card(pin TEXT PRIMARY KEY, account TEXT, info TEXT)
    binded_e164(e164 TEXT PRIMARY KEY, pin TEXT, info TEXT)

``info`` is the object as stored (request fields with defaults, plus ``activeTime`` /
``bindTime``); a binded number's ``account`` is always read from its card, so it
follows a ModifyActivePhoneCard. A card's account must be an existing customer;
``bindLimit`` 0 (the default, as "Null") means no limit. A card with bound numbers
cannot be deleted (IN_USE).

Pay with ownerType 11 / 25 credits the account that ``active_card_account(ctx, pin)``
/ ``binded_e164_account(ctx, e164)`` give; both are registered in core's
``money.OWNER_RESOLVERS``.
"""

from __future__ import annotations

import json
import secrets

from vos3000.simulator import codes
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers import catalog_objects as objs
from vos3000.simulator.handlers import money, sqlwhere
from vos3000.simulator.registry import handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS active_phone_card (
    pin TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    info TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS active_phone_card_account ON active_phone_card (account);
CREATE TABLE IF NOT EXISTS binded_e164 (
    e164 TEXT PRIMARY KEY,
    pin TEXT NOT NULL,
    info TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS binded_e164_pin ON binded_e164 (pin);
"""

_CARD_FIELDS = ("InfoActivePhoneCard", "CreateActivePhoneCard", "ModifyActivePhoneCard")
_BIND_FIELDS = ("InfoBindedE164", "CreateBindedE164", "ModifyBindedE164")
_PASSWORD_DIGITS = 8


def _check_account(ctx, account: str) -> None:
    from vos3000.simulator.handlers.customers import get_customer_row

    if get_customer_row(ctx, account) is None:
        raise SimError(codes.NOT_FOUND, f"Account {account} not found, operation failed.")


def _card_row(ctx, pin: str):
    return ctx.db.execute("SELECT * FROM active_phone_card WHERE pin = ?", (pin,)).fetchone()


def _existing_card(ctx, pin: str):
    row = _card_row(ctx, pin)
    if row is None:
        raise SimError(codes.NOT_FOUND, f"Phone card {pin} not found, operation failed.")
    return row


def _save_card(ctx, card: dict) -> None:
    ctx.db.execute(
        "INSERT INTO active_phone_card (pin, account, info) VALUES (?, ?, ?) "
        "ON CONFLICT (pin) DO UPDATE SET account = excluded.account, info = excluded.info",
        (card["pin"], card["account"], json.dumps(card, ensure_ascii=False)),
    )


def active_card_account(ctx, pin: str) -> str | None:
    row = _card_row(ctx, pin)
    return row["account"] if row else None


def binded_e164_account(ctx, e164: str) -> str | None:
    row = ctx.db.execute(
        "SELECT c.account FROM binded_e164 b JOIN active_phone_card c ON c.pin = b.pin "
        "WHERE b.e164 = ?",
        (e164,),
    ).fetchone()
    return row["account"] if row else None


money.OWNER_RESOLVERS[money.OWNER_ACTIVE_CARD] = active_card_account
money.OWNER_RESOLVERS[money.OWNER_BINDED_E164] = binded_e164_account


@handler("CreateActivePhoneCard")
def create_active_phone_card(ctx, req: dict) -> dict:
    if _card_row(ctx, req["pin"]) is not None:
        raise SimError(codes.ALREADY_EXISTS)
    _check_account(ctx, req["account"])
    given = {**req, "activeTime": ctx.now_ms()}
    generated = not req.get("password")
    if generated:
        # The answer's password is an Integer in the manual: digits only, no leading 0.
        low = 10 ** (_PASSWORD_DIGITS - 1)
        given["password"] = str(low + secrets.randbelow(9 * low))
    _save_card(ctx, objs.complete(objs.union_fields(*_CARD_FIELDS), given))
    return {"password": int(given["password"])} if generated else {}


@handler("ModifyActivePhoneCard")
def modify_active_phone_card(ctx, req: dict) -> dict:
    row = _existing_card(ctx, req["pin"])
    if req.get("account"):
        _check_account(ctx, req["account"])
    _save_card(ctx, objs.merged(objs.union_fields(*_CARD_FIELDS), json.loads(row["info"]), req))
    return {}


@handler("DeleteActivePhoneCard")
def delete_active_phone_card(ctx, req: dict) -> dict:
    _existing_card(ctx, req["pin"])
    if ctx.db.execute("SELECT 1 FROM binded_e164 WHERE pin = ?", (req["pin"],)).fetchone():
        raise SimError(codes.IN_USE, "Phone card still has binded numbers, operation failed.")
    ctx.db.execute("DELETE FROM active_phone_card WHERE pin = ?", (req["pin"],))
    return {}


@handler("GetActivePhoneCard")
def get_active_phone_card(ctx, req: dict) -> dict:
    where, params = sqlwhere.where([("pin", req.get("pins")), ("account", req.get("accounts"))])
    rows = ctx.db.execute(f"SELECT info FROM active_phone_card{where} ORDER BY pin", params)  # noqa: S608
    return {
        "infoActivePhoneCards": [
            objs.project("InfoActivePhoneCard", json.loads(r["info"])) for r in rows
        ]
    }


def _bind_row(ctx, e164: str):
    return ctx.db.execute("SELECT * FROM binded_e164 WHERE e164 = ?", (e164,)).fetchone()


def _check_bind_limit(ctx, pin: str) -> None:
    card = json.loads(_existing_card(ctx, pin)["info"])
    limit = card.get("bindLimit") or 0
    bound = ctx.db.execute("SELECT COUNT(*) FROM binded_e164 WHERE pin = ?", (pin,)).fetchone()[0]
    if limit > 0 and bound >= limit:
        raise SimError(codes.BIND_LIMIT_REACHED)


def _save_bind(ctx, bind: dict) -> None:
    ctx.db.execute(
        "INSERT INTO binded_e164 (e164, pin, info) VALUES (?, ?, ?) "
        "ON CONFLICT (e164) DO UPDATE SET pin = excluded.pin, info = excluded.info",
        (bind["e164"], bind["pin"], json.dumps(bind, ensure_ascii=False)),
    )


@handler("CreateBindedE164")
def create_binded_e164(ctx, req: dict) -> dict:
    if _bind_row(ctx, req["e164"]) is not None:
        raise SimError(codes.ALREADY_EXISTS)
    _check_bind_limit(ctx, req["pin"])
    given = {**req, "bindTime": ctx.now_ms()}
    _save_bind(ctx, objs.complete(objs.union_fields(*_BIND_FIELDS), given))
    return {}


@handler("ModifyBindedE164")
def modify_binded_e164(ctx, req: dict) -> dict:
    row = _bind_row(ctx, req["e164"])
    if row is None:
        raise SimError(codes.NOT_FOUND)
    if req.get("pin") and req["pin"] != row["pin"]:
        _check_bind_limit(ctx, req["pin"])
    _save_bind(ctx, objs.merged(objs.union_fields(*_BIND_FIELDS), json.loads(row["info"]), req))
    return {}


@handler("DeleteBindedE164")
def delete_binded_e164(ctx, req: dict) -> dict:
    if ctx.db.execute("DELETE FROM binded_e164 WHERE e164 = ?", (req["e164"],)).rowcount == 0:
        raise SimError(codes.NOT_FOUND)
    return {}


@handler("GetBindedE164")
def get_binded_e164(ctx, req: dict) -> dict:
    where, params = sqlwhere.where(
        [("b.e164", req.get("e164s")), ("b.pin", req.get("pin")), ("c.account", req.get("account"))]
    )
    rows = ctx.db.execute(
        "SELECT b.info, c.account FROM binded_e164 b JOIN active_phone_card c ON c.pin = b.pin"  # noqa: S608
        f"{where} ORDER BY b.e164",
        params,
    )
    return {
        "infoBindedE164s": [
            objs.project("InfoBindedE164", {**json.loads(r["info"]), "account": r["account"]})
            for r in rows
        ]
    }
