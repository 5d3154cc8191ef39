"""VosClient against the simulator over real HTTP: validation, errors, retries,
the circuit breaker, logging, typed results and the date helpers.

The simulator's request counter (``/_sim/stats``) is the witness of what reached
"VOS": it proves that rejected requests were never sent and that writes were sent once.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vos3000 import catalog, types
from vos3000.client import (
    CircuitBreaker,
    RetCode,
    VosApiError,
    VosClient,
    VosUnavailable,
    VosValidationError,
    datetime_from_ms,
    format_day,
    format_timestamp,
    ms_from_datetime,
    parse_day,
    parse_timestamp,
    stubs,
)
from vos3000.client.redact import redact

# Short enough to keep timeout tests fast, long enough for a loaded 2-core machine.
FAST = {"timeout": (0.5, 0.25), "backoff": 0.01}


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sent(sim, endpoint: str | None = None) -> int:
    counts = sim.control("stats")["requests"]
    return counts.get(endpoint, 0) if endpoint else sum(counts.values())


@pytest.fixture
def client(sim):
    # A breaker that will not open by accident in tests about something else.
    with VosClient(sim.base_url, breaker=CircuitBreaker(failure_threshold=100), **FAST) as vos:
        yield vos


@pytest.fixture
def customer(client):
    client.create_customer(account="c1", name="Customer One", money=100.0)
    return "c1"


def balance(client, account: str) -> float:
    return client.get_customer(accounts=[account]).info_customers[0].money


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unanswered_port():
    """A port whose accept queue is full: connects hang until the connect timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    yield port
    for sock in [*fillers, listener]:
        sock.close()


class CannedServer:
    """A real HTTP server answering every POST with a fixed status and body, recording
    what it got: for answers the simulator never gives (403, JSON without retCode)."""

    def __init__(self, status: int = 200, body: bytes = b'{"retCode":0}'):
        self.status, self.body, self.seen = status, body, []
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                canned.seen.append((self.path, dict(self.headers), self.rfile.read(length)))
                self.send_response(canned.status)
                self.send_header("Content-Length", str(len(canned.body)))
                self.end_headers()
                self.wfile.write(canned.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}/external/server/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canned():
    servers = []

    def start(status: int = 200, body: bytes = b'{"retCode":0}') -> CannedServer:
        servers.append(CannedServer(status, body))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


# -- validation happens before anything is sent -------------------------------------

INVALID_CUSTOMERS = [
    ({"name": "no account"}, "account", "missing"),
    ({"account": "c9", "colour": "red"}, "colour", "unknown"),
    ({"account": "c9", "money": "ten"}, "money", "type"),
    ({"account": "c9", "money": True}, "money", "type"),
    ({"account": "c9", "money": float("nan")}, "money", "type"),
    ({"account": "x" * 65}, "account", "length"),
    ({"account": "c9", "type": 7}, "type", "enum"),
    (
        {"account": "c9", "info_customer_additional": {"card_type": 9}},
        "infoCustomerAdditional.cardType",
        "enum",
    ),
]


@pytest.mark.parametrize(("fields", "field", "problem"), INVALID_CUSTOMERS)
def test_it_rejects_an_invalid_request_without_sending_it(client, sim, fields, field, problem):
    with pytest.raises(VosValidationError) as caught:
        client.create_customer(**fields)
    assert (caught.value.field, caught.value.problem) == (field, problem)
    assert sent(sim) == 0
    assert client.stats()["rejected"] == 1
    assert client.stats()["calls"] == 0


def test_it_applies_the_endpoint_rules_before_sending(client, sim):
    with pytest.raises(VosValidationError) as caught:
        client.get_customer()
    assert caught.value.problem == "rule"
    with pytest.raises(VosValidationError) as caught:
        client.get_cdr(accounts=["c1"], begin_time="2026-01-01", end_time="20260102")
    assert caught.value.field == "beginTime"
    assert sent(sim) == 0


