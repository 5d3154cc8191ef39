"""Calls: GetCurrentCall (2.20), DisconnectCurrentCall (2.75), CallBack (2.59),
PlayAudio (2.60), ReserveCalleeE164 (2.65), the ``place_call`` control action and the
background traffic generator.

A call is admitted or refused when it starts:

* the caller must be a phone of the platform, not locked for calling out (lockType 1/3),
  its account not locked or expired;
* the billing account (the phone's) and each agent above it need a rate for the callee
  (END_NO_RATE), not locked (END_RATE_LOCKED), within the phone's callLevel
  (END_CALL_LEVEL), and balance + overdraft covering the first billing period
  (END_BALANCE).

A refused call is a CDR at once (holdTime 0, fee 0, its end reason). An admitted call is
a row of ``current_call`` until its end time; its talk time is capped by what the
poorest payer of the chain can afford (then it ends with END_BALANCE). Calls end by the
simulator's clock: the ``advance`` hook and a one-second ticker write the CDR of every
call whose end time has passed (``settle_due_calls``), at the call's own stop time.

Routing: a callee that is a phone of the platform is called directly (no callee
gateway); otherwise the first of the rest handlers' ``routing_candidates``; with none, the
call still completes "phone to PSTN" with an empty callee gateway.
"""

from __future__ import annotations

import logging
import random
import threading

from vos3000.simulator import codes
from vos3000.simulator.codes import SimError
from vos3000.simulator.handlers import catalog_objects
from vos3000.simulator.handlers.cdrs import (
    END_BY_CALLER,
    END_BY_SERVER,
    CallFacts,
    fee_rate_group_of,
    payers,
    record_call,
)
from vos3000.simulator.handlers.customers import get_customer_row
from vos3000.simulator.handlers.money import available_credit
from vos3000.simulator.handlers.phones import phone_row
from vos3000.simulator.pricing import (
    END_ACCOUNT_LOCKED,
    END_BALANCE,
    END_CALL_LEVEL,
    END_NO_ANSWER,
    END_NO_RATE,
    END_NORMAL,
    END_RATE_LOCKED,
    END_SERVER_RELEASE,
    MAX_CALL_SECONDS,
    available_seconds,
    call_level_allowed,
    first_period_cost,
    money,
)
from vos3000.simulator.registry import ADVANCE_HOOKS, BACKGROUND, RESET_HOOKS, control, handler

SCHEMA = """
CREATE TABLE IF NOT EXISTS current_call (
    callId INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    fee_rate_group TEXT NOT NULL,
    billing_mode INTEGER NOT NULL DEFAULT 0,
    caller_e164 TEXT NOT NULL,
    callee_e164 TEXT NOT NULL,
    caller_access_e164 TEXT NOT NULL DEFAULT '',
    callee_access_e164 TEXT NOT NULL DEFAULT '',
    caller_gateway TEXT NOT NULL DEFAULT '',
    callee_gateway TEXT NOT NULL DEFAULT '',
    caller_ip TEXT NOT NULL DEFAULT '',
    callee_ip TEXT NOT NULL DEFAULT '',
    caller_product_id TEXT NOT NULL DEFAULT '',
    callee_product_id TEXT NOT NULL DEFAULT '',
    callee_to_gateway_e164 TEXT NOT NULL DEFAULT '',
    begin_ms INTEGER NOT NULL,
    connect_ms INTEGER NOT NULL DEFAULT 0,
    end_ms INTEGER NOT NULL,
    end_reason INTEGER NOT NULL,
    end_direction INTEGER NOT NULL DEFAULT 0,
    state INTEGER NOT NULL DEFAULT -11
);
CREATE INDEX IF NOT EXISTS current_call_end ON current_call (end_ms);
"""

# InfoCurrentCall keepTime states used while a call is not connected.
STATE_SETUP = -1
STATE_RINGING = -11
STATE_CONNECT = -6
STATE_RELEASE = -13

CODEC = "G729"
DTMF_RFC2833 = 10
# G.729 with 20 ms frames: 50 packets a second of 20 bytes payload + 40 bytes headers.
RTP_PACKETS_PER_SECOND = 50
RTP_BYTES_PER_PACKET = 60

