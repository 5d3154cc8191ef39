"""Money: Pay, pay history, consumption, phone cards (manual 2.21, 2.45, 2.57, 2.58, 2.63,
2.78) and the balance functions every other handler uses.

Tables (amounts as integers of 1/10000, times in ms UTC):

    pay_history(id, account, fee_e4, type, pay_type, customer_money_e4, pay_time,
                owner_type, owner_name, memo)        index (account, pay_time)
        type: 0 payment, 1 credit, 2 create account, 3 make zero
        pay_type: 0 cash, 2 phone card, 5 other
    consumption(id, account, money_e4, customer_money_e4, type, consumption_name, time)
        type: 0 suite rent, 1 phone month rent, 2 phone under consumption,
              3 suite under consumption                 index (account, time)
    phone_card(pin PRIMARY KEY, password, money_e4, limit_money_e4, bits_of_config,
               fee_rate_group, expire_time, used_time (0 = unused), used_account,
               agent_account, suite_names (JSON list), memo)

Shared functions:

    charge(ctx, account, amount, *, now_ms) -> float
        deduct a call charge: no pay history, adds to today's consumption, pushes
        CustomerMoneyChange; returns the new balance
    record_consumption(ctx, account, amount, *, kind, name, now_ms) -> float
        deduct a rent / minimum-consumption charge (suites, phone rent) and list it in
        GetConsumption; also counts in today's consumption
    record_payment(ctx, account, amount, *, kind, pay_type, memo, ...) -> float
        add money with a pay history row (Pay, phone cards, opening balances)
    available_credit(ctx, account) -> float      balance + overdraft
    owner_account(ctx, owner_type, owner_name) -> str    Pay's owner -> paying account

Owners of Pay / PayByPhoneCard: ownerType 2 is an account, 6 a phone (its account),
44 a mapping gateway (its billing account); 11 (active phone card) and 25 (binded
E164) resolve through ``OWNER_RESOLVERS``, which the module owning those objects fills.
A negative Pay may not take the balance below zero (BALANCE_NOT_ENOUGH).

Phone cards check in this order, each with its own code: unknown PIN (CARD_NOT_FOUND),
wrong password when one is given (CARD_WRONG_PASSWORD; no password = "check PIN only"
as the manual says), already used (CARD_USED), expired (CARD_EXPIRED).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

from vos3000.simulator import codes
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers.customers import (
    DAY_MS,
    check_fee_rate_group,
    create_customer_row,
    get_customer_row,
    require_customer,
)
from vos3000.simulator.pricing import from_e4, to_e4
from vos3000.simulator.registry import control, handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS pay_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    fee_e4 INTEGER NOT NULL,
    type INTEGER NOT NULL,
    pay_type INTEGER NOT NULL,
    customer_money_e4 INTEGER NOT NULL,
    pay_time INTEGER NOT NULL,
    owner_type INTEGER NOT NULL DEFAULT 2,
    owner_name TEXT NOT NULL DEFAULT '',
    memo TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS pay_history_account_time ON pay_history (account, pay_time);
CREATE TABLE IF NOT EXISTS consumption (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    money_e4 INTEGER NOT NULL,
    customer_money_e4 INTEGER NOT NULL,
    type INTEGER NOT NULL,
    consumption_name TEXT NOT NULL DEFAULT '',
    time INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS consumption_account_time ON consumption (account, time);
CREATE TABLE IF NOT EXISTS phone_card (
    pin TEXT PRIMARY KEY,
    password TEXT NOT NULL DEFAULT '',
    money_e4 INTEGER NOT NULL,
    limit_money_e4 INTEGER NOT NULL DEFAULT 0,
    bits_of_config INTEGER NOT NULL,
    fee_rate_group TEXT NOT NULL DEFAULT '',
    expire_time INTEGER NOT NULL,
    used_time INTEGER NOT NULL DEFAULT 0,
    used_account TEXT NOT NULL DEFAULT '',
    agent_account TEXT NOT NULL DEFAULT '',
    suite_names TEXT NOT NULL DEFAULT '[]',
    memo TEXT NOT NULL DEFAULT ''
);
"""