def test_it_rejects_unknown_endpoints_and_non_objects_in_call(client, sim):
    with pytest.raises(VosValidationError) as caught:
        client.call("DropDatabase", {})
    assert caught.value.problem == "unknown"
    with pytest.raises(VosValidationError):
        client.call("GetCustomer", ["c1"])
    assert sent(sim) == 0


# -- what goes on the wire ----------------------------------------------------------


def test_it_posts_raw_utf8_json_with_the_manuals_content_type(canned):
    server = canned()
    with VosClient(server.base_url, **FAST) as vos:
        vos.create_customer(account="ü1", name="Zoë", money=Decimal("10.25"))
    (path, headers, body) = server.seen[0]
    assert path == "/external/server/CreateCustomer"
    assert headers["Content-Type"] == "text/html;charset=UTF-8"
    assert json.loads(body.decode("utf-8")) == {"account": "ü1", "name": "Zoë", "money": 10.25}
    assert "Zoë".encode() in body


def test_it_appends_the_endpoint_to_any_context_path(sim, customer):
    other_prefix = sim.base_url.replace("/external/server/", "/external_new/server/")
    with VosClient(other_prefix, **FAST) as vos:
        assert vos.get_customer(accounts=[customer]).info_customers[0].account == customer


def test_it_refuses_a_base_url_without_trailing_slash():
    with pytest.raises(ValueError, match="ending with '/'"):
        VosClient("http://127.0.0.1:9/external/server")


# -- answers, API errors ------------------------------------------------------------


def test_it_raises_api_errors_with_named_codes_and_keeps_the_breaker_closed(sim):
    breaker = CircuitBreaker(failure_threshold=1)
    with VosClient(sim.base_url, breaker=breaker, **FAST) as vos:
        for _ in range(3):
            with pytest.raises(VosApiError) as caught:
                vos.delete_customer(account="nobody")
            assert caught.value.code is RetCode.NOT_FOUND
            assert caught.value.ret_code == -10007
            assert caught.value.endpoint == "DeleteCustomer"
        assert breaker.snapshot()["state"] == "closed"
        assert vos.stats()["api_errors"] == 3


def test_it_returns_the_raw_answer_from_call(client, customer):
    answer = client.call("GetCustomer", {"accounts": [customer]})
    assert answer["retCode"] == 0
    assert answer["infoCustomers"][0]["account"] == customer


def test_it_keeps_the_retcode_table_in_step_with_the_simulator():
    from vos3000.simulator import codes

    for code in RetCode:
        assert getattr(codes, code.name) == code.value


# -- writes: never retried, and the may-have-been-applied flag ----------------------

WRITE_FAULTS = [
    ("http500", {}, "http_500"),
    ("garbage", {}, "bad_body"),
    ("reset", {}, "connection_lost"),
    ("timeout_before", {"seconds": 1}, "read_timeout"),
    ("timeout_after", {"seconds": 1}, "read_timeout"),
]


@pytest.mark.parametrize(("mode", "params", "reason"), WRITE_FAULTS)
def test_it_sends_a_failed_write_once_and_says_it_may_have_been_applied(
    client, sim, customer, mode, params, reason
):
    sim.control("fault", endpoint="Pay", mode=mode, count=3, **params)
    with pytest.raises(VosUnavailable) as caught:
        client.pay(owner_name=customer, owner_type=2, money=5.0, memo="top-up")
    assert caught.value.may_have_been_applied is True
    assert caught.value.reason == reason
    assert caught.value.endpoint == "Pay"
    assert sent(sim, "Pay") == 1
    sim.control("clear_faults")
    # Only the lost answer (timeout_after) hides a payment VOS really made.
    assert balance(client, customer) == (105.0 if mode == "timeout_after" else 100.0)


def failed_payment(base_url: str) -> VosUnavailable:
    with VosClient(base_url, **FAST) as vos, pytest.raises(VosUnavailable) as caught:
        vos.pay(owner_name="c1", owner_type=2, money=5.0)
    return caught.value