# How long the simulator lets calls it cannot know the length of last.
CALLBACK_SECONDS = 60
AUDIO_SECONDS_PER_FILE = 10
RESERVE_SECONDS = 60

_LOCK_CALL_OUT = (1, 3)

log = logging.getLogger("vos3000.simulator.calls")


class Refused(Exception):
    def __init__(self, reason: int):
        super().__init__(reason)
        self.reason = reason


# -- admission -------------------------------------------------------------------------------


def _caller_phone(ctx, e164: str) -> dict:
    phone = phone_row(ctx, e164)
    if phone is None:
        raise SimError(codes.NOT_FOUND, f"Phone {e164} not found, operation failed.")
    return phone


def affordable_seconds(ctx, account: str, fee_rate_group: str, callee: str, call_level=None):
    """Longest talk time the account and its agents can pay for; raises Refused.

    ``call_level`` is the calling phone's callLevel (None: no limit).
    """
    customer = get_customer_row(ctx, account)
    if customer is None:
        raise SimError(codes.NOT_FOUND, f"Account {account} not found, operation failed.")
    if customer["lock_type"] or customer["valid_time"] < ctx.now_ms():
        raise Refused(END_ACCOUNT_LOCKED)
    seconds = MAX_CALL_SECONDS
    for payer in payers(ctx, account, fee_rate_group, callee):
        if payer.rate is None:
            raise Refused(END_NO_RATE)
        if payer.rate.lock_type:
            raise Refused(END_RATE_LOCKED)
        if payer.account == account and not call_level_allowed(call_level, payer.rate):
            raise Refused(END_CALL_LEVEL)
        credit = money(available_credit(ctx, payer.account))
        if first_period_cost(payer.rate) > credit:
            raise Refused(END_BALANCE)
        seconds = min(seconds, available_seconds(payer.rate, credit))
    return seconds


def _route(ctx, callee: str) -> dict:
    """Where the call goes: a phone of the platform, a routing gateway, or plain PSTN."""
    target = phone_row(ctx, callee)
    if target is not None:
        registration = ctx.sim.registrations.get(callee) or {}
        return {
            "callee_ip": registration.get("remoteIp", ""),
            "callee_product_id": registration.get("productId", ""),
        }
    from vos3000.simulator.handlers.gateways import routing_candidates

    candidates = routing_candidates(ctx, callee)
    if not candidates:
        return {"callee_to_gateway_e164": callee}
    gateway = candidates[0]
    online = ctx.sim.live.get("gateway_registrations", {}).get(("routing", gateway["name"]))
    return {
        "callee_gateway": gateway["name"],
        "callee_ip": gateway.get("remoteIp") or (online or {}).get("localIp", ""),
        "callee_product_id": gateway["name"],
        "callee_to_gateway_e164": callee,
    }


