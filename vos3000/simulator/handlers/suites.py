"""Suites, suite orders and current suites (2.22-2.30).

A suite is a rent plan: every ``rentPeriod`` days / months / years (``rentType``) its
``rentFee`` is charged and it grants ``giftMoney`` and gift times (InfoGiftTime) for
that period. An order subscribes an owner (ownerType 2 account, 6 phone) from
``availableTime`` (0 = today 00:00 UTC) until ``expireTime`` (none = 2^63-1). Each
period of an order that has begun becomes a *current suite*: the rent is charged to
the owner's account through core's ``record_consumption`` (GetConsumption type 0,
"Suite Rent") and a snapshot of the suite is kept for that period. GetCurrentSuite
lists the snapshots whose period contains the simulator's now.

Periods are settled (charged, snapshot written) when an order is created or
modified, after every ``advance`` of the clock, and once a minute in the background;
periods skipped by a long ``advance`` are each charged, as VOS's daily job would
have. A period the owner cannot pay for (balance + overdraft below the rent) is not
activated; the current one is retried at the next settlement. Creating an order
whose first period begins now fails with BALANCE_NOT_ENOUGH if it cannot be paid.

Tables:

    suite(id INTEGER PRIMARY KEY, name TEXT UNIQUE, info TEXT)      info: InfoSuite
    suite_order(id INTEGER PRIMARY KEY, owner_type INTEGER, owner_name TEXT,
                suite_id INTEGER, available_time INTEGER, expire_time INTEGER,
                next_period INTEGER)       next_period: index of the first unsettled period
    current_suite(id INTEGER PRIMARY KEY, order_id INTEGER, period INTEGER,
                  period_start INTEGER, period_end INTEGER, deleted INTEGER, info TEXT)
                                           info: the suite as it was when charged

For the billing engineer: ``current_suites(ctx, owner_type, owner_name)`` gives the
InfoCurrentSuite dicts in force now (gift money and gift times).
"""

from __future__ import annotations

import calendar
import json
import logging
import threading
from datetime import UTC, datetime, timedelta