def test_it_says_a_write_was_not_applied_when_the_connection_is_refused():
    error = failed_payment(f"http://127.0.0.1:{closed_port()}/external/server/")
    assert (error.may_have_been_applied, error.reason) == (False, "connect_failed")
    assert "Connection refused" in str(error)


def test_it_says_a_write_was_not_applied_when_the_name_does_not_resolve():
    error = failed_payment("http://vos-host.invalid:8080/external/server/")
    assert (error.may_have_been_applied, error.reason) == (False, "dns")


def test_it_says_a_write_was_not_applied_on_a_connect_timeout(unanswered_port):
    error = failed_payment(f"http://127.0.0.1:{unanswered_port}/external/server/")
    assert (error.may_have_been_applied, error.reason) == (False, "connect_timeout")


@pytest.mark.parametrize("body", [b'{"infoPay":{}}', b"[0]", b'{"retCode":true}', b"\xff\xfe"])
def test_it_treats_answers_without_a_retcode_as_unavailable(canned, body):
    error = failed_payment(canned(body=body).base_url)
    assert (error.reason, error.may_have_been_applied) == ("bad_body", True)


def test_it_does_not_retry_a_refusal_by_the_container(canned):
    server = canned(status=403, body=b"Forbidden")
    with VosClient(server.base_url, **FAST) as vos, pytest.raises(VosUnavailable) as caught:
        vos.get_all_customers()
    assert (caught.value.reason, caught.value.may_have_been_applied) == ("http_403", False)
    assert len(server.seen) == 1


# -- reads: retried on transient failures -------------------------------------------

READ_FAULTS = [
    ("http500", {}, "http_500"),
    ("garbage", {}, "bad_body"),
    ("reset", {}, "connection_lost"),
    ("timeout_before", {"seconds": 1}, "read_timeout"),
    ("latency", {"ms": 1000}, "read_timeout"),
]


@pytest.mark.parametrize(("mode", "params", "reason"), READ_FAULTS)
def test_it_retries_a_read_after_one_transient_fault(client, sim, customer, mode, params, reason):
    sim.control("fault", endpoint="GetCustomer", mode=mode, count=1, **params)
    assert client.get_customer(accounts=[customer]).info_customers[0].account == customer
    assert sent(sim, "GetCustomer") == 2
    stats = client.stats()
    assert (stats["retries"], stats["last_error"], stats["errors"]) == (1, reason, 0)


@pytest.mark.parametrize(("mode", "params", "reason"), READ_FAULTS)
def test_it_gives_up_a_read_after_its_retries(client, sim, customer, mode, params, reason):
    sim.control("fault", endpoint="GetCustomer", mode=mode, count=5, **params)
    with pytest.raises(VosUnavailable) as caught:
        client.get_customer(accounts=[customer])
    assert caught.value.reason == reason
    assert caught.value.may_have_been_applied is True
    assert sent(sim, "GetCustomer") == 1 + client.read_retries


def test_it_honours_a_per_call_timeout(client, sim, customer):
    sim.control("fault", endpoint="GetCustomer", mode="latency", ms=400, count=1)
    answer = client.call("GetCustomer", {"accounts": [customer]}, timeout=(0.5, 2.0))
    assert answer["infoCustomers"][0]["account"] == customer
    assert sent(sim, "GetCustomer") == 1


# -- circuit breaker ----------------------------------------------------------------