def start_call(
    ctx,
    caller: str,
    callee: str,
    *,
    seconds: int,
    answered: bool = True,
    ring_seconds: int = 0,
    end_reason: int | None = None,
    account: str | None = None,
    billing_mode: int = 0,
    access_e164: str = "",
    state: int = STATE_RINGING,
) -> dict:
    """Start one call now; returns {"callId"} or {"refused": reason, "flowNo"}.

    The caller is a phone of the platform (its account pays) unless ``account`` says
    who pays (callbacks: the caller is then any number). ``seconds`` is the talk time of
    an answered call, or how long an unanswered one rings.
    """
    now = ctx.now_ms()
    phone = None if account else _caller_phone(ctx, caller)
    account = account or phone["account"]
    group = fee_rate_group_of(ctx, account, phone)
    registration = ctx.sim.registrations.get(caller) or {}
    facts = CallFacts(
        account=account,
        fee_rate_group=group,
        caller_e164=caller,
        callee_e164=callee,
        start=now,
        stop=now,
        hold_time=0,
        billing_mode=billing_mode,
        caller_access_e164=access_e164,
        caller_ip=registration.get("remoteIp", ""),
        caller_product_id=registration.get("productId", ""),
    )
    try:
        if phone is not None and phone["lock_type"] in _LOCK_CALL_OUT:
            raise Refused(END_ACCOUNT_LOCKED)
        affordable = affordable_seconds(
            ctx, account, group, callee, phone["call_level"] if phone else None
        )
    except Refused as refused:
        facts.end_reason = refused.reason
        facts.end_direction = END_BY_SERVER
        return {"refused": refused.reason, "flowNo": record_call(ctx, facts)}
    route = _route(ctx, callee)
    seconds = max(0, int(seconds))
    if answered:
        talk = min(seconds, affordable)
        reason = END_BALANCE if talk < seconds else (end_reason or END_NORMAL)
        connect_ms = now + max(0, int(ring_seconds)) * 1000
        end_ms = connect_ms + talk * 1000
    else:
        reason = end_reason or END_NO_ANSWER
        connect_ms = 0
        end_ms = now + seconds * 1000
    call_id = ctx.db.execute(
        "INSERT INTO current_call (account, fee_rate_group, billing_mode, caller_e164,"
        " callee_e164, caller_access_e164, caller_ip, caller_product_id, callee_gateway,"
        " callee_ip, callee_product_id, callee_to_gateway_e164, begin_ms, connect_ms, end_ms,"
        " end_reason, end_direction, state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
        " RETURNING callId",
        (
            account,
            group,
            billing_mode,
            caller,
            callee,
            access_e164,
            facts.caller_ip,
            facts.caller_product_id,
            route.get("callee_gateway", ""),
            route.get("callee_ip", ""),
            route.get("callee_product_id", ""),
            route.get("callee_to_gateway_e164", ""),
            now,
            connect_ms,
            end_ms,
            reason,
            END_BY_SERVER if reason == END_BALANCE else END_BY_CALLER,
            state,
        ),
    ).fetchone()[0]
    call = ctx.db.execute("SELECT * FROM current_call WHERE callId = ?", (call_id,)).fetchone()
    _push_state(ctx, call, STATE_CONNECT if connect_ms == now else state, now)
    return {"callId": call_id, "endTime": end_ms}


def _push_state(ctx, call, state: int, at_ms: int) -> None:
    """CallStateReport (3.4) of a ``current_call`` row."""
    ctx.push(
        "CallStateReport",
        catalog_objects.complete(
            catalog_objects.catalog.PUSHES["CallStateReport"].request,
            {
                "callId": call["callId"],
                "callState": state,
                "eventTime": at_ms,
                "callerE164": call["caller_e164"],
                "calleeE164": call["callee_e164"],
                "callerGatewayId": call["caller_gateway"],
                "calleeGatewayId": call["callee_gateway"],
                "callerIp": call["caller_ip"],
                "calleeIp": call["callee_ip"],
            },
        ),
    )


# -- ending ----------------------------------------------------------------------------------


def _finish(ctx, call, stop_ms: int, reason: int, direction: int) -> int:
    connected = call["connect_ms"] and call["connect_ms"] <= stop_ms
    # Talk time to the nearest second (a disconnect lands between whole seconds).
    hold = (stop_ms - call["connect_ms"] + 500) // 1000 if connected else 0
    flow_no = record_call(
        ctx,
        CallFacts(
            account=call["account"],
            fee_rate_group=call["fee_rate_group"],
            caller_e164=call["caller_e164"],
            callee_e164=call["callee_e164"],
            start=call["connect_ms"] if connected else call["begin_ms"],
            stop=stop_ms,
            hold_time=hold,
            end_reason=reason,
            end_direction=direction,
            billing_mode=call["billing_mode"],
            caller_access_e164=call["caller_access_e164"],
            caller_gateway=call["caller_gateway"],
            callee_gateway=call["callee_gateway"],
            caller_ip=call["caller_ip"],
            callee_ip=call["callee_ip"],
            caller_product_id=call["caller_product_id"],
            callee_product_id=call["callee_product_id"],
            callee_to_gateway_e164=call["callee_to_gateway_e164"],
        ),
    )
    ctx.db.execute("DELETE FROM current_call WHERE callId = ?", (call["callId"],))
    _push_state(ctx, call, STATE_RELEASE, stop_ms)
    return flow_no


