"""The demo data over HTTP: what it contains, that it loads the same every time, and that
its balances, pay history, CDRs and reports agree with each other."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from vos3000.simulator import demo
from vos3000.tests.test_sim_calls import call, ok

pytestmark = pytest.mark.dates

DAY_MS = 86_400_000


def day(ms: int) -> str:
    return time.strftime("%Y%m%d", time.gmtime(ms / 1000))


def history_range(sim) -> tuple[int, int]:
    """[first, last] day (ms) of the demo history: the 90 days before today."""
    today = sim.control("now")["now"] // DAY_MS * DAY_MS
    return today - demo.HISTORY_DAYS * DAY_MS, today - DAY_MS


def all_cdrs(sim, account: str) -> list[dict]:
    """Every CDR of the history, asked in windows the 31-day cap allows."""
    first, last = history_range(sim)
    out = []
    for begin in range(first, last + 1, 30 * DAY_MS):
        end = min(begin + 29 * DAY_MS, last)
        payload = {"accounts": [account], "beginTime": day(begin), "endTime": day(end)}
        out.extend(ok(sim, "GetCdr", payload)["infoCdrs"])
    return out


def exact(values) -> Decimal:
    return sum((Decimal(str(v)) for v in values), Decimal(0))


def money_in(sim, account: str) -> Decimal:
    """Everything paid in: opening balance and top-ups (the pay history)."""
    first, _ = history_range(sim)
    payload = {"account": account, "beginTime": day(first - 2 * DAY_MS) + "000000"}
    payload["endTime"] = day(sim.control("now")["now"]) + "235959"
    return exact(p["fee"] for p in ok(sim, "GetPayHistory", payload)["infoPayHistorys"])


def balance(sim, account: str) -> Decimal:
    [info] = ok(sim, "GetCustomer", {"accounts": [account]})["infoCustomers"]
    return Decimal(str(info["money"]))


def test_it_builds_the_platform_with_resellers_three_deep(sim_demo):
    accounts = set(ok(sim_demo, "GetAllCustomers")["accounts"])
    expected = {*demo.RESELLER_ACCOUNTS, *demo.SUB_RESELLER_ACCOUNTS, *demo.CUSTOMER_ACCOUNTS}
    assert accounts == expected
    assert len(demo.CUSTOMER_ACCOUNTS) == 12
    infos = ok(sim_demo, "GetCustomer", {"accounts": ["cafe-roma", "citylink"]})["infoCustomers"]
    agents = {i["account"]: i["agentAccount"] for i in infos}
    assert agents == {"cafe-roma": "citylink", "citylink": "globaltel"}
    groups = ok(sim_demo, "GetFeeRateGroup")["infoFeeRateGroups"]
    assert {g["name"] for g in groups} == set(demo.FEE_RATE_GROUPS)
    cuba = ok(sim_demo, "GetFeeRate", {"feeRateGroup": demo.STANDARD, "areaCodes": ["53"]})
    [rate] = cuba["infoFeeRates"]
    assert rate["areaName"] == "Cuba" and rate["infoFeeRateSections"]
    uk = ok(sim_demo, "GetFeeRate", {"feeRateGroup": demo.WHOLESALE, "areaCodes": ["447"]})
    assert uk["infoFeeRates"][0]["areaName"] == "United Kingdom Mobile"
    cards = ok(sim_demo, "GetPhoneCard", {"pin": list(demo.PHONE_CARD_PINS[:2])})
    assert [c["usedTime"] for c in cards["infoPhoneCards"]] == [0, 0]


def test_it_fills_ninety_days_of_history_with_agent_fees(sim_demo):
    first, last = history_range(sim_demo)
    cdrs = all_cdrs(sim_demo, "cafe-roma")
    assert cdrs and all(first <= c["start"] < last + DAY_MS for c in cdrs)
    assert {c["agentAccount"] for c in cdrs} == {"citylink"}
    abroad = [c for c in cdrs if c["holdTime"] > 0 and c["callLevel"] == 5]
    assert abroad and all(c["fee"] > c["agentFee"] > 0 for c in abroad)
    assert {c["calleeGateway"] for c in abroad} >= {"carrier-europe"}
    busy = all_cdrs(sim_demo, "acme")
    assert len({day(c["start"]) for c in busy}) > 60


@pytest.mark.parametrize("account", demo.CUSTOMER_ACCOUNTS)
def test_it_keeps_each_customer_balance_equal_to_payments_minus_cdr_fees(sim_demo, account):
    spent = exact(c["fee"] for c in all_cdrs(sim_demo, account))
    assert balance(sim_demo, account) == money_in(sim_demo, account) - spent


@pytest.mark.parametrize("account", demo.CUSTOMER_ACCOUNTS[:6])
def test_it_makes_demo_reports_agree_with_its_cdrs(sim_demo, account):
    first, last = history_range(sim_demo)
    cdrs = all_cdrs(sim_demo, account)
    payload = {"accounts": [account], "period": -2, "beginTime": day(first), "endTime": day(last)}
    rows = ok(sim_demo, "GetReportCustomerFee", payload)["infoReportCustomerFees"]
    assert sum(r["cdrCount"] for r in rows) == len(cdrs)
    assert exact(r["totalFee"] for r in rows) == exact(c["fee"] for c in cdrs)
    assert sum(r["totalTime"] for r in rows) == sum(c["feeTime"] for c in cdrs)


@pytest.mark.parametrize("reseller", [*demo.RESELLER_ACCOUNTS, *demo.SUB_RESELLER_ACCOUNTS])
def test_it_makes_reseller_reports_equal_what_their_balance_paid(sim_demo, reseller):
    first, last = history_range(sim_demo)
    payload = {"accounts": [reseller], "period": 7, "beginTime": day(first), "endTime": day(last)}
    rows = ok(sim_demo, "GetReportCustomerFee", payload)["infoReportCustomerFees"]
    charged = exact(r["totalFee"] for r in rows)
    assert charged > 0
    assert balance(sim_demo, reseller) == money_in(sim_demo, reseller) - charged


def test_it_loads_the_same_demo_every_time(sim, sim_demo):
    sim.control("reset", demo=True)

    def snapshot(handle):
        accounts = ("acme", "havana-link", "globaltel")
        return (
            [str(balance(handle, a)) for a in accounts],
            [(c["start"], c["calleeE164"], c["fee"]) for c in all_cdrs(handle, "havana-link")],
        )

    assert snapshot(sim) == snapshot(sim_demo)
    assert call(sim, "GetAllCustomers")["accounts"] == call(sim_demo, "GetAllCustomers")["accounts"]


def test_it_registers_the_demo_phones_again_when_restarted_on_its_store(tmp_path):
    """Registrations live in memory: a demo simulator started again on a store that has
    its data (make run, the second time) must not come up with every phone offline."""
    from vos3000.simulator.app import start_simulator

    data = str(tmp_path / "sim.sqlite3")
    first = start_simulator(port=0, data=data, demo=True, allow="127.0.0.1")
    online = set(first.sim.registrations)
    first.stop()
    assert online
    again = start_simulator(port=0, data=data, demo=True, allow="127.0.0.1")
    try:
        assert set(again.sim.registrations) == online
    finally:
        again.stop()