PAY_PAYMENT, PAY_CREDIT, PAY_CREATE_ACCOUNT, PAY_MAKE_ZERO = 0, 1, 2, 3
PAY_TYPE_CASH, PAY_TYPE_CARD, PAY_TYPE_OTHER = 0, 2, 5

OWNER_ACCOUNT, OWNER_PHONE, OWNER_ACTIVE_CARD, OWNER_BINDED_E164, OWNER_MAPPING_GATEWAY = (
    2,
    6,
    11,
    25,
    44,
)

# bitsOfConfig of InfoPhoneCard.
CARD_CREATE_ACCOUNT = 1 << 1
CARD_CREATE_ACCOUNT_ACTIVE_CARD = 1 << 2
CARD_CREATE_ACCOUNT_PHONE = 1 << 3
CARD_RECHARGE = 1 << 4
CARD_REPLACE_FEE_RATE_GROUP = 1 << 5
CARD_JOIN_SUITES = 1 << 6
CARD_MONEY_TO_BALANCE = 1 << 7
_ACTIVATING_BITS = CARD_CREATE_ACCOUNT | CARD_CREATE_ACCOUNT_ACTIVE_CARD | CARD_CREATE_ACCOUNT_PHONE

# ownerType -> fn(ctx, owner_name) -> account | None, for owners kept by other modules.
OWNER_RESOLVERS: dict = {}


def parse_vos_time(text: str) -> int:
    """``yyyyMMddHHmmss`` (UTC) -> epoch milliseconds."""
    try:
        moment = datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except (TypeError, ValueError) as exc:
        raise SimError(codes.INPUT_ERROR, f"Bad time {text!r}: yyyyMMddHHmmss expected.") from exc
    return int(moment.timestamp() * 1000)


# -- balances ----------------------------------------------------------------------------


def _move_balance(ctx, account: str, delta_e4: int, *, consumed: bool, now_ms: int) -> int:
    """Add ``delta_e4`` to the balance (and to today's consumption when ``consumed``)."""
    if consumed:
        day = now_ms // DAY_MS
        # A charge dated on an earlier day (a call that ended before midnight, history
        # loading) moves the balance but leaves a newer day's consumption alone.
        cursor = ctx.db.execute(
            "UPDATE customer SET money_e4 = money_e4 + :delta,"
            " today_e4 = CASE WHEN today_day = :day THEN today_e4 - :delta"
            "  WHEN today_day < :day THEN -:delta ELSE today_e4 END,"
            " today_day = max(today_day, :day)"
            " WHERE account = :account RETURNING money_e4",
            {"delta": delta_e4, "day": day, "account": account},
        )
    else:
        cursor = ctx.db.execute(
            "UPDATE customer SET money_e4 = money_e4 + ? WHERE account = ? RETURNING money_e4",
            (delta_e4, account),
        )
    row = cursor.fetchone()
    if row is None:
        raise SimError(codes.NOT_FOUND, f"Account {account} not found, operation failed.")
    ctx.push("CustomerMoneyChange", {"account": account, "money": from_e4(row[0])})
    return row[0]


def charge(ctx, account: str, amount, *, now_ms: int) -> float:
    return from_e4(_move_balance(ctx, account, -to_e4(amount), consumed=True, now_ms=now_ms))


def record_consumption(ctx, account: str, amount, *, kind: int, name: str, now_ms: int) -> float:
    units = to_e4(amount)
    balance = _move_balance(ctx, account, -units, consumed=True, now_ms=now_ms)
    ctx.db.execute(
        "INSERT INTO consumption (account, money_e4, customer_money_e4, type, consumption_name,"
        " time) VALUES (?, ?, ?, ?, ?, ?)",
        (account, units, balance, kind, str(name), now_ms),
    )
    return from_e4(balance)


def record_payment(
    ctx,
    account: str,
    amount,
    *,
    kind: int = PAY_PAYMENT,
    pay_type: int = PAY_TYPE_CASH,
    memo: str = "",
    owner_type: int = OWNER_ACCOUNT,
    owner_name: str | None = None,
) -> float:
    units = to_e4(amount)
    now = ctx.now_ms()
    balance = _move_balance(ctx, account, units, consumed=False, now_ms=now)
    ctx.db.execute(
        "INSERT INTO pay_history (account, fee_e4, type, pay_type, customer_money_e4, pay_time,"
        " owner_type, owner_name, memo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (account, units, kind, pay_type, balance, now, owner_type, owner_name or account, memo),
    )
    return from_e4(balance)