def settle_due_calls(ctx) -> int:
    """Write the CDRs of calls whose end time has passed; returns how many ended."""
    due = ctx.db.execute(
        "SELECT * FROM current_call WHERE end_ms <= ? ORDER BY end_ms, callId", (ctx.now_ms(),)
    ).fetchall()
    for call in due:
        _finish(ctx, call, call["end_ms"], call["end_reason"], call["end_direction"])
    return len(due)


def _settle(sim) -> None:
    # A cheap read first: the ticker runs every second and should not take the write lock
    # for nothing.
    with sim.transaction(write=False) as ctx:
        due = ctx.db.execute(
            "SELECT 1 FROM current_call WHERE end_ms <= ? LIMIT 1", (ctx.now_ms(),)
        ).fetchone()
    if due:
        with sim.transaction() as ctx:
            settle_due_calls(ctx)


# -- current calls ---------------------------------------------------------------------------


def _rtp_flow(elapsed_ms: int) -> dict:
    packets = elapsed_ms * RTP_PACKETS_PER_SECOND // 1000
    return {
        "rtpPackets": packets,
        "rtpBytes": packets * RTP_BYTES_PER_PACKET,
        "rtpDuration": elapsed_ms * 1000,
    }


def _current_call_info(call, now: int) -> dict:
    connected = bool(call["connect_ms"]) and call["connect_ms"] <= now
    elapsed = now - call["connect_ms"] if connected else 0
    audio = _rtp_flow(elapsed)
    return catalog_objects.project(
        "InfoCurrentCall",
        {
            "callerE164": call["caller_e164"],
            "calleeE164": call["callee_e164"],
            "callerGatewayId": call["caller_gateway"],
            "calleeGatewayId": call["callee_gateway"],
            "connectedTime": call["connect_ms"] if connected else 0,
            "keepTime": max(1, elapsed) if connected else call["state"],
            "callCodec": CODEC,
            "callerCodec": CODEC,
            "calleeCodec": CODEC,
            "callerRtpIp": call["caller_ip"],
            "calleeRtpIp": call["callee_ip"],
            "callerReceiveDtmf": DTMF_RFC2833,
            "callerSendDtmf": DTMF_RFC2833,
            "calleeReceiveDtmf": DTMF_RFC2833,
            "calleeSendDtmf": DTMF_RFC2833,
            "callerInfoRtpFlowAudio": audio,
            "calleeInfoRtpFlowAudio": audio,
            "callerTerminal": call["caller_product_id"],
            "calleeTerminal": call["callee_product_id"],
            "callId": call["callId"],
        },
    )


def _live_rows(ctx):
    now = ctx.now_ms()
    rows = ctx.db.execute(
        "SELECT * FROM current_call WHERE end_ms > ? AND begin_ms <= ? ORDER BY callId",
        (now, now),
    )
    return now, rows.fetchall()


def current_calls(ctx) -> list[dict]:
    """Every call in progress as InfoCurrentCall (also used by the system handlers)."""
    now, rows = _live_rows(ctx)
    return [_current_call_info(row, now) for row in rows]


def _calls_of_phone(sim, e164: str) -> int:
    with sim.transaction(write=False) as ctx:
        return ctx.db.execute(
            "SELECT count(*) FROM current_call WHERE end_ms > ? AND (caller_e164 = ?"
            " OR callee_e164 = ?)",
            (ctx.now_ms(), e164, e164),
        ).fetchone()[0]


@handler("GetCurrentCall")
def get_current_call(ctx, req: dict) -> dict:
    callers = set(req.get("callerE164s") or ())
    callees = set(req.get("calleeE164s") or ())
    return {
        "infoCurrentCalls": [
            info
            for info in current_calls(ctx)
            if (not callers or info["callerE164"] in callers)
            and (not callees or info["calleeE164"] in callees)
        ]
    }


