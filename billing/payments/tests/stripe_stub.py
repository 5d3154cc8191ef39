"""A stand-in for the part of Stripe's HTTP API the Stripe provider uses.

A threaded ``http.server`` on 127.0.0.1 answering what the real ``stripe`` library sends:

- ``POST /v1/checkout/sessions`` (a form-encoded body) opens a session;
- ``GET /v1/checkout/sessions`` lists the sessions in ``stub.sessions`` that match
  ``created[gte]`` and ``status``, ``page_size`` at a time, with ``has_more`` and
  ``starting_after`` as Stripe pages.

Every request is kept in ``stub.requests`` (method, path, query, form, headers) for the
test to assert on; ``stub.answer_next(status, body, headers)`` makes the next request get
that answer instead (an error, say), in order.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class StubRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]  # lower-case names


@dataclass
class StripeStub:
    sessions: list[dict] = field(default_factory=list)
    page_size: int = 2
    requests: list[StubRequest] = field(default_factory=list)
    answers: deque = field(default_factory=deque)
    url: str = ""
    opened: int = 0

    def answer_next(self, status: int, body: dict, headers: dict | None = None) -> None:
        self.answers.append((status, body, headers or {}))

    def requests_to(self, method: str) -> list[StubRequest]:
        return [request for request in self.requests if request.method == method]

    def add_session(self, **fields) -> dict:
        number = len(self.sessions) + 1
        session = {
            "id": f"cs_test_{number:03d}",
            "object": "checkout.session",
            "mode": "payment",
            "status": "complete",
            "payment_status": "paid",
            "currency": "usd",
            "amount_total": 1000,
            "payment_intent": f"pi_test_{number:03d}",
            "client_reference_id": None,
            "metadata": {},
            "created": 1_800_000_000,
            **fields,
        }
        self.sessions.append(session)
        return session

    # --- answers ------------------------------------------------------------------------
    def open_session(self, form: dict[str, str]) -> dict:
        self.opened += 1
        session_id = f"cs_test_opened_{self.opened}"
        return {
            "id": session_id,
            "object": "checkout.session",
            "mode": form.get("mode"),
            "status": "open",
            "payment_status": "unpaid",
            "client_reference_id": form.get("client_reference_id"),
            "currency": form.get("line_items[0][price_data][currency]"),
            "amount_total": int(form.get("line_items[0][price_data][unit_amount]", "0")),
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        }

    def list_sessions(self, query: dict[str, str]) -> dict:
        since = int(query.get("created[gte]", "0"))
        status = query.get("status")
        matching = [
            session
            for session in self.sessions
            if session["created"] >= since and (status is None or session["status"] == status)
        ]
        after = query.get("starting_after")
        if after:
            ids = [session["id"] for session in matching]
            matching = matching[ids.index(after) + 1 :]
        size = min(self.page_size, int(query.get("limit", "10")))
        return {
            "object": "list",
            "url": "/v1/checkout/sessions",
            "has_more": len(matching) > size,
            "data": matching[:size],
        }


def _single(values: dict[str, list[str]]) -> dict[str, str]:
    return {key: value[-1] for key, value in values.items()}


def _handler_for(stub: StripeStub):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # quiet
            pass

        def _record(self) -> StubRequest:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            request = StubRequest(
                method=self.command,
                path=parts.path,
                query=_single(parse_qs(parts.query, keep_blank_values=True)),
                form=_single(parse_qs(body, keep_blank_values=True)),
                headers={name.lower(): value for name, value in self.headers.items()},
            )
            stub.requests.append(request)
            return request

        def _answer(self, status: int, body: dict, headers: dict | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", "req_stub_123")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _serve(self) -> None:
            request = self._record()
            if stub.answers:
                self._answer(*stub.answers.popleft())
            elif request.path != "/v1/checkout/sessions":
                self._answer(404, {"error": {"type": "invalid_request_error"}})
            elif request.method == "POST":
                self._answer(200, stub.open_session(request.form))
            else:
                self._answer(200, stub.list_sessions(request.query))

        do_GET = _serve
        do_POST = _serve

    return Handler


class running_stub:
    """``with running_stub() as stub:`` serves a fresh StripeStub on a free local port."""

    def __enter__(self) -> StripeStub:
        self.stub = StripeStub()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self.stub))
        self.stub.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self.stub

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
