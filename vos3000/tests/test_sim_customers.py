"""Customers, the agent tree and phones on the simulator, over HTTP."""

from __future__ import annotations

import json

import pytest
import requests

from vos3000 import catalog
from vos3000.simulator import codes
from vos3000.simulator.handlers import catalog_objects, customers, money, phones
from vos3000.tests.simhttp import call, ok

DAY_MS = 86_400_000


def customer(sim, account: str) -> dict:
    infos = ok(sim, "GetCustomer", {"accounts": [account]})["infoCustomers"]
    assert len(infos) == 1
    return infos[0]


def phone(sim, e164: str) -> dict:
    infos = ok(sim, "GetPhone", {"e164s": [e164]})["infoPhones"]
    assert len(infos) == 1
    return infos[0]


def non_default_value(field, salt: int):
    """A valid value of ``field`` that differs from the simulator's default for it."""
    default = catalog_objects.default_for(field)
    item_type = field.type[:-2] if field.type.endswith("[]") else None
    if field.type in catalog.TYPES:
        return full_object(field.type, salt)
    if item_type in catalog.TYPES:
        return [full_object(item_type, salt), full_object(item_type, salt + 1)]
    if item_type:  # String[] such as sipCodecs: two allowed values
        values = list(field.enum or ["x", "y"])
        return [values[salt % len(values)], values[(salt + 3) % len(values)]]
    if field.type == "Boolean":
        return not default
    if field.enum:
        return next(int(v) for v in field.enum if int(v) != default)
    if field.type in ("Integer", "int"):
        return 3 + salt
    if field.type == "Long":
        return 1_700_000_000_000 + salt
    if field.type.lower() == "double":
        return 1.25 + salt
    return f"{field.name}-{salt}"[: field.length or 64]


def full_object(type_name: str, salt: int = 0) -> dict:
    fields = catalog.TYPES[type_name]
    return {f.name: non_default_value(f, salt + i) for i, f in enumerate(fields)}


def create_group(sim, name: str) -> None:
    ok(sim, "CreateFeeRateGroup", {"name": name})


def in_transaction(sim, fn):
    with sim.sim.transaction() as ctx:
        return fn(ctx)


# -- customers -------------------------------------------------------------------------------


def test_it_round_trips_every_customer_field(sim):
    create_group(sim, "gold")
    ok(sim, "CreateCustomer", {"account": "agent"})
    additional = full_object("InfoCustomerAdditional")
    request = {
        "account": "c1",
        "name": "Customer One",
        "money": 12.5,
        "limitMoney": 30,
        "feeRateGroup": "gold",
        "type": 2,
        "lockType": 1,
        "agentAccount": "agent",
        "phoneBookLimit": 9,
        "validTime": 1_900_000_000_000,
        "memo": "a memo",
        "infoCustomerAdditional": additional,
    }
    now = sim.control("now")["now"]
    assert call(sim, "CreateCustomer", request) == {"retCode": 0}
    info = customer(sim, "c1")
    assert set(info) == {f.name for f in catalog.TYPES["InfoCustomer"]}
    assert info["infoCustomerAdditional"] == additional
    assert abs(info.pop("startTime") - now) < 5000
    expected = {k: v for k, v in request.items() if k != "infoCustomerAdditional"}
    expected |= {"limitMoney": 30.0, "todayConsumption": 0.0}
    assert {k: v for k, v in info.items() if k != "infoCustomerAdditional"} == expected


def test_it_fills_the_manuals_defaults_for_a_minimal_customer(sim):
    ok(sim, "CreateCustomer", {"account": "min"})
    info = customer(sim, "min")
    assert info["name"] == "" and info["money"] == 0.0 and info["limitMoney"] == 0.0
    assert (info["type"], info["lockType"], info["agentAccount"], info["feeRateGroup"]) == (
        0,
        0,
        "",
        "",
    )
    assert info["validTime"] == info["startTime"] + customers.DEFAULT_VALID_MS
    additional = info["infoCustomerAdditional"]
    assert additional["cardType"] == 0 and additional["reportType"] == 0
    assert additional["email"] == ""
    assert list(additional) == [f.name for f in catalog.TYPES["InfoCustomerAdditional"]]


def test_it_refuses_a_duplicate_account(sim):
    ok(sim, "CreateCustomer", {"account": "dup", "money": 5})
    assert call(sim, "CreateCustomer", {"account": "dup"})["retCode"] == codes.ALREADY_EXISTS
    assert customer(sim, "dup")["money"] == 5.0