@handler("DisconnectCurrentCall")
def disconnect_current_call(ctx, req: dict) -> dict:
    call_id = req.get("CallIds", req.get("callIds"))
    if call_id is None:
        raise SimError(codes.MISS_PARAMETERS)
    ids = call_id if isinstance(call_id, list) else [call_id]
    now = ctx.now_ms()
    calls = [
        ctx.db.execute(
            "SELECT * FROM current_call WHERE callId = ? AND end_ms > ?", (int(i), now)
        ).fetchone()
        for i in ids
    ]
    if not calls or any(call is None for call in calls):
        raise SimError(codes.NOT_FOUND, "Call not found, operation failed.")
    for call in calls:
        _finish(ctx, call, now, END_SERVER_RELEASE, END_BY_SERVER)
    return {}


# -- access-number services ------------------------------------------------------------------


def _access_phone(ctx, e164: str, password) -> dict:
    phone = phone_row(ctx, e164 or "")
    if phone is None:
        raise SimError(codes.NOT_FOUND, f"Access number {e164} not found, operation failed.")
    stored = phone["info"].get("password") or ""
    if stored and str(password or "") != stored:
        raise SimError(codes.ACCESS_PASSWORD_WRONG)
    return phone


def _billing_phone_account(ctx, e164: str | None, password, fallback: str) -> str:
    """A billing number's phone account (its password checked when it has one)."""
    if not e164:
        return fallback
    return _access_phone(ctx, e164, password)["account"]


@handler("CallBack")
def call_back(ctx, req: dict) -> dict:
    access = _access_phone(ctx, req.get("accessE164"), req.get("accessE164Password"))
    first = _billing_phone_account(
        ctx, req.get("callbackBillingE164"), req.get("callbackBillingPassword"), access["account"]
    )
    second = _billing_phone_account(
        ctx, req.get("calloutBillingE164"), req.get("calloutBillingPassword"), first
    )
    user = req.get("callerE164") or ""
    callees = [c.strip() for c in str(req.get("calleeE164s") or "").split(",") if c.strip()]
    if not user or not callees:
        raise SimError(codes.MISS_PARAMETERS)
    legs = [(access["e164"], user, first)] + [(user, callee, second) for callee in callees]
    for caller, callee, account in legs:
        start_call(
            ctx,
            caller,
            callee,
            seconds=CALLBACK_SECONDS,
            account=account,
            access_e164=access["e164"],
        )
    return {}


@handler("PlayAudio")
def play_audio(ctx, req: dict) -> dict:
    access = _access_phone(ctx, req.get("accessE164"), req.get("accessE164Password"))
    audios = [a for a in str(req.get("audioes") or "").split(",") if a.strip()]
    if not audios or not req.get("callee"):
        raise SimError(codes.MISS_PARAMETERS)
    start_call(
        ctx,
        access["e164"],
        req["callee"],
        seconds=AUDIO_SECONDS_PER_FILE * len(audios),
        account=access["account"],
        access_e164=access["e164"],
    )
    return {}


@handler("ReserveCalleeE164")
def reserve_callee_e164(ctx, req: dict) -> dict:
    """Visible as a call in Setup until the caller dials in or RESERVE_SECONDS pass."""
    access = _access_phone(ctx, req.get("accessE164"), req.get("accessE164Password"))
    if not req.get("callerE164") or not req.get("calleeE164"):
        raise SimError(codes.MISS_PARAMETERS)
    start_call(
        ctx,
        req["callerE164"],
        req["calleeE164"],
        seconds=RESERVE_SECONDS,
        answered=False,
        account=access["account"],
        access_e164=access["e164"],
        state=STATE_SETUP,
    )
    return {}


# -- available time --------------------------------------------------------------------------


def _account_by_owner(ctx, owner_type: int, name: str) -> str | None:
    from vos3000.simulator.handlers import money

    if owner_type in money.OWNER_RESOLVERS:
        return money.OWNER_RESOLVERS[owner_type](ctx, name)
    if owner_type == money.OWNER_MAPPING_GATEWAY:
        try:
            return money.owner_account(ctx, owner_type, name)
        except SimError:
            return None
    return None


def _phone_card_account(ctx, name: str) -> str | None:
    """A phone card's account: an activated card's own account (account = PIN)."""
    from vos3000.simulator.handlers import money

    return _account_by_owner(ctx, money.OWNER_ACTIVE_CARD, name) or (
        name if get_customer_row(ctx, name) else None
    )


