"""GetCdr, CreateCdr and the fee reports over HTTP: filters, the range cap, and reports
that add up exactly to the CDRs they cover, for customers and for agents at any depth."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vos3000.simulator import codes
from vos3000.tests.test_sim_calls import (
    UK_FIXED,
    UK_MOBILE,
    build_world,
    call,
    money_of,
    ok,
    utc_day,
)

pytestmark = pytest.mark.dates

DAY_S = 86_400
LEVELS = {1: "net", 2: "local", 4: "domestic", 5: "international"}


def exact_sum(values) -> Decimal:
    return sum((Decimal(str(v)) for v in values), Decimal(0))


@pytest.fixture
def history(sim):
    """c1's calls over three days; returns (first day, last day) as yyyyMMdd."""
    build_world(sim)
    ok(sim, "CreateGatewayRouting", {"name": "uk-mobile", "prefix": "447"})
    first = sim.control("now")["now"]
    plan = [
        ("1001", UK_FIXED, 61),
        ("1001", UK_MOBILE, 95),
        ("1002", "1001", 30),
        ("1001", "12125550100", 7),
        ("1001", "9912345", 10),  # refused: no rate
    ]
    for day in range(3):
        for caller, callee, seconds in plan:
            sim.control("place_call", caller=caller, callee=callee, duration=seconds + day)
        sim.control("advance", seconds=DAY_S)
    return utc_day(first), utc_day(first + 2 * DAY_S * 1000)


def get_cdrs(sim, account, begin, end, **filters):
    payload = {"accounts": [account], "beginTime": begin, "endTime": end, **filters}
    return ok(sim, "GetCdr", payload)["infoCdrs"]


def covered(row, cdrs):
    return [c for c in cdrs if row["beginTime"] <= c["start"] <= row["endTime"]]


def assert_adds_up(rows, cdrs, *, fee="fee", fee_time="feeTime", levels=True):
    """Each row equals the sums of the CDRs in its period; every CDR is in one row."""
    assert sum(row["cdrCount"] for row in rows) == len(cdrs)
    for row in rows:
        mine = covered(row, cdrs)
        assert row["cdrCount"] == len(mine)
        assert Decimal(str(row["totalFee"])) == exact_sum(c[fee] for c in mine)
        assert row["totalTime"] == sum(c[fee_time] for c in mine)
        if levels:
            for level, name in LEVELS.items():
                at_level = [c for c in mine if c["callLevel"] == level]
                assert row[f"{name}Count"] == len(at_level)
                assert Decimal(str(row[f"{name}Fee"])) == exact_sum(c[fee] for c in at_level)
                assert row[f"{name}Time"] == sum(c[fee_time] for c in at_level)


def test_it_filters_cdrs_by_day_caller_callee_and_gateway(sim, history):
    begin, end = history
    assert len(get_cdrs(sim, "c1", begin, end)) == 15
    assert len(get_cdrs(sim, "c1", begin, begin)) == 5
    by_caller = get_cdrs(sim, "c1", begin, end, callerE164="1002")
    assert [c["calleeE164"] for c in by_caller] == ["1001"] * 3
    assert len(get_cdrs(sim, "c1", begin, end, calleeE164=UK_MOBILE)) == 3
    via = get_cdrs(sim, "c1", begin, end, calleeGateway="uk-mobile")
    assert [c["calleeE164"] for c in via] == [UK_MOBILE] * 3
    assert get_cdrs(sim, "c1", begin, end, callerGateway="nowhere") == []
    assert get_cdrs(sim, "r1a", begin, end) == []  # an agent's own calls only
    starts = [c["start"] for c in get_cdrs(sim, "c1", begin, end)]
    assert starts == sorted(starts)


