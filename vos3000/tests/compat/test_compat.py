"""Public third-party VOS3000 clients replayed against the simulator over raw HTTP.

The default (lenient) simulator takes what these clients send, as the live servers they
were written against evidently do; the strict simulator still refuses what the manual
forbids. Both refuse, with the manual's codes and HTTP 200, what no server can take.
Where each shape comes from: the client modules next to this file and README.md.
"""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from vos3000 import catalog
from vos3000.simulator import codes
from vos3000.tests.compat import js_fetch, php_curl, python_requests, vos3000_api_web, yk_vos
from vos3000.tests.compat.shapes import (
    ACCOUNT,
    LIMIT_GROUP,
    LIMITED_NUMBER,
    MAPPING,
    ROUTING,
    Shape,
    answer,
    build_world,
    send,
)
from vos3000.tests.simhttp import call, ok

CLIENTS = (yk_vos, js_fetch, php_curl, python_requests, vos3000_api_web)
SHAPES = [shape for client in CLIENTS for shape in client.SHAPES]
STRICTLY_REFUSED = [shape for shape in SHAPES if shape.strict is not None]


@pytest.fixture
def world(sim):
    build_world(sim)
    return sim


@pytest.fixture
def strict_world(strict_sim):
    build_world(strict_sim)
    return strict_sim


def customer(sim, account: str = ACCOUNT) -> dict:
    return ok(sim, "GetCustomer", {"accounts": [account]})["infoCustomers"][0]


def mapping(sim, name: str = MAPPING) -> dict:
    return ok(sim, "GetGatewayMapping", {"names": [name]})["infoGatewayMappings"][0]


def routing(sim, name: str = ROUTING) -> dict:
    return ok(sim, "GetGatewayRouting", {"names": [name]})["infoGatewayRoutings"][0]


# -- every replayed shape ---------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.id)
def test_it_accepts_every_replayed_shape_on_the_default_simulator(world, shape: Shape):
    result = answer(world, shape)
    assert result["retCode"] == 0, (shape.where, result)


@pytest.mark.parametrize("shape", STRICTLY_REFUSED, ids=lambda s: s.id)
def test_it_refuses_on_the_strict_simulator_what_the_manual_forbids(strict_world, shape):
    result = answer(strict_world, shape)
    assert result["retCode"] == shape.strict, (shape.where, result)


@pytest.mark.parametrize("shape", [s for s in SHAPES if s.strict is None], ids=lambda s: s.id)
def test_it_accepts_on_the_strict_simulator_the_shapes_the_manual_allows(strict_world, shape):
    assert answer(strict_world, shape)["retCode"] == 0, shape.where


# -- what the answers look like ----------------------------------------------------------


def test_it_answers_customer_briefs_for_type_1_as_yk_vos_reads_them(world):
    result = answer(world, yk_vos.SHAPES[0])
    [brief] = result["infoCustomerBriefs"]
    # yk-vos: account, float(money), float(limitMoney)
    assert brief == {"account": ACCOUNT, "money": 100.0, "limitMoney": 0.0}
    assert "accounts" not in result


def test_it_answers_the_manuals_account_list_for_type_0_and_no_type(world):
    assert answer(world, js_fetch.SHAPES[0])["accounts"] == [ACCOUNT]
    assert answer(world, vos3000_api_web.SHAPES[0])["accounts"] == [ACCOUNT]


def test_it_takes_the_field_shapes_in_strict_mode_too(strict_world):
    """They are real, so the catalog has them (source "field") and strict accepts them."""
    assert answer(strict_world, yk_vos.SHAPES[0])["infoCustomerBriefs"][0]["account"] == ACCOUNT
    found = answer(strict_world, js_fetch.SHAPES[6])["infoLimitE164s"]
    assert found == [{"e164": LIMITED_NUMBER, "memo": "2025.01.02"}]


def test_it_answers_a_limited_number_group_as_the_js_client_reads_it(world):
    everything = answer(world, js_fetch.SHAPES[5])["infoLimitE164s"]
    assert everything == [{"e164": LIMITED_NUMBER, "memo": "2025.01.02"}]
    ok(world, "DeleteLimitE164", {"limitE164GroupName": LIMIT_GROUP, "e164s": [LIMITED_NUMBER]})
    assert answer(world, js_fetch.SHAPES[6])["infoLimitE164s"] == []


