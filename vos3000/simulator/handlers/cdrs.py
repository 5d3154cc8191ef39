"""Billing a finished call, the CDR table, GetCdr (2.46) and CreateCdr (2.50).

Every call that ends (placed, generated, disconnected, refused, or handed in through
CreateCdr) goes through ``record_call``: it prices the call at the billing account's
rate, charges the account with core's ``charge()``, then charges EACH agent up the
chain (``agent_chain``, direct agent first) at that agent's own fee rate group, and
writes one CDR plus one ``cdr_agent_fee`` row per agent. The direct agent's share is
also the CDR's agentFee / agentFeeTime / agentFeePrefix; deeper agents are only in
``cdr_agent_fee``, which is what their balances and reports come from.

Storage: ``cdr`` columns are the InfoCdr wire names (so GetCdr is a projection through
the catalog), plus ``flowNo`` (primary key; CreateCdr's flowNo) and the matched rate's
``areaCode`` / ``areaName`` (for the location report). Double fields are stored as
integers of 1/10000 (pricing.to_e4), so report totals are exact sums.
Indexes: (account, start) for GetCdr and reports; (callerGateway, stop, holdTime) and
(calleeGateway, stop, holdTime) covering the gateway ASR/ACD figures; cdr_agent_fee (agent_account,
start, ...) covering what the customer and location reports of an agent read.

A CDR's day is the UTC day of its ``start``; unanswered and refused calls are CDRs
with holdTime 0 and fee 0 and count in cdrCount. A CDR with no rate at all (refused
for that reason) has callLevel 5 and feePrefix "".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from vos3000.simulator import codes
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers import catalog_objects
from vos3000.simulator.handlers.customers import agent_chain, get_customer_row
from vos3000.simulator.handlers.money import charge
from vos3000.simulator.handlers.rates import find_rate
from vos3000.simulator.pricing import END_NORMAL, FREE, Charge, Rate, from_e4, price, to_e4
from vos3000.simulator.registry import handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS cdr (
    flowNo INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    start INTEGER NOT NULL,
    stop INTEGER NOT NULL,
    callerE164 TEXT NOT NULL DEFAULT '',
    callerAccessE164 TEXT NOT NULL DEFAULT '',
    callerProductId TEXT NOT NULL DEFAULT '',
    callerToGatewayE164 TEXT NOT NULL DEFAULT '',
    callerGateway TEXT NOT NULL DEFAULT '',
    callerip TEXT NOT NULL DEFAULT '',
    calleeE164 TEXT NOT NULL DEFAULT '',
    calleeAccessE164 TEXT NOT NULL DEFAULT '',
    calleeProductId TEXT NOT NULL DEFAULT '',
    calleeToGatewayE164 TEXT NOT NULL DEFAULT '',
    calleeGateway TEXT NOT NULL DEFAULT '',
    calleeip TEXT NOT NULL DEFAULT '',
    holdTime INTEGER NOT NULL DEFAULT 0,
    feeTime INTEGER NOT NULL DEFAULT 0,
    fee INTEGER NOT NULL DEFAULT 0,
    feePrefix TEXT NOT NULL DEFAULT '',
    suiteFee INTEGER NOT NULL DEFAULT 0,
    suiteFeeTime INTEGER NOT NULL DEFAULT 0,
    agentFee INTEGER NOT NULL DEFAULT 0,
    agentFeeTime INTEGER NOT NULL DEFAULT 0,
    agentFeePrefix TEXT NOT NULL DEFAULT '',
    agentSuiteFee INTEGER NOT NULL DEFAULT 0,
    agentSuiteFeeTime INTEGER NOT NULL DEFAULT 0,
    callLevel INTEGER NOT NULL DEFAULT 5,
    accountName TEXT NOT NULL DEFAULT '',
    agentAccount TEXT NOT NULL DEFAULT '',
    agentName TEXT NOT NULL DEFAULT '',
    endDirection INTEGER NOT NULL DEFAULT 0,
    endReason INTEGER NOT NULL DEFAULT 0,
    calleeBilling INTEGER NOT NULL DEFAULT 0,
    billingMode INTEGER NOT NULL DEFAULT 0,
    areaCode TEXT NOT NULL DEFAULT '',
    areaName TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS cdr_agent_fee (
    flow_no INTEGER NOT NULL,
    depth INTEGER NOT NULL,
    agent_account TEXT NOT NULL,
    start INTEGER NOT NULL,
    fee_e4 INTEGER NOT NULL,
    fee_time INTEGER NOT NULL,
    fee_prefix TEXT NOT NULL,
    call_level INTEGER NOT NULL,
    area_code TEXT NOT NULL,
    area_name TEXT NOT NULL,
    PRIMARY KEY (flow_no, depth)
) WITHOUT ROWID;
"""

