"""Calls on the simulator over HTTP: pricing through the agent chain, refusals, live calls,
disconnects, access-number services, available time and the traffic generator.

The world (``build_world``): reseller r1 (CARRIER rates) > sub-reseller r1a (WHOLESALE) >
customer c1 (RETAIL) with phones 1001 and 1002 (1002 limited to local calls).
Fees in the tests are computed by hand from the tables below.
"""

from __future__ import annotations

import time

import pytest

from vos3000.simulator import codes, pricing
from vos3000.tests.simhttp import call, ok

RATES = {
    "RETAIL": [
        {"feePrefix": "49", "areaName": "Germany", "fee": 0.04, "period": 60},
        {"feePrefix": "44", "areaName": "United Kingdom", "fee": 0.12, "period": 60},
        {
            "feePrefix": "447",
            "areaName": "United Kingdom Mobile",
            "fee": 0.30,
            "period": 6,
            "infoFeeRateSections": [{"position": 1, "time": 30, "fee": 0.2}],
        },
        {"feePrefix": "1", "areaName": "USA", "fee": 0.05, "period": 6},
        {"feePrefix": "33", "areaName": "France", "fee": 0.02, "period": 60, "type": 4},
        {"feePrefix": "86", "areaName": "China", "fee": 0.05, "period": 60, "lockType": 1},
        {"feePrefix": "100", "areaName": "On net", "fee": 0, "period": 60, "type": 1},
    ],
    "WHOLESALE": [
        {"feePrefix": "49", "areaName": "Germany", "fee": 0.02, "period": 60},
        {"feePrefix": "44", "areaName": "United Kingdom", "fee": 0.06, "period": 60},
        {"feePrefix": "447", "areaName": "United Kingdom Mobile", "fee": 0.15, "period": 6},
        {"feePrefix": "1", "areaName": "USA", "fee": 0.02, "period": 6},
        {"feePrefix": "33", "areaName": "France", "fee": 0.01, "period": 60, "type": 4},
        {"feePrefix": "86", "areaName": "China", "fee": 0.02, "period": 60},
        {"feePrefix": "100", "areaName": "On net", "fee": 0, "period": 60, "type": 1},
    ],
    "CARRIER": [
        {"feePrefix": "49", "areaName": "Germany", "fee": 0.01, "period": 60},
        {"feePrefix": "44", "areaName": "United Kingdom", "fee": 0.03, "period": 60},
        {"feePrefix": "447", "areaName": "United Kingdom Mobile", "fee": 0.09, "period": 1},
        {"feePrefix": "1", "areaName": "USA", "fee": 0.01, "period": 1},
        {"feePrefix": "33", "areaName": "France", "fee": 0.005, "period": 60, "type": 4},
        {"feePrefix": "86", "areaName": "China", "fee": 0.01, "period": 60},
        {"feePrefix": "100", "areaName": "On net", "fee": 0, "period": 60, "type": 1},
    ],
}
UK_MOBILE = "447700900123"
UK_FIXED = "442079460000"


def money_of(sim, account: str) -> float:
    return ok(sim, "GetCustomer", {"accounts": [account]})["infoCustomers"][0]["money"]


def add_customer(sim, account: str, *, money: float, group: str, agent: str = "", limit=0.0):
    ok(
        sim,
        "CreateCustomer",
        {
            "account": account,
            "name": f"Name of {account}",
            "money": money,
            "limitMoney": limit,
            "feeRateGroup": group,
            "agentAccount": agent,
        },
    )


def add_phone(sim, e164: str, account: str, **fields):
    ok(sim, "CreatePhone", {"e164": e164, "account": account, "autoCreateAccount": False, **fields})


def build_world(sim) -> None:
    for group, rates in RATES.items():
        ok(sim, "CreateFeeRateGroup", {"name": group, "memo": f"{group} rates"})
        sim.control("set_fee_rates", group=group, rates=rates)
    add_customer(sim, "r1", money=1000, group="CARRIER")
    add_customer(sim, "r1a", money=500, group="WHOLESALE", agent="r1")
    add_customer(sim, "c1", money=10, group="RETAIL", agent="r1a")
    add_phone(sim, "1001", "c1", password="secret")
    add_phone(sim, "1002", "c1", callLevel=2)


def cdrs_of(sim, account: str) -> list[dict]:
    """The account's CDRs of the last two UTC days (tests never run longer)."""
    now = sim.control("now")["now"]
    span = {"beginTime": utc_day(now - 86_400_000), "endTime": utc_day(now)}
    return ok(sim, "GetCdr", {"accounts": [account], **span})["infoCdrs"]


