"""The simulator's frame over real HTTP: whitelist, parsing, validation, faults, transactions,
control API, pushes, persistence and the CLI."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from vos3000.simulator import codes, registry
from vos3000.simulator.app import start_simulator


def post(sim, name: str, payload=None, *, data=None, headers=None, timeout=(1, 3)):
    body = data if data is not None else json.dumps(payload or {})
    return requests.post(sim.base_url + name, data=body, headers=headers, timeout=timeout)


def raw_post(url: str, **kwargs):
    return requests.post(url, timeout=5, **kwargs)


def call(sim, name: str, payload=None) -> dict:
    response = post(sim, name, payload)
    assert response.status_code == 200, response.text
    return response.json()


def accounts(sim) -> list[str]:
    return call(sim, "GetAllCustomers")["accounts"]


def wait_until(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())


class PushReceiver:
    """A tiny HTTP server recording the pushes it gets; answers 503 to the first ``fail``."""

    def __init__(self, port: int = 0, fail: int = 0):
        self.received: list[tuple[str, dict]] = []
        self.attempts = 0
        self.fail = fail
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.attempts += 1
                if receiver.attempts <= receiver.fail:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                receiver.received.append((self.path, json.loads(body.decode("utf-8"))))
                answer = b'{"retCode":0}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/vos/push"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- HTTP front ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [None, "text/html;charset=UTF-8", "application/x-www-form-urlencoded", "text/plain"],
)
def test_it_parses_the_raw_body_as_json_whatever_the_content_type(sim, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    body = json.dumps({"account": "Zoë", "name": "Zoë Ölund"}, ensure_ascii=False)
    response = post(sim, "CreateCustomer", data=body.encode("utf-8"), headers=headers)
    assert response.json() == {"retCode": 0}
    info = call(sim, "GetCustomer", {"accounts": ["Zoë"]})["infoCustomers"][0]
    assert info["name"] == "Zoë Ölund"


def test_it_reads_a_chunked_body(sim):
    chunks = (part.encode() for part in ['{"account": ', '"chunky"}'])
    response = requests.post(sim.base_url + "CreateCustomer", data=chunks, timeout=5)
    assert response.json() == {"retCode": 0}
    assert accounts(sim) == ["chunky"]


def test_it_serves_any_context_path_ending_in_server(sim):
    for context in ("external", "external_new", "a/b"):
        response = raw_post(f"{sim.root_url}{context}/server/GetAllCustomers", data="{}")
        assert response.json() == {"retCode": 0, "accounts": []}
    assert raw_post(f"{sim.root_url}external/elsewhere/GetAllCustomers").status_code == 404


def test_it_refuses_callers_not_on_the_allow_list_and_changes_nothing():
    with start_simulator(port=0, allow="10.1.2.3|::2") as other:
        response = post(other, "CreateCustomer", {"account": "intruder"})
        assert response.status_code == 403
        control = raw_post(other.root_url + "_sim/reset", data="{}")
        assert control.status_code == 403
        assert other.sim.request_counts == {}
        with other.sim.transaction(write=False) as ctx:
            assert ctx.db.execute("SELECT count(*) FROM customer").fetchone()[0] == 0


def test_it_answers_an_unknown_endpoint_with_its_code(sim):
    answer = call(sim, "NoSuchThing", {})
    assert answer["retCode"] == codes.UNKNOWN_ENDPOINT


def test_it_answers_a_body_that_is_not_a_json_object_with_input_error_and_the_list_field(sim):
    for body in ("{not json", "[1, 2]", "\xff\xfe"):
        answer = post(sim, "GetCustomer", data=body.encode("latin-1")).json()
        assert answer == {
            "retCode": codes.INPUT_ERROR,
            "exception": "Input parameter error",
            "infoCustomers": [],
        }


def test_it_answers_a_missing_mandatory_field_with_miss_parameters(sim):
    answer = call(sim, "CreateCustomer", {"name": "no account"})
    assert answer == {"retCode": codes.MISS_PARAMETERS, "exception": "Miss parameters"}
    assert accounts(sim) == []


def test_it_answers_other_validation_problems_with_input_error_and_the_list_field(sim):
    assert call(sim, "CreateCustomer", {"account": "a", "type": "zero"})["retCode"] == (
        codes.INPUT_ERROR
    )
    answer = call(sim, "GetPayHistory", {"account": "a", "beginTime": "2024", "endTime": "x"})
    assert answer["retCode"] == codes.INPUT_ERROR
    assert answer["infoPayHistorys"] == []
    assert accounts(sim) == []


def test_it_refuses_unknown_fields_only_when_strict(strict_sim, sim):
    answer = call(strict_sim, "CreateCustomer", {"account": "a", "bogus": 1})
    assert answer["retCode"] == codes.INPUT_ERROR
    assert accounts(strict_sim) == []
    assert call(sim, "CreateCustomer", {"account": "a", "bogus": 1})["retCode"] == 0
    assert accounts(sim) == ["a"]
    entry = sim.control("requests", endpoint="CreateCustomer")["requests"][-1]
    assert entry["ignored"] == ["bogus"]
    assert entry["body"] == {"account": "a", "bogus": 1}


def test_it_answers_an_unexpected_exception_with_http_500_and_keeps_serving(sim):
    if "SimCoreTestExplode" not in registry.HANDLERS:

        @registry.handler("SimCoreTestExplode")
        def explode(ctx, req):
            ctx.db.execute(
                "INSERT INTO customer (account, start_time, valid_time) VALUES ('half', 0, 0)"
            )
            raise ZeroDivisionError("boom")

    response = post(sim, "SimCoreTestExplode", {})
    assert response.status_code == 500
    assert "half" not in accounts(sim)  # rolled back


# -- faults ------------------------------------------------------------------------------------


def test_it_delays_answers_with_a_latency_fault_only_for_count_calls(sim):
    sim.control("fault", endpoint="GetAllCustomers", mode="latency", ms=300, count=2)
    durations = []
    for _ in range(3):
        started = time.monotonic()
        assert call(sim, "GetAllCustomers")["retCode"] == 0
        durations.append(time.monotonic() - started)
    assert durations[0] >= 0.3 and durations[1] >= 0.3
    assert durations[2] < 0.2


def test_it_does_not_hold_the_write_lock_while_delaying(sim):
    sim.control("fault", endpoint="CreateCustomer", mode="latency", ms=800)
    slow = threading.Thread(target=call, args=(sim, "CreateCustomer", {"account": "slow"}))
    slow.start()
    time.sleep(0.1)
    started = time.monotonic()
    assert call(sim, "CreateCustomer", {"account": "fast"}) == {"retCode": 0}
    assert time.monotonic() - started < 0.5
    slow.join()
    assert sorted(accounts(sim)) == ["fast", "slow"]


def test_it_answers_http_500_without_applying(sim):
    sim.control("fault", endpoint="CreateCustomer", mode="http500")
    assert post(sim, "CreateCustomer", {"account": "a"}).status_code == 500
    assert accounts(sim) == []
    assert call(sim, "CreateCustomer", {"account": "a"}) == {"retCode": 0}


def test_it_answers_garbage_without_applying(sim):
    sim.control("fault", endpoint="*", mode="garbage")
    response = post(sim, "CreateCustomer", {"account": "a"})
    assert response.status_code == 200
    with pytest.raises(ValueError):
        json.loads(response.text)
    assert accounts(sim) == []


def test_it_resets_the_connection_without_applying(sim):
    sim.control("fault", endpoint="CreateCustomer", mode="reset")
    with pytest.raises(requests.ConnectionError):
        post(sim, "CreateCustomer", {"account": "a"})
    assert accounts(sim) == []


def test_it_times_out_before_applying(sim):
    sim.control("fault", endpoint="CreateCustomer", mode="timeout_before", seconds=0.6)
    with pytest.raises(requests.ReadTimeout):
        post(sim, "CreateCustomer", {"account": "a"}, timeout=(1, 0.3))
    time.sleep(0.5)
    assert accounts(sim) == []


def test_it_applies_then_times_out_with_timeout_after(sim):
    sim.control("fault", endpoint="CreateCustomer", mode="timeout_after", seconds=0.6)
    with pytest.raises(requests.ReadTimeout):
        post(sim, "CreateCustomer", {"account": "a"}, timeout=(1, 0.3))
    assert accounts(sim) == ["a"]  # the lost-response case: the write happened


def test_it_closes_without_an_answer_once_timeout_after_sleeps_less_than_the_client(sim):
    sim.control("fault", endpoint="CreateCustomer", mode="timeout_after", seconds=0.05)
    with pytest.raises(requests.ConnectionError):
        post(sim, "CreateCustomer", {"account": "a"})
    assert accounts(sim) == ["a"]


def test_it_prefers_an_endpoints_own_fault_and_clears_faults(sim):
    sim.control("fault", endpoint="*", mode="http500", count=5)
    sim.control("fault", endpoint="GetAllCustomers", mode="latency", ms=1)
    assert post(sim, "GetAllCustomers").status_code == 200
    assert post(sim, "GetAllCustomers").status_code == 500
    sim.control("clear_faults")
    assert post(sim, "GetAllCustomers").status_code == 200


def test_it_rejects_an_unknown_fault_mode(sim):
    response = raw_post(sim.root_url + "_sim/fault", json={"mode": "explode"})
    assert response.status_code == 400
    assert "explode" in response.json()["error"]


# -- control API -----------------------------------------------------------------------------


def test_it_counts_every_request_per_endpoint_including_faulted_ones(sim):
    sim.control("fault", endpoint="CreateCustomer", mode="http500")
    post(sim, "CreateCustomer", {"account": "a"})
    call(sim, "CreateCustomer", {"account": "a"})
    call(sim, "GetAllCustomers")
    stats = sim.control("stats")
    assert stats["requests"] == {"CreateCustomer": 2, "GetAllCustomers": 1}
    assert stats["total"] == 3
    sim.control("reset")
    assert sim.control("stats")["requests"] == {}


def test_it_logs_recent_requests_with_secrets_redacted(sim):
    call(sim, "CreateCustomer", {"account": "a"})
    call(
        sim,
        "CreatePhone",
        {
            "e164": "100",
            "account": "a",
            "autoCreateAccount": False,
            "password": "s3cret",
            "customerPassword": "web-s3cret",
        },
    )
    log = sim.control("requests", endpoint="CreatePhone")["requests"]
    assert len(log) == 1
    entry = log[0]
    assert entry["body"]["password"] == "***"
    assert entry["body"]["customerPassword"] == "***"
    assert entry["body"]["e164"] == "100"
    assert entry["retCode"] == 0 and entry["status"] == 200
    assert "s3cret" not in json.dumps(sim.control("requests"))


def test_it_advances_the_clock_and_reset_rewinds_it(sim):
    before = sim.control("now")["now"]
    answer = sim.control("advance", seconds=86400 * 3)
    assert answer["offsetMs"] == 86400 * 3 * 1000
    assert 0 <= answer["now"] - before - 86400 * 3 * 1000 < 5000
    call(sim, "CreateCustomer", {"account": "late"})
    start = call(sim, "GetCustomer", {"accounts": ["late"]})["infoCustomers"][0]["startTime"]
    assert start >= before + 86400 * 3 * 1000
    sim.control("reset")
    assert sim.control("now")["offsetMs"] == 0
    response = raw_post(sim.root_url + "_sim/advance", json={"seconds": -1})
    assert response.status_code == 400


def test_it_changes_runtime_settings_until_reset(sim):
    assert sim.control("settings", cdr_max_days=7)["cdr_max_days"] == 7
    assert sim.sim.settings.cdr_max_days == 7
    response = raw_post(sim.root_url + "_sim/settings", json={"port": 1})
    assert response.status_code == 400
    sim.control("reset")
    assert sim.control("settings")["cdr_max_days"] == 31


def test_it_answers_404_for_an_unknown_control_action(sim):
    assert raw_post(sim.root_url + "_sim/nothing", json={}).status_code == 404


# -- transactions and pushes -----------------------------------------------------------------


def test_it_delivers_pushes_and_retries_while_the_receiver_fails(sim):
    receiver = PushReceiver(fail=2)
    try:
        sim.control("settings", push_url=receiver.url, push_backoff=0.02)
        call(sim, "CreateCustomer", {"account": "a", "money": 12.5})
        assert wait_until(lambda: receiver.received)
        assert receiver.received == [
            ("/vos/push/CustomerMoneyChange", {"account": "a", "money": 12.5})
        ]
        assert receiver.attempts == 3
        pushes = sim.control("pushes")["pushes"]
        assert [(p["status"], p["attempts"]) for p in pushes] == [("delivered", 3)]
    finally:
        receiver.close()


def test_it_keeps_pushes_queued_while_the_receiver_is_down(sim):
    port = free_port()
    sim.control("settings", push_url=f"http://127.0.0.1:{port}/push", push_backoff=0.05)
    call(sim, "CreateCustomer", {"account": "a", "money": 1})
    call(sim, "Pay", {"ownerName": "a", "ownerType": 2, "money": 2})
    assert wait_until(lambda: sim.control("pushes")["pushes"][0]["attempts"] >= 2)
    receiver = PushReceiver(port=port)
    try:
        assert wait_until(lambda: len(receiver.received) == 2)
        assert [body["money"] for _, body in receiver.received] == [1.0, 3.0]  # in order
    finally:
        receiver.close()


def test_it_gives_up_on_a_push_after_the_retry_limit(sim):
    sim.control(
        "settings",
        push_url=f"http://127.0.0.1:{free_port()}/push",
        push_backoff=0.01,
        push_max_retries=2,
    )
    call(sim, "CreateCustomer", {"account": "a", "money": 1})
    assert wait_until(lambda: sim.control("pushes")["pushes"][0]["status"] == "failed")
    assert sim.control("pushes")["pushes"][0]["attempts"] == 3


def test_it_queues_no_push_for_a_rolled_back_request(sim):
    call(sim, "CreateCustomer", {"account": "a", "money": 5})
    card = sim.control("create_phone_cards", value=10, bits_of_config=1 << 3)["cards"][0]
    call(sim, "CreatePhone", {"e164": card["pin"], "account": "a", "autoCreateAccount": False})
    # Activation credits a new account (a money push), then fails making the card's phone.
    answer = call(sim, "PhoneCardActive", {"pin": card["pin"], "password": card["password"]})
    assert answer["retCode"] == codes.ALREADY_EXISTS
    assert accounts(sim) == ["a"]
    assert [p["payload"]["account"] for p in sim.control("pushes")["pushes"]] == ["a"]


# -- persistence and CLI ---------------------------------------------------------------------


def test_it_keeps_state_and_simulated_time_across_a_restart(tmp_path):
    data = str(tmp_path / "sim.sqlite3")
    with start_simulator(port=0, data=data) as first:
        call(first, "CreateCustomer", {"account": "kept", "money": 7})
        first.control("advance", seconds=3600)
    with start_simulator(port=0, data=data) as second:
        info = call(second, "GetCustomer", {"accounts": ["kept"]})["infoCustomers"][0]
        assert info["money"] == 7.0
        assert second.control("now")["offsetMs"] == 3600 * 1000


def test_it_reads_while_a_write_is_running_on_a_file_store(tmp_path):
    with start_simulator(port=0, data=str(tmp_path / "sim.sqlite3")) as server:
        call(server, "CreateCustomer", {"account": "a"})
        server.control("fault", endpoint="GetAllCustomers", mode="latency", ms=400, count=3)
        threads = [
            threading.Thread(target=call, args=(server, "GetAllCustomers")) for _ in range(3)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert time.monotonic() - started < 1.0  # three delayed reads ran side by side


def test_it_runs_from_the_command_line_and_stops_on_sigterm(tmp_path):
    repo = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vos3000.simulator",
            "--port",
            "0",
            "--data",
            str(tmp_path / "cli.sqlite3"),
            "--cdr-max-days",
            "5",
        ],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(repo)},
    )
    try:
        line = process.stdout.readline()
        assert "serving http://127.0.0.1:" in line, process.stderr.read()
        base_url = line.split("serving ", 1)[1].split(" ", 1)[0]
        answer = requests.post(base_url + "GetAllCustomers", data="{}", timeout=5).json()
        assert answer == {"retCode": 0, "accounts": []}
        root = base_url.split("external/server/")[0]
        assert raw_post(root + "_sim/settings", json={}).json()["cdr_max_days"] == 5
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stderr.close()


def test_it_redacts_pins_but_not_names_that_merely_contain_pin(sim):
    call(sim, "GetPhoneCard", {"pin": ["123456"], "Password": "x"})
    call(sim, "GetGatewayMapping", {"names": ["mapping-1"]})
    bodies = [entry["body"] for entry in sim.control("requests")["requests"]]
    assert bodies[0] == {"pin": "***", "Password": "***"}
    assert bodies[1] == {"names": ["mapping-1"]}


def test_it_abandons_a_retrying_push_on_reset(sim):
    dead = f"http://127.0.0.1:{free_port()}/push"
    sim.control("settings", push_url=dead, push_backoff=5)
    call(sim, "CreateCustomer", {"account": "old", "money": 1})
    assert wait_until(lambda: sim.control("pushes")["pushes"][0]["status"] == "retrying")
    sim.control("reset")
    receiver = PushReceiver()
    try:
        sim.control("settings", push_url=receiver.url)
        call(sim, "CreateCustomer", {"account": "new", "money": 2})
        # Not stuck behind the old message's 5 s backoff.
        assert wait_until(lambda: receiver.received, timeout=2)
        assert receiver.received == [
            ("/vos/push/CustomerMoneyChange", {"account": "new", "money": 2.0})
        ]
    finally:
        receiver.close()


def test_it_documents_every_control_action_in_the_readme(sim):
    readme = (Path(__file__).resolve().parents[1] / "simulator" / "README.md").read_text()
    undocumented = [
        name
        for name in registry.CONTROLS
        if f"| `{name}`" not in readme and f"/ `{name}`" not in readme
    ]
    assert undocumented == []