# Created after bulk loads by the scale generator, so kept apart from the tables.
INDEXES = """
CREATE INDEX IF NOT EXISTS cdr_account_start ON cdr (account, start);
CREATE INDEX IF NOT EXISTS cdr_caller_gateway_cover ON cdr (callerGateway, stop, holdTime);
CREATE INDEX IF NOT EXISTS cdr_callee_gateway_cover ON cdr (calleeGateway, stop, holdTime);
CREATE INDEX IF NOT EXISTS cdr_agent_fee_agent_cover
    ON cdr_agent_fee (agent_account, start, call_level, area_code, area_name, fee_e4, fee_time);
"""
SCHEMA += INDEXES

DAY_MS = 86_400_000
DEFAULT_CALL_LEVEL = 5

# billingMode of InfoCdr / CreateCdr
BY_PHONE, BY_MAPPING_GATEWAY, BY_BINDED_E164, BY_ACTIVE_CARD = 0, 1, 2, 3
END_BY_CALLER, END_BY_SERVER = 0, 2


@dataclass
class Payer:
    """One account that pays for a call: the billing account, then each agent up."""

    account: str
    name: str
    rate: Rate | None


@dataclass
class CallFacts:
    """What the switch knows about a finished call; ``record_call`` adds the money."""

    account: str
    fee_rate_group: str
    caller_e164: str
    callee_e164: str
    start: int
    stop: int
    hold_time: int
    end_reason: int = END_NORMAL
    end_direction: int = END_BY_CALLER
    billing_mode: int = BY_PHONE
    caller_access_e164: str = ""
    callee_access_e164: str = ""
    caller_product_id: str = ""
    callee_product_id: str = ""
    caller_to_gateway_e164: str = ""
    callee_to_gateway_e164: str = ""
    caller_gateway: str = ""
    callee_gateway: str = ""
    caller_ip: str = ""
    callee_ip: str = ""
    flow_no: int | None = None


def fee_rate_group_of(ctx, account: str, phone: dict | None = None) -> str:
    """The group a call is priced by: the phone's ``feerateGroup``, else the account's."""
    if phone and phone.get("feerate_group"):
        return phone["feerate_group"]
    row = get_customer_row(ctx, account)
    return row["fee_rate_group"] if row else ""


def payers(ctx, account: str, fee_rate_group: str, callee: str) -> list[Payer]:
    """The billing account at ``fee_rate_group``, then every agent at its own group."""
    row = get_customer_row(ctx, account)
    out = [Payer(account, row["name"] if row else "", find_rate(ctx.db, fee_rate_group, callee))]
    for agent in agent_chain(ctx, account):
        agent_row = get_customer_row(ctx, agent)
        out.append(
            Payer(agent, agent_row["name"], find_rate(ctx.db, agent_row["fee_rate_group"], callee))
        )
    return out


def _charge_of(payer: Payer, hold_time: int) -> Charge:
    return price(payer.rate, hold_time) if payer.rate else FREE