def test_it_refuses_an_unknown_fee_rate_group(sim):
    answer = call(sim, "CreateCustomer", {"account": "a", "feeRateGroup": "nope"})
    assert answer["retCode"] == codes.NOT_FOUND
    assert ok(sim, "GetAllCustomers")["accounts"] == []


def test_it_builds_the_agent_tree_and_refuses_unknown_agents_and_cycles(sim):
    ok(sim, "CreateCustomer", {"account": "root"})
    ok(sim, "CreateCustomer", {"account": "reseller", "agentAccount": "root"})
    ok(sim, "CreateCustomer", {"account": "sub", "agentAccount": "reseller"})
    ok(sim, "CreateCustomer", {"account": "end", "agentAccount": "sub"})
    assert in_transaction(sim, lambda ctx: customers.agent_chain(ctx, "end")) == [
        "sub",
        "reseller",
        "root",
    ]
    assert in_transaction(sim, lambda ctx: customers.agent_chain(ctx, "root")) == []
    assert sorted(in_transaction(sim, lambda ctx: customers.descendants(ctx, "reseller"))) == [
        "end",
        "sub",
    ]
    answer = call(sim, "CreateCustomer", {"account": "x", "agentAccount": "ghost"})
    assert answer["retCode"] == codes.NOT_FOUND
    answer = call(sim, "ModifyCustomer", {"account": "root", "agentAccount": "end"})
    assert answer["retCode"] == codes.AGENT_CYCLE
    answer = call(sim, "ModifyCustomer", {"account": "root", "agentAccount": "root"})
    assert answer["retCode"] == codes.AGENT_CYCLE
    assert customer(sim, "root")["agentAccount"] == ""
    ok(sim, "ModifyCustomer", {"account": "end", "agentAccount": "root"})
    assert customer(sim, "end")["agentAccount"] == "root"
    ok(sim, "ModifyCustomer", {"account": "end", "agentAccount": ""})
    assert customer(sim, "end")["agentAccount"] == ""


def test_it_modifies_only_the_fields_given(sim):
    additional = full_object("InfoCustomerAdditional")
    ok(
        sim,
        "CreateCustomer",
        {
            "account": "m",
            "name": "Old",
            "limitMoney": 3,
            "memo": "keep",
            "money": 4,
            "infoCustomerAdditional": additional,
        },
    )
    ok(
        sim,
        "ModifyCustomer",
        {
            "account": "m",
            "name": "New",
            "lockType": 1,
            "infoCustomerAdditional": {"email": "new@example.com"},
        },
    )
    info = customer(sim, "m")
    assert (info["name"], info["lockType"], info["limitMoney"], info["memo"], info["money"]) == (
        "New",
        1,
        3.0,
        "keep",
        4.0,
    )
    assert info["infoCustomerAdditional"] == additional | {"email": "new@example.com"}
    assert call(sim, "ModifyCustomer", {"account": "ghost"})["retCode"] == codes.NOT_FOUND
    # money is not a ModifyCustomer field: a lenient server ignores it (the balance
    # moves only through Pay); a strict one refuses it.
    ok(sim, "ModifyCustomer", {"account": "m", "money": 100})
    assert customer(sim, "m")["money"] == 4.0


def test_it_refuses_money_on_modify_customer_when_strict(strict_sim):
    ok(strict_sim, "CreateCustomer", {"account": "m", "money": 4})
    answer = call(strict_sim, "ModifyCustomer", {"account": "m", "money": 100})
    assert answer["retCode"] == codes.INPUT_ERROR  # balance moves only through Pay
    assert customer(strict_sim, "m")["money"] == 4.0


def test_it_refuses_to_delete_a_customer_with_balance_phones_or_children(sim):
    ok(sim, "CreateCustomer", {"account": "rich", "money": 1})
    assert call(sim, "DeleteCustomer", {"account": "rich"})["retCode"] == codes.NOT_EMPTY
    ok(sim, "CreateCustomer", {"account": "parent"})
    ok(sim, "CreateCustomer", {"account": "child", "agentAccount": "parent"})
    assert call(sim, "DeleteCustomer", {"account": "parent"})["retCode"] == codes.NOT_EMPTY
    ok(sim, "CreatePhone", {"e164": "300", "account": "child", "autoCreateAccount": False})
    assert call(sim, "DeleteCustomer", {"account": "child"})["retCode"] == codes.NOT_EMPTY
    ok(sim, "DeletePhone", {"e164": "300"})
    ok(sim, "DeleteCustomer", {"account": "child"})
    ok(sim, "DeleteCustomer", {"account": "parent"})
    assert call(sim, "DeleteCustomer", {"account": "parent"})["retCode"] == codes.NOT_FOUND
    assert ok(sim, "GetAllCustomers")["accounts"] == ["rich"]