def available_credit(ctx, account: str) -> float:
    row = require_customer(ctx, account)
    return from_e4(row["money_e4"] + row["limit_money_e4"])


# -- Pay ---------------------------------------------------------------------------------


def _phone_account(ctx, e164: str) -> str | None:
    row = ctx.db.execute("SELECT account FROM phone WHERE e164 = ?", (e164,)).fetchone()
    return row[0] if row else None


def _mapping_gateway_account(ctx, name: str) -> str | None:
    row = ctx.db.execute("SELECT account FROM gateway_mapping WHERE name = ?", (name,)).fetchone()
    return row[0] if row and row[0] else None


def owner_account(ctx, owner_type: int, owner_name: str) -> str:
    if owner_type == OWNER_ACCOUNT:
        account = owner_name if get_customer_row(ctx, owner_name) else None
    elif owner_type == OWNER_PHONE:
        account = _phone_account(ctx, owner_name)
    elif owner_type == OWNER_MAPPING_GATEWAY:
        account = _mapping_gateway_account(ctx, owner_name)
    elif owner_type in OWNER_RESOLVERS:
        account = OWNER_RESOLVERS[owner_type](ctx, owner_name)
    else:
        raise SimError(codes.INPUT_ERROR, f"ownerType {owner_type} is not supported.")
    if not account:
        raise SimError(codes.NOT_FOUND, f"{owner_name} not found, operation failed.")
    return account


def _info_pay(ctx, account: str, pay_money: float) -> dict:
    row = require_customer(ctx, account)
    return {
        "account": account,
        "money": from_e4(row["money_e4"]),
        "validTime": row["valid_time"],
        "payMoney": from_e4(to_e4(pay_money)),
    }


@handler("Pay")
def pay(ctx, req: dict) -> dict:
    account = owner_account(ctx, req["ownerType"], req["ownerName"])
    units = to_e4(req["money"])
    if units == 0:
        raise SimError(codes.INPUT_ERROR, "Pay amount must not be zero.")
    if units < 0 and require_customer(ctx, account)["money_e4"] + units < 0:
        raise SimError(codes.BALANCE_NOT_ENOUGH)
    record_payment(
        ctx,
        account,
        req["money"],
        memo=req.get("memo") or "",
        owner_type=req["ownerType"],
        owner_name=req["ownerName"],
    )
    return {"infoPay": _info_pay(ctx, account, req["money"])}


def _time_range(req: dict) -> tuple[int, int]:
    begin, end = parse_vos_time(req["beginTime"]), parse_vos_time(req["endTime"]) + 999
    if end < begin:
        raise SimError(codes.INPUT_ERROR, "endTime is before beginTime.")
    return begin, end


# Rows of ``account`` and/or of every account below ``agentAccount`` in a time range.
# {table}/{time} are this module's own identifiers, never request data.
_ROWS_OF_ACCOUNT = "SELECT * FROM {table} WHERE account = ? AND {time} BETWEEN ? AND ?"
_ROWS_BELOW_AGENT = (
    "WITH RECURSIVE tree(account) AS ("
    " SELECT account FROM customer WHERE agent_account = ?"
    " UNION SELECT c.account FROM customer c JOIN tree t ON c.agent_account = t.account)"
    " SELECT r.* FROM {table} r JOIN tree t ON r.account = t.account"
    " WHERE r.{time} BETWEEN ? AND ?"
)


def _rows_for_accounts(ctx, table: str, time_column: str, req: dict) -> list:
    account, agent = req.get("account"), req.get("agentAccount")
    if not account and not agent:
        raise SimError(codes.MISS_PARAMETERS)
    begin, end = _time_range(req)
    if agent:
        sql = _ROWS_BELOW_AGENT.format(table=table, time=time_column)
        rows = ctx.db.execute(sql, (agent, begin, end)).fetchall()
        if account:
            rows = [row for row in rows if row["account"] == account]
    else:
        sql = _ROWS_OF_ACCOUNT.format(table=table, time=time_column)
        rows = ctx.db.execute(sql, (account, begin, end)).fetchall()
    return sorted(rows, key=lambda row: (row[time_column], row["id"]))