from vos3000.simulator import codes, registry
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers import catalog_objects as objs
from vos3000.simulator.registry import handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS suite (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    info TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS suite_order (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_type INTEGER NOT NULL,
    owner_name TEXT NOT NULL,
    suite_id INTEGER NOT NULL,
    available_time INTEGER NOT NULL,
    expire_time INTEGER NOT NULL,
    next_period INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS suite_order_owner ON suite_order (owner_type, owner_name);
CREATE INDEX IF NOT EXISTS suite_order_suite ON suite_order (suite_id);
CREATE TABLE IF NOT EXISTS current_suite (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL,
    period INTEGER NOT NULL,
    period_start INTEGER NOT NULL,
    period_end INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    info TEXT NOT NULL,
    UNIQUE (order_id, period)
);
"""

log = logging.getLogger("vos3000.simulator.suites")

NO_LIMIT = 9223372036854775807
DAY, MONTH, YEAR = 0, 1, 2
SUITE_RENT = 0  # GetConsumption type
DAY_MS = 86_400_000
SETTLE_EVERY_SECONDS = 60
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# ------------------------------------------------------------------------------ time


def _to_datetime(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


def _to_ms(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def _add_months(ms: int, months: int) -> int:
    moment = _to_datetime(ms)
    year, month0 = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return _to_ms(moment.replace(year=year, month=month0 + 1, day=day))


def period_start(start_ms: int, rent_type: int, rent_period: int, index: int) -> int:
    """Start of the ``index``-th rent period of an order that began at ``start_ms``."""
    if rent_type == DAY:
        return start_ms + index * rent_period * DAY_MS
    months = index * rent_period * (12 if rent_type == YEAR else 1)
    return _add_months(start_ms, months)


def period_index(start_ms: int, rent_type: int, rent_period: int, now_ms: int) -> int:
    """Index of the rent period containing ``now_ms`` (>= 0; now must not precede start)."""
    if rent_type == DAY:
        return (now_ms - start_ms) // (rent_period * DAY_MS)
    begin, now = _to_datetime(start_ms), _to_datetime(now_ms)
    months = (now.year - begin.year) * 12 + now.month - begin.month
    index = max(0, months // (rent_period * (12 if rent_type == YEAR else 1)))
    while index > 0 and period_start(start_ms, rent_type, rent_period, index) > now_ms:
        index -= 1
    return index


# ------------------------------------------------------------------------------ suites


def _suite_row(ctx, suite_id: int):
    return ctx.db.execute("SELECT * FROM suite WHERE id = ?", (suite_id,)).fetchone()


def _existing_suite(ctx, suite_id: int):
    row = _suite_row(ctx, suite_id)
    if row is None:
        raise SimError(codes.NOT_FOUND, f"Suite {suite_id} not found, operation failed.")
    return row


def _info_suite(row) -> dict:
    return objs.project("InfoSuite", {**json.loads(row["info"]), "id": row["id"]})


@handler("CreateSuite")
def create_suite(ctx, req: dict) -> dict:
    if req["rentPeriod"] <= 0:
        raise SimError(codes.INPUT_ERROR, "rentPeriod must be at least 1.")
    if req["rentFee"] < 0 or req["giftMoney"] < 0:
        raise SimError(codes.INPUT_ERROR, "rentFee and giftMoney cannot be negative.")
    for gift in req.get("infoGiftTimes") or []:
        if gift.get("startTime", 0) > gift.get("endTime", 0):
            raise SimError(codes.INPUT_ERROR, "A gift time starts after it ends.")
    if ctx.db.execute("SELECT 1 FROM suite WHERE name = ?", (req["name"],)).fetchone():
        raise SimError(codes.ALREADY_EXISTS)
    suite = objs.complete(objs.union_fields("InfoSuite", "CreateSuite"), req)
    suite_id = ctx.db.execute(
        "INSERT INTO suite (name, info) VALUES (?, ?)",
        (req["name"], json.dumps(suite, ensure_ascii=False)),
    ).lastrowid
    return {"id": suite_id}


@handler("DeleteSuite")
def delete_suite(ctx, req: dict) -> dict:
    _existing_suite(ctx, req["id"])
    orders = [
        r["id"]
        for r in ctx.db.execute("SELECT id FROM suite_order WHERE suite_id = ?", (req["id"],))
    ]
    if orders and not req.get("force"):
        raise SimError(codes.IN_USE, "Suite still ordered, operation failed.")
    for order_id in orders:
        _delete_order(ctx, order_id)
    ctx.db.execute("DELETE FROM suite WHERE id = ?", (req["id"],))
    return {}


@handler("GetSuite")
def get_suite(ctx, req: dict) -> dict:
    ids = req.get("ids")
    if ids:
        rows = [_suite_row(ctx, i) for i in dict.fromkeys(ids)]
        rows = [r for r in rows if r is not None]
    else:
        rows = ctx.db.execute("SELECT * FROM suite ORDER BY id").fetchall()
    return {"infoSuites": [_info_suite(r) for r in rows]}


# ------------------------------------------------------------------------------ orders


def _owner_account(ctx, owner_type: int, owner_name: str) -> str:
    from vos3000.simulator.handlers import money

    if owner_type not in (money.OWNER_ACCOUNT, money.OWNER_PHONE):
        raise SimError(codes.INPUT_ERROR, "ownerType must be 2 (account) or 6 (phone).")
    return money.owner_account(ctx, owner_type, owner_name)


def _start_of_day(ms: int) -> int:
    return ms - ms % DAY_MS


def _order_row(ctx, order_id: int):
    return ctx.db.execute("SELECT * FROM suite_order WHERE id = ?", (order_id,)).fetchone()


def _existing_order(ctx, order_id: int):
    row = _order_row(ctx, order_id)
    if row is None:
        raise SimError(codes.NOT_FOUND, f"Suite order {order_id} not found, operation failed.")
    return row


def _settle(ctx, order, *, insist: bool = False) -> None:
    """Charge and record every period of ``order`` that has begun and is not settled yet.

    ``insist``: a current period that cannot be paid is an error (BALANCE_NOT_ENOUGH)
    instead of a retry later.
    """
    from vos3000.simulator.handlers import money

    now = ctx.now_ms()
    suite_row = _suite_row(ctx, order["suite_id"])
    suite = json.loads(suite_row["info"])
    account = money.owner_account(ctx, order["owner_type"], order["owner_name"])
    rent = (suite["rentType"], suite["rentPeriod"])
    index = order["next_period"]
    while True:
        start = period_start(order["available_time"], *rent, index)
        if start > now or start >= order["expire_time"]:
            break
        end = min(period_start(order["available_time"], *rent, index + 1), order["expire_time"])
        if suite["rentFee"] > money.available_credit(ctx, account):
            if end > now:  # the period in force: try again at the next settlement
                if insist:
                    raise SimError(codes.BALANCE_NOT_ENOUGH)
                break
        else:
            if suite["rentFee"]:
                money.record_consumption(
                    ctx, account, suite["rentFee"], kind=SUITE_RENT, name=suite["name"], now_ms=now
                )
            ctx.db.execute(
                "INSERT INTO current_suite (order_id, period, period_start, period_end, info)"
                " VALUES (?, ?, ?, ?, ?)",
                (order["id"], index, start, end, suite_row["info"]),
            )
        index += 1
    ctx.db.execute("UPDATE suite_order SET next_period = ? WHERE id = ?", (index, order["id"]))


def settle_all(ctx) -> None:
    """Settle every order that has begun (advance hook, background ticker).

    Expired orders too: an ``advance`` past the expiry still owes the periods before it.
    """
    for order in ctx.db.execute(
        "SELECT * FROM suite_order WHERE available_time <= ?", (ctx.now_ms(),)
    ).fetchall():
        try:
            _settle(ctx, order)
        except SimError as exc:  # the owner was deleted under the order: nothing to charge
            log.warning("suite order %s not settled: %s", order["id"], exc)


def create_suite_order(
    ctx, owner_type: int, owner_name: str, suite_id: int, available_time: int, expire_time=None
) -> int:
    """Order a suite for an owner (CreateSuiteOrder; also for phone cards joining suites)."""
    _owner_account(ctx, owner_type, owner_name)
    suite = json.loads(_existing_suite(ctx, suite_id)["info"])
    now = ctx.now_ms()
    available = available_time or _start_of_day(now)
    expire = NO_LIMIT if expire_time is None else expire_time
    if expire <= available:
        raise SimError(codes.INPUT_ERROR, "expireTime must be after availableTime.")
    # An order taken mid-period starts paying with the period in force, not the past ones.
    first = (
        period_index(available, suite["rentType"], suite["rentPeriod"], now)
        if available <= now
        else 0
    )
    order_id = ctx.db.execute(
        "INSERT INTO suite_order (owner_type, owner_name, suite_id, available_time, expire_time,"
        " next_period) VALUES (?, ?, ?, ?, ?, ?)",
        (owner_type, owner_name, suite_id, available, expire, first),
    ).lastrowid
    _settle(ctx, _order_row(ctx, order_id), insist=True)
    return order_id


@handler("CreateSuiteOrder")
def create_suite_order_handler(ctx, req: dict) -> dict:
    order_id = create_suite_order(
        ctx,
        req["ownerType"],
        req["ownerName"],
        req["suiteId"],
        req["availableTime"],
        req.get("expireTime"),
    )
    return {"id": order_id}


@handler("ModifySuiteOrder")
def modify_suite_order(ctx, req: dict) -> dict:
    order = _existing_order(ctx, req["id"])
    expire = NO_LIMIT if req.get("expireTime") is None else req["expireTime"]
    if expire <= order["available_time"]:
        raise SimError(codes.INPUT_ERROR, "expireTime must be after availableTime.")
    ctx.db.execute("UPDATE suite_order SET expire_time = ? WHERE id = ?", (expire, req["id"]))
    # A period already charged keeps its snapshot; only its end moves with the order.
    ctx.db.execute(
        "UPDATE current_suite SET period_end = MIN(period_end, ?) WHERE order_id = ?",
        (expire, req["id"]),
    )
    _settle(ctx, _order_row(ctx, req["id"]))
    return {}


def _delete_order(ctx, order_id: int) -> None:
    ctx.db.execute("DELETE FROM current_suite WHERE order_id = ?", (order_id,))
    ctx.db.execute("DELETE FROM suite_order WHERE id = ?", (order_id,))


@handler("DeleteSuiteOrder")
def delete_suite_order(ctx, req: dict) -> dict:
    _existing_order(ctx, req["id"])
    _delete_order(ctx, req["id"])
    return {}


@handler("GetSuiteOrder")
def get_suite_order(ctx, req: dict) -> dict:
    rows = ctx.db.execute(
        "SELECT * FROM suite_order WHERE owner_type = ? AND owner_name = ? ORDER BY id",
        (req["ownerType"], req["ownerName"]),
    )
    orders = [
        {
            "id": r["id"],
            "suiteId": r["suite_id"],
            "availableTime": r["available_time"],
            "expireTime": r["expire_time"],
        }
        for r in rows
    ]
    return {"infoSuiteOrders": [objs.project("InfoSuiteOrder", o) for o in orders]}


# ------------------------------------------------------------------------------ current


def current_suites(ctx, owner_type: int, owner_name: str) -> list[dict]:
    """InfoCurrentSuite dicts of the periods in force now for an owner, oldest first."""
    now = ctx.now_ms()
    rows = ctx.db.execute(
        "SELECT c.*, o.suite_id FROM current_suite c JOIN suite_order o ON o.id = c.order_id"
        " WHERE o.owner_type = ? AND o.owner_name = ? AND c.deleted = 0"
        " AND c.period_start <= ? AND c.period_end > ? ORDER BY c.id",
        (owner_type, owner_name, now, now),
    )
    return [
        objs.project(
            "InfoCurrentSuite",
            {
                **json.loads(r["info"]),
                "id": r["id"],
                "suiteId": r["suite_id"],
                "suiteOrderId": r["order_id"],
            },
        )
        for r in rows
    ]


@handler("GetCurrentSuite")
def get_current_suite(ctx, req: dict) -> dict:
    return {"infoCurrentSuites": current_suites(ctx, req["ownerType"], req["ownerName"])}


@handler("DeleteCurrentSuite")
def delete_current_suite(ctx, req: dict) -> dict:
    now = ctx.now_ms()
    deleted = ctx.db.execute(
        "UPDATE current_suite SET deleted = 1"
        " WHERE id = ? AND deleted = 0 AND period_start <= ? AND period_end > ?",
        (req["id"], now, now),
    ).rowcount
    if not deleted:
        raise SimError(codes.NOT_FOUND)
    return {}


# ------------------------------------------------------------------------------ settlement


def _settle_after_advance(sim) -> None:
    with sim.transaction() as ctx:
        settle_all(ctx)


def _start_settling(sim):
    def run():
        while not sim.stopping.wait(SETTLE_EVERY_SECONDS):
            try:
                _settle_after_advance(sim)
            except Exception:  # keep settling later; a closed store ends with the simulator
                log.exception("suite settlement failed")

    threading.Thread(target=run, name="sim-suite-settlement", daemon=True).start()


registry.ADVANCE_HOOKS.append(_settle_after_advance)
registry.BACKGROUND.append(_start_settling)
