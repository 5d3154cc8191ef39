"""The client against real servers' loose answers: a numeric-string retCode, numbers in
strings, nulls, left-out fields (the simulator's ``answers = "sparse"`` and canned bodies)."""

from __future__ import annotations

import time

import pytest

from vos3000.client import VosClient
from vos3000.client.transport import decode_answer
from vos3000.errors import VosApiError, VosUnavailable
from vos3000.tests.test_client import CannedServer

FAST = {"timeout": (0.5, 2.0), "backoff": 0.01}


@pytest.fixture
def canned():
    servers = []

    def start(body: bytes) -> CannedServer:
        servers.append(CannedServer(200, body))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def sparse_sim(sim):
    sim.control("settings", answers="sparse")
    return sim


@pytest.mark.parametrize(
    ("body", "ret_code"),
    [
        (b'{"retCode":0}', 0),
        (b'{"retCode":"0"}', 0),
        (b'{"retCode":" -10124 "}', -10124),
        (b'{"retCode":"+3"}', 3),
    ],
)
def test_it_decodes_an_integer_or_numeric_string_retcode(body, ret_code):
    assert decode_answer(body)["retCode"] == ret_code


@pytest.mark.parametrize(
    "body",
    [b'{"retCode":"ok"}', b'{"retCode":"0.0"}', b'{"retCode":""}', b'{"retCode":0.5}'],
)
def test_it_still_refuses_a_retcode_that_is_not_a_number(body):
    assert decode_answer(body) is None


def test_it_raises_an_api_error_for_a_numeric_string_error_code(canned):
    server = canned(b'{"retCode":"-10124","exception":"input error"}')
    with VosClient(server.base_url, **FAST) as vos, pytest.raises(VosApiError) as caught:
        vos.call("GetAllCustomers", {})
    assert caught.value.code == -10124


def test_it_hands_the_portal_a_sparse_answer_in_the_manuals_types(sparse_sim):
    with VosClient(sparse_sim.base_url, **FAST) as vos:
        vos.call(
            "CreateCustomer",
            {"account": "c1", "name": "One", "money": 12.5, "limitMoney": 3, "memo": ""},
        )
        answer = vos.call("GetCustomer", {"accounts": ["c1"]})
    assert answer["retCode"] == 0
    customer = answer["infoCustomers"][0]
    assert customer["money"] == 12.5
    assert customer["limitMoney"] == 3
    assert isinstance(customer["type"], int)
    # Left-out optional fields stay left out: nothing is filled in.
    assert "address" not in customer["infoCustomerAdditional"]


def test_it_loosens_nulls_and_string_numbers_and_keeps_unknown_fields(canned):
    server = canned(
        b'{"retCode":"0","infoCustomers":[{"account":"c1","money":"7.25","limitMoney":null,'
        b'"type":"1","flowNo":"99","infoCustomerAdditional":{"cardType":"0"}}]}'
    )
    with VosClient(server.base_url, **FAST) as vos:
        answer = vos.call("GetCustomer", {"accounts": ["c1"]})
    assert answer == {
        "retCode": 0,
        "infoCustomers": [
            {
                "account": "c1",
                "money": 7.25,
                "type": 1,
                "flowNo": "99",
                "infoCustomerAdditional": {"cardType": 0},
            }
        ],
    }


def test_it_loosens_a_list_where_the_manual_wrote_one_object():
    """GetAlarmCurrent's infoAlarmCurrents is typed InfoAlarmCurrent (also_accepts the
    list the servers send): its items are loosened too."""
    from vos3000 import catalog

    answer = catalog.loosen_answer(
        "GetAlarmCurrent",
        {"retCode": "0", "infoAlarmCurrents": [{"id": "3", "level": "1", "value": "2.5"}]},
    )
    assert answer["infoAlarmCurrents"] == [{"id": 3, "level": 1, "value": 2.5}]


def test_it_keeps_a_missing_list_missing(canned):
    server = canned(b'{"retCode":"0"}')
    with VosClient(server.base_url, **FAST) as vos:
        assert vos.call("GetCurrentCall", {}) == {"retCode": 0}


def test_it_still_calls_a_non_json_body_unavailable(canned):
    server = canned(b"<html>busy</html>")
    with VosClient(server.base_url, **FAST) as vos, pytest.raises(VosUnavailable) as caught:
        vos.call("GetAllCustomers", {})
    assert caught.value.reason == "bad_body"


def test_it_loosens_a_large_answer_cheaply():
    """Loosening is one pass over the answer: 20,000 CDRs take well under a second."""
    from vos3000 import catalog

    cdr = {
        "flowNo": "1",
        "account": "c1",
        "callerE164": "1001",
        "calleeE164": "2002",
        "start": "1700000000000",
        "stop": "1700000060000",
        "fee": "0.25",
        "holdTime": "60",
    }
    answer = {"retCode": "0", "infoCdrs": [dict(cdr) for _ in range(20_000)]}
    started = time.perf_counter()
    loosened = catalog.loosen_answer("GetCdr", answer)
    elapsed = time.perf_counter() - started
    assert loosened["retCode"] == 0
    assert elapsed < 1.5, elapsed