def _time_remain(ctx, name: str, callee: str, resolvers) -> dict:
    """InfoAvailableTime-like dict for the first resolver that finds the billing object."""
    for resolve in resolvers:
        found = resolve(name)
        if found:
            account, phone = found
            break
    else:
        raise SimError(codes.NOT_FOUND, f"{name} not found, operation failed.")
    row = get_customer_row(ctx, account)
    if row is None:
        raise SimError(codes.NOT_FOUND, f"Account {account} not found, operation failed.")
    try:
        if phone is not None and phone["lock_type"] in _LOCK_CALL_OUT:
            raise Refused(END_ACCOUNT_LOCKED)
        remain = affordable_seconds(
            ctx,
            account,
            fee_rate_group_of(ctx, account, phone),
            callee,
            phone["call_level"] if phone else None,
        )
    except Refused as refused:
        remain = -refused.reason
    return {
        "account": account,
        "accountName": row["name"],
        "accountMoney": row["money"],
        "timeRemain": remain,
    }


def _by_phone(ctx):
    def resolve(name):
        phone = phone_row(ctx, name)
        return (phone["account"], phone) if phone else None

    return resolve


def _by_owner(ctx, find):
    def resolve(name):
        account = find(name)
        return (account, None) if account else None

    return resolve


def _response_field(endpoint: str) -> str:
    """The response field carrying the Info object (GetAvailableTime's is capitalised)."""
    fields = catalog_objects.catalog.endpoint(endpoint).response
    return next(f.name for f in fields if f.type in catalog_objects.catalog.TYPES)


@handler("GetAvailableTime")
def get_available_time(ctx, req: dict) -> dict:
    """billingMode 0 phone, 1 mapping gateway, 2 binded number, 3 phone card, 4 card then
    mapping gateway. The routing gateway's own remain time is not simulated."""
    from vos3000.simulator.handlers import money

    mode = int(req.get("billingMode") or 0)
    gateway = _by_owner(ctx, lambda n: _account_by_owner(ctx, money.OWNER_MAPPING_GATEWAY, n))
    card = _by_owner(ctx, lambda n: _phone_card_account(ctx, n))
    binded = _by_owner(ctx, lambda n: _account_by_owner(ctx, money.OWNER_BINDED_E164, n))
    resolvers = {0: [_by_phone(ctx)], 1: [gateway], 2: [binded], 3: [card], 4: [card, gateway]}
    if mode not in resolvers:
        raise SimError(codes.INPUT_ERROR, f"billingMode {mode} is not supported.")
    info = _time_remain(ctx, req["billingName"], req["calleeE164"], resolvers[mode])
    return {_response_field("GetAvailableTime"): catalog_objects.project("InfoAvailableTime", info)}


@handler("GetIvrSecondAvailableTime")
def get_ivr_second_available_time(ctx, req: dict) -> dict:
    """billingMode 0 phone, 1 active phone card, 2 auto (binded number > phone card >
    phone), 3 caller's phone. Merged billing (mergeBillingType) is not simulated."""
    from vos3000.simulator.handlers import money

    mode = int(req.get("billingMode") or 0)
    card = _by_owner(ctx, lambda n: _phone_card_account(ctx, n))
    binded = _by_owner(ctx, lambda n: _account_by_owner(ctx, money.OWNER_BINDED_E164, n))
    phone = _by_phone(ctx)
    resolvers = {0: [phone], 1: [card], 2: [binded, card, phone], 3: [phone]}
    if mode not in resolvers:
        raise SimError(codes.INPUT_ERROR, f"billingMode {mode} is not supported.")
    info = _time_remain(ctx, req["billingName"], req["calleeE164"], resolvers[mode])
    return {
        _response_field("GetIvrSecondAvailableTime"): catalog_objects.project(
            "InfoIvrSecondAvailableTime", info
        )
    }


# -- control ---------------------------------------------------------------------------------