@handler("GetPayHistory")
def get_pay_history(ctx, req: dict) -> dict:
    rows = _rows_for_accounts(ctx, "pay_history", "pay_time", req)
    return {
        "infoPayHistorys": [
            {
                "account": row["account"],
                "fee": from_e4(row["fee_e4"]),
                "type": row["type"],
                "payType": row["pay_type"],
                "customerMoney": from_e4(row["customer_money_e4"]),
                "payTime": row["pay_time"],
            }
            for row in rows
        ]
    }


@handler("GetConsumption")
def get_consumption(ctx, req: dict) -> dict:
    rows = _rows_for_accounts(ctx, "consumption", "time", req)
    return {
        "infoConsumptions": [
            {
                "account": row["account"],
                "money": from_e4(row["money_e4"]),
                "customerMoney": from_e4(row["customer_money_e4"]),
                "type": row["type"],
                "consumptionName": row["consumption_name"],
                "time": row["time"],
            }
            for row in rows
        ]
    }


# -- phone cards -------------------------------------------------------------------------


def _usable_card(ctx, pin: str, password: str | None):
    card = ctx.db.execute("SELECT * FROM phone_card WHERE pin = ?", (pin,)).fetchone()
    if card is None:
        raise SimError(codes.CARD_NOT_FOUND)
    if password is not None and password != card["password"]:
        raise SimError(codes.CARD_WRONG_PASSWORD)
    if card["used_time"]:
        raise SimError(codes.CARD_USED)
    if card["expire_time"] and card["expire_time"] < ctx.now_ms():
        raise SimError(codes.CARD_EXPIRED)
    return card


def _mark_used(ctx, pin: str, account: str) -> None:
    ctx.db.execute(
        "UPDATE phone_card SET used_time = ?, used_account = ? WHERE pin = ?",
        (ctx.now_ms(), account, pin),
    )


@handler("PayByPhoneCard")
def pay_by_phone_card(ctx, req: dict) -> dict:
    account = owner_account(ctx, req["ownerType"], req["ownerName"])
    card = _usable_card(ctx, req["pin"], req.get("password"))
    value = from_e4(card["money_e4"])
    record_payment(
        ctx,
        account,
        value,
        pay_type=PAY_TYPE_CARD,
        memo=req.get("memo") or f"Phone card {card['pin']}",
        owner_type=req["ownerType"],
        owner_name=req["ownerName"],
    )
    if card["bits_of_config"] & CARD_REPLACE_FEE_RATE_GROUP and card["fee_rate_group"]:
        ctx.db.execute(
            "UPDATE customer SET fee_rate_group = ? WHERE account = ?",
            (card["fee_rate_group"], account),
        )
    _mark_used(ctx, card["pin"], account)
    return {"infoPay": _info_pay(ctx, account, value)}


@handler("PhoneCardActive")
def phone_card_active(ctx, req: dict) -> dict:
    """Open the card's own account (account = PIN, type 1 "Phone Card") with its value.

    As ``bitsOfConfig`` says, also an active phone card (1<<2) or a phone (1<<3) with
    the PIN as number; ``bindedE164`` binds that number to the active card (made if
    needed), through the handlers that own those objects.
    """
    card = _usable_card(ctx, req["pin"], req.get("password"))
    bits = card["bits_of_config"]
    if not bits & _ACTIVATING_BITS:
        raise SimError(codes.CARD_NOT_ACTIVATABLE)
    account = card["pin"]
    create_customer_row(
        ctx,
        {
            "account": account,
            "name": account,
            "money": from_e4(card["money_e4"]),
            "limitMoney": from_e4(card["limit_money_e4"]),
            "feeRateGroup": card["fee_rate_group"],
            "type": 1,
            "agentAccount": card["agent_account"],
            "memo": card["memo"],
        },
        pay_type=PAY_TYPE_CARD,
    )
    if bits & CARD_CREATE_ACCOUNT_PHONE:
        from vos3000.simulator.handlers.phones import create_phone_row

        create_phone_row(ctx, {"e164": account, "account": account, "password": card["password"]})
    if bits & CARD_CREATE_ACCOUNT_ACTIVE_CARD or req.get("bindedE164"):
        password = card["password"] or None
        _call_handler(
            ctx, "CreateActivePhoneCard", {"pin": account, "account": account, "password": password}
        )
    if req.get("bindedE164"):
        _call_handler(ctx, "CreateBindedE164", {"e164": req["bindedE164"], "pin": account})
    _mark_used(ctx, card["pin"], account)
    return {}


