"""Customer phone books (2.51 Get, 2.52 Create, 2.53 Modify, 2.54 Delete).

Table:

    phone_book(account TEXT, e164 TEXT, info TEXT, PRIMARY KEY (account, e164))

``info`` is the entry as InfoCustomerPhoneBook (defaults filled, ``lastUpdateTime``
set on every write). A customer holds at most ``phoneBookLimit`` entries; 0, the
default, means no limit, as 0 does for the manual's other limits. A short number
dials one entry only, so it must be unique within the customer's book.
"""

from __future__ import annotations

import json

from vos3000.simulator import codes
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers import catalog_objects as objs
from vos3000.simulator.handlers import sqlwhere
from vos3000.simulator.registry import handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS phone_book (
    account TEXT NOT NULL,
    e164 TEXT NOT NULL,
    info TEXT NOT NULL,
    PRIMARY KEY (account, e164)
);
CREATE INDEX IF NOT EXISTS phone_book_e164 ON phone_book (e164);
"""

_ENTRY = "InfoCustomerPhoneBook"


def _customer(ctx, account: str) -> dict:
    from vos3000.simulator.handlers.customers import get_customer_row

    customer = get_customer_row(ctx, account)
    if customer is None:
        raise SimError(codes.NOT_FOUND, f"Account {account} not found, operation failed.")
    return customer


def _entry_row(ctx, account: str, e164: str):
    return ctx.db.execute(
        "SELECT * FROM phone_book WHERE account = ? AND e164 = ?", (account, e164)
    ).fetchone()


def _check_short_numbers(ctx, account: str, entry: dict, replaced_e164: str | None) -> None:
    wanted = set(entry["shortE164s"])
    if len(wanted) != len(entry["shortE164s"]):
        raise SimError(codes.INPUT_ERROR, "A short number is listed twice.")
    rows = ctx.db.execute("SELECT e164, info FROM phone_book WHERE account = ?", (account,))
    for row in rows:
        if row["e164"] != replaced_e164 and wanted & set(json.loads(row["info"])["shortE164s"]):
            raise SimError(codes.ALREADY_EXISTS, "Short number already in use.")


def _write(ctx, account: str, entry: dict, replaced_e164: str | None) -> None:
    _check_short_numbers(ctx, account, entry, replaced_e164)
    entry = {**entry, "lastUpdateTime": ctx.now_ms()}
    if replaced_e164 is not None:
        ctx.db.execute(
            "DELETE FROM phone_book WHERE account = ? AND e164 = ?", (account, replaced_e164)
        )
    ctx.db.execute(
        "INSERT INTO phone_book (account, e164, info) VALUES (?, ?, ?)",
        (account, entry["e164"], json.dumps(entry, ensure_ascii=False)),
    )


@handler("CreateCustomerPhoneBook")
def create_customer_phone_book(ctx, req: dict) -> dict:
    account = req["account"]
    customer = _customer(ctx, account)
    existing = _entry_row(ctx, account, req["e164"])
    if existing is not None and not req.get("overwrite"):
        raise SimError(codes.ALREADY_EXISTS)
    if existing is None:
        limit = customer["phone_book_limit"]
        count = ctx.db.execute(
            "SELECT COUNT(*) FROM phone_book WHERE account = ?", (account,)
        ).fetchone()[0]
        if limit > 0 and count >= limit:
            raise SimError(codes.PHONE_BOOK_FULL)
    entry = objs.project(_ENTRY, req)
    _write(ctx, account, entry, req["e164"] if existing is not None else None)
    return {}


@handler("ModifyCustomerPhoneBook")
def modify_customer_phone_book(ctx, req: dict) -> dict:
    account = req["account"]
    _customer(ctx, account)
    row = _entry_row(ctx, account, req["e164"])
    if row is None:
        raise SimError(codes.NOT_FOUND)
    new_e164 = req.get("newE164") or req["e164"]
    if new_e164 != req["e164"] and _entry_row(ctx, account, new_e164) is not None:
        raise SimError(codes.ALREADY_EXISTS)
    changes = {k: v for k, v in req.items() if k not in ("account", "e164", "newE164")}
    fields = objs.union_fields(_ENTRY)
    entry = objs.merged(fields, json.loads(row["info"]), {**changes, "e164": new_e164})
    _write(ctx, account, entry, req["e164"])
    return {}


@handler("DeleteCustomerPhoneBook")
def delete_customer_phone_book(ctx, req: dict) -> dict:
    account = req["account"]
    _customer(ctx, account)
    for e164 in dict.fromkeys(req["e164s"]):
        deleted = ctx.db.execute(
            "DELETE FROM phone_book WHERE account = ? AND e164 = ?", (account, e164)
        ).rowcount
        if not deleted:
            raise SimError(codes.NOT_FOUND, f"Phone book number {e164} not found.")
    return {}


@handler("GetCustomerPhoneBook")
def get_customer_phone_book(ctx, req: dict) -> dict:
    where, params = sqlwhere.where([("account", req.get("account")), ("e164", req.get("e164"))])
    rows = ctx.db.execute(f"SELECT info FROM phone_book{where} ORDER BY account, e164", params)  # noqa: S608
    return {"infoCustomerPhoneBooks": [objs.project(_ENTRY, json.loads(r["info"])) for r in rows]}
