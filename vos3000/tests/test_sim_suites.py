"""Simulator: suites, suite orders and current suites (2.22-2.30) over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vos3000.simulator import codes
from vos3000.simulator.handlers.suites import DAY, MONTH, YEAR, period_index, period_start
from vos3000.tests.simhttp import call, ok

pytestmark = pytest.mark.dates

DAY_S = 86_400
ACCOUNT, PHONE = 2, 6
GIFT = {"prefix": "44,33", "startTime": 0, "endTime": 86400, "giftTime": 600, "billingTime": 60}


def balance(sim, account: str) -> float:
    return ok(sim, "GetCustomer", accounts=[account])["infoCustomers"][0]["money"]


def current(sim, owner: str, owner_type: int = ACCOUNT) -> list[dict]:
    answer = ok(sim, "GetCurrentSuite", ownerName=owner, ownerType=owner_type)
    return answer["infoCurrentSuites"]


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def daily(sim):
    """A customer with 100 and a daily suite renting at 1.5."""
    ok(sim, "CreateCustomer", account="alice", money=100)
    suite = ok(
        sim,
        "CreateSuite",
        name="daily",
        rentPeriod=1,
        rentType=DAY,
        rentFee=1.5,
        giftMoney=2,
        infoGiftTimes=[GIFT],
        memo="a day of calls",
    )
    return suite["id"]


def test_it_stores_a_suite_with_its_gift_times(sim, daily):
    ok(sim, "CreateSuite", name="plain", rentPeriod=3, rentType=MONTH, rentFee=10, giftMoney=0)

    every = ok(sim, "GetSuite")["infoSuites"]
    one = ok(sim, "GetSuite", ids=[daily])["infoSuites"]

    assert [s["name"] for s in every] == ["daily", "plain"]
    assert one == [
        {
            "id": daily,
            "name": "daily",
            "rentPeriod": 1,
            "rentType": DAY,
            "rentFee": 1.5,
            "giftMoney": 2.0,
            "infoGiftTimes": [{**GIFT, "memo": ""}],
            "memo": "a day of calls",
        }
    ]
    assert every[1]["infoGiftTimes"] == []


def test_it_refuses_bad_suites(sim, daily):
    same_name = call(
        sim, "CreateSuite", name="daily", rentPeriod=1, rentType=0, rentFee=1, giftMoney=0
    )
    no_period = call(sim, "CreateSuite", name="x", rentPeriod=0, rentType=0, rentFee=1, giftMoney=0)
    backwards = call(
        sim,
        "CreateSuite",
        name="y",
        rentPeriod=1,
        rentType=0,
        rentFee=1,
        giftMoney=0,
        infoGiftTimes=[{**GIFT, "startTime": 7200, "endTime": 3600}],
    )

    negative = call(sim, "CreateSuite", name="z", rentPeriod=1, rentType=0, rentFee=-1, giftMoney=0)

    assert negative["retCode"] == codes.INPUT_ERROR
    assert same_name["retCode"] == codes.ALREADY_EXISTS
    assert no_period["retCode"] == codes.INPUT_ERROR
    assert backwards["retCode"] == codes.INPUT_ERROR


def test_it_charges_the_rent_when_an_order_starts_today(sim, daily):
    order = ok(
        sim,
        "CreateSuiteOrder",
        ownerName="alice",
        ownerType=ACCOUNT,
        suiteId=daily,
        availableTime=0,
    )

    (suite,) = current(sim, "alice")
    assert balance(sim, "alice") == 98.5
    assert suite["suiteId"] == daily and suite["suiteOrderId"] == order["id"]
    assert (suite["rentFee"], suite["giftMoney"], suite["memo"]) == (1.5, 2.0, "a day of calls")
    assert suite["infoGiftTimes"] == [{**GIFT, "memo": ""}]
    (listed,) = ok(sim, "GetSuiteOrder", ownerName="alice", ownerType=ACCOUNT)["infoSuiteOrders"]
    assert listed["id"] == order["id"] and listed["suiteId"] == daily
    assert listed["expireTime"] == 9223372036854775807
    now = sim.control("now")["now"]
    assert listed["availableTime"] == now - now % (DAY_S * 1000)


def test_it_charges_each_new_period_as_the_clock_moves(sim, daily):
    ok(
        sim,
        "CreateSuiteOrder",
        ownerName="alice",
        ownerType=ACCOUNT,
        suiteId=daily,
        availableTime=0,
    )
    first = current(sim, "alice")[0]["id"]

    sim.control("advance", seconds=DAY_S)
    second = current(sim, "alice")
    sim.control("advance", seconds=3 * DAY_S)

    assert len(second) == 1 and second[0]["id"] != first
    assert balance(sim, "alice") == 100 - 5 * 1.5
    rents = ok(
        sim,
        "GetConsumption",
        account="alice",
        beginTime="20000101000000",
        endTime="29991231000000",
    )["infoConsumptions"]
    assert [(r["type"], r["money"]) for r in rents] == [(0, 1.5)] * 5


def test_it_charges_the_periods_a_long_advance_skips_until_the_order_expires(sim, daily):
    today = sim.control("now")["now"] // (DAY_S * 1000) * DAY_S * 1000
    expire = today + 2 * DAY_S * 1000 + 3_600_000
    ok(
        sim,
        "CreateSuiteOrder",
        ownerName="alice",
        ownerType=ACCOUNT,
        suiteId=daily,
        availableTime=today,
        expireTime=expire,
    )

    sim.control("advance", seconds=10 * DAY_S)

    assert balance(sim, "alice") == 100 - 3 * 1.5
    assert current(sim, "alice") == []


def test_it_waits_for_a_future_available_time(sim, daily):
    start = sim.control("now")["now"] + 3_600_000
    ok(
        sim,
        "CreateSuiteOrder",
        ownerName="alice",
        ownerType=ACCOUNT,
        suiteId=daily,
        availableTime=start,
    )

    before = current(sim, "alice")
    sim.control("advance", seconds=3601)
    after = current(sim, "alice")

    assert before == [] and len(after) == 1
    assert balance(sim, "alice") == 98.5


def test_it_ends_the_current_suite_with_the_order(sim, daily):
    order = ok(
        sim,
        "CreateSuiteOrder",
        ownerName="alice",
        ownerType=ACCOUNT,
        suiteId=daily,
        availableTime=0,
    )
    expire = sim.control("now")["now"] + 1000

    ok(sim, "ModifySuiteOrder", id=order["id"], expireTime=expire)
    still = current(sim, "alice")
    sim.control("advance", seconds=2)
    gone = current(sim, "alice")
    sim.control("advance", seconds=2 * DAY_S)

    assert len(still) == 1 and gone == []
    assert balance(sim, "alice") == 98.5
    (listed,) = ok(sim, "GetSuiteOrder", ownerName="alice", ownerType=ACCOUNT)["infoSuiteOrders"]
    assert listed["expireTime"] == expire


def test_it_deletes_orders_and_current_suites(sim, daily):
    order = ok(
        sim,
        "CreateSuiteOrder",
        ownerName="alice",
        ownerType=ACCOUNT,
        suiteId=daily,
        availableTime=0,
    )
    current_id = current(sim, "alice")[0]["id"]

    ok(sim, "DeleteCurrentSuite", id=current_id)
    after_current = current(sim, "alice")
    again = call(sim, "DeleteCurrentSuite", id=current_id)
    ok(sim, "DeleteSuiteOrder", id=order["id"])

    assert after_current == []
    assert again["retCode"] == codes.NOT_FOUND
    assert ok(sim, "GetSuiteOrder", ownerName="alice", ownerType=ACCOUNT)["infoSuiteOrders"] == []
    assert call(sim, "DeleteSuiteOrder", id=order["id"])["retCode"] == codes.NOT_FOUND
    assert call(sim, "ModifySuiteOrder", id=order["id"])["retCode"] == codes.NOT_FOUND


def test_it_refuses_to_delete_an_ordered_suite_unless_forced(sim, daily):
    ok(
        sim,
        "CreateSuiteOrder",
        ownerName="alice",
        ownerType=ACCOUNT,
        suiteId=daily,
        availableTime=0,
    )

    refused = call(sim, "DeleteSuite", id=daily)
    ok(sim, "DeleteSuite", id=daily, force=1)

    assert refused["retCode"] == codes.IN_USE
    assert ok(sim, "GetSuite")["infoSuites"] == []
    assert ok(sim, "GetSuiteOrder", ownerName="alice", ownerType=ACCOUNT)["infoSuiteOrders"] == []
    assert current(sim, "alice") == []
    assert call(sim, "DeleteSuite", id=daily)["retCode"] == codes.NOT_FOUND


def test_it_refuses_an_order_the_owner_cannot_pay(sim):
    ok(sim, "CreateCustomer", account="poor", money=1)
    dear = ok(
        sim, "CreateSuite", name="dear", rentPeriod=1, rentType=MONTH, rentFee=50, giftMoney=0
    )

    answer = call(
        sim,
        "CreateSuiteOrder",
        ownerName="poor",
        ownerType=ACCOUNT,
        suiteId=dear["id"],
        availableTime=0,
    )

    assert answer["retCode"] == codes.BALANCE_NOT_ENOUGH
    assert ok(sim, "GetSuiteOrder", ownerName="poor", ownerType=ACCOUNT)["infoSuiteOrders"] == []
    assert balance(sim, "poor") == 1


def test_it_skips_a_period_the_owner_cannot_pay_and_retries_the_current_one(sim):
    ok(sim, "CreateCustomer", account="bob", money=1)
    suite = ok(sim, "CreateSuite", name="d", rentPeriod=1, rentType=DAY, rentFee=1, giftMoney=0)
    ok(
        sim,
        "CreateSuiteOrder",
        ownerName="bob",
        ownerType=ACCOUNT,
        suiteId=suite["id"],
        availableTime=0,
    )

    sim.control("advance", seconds=DAY_S)
    broke = current(sim, "bob")
    ok(sim, "Pay", ownerName="bob", ownerType=ACCOUNT, money=5)
    sim.control("advance", seconds=1)
    paid = current(sim, "bob")

    assert broke == [] and len(paid) == 1
    assert balance(sim, "bob") == 4


def test_it_orders_suites_for_phones_and_charges_their_account(sim, daily):
    ok(sim, "CreatePhone", autoCreateAccount=False, account="alice", e164="2001")

    ok(sim, "CreateSuiteOrder", ownerName="2001", ownerType=PHONE, suiteId=daily, availableTime=0)

    assert len(current(sim, "2001", PHONE)) == 1
    assert current(sim, "alice") == []
    assert balance(sim, "alice") == 98.5


def test_it_needs_the_owner_and_the_suite_to_exist(sim, daily):
    no_owner = call(
        sim,
        "CreateSuiteOrder",
        ownerName="ghost",
        ownerType=ACCOUNT,
        suiteId=daily,
        availableTime=0,
    )
    no_phone = call(
        sim, "CreateSuiteOrder", ownerName="999", ownerType=PHONE, suiteId=daily, availableTime=0
    )
    no_suite = call(
        sim, "CreateSuiteOrder", ownerName="alice", ownerType=ACCOUNT, suiteId=999, availableTime=0
    )

    assert no_owner["retCode"] == codes.NOT_FOUND
    assert no_phone["retCode"] == codes.NOT_FOUND
    assert no_suite["retCode"] == codes.NOT_FOUND


@pytest.mark.parametrize(
    ("start", "rent_type", "rent_period", "index", "expected"),
    [
        ("2024-01-31T00:00:00", MONTH, 1, 1, "2024-02-29T00:00:00"),
        ("2024-01-31T00:00:00", MONTH, 1, 2, "2024-03-31T00:00:00"),
        ("2023-11-15T06:00:00", MONTH, 3, 1, "2024-02-15T06:00:00"),
        ("2024-02-29T00:00:00", YEAR, 1, 1, "2025-02-28T00:00:00"),
        ("2024-03-01T00:00:00", DAY, 7, 2, "2024-03-15T00:00:00"),
    ],
)
def test_it_counts_rent_periods_on_the_calendar(start, rent_type, rent_period, index, expected):
    begin = ms(start)

    moment = period_start(begin, rent_type, rent_period, index)

    assert moment == ms(expected)
    assert period_index(begin, rent_type, rent_period, moment) == index
    assert period_index(begin, rent_type, rent_period, moment - 1) == index - 1
