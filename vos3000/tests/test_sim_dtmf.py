"""The ``dtmf`` control action: one PushDtmfInfo(s) POSTed synchronously to the push URL,
answered with what the receiver said."""

from __future__ import annotations

import json
import threading
import urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class IvrReceiver:
    """A tiny IVR hook: menu "main", key 1 -> retCode 11 with two audios; else 0.
    ``raw`` replaces the answer body (to send garbage)."""

    def __init__(self, raw: bytes | None = None, status: int = 200):
        self.received: list[tuple[str, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.received.append((self.path, body))
                entry = body["infoDtmfs"][-1] if "infoDtmfs" in body else body
                if (entry["menuName"], entry["dtmf"]) == ("main", "1"):
                    answer = {"retCode": 11, "audioNames": ["welcome", "menu1"]}
                else:
                    answer = {"retCode": 0}
                data = raw if raw is not None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/vos/push"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(sim):
    hook = IvrReceiver()
    sim.control("settings", push_url=hook.url)
    yield hook
    hook.close()


def test_it_posts_a_push_dtmf_info_and_returns_the_answer(sim, receiver):
    result = sim.control("dtmf", menu="main", digits="1", caller="2001", flow_no=77)
    assert result["name"] == "PushDtmfInfo"
    assert result["status"] == 200
    assert result["retCode"] == 11
    assert result["audioNames"] == ["welcome", "menu1"]
    assert receiver.received == [
        (
            "/vos/push/PushDtmfInfo",
            {
                "flowNo": 77,
                "callerE164": "2001",
                "calleeE164": "800",
                "accessE164": "800",
                "menuName": "main",
                "dtmf": "1",
            },
        )
    ]


def test_it_posts_push_dtmf_infos_with_every_entry(sim, receiver):
    result = sim.control("dtmf", entries=[["lang", "2"], ["main", "1"]])
    assert result["name"] == "PushDtmfInfos"
    assert (result["retCode"], result["audioNames"]) == (11, ["welcome", "menu1"])
    path, body = receiver.received[0]
    assert path == "/vos/push/PushDtmfInfos"
    assert body["infoDtmfs"] == [
        {"menuName": "lang", "dtmf": "2"},
        {"menuName": "main", "dtmf": "1"},
    ]


def test_it_reports_an_answer_without_audio(sim, receiver):
    result = sim.control("dtmf", menu="main", digits="9")
    assert (result["retCode"], result["audioNames"]) == (0, [])


def test_it_reports_a_receiver_that_answers_garbage(sim):
    hook = IvrReceiver(raw=b"<html>oops</html>", status=500)
    try:
        sim.control("settings", push_url=hook.url)
        result = sim.control("dtmf", menu="main", digits="1")
    finally:
        hook.close()
    assert (result["status"], result["answer"], result["retCode"]) == (500, None, None)


def test_it_refuses_without_a_push_url_or_with_a_bad_message(sim):
    with pytest.raises(urllib.error.HTTPError) as refused:
        sim.control("dtmf", menu="main", digits="1")
    assert refused.value.code == 400
    hook = IvrReceiver()
    try:
        sim.control("settings", push_url=hook.url)
        with pytest.raises(urllib.error.HTTPError) as refused:
            sim.control("dtmf", menu="m" * 65, digits="1")  # menuName is 64 at most
        assert refused.value.code == 400
        assert hook.received == []
    finally:
        hook.close()