def test_it_refuses_to_delete_a_customer_a_gateway_or_card_bills_to(sim):
    ok(sim, "CreateCustomer", {"account": "gw"})
    ok(sim, "CreateGatewayMapping", {"name": "m1", "account": "gw"})
    assert call(sim, "DeleteCustomer", {"account": "gw"})["retCode"] == codes.IN_USE
    ok(sim, "DeleteGatewayMapping", {"name": "m1"})
    ok(sim, "CreateActivePhoneCard", {"pin": "123", "account": "gw"})
    assert call(sim, "DeleteCustomer", {"account": "gw"})["retCode"] == codes.IN_USE
    ok(sim, "DeleteActivePhoneCard", {"pin": "123"})
    ok(sim, "DeleteCustomer", {"account": "gw"})


def test_it_finds_customers_by_account_and_by_phone(sim):
    for account in ("b", "a", "c"):
        ok(sim, "CreateCustomer", {"account": account})
    ok(sim, "CreatePhone", {"e164": "555", "account": "c", "autoCreateAccount": False})
    infos = ok(sim, "GetCustomer", {"accounts": ["b", "ghost"], "e164s": ["555", "999"]})
    assert [info["account"] for info in infos["infoCustomers"]] == ["b", "c"]
    assert ok(sim, "GetCustomer", {"accounts": ["ghost"]})["infoCustomers"] == []
    assert ok(sim, "GetAllCustomers", {})["accounts"] == ["a", "b", "c"]


@pytest.mark.dates
def test_it_adds_charges_to_todays_consumption_until_midnight_utc(sim):
    ok(sim, "CreateCustomer", {"account": "a", "money": 10})
    now = sim.control("now")["now"]
    in_transaction(sim, lambda ctx: money.charge(ctx, "a", 1.5, now_ms=now))
    in_transaction(sim, lambda ctx: money.charge(ctx, "a", 0.25, now_ms=now))
    # A call dated yesterday moves the balance but is not today's consumption.
    in_transaction(sim, lambda ctx: money.charge(ctx, "a", 2, now_ms=now - DAY_MS))
    info = customer(sim, "a")
    assert (info["money"], info["todayConsumption"]) == (6.25, 1.75)
    sim.control("advance", seconds=(DAY_MS - now % DAY_MS) / 1000 + 1)
    info = customer(sim, "a")
    assert (info["money"], info["todayConsumption"]) == (6.25, 0.0)


def test_it_answers_available_credit_as_balance_plus_overdraft(sim):
    ok(sim, "CreateCustomer", {"account": "a", "money": 2.5, "limitMoney": 10})
    assert in_transaction(sim, lambda ctx: money.available_credit(ctx, "a")) == 12.5
    row = in_transaction(sim, lambda ctx: customers.get_customer_row(ctx, "a"))
    assert (row["money"], row["limit_money"], row["fee_rate_group"]) == (2.5, 10.0, "")
    assert in_transaction(sim, lambda ctx: customers.get_customer_row(ctx, "nobody")) is None


# -- phones ----------------------------------------------------------------------------------


def full_phone(e164: str, account: str, group: str) -> dict:
    info = full_object("InfoPhone")
    create_only = [f for f in catalog.endpoint("CreatePhone").request if f.name not in info]
    info |= {f.name: non_default_value(f, 50) for f in create_only}
    info.pop("autoCreateAccount")
    return info | {"e164": e164, "account": account, "feerateGroup": group}


def test_it_round_trips_every_phone_setting_exactly(sim):
    create_group(sim, "silver")
    ok(sim, "CreateCustomer", {"account": "owner"})
    settings = full_phone("8613800000001", "owner", "silver")
    assert settings["infoPhoneValueAdded"]["infoPhoneValueAddedPeriodForwardings"][1]
    assert settings["infoPhoneAdditional"]["sipCodecs"]
    assert "rewriteRulesInCaller" in settings  # CreatePhone-only field, kept too
    answer = ok(sim, "CreatePhone", {"autoCreateAccount": False, **settings})
    assert answer == {"retCode": 0, "password": settings["password"]}
    assert phone(sim, "8613800000001") == settings
    row = in_transaction(sim, lambda ctx: phones.phone_row(ctx, "8613800000001"))
    assert row["info"] == settings and row["account"] == "owner"
    assert (row["feerate_group"], row["lock_type"]) == ("silver", settings["lockType"])