@control("place_call")
def place_call(sim, params: dict) -> dict:
    """One call from a phone: caller, callee, duration (s), answered, end_reason, complete.

    With ``complete`` the call is over at once (it started ``duration`` seconds ago);
    the answer then carries its flowNo (the CDR) instead of a live callId.
    """
    caller, callee = str(params["caller"]), str(params["callee"])
    duration = int(params.get("duration", 60))
    with sim.transaction() as ctx:
        started = start_call(
            ctx,
            caller,
            callee,
            seconds=duration,
            answered=bool(params.get("answered", True)),
            end_reason=params.get("end_reason"),
        )
        if "callId" in started and params.get("complete"):
            call = ctx.db.execute(
                "SELECT * FROM current_call WHERE callId = ?", (started["callId"],)
            ).fetchone()
            shift = call["end_ms"] - call["begin_ms"]
            ctx.db.execute(
                "UPDATE current_call SET begin_ms = begin_ms - ?, end_ms = end_ms - ?,"
                " connect_ms = CASE connect_ms WHEN 0 THEN 0 ELSE connect_ms - ? END"
                " WHERE callId = ?",
                (shift, shift, shift, started["callId"]),
            )
            call = ctx.db.execute(
                "SELECT * FROM current_call WHERE callId = ?", (started["callId"],)
            ).fetchone()
            started = {
                "callId": call["callId"],
                "flowNo": _finish(
                    ctx, call, call["end_ms"], call["end_reason"], call["end_direction"]
                ),
            }
    return started


# -- lifecycle: clock hooks, ticker, traffic -------------------------------------------------


def _install_live(sim) -> None:
    sim.live["current_calls_of"] = lambda e164: _calls_of_phone(sim, e164)


class Traffic:
    """Random calls at ``sim.settings.traffic`` per minute, checked once a second."""

    def __init__(self, sim, seed: int = 3000):
        self.sim = sim
        self.rng = random.Random(seed)
        self.owed = 0.0

    def tick(self, seconds: float) -> None:
        self.owed += float(self.sim.settings.traffic or 0) * seconds / 60
        while self.owed >= 1:
            self.owed -= 1
            with self.sim.transaction() as ctx:
                self.place_one(ctx)

    def place_one(self, ctx) -> dict | None:
        phones = sorted(self.sim.registrations) or [
            row[0] for row in ctx.db.execute("SELECT e164 FROM phone ORDER BY e164 LIMIT 1000")
        ]
        if not phones:
            return None
        caller = self.rng.choice(phones)
        callee = self._callee(ctx, caller, phones)
        if callee is None:
            return None
        answered = self.rng.random() < 0.8
        seconds = int(self.rng.expovariate(1 / 120)) + 5 if answered else self.rng.randint(5, 30)
        return start_call(
            ctx,
            caller,
            callee,
            seconds=min(seconds, 1800),
            answered=answered,
            ring_seconds=self.rng.randint(2, 8) if answered else 0,
        )

    def _callee(self, ctx, caller: str, phones: list[str]) -> str | None:
        others = [p for p in phones if p != caller]
        if others and self.rng.random() < 0.25:
            return self.rng.choice(others)
        phone = phone_row(ctx, caller)
        group = fee_rate_group_of(ctx, phone["account"], phone)
        prefixes = [
            row[0]
            for row in ctx.db.execute(
                "SELECT fee_prefix FROM fee_rate WHERE group_name = ? AND lock_type = 0",
                (group,),
            )
        ]
        if not prefixes:
            return None
        prefix = self.rng.choice(sorted(prefixes))
        digits = max(0, 11 - len(prefix))
        return prefix + "".join(self.rng.choice("0123456789") for _ in range(digits))


def _start_ticker(sim):
    """Background work: end due calls every second, and generate traffic if asked to."""
    _install_live(sim)
    traffic = Traffic(sim)

    def run() -> None:
        while not sim.stopping.wait(1.0):
            try:
                _settle(sim)
                traffic.tick(1.0)
            except Exception:  # keep ticking; the next second may succeed
                log.exception("call ticker failed")

    thread = threading.Thread(target=run, name="sim-calls", daemon=True)
    thread.start()
    return lambda: thread.join(timeout=2)


ADVANCE_HOOKS.append(_settle)
RESET_HOOKS.append(_install_live)
BACKGROUND.append(_start_ticker)
