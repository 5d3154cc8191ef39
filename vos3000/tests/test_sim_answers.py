"""The simulator's answer shapes: ``full`` (the manual's) and ``sparse`` (a real server's)."""

from __future__ import annotations

import pytest

from vos3000 import catalog
from vos3000.simulator import answers
from vos3000.simulator.cli import parse_args
from vos3000.simulator.settings import Settings
from vos3000.tests.simhttp import call


def _create_customer(sim, account="1001", **extra):
    body = {
        "account": account,
        "name": "Acme",
        "money": 12.5,
        "limitMoney": 0,
        "feeRateGroup": "",
        "type": 1,
        "lockType": 0,
        "agentAccount": "",
        "phoneBookLimit": 0,
        "validTime": 4102444800000,
        "memo": "",
        **extra,
    }
    answer = call(sim, "CreateCustomer", body)
    assert answer["retCode"] == 0, answer


def _numbers(value, path=""):
    """(path, value) of every number (not boolean) at any depth."""
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [(path, value)]
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in _numbers(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [item for i, v in enumerate(value) for item in _numbers(v, f"{path}[{i}]")]
    return []


def test_it_answers_full_by_default(sim):
    _create_customer(sim)
    answer = call(sim, "GetCustomer", accounts=["1001"])
    assert answer["retCode"] == 0
    customer = answer["infoCustomers"][0]
    assert customer["money"] == 12.5
    # Full answers carry every optional field, empty or not.
    assert set(customer["infoCustomerAdditional"]) >= {"address", "email", "cardType"}


def test_it_leaves_out_empty_optional_fields_and_sends_numbers_as_strings(sim):
    _create_customer(sim)
    sim.control("settings", answers="sparse")
    answer = call(sim, "GetCustomer", accounts=["1001"])
    assert answer["retCode"] == "0"
    customer = answer["infoCustomers"][0]
    assert customer["money"] == "12.5"
    assert customer["type"] == "1"
    # As the field client's quote: only the non-empty optional fields are there.
    additional = customer["infoCustomerAdditional"]
    assert "address" not in additional and "email" not in additional
    assert additional.get("cardType") == "0"
    # Mandatory fields stay, even when empty.
    assert customer["memo"] == ""
    assert customer["account"] == "1001"
    assert _numbers(answer) == []


def test_it_leaves_out_an_empty_optional_list(sim):
    sim.control("settings", answers="sparse")
    endpoint = catalog.endpoint("GetCurrentCall")
    assert {f.name: f.mo for f in endpoint.response}[endpoint.list_field] == "O"
    assert call(sim, "GetCurrentCall", {}) == {"retCode": "0"}


def test_it_sends_an_error_retcode_as_a_numeric_string(sim):
    sim.control("settings", answers="sparse")
    answer = call(sim, "GetCustomer", {})
    assert isinstance(answer["retCode"], str)
    assert int(answer["retCode"]) != 0


def test_it_loosens_back_to_the_full_answer_but_for_the_left_out_fields(sim):
    _create_customer(sim, memo="vip")
    full = call(sim, "GetCustomer", accounts=["1001"])
    sim.control("settings", answers="sparse")
    sparse = catalog.loosen_answer("GetCustomer", call(sim, "GetCustomer", accounts=["1001"]))
    assert sparse["retCode"] == 0
    full_customer, sparse_customer = full["infoCustomers"][0], sparse["infoCustomers"][0]
    for key, value in sparse_customer.items():
        if key != "infoCustomerAdditional":
            assert value == full_customer[key], key
    for key, value in sparse_customer["infoCustomerAdditional"].items():
        assert value == full_customer["infoCustomerAdditional"][key], key


def test_it_switches_back_to_full_at_runtime_and_on_reset(sim):
    sim.control("settings", answers="sparse")
    assert call(sim, "GetAllCustomers", {})["retCode"] == "0"
    assert sim.control("settings", answers="full")["answers"] == "full"
    assert call(sim, "GetAllCustomers", {})["retCode"] == 0
    sim.control("settings", answers="sparse")
    sim.control("reset")
    assert call(sim, "GetAllCustomers", {})["retCode"] == 0


def test_it_refuses_an_unknown_answers_mode(sim):
    import requests

    response = requests.post(sim.root_url + "_sim/settings", json={"answers": "odd"}, timeout=5)
    assert response.status_code == 400
    with pytest.raises(ValueError):
        Settings(answers="odd")


def test_it_takes_the_mode_from_the_command_line():
    assert parse_args([]).answers == "full"
    assert parse_args(["--answers", "sparse"]).answers == "sparse"
    with pytest.raises(SystemExit):
        parse_args(["--answers", "odd"])


def test_it_shapes_nested_lists_and_keeps_unknown_fields():
    answer = {
        "retCode": 0,
        "infoCustomers": [
            {
                "account": "a",
                "money": 1.0,
                "memo": "",
                "infoCustomerAdditional": {"cardType": 0, "address": "", "email": None},
            }
        ],
        "somethingNewer": [1, 2.5, True],
    }
    shaped = answers.shape("sparse", "GetCustomer", answer)
    assert shaped == {
        "retCode": "0",
        "infoCustomers": [
            {
                "account": "a",
                "money": "1.0",
                "memo": "",
                "infoCustomerAdditional": {"cardType": "0"},
            }
        ],
        "somethingNewer": ["1", "2.5", True],
    }
    assert answers.shape("full", "GetCustomer", answer) is answer


def test_every_sparse_demo_answer_loosens_to_the_manuals_types(sim):
    """Every Get* endpoint of the demo platform, answered sparsely, passes the catalog's
    own type checks once loosened (left-out fields aside)."""
    sim.control("reset", demo=True)
    sim.control("settings", answers="sparse")
    accounts = catalog.loosen_answer("GetAllCustomers", call(sim, "GetAllCustomers", {}))
    accounts = accounts["accounts"]
    assert accounts
    requests = {
        "GetCustomer": {"accounts": accounts},
        "GetPhone": {"accounts": accounts},
        "GetGatewayMapping": {},
        "GetGatewayRouting": {},
        "GetFeeRateGroup": {},
        "GetCurrentCall": {},
        "GetSoftSwitch": {},
    }
    for name, body in requests.items():
        answer = catalog.loosen_answer(name, call(sim, name, body))
        assert answer["retCode"] == 0, (name, answer)
        assert _numbers_are_typed(catalog.endpoint(name).response, answer), name


def _numbers_are_typed(fields, value) -> bool:
    from vos3000.catalog.model import STRING_TYPES, item_type

    by_name = {f.name: f for f in fields}
    for key, item in value.items():
        field = by_name.get(key)
        if field is None:
            continue
        element = item_type(field.type) or field.type
        items = item if isinstance(item, list) else [item]
        for one in items:
            if element in catalog.TYPES and isinstance(one, dict):
                if not _numbers_are_typed(catalog.TYPES[element], one):
                    return False
            elif element not in STRING_TYPES and isinstance(one, str):
                return False
    return True