def utc_day(ms: int) -> str:
    return time.strftime("%Y%m%d", time.gmtime(ms / 1000))


@pytest.fixture
def world(sim):
    build_world(sim)
    return sim


def test_it_moves_the_customer_and_every_agent_balance_by_exactly_the_cdr_fees(world):
    placed = world.control("place_call", caller="1001", callee=UK_MOBILE, duration=61, complete=1)
    assert "flowNo" in placed
    [cdr] = cdrs_of(world, "c1")
    # RETAIL 447: first 30 s section 0.2, then 31 s -> 6 periods of 6 s at 0.30/min = 0.18
    assert (cdr["holdTime"], cdr["feeTime"], cdr["fee"], cdr["feePrefix"]) == (61, 66, 0.38, "447")
    # WHOLESALE 447 for r1a: 11 periods of 6 s at 0.15/min = 0.165
    assert (cdr["agentAccount"], cdr["agentName"]) == ("r1a", "Name of r1a")
    assert (cdr["agentFee"], cdr["agentFeeTime"], cdr["agentFeePrefix"]) == (0.165, 66, "447")
    assert (cdr["account"], cdr["accountName"], cdr["callLevel"]) == ("c1", "Name of c1", 5)
    assert cdr["endReason"] == pricing.END_NORMAL
    assert money_of(world, "c1") == 9.62
    assert money_of(world, "r1a") == 499.835
    # CARRIER 447 for r1 (depth 2): per second at 0.09/min: 61 s = 0.0915
    assert money_of(world, "r1") == 999.9085


def test_it_shows_a_call_while_it_lasts_and_not_after_the_clock_passes_its_end(world):
    placed = world.control("place_call", caller="1001", callee=UK_FIXED, duration=120)
    world.control("advance", seconds=60)
    [live] = ok(world, "GetCurrentCall", {"callerE164s": ["1001"]})["infoCurrentCalls"]
    assert live["callId"] == placed["callId"]
    assert live["calleeE164"] == UK_FIXED
    assert live["keepTime"] >= 60_000  # milliseconds connected
    assert live["callerInfoRtpFlowAudio"]["rtpPackets"] >= 3000
    assert ok(world, "GetCurrentCall", {"calleeE164s": ["999"]})["infoCurrentCalls"] == []
    assert cdrs_of(world, "c1") == []
    world.control("advance", seconds=61)
    assert ok(world, "GetCurrentCall")["infoCurrentCalls"] == []
    [cdr] = cdrs_of(world, "c1")
    assert (cdr["holdTime"], cdr["fee"]) == (120, 0.24)
    assert cdr["stop"] - cdr["start"] == 120_000
    assert money_of(world, "c1") == 9.76


def test_it_ends_a_disconnected_call_with_a_cdr_at_that_moment(world):
    placed = world.control("place_call", caller="1001", callee=UK_FIXED, duration=600)
    world.control("advance", seconds=30)
    ok(world, "DisconnectCurrentCall", {"CallIds": placed["callId"]})
    assert ok(world, "GetCurrentCall")["infoCurrentCalls"] == []
    [cdr] = cdrs_of(world, "c1")
    assert (cdr["holdTime"], cdr["fee"], cdr["endDirection"]) == (30, 0.12, 2)
    assert cdr["endReason"] == pricing.END_SERVER_RELEASE
    again = call(world, "DisconnectCurrentCall", {"CallIds": placed["callId"]})
    assert again["retCode"] == codes.NOT_FOUND


def test_it_refuses_a_call_that_balance_and_overdraft_cannot_start(world):
    add_customer(world, "c2", money=0.1, limit=0.05, group="RETAIL", agent="r1a")
    add_phone(world, "2001", "c2")
    # first period to a UK mobile is the 0.2 section: more than 0.1 + 0.05
    refused = world.control("place_call", caller="2001", callee=UK_MOBILE, duration=60)
    assert refused["refused"] == pricing.END_BALANCE
    [cdr] = cdrs_of(world, "c2")
    assert (cdr["holdTime"], cdr["fee"], cdr["endReason"]) == (0, 0.0, pricing.END_BALANCE)
    assert money_of(world, "c2") == 0.1
    # a UK landline's first minute (0.12) fits into the overdraft
    admitted = world.control("place_call", caller="2001", callee=UK_FIXED, duration=60, complete=1)
    assert "refused" not in admitted
    assert money_of(world, "c2") == -0.02


