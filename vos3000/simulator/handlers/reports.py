"""Fee reports computed from the stored CDRs: 2.47 GetReportCustomerFee, 2.48
GetReportPhoneFee, 2.49 GetReportCustomerLocationFee.

What an account is charged, in [beginTime, endTime] (UTC days, both included, by the
CDR's start): its own CDRs' fees, plus, for an agent, its share of every call of the
accounts below it at any depth (``cdr_agent_fee``, at the agent's own rates). Totals
are sums of the stored 1/10000 amounts, so a report equals the sum of its CDRs exactly.

``period`` N > 0: one row per N days counted from beginTime (the last row ends at
endTime); -2: one row per calendar month (clipped to the range). Only periods with at
least one CDR get a row. A row's ``beginTime`` is the first millisecond of its period,
``endTime`` the last (both UTC). ``totalTime`` and the per-level times are fee times
(feeTime, billed seconds); ``cdrCount`` counts every CDR, refused and unanswered ones
(holdTime 0) included. Levels: 1 net, 2 local, 4 domestic, 5 international.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from vos3000.simulator import codes
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers import catalog_objects
from vos3000.simulator.handlers.cdrs import DAY_MS, day_range
from vos3000.simulator.handlers.customers import get_customer_row
from vos3000.simulator.pricing import from_e4
from vos3000.simulator.registry import handler

BY_MONTH = -2
LEVEL_NAMES = {1: "net", 2: "local", 4: "domestic", 5: "international"}

# What each report groups by: (own CDR column, agent share column) per key. An agent's
# share row has its own rate's level and area; the caller's e164 and calleeBilling come
# from the CDR (a join the phone report alone pays for).
_KEYS = {
    "e164": ("callerE164", "c.callerE164"),
    "callee_billing": ("calleeBilling", "c.calleeBilling"),
    "level": ("callLevel", "a.call_level"),
    "area_code": ("areaCode", "a.area_code"),
    "area_name": ("areaName", "a.area_name"),
}
_JOINED = ("e164", "callee_billing")


def _charges_sql(keys: tuple[str, ...]) -> str:
    """One row per UTC day and ``keys`` of everything an account was charged."""
    own = ", ".join(f"{_KEYS[k][0]} AS {k}" for k in keys)
    share = ", ".join(f"{_KEYS[k][1]} AS {k}" for k in keys)
    join = " JOIN cdr c ON c.flowNo = a.flow_no" if set(keys) & set(_JOINED) else ""
    grouped = ", ".join(("day", *keys))
    # Only constant column names are interpolated, never request data.
    return f"""
SELECT start / 86400000 AS day, {", ".join(keys)}, count(*) AS n, sum(fee) AS fee,
       sum(fee_time) AS fee_time, sum(suite_fee) AS suite_fee,
       sum(suite_fee_time) AS suite_fee_time
