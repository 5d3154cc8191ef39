"""The pricing engine, by hand-computed cases (pure functions, no simulator)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from vos3000.simulator import pricing
from vos3000.simulator.pricing import Charge, Rate, Section


def rate(**fields) -> Rate:
    info = {"feePrefix": "44", "fee": 0.6, "period": 60, "type": 5}
    info.update(fields)
    return Rate.from_info(info)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, "0.1000"),
        (0.00005, "0.0001"),  # half up, not half even
        (0.00015, "0.0002"),
        (0.00025, "0.0003"),
        (-0.00005, "-0.0001"),
        ("1.23444", "1.2344"),
        (7, "7.0000"),
    ],
)
def test_it_rounds_money_to_four_places_half_up(value, expected):
    assert pricing.money(value) == Decimal(expected)


def test_it_stores_money_as_integer_ten_thousandths():
    assert pricing.to_e4(Decimal("1.23456")) == 12346
    assert pricing.to_e4(0.1) == 1000
    assert pricing.from_e4(12346) == 1.2346
    assert pricing.from_e4(-5) == -0.0005


@pytest.mark.parametrize(
    ("period", "hold", "fee_time", "fee"),
    [
        # 0.60 per minute, billed by the minute
        (60, 0, 0, "0"),
        (60, 1, 60, "0.6"),
        (60, 60, 60, "0.6"),
        (60, 61, 120, "1.2"),
        # 6/6 billing: 0.06 per 6 seconds
        (6, 1, 6, "0.06"),
        (6, 7, 12, "0.12"),
        (6, 61, 66, "0.66"),
        # per second: 0.01 per second
        (1, 59, 59, "0.59"),
        # 30-second billing: 0.30 per 30 seconds
        (30, 31, 60, "0.6"),
    ],
)
def test_it_rounds_fee_time_up_to_the_period(period, hold, fee_time, fee):
    assert pricing.price(rate(period=period), hold) == Charge(fee_time, Decimal(fee))


def test_it_rounds_the_fee_of_one_call_once_half_up():
    # 0.0123 per minute, per second: 7 s cost 0.0123 * 7 / 60 = 0.001435 -> 0.0014
    assert pricing.price(rate(fee=0.0123, period=1), 7).fee == Decimal("0.0014")
    # 0.0003 per minute, per second: 10 s cost 0.00005 -> 0.0001 (half up)
    assert pricing.price(rate(fee=0.0003, period=1), 10).fee == Decimal("0.0001")
    # 0.07 per minute, 6 s: 0.007 exactly
    assert pricing.price(rate(fee=0.07, period=6), 5).fee == Decimal("0.0070")


SECTIONS = [
    # given out of order on purpose: position decides
    {"position": 2, "time": 30, "fee": 0.05},
    {"position": 1, "time": 60, "fee": 0.2},
]


def test_it_orders_sections_by_position():
    r = rate(infoFeeRateSections=SECTIONS)
    assert r.sections == (
        Section(1, 60, Decimal("0.2000")),
        Section(2, 30, Decimal("0.0500")),
    )


@pytest.mark.parametrize(
    ("hold", "fee_time", "fee"),
    [
        (0, 0, "0"),
        (1, 60, "0.2"),  # first section charged whole
        (60, 60, "0.2"),
        (61, 90, "0.25"),  # second section reached
        (90, 90, "0.25"),
        (91, 96, "0.31"),  # then 0.6/min by 6 s: 0.06 per period
        (100, 102, "0.37"),
    ],
)
def test_it_charges_sections_first_then_the_rate(hold, fee_time, fee):
    r = rate(period=6, infoFeeRateSections=SECTIONS)
    assert pricing.price(r, hold) == Charge(fee_time, Decimal(fee))


def test_it_matches_the_longest_prefix():
    rates = [rate(feePrefix=p) for p in ("4", "44", "447", "4475")]
    assert pricing.longest_prefix_match(rates, "447512345678").fee_prefix == "4475"
    assert pricing.longest_prefix_match(rates, "447012345678").fee_prefix == "447"
    assert pricing.longest_prefix_match(rates, "441234").fee_prefix == "44"
    assert pricing.longest_prefix_match(rates, "49").fee_prefix == "4"
    assert pricing.longest_prefix_match(rates, "33123") is None
    assert pricing.longest_prefix_match(rates, "") is None


def test_it_lists_candidate_prefixes_longest_first():
    assert pricing.candidate_prefixes("123") == ["123", "12", "1"]


def test_it_charges_the_first_period_on_connect():
    assert pricing.first_period_cost(rate(period=6)) == Decimal("0.06")
    assert pricing.first_period_cost(rate(period=6, infoFeeRateSections=SECTIONS)) == Decimal("0.2")


@pytest.mark.parametrize(
    ("credit", "period", "seconds"),
    [
        ("0", 60, 0),
        ("0.5999", 60, 0),  # not even the first minute
        ("0.6", 60, 60),
        ("1.19", 60, 60),
        ("1.2", 60, 120),
        ("0.06", 6, 6),
        ("1.00", 6, 96),  # 16 periods of 0.06 = 0.96; 17 would be 1.02
        ("0.5", 1, 50),
    ],
)
def test_it_computes_available_seconds_from_credit(credit, period, seconds):
    assert pricing.available_seconds(rate(period=period), Decimal(credit)) == seconds


@pytest.mark.parametrize(
    ("credit", "seconds"),
    [
        ("0.19", 0),
        ("0.2", 60),
        ("0.2499", 60),
        ("0.25", 90),
        ("0.30", 90),
        ("0.31", 96),
        ("1.00", 90 + 6 * 12),  # 0.75 left: 12 periods of 0.06 = 0.72
    ],
)
def test_it_computes_available_seconds_through_sections(credit, seconds):
    r = rate(period=6, infoFeeRateSections=SECTIONS)
    assert pricing.available_seconds(r, Decimal(credit)) == seconds


def test_it_makes_available_seconds_agree_with_price_at_the_rounding_edge():
    # 0.0003 per minute per second: a second costs 0.000005, so 10 s round up to 0.0001
    r = rate(fee=0.0003, period=1)
    seconds = pricing.available_seconds(r, Decimal("0.0001"))
    assert pricing.price(r, seconds).fee <= Decimal("0.0001")
    assert pricing.price(r, seconds + 1).fee > Decimal("0.0001")
    assert seconds == 29  # 29 s = 0.000145 -> 0.0001; 30 s = 0.00015 -> 0.0002


def test_it_caps_available_seconds_for_free_destinations():
    assert pricing.available_seconds(rate(fee=0), Decimal(0)) == pricing.MAX_CALL_SECONDS
    assert pricing.available_seconds(rate(), Decimal(10**9)) == pricing.MAX_CALL_SECONDS


def test_it_limits_call_level_by_the_phone():
    international = rate(type=5)
    domestic = rate(type=4)
    assert pricing.call_level_allowed(None, international)
    assert pricing.call_level_allowed(5, international)
    assert not pricing.call_level_allowed(4, international)
    assert pricing.call_level_allowed(4, domestic)


@pytest.mark.parametrize(
    "bad",
    [
        {"feePrefix": ""},
        {"period": 0},
        {"type": 3},
        {"fee": -1},
        {"infoFeeRateSections": [{"position": 1, "time": 0, "fee": 1}]},
    ],
)
def test_it_refuses_nonsense_rates(bad):
    with pytest.raises(ValueError):
        rate(**bad)


def test_it_round_trips_an_info_fee_rate():
    info = {
        "feePrefix": "4475",
        "areaCode": "4475",
        "type": 5,
        "areaName": "United Kingdom Mobile",
        "infoFeeRateSections": [{"fee": 0.2, "time": 60, "position": 1}],
        "fee": 0.0612,
        "period": 6,
        "lockType": 1,
        "ivrFee": 0.07,
        "ivrPeriod": 60,
    }
    assert Rate.from_info(info).to_info() == info


# -- fee rate groups over HTTP -------------------------------------------------------------


def test_it_creates_modifies_lists_and_deletes_fee_rate_groups(sim):
    from vos3000.simulator import codes
    from vos3000.tests.test_sim_calls import call, ok

    ok(sim, "CreateFeeRateGroup", {"name": "Retail", "memo": "shop prices", "fakeMinute": 50})
    ok(sim, "CreateFeeRateGroup", {"name": "Wholesale"})
    assert call(sim, "CreateFeeRateGroup", {"name": "Retail"})["retCode"] == codes.ALREADY_EXISTS
    ok(sim, "ModifyFeeRateGroup", {"name": "Wholesale", "memo": "carriers"})
    groups = ok(sim, "GetFeeRateGroup")["infoFeeRateGroups"]
    assert groups == [
        {"name": "Retail", "memo": "shop prices"},
        {"name": "Wholesale", "memo": "carriers"},
    ]
    only = ok(sim, "GetFeeRateGroup", {"names": ["Wholesale", "nope"]})["infoFeeRateGroups"]
    assert [g["name"] for g in only] == ["Wholesale"]
    assert call(sim, "ModifyFeeRateGroup", {"name": "nope"})["retCode"] == codes.NOT_FOUND
    ok(sim, "DeleteFeeRateGroup", {"name": "Wholesale"})
    assert call(sim, "DeleteFeeRateGroup", {"name": "Wholesale"})["retCode"] == codes.NOT_FOUND


def test_it_refuses_to_delete_a_fee_rate_group_a_customer_or_phone_uses(sim):
    from vos3000.simulator import codes
    from vos3000.tests.test_sim_calls import call, ok

    for name in ("ByCustomer", "ByPhone"):
        ok(sim, "CreateFeeRateGroup", {"name": name})
    ok(sim, "CreateCustomer", {"account": "c1", "feeRateGroup": "ByCustomer"})
    phone = {"e164": "1001", "account": "c1", "autoCreateAccount": False}
    ok(sim, "CreatePhone", {**phone, "feerateGroup": "ByPhone"})
    for name in ("ByCustomer", "ByPhone"):
        assert call(sim, "DeleteFeeRateGroup", {"name": name})["retCode"] == codes.IN_USE
    ok(sim, "ModifyPhone", {"e164": "1001", "feerateGroup": "ByCustomer"})
    ok(sim, "DeleteFeeRateGroup", {"name": "ByPhone"})


def test_it_loads_rates_and_answers_them_by_area_code(sim):
    from vos3000.tests.test_sim_calls import RATES, call, ok

    assert sim.control("set_fee_rates", group="Retail", rates=RATES["RETAIL"]) == {
        "group": "Retail",
        "rates": len(RATES["RETAIL"]),
    }
    every = ok(sim, "GetFeeRate", {"feeRateGroup": "Retail"})["infoFeeRates"]
    assert len(every) == len(RATES["RETAIL"])
    uk = ok(sim, "GetFeeRate", {"feeRateGroup": "Retail", "areaCodes": ["447", "44"]})
    [fixed, mobile] = uk["infoFeeRates"]
    assert (fixed["feePrefix"], fixed["fee"], fixed["period"]) == ("44", 0.12, 60)
    assert mobile["infoFeeRateSections"] == [{"fee": 0.2, "time": 30, "position": 1}]
    sim.control("set_fee_rates", group="Retail", rates=[{"feePrefix": "44", "fee": 0.1}], replace=1)
    assert [
        r["fee"] for r in ok(sim, "GetFeeRate", {"feeRateGroup": "Retail"})["infoFeeRates"]
    ] == [0.1]
    assert call(sim, "GetFeeRate", {"feeRateGroup": "nope"})["retCode"] == -10007
    nonsense = {"group": "Retail", "rates": [{"feePrefix": ""}]}
    bad = requests.post(f"{sim.root_url}_sim/set_fee_rates", json=nonsense, timeout=(1, 5))
    assert bad.status_code == 400