def test_it_opens_the_breaker_fails_fast_and_closes_again(sim, customer):
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=2, cooldown=10, clock=clock)
    with VosClient(sim.base_url, breaker=breaker, **FAST) as vos:
        sim.control("fault", endpoint="Pay", mode="http500", count=3)
        for _ in range(2):
            with pytest.raises(VosUnavailable):
                vos.pay(owner_name=customer, owner_type=2, money=1.0)
        assert breaker.snapshot()["state"] == "open"

        with pytest.raises(VosUnavailable) as caught:
            vos.pay(owner_name=customer, owner_type=2, money=1.0)
        assert (caught.value.reason, caught.value.may_have_been_applied) == ("circuit_open", False)
        assert sent(sim, "Pay") == 2

        clock.now += 10  # half-open: the trial hits the third injected 500 and reopens
        assert breaker.snapshot()["state"] == "half_open"
        with pytest.raises(VosUnavailable) as caught:
            vos.pay(owner_name=customer, owner_type=2, money=1.0)
        assert caught.value.reason == "http_500"
        assert breaker.snapshot()["state"] == "open"

        clock.now += 10
        assert vos.pay(owner_name=customer, owner_type=2, money=1.0).info_pay.money == 101.0
        assert breaker.snapshot()["state"] == "closed"
        assert sent(sim, "Pay") == 4
        stats = vos.stats()
    assert stats["fast_failures"] == 1
    assert stats["breaker"]["times_opened"] == 2


def test_it_lets_one_trial_through_a_half_open_breaker():
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, cooldown=5, clock=clock)
    breaker.record_failure()
    assert not breaker.allow()
    clock.now += 5
    results = []
    threads = [threading.Thread(target=lambda: results.append(breaker.allow())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    breaker.record_success()
    assert breaker.allow()


def test_it_stops_retrying_a_read_when_the_breaker_opens(sim, customer):
    breaker = CircuitBreaker(failure_threshold=2, cooldown=60)
    with VosClient(sim.base_url, breaker=breaker, **FAST) as vos:
        sim.control("fault", endpoint="GetCustomer", mode="http500", count=5)
        with pytest.raises(VosUnavailable) as caught:
            vos.get_customer(accounts=[customer])
    assert caught.value.reason == "circuit_open"
    assert sent(sim, "GetCustomer") == 2


# -- measurements -------------------------------------------------------------------


def test_it_reports_its_measurements(client, sim, customer):
    sim.control("fault", endpoint="GetCustomer", mode="latency", ms=50, count=1)
    client.get_customer(accounts=[customer])
    with pytest.raises(VosApiError):
        client.delete_customer(account="nobody")
    stats = client.stats()
    # the fixture's create_customer is the first call
    assert {key: stats[key] for key in ("calls", "ok", "api_errors", "errors", "attempts")} == {
        "calls": 3,
        "ok": 2,
        "api_errors": 1,
        "errors": 1,
        "attempts": 3,
    }
    assert stats["last_latency_ms"] < 50 <= max(stats["avg_latency_ms"], 50)
    assert stats["breaker"]["state"] == "closed"
    assert json.loads(json.dumps(stats)) == stats


def test_it_serves_concurrent_callers_from_one_client(client, sim, customer):
    def read_five():
        return [
            client.get_customer(accounts=[customer]).info_customers[0].account for _ in range(5)
        ]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: read_five(), range(4)))
    assert results == [[customer] * 5] * 4
    assert sent(sim, "GetCustomer") == 20
    stats = client.stats()
    assert (stats["calls"], stats["ok"], stats["attempts"]) == (21, 21, 21)


# -- nothing leaks: no address in errors or logs, no secrets in logs ----------------


