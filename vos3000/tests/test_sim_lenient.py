"""The simulator's two modes: lenient by default (as forgiving as a real server), strict on
request (the manual to the letter). The field clients' own shapes are in compat/."""

from __future__ import annotations

import pytest

from vos3000 import catalog
from vos3000.simulator import codes, lenient
from vos3000.simulator.cli import parse_args
from vos3000.simulator.settings import Settings
from vos3000.tests.simhttp import call, ok


def test_it_is_lenient_unless_told_to_be_strict():
    assert Settings().strict is False
    assert "strict" in Settings.RUNTIME
    assert parse_args([]).strict is False
    assert parse_args(["--strict"]).strict is True


def test_it_knows_the_key_of_every_modify_endpoint():
    modifies = {name for name in catalog.ENDPOINTS if name.startswith("Modify")}
    assert set(lenient.MODIFY_KEYS) == modifies
    for name, keys in lenient.MODIFY_KEYS.items():
        mandatory = {f.name for f in lenient.request_fields(catalog, name) if f.mandatory}
        assert mandatory == set(keys), name


def test_it_needs_only_the_key_of_a_modify(sim, strict_sim):
    for target in (sim, strict_sim):
        ok(target, "CreateGatewayMapping", {"name": "gw", "capacity": 7, "remoteIps": "192.0.2.1"})
    partial = {"name": "gw", "calloutCallerPrefixes": "0912"}
    assert call(strict_sim, "ModifyGatewayMapping", partial)["retCode"] == codes.MISS_PARAMETERS
    ok(sim, "ModifyGatewayMapping", partial)
    [gateway] = ok(sim, "GetGatewayMapping", {"names": ["gw"]})["infoGatewayMappings"]
    assert (gateway["calloutCallerPrefixes"], gateway["capacity"], gateway["remoteIps"]) == (
        "0912",
        7,
        "192.0.2.1",
    )
    assert call(sim, "ModifyGatewayMapping", {"capacity": 1})["retCode"] == codes.MISS_PARAMETERS


def test_it_reads_booleans_for_integer_flags_and_numbers_for_strings(sim, strict_sim):
    for target in (sim, strict_sim):
        ok(target, "CreateCustomer", {"account": "a"})
    flagged = {"account": "a", "lockType": True}
    assert call(strict_sim, "ModifyCustomer", flagged)["retCode"] == codes.INPUT_ERROR
    ok(sim, "ModifyCustomer", flagged)
    assert ok(sim, "GetCustomer", {"accounts": ["a"]})["infoCustomers"][0]["lockType"] == 1
    as_number = {"autoCreateAccount": False, "e164": 8613800000001, "account": "a"}
    assert call(strict_sim, "CreatePhone", as_number)["retCode"] == codes.INPUT_ERROR
    ok(sim, "CreatePhone", as_number)
    assert ok(sim, "GetPhone", {"e164s": ["8613800000001"]})["infoPhones"][0]["account"] == "a"


def test_it_treats_null_as_absent_when_lenient(sim):
    ok(sim, "CreateCustomer", {"account": "a", "memo": "kept"})
    ok(sim, "ModifyCustomer", {"account": "a", "memo": None, "name": "A"})
    info = ok(sim, "GetCustomer", {"accounts": ["a"]})["infoCustomers"][0]
    assert (info["memo"], info["name"]) == ("kept", "A")


@pytest.mark.parametrize("fixture", ["sim", "strict_sim"])
def test_it_still_refuses_what_the_manual_forbids_in_both_modes(request, fixture):
    target = request.getfixturevalue(fixture)
    ok(target, "CreateCustomer", {"account": "a"})
    assert call(target, "ModifyCustomer", {"account": "a", "limitMoney": "lots"})["retCode"] == (
        codes.INPUT_ERROR
    )
    assert call(target, "ModifyCustomer", {"account": "a", "lockType": 5})["retCode"] == (
        codes.INPUT_ERROR
    )
    assert call(target, "ModifyCustomer", {"name": "x"})["retCode"] == codes.MISS_PARAMETERS
    assert call(target, "Pay", {"ownerName": "a", "ownerType": 2})["retCode"] == (
        codes.MISS_PARAMETERS
    )
    assert call(target, "ModifyCustomer", {"account": "zz"})["retCode"] == codes.NOT_FOUND


def test_it_checks_the_demo_to_the_letter_whatever_the_mode(sim):
    """The demo loads through ``validate(strict=True)``: its data never leans on leniency."""
    with pytest.raises(codes.SimError):
        sim.sim.validate("CreateCustomer", {"account": "a", "bogus": 1}, strict=True)
    assert sim.sim.validate("CreateCustomer", {"account": "a", "bogus": 1}) == {"account": "a"}


def test_it_answers_gateway_flags_with_the_manuals_types(strict_sim):
    """InfoGatewayRouting/InfoGatewayMapping type sipPPreferredIdentity and
    sipPAssertedIdentity Boolean (manual 2.12, 2.18), whatever the request tables say."""
    ok(strict_sim, "CreateGatewayRouting", {"name": "out", "sipPPreferredIdentity": 2})
    ok(strict_sim, "CreateGatewayMapping", {"name": "in"})
    for name in ("GetGatewayRouting", "GetGatewayMapping"):
        answer = ok(strict_sim, name, {})
        [gateway] = answer[catalog.endpoint(name).list_field]
        info_type = catalog.endpoint(name).response[-1].item_type
        manual = {f.name for f in catalog.TYPES[info_type]}
        catalog.validate(catalog.TYPES[info_type], {k: gateway[k] for k in manual})
        assert isinstance(gateway["sipPPreferredIdentity"], bool)
        assert isinstance(gateway["sipPAssertedIdentity"], bool)