def test_it_keys_every_cdr_on_a_stable_unique_flow_no(sim_demo):
    now = dt.datetime.fromtimestamp(sim_demo.control("now")["now"] / 1000, dt.UTC)
    begin = (now - dt.timedelta(days=6)).strftime("%Y%m%d")
    end = now.strftime("%Y%m%d")
    shape = Shape(
        yk_vos.CLIENT,
        "GetCdr",
        {"accounts": ["manila-bpo"], "beginTime": begin, "endTime": end},
        yk_vos.CONTENT_TYPE,
        "backend/app/tasks/initial_sync_tasks.py",
    )
    first = answer(sim_demo, shape)
    assert first["retCode"] == 0
    flow_nos = [cdr["flowNo"] for cdr in first["infoCdrs"]]
    assert flow_nos and all(isinstance(n, int) for n in flow_nos)
    assert len(set(flow_nos)) == len(flow_nos)
    again = [cdr["flowNo"] for cdr in answer(sim_demo, shape)["infoCdrs"]]
    assert again[: len(flow_nos)] == flow_nos
    catalog.validate(catalog.endpoint("GetCdr").response, first)


def test_it_reads_the_sparse_customer_answer_a_php_sample_quotes():
    """A real GetCustomer answer leaves empty optional fields out; the catalog's loosening
    keeps it that way (what the portal does with it is the sparse-answers work)."""
    loosened = catalog.loosen_answer("GetCustomer", php_curl.ANSWER_GET_CUSTOMER)
    additional = loosened["infoCustomers"][0]["infoCustomerAdditional"]
    assert additional == {"cardType": 0, "reportType": 0}


# -- loose values, partial modifies, read-modify-write ------------------------------------


def test_it_reads_numbers_sent_as_strings(world):
    for shape in vos3000_api_web.SHAPES[3:]:
        assert answer(world, shape)["retCode"] == 0
    info = customer(world)
    assert (info["limitMoney"], info["lockType"]) == (500.0, 1)
    money_before = info["money"]
    assert answer(world, php_curl.SHAPES[2])["retCode"] == 0  # Pay "-13" to a binded number
    assert customer(world)["money"] == money_before - 13
    assert answer(world, php_curl.SHAPES[0])["retCode"] == 0
    assert customer(world, "daxun")["money"] == 10.0


def test_it_takes_a_partial_modify_and_keeps_what_was_not_sent(world):
    before = mapping(world)
    assert answer(world, js_fetch.SHAPES[4])["retCode"] == 0
    after = mapping(world)
    assert after["calloutCallerPrefixes"] == "0912,0913"
    assert {k: v for k, v in after.items() if k != "calloutCallerPrefixes"} == {
        k: v for k, v in before.items() if k != "calloutCallerPrefixes"
    }


def test_it_round_trips_a_whole_gateway_mapping_as_the_python_client_does(world, strict_world):
    for target, expected in ((world, 0), (strict_world, codes.INPUT_ERROR)):
        gateway = mapping(target)
        gateway["remoteIps"] = "192.0.2.10"
        gateway["capacity"] = 100
        shape = Shape(
            python_requests.CLIENT,
            "ModifyGatewayMapping",
            gateway,
            python_requests.CONTENT_TYPE,
            "VOSAPI.update_ips",
        )
        assert answer(target, shape)["retCode"] == expected
    changed = mapping(world)
    assert (changed["remoteIps"], changed["capacity"]) == ("192.0.2.10", 100)
    assert mapping(strict_world)["capacity"] == 10  # refused: nothing changed
    ignored = world.control("requests", endpoint="ModifyGatewayMapping")["requests"][-1]
    assert {"sipPPreferredIdentity", "sipPAssertedIdentity", "softswitchName"} <= set(
        ignored["ignored"]
    )


def test_it_round_trips_a_gateway_routing_whose_answer_has_boolean_flags(world):
    """InfoGatewayRouting types sipPPreferredIdentity Boolean (manual 2.18), the request
    tables Integer 0/1/2: a boolean sent back is read as 0/1."""
    gateway = routing(world)
    assert isinstance(gateway["sipPPreferredIdentity"], bool)  # as the manual types it
    gateway["lockType"] = 3
    gateway["rewriteRulesInCaller"] = "0:84"
    shape = Shape(
        vos3000_api_web.CLIENT,
        "ModifyGatewayRouting",
        gateway,
        vos3000_api_web.CONTENT_TYPE,
        "app.py routing gateway rewrite",
    )
    assert answer(world, shape)["retCode"] == 0
    assert routing(world)["lockType"] == 3


