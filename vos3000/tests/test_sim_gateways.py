"""Simulator: mapping and routing gateways (2.10-2.19) over HTTP."""

from __future__ import annotations

import pytest
import requests

from vos3000 import catalog
from vos3000.simulator import codes
from vos3000.simulator.handlers import catalog_objects
from vos3000.simulator.handlers.gateways import routing_candidates
from vos3000.tests.simhttp import call, ok

KINDS = {
    "Mapping": ("CreateGatewayMapping", "InfoGatewayMapping", "infoGatewayMappings"),
    "Routing": ("CreateGatewayRouting", "InfoGatewayRouting", "infoGatewayRoutings"),
}
# Fields that must name an existing customer.
ACCOUNT_FIELDS = {"account", "clearingAccount"}


def non_default(field, account: str):
    """A valid value of ``field`` that differs from what the simulator would fill in."""
    if field.name in ACCOUNT_FIELDS:
        return account
    default = catalog_objects.default_for(field)
    kind = catalog_objects._kind(field.type)
    if kind == "bool":
        return not default
    if kind == "int" and field.enum:
        return next(int(v) for v in reversed(list(field.enum)) if int(v) != default)
    if kind == "int":
        low = field.minimum if field.minimum is not None else -(2**31)
        high = field.maximum if field.maximum is not None else 2**31 - 1
        return next(v for v in (7, 1, low, high) if low <= v <= high and v != default)
    if kind == "float":
        return 2.5
    if kind == "list":
        return ["G729", "PCMA"]
    text = f"v-{field.name}"
    return text[: field.length] if field.length else text


def full_gateway(kind: str, name: str, account: str) -> dict:
    create = catalog.endpoint(KINDS[kind][0]).request
    payload = {f.name: non_default(f, account) for f in create}
    payload["name"] = name
    return payload


def get_one(sim, kind: str, name: str) -> dict:
    answer = ok(sim, f"GetGateway{kind}", names=[name])
    (gateway,) = answer[KINDS[kind][2]]
    return gateway


@pytest.fixture
def customer(sim):
    ok(sim, "CreateCustomer", account="gw-owner", money=100)
    return "gw-owner"


@pytest.mark.parametrize("kind", KINDS)
def test_it_round_trips_every_field_of_a_gateway(sim, customer, kind):
    sent = full_gateway(kind, "gw-full", customer)
    assert len(sent) > 90
    ok(sim, f"CreateGateway{kind}", **sent)

    got = get_one(sim, kind, "gw-full")

    assert {name: got.get(name) for name in sent} == as_answered(kind, sent)
    info_fields = {f.name for f in catalog.TYPES[KINDS[kind][1]]}
    assert info_fields <= set(got)


@pytest.mark.parametrize("kind", KINDS)
def test_it_fills_the_manuals_defaults(sim, kind):
    ok(sim, f"CreateGateway{kind}", name="gw-min")

    got = get_one(sim, kind, "gw-min")

    assert got["rtpForwardType"] == 0
    assert got["mediaCheckDirection"] == 0
    assert got["minProfitPercent"] == -1
    assert got["softswitchName"] == ok(sim, "GetSoftSwitch")["infoSoftSwitches"][0]["name"]


def test_it_gives_a_routing_gateway_a_password_and_a_protocol_port(sim):
    ok(sim, "CreateGatewayRouting", name="h323")
    ok(sim, "CreateGatewayRouting", name="sip", protocol=1)

    h323, sip = get_one(sim, "Routing", "h323"), get_one(sim, "Routing", "sip")

    assert h323["password"] and sip["password"] and h323["password"] != sip["password"]
    assert (h323["signalPort"], sip["signalPort"]) == (1720, 5060)


@pytest.mark.parametrize("kind", KINDS)
def test_it_modifies_only_the_fields_given(sim, customer, kind):
    sent = full_gateway(kind, "gw-mod", customer)
    ok(sim, f"CreateGateway{kind}", **sent)
    modify = catalog.endpoint(f"ModifyGateway{kind}").request
    mandatory = {f.name: sent[f.name] for f in modify if f.mo == "M"}

    ok(sim, f"ModifyGateway{kind}", **mandatory, capacity=99, gatewayGroups="changed")

    got = get_one(sim, kind, "gw-mod")
    assert (got["capacity"], got["gatewayGroups"]) == (99, "changed")
    unchanged = {n: v for n, v in sent.items() if n not in ("capacity", "gatewayGroups")}
    assert {n: got[n] for n in unchanged} == as_answered(kind, unchanged)


def as_answered(kind: str, sent: dict) -> dict:
    """What Get answers for what was sent: an Integer the Info type has as Boolean
    (sipPPreferredIdentity 0/1/2 -> included or not) comes back as that Boolean."""
    booleans = {f.name for f in catalog.TYPES[KINDS[kind][1]] if f.type.lower() == "boolean"}
    return {
        name: value != 0 if name in booleans and type(value) is int else value
        for name, value in sent.items()
    }