FROM (
    SELECT start, {own}, fee, feeTime AS fee_time, suiteFee AS suite_fee,
           suiteFeeTime AS suite_fee_time
    FROM cdr WHERE account = :account AND start >= :begin AND start < :end
    UNION ALL
    SELECT a.start, {share}, a.fee_e4, a.fee_time, 0, 0
    FROM cdr_agent_fee a{join}
    WHERE a.agent_account = :account AND a.start >= :begin AND a.start < :end
)
GROUP BY {grouped}
"""  # noqa: S608


def _period_of(req: dict) -> int:
    try:
        period = int(req.get("period"))
    except (TypeError, ValueError) as exc:
        raise SimError(codes.MISS_PARAMETERS) from exc
    if period != BY_MONTH and period < 1:
        raise SimError(codes.INPUT_ERROR, "period must be a number of days or -2 (by month).")
    return period


def _month_start(ms: int) -> int:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return int(datetime(moment.year, moment.month, 1, tzinfo=UTC).timestamp() * 1000)


def _next_month(ms: int) -> int:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return int(datetime(year, month, 1, tzinfo=UTC).timestamp() * 1000)


def bucket(day_ms: int, period: int, begin: int, end: int) -> tuple[int, int]:
    """[first ms, last ms] of the report period holding the day starting at ``day_ms``."""
    if period == BY_MONTH:
        first, after = _month_start(day_ms), _next_month(day_ms)
    else:
        span = period * DAY_MS
        first = begin + (day_ms - begin) // span * span
        after = first + span
    return max(first, begin), min(after, end) - 1


def charges(ctx, account: str, begin: int, end: int, keys: tuple[str, ...]) -> list:
    params = {"account": account, "begin": begin, "end": end}
    return ctx.db.execute(_charges_sql(keys), params).fetchall()


def _empty_totals() -> dict:
    totals = {"cdrCount": 0, "totalFee": 0, "totalTime": 0, "totalSuiteFee": 0}
    totals["totalSuiteFeeTime"] = 0
    for name in LEVEL_NAMES.values():
        totals.update({f"{name}Fee": 0, f"{name}Time": 0, f"{name}Count": 0})
    return totals


def _add(totals: dict, row) -> None:
    totals["cdrCount"] += row["n"]
    totals["totalFee"] += row["fee"]
    totals["totalTime"] += row["fee_time"]
    totals["totalSuiteFee"] += row["suite_fee"]
    totals["totalSuiteFeeTime"] += row["suite_fee_time"]
    level = LEVEL_NAMES.get(row["level"])
    if level:
        totals[f"{level}Fee"] += row["fee"]
        totals[f"{level}Time"] += row["fee_time"]
        totals[f"{level}Count"] += row["n"]


def _as_money(totals: dict) -> dict:
    return {k: from_e4(v) if k.endswith("Fee") else v for k, v in totals.items()}


def _grouped(ctx, account, req, keys, key) -> list[tuple[tuple, dict]]:
    """Totals per (period, key(row)) for one account, in period then key order."""
    begin, end = day_range(req)
    period = _period_of(req)
    groups: dict[tuple, dict] = defaultdict(_empty_totals)
    for row in charges(ctx, account, begin, end, keys):
        k = key(row)
        if k is None:
            continue
        _add(groups[(bucket(row["day"] * DAY_MS, period, begin, end), k)], row)
    return sorted(groups.items())


def _accounts(value) -> list[str]:
    if not value:
        raise SimError(codes.MISS_PARAMETERS)
    return list(dict.fromkeys([value] if isinstance(value, str) else value))


def _owner(ctx, account: str) -> dict:
    row = get_customer_row(ctx, account) or {"name": "", "agent_account": ""}
    return {"account": account, "accountName": row["name"], "agentAccount": row["agent_account"]}


@handler("GetReportCustomerFee")
def get_report_customer_fee(ctx, req: dict) -> dict:
    out = []
    for account in _accounts(req.get("accounts")):
        owner = _owner(ctx, account)
        for ((first, last), _), totals in _grouped(ctx, account, req, ("level",), lambda r: ()):
            info = {"beginTime": first, "endTime": last, **owner, **_as_money(totals)}
            out.append(catalog_objects.project("InfoReportCustomerFee", info))
    return {"infoReportCustomerFees": out}


@handler("GetReportPhoneFee")
def get_report_phone_fee(ctx, req: dict) -> dict:
    wanted = set(req.get("e164s") or ())

    def key(row):
        if wanted and row["e164"] not in wanted:
            return None
        return (row["e164"], row["callee_billing"])

    out = []
    for account in _accounts(req.get("accounts")):
        owner = _owner(ctx, account)
        for ((first, last), (e164, callee_billing)), totals in _grouped(
            ctx, account, req, ("e164", "callee_billing", "level"), key
        ):
            info = {
                "beginTime": first,
                "endTime": last,
                "e164": e164,
                "calleeBilling": callee_billing,
                **owner,
                **_as_money(totals),
            }
            out.append(catalog_objects.project("InfoReportPhoneFee", info))
    return {"infoReportPhoneFees": out}


@handler("GetReportCustomerLocationFee")
def get_report_customer_location_fee(ctx, req: dict) -> dict:
    account = req.get("account")
    if not account:
        raise SimError(codes.MISS_PARAMETERS)
    area = str(req.get("areaCode") or "")

    def key(row):
        if area and not row["area_code"].startswith(area):
            return None
        return (row["area_code"], row["area_name"])

    owner = _owner(ctx, account)
    out = []
    keys = ("area_code", "area_name", "level")
    for ((first, last), (area_code, area_name)), totals in _grouped(ctx, account, req, keys, key):
        info = {
            "beginTime": first,
            "endTime": last,
            "areaCode": area_code,
            "areaName": area_name,
            **owner,
            **_as_money(totals),
        }
        out.append(catalog_objects.project("InfoReportCustomerLocationFee", info))
    return {catalog_objects.catalog.endpoint("GetReportCustomerLocationFee").list_field: out}