def test_it_refuses_a_range_wider_than_the_cap(sim):
    wide = call(sim, "GetCdr", {"accounts": ["c1"], "beginTime": "20240101", "endTime": "20240201"})
    assert wide["retCode"] == codes.RANGE_TOO_WIDE
    assert wide["exception"] == (
        "Over the limitation of inquiry interval, please contact system administrator"
    )
    assert wide["infoCdrs"] == []
    month = call(
        sim, "GetCdr", {"accounts": ["c1"], "beginTime": "20240101", "endTime": "20240131"}
    )
    assert month["retCode"] == 0
    sim.control("settings", cdr_max_days=2)
    three = call(
        sim, "GetCdr", {"accounts": ["c1"], "beginTime": "20240101", "endTime": "20240103"}
    )
    assert three["retCode"] == codes.RANGE_TOO_WIDE
    backwards = call(
        sim, "GetCdr", {"accounts": ["c1"], "beginTime": "20240102", "endTime": "20240101"}
    )
    assert backwards["retCode"] == codes.INPUT_ERROR
    missing = call(sim, "GetCdr", {"beginTime": "20240101", "endTime": "20240101"})
    assert missing["retCode"] == codes.MISS_PARAMETERS


@pytest.mark.parametrize("period", [1, 2, -2, 30])
def test_it_makes_customer_reports_add_up_to_their_cdrs(sim, history, period):
    begin, end = history
    cdrs = get_cdrs(sim, "c1", begin, end)
    payload = {"accounts": ["c1"], "period": period, "beginTime": begin, "endTime": end}
    rows = ok(sim, "GetReportCustomerFee", payload)["infoReportCustomerFees"]
    assert {(r["account"], r["accountName"]) for r in rows} == {("c1", "Name of c1")}
    assert_adds_up(rows, cdrs)
    if period == 1:
        assert len(rows) == 3
        assert all(r["endTime"] - r["beginTime"] == DAY_S * 1000 - 1 for r in rows)


def test_it_reports_what_each_agent_was_charged_at_every_depth(sim, history):
    begin, end = history
    cdrs = get_cdrs(sim, "c1", begin, end)
    payload = {"accounts": ["r1a", "r1"], "period": -2, "beginTime": begin, "endTime": end}
    rows = ok(sim, "GetReportCustomerFee", payload)["infoReportCustomerFees"]
    direct = [r for r in rows if r["account"] == "r1a"]
    assert_adds_up(direct, cdrs, fee="agentFee", fee_time="agentFeeTime", levels=False)
    spent = {
        account: Decimal(str(opening)) - Decimal(str(money_of(sim, account)))
        for account, opening in (("r1", 1000), ("r1a", 500), ("c1", 10))
    }
    assert exact_sum(r["totalFee"] for r in direct) == spent["r1a"]
    top = [r for r in rows if r["account"] == "r1"]
    assert exact_sum(r["totalFee"] for r in top) == spent["r1"] > 0
    assert sum(r["cdrCount"] for r in top) == len(cdrs)
    assert exact_sum(c["fee"] for c in cdrs) == spent["c1"]


def test_it_reports_fees_per_phone(sim, history):
    begin, end = history
    cdrs = get_cdrs(sim, "c1", begin, end)
    payload = {"accounts": "c1", "period": 1, "beginTime": begin, "endTime": end}
    rows = ok(sim, "GetReportPhoneFee", payload)["infoReportPhoneFees"]
    for e164 in ("1001", "1002"):
        mine = [r for r in rows if r["e164"] == e164]
        assert_adds_up(mine, [c for c in cdrs if c["callerE164"] == e164])
        assert {(r["account"], r["agentAccount"], r["calleeBilling"]) for r in mine} == {
            ("c1", "r1a", 0)
        }
    only = ok(sim, "GetReportPhoneFee", {**payload, "e164s": ["1002"]})["infoReportPhoneFees"]
    assert {r["e164"] for r in only} == {"1002"}


