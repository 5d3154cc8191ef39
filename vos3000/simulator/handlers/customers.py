"""Customers (manual 2.1 - 2.4, 2.64) and the agent tree.

Table ``customer`` (one row per account; money as integers of 1/10000, see pricing):

    account TEXT PRIMARY KEY, name, money_e4, limit_money_e4 (overdraft),
    fee_rate_group ('' = none), type (0 general, 1 phone card, 2 clearing),
    lock_type (0 normal, 1 locked), agent_account ('' = none; indexed),
    phone_book_limit, start_time (ms, creation), valid_time (ms, expiry),
    today_e4 + today_day: today's consumption and the UTC day number
        (ms // 86_400_000) it belongs to; a stale day reads as 0, so the counter
        resets at the simulator's midnight UTC without a job,
    memo, additional (InfoCustomerAdditional as JSON, complete with defaults).

Shared functions (the billing and rest handlers call these):

    get_customer_row(ctx, account) -> dict | None
        the row's columns plus ``money``, ``limit_money``, ``today_consumption`` as floats
    agent_chain(ctx, account) -> list[str]     direct agent first, up to the root
    customer_info(ctx, row) -> dict            the row as the manual's InfoCustomer

Modify is a partial update: fields left out keep their value (``infoCustomerAdditional``
merges key by key). Delete is refused (NOT_EMPTY) while the balance is not zero, phones
remain, or the account is another account's agent; and (IN_USE) while a mapping gateway,
a routing gateway (clearing account) or an active phone card bills to it.
"""

from __future__ import annotations

import json