def test_it_never_puts_the_address_in_error_messages_or_logs(sim, customer, caplog, canned):
    caplog.set_level(logging.DEBUG, logger="vos3000.client")
    port = str(sim.port)
    errors = []

    def collect(vos, action):
        try:
            action(vos)
        except Exception as exc:  # every error type is collected on purpose
            errors.append(exc)

    pay = lambda vos: vos.pay(owner_name=customer, owner_type=2, money=1.0)  # noqa: E731
    with VosClient(sim.base_url, breaker=CircuitBreaker(failure_threshold=4), **FAST) as vos:
        collect(vos, lambda v: v.pay(owner_name=customer, money=1.0))
        collect(vos, lambda v: v.delete_customer(account="nobody"))
        for mode in ("http500", "garbage", "reset", "timeout_before"):
            sim.control("fault", endpoint="Pay", mode=mode, count=1, seconds=1)
            collect(vos, pay)
        collect(vos, pay)  # the breaker is open now
        refused = VosClient(f"http://127.0.0.1:{closed_port()}/external/server/", **FAST)
        collect(refused, pay)
        collect(VosClient("http://vos-host.invalid:8080/external/server/", **FAST), pay)
        forbidden = canned(status=403)
        collect(VosClient(forbidden.base_url, **FAST), pay)
    forbidden_port = str(forbidden.server.server_port)
    kinds = {type(exc).__name__ for exc in errors}
    assert kinds == {"VosValidationError", "VosApiError", "VosUnavailable"}
    reasons = {exc.reason for exc in errors if isinstance(exc, VosUnavailable)}
    assert {"http_500", "bad_body", "connection_lost", "read_timeout", "circuit_open"} <= reasons
    assert {"connect_failed", "dns", "http_403"} <= reasons
    for exc in errors:
        text = f"{exc} {exc!r} {exc.args}"
        for address in ("127.0.0.1", "localhost", "vos-host", port, forbidden_port):
            assert address not in text, (exc, address)
        assert exc.__cause__ is None
        assert exc.__suppress_context__ or exc.__context__ is None
    assert "127.0.0.1" not in caplog.text and port not in caplog.text
    assert "vos-host" not in caplog.text
    assert "127.0.0.1" not in repr(vos)


def test_it_logs_one_redacted_line_per_attempt(client, sim, caplog):
    caplog.set_level(logging.INFO, logger="vos3000.client")
    with pytest.raises(VosApiError):
        client.phone_card_active(pin="PIN-98765", password="s3cr3t-pw", binded_e164="1234")
    client.call(
        "CreatePhone",
        {
            "autoCreateAccount": True,
            "e164": "5551000",
            "password": "phone-secret",
            "customerPassword": "web-secret",
        },
    )
    records = [r for r in caplog.records if r.name == "vos3000.client"]
    assert len(records) == 2
    first = records[0].getMessage()
    assert "PhoneCardActive attempt 1/1" in first and " ms" in first and "retCode" in first
    assert records[0].vos_endpoint == "PhoneCardActive"
    assert records[0].vos_attempt == 1
    for secret in ("PIN-98765", "s3cr3t-pw", "phone-secret", "web-secret"):
        assert secret not in caplog.text
    assert '"pin":"***"' in first and '"bindedE164":"1234"' in first


def test_it_redacts_secret_fields_at_any_depth_in_any_case():
    payload = {
        "account": "a1",
        "PIN": "1",
        "infoPhoneAdditional": {"Passwd": "2", "x": [{"userPassword": "3", "ok": 4}]},
    }
    assert redact(payload) == {
        "account": "a1",
        "PIN": "***",
        "infoPhoneAdditional": {"Passwd": "***", "x": [{"userPassword": "***", "ok": 4}]},
    }
    assert payload["PIN"] == "1"


# -- typed results ------------------------------------------------------------------


def test_it_round_trips_a_customer_through_typed_records(client):
    additional = types.InfoCustomerAdditional(card_type=1, card_number="P123", email="a@b.example")
    client.create_customer(
        account="rt1",
        name="Round Trip",
        money=12.5,
        limit_money=3.0,
        memo="typed",
        info_customer_additional=additional,
    )
    answer = client.get_customer(accounts=["rt1"])
    assert isinstance(answer, types.GetCustomerResponse)
    (info,) = answer.info_customers
    assert isinstance(info, types.InfoCustomer)
    assert (info.account, info.name, info.money, info.limit_money, info.memo) == (
        "rt1",
        "Round Trip",
        12.5,
        3.0,
        "typed",
    )
    assert isinstance(info.info_customer_additional, types.InfoCustomerAdditional)
    assert info.info_customer_additional.card_number == "P123"
    assert info.info_customer_additional.email == "a@b.example"
    assert info.to_wire() == answer.raw["infoCustomers"][0]
    assert info.extra == {}


