"""Pay, pay history, consumption and phone cards on the simulator, over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from vos3000 import catalog
from vos3000.simulator import codes
from vos3000.simulator.handlers import money
from vos3000.tests.simhttp import call, ok

DAY_MS = 86_400_000


def balance(sim, account: str) -> float:
    return ok(sim, "GetCustomer", {"accounts": [account]})["infoCustomers"][0]["money"]


def vos_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y%m%d%H%M%S")


def history(sim, **query) -> list[dict]:
    query.setdefault("beginTime", "20000101000000")
    query.setdefault("endTime", "29991231235959")
    return ok(sim, "GetPayHistory", query)["infoPayHistorys"]


def money_pushes(sim) -> list[tuple[str, float]]:
    pushes = sim.control("pushes", name="CustomerMoneyChange")["pushes"]
    return [(p["payload"]["account"], p["payload"]["money"]) for p in pushes]


def pay(sim, owner: str, amount, owner_type: int = 2, **extra) -> dict:
    request = {"ownerName": owner, "ownerType": owner_type, "money": amount, **extra}
    return call(sim, "Pay", request)


# -- Pay and pay history ---------------------------------------------------------------------


def test_it_pays_an_account_and_answers_info_pay(sim):
    ok(sim, "CreateCustomer", {"account": "a", "money": 10, "validTime": 1_900_000_000_000})
    answer = pay(sim, "a", 2.55, memo="top-up")
    assert answer == {
        "retCode": 0,
        "infoPay": {
            "account": "a",
            "money": 12.55,
            "validTime": 1_900_000_000_000,
            "payMoney": 2.55,
        },
    }
    assert balance(sim, "a") == 12.55


def test_it_writes_pay_history_that_adds_up(sim):
    ok(sim, "CreateCustomer", {"account": "a", "money": 10})
    for amount in (0.1, 0.2, 5, -3.3):
        assert pay(sim, "a", amount)["retCode"] == 0
    rows = history(sim, account="a")
    assert [(r["type"], r["payType"], r["fee"], r["customerMoney"]) for r in rows] == [
        (money.PAY_CREATE_ACCOUNT, money.PAY_TYPE_CASH, 10.0, 10.0),
        (money.PAY_PAYMENT, money.PAY_TYPE_CASH, 0.1, 10.1),
        (money.PAY_PAYMENT, money.PAY_TYPE_CASH, 0.2, 10.3),
        (money.PAY_PAYMENT, money.PAY_TYPE_CASH, 5.0, 15.3),
        (money.PAY_PAYMENT, money.PAY_TYPE_CASH, -3.3, 12.0),
    ]
    assert round(sum(r["fee"] for r in rows), 4) == balance(sim, "a") == 12.0
    assert all(set(r) == {f.name for f in catalog.TYPES["InfoPayHistory"]} for r in rows)
    assert money_pushes(sim) == [
        ("a", 10.0),
        ("a", 10.1),
        ("a", 10.3),
        ("a", 15.3),
        ("a", 12.0),
    ]


def test_it_refuses_a_zero_pay_and_a_deduction_below_zero(sim):
    ok(sim, "CreateCustomer", {"account": "a", "money": 1, "limitMoney": 100})
    assert pay(sim, "a", 0)["retCode"] == codes.INPUT_ERROR
    answer = pay(sim, "a", -1.0001)
    assert answer == {"retCode": codes.BALANCE_NOT_ENOUGH, "exception": answer["exception"]}
    assert pay(sim, "a", -1)["infoPay"]["money"] == 0.0
    assert len(history(sim, account="a")) == 2


def test_it_pays_the_account_of_a_phone_and_of_a_mapping_gateway(sim):
    ok(sim, "CreatePhone", {"e164": "100", "account": "ph", "autoCreateAccount": True})
    assert pay(sim, "100", 4, owner_type=money.OWNER_PHONE)["infoPay"]["account"] == "ph"
    assert balance(sim, "ph") == 4.0
    ok(sim, "CreateCustomer", {"account": "gw-owner"})
    ok(sim, "CreateGatewayMapping", {"name": "gw1", "account": "gw-owner"})
    answer = pay(sim, "gw1", 6, owner_type=money.OWNER_MAPPING_GATEWAY)
    assert answer["infoPay"]["account"] == "gw-owner"
    rows = history(sim, account="gw-owner")
    assert [(r["fee"], r["customerMoney"]) for r in rows] == [(6.0, 6.0)]


def test_it_refuses_to_pay_unknown_owners(sim):
    for owner_type in (2, 6, 44):
        assert pay(sim, "ghost", 1, owner_type=owner_type)["retCode"] == codes.NOT_FOUND
    assert pay(sim, "ghost", 1, owner_type=3)["retCode"] == codes.INPUT_ERROR  # not an ownerType
    assert money_pushes(sim) == []


def test_it_filters_pay_history_by_time_with_whole_seconds_inclusive(sim):
    ok(sim, "CreateCustomer", {"account": "a"})
    for amount in (1, 2, 3):
        pay(sim, "a", amount)
        sim.control("advance", seconds=3600)
    # The payments' own times: a clock read after each Pay may already be a second on.
    times = sorted(r["payTime"] for r in history(sim, account="a"))
    rows = history(sim, account="a", beginTime=vos_time(times[1]), endTime=vos_time(times[1]))
    assert [r["fee"] for r in rows] == [2.0]
    rows = history(sim, account="a", beginTime=vos_time(times[1]), endTime=vos_time(times[2]))
    assert [r["fee"] for r in rows] == [2.0, 3.0]
    assert all(r["payTime"] // 1000 * 1000 <= times[2] for r in rows)
    answer = call(
        sim,
        "GetPayHistory",
        {"account": "a", "beginTime": "2024-01-01", "endTime": "20240101000000"},
    )
    assert answer["retCode"] == codes.INPUT_ERROR and answer["infoPayHistorys"] == []


def test_it_lists_the_pay_history_of_everyone_below_an_agent(sim):
    ok(sim, "CreateCustomer", {"account": "root"})
    ok(sim, "CreateCustomer", {"account": "reseller", "agentAccount": "root", "money": 1})
    ok(sim, "CreateCustomer", {"account": "end", "agentAccount": "reseller", "money": 2})
    ok(sim, "CreateCustomer", {"account": "other", "money": 3})
    pay(sim, "root", 9)
    assert {r["account"] for r in history(sim, agentAccount="root")} == {"reseller", "end"}
    assert [r["account"] for r in history(sim, agentAccount="reseller")] == ["end"]
    assert [r["fee"] for r in history(sim, agentAccount="root", account="end")] == [2.0]
    assert history(sim, agentAccount="reseller", account="other") == []


# -- charges and consumption ----------------------------------------------------------------


@pytest.mark.dates
def test_it_charges_calls_without_pay_history_and_pushes_the_new_balance(sim):
    ok(sim, "CreateCustomer", {"account": "a", "money": 1, "limitMoney": 5})
    now = sim.control("now")["now"]
    with sim.sim.transaction() as ctx:
        assert money.charge(ctx, "a", "1.23456", now_ms=now) == -0.2346
        assert money.available_credit(ctx, "a") == 4.7654
    assert balance(sim, "a") == -0.2346
    assert [r["type"] for r in history(sim, account="a")] == [money.PAY_CREATE_ACCOUNT]
    assert money_pushes(sim)[-1] == ("a", -0.2346)


def test_it_lists_rent_consumption_with_the_balance_after_each(sim):
    ok(sim, "CreateCustomer", {"account": "a", "money": 20})
    start = sim.control("now")["now"]
    with sim.sim.transaction() as ctx:
        money.record_consumption(ctx, "a", 5, kind=0, name="Gold suite", now_ms=start)
        money.record_consumption(ctx, "a", 2.5, kind=1, name="100", now_ms=start + 1000)
    rows = ok(
        sim,
        "GetConsumption",
        {"account": "a", "beginTime": vos_time(start), "endTime": vos_time(start + 1000)},
    )["infoConsumptions"]
    assert [(r["type"], r["money"], r["customerMoney"], r["consumptionName"]) for r in rows] == [
        (0, 5.0, 15.0, "Gold suite"),
        (1, 2.5, 12.5, "100"),
    ]
    info = ok(sim, "GetCustomer", {"accounts": ["a"]})["infoCustomers"][0]
    assert (info["money"], info["todayConsumption"]) == (12.5, 7.5)


# -- phone cards -----------------------------------------------------------------------------


def cards(sim, **params) -> list[dict]:
    params.setdefault("value", 10)
    return sim.control("create_phone_cards", **params)["cards"]


def pay_by_card(sim, owner: str, pin: str, password=None, owner_type: int = 2) -> dict:
    request = {"ownerName": owner, "ownerType": owner_type, "pin": pin}
    if password is not None:
        request["password"] = password
    return call(sim, "PayByPhoneCard", request)


def test_it_recharges_with_a_phone_card_once(sim):
    ok(sim, "CreateCustomer", {"account": "a", "money": 1})
    card = cards(sim, value=25.5, password="4321")[0]
    answer = pay_by_card(sim, "a", card["pin"], "4321")
    assert answer["retCode"] == 0
    assert (answer["infoPay"]["money"], answer["infoPay"]["payMoney"]) == (26.5, 25.5)
    last = history(sim, account="a")[-1]
    assert (last["type"], last["payType"], last["fee"]) == (0, money.PAY_TYPE_CARD, 25.5)
    assert pay_by_card(sim, "a", card["pin"], "4321")["retCode"] == codes.CARD_USED
    assert balance(sim, "a") == 26.5
    info = ok(sim, "GetPhoneCard", {"pin": [card["pin"]]})["infoPhoneCards"][0]
    assert info["usedAccount"] == "a" and info["usedTime"] > 0
    assert set(info) == {f.name for f in catalog.TYPES["InfoPhoneCard"]}


def test_it_gives_distinct_codes_for_unknown_wrong_password_and_expired_cards(sim):
    ok(sim, "CreateCustomer", {"account": "a"})
    card, other = cards(sim, count=2, password="1111", expire_days=1)
    assert pay_by_card(sim, "a", "000000000000")["retCode"] == codes.CARD_NOT_FOUND
    assert pay_by_card(sim, "a", card["pin"], "9999")["retCode"] == codes.CARD_WRONG_PASSWORD
    assert pay_by_card(sim, "a", card["pin"])["retCode"] == 0  # no password: PIN only
    sim.control("advance", seconds=2 * 86400)
    assert pay_by_card(sim, "a", other["pin"], "1111")["retCode"] == codes.CARD_EXPIRED
    assert (
        len({codes.CARD_NOT_FOUND, codes.CARD_WRONG_PASSWORD, codes.CARD_USED, codes.CARD_EXPIRED})
        == 4
    )
    assert balance(sim, "a") == 10.0


def test_it_replaces_the_fee_rate_group_when_the_card_says_so(sim):
    ok(sim, "CreateFeeRateGroup", {"name": "promo"})
    ok(sim, "CreateCustomer", {"account": "a"})
    bits = money.CARD_RECHARGE | money.CARD_REPLACE_FEE_RATE_GROUP
    card = cards(sim, bits_of_config=bits, fee_rate_group="promo")[0]
    ok(sim, "PayByPhoneCard", {"ownerName": "a", "ownerType": 2, "pin": card["pin"]})
    info = ok(sim, "GetCustomer", {"accounts": ["a"]})["infoCustomers"][0]
    assert info["feeRateGroup"] == "promo"


def test_it_activates_a_card_into_its_own_account(sim):
    ok(sim, "CreateCustomer", {"account": "reseller"})
    card = cards(
        sim,
        value=7,
        limit_money=2,
        bits_of_config=money.CARD_CREATE_ACCOUNT_PHONE,
        agent_account="reseller",
    )[0]
    ok(sim, "PhoneCardActive", {"pin": card["pin"], "password": card["password"]})
    info = ok(sim, "GetCustomer", {"accounts": [card["pin"]]})["infoCustomers"][0]
    assert (info["type"], info["money"], info["limitMoney"], info["agentAccount"]) == (
        1,
        7.0,
        2.0,
        "reseller",
    )
    phone = ok(sim, "GetPhone", {"e164s": [card["pin"]]})["infoPhones"][0]
    assert phone["account"] == card["pin"]
    rows = history(sim, account=card["pin"])
    assert [(r["type"], r["payType"], r["fee"]) for r in rows] == [
        (money.PAY_CREATE_ACCOUNT, money.PAY_TYPE_CARD, 7.0)
    ]
    answer = call(sim, "PhoneCardActive", {"pin": card["pin"]})
    assert answer["retCode"] == codes.CARD_USED


def test_it_binds_the_given_number_to_the_activated_card(sim):
    card = cards(sim, bits_of_config=money.CARD_CREATE_ACCOUNT_ACTIVE_CARD, password="5555")[0]
    ok(sim, "PhoneCardActive", {"pin": card["pin"], "bindedE164": "8613900000000"})
    active = ok(sim, "GetActivePhoneCard", {"pins": [card["pin"]]})
    assert active[catalog.endpoint("GetActivePhoneCard").list_field][0]["account"] == card["pin"]
    answer = pay(sim, "8613900000000", 5, owner_type=money.OWNER_BINDED_E164)
    assert answer["infoPay"] == answer["infoPay"] | {"account": card["pin"], "money": 15.0}


def test_it_refuses_to_activate_a_recharge_card(sim):
    card = cards(sim)[0]
    answer = call(sim, "PhoneCardActive", {"pin": card["pin"]})
    assert answer["retCode"] == codes.CARD_NOT_ACTIVATABLE
    assert ok(sim, "GetAllCustomers")["accounts"] == []


def test_it_checks_the_password_when_listing_cards(sim):
    first, second = cards(sim, count=2, password="2468", value=3)
    listed = ok(sim, "GetPhoneCard", {"pin": [second["pin"], "unknown", first["pin"]]})
    assert [c["money"] for c in listed["infoPhoneCards"]] == [3.0, 3.0]
    answer = call(sim, "GetPhoneCard", {"pin": [first["pin"]], "Password": "0000"})
    assert answer["retCode"] == codes.CARD_WRONG_PASSWORD and answer["infoPhoneCards"] == []


def test_it_issues_the_same_cards_for_the_same_seed(sim):
    first = cards(sim, count=3, seed=7, prefix="77", pin_length=10)
    assert all(c["pin"].startswith("77") and len(c["pin"]) == 10 for c in first)
    sim.control("reset")
    again = cards(sim, count=3, seed=7, prefix="77", pin_length=10)
    assert [(c["pin"], c["password"]) for c in again] == [(c["pin"], c["password"]) for c in first]


def test_it_serves_the_typed_client(vos, sim):
    vos.create_customer(account="typed", money=3, limit_money=1)
    vos.create_phone(e164="900", account="typed", auto_create_account=False)
    info_pay = vos.pay(owner_name="900", owner_type=money.OWNER_PHONE, money=1.5).info_pay
    assert (info_pay.account, info_pay.money, info_pay.pay_money) == ("typed", 4.5, 1.5)
    rows = vos.get_pay_history(
        account="typed", begin_time="20000101000000", end_time="29991231235959"
    ).info_pay_historys
    assert [(row.type, row.fee, row.customer_money) for row in rows] == [
        (money.PAY_CREATE_ACCOUNT, 3.0, 3.0),
        (money.PAY_PAYMENT, 1.5, 4.5),
    ]


def test_it_refuses_card_batches_it_cannot_issue(sim):
    def refused(**params) -> int:
        response = requests.post(sim.root_url + "_sim/create_phone_cards", json=params, timeout=5)
        return response.status_code

    assert cards(sim, prefix="123456", pin_length=6)[0]["pin"] == "123456"
    assert refused(value=1, prefix="123456", pin_length=6) == 400  # that PIN is taken
    assert refused(value=1, count=2, prefix="12", pin_length=2) == 400
    assert refused(value=1, agent_account="ghost") == 400
    assert refused(value=1, fee_rate_group="ghost") == 400
    assert len(ok(sim, "GetPhoneCard", {"pin": ["123456"]})["infoPhoneCards"]) == 1