from vos3000.simulator import codes
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers import catalog_objects
from vos3000.simulator.pricing import from_e4, to_e4
from vos3000.simulator.registry import handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS customer (
    account TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    money_e4 INTEGER NOT NULL DEFAULT 0,
    limit_money_e4 INTEGER NOT NULL DEFAULT 0,
    fee_rate_group TEXT NOT NULL DEFAULT '',
    type INTEGER NOT NULL DEFAULT 0,
    lock_type INTEGER NOT NULL DEFAULT 0,
    agent_account TEXT NOT NULL DEFAULT '',
    phone_book_limit INTEGER NOT NULL DEFAULT 0,
    start_time INTEGER NOT NULL,
    valid_time INTEGER NOT NULL,
    today_e4 INTEGER NOT NULL DEFAULT 0,
    today_day INTEGER NOT NULL DEFAULT 0,
    memo TEXT NOT NULL DEFAULT '',
    additional TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS customer_agent ON customer (agent_account);
"""

DAY_MS = 86_400_000
# validTime 0 means "set by system parameter"; the simulator's parameter: 20 years.
DEFAULT_VALID_MS = 20 * 365 * DAY_MS

# Request field -> column, for the plain scalar fields Create and Modify share.
_SCALAR_COLUMNS = {
    "name": "name",
    "feeRateGroup": "fee_rate_group",
    "type": "type",
    "lockType": "lock_type",
    "phoneBookLimit": "phone_book_limit",
    "memo": "memo",
}


def complete_additional(given: dict | None) -> dict:
    """InfoCustomerAdditional as given, with every other field at its default."""
    fields = catalog_objects.catalog.TYPES["InfoCustomerAdditional"]
    return catalog_objects.complete(fields, given or {})


def get_customer_row(ctx, account: str) -> dict | None:
    row = ctx.db.execute("SELECT * FROM customer WHERE account = ?", (account,)).fetchone()
    if row is None:
        return None
    out = dict(row)
    out["money"] = from_e4(row["money_e4"])
    out["limit_money"] = from_e4(row["limit_money_e4"])
    out["today_consumption"] = from_e4(today_e4(row, ctx.now_ms()))
    return out


def require_customer(ctx, account: str) -> dict:
    row = get_customer_row(ctx, account)
    if row is None:
        raise SimError(codes.NOT_FOUND, f"Account {account} not found, operation failed.")
    return row


def today_e4(row, now_ms: int) -> int:
    return row["today_e4"] if row["today_day"] == now_ms // DAY_MS else 0


def agent_chain(ctx, account: str) -> list[str]:
    chain: list[str] = []
    current = account
    while True:
        row = ctx.db.execute(
            "SELECT agent_account FROM customer WHERE account = ?", (current,)
        ).fetchone()
        if row is None or not row[0] or row[0] in chain or row[0] == account:
            return chain
        chain.append(row[0])
        current = row[0]


def descendants(ctx, agent: str) -> list[str]:
    """Every account below ``agent`` in the tree (children, their children, ...)."""
    rows = ctx.db.execute(
        "WITH RECURSIVE tree(account) AS ("
        " SELECT account FROM customer WHERE agent_account = ?"
        " UNION SELECT c.account FROM customer c JOIN tree t ON c.agent_account = t.account)"
        " SELECT account FROM tree",
        (agent,),
    )
    return [row[0] for row in rows]


def customer_info(ctx, row) -> dict:
    return {
        "account": row["account"],
        "name": row["name"],
        "money": from_e4(row["money_e4"]),
        "limitMoney": from_e4(row["limit_money_e4"]),
        "feeRateGroup": row["fee_rate_group"],
        "type": row["type"],
        "lockType": row["lock_type"],
        "agentAccount": row["agent_account"],
        "phoneBookLimit": row["phone_book_limit"],
        "startTime": row["start_time"],
        "validTime": row["valid_time"],
        "todayConsumption": from_e4(today_e4(row, ctx.now_ms())),
        "memo": row["memo"],
        "infoCustomerAdditional": json.loads(row["additional"]),
    }


def check_fee_rate_group(ctx, group: str | None) -> None:
    if not group:
        return
    from vos3000.simulator.handlers import rates

    if not rates.group_exists(ctx.db, group):
        raise SimError(codes.NOT_FOUND, f"Fee rate group {group} not found, operation failed.")


def _check_agent(ctx, account: str, agent: str | None) -> None:
    if not agent:
        return
    if agent == account:
        raise SimError(codes.AGENT_CYCLE, "An account cannot be its own agent.")
    if get_customer_row(ctx, agent) is None:
        raise SimError(codes.NOT_FOUND, f"Agent account {agent} not found, operation failed.")
    if account in agent_chain(ctx, agent):
        raise SimError(codes.AGENT_CYCLE)


def _valid_time(requested: int | None, now_ms: int) -> int:
    return requested if requested else now_ms + DEFAULT_VALID_MS


def create_customer_row(ctx, req: dict, *, pay_type: int | None = None) -> None:
    """Insert a customer from a CreateCustomer-shaped request (validated by the catalog).

    Used by CreatePhone (autoCreateAccount) and PhoneCardActive too; an opening
    balance is written to the pay history as "Create Account" (``pay_type``: cash
    unless given, e.g. phone card).
    """
    from vos3000.simulator.handlers import money

    account = req["account"]
    if get_customer_row(ctx, account) is not None:
        raise SimError(codes.ALREADY_EXISTS, f"Account {account} already exists.")
    _check_agent(ctx, account, req.get("agentAccount"))
    check_fee_rate_group(ctx, req.get("feeRateGroup"))
    now = ctx.now_ms()
    ctx.db.execute(
        "INSERT INTO customer (account, name, limit_money_e4, fee_rate_group, type, lock_type,"
        " agent_account, phone_book_limit, start_time, valid_time, memo, additional)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            account,
            req.get("name") or "",
            to_e4(req.get("limitMoney") or 0),
            req.get("feeRateGroup") or "",
            req.get("type") or 0,
            req.get("lockType") or 0,
            req.get("agentAccount") or "",
            req.get("phoneBookLimit") or 0,
            now,
            _valid_time(req.get("validTime"), now),
            req.get("memo") or "",
            json.dumps(complete_additional(req.get("infoCustomerAdditional"))),
        ),
    )
    opening = req.get("money") or 0
    if opening:
        money.record_payment(
            ctx,
            account,
            opening,
            kind=money.PAY_CREATE_ACCOUNT,
            pay_type=money.PAY_TYPE_CASH if pay_type is None else pay_type,
            memo=req.get("memo") or "",
        )


@handler("CreateCustomer")
def create_customer(ctx, req: dict) -> dict:
    create_customer_row(ctx, req)
    return {}


@handler("ModifyCustomer")
def modify_customer(ctx, req: dict) -> dict:
    account = req["account"]
    row = require_customer(ctx, account)
    changes: dict[str, object] = {}
    for field, column in _SCALAR_COLUMNS.items():
        if req.get(field) is not None:
            changes[column] = req[field]
    if req.get("limitMoney") is not None:
        changes["limit_money_e4"] = to_e4(req["limitMoney"])
    if req.get("validTime") is not None:
        changes["valid_time"] = _valid_time(req["validTime"], ctx.now_ms())
    if req.get("agentAccount") is not None:
        _check_agent(ctx, account, req["agentAccount"])
        changes["agent_account"] = req["agentAccount"]
    if req.get("feeRateGroup"):
        check_fee_rate_group(ctx, req["feeRateGroup"])
    if req.get("infoCustomerAdditional") is not None:
        stored = json.loads(row["additional"])
        merged = {
            **stored,
            **{k: v for k, v in req["infoCustomerAdditional"].items() if v is not None},
        }
        changes["additional"] = json.dumps(complete_additional(merged))
    if changes:
        assignments = ", ".join(f"{column} = ?" for column in changes)
        # Column names come from this module's own tables above, never from the request.
        sql = f"UPDATE customer SET {assignments} WHERE account = ?"  # noqa: S608
        ctx.db.execute(sql, (*changes.values(), account))
    return {}


@handler("DeleteCustomer")
def delete_customer(ctx, req: dict) -> dict:
    account = req["account"]
    row = require_customer(ctx, account)
    if row["money_e4"] != 0:
        raise SimError(codes.NOT_EMPTY, "Balance is not zero, operation failed.")
    if ctx.db.execute("SELECT 1 FROM phone WHERE account = ? LIMIT 1", (account,)).fetchone():
        raise SimError(codes.NOT_EMPTY, "Account still has phones, operation failed.")
    if ctx.db.execute(
        "SELECT 1 FROM customer WHERE agent_account = ? LIMIT 1", (account,)
    ).fetchone():
        raise SimError(codes.NOT_EMPTY, "Account is the agent of other accounts, operation failed.")
    if referrer := _referenced_by(ctx, account):
        raise SimError(codes.IN_USE, f"Account is used by a {referrer}, operation failed.")
    ctx.db.execute("DELETE FROM customer WHERE account = ?", (account,))
    return {}


# Objects of other modules that bill to an account, as (table, column, what it is).
_ACCOUNT_REFERENCES = (
    ("gateway_mapping", "account", "mapping gateway"),
    ("gateway_routing", "clearing_account", "routing gateway"),
    ("active_phone_card", "account", "active phone card"),
)


def _referenced_by(ctx, account: str) -> str | None:
    tables = {row[0] for row in ctx.db.execute("SELECT name FROM sqlite_master")}
    for table, column, what in _ACCOUNT_REFERENCES:
        # Identifiers from the constant above; only the account is a parameter.
        sql = f"SELECT 1 FROM {table} WHERE {column} = ? LIMIT 1"  # noqa: S608
        if table in tables and ctx.db.execute(sql, (account,)).fetchone():
            return what
    return None


@handler("GetCustomer")
def get_customer(ctx, req: dict) -> dict:
    accounts = list(req.get("accounts") or [])
    for e164 in req.get("e164s") or []:
        found = ctx.db.execute("SELECT account FROM phone WHERE e164 = ?", (e164,)).fetchone()
        if found:
            accounts.append(found[0])
    infos = []
    for account in dict.fromkeys(accounts):
        row = ctx.db.execute("SELECT * FROM customer WHERE account = ?", (account,)).fetchone()
        if row is not None:
            infos.append(customer_info(ctx, row))
    return {"infoCustomers": infos}


@handler("GetAllCustomers")
def get_all_customers(ctx, req: dict) -> dict:
    """The manual's ``accounts``; with ``type`` 1 (seen in the field, not in the manual)
    ``infoCustomerBriefs``: each account with its balance and credit limit."""
    rows = ctx.db.execute(
        "SELECT account, money_e4, limit_money_e4 FROM customer ORDER BY account"
    ).fetchall()
    if req.get("type") == 1:
        briefs = [
            {
                "account": row["account"],
                "money": from_e4(row["money_e4"]),
                "limitMoney": from_e4(row["limit_money_e4"]),
            }
            for row in rows
        ]
        return {"infoCustomerBriefs": briefs}
    return {"accounts": [row["account"] for row in rows]}