def _call_handler(ctx, name: str, req: dict) -> dict:
    """Another module's handler inside this transaction (objects obey its rules)."""
    from vos3000.simulator.registry import HANDLERS

    if name not in HANDLERS:
        raise SimError(codes.UNKNOWN_ENDPOINT, f"{name} is not available in this simulator.")
    return HANDLERS[name](ctx, {k: v for k, v in req.items() if v is not None})


def _card_info(card) -> dict:
    return {
        "money": from_e4(card["money_e4"]),
        "limitMoney": from_e4(card["limit_money_e4"]),
        "bitsOfConfig": card["bits_of_config"],
        "feeRateGroup": card["fee_rate_group"],
        "expireTime": card["expire_time"],
        "usedTime": card["used_time"],
        "usedAccount": card["used_account"],
        "agentAccount": card["agent_account"],
        "suiteNames": json.loads(card["suite_names"]),
        "memo": card["memo"],
    }


@handler("GetPhoneCard")
def get_phone_card(ctx, req: dict) -> dict:
    password = req.get("Password")
    infos = []
    for pin in dict.fromkeys(req["pin"]):
        card = ctx.db.execute("SELECT * FROM phone_card WHERE pin = ?", (pin,)).fetchone()
        if card is None:
            continue
        if password is not None and password != card["password"]:
            raise SimError(codes.CARD_WRONG_PASSWORD)
        infos.append(_card_info(card))
    return {"infoPhoneCards": infos}


@control("create_phone_cards")
def create_phone_cards(sim, params: dict) -> dict:
    """Issue ``count`` unused cards of ``value`` (see README for every parameter)."""
    count = int(params.get("count", 1))
    value = params["value"]
    rng = random.Random(params["seed"]) if "seed" in params else random.SystemRandom()
    pin_length = int(params.get("pin_length", 12))
    prefix = str(params.get("prefix", ""))
    bits = int(params.get("bits_of_config", CARD_RECHARGE | CARD_MONEY_TO_BALANCE))
    cards = []
    with sim.transaction() as ctx:
        now = ctx.now_ms()
        expire = int(
            params.get("expire_time") or now + int(params.get("expire_days", 365)) * DAY_MS
        )
        check_fee_rate_group(ctx, params.get("fee_rate_group"))
        if params.get("agent_account"):
            require_customer(ctx, params["agent_account"])
        digits = pin_length - len(prefix)
        if digits < 0 or (digits == 0 and count > 1):
            raise ValueError("pin_length leaves no room for distinct PINs after the prefix")
        attempts = 0
        while len(cards) < count:
            attempts += 1
            if attempts > count * 100:
                raise ValueError("no free PINs left with this prefix and length")
            pin = prefix + "".join(rng.choice("0123456789") for _ in range(digits))
            password = str(
                params.get("password") or "".join(rng.choice("0123456789") for _ in range(6))
            )
            inserted = ctx.db.execute(
                "INSERT OR IGNORE INTO phone_card (pin, password, money_e4, limit_money_e4,"
                " bits_of_config, fee_rate_group, expire_time, agent_account, suite_names, memo)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    pin,
                    password,
                    to_e4(value),
                    to_e4(params.get("limit_money", 0)),
                    bits,
                    params.get("fee_rate_group", ""),
                    expire,
                    params.get("agent_account", ""),
                    json.dumps(list(params.get("suite_names", []))),
                    params.get("memo", ""),
                ),
            ).rowcount
            if inserted:
                cards.append(
                    {
                        "pin": pin,
                        "password": password,
                        "money": from_e4(to_e4(value)),
                        "expireTime": expire,
                    }
                )
    return {"cards": cards}