@pytest.mark.parametrize("kind", KINDS)
def test_it_refuses_a_second_gateway_of_the_same_name(sim, kind):
    ok(sim, f"CreateGateway{kind}", name="twin", gatewayGroups="first")

    answer = call(sim, f"CreateGateway{kind}", name="twin", gatewayGroups="second")

    assert answer["retCode"] == codes.ALREADY_EXISTS
    assert get_one(sim, kind, "twin")["gatewayGroups"] == "first"


def test_it_lets_a_mapping_and_a_routing_gateway_share_a_name(sim):
    ok(sim, "CreateGatewayMapping", name="peer")
    ok(sim, "CreateGatewayRouting", name="peer")


@pytest.mark.parametrize(
    ("kind", "field"), [("Mapping", "account"), ("Routing", "clearingAccount")]
)
def test_it_needs_the_billing_account_to_exist(sim, kind, field):
    answer = call(sim, f"CreateGateway{kind}", name="gw", **{field: "ghost"})

    assert answer["retCode"] == codes.NOT_FOUND
    assert ok(sim, f"GetGateway{kind}", names=[])[KINDS[kind][2]] == []


@pytest.mark.parametrize("kind", KINDS)
def test_it_answers_not_found_for_unknown_gateways(sim, kind):
    assert call(sim, f"ModifyGateway{kind}", name="nobody", **_modify_mandatory(kind))[
        "retCode"
    ] == (codes.NOT_FOUND)
    assert call(sim, f"DeleteGateway{kind}", name="nobody")["retCode"] == codes.NOT_FOUND
    assert ok(sim, f"GetGateway{kind}", names=["nobody"])[KINDS[kind][2]] == []


def _modify_mandatory(kind: str) -> dict:
    modify = catalog.endpoint(f"ModifyGateway{kind}").request
    return {f.name: non_default(f, "") for f in modify if f.mo == "M" and f.name != "name"}


@pytest.mark.parametrize("kind", KINDS)
def test_it_deletes_a_gateway(sim, kind):
    ok(sim, f"CreateGateway{kind}", name="a")
    ok(sim, f"CreateGateway{kind}", name="b")

    ok(sim, f"DeleteGateway{kind}", name="a")

    listed = ok(sim, f"GetGateway{kind}", names=[])[KINDS[kind][2]]
    assert [g["name"] for g in listed] == ["b"]


@pytest.mark.parametrize("kind", KINDS)
def test_it_lists_every_gateway_for_empty_names(sim, kind):
    for name in ("one", "two", "three"):
        ok(sim, f"CreateGateway{kind}", name=name)

    every = ok(sim, f"GetGateway{kind}", names=[])[KINDS[kind][2]]
    some = ok(sim, f"GetGateway{kind}", names=["three", "one"])[KINDS[kind][2]]

    assert [g["name"] for g in every] == ["one", "two", "three"]
    assert [g["name"] for g in some] == ["three", "one"]


def test_it_orders_routing_candidates_as_vos_tries_them(sim):
    ok(sim, "CreateGatewayRouting", name="uk-mobile", prefix="447", priority=5, prefixStyle=1)
    ok(sim, "CreateGatewayRouting", name="uk-cheap", prefix="44", priority=2)
    ok(sim, "CreateGatewayRouting", name="uk-main", prefix="44,33", priority=1)
    ok(sim, "CreateGatewayRouting", name="anything", priority=0)
    ok(sim, "CreateGatewayRouting", name="uk-locked", prefix="447", lockType=3)

    with sim.sim.transaction(write=False) as ctx:
        mobile = [g["name"] for g in routing_candidates(ctx, "447700900123")]
        fixed = [g["name"] for g in routing_candidates(ctx, "442079460000")]
        other = [g["name"] for g in routing_candidates(ctx, "1212555")]

    # 447 is continual, so the 44 gateways follow; 44 ends the search (terminal).
    assert mobile == ["uk-mobile", "uk-main", "uk-cheap"]
    assert fixed == ["uk-main", "uk-cheap"]
    assert other == ["anything"]


def test_it_leaves_full_and_unregistered_routing_gateways_out(sim):
    ok(sim, "CreateCustomer", account="caller-acct", money=100)
    sim.control(
        "set_fee_rates", group="std", rates=[{"feePrefix": "1", "areaCode": "1", "fee": 0.1}]
    )
    ok(sim, "ModifyCustomer", account="caller-acct", feeRateGroup="std")
    ok(sim, "CreatePhone", autoCreateAccount=False, account="caller-acct", e164="1001")
    ok(sim, "CreateGatewayRouting", name="small", prefix="1", capacity=1, prefixStyle=1)
    ok(sim, "CreateGatewayRouting", name="dynamic", prefix="1", registerType=1, prefixStyle=1)
    ok(sim, "CreateGatewayRouting", name="spare", prefix="1", priority=9, prefixStyle=1)

    def names():
        with sim.sim.transaction(write=False) as ctx:
            return [g["name"] for g in routing_candidates(ctx, "1555")]

    idle = names()
    sim.control("place_call", caller="1001", callee="1555", duration=600)
    busy = names()
    sim.control("gateway_online", kind="routing", name="dynamic", ip="203.0.113.9")
    registered = names()

    assert idle == ["small", "spare"]
    assert busy == ["spare"]
    assert registered == ["dynamic", "spare"]