def record_call(ctx, facts: CallFacts) -> int:
    """Bill a finished call to its account and every agent, and write its CDR.

    Returns the CDR's flowNo. Balances move at the call's stop time.
    """
    chain = payers(ctx, facts.account, facts.fee_rate_group, facts.callee_e164)
    charges = [_charge_of(p, facts.hold_time) for p in chain]
    for payer, cost in zip(chain, charges, strict=True):
        if cost.fee:
            charge(ctx, payer.account, cost.fee, now_ms=facts.stop)
    customer, own = chain[0], charges[0]
    agent = chain[1] if len(chain) > 1 else Payer("", "", None)
    agent_cost = charges[1] if len(chain) > 1 else FREE
    rate = customer.rate
    values = {
        "flowNo": facts.flow_no,
        "account": facts.account,
        "start": facts.start,
        "stop": facts.stop,
        "callerE164": facts.caller_e164,
        "callerAccessE164": facts.caller_access_e164 or facts.caller_e164,
        "callerProductId": facts.caller_product_id,
        "callerToGatewayE164": facts.caller_to_gateway_e164,
        "callerGateway": facts.caller_gateway,
        "callerip": facts.caller_ip,
        "calleeE164": facts.callee_e164,
        "calleeAccessE164": facts.callee_access_e164 or facts.callee_e164,
        "calleeProductId": facts.callee_product_id,
        "calleeToGatewayE164": facts.callee_to_gateway_e164,
        "calleeGateway": facts.callee_gateway,
        "calleeip": facts.callee_ip,
        "holdTime": facts.hold_time,
        "feeTime": own.fee_time,
        "fee": to_e4(own.fee),
        "feePrefix": rate.fee_prefix if rate else "",
        "agentFee": to_e4(agent_cost.fee),
        "agentFeeTime": agent_cost.fee_time,
        "agentFeePrefix": agent.rate.fee_prefix if agent.rate else "",
        "callLevel": rate.type if rate else DEFAULT_CALL_LEVEL,
        "accountName": customer.name,
        "agentAccount": agent.account,
        "agentName": agent.name,
        "endDirection": facts.end_direction,
        "endReason": facts.end_reason,
        "billingMode": facts.billing_mode,
        "areaCode": rate.area_code if rate else "",
        "areaName": rate.area_name if rate else "",
    }
    # Column names are the constant keys above, never request data.
    columns = ", ".join(values)
    marks = ", ".join("?" * len(values))
    insert = f"INSERT INTO cdr ({columns}) VALUES ({marks}) RETURNING flowNo"  # noqa: S608
    flow_no = ctx.db.execute(insert, tuple(values.values())).fetchone()[0]
    ctx.db.executemany(
        "INSERT INTO cdr_agent_fee (flow_no, depth, agent_account, start, fee_e4, fee_time,"
        " fee_prefix, call_level, area_code, area_name) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (
                flow_no,
                depth,
                payer.account,
                facts.start,
                to_e4(cost.fee),
                cost.fee_time,
                payer.rate.fee_prefix if payer.rate else "",
                payer.rate.type if payer.rate else DEFAULT_CALL_LEVEL,
                payer.rate.area_code if payer.rate else "",
                payer.rate.area_name if payer.rate else "",
            )
            for depth, (payer, cost) in enumerate(zip(chain, charges, strict=True))
            if depth > 0
        ],
    )
    return flow_no


def cdr_info(row) -> dict:
    """A ``cdr`` row as the manual's InfoCdr (Double fields back from 1/10000 units)."""
    values = dict(row)
    for field in catalog_objects.catalog.TYPES["InfoCdr"]:
        if field.type.lower() == "double":
            values[field.name] = from_e4(values[field.name])
    return catalog_objects.project("InfoCdr", values)


# -- days ----------------------------------------------------------------------------------