def test_it_fills_the_manuals_defaults_and_generates_a_password(sim):
    ok(sim, "CreateCustomer", {"account": "owner"})
    answer = ok(sim, "CreatePhone", {"e164": "100", "account": "owner", "autoCreateAccount": False})
    assert answer["password"].isdigit() and len(answer["password"]) == 8
    info = phone(sim, "100")
    assert info["password"] == answer["password"]
    assert info["callLevel"] == 5 and info["lockType"] == 0
    assert info["infoPhoneAdditional"]["callDurationLimit"] == -1
    assert info["infoPhoneAdditional"]["rtpRelay"] == 0
    assert info["infoPhoneValueAdded"]["busyForwardE164"] == {
        "forwardMethod": 0,
        "alertSecond": -1,
        "e164": "",
    }
    assert info["infoPhoneValueAdded"]["infoPhoneValueAddedPeriodForwardings"] == []
    expected_fields = {f.name for f in catalog.TYPES["InfoPhone"]} | {"rewriteRulesInCaller"}
    assert set(info) == expected_fields


def test_it_creates_the_account_with_the_phone_when_asked(sim):
    ok(sim, "CreatePhone", {"e164": "200", "autoCreateAccount": True})
    assert customer(sim, "200")["name"] == "200"
    assert phone(sim, "200")["account"] == "200"
    ok(sim, "CreatePhone", {"e164": "201", "account": "acme", "autoCreateAccount": True})
    assert phone(sim, "201")["account"] == "acme"
    answer = call(sim, "CreatePhone", {"e164": "202", "account": "acme", "autoCreateAccount": True})
    assert answer["retCode"] == codes.ALREADY_EXISTS
    assert ok(sim, "GetPhone", {"e164s": ["202"]})["infoPhones"] == []


def test_it_refuses_phones_without_a_valid_account_or_with_a_taken_number(sim):
    answer = call(sim, "CreatePhone", {"e164": "1", "account": "ghost", "autoCreateAccount": False})
    assert answer["retCode"] == codes.NOT_FOUND
    answer = call(sim, "CreatePhone", {"e164": "1", "autoCreateAccount": False})
    assert answer["retCode"] == codes.MISS_PARAMETERS
    ok(sim, "CreatePhone", {"e164": "1", "autoCreateAccount": True})
    answer = call(sim, "CreatePhone", {"e164": "1", "account": "1", "autoCreateAccount": False})
    assert answer["retCode"] == codes.ALREADY_EXISTS
    assert call(sim, "CreatePhone", {"e164": "2"})["retCode"] == codes.MISS_PARAMETERS


def test_it_modifies_only_the_phone_settings_given_merging_nested_objects(sim):
    create_group(sim, "silver")
    ok(sim, "CreateCustomer", {"account": "owner"})
    ok(sim, "CreateCustomer", {"account": "other"})
    settings = full_phone("400", "owner", "silver")
    ok(sim, "CreatePhone", {"autoCreateAccount": False, **settings})
    change = {
        "e164": "400",
        "displayNumber": "new display",
        "account": "other",
        "infoPhoneAdditional": {"sipCodecs": ["audio/PCMU"], "port": 5070},
        "infoPhoneValueAdded": {"busyForwardE164": {"e164": "777,888"}},
    }
    ok(sim, "ModifyPhone", change)
    expected = json.loads(json.dumps(settings))
    expected["displayNumber"] = "new display"
    expected["account"] = "other"
    expected["infoPhoneAdditional"] |= {"sipCodecs": ["audio/PCMU"], "port": 5070}
    expected["infoPhoneValueAdded"]["busyForwardE164"]["e164"] = "777,888"
    assert phone(sim, "400") == expected
    assert call(sim, "ModifyPhone", {"e164": "401"})["retCode"] == codes.NOT_FOUND
    answer = call(sim, "ModifyPhone", {"e164": "400", "account": "ghost"})
    assert answer["retCode"] == codes.NOT_FOUND
    assert phone(sim, "400") == expected