def test_it_accepts_nested_values_as_dicts_with_wire_or_snake_keys(client):
    client.create_customer(
        account="d1", info_customer_additional={"cardType": 2, "card_number": "N-7"}
    )
    info = client.get_customer(accounts=["d1"]).info_customers[0]
    assert info.info_customer_additional.card_type == 2
    assert info.info_customer_additional.card_number == "N-7"


def test_it_types_a_pay_answer_and_takes_decimal_money(client, customer):
    answer = client.pay(owner_name=customer, owner_type=2, money=Decimal("10.25"), memo="cash")
    assert isinstance(answer.info_pay, types.InfoPay)
    assert answer.info_pay.account == customer
    assert answer.info_pay.money == pytest.approx(110.25)


def test_it_keeps_unknown_fields_and_odd_shapes_without_failing():
    raw = {
        "retCode": 0,
        "infoCustomers": [
            {"account": "a", "money": "12", "infoCustomerAdditional": {"cardType": 1, "z": 1}},
            "not an object",
        ],
        "serverVersion": "2.1.8",
    }
    answer = types.GetCustomerResponse.from_wire(raw)
    first, second = answer.info_customers
    assert first.money == "12"
    assert first.info_customer_additional.extra == {"z": 1}
    assert second == "not an object"
    assert answer.extra == {"serverVersion": "2.1.8"}
    assert answer.raw == raw
    assert first.to_wire() == raw["infoCustomers"][0]
    assert types.GetCustomerResponse.from_wire({"retCode": 0}).info_customers == []


def test_it_generates_one_typed_method_per_endpoint():
    for endpoint in catalog.ENDPOINTS.values():
        method = getattr(VosClient, catalog.python_name(endpoint.name))
        names = [p for p in method.__signature__.parameters if p != "self"]
        assert names == [types.attribute_name(f.name) for f in endpoint.request]
        assert endpoint.title in method.__doc__


def test_it_keeps_the_generated_type_stubs_up_to_date():
    for path, text in stubs.rendered().items():
        assert path.read_text(encoding="utf-8") == text, "run python -m vos3000.client.stubs"


# -- dates --------------------------------------------------------------------------


def test_it_formats_and_parses_vos_dates():
    moment = datetime(2026, 3, 4, 23, 30, 5, tzinfo=timezone(timedelta(hours=-2)))
    assert format_day(moment) == "20260305"  # 01:30 UTC the next day
    assert format_day(date(2026, 1, 2)) == "20260102"
    assert format_timestamp(moment) == "20260305013005"
    beijing = timezone(timedelta(hours=8))
    assert format_timestamp(moment, tz=beijing) == "20260305093005"
    assert parse_day("20260102") == date(2026, 1, 2)
    assert parse_timestamp("20260305013005") == moment
    with pytest.raises(ValueError, match="naive"):
        format_timestamp(datetime(2026, 1, 1))


def test_it_converts_epoch_milliseconds_exactly():
    moment = datetime(2026, 3, 4, 5, 6, 7, 891000, tzinfo=UTC)
    assert ms_from_datetime(moment) == 1772600767891
    assert datetime_from_ms(1772600767891) == moment
    assert datetime_from_ms(0) == datetime(1970, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="naive"):
        ms_from_datetime(datetime(2026, 1, 1))


def test_it_reads_a_vos_time_leniently():
    from vos3000.client import moment_from_ms

    assert moment_from_ms(1772600767891) == datetime_from_ms(1772600767891)
    assert moment_from_ms("1772600767891") == datetime_from_ms(1772600767891)
    for never in (None, "", 0, -5, "soon", 9223372036854775807, float("nan")):
        assert moment_from_ms(never) is None