def test_it_cuts_a_call_off_when_the_money_runs_out(world):
    add_customer(world, "c3", money=1, group="RETAIL", agent="r1a")
    add_phone(world, "3001", "c3")
    world.control("place_call", caller="3001", callee=UK_FIXED, duration=600)
    world.control("advance", seconds=600)
    [cdr] = cdrs_of(world, "c3")
    # 8 minutes at 0.12 = 0.96; a ninth would overdraw
    assert (cdr["holdTime"], cdr["fee"], cdr["endReason"]) == (480, 0.96, pricing.END_BALANCE)
    assert money_of(world, "c3") == 0.04


def test_it_refuses_a_call_an_agent_up_the_chain_cannot_pay_for(world):
    ok(world, "Pay", {"ownerName": "r1", "ownerType": 2, "money": -1000})
    refused = world.control("place_call", caller="1001", callee=UK_FIXED, duration=60)
    assert refused["refused"] == pricing.END_BALANCE
    assert money_of(world, "c1") == 10


@pytest.mark.parametrize(
    ("caller", "callee", "reason"),
    [
        ("1001", "8613800000000", pricing.END_RATE_LOCKED),
        ("1001", "9912345", pricing.END_NO_RATE),
        ("1002", "33140000000", pricing.END_CALL_LEVEL),
    ],
)
def test_it_refuses_locked_unknown_and_forbidden_destinations(world, caller, callee, reason):
    assert world.control("place_call", caller=caller, callee=callee)["refused"] == reason
    [cdr] = cdrs_of(world, "c1")
    assert (cdr["endReason"], cdr["fee"], cdr["endDirection"]) == (reason, 0.0, 2)


def test_it_lets_a_local_only_phone_call_on_net(world):
    placed = world.control("place_call", caller="1002", callee="1001", duration=30, complete=1)
    assert "flowNo" in placed
    [cdr] = cdrs_of(world, "c1")
    assert (cdr["callLevel"], cdr["fee"], cdr["calleeGateway"]) == (1, 0.0, "")


def test_it_writes_an_unanswered_call_as_a_free_cdr(world):
    world.control("place_call", caller="1001", callee=UK_FIXED, duration=20, answered=False)
    [live] = ok(world, "GetCurrentCall")["infoCurrentCalls"]
    assert live["keepTime"] < 0 and live["connectedTime"] == 0
    world.control("advance", seconds=20)
    [cdr] = cdrs_of(world, "c1")
    assert (cdr["holdTime"], cdr["fee"], cdr["endReason"]) == (0, 0.0, pricing.END_NO_ANSWER)
    assert money_of(world, "c1") == 10


def test_it_routes_through_a_routing_gateway_and_records_it(world):
    ok(
        world,
        "CreateGatewayRouting",
        {"name": "uk-carrier", "prefix": "44", "remoteIp": "192.0.2.7"},
    )
    world.control("place_call", caller="1001", callee=UK_FIXED, duration=10)
    [live] = ok(world, "GetCurrentCall")["infoCurrentCalls"]
    assert (live["calleeGatewayId"], live["calleeRtpIp"]) == ("uk-carrier", "192.0.2.7")
    world.control("advance", seconds=10)
    [cdr] = cdrs_of(world, "c1")
    assert (cdr["calleeGateway"], cdr["calleeip"], cdr["calleeToGatewayE164"]) == (
        "uk-carrier",
        "192.0.2.7",
        UK_FIXED,
    )


def test_it_computes_available_time_from_balance_overdraft_and_rate(world):
    add_customer(world, "c4", money=0.8, limit=0.2, group="RETAIL", agent="r1a")
    add_phone(world, "4001", "c4")

    def remain(callee, name="4001", mode=0):
        answer = ok(
            world,
            "GetAvailableTime",
            {"billingName": name, "billingMode": mode, "calleeE164": callee},
        )
        return answer["InfoAvailableTime"]

    # credit 1.00: UK mobile: 30 s section (0.2), then 26 periods of 6 s at 0.03 = 0.78
    info = remain(UK_MOBILE)
    assert (info["account"], info["accountMoney"], info["timeRemain"]) == ("c4", 0.8, 186)
    assert remain(UK_FIXED)["timeRemain"] == 480  # 8 minutes at 0.12
    assert remain("9912345")["timeRemain"] == -pricing.END_NO_RATE
    assert remain("1001")["timeRemain"] == pricing.MAX_CALL_SECONDS
    assert remain(UK_FIXED, name="c4", mode=3)["timeRemain"] == 480
    ivr = ok(
        world,
        "GetIvrSecondAvailableTime",
        {"billingName": "4001", "billingMode": 0, "calleeE164": UK_FIXED},
    )
    assert ivr["infoIvrSecondAvailableTime"]["timeRemain"] == 480
    missing = call(
        world, "GetAvailableTime", {"billingName": "nobody", "billingMode": 0, "calleeE164": "44"}
    )
    assert missing["retCode"] == codes.NOT_FOUND