def test_it_deletes_phones_and_lists_them_by_account(sim):
    ok(sim, "CreateCustomer", {"account": "owner"})
    for e164 in ("3", "1", "2"):
        ok(sim, "CreatePhone", {"e164": e164, "account": "owner", "autoCreateAccount": False})
    listed = ok(sim, "GetPhone", {"accounts": ["owner"]})["infoPhones"]
    assert [info["e164"] for info in listed] == ["1", "2", "3"]
    ok(sim, "DeletePhone", {"e164": "2"})
    assert call(sim, "DeletePhone", {"e164": "2"})["retCode"] == codes.NOT_FOUND
    listed = ok(sim, "GetPhone", {"accounts": ["owner"], "e164s": ["3"]})["infoPhones"]
    assert [info["e164"] for info in listed] == ["3", "1"]


# -- registrations ---------------------------------------------------------------------------


def test_it_registers_phones_and_reports_them_online_with_pushes(sim):
    sip = {"infoPhoneAdditional": {"protocol": 1}}  # the registration reports the phone's
    ok(sim, "CreatePhone", {"e164": "700", "autoCreateAccount": True, **sip})
    ok(sim, "CreatePhone", {"e164": "701", "autoCreateAccount": True})
    assert ok(sim, "GetAllPhoneOnline")["E164s"] == []
    now = sim.control("now")["now"]
    sim.control(
        "register_phone",
        e164="700",
        ip="198.51.100.7",
        port=5062,
        local_ip="10.0.0.1",
        device="Yealink T46",
        dids=["3001"],
    )
    assert ok(sim, "GetAllPhoneOnline")["E164s"] == ["700"]
    online = ok(sim, "GetPhoneOnline", {"e164s": ["700", "701"]})["infoPhoneOnlines"]
    assert len(online) == 1
    entry = online[0]
    assert abs(entry.pop("registerTime") - now) < 5000
    assert entry.pop("updateTime") >= now
    assert entry == {
        "e164": "700",
        "currentCall": 0,
        "remoteIp": "198.51.100.7",
        "localIp": "10.0.0.1",
        "protocol": 1,
        "cryptoType": 0,
        "productId": "Yealink T46",
    }
    pushes = sim.control("pushes", name="PhoneOnline")["pushes"]
    assert len(pushes) == 1
    payload = pushes[0]["payload"]
    assert (payload["e164"], payload["online"], payload["dids"]) == ("700", True, ["3001"])
    assert (payload["remoteIp"], payload["localIp"], payload["productId"]) == (
        "198.51.100.7",
        "10.0.0.1",
        "Yealink T46",
    )
    catalog.validate_push("PhoneOnline", payload)


def test_it_pushes_phone_online_only_on_change(sim):
    ok(sim, "CreatePhone", {"e164": "700", "autoCreateAccount": True})
    assert sim.control("register_phone", e164="700", ip="192.0.2.1")["changed"] is True
    sim.control("advance", seconds=60)
    refreshed = sim.control("register_phone", e164="700", ip="192.0.2.1")
    assert refreshed["changed"] is False
    registration = refreshed["registration"]
    assert registration["updateTime"] - registration["registerTime"] >= 60_000
    assert sim.control("register_phone", e164="700", ip="192.0.2.2")["changed"] is True
    assert sim.control("unregister_phone", e164="700")["changed"] is True
    assert sim.control("unregister_phone", e164="700")["changed"] is False
    states = [p["payload"]["online"] for p in sim.control("pushes", name="PhoneOnline")["pushes"]]
    assert states == [True, True, False]
    assert ok(sim, "GetAllPhoneOnline")["E164s"] == []


def test_it_takes_a_deleted_phone_offline(sim):
    ok(sim, "CreatePhone", {"e164": "700", "autoCreateAccount": True})
    sim.control("register_phone", e164="700")
    ok(sim, "DeletePhone", {"e164": "700"})
    assert ok(sim, "GetAllPhoneOnline")["E164s"] == []
    states = [p["payload"]["online"] for p in sim.control("pushes", name="PhoneOnline")["pushes"]]
    assert states == [True, False]


def test_it_refuses_to_register_an_unknown_phone(sim):
    response = requests.post(sim.root_url + "_sim/register_phone", json={"e164": "9"}, timeout=5)
    assert response.status_code == 400
    assert response.json()["retCode"] == codes.NOT_FOUND


@pytest.mark.parametrize("name", ["GetPhone", "GetCustomer"])
def test_it_needs_one_of_the_lookup_lists(sim, name):
    answer = call(sim, name, {})
    list_field = catalog.endpoint(name).list_field
    assert answer == {
        "retCode": codes.INPUT_ERROR,
        "exception": "Input parameter error",
        list_field: [],
    }
