"""Fee rate groups and their rate tables (manual 2.39 - 2.43).

The manual has no endpoint that writes rates, so tables are loaded with the control
action ``set_fee_rates`` (group, rates: InfoFeeRate-shaped dicts, replace: bool).
Rates are stored one row per prefix; amounts as decimal strings so a rate like
0.0123 per minute is kept exactly (money is rounded per call, in pricing).
"""

from __future__ import annotations

import json

from vos3000.simulator import codes
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers import catalog_objects
from vos3000.simulator.pricing import Rate, Section, candidate_prefixes, exact_decimal
from vos3000.simulator.registry import control, handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS fee_rate_group (
    name TEXT PRIMARY KEY,
    memo TEXT NOT NULL DEFAULT '',
    fake_minute INTEGER NOT NULL DEFAULT 60
);
CREATE TABLE IF NOT EXISTS fee_rate (
    group_name TEXT NOT NULL,
    fee_prefix TEXT NOT NULL,
    area_code TEXT NOT NULL,
    area_name TEXT NOT NULL,
    type INTEGER NOT NULL,
    fee TEXT NOT NULL,
    period INTEGER NOT NULL,
    lock_type INTEGER NOT NULL,
    ivr_fee TEXT NOT NULL,
    ivr_period INTEGER NOT NULL,
    sections TEXT NOT NULL,
    PRIMARY KEY (group_name, fee_prefix)
) WITHOUT ROWID;
"""

# Who may hold a fee rate group, as (table, column); owned by the customer, phone and money
# handlers. A group is in use while any row names it.
_USERS = (
    ("customer", "fee_rate_group"),
    ("phone", "feerate_group"),
    ("phone_card", "fee_rate_group"),
)


def group_exists(db, name: str) -> bool:
    return db.execute("SELECT 1 FROM fee_rate_group WHERE name = ?", (name,)).fetchone() is not None


def _rate_from_row(row) -> Rate:
    return Rate(
        fee_prefix=row["fee_prefix"],
        area_code=row["area_code"],
        area_name=row["area_name"],
        type=row["type"],
        fee=exact_decimal(row["fee"]),
        period=row["period"],
        lock_type=row["lock_type"],
        ivr_fee=exact_decimal(row["ivr_fee"]),
        ivr_period=row["ivr_period"],
        sections=tuple(
            Section(s["position"], s["time"], exact_decimal(s["fee"]))
            for s in json.loads(row["sections"])
        ),
    )


def find_rate(db, group: str, callee: str) -> Rate | None:
    """The rate of ``group`` with the longest feePrefix ``callee`` starts with."""
    prefixes = candidate_prefixes(callee)
    if not group or not prefixes:
        return None
    marks = ",".join("?" * len(prefixes))
    row = db.execute(
        f"SELECT * FROM fee_rate WHERE group_name = ? AND fee_prefix IN ({marks}) "  # noqa: S608
        "ORDER BY length(fee_prefix) DESC LIMIT 1",
        (group, *prefixes),
    ).fetchone()
    return _rate_from_row(row) if row else None


def rates_of(db, group: str, area_codes=None) -> list[Rate]:
    rows = db.execute(
        "SELECT * FROM fee_rate WHERE group_name = ? ORDER BY fee_prefix", (group,)
    ).fetchall()
    wanted = set(area_codes or ())
    return [_rate_from_row(r) for r in rows if not wanted or r["area_code"] in wanted]


def save_rates(db, group: str, rates: list[Rate], replace: bool = False) -> None:
    if replace:
        db.execute("DELETE FROM fee_rate WHERE group_name = ?", (group,))
    db.executemany(
        "INSERT INTO fee_rate (group_name, fee_prefix, area_code, area_name, type, fee, period,"
        " lock_type, ivr_fee, ivr_period, sections) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (group_name, fee_prefix) DO UPDATE SET area_code = excluded.area_code,"
        " area_name = excluded.area_name, type = excluded.type, fee = excluded.fee,"
        " period = excluded.period, lock_type = excluded.lock_type, ivr_fee = excluded.ivr_fee,"
        " ivr_period = excluded.ivr_period, sections = excluded.sections",
        [
            (
                group,
                r.fee_prefix,
                r.area_code,
                r.area_name,
                r.type,
                str(r.fee),
                r.period,
                r.lock_type,
                str(r.ivr_fee),
                r.ivr_period,
                json.dumps(
                    [
                        {"position": s.position, "time": s.time, "fee": str(s.fee)}
                        for s in r.sections
                    ]
                ),
            )
            for r in rates
        ],
    )


def _table_has_column(db, table: str, column: str) -> bool:
    return any(row[1] == column for row in db.execute(f'PRAGMA table_info("{table}")'))


def group_in_use(db, name: str) -> bool:
    for table, column in _USERS:
        if (
            _table_has_column(db, table, column)
            and db.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}" = ? LIMIT 1',  # noqa: S608
                (name,),
            ).fetchone()
        ):
            return True
    return False


def _name(req: dict) -> str:
    name = str(req.get("name") or "").strip()
    if not name:
        raise SimError(codes.MISS_PARAMETERS)
    return name


@handler("GetFeeRateGroup")
def get_fee_rate_group(ctx, req: dict) -> dict:
    names = req.get("names") or []
    rows = ctx.db.execute("SELECT name, memo FROM fee_rate_group ORDER BY name").fetchall()
    return {
        "infoFeeRateGroups": [
            catalog_objects.project("InfoFeeRateGroup", dict(r))
            for r in rows
            if not names or r["name"] in names
        ]
    }


@handler("CreateFeeRateGroup")
def create_fee_rate_group(ctx, req: dict) -> dict:
    name = _name(req)
    if group_exists(ctx.db, name):
        raise SimError(codes.ALREADY_EXISTS)
    ctx.db.execute(
        "INSERT INTO fee_rate_group (name, memo, fake_minute) VALUES (?, ?, ?)",
        (name, str(req.get("memo") or ""), int(req.get("fakeMinute") or 60)),
    )
    return {}


@handler("ModifyFeeRateGroup")
def modify_fee_rate_group(ctx, req: dict) -> dict:
    name = _name(req)
    if not group_exists(ctx.db, name):
        raise SimError(codes.NOT_FOUND)
    if req.get("memo") is not None:
        ctx.db.execute("UPDATE fee_rate_group SET memo = ? WHERE name = ?", (req["memo"], name))
    if req.get("fakeMinute") is not None:
        ctx.db.execute(
            "UPDATE fee_rate_group SET fake_minute = ? WHERE name = ?",
            (int(req["fakeMinute"]), name),
        )
    return {}


@handler("DeleteFeeRateGroup")
def delete_fee_rate_group(ctx, req: dict) -> dict:
    name = _name(req)
    if not group_exists(ctx.db, name):
        raise SimError(codes.NOT_FOUND)
    if group_in_use(ctx.db, name):
        raise SimError(codes.IN_USE)
    ctx.db.execute("DELETE FROM fee_rate WHERE group_name = ?", (name,))
    ctx.db.execute("DELETE FROM fee_rate_group WHERE name = ?", (name,))
    return {}


@handler("GetFeeRate")
def get_fee_rate(ctx, req: dict) -> dict:
    group = str(req.get("feeRateGroup") or "")
    if not group:
        raise SimError(codes.MISS_PARAMETERS)
    if not group_exists(ctx.db, group):
        raise SimError(codes.NOT_FOUND)
    rates = rates_of(ctx.db, group, req.get("areaCodes"))
    return {"infoFeeRates": [catalog_objects.project("InfoFeeRate", r.to_info()) for r in rates]}


@control("set_fee_rates")
def set_fee_rates(sim, params: dict) -> dict:
    """Load rates into a group (created if missing); ``replace`` drops its other rates."""
    group = str(params["group"])
    rates = [Rate.from_info(info) for info in params.get("rates") or []]
    with sim.transaction() as ctx:
        if not group_exists(ctx.db, group):
            ctx.db.execute("INSERT INTO fee_rate_group (name) VALUES (?)", (group,))
        save_rates(ctx.db, group, rates, replace=bool(params.get("replace")))
        count = ctx.db.execute(
            "SELECT count(*) FROM fee_rate WHERE group_name = ?", (group,)
        ).fetchone()[0]
    return {"group": group, "rates": count}