def test_it_reindexes_routing_prefixes_on_modify(sim):
    ok(sim, "CreateGatewayRouting", name="gw", prefix="44")

    ok(sim, "ModifyGatewayRouting", name="gw", prefix="49", **_modify_mandatory("Routing"))

    with sim.sim.transaction(write=False) as ctx:
        assert routing_candidates(ctx, "4412345") == []
        assert [g["name"] for g in routing_candidates(ctx, "4912345")] == ["gw"]


# ---------------------------------------------------------------------------- online


def test_it_lists_static_gateways_online_and_dynamic_ones_once_registered(sim):
    ok(sim, "CreateGatewayMapping", name="static", remoteIps="192.0.2.1,192.0.2.2", capacity=30)
    ok(sim, "CreateGatewayMapping", name="dynamic", registerType=1)

    before = ok(sim, "GetGatewayMappingOnline")["infoGatewayMappingOnlines"]
    sim.control("gateway_online", kind="mapping", name="dynamic", ip="198.51.100.7")
    sim.control("advance", seconds=90)
    after = ok(sim, "GetGatewayMappingOnline")["infoGatewayMappingOnlines"]

    assert [g["name"] for g in before] == ["static"]
    static = before[0]
    assert (static["remoteIps"], static["capacity"], static["registerTime"]) == (
        "192.0.2.1,192.0.2.2",
        30,
        0,
    )
    online = {g["name"]: g for g in after}
    assert set(online) == {"static", "dynamic"}
    assert online["dynamic"]["localIp"] == "198.51.100.7"
    assert online["dynamic"]["registerTime"] > 0
    assert online["dynamic"]["keepTime"] == 90
    assert set(online["dynamic"]) == {f.name for f in catalog.TYPES["InfoGatewayMappingOnline"]}


def test_it_takes_a_dynamic_gateway_offline(sim):
    ok(sim, "CreateGatewayRouting", name="dyn", registerType=1, prefix="1")
    sim.control("gateway_online", kind="routing", name="dyn", ip="203.0.113.5")

    sim.control("gateway_offline", kind="routing", name="dyn")

    assert ok(sim, "GetGatewayRoutingOnline", names=["dyn"])["infoGatewayRoutingOnlines"] == []


def test_it_refuses_to_register_an_unknown_gateway(sim):
    with pytest.raises(requests.HTTPError):
        response = requests.post(
            sim.root_url + "_sim/gateway_online", json={"kind": "mapping", "name": "x"}, timeout=5
        )
        response.raise_for_status()


def test_it_filters_online_gateways_by_soft_switch(sim):
    ok(sim, "CreateGatewayRouting", name="here")
    ok(sim, "CreateGatewayRouting", name="elsewhere", softswitchName="other-switch")

    here = ok(sim, "GetGatewayRoutingOnline", softswitchName="other-switch")

    assert [g["name"] for g in here["infoGatewayRoutingOnlines"]] == ["elsewhere"]


def test_it_counts_current_calls_and_asr_acd_from_the_calls(sim):
    ok(sim, "CreateCustomer", account="caller-acct", money=100)
    sim.control(
        "set_fee_rates",
        group="std",
        rates=[{"feePrefix": "44", "areaCode": "44", "fee": 0.6, "period": 60}],
    )
    ok(sim, "ModifyCustomer", account="caller-acct", feeRateGroup="std")
    ok(sim, "CreatePhone", autoCreateAccount=False, account="caller-acct", e164="1001")
    ok(sim, "CreateGatewayRouting", name="uk", prefix="44", capacity=10)

    sim.control("place_call", caller="1001", callee="447700900001", duration=30, complete=True)
    sim.control("place_call", caller="1001", callee="447700900002", answered=False, complete=True)
    sim.control("place_call", caller="1001", callee="447700900003", duration=600)
    during = ok(sim, "GetGatewayRoutingOnline", names=["uk"])["infoGatewayRoutingOnlines"][0]
    assert ok(sim, "GetPerformance")["infoPerformance"]["callSize"] == 1
    sim.control("advance", seconds=601)
    after = ok(sim, "GetGatewayRoutingOnline", names=["uk"])["infoGatewayRoutingOnlines"][0]

    assert during["currentCall"] == 1
    assert (during["asr"], during["acd"]) == (0.5, 30)
    assert after["currentCall"] == 0
    assert after["asr"] == pytest.approx(2 / 3, abs=1e-4)
    assert after["acd"] == 315