def parse_day(text) -> int:
    """``yyyyMMdd`` (a UTC day) -> epoch ms of its midnight."""
    try:
        day = datetime.strptime(str(text), "%Y%m%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise SimError(codes.INPUT_ERROR, f"Bad date {text!r}: yyyyMMdd expected.") from exc
    return int(day.timestamp() * 1000)


def day_range(req: dict) -> tuple[int, int]:
    """[begin, end) in ms for the request's beginTime..endTime, both days included."""
    if not req.get("beginTime") or not req.get("endTime"):
        raise SimError(codes.MISS_PARAMETERS)
    begin, end = parse_day(req["beginTime"]), parse_day(req["endTime"]) + DAY_MS
    if end <= begin:
        raise SimError(codes.INPUT_ERROR, "endTime is before beginTime.")
    return begin, end


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    return [value] if isinstance(value, str) else list(value)


# -- endpoints -----------------------------------------------------------------------------

_FILTERS = ("callerE164", "calleeE164", "callerGateway", "calleeGateway")


@handler("GetCdr")
def get_cdr(ctx, req: dict) -> dict:
    accounts = _as_list(req.get("accounts"))
    if not accounts:
        raise SimError(codes.MISS_PARAMETERS)
    begin, end = day_range(req)
    if (end - begin) // DAY_MS > int(getattr(ctx.settings, "cdr_max_days", 31) or 31):
        raise SimError(codes.RANGE_TOO_WIDE)
    conditions = ["account = ?", "start >= ?", "start < ?"]
    filters = [(name, req[name]) for name in _FILTERS if req.get(name)]
    conditions += [f"{name} = ?" for name, _ in filters]  # names from _FILTERS only
    sql = f"SELECT * FROM cdr WHERE {' AND '.join(conditions)} ORDER BY start, flowNo"  # noqa: S608
    infos = []
    for account in dict.fromkeys(accounts):
        rows = ctx.db.execute(sql, (account, begin, end, *(value for _, value in filters)))
        infos.extend(cdr_info(row) for row in rows)
    infos.sort(key=lambda info: info["start"])
    return {"infoCdrs": infos}


def _phone(ctx, e164: str) -> dict | None:
    from vos3000.simulator.handlers.phones import phone_row

    return phone_row(ctx, e164) if e164 else None


def _billing_account(ctx, req: dict, phone: dict | None) -> str | None:
    """CreateCdr's account: as given, else by billingMode (2.50)."""
    from vos3000.simulator.handlers import money

    if req.get("account"):
        return req["account"]
    mode = int(req.get("billingMode") or 0)
    caller = req.get("callerE164") or ""
    if mode == BY_PHONE:
        return phone["account"] if phone else None
    if mode == BY_MAPPING_GATEWAY:
        return money.owner_account(ctx, money.OWNER_MAPPING_GATEWAY, req.get("callerGatewayId"))
    owner = {BY_BINDED_E164: money.OWNER_BINDED_E164, BY_ACTIVE_CARD: money.OWNER_ACTIVE_CARD}
    if mode in owner and owner[mode] in money.OWNER_RESOLVERS:
        return money.OWNER_RESOLVERS[owner[mode]](ctx, caller)
    raise SimError(codes.INPUT_ERROR, f"billingMode {mode} is not supported.")


@handler("CreateCdr")
def create_cdr(ctx, req: dict) -> dict:
    flow_no = req.get("flowNo")
    flow_no = None if flow_no is None or int(flow_no) < 0 else int(flow_no)
    if (
        flow_no is not None
        and ctx.db.execute("SELECT 1 FROM cdr WHERE flowNo = ?", (flow_no,)).fetchone()
    ):
        return {}  # "if conflict will not billing": the CDR is already there
    caller = req.get("callerE164") or ""
    mode = int(req.get("billingMode") or 0)
    phone = _phone(ctx, caller) if mode == BY_PHONE else None
    account = _billing_account(ctx, req, phone)
    if not account or get_customer_row(ctx, account) is None:
        raise SimError(codes.NOT_FOUND, "Billing account not found, operation failed.")
    start = int(req.get("startTime") or ctx.now_ms())
    stop = int(req.get("stopTime") or start)
    record_call(
        ctx,
        CallFacts(
            account=account,
            fee_rate_group=fee_rate_group_of(ctx, account, phone),
            caller_e164=caller,
            callee_e164=req.get("calleeE164") or "",
            start=start,
            stop=stop,
            hold_time=max(0, int(req.get("billingTime") or 0)),
            end_reason=int(req.get("endReason") or END_NORMAL),
            end_direction=int(req.get("endDirection") or END_BY_CALLER),
            billing_mode=mode,
            caller_product_id=req.get("callerProductId") or "",
            callee_product_id=req.get("calleeProductId") or "",
            caller_to_gateway_e164=req.get("callerToGatewayE164") or "",
            callee_to_gateway_e164=req.get("calleeToGatewayE164") or "",
            caller_gateway=req.get("callerGatewayId") or "",
            callee_gateway=req.get("calleeGatewayId") or "",
            caller_ip=req.get("callerIp") or "",
            callee_ip=req.get("calleeIp") or "",
            flow_no=flow_no,
        ),
    )
    return {}


def gateway_totals(ctx, side: str, name: str, since_ms: int) -> tuple[int, int, int]:
    """(attempted, answered, answered seconds) of the CDRs of a gateway stopped since then.

    ``side`` "caller" (mapping gateways) or "callee" (routing gateways).
    """
    column = {"caller": "callerGateway", "callee": "calleeGateway"}[side]
    sql = (
        "SELECT count(*), coalesce(sum(holdTime > 0), 0), coalesce(sum(holdTime), 0)"  # noqa: S608
        f" FROM cdr WHERE {column} = ? AND stop >= ?"
    )
    row = ctx.db.execute(sql, (name, since_ms)).fetchone()
    return row[0], row[1], row[2]