def test_it_reports_fees_per_area(sim, history):
    begin, end = history
    cdrs = get_cdrs(sim, "c1", begin, end)
    payload = {"account": "c1", "period": -2, "beginTime": begin, "endTime": end}
    rows = ok(sim, "GetReportCustomerLocationFee", payload)["infoReportCustomerLocationFees"]
    names = {r["areaCode"]: r["areaName"] for r in rows}
    assert names["447"] == "United Kingdom Mobile" and names["44"] == "United Kingdom"
    assert names[""] == ""  # the refused calls without a rate
    for code in names:
        mine = [r for r in rows if r["areaCode"] == code]
        area_cdrs = [c for c in cdrs if c["feePrefix"] == code]
        assert_adds_up(mine, area_cdrs, levels=False)
    uk = ok(sim, "GetReportCustomerLocationFee", {**payload, "areaCode": "44"})
    assert {r["areaCode"] for r in uk["infoReportCustomerLocationFees"]} == {"44", "447"}


def test_it_refuses_a_report_period_that_is_not_days_or_months(sim):
    payload = {"accounts": ["c1"], "period": 0, "beginTime": "20240101", "endTime": "20240102"}
    assert call(sim, "GetReportCustomerFee", payload)["retCode"] == codes.INPUT_ERROR


def test_it_bills_a_created_cdr_like_a_call_once_per_flow_no(sim):
    build_world(sim)
    start = sim.control("now")["now"] - 3_600_000
    cdr = {
        "billingMode": 0,
        "callerE164": "1001",
        "calleeE164": UK_FIXED,
        "startTime": start,
        "stopTime": start + 90_000,
        "billingTime": 90,
        "flowNo": 777,
    }
    ok(sim, "CreateCdr", cdr)
    ok(sim, "CreateCdr", cdr)  # same flowNo: not billed again
    assert money_of(sim, "c1") == 9.76  # two minutes at 0.12
    assert money_of(sim, "r1a") == 499.88  # two minutes at 0.06
    assert money_of(sim, "r1") == 999.94  # two minutes at 0.03
    day = utc_day(start)
    [stored] = get_cdrs(sim, "c1", day, day)
    assert (stored["start"], stored["holdTime"], stored["feeTime"], stored["fee"]) == (
        start,
        90,
        120,
        0.24,
    )
    assert (stored["agentFee"], stored["billingMode"], stored["callerGateway"]) == (0.12, 0, "")
    by_account = {**cdr, "flowNo": -1, "account": "r1a", "callerE164": "", "billingTime": 60}
    ok(sim, "CreateCdr", by_account)
    assert money_of(sim, "r1a") == 499.82
    unknown = call(sim, "CreateCdr", {**cdr, "flowNo": 9999, "callerE164": "nobody"})
    assert unknown["retCode"] == codes.NOT_FOUND


def test_it_generates_a_dataset_whose_cdrs_reports_and_balances_agree(tmp_path):
    from vos3000.simulator.app import start_simulator
    from vos3000.simulator.generate import generate

    path = str(tmp_path / "scale.sqlite3")
    generate(path, customers=40, cdr_count=4000, days=5, seed=3)
    handle = start_simulator(port=0, data=path)
    try:
        now = handle.control("now")["now"]
        span = {"beginTime": utc_day(now - 5 * 86_400_000), "endTime": utc_day(now - 86_400_000)}
        accounts = ok(handle, "GetAllCustomers")["accounts"]
        assert len(accounts) == 40 + 4  # two resellers, each with a sub-reseller
        customers = [a for a in accounts if a.startswith("c")]
        seen = 0
        for account in customers[:10]:
            cdrs = ok(handle, "GetCdr", {"accounts": [account], **span})["infoCdrs"]
            seen += len(cdrs)
            assert balance_spent(handle, account, 100_000) == exact_sum(c["fee"] for c in cdrs)
            report = {"accounts": [account], "period": -2, **span}
            rows = ok(handle, "GetReportCustomerFee", report)["infoReportCustomerFees"]
            assert_adds_up(rows, cdrs, levels=False)
        assert seen > 0
        report = {"accounts": ["reseller000"], "period": 1, **span}
        rows = ok(handle, "GetReportCustomerFee", report)["infoReportCustomerFees"]
        assert exact_sum(r["totalFee"] for r in rows) == balance_spent(handle, "reseller000", 10**7)
    finally:
        handle.stop()


def balance_spent(sim, account: str, opening) -> Decimal:
    return Decimal(opening) - Decimal(str(money_of(sim, account)))