def test_it_caps_available_time_by_the_poorest_agent(world):
    ok(world, "Pay", {"ownerName": "r1a", "ownerType": 2, "money": -499.94})
    # r1a keeps 0.06 = one minute at its UK landline rate
    answer = ok(
        world, "GetAvailableTime", {"billingName": "1001", "billingMode": 0, "calleeE164": UK_FIXED}
    )
    assert answer["InfoAvailableTime"]["timeRemain"] == 60


def test_it_places_access_number_calls_visible_as_current_calls(world):
    access = {"accessE164": "1001", "accessE164Password": "secret"}
    ok(world, "CallBack", {"callerE164": "4930123456", "calleeE164s": UK_FIXED, **access})
    ok(world, "PlayAudio", {"audioes": "welcome,balance", "callee": UK_FIXED, **access})
    ok(world, "ReserveCalleeE164", {"callerE164": "1002", "calleeE164": UK_MOBILE, **access})
    live = ok(world, "GetCurrentCall")["infoCurrentCalls"]
    pairs = sorted((c["callerE164"], c["calleeE164"]) for c in live)
    assert pairs == sorted(
        [("1001", "4930123456"), ("4930123456", UK_FIXED), ("1001", UK_FIXED), ("1002", UK_MOBILE)]
    )
    wrong_password = {**access, "accessE164Password": "x"}
    wrong = call(world, "PlayAudio", {"audioes": "a", "callee": UK_FIXED, **wrong_password})
    assert wrong["retCode"] == codes.ACCESS_PASSWORD_WRONG


def test_it_generates_traffic_between_phones_and_out(world):
    from vos3000.simulator.handlers.calls import Traffic

    traffic = Traffic(world.sim, seed=7)
    with world.sim.transaction() as ctx:
        placed = [traffic.place_one(ctx) for _ in range(20)]
    assert all(p is not None for p in placed)
    live = ok(world, "GetCurrentCall")["infoCurrentCalls"]
    refused = [p for p in placed if "refused" in p]
    assert len(live) + len(refused) == 20
    world.control("advance", seconds=3600)
    assert ok(world, "GetCurrentCall")["infoCurrentCalls"] == []
    assert len(cdrs_of(world, "c1")) == 20


def test_it_prices_by_the_phones_own_fee_rate_group_before_the_accounts(world):
    ok(world, "ModifyPhone", {"e164": "1001", "feerateGroup": "WHOLESALE"})
    world.control("place_call", caller="1001", callee=UK_FIXED, duration=60, complete=1)
    [cdr] = cdrs_of(world, "c1")
    assert (cdr["fee"], cdr["agentFee"]) == (0.06, 0.06)  # WHOLESALE for both
    assert money_of(world, "c1") == 9.94


def test_it_counts_a_phones_current_calls_in_its_online_state(world):
    world.control("register_phone", e164="1001", ip="192.0.2.50")
    world.control("place_call", caller="1001", callee=UK_FIXED, duration=60)
    [online] = ok(world, "GetPhoneOnline", {"e164s": ["1001"]})["infoPhoneOnlines"]
    assert online["currentCall"] == 1
    [live] = ok(world, "GetCurrentCall")["infoCurrentCalls"]
    assert live["callerRtpIp"] == "192.0.2.50"


def test_it_pushes_call_states_from_connect_to_release(world):
    world.control("register_phone", e164="1001", ip="192.0.2.50")
    placed = world.control("place_call", caller="1001", callee=UK_FIXED, duration=5, complete=1)
    pushes = world.control("pushes", name="CallStateReport")["pushes"]
    states = [p["payload"] for p in pushes if p["payload"]["callId"] == placed["callId"]]
    assert [s["callState"] for s in states] == [-6, -13]
    assert {(s["callerE164"], s["calleeE164"], s["callerIp"]) for s in states} == {
        ("1001", UK_FIXED, "192.0.2.50")
    }