def test_it_round_trips_a_whole_customer_without_touching_the_balance(world):
    info = customer(world)
    info["memo"] = "checked"
    info["money"] = 999999  # GetCustomer's balance: not a ModifyCustomer field
    shape = Shape(python_requests.CLIENT, "ModifyCustomer", info, "application/json", "GET->MOD")
    assert answer(world, shape)["retCode"] == 0
    after = customer(world)
    assert (after["memo"], after["money"]) == ("checked", 100.0)


# -- still refused, in both modes -----------------------------------------------------------


@pytest.mark.parametrize("mode", ["sim", "strict_sim"])
def test_it_still_refuses_what_no_server_can_take(request, mode):
    target = request.getfixturevalue(mode)
    build_world(target)

    def raw(endpoint, body, content_type="application/json"):
        response = requests.post(
            target.base_url + endpoint,
            data=body.encode() if isinstance(body, str) else body,
            headers={"Content-Type": content_type},
            timeout=(1, 5),
        )
        assert response.status_code == 200  # VOS answers errors with HTTP 200
        return response.json()["retCode"]

    not_a_number = '{"account": "acme", "limitMoney": "five hundred"}'
    assert raw("ModifyCustomer", not_a_number) == codes.INPUT_ERROR
    assert raw("ModifyCustomer", '{"limitMoney": 5}') == codes.MISS_PARAMETERS
    assert raw("ModifyGatewayMapping", '{"calloutCallerPrefixes": "1"}') == codes.MISS_PARAMETERS
    assert raw("ModifyCustomer", '{"account": "ghost", "memo": "x"}') == codes.NOT_FOUND
    assert raw("Pay", '{"ownerName": "ghost", "ownerType": 2, "money": 1}') == codes.NOT_FOUND
    assert raw("GetCustomer", '{"accounts": ["acme"]') == codes.INPUT_ERROR  # malformed
    assert raw("Pay", "a=1&b=2", "application/x-www-form-urlencoded") == codes.INPUT_ERROR
    form_pay = python_requests.FORM_ENCODED_PAY
    assert raw("Pay", form_pay, python_requests.FORM_CONTENT_TYPE) == codes.INPUT_ERROR
    assert raw("ModifyCustomer", '{"account": "acme", "lockType": 7}') == codes.INPUT_ERROR
    assert customer(target)["money"] == 100.0


# -- deployment shapes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/external/server/GetAllCustomers.jsp",
        "/external/server/GetAllCustomers",
        "/external/server/GetAllCustomers/",
        "/vos3000/external/server/GetAllCustomers.jsp",
        "/external_new/server/GetAllCustomers",
    ],
)
def test_it_serves_jsp_names_under_any_context_path(world, path):
    shape = yk_vos.SHAPES[0]
    assert answer(world, shape, path=path)["infoCustomerBriefs"][0]["account"] == ACCOUNT


def test_it_does_not_serve_a_name_that_is_not_an_endpoint_path(world):
    assert send(world, yk_vos.SHAPES[0], path="/external/GetAllCustomers.jsp").status_code == 404


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json;charset=UTF-8",
        "text/html;charset=UTF-8",
        "text/html",
        "application/x-www-form-urlencoded",
        None,
    ],
)
def test_it_reads_a_json_body_whatever_content_type_the_client_sets(world, content_type):
    shape = Shape("any", "GetCustomer", {"accounts": [ACCOUNT]}, content_type, "headers")
    assert answer(world, shape)["infoCustomers"][0]["account"] == ACCOUNT


# -- the switch between the modes -------------------------------------------------------------


def test_it_switches_to_strict_at_runtime_and_back_on_reset(world):
    shape = vos3000_api_web.SHAPES[3]
    assert world.control("settings", strict=True)["strict"] is True
    assert answer(world, shape)["retCode"] == codes.INPUT_ERROR
    world.control("reset")
    assert world.control("settings")["strict"] is False
    build_world(world)
    assert answer(world, shape)["retCode"] == 0


def test_it_logs_the_fields_it_ignored(world):
    call(world, "GetAllCustomers", {"type": 1, "pageSize": 50})
    entry = world.control("requests", endpoint="GetAllCustomers")["requests"][-1]
    assert entry["ignored"] == ["pageSize"]
    assert entry["retCode"] == 0
