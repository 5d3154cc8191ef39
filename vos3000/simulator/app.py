"""The VOS3000 simulator: HTTP front, transactions, faults and the control API.

``POST /<context>/server/<Name>`` (``/external/server/``, ``/external_new/server/``, ...;
the name plain or as ``<Name>.jsp``, as Tomcat deployments have it) runs the handler
registered for ``Name`` in one SQLite transaction; ``POST /_sim/<action>`` runs a control
action (see README.md). Both only for callers on the ``allow`` list.

Programmatic use (tests, ``make run``)::

    handle = start_simulator(port=0, data="var/sim.sqlite3", push_url=None)
    handle.base_url      # "http://127.0.0.1:PORT/external/server/"
    handle.control("advance", seconds=3600)
    handle.stop()
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import importlib
import ipaddress
import json
import logging
import pkgutil
import re
import socket
import struct
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from vos3000.simulator import (
    answers,
    codes,
    controls,  # noqa: F401  (registers the core control actions)
    handlers,
    lenient,
    registry,
)
from vos3000.simulator.clock import Clock
from vos3000.simulator.codes import SimError
from vos3000.simulator.context import Context
from vos3000.simulator.faults import FaultTable
from vos3000.simulator.push import Pusher
from vos3000.simulator.settings import Settings
from vos3000.simulator.store import Store

log = logging.getLogger("vos3000.simulator")

# Any context path before ``server/``; the name plain or with ``.jsp`` (Tomcat deployments).
_ENDPOINT_PATH = re.compile(r"/(?:[^?#]*/)?server/([A-Za-z0-9_]+?)(?:\.jsp)?/?")
_CONTROL_PATH = re.compile(r"/_sim/([a-z_]+)/?")
_KEY_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")
_SECRET_WORDS = {"pin", "pins", "pwd", "passwd", "secret"}
_REQUEST_LOG_SIZE = 1000
_NO_LOCK = contextlib.nullcontext()


def load_handler_modules() -> tuple[list[str], dict[str, str]]:
    """Import every module of ``vos3000.simulator.handlers``.

    Returns their SCHEMA scripts and the modules that failed to import (name -> error):
    those are logged and skipped so one broken module does not take every endpoint down.
    """
    schemas, failures = [], {}
    for info in sorted(pkgutil.iter_modules(handlers.__path__), key=lambda i: i.name):
        try:
            module = importlib.import_module(f"{handlers.__name__}.{info.name}")
        except Exception as exc:
            log.exception(
                "handler module %s failed to import; its endpoints are missing", info.name
            )
            failures[info.name] = f"{type(exc).__name__}: {exc}"
            continue
        schema = getattr(module, "SCHEMA", None)
        if schema:
            schemas.append(schema)
    return schemas, failures


def _catalog():
    """The catalog module, or None while it has no validator yet (written in parallel)."""
    try:
        from vos3000 import catalog
    except ImportError:
        return None
    return catalog if hasattr(catalog, "validate_request") else None


def _normalize_ip(text: str) -> str:
    try:
        address = ipaddress.ip_address(text.strip().split("%")[0])
    except ValueError:
        return text.strip()
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def _is_secret(key: str) -> bool:
    # By camelCase word, so "pin" and "customerPassword" match but "mappingGateway" does not.
    words = [word.lower() for word in _KEY_WORD.findall(key)]
    return any(word in _SECRET_WORDS or word.startswith("password") for word in words)


def redact(value: Any) -> Any:
    """A copy of a request body with passwords and PINs replaced, for the request log."""
    if isinstance(value, dict):
        return {
            key: "***"
            if _is_secret(key) and isinstance(v, (str, int, list)) and not isinstance(v, bool)
            else redact(v)
            for key, v in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


class Simulator:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._initial_settings = dataclasses.replace(settings)
        schemas, self.load_failures = load_handler_modules()
        self.store = Store(settings.data, schemas)
        self.clock = Clock()
        self.pusher = Pusher(settings, self.clock.now_ms)
        self.faults = FaultTable()
        self.catalog = _catalog()
        # Live state that VOS keeps in memory, not in its database.
        self.registrations: dict[str, dict] = {}
        self.live: dict[str, Any] = {}
        self.request_counts: collections.Counter[str] = collections.Counter()
        self.request_log: collections.deque[dict] = collections.deque(maxlen=_REQUEST_LOG_SIZE)
        self.stopping = threading.Event()
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._log_lock = threading.Lock()
        self._stop_background: list = []
        with self.transaction() as ctx:
            row = ctx.db.execute(
                "SELECT value FROM sim_meta WHERE key = 'clock_offset_ms'"
            ).fetchone()
        if row:
            self.clock.set_offset(int(row[0]))

    # -- transactions ------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self, write: bool = True) -> Iterator[Context]:
        """One SQLite transaction with a Context; pushes are queued only if it commits.

        ``ctx.extra["after_commit"]`` takes callables run after a commit (live state that
        must follow the database, e.g. a deleted phone's registration). Nested use on the
        same thread (a handler calling another handler, demo loading) becomes a SAVEPOINT
        of the outer transaction.
        """
        outer = getattr(self._local, "ctx", None)
        if outer is not None:
            yield from self._savepoint(outer)
            return
        lock = self._write_lock if write or self.store.single_connection else _NO_LOCK
        pushes: list[tuple[str, dict]] = []
        after_commit: list = []
        with lock:
            conn = self.store.acquire()
            ctx = Context(
                db=conn,
                now_ms=self.clock.now_ms,
                push=lambda name, payload: pushes.append((name, payload)),
                settings=self.settings,
                sim=self,
                extra={"pushes": pushes, "after_commit": after_commit, "savepoints": 0},
            )
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            self._local.ctx = ctx
            try:
                yield ctx
            except BaseException:
                if conn.in_transaction:  # SQLite may already have rolled back (e.g. disk full)
                    conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
            finally:
                self._local.ctx = None
                self.store.release(conn)
        for run in after_commit:
            run()
        for name, payload in pushes:
            self._queue_push(name, payload)

    def _savepoint(self, ctx: Context) -> Iterator[Context]:
        ctx.extra["savepoints"] += 1
        name = f"sp{ctx.extra['savepoints']}"
        pushes, after_commit = ctx.extra["pushes"], ctx.extra["after_commit"]
        marks = len(pushes), len(after_commit)
        ctx.db.execute(f"SAVEPOINT {name}")
        try:
            yield ctx
        except BaseException:
            ctx.db.execute(f"ROLLBACK TO {name}")
            ctx.db.execute(f"RELEASE {name}")
            del pushes[marks[0] :], after_commit[marks[1] :]
            raise
        else:
            ctx.db.execute(f"RELEASE {name}")

    def _queue_push(self, name: str, payload: dict) -> None:
        if self.catalog is not None and hasattr(self.catalog, "validate_push"):
            try:
                self.catalog.validate_push(name, payload)
            except Exception as exc:  # a push the catalog rejects is a simulator bug: say so
                log.error("push %s does not match the catalog: %s", name, exc)
        self.pusher.send(name, payload)

    # -- endpoints ---------------------------------------------------------------------

    def endpoint_kind(self, name: str) -> str:
        if self.catalog is not None:
            try:
                return self.catalog.endpoint(name).kind
            except (KeyError, AttributeError):
                pass
        return "read" if name.startswith("Get") else "write"

    def error_answer(self, name: str, code: int, message: str | None = None) -> dict:
        answer = {"retCode": code, "exception": message or codes.MESSAGES.get(code, "")}
        if self.catalog is not None:
            try:
                list_field = self.catalog.endpoint(name).list_field
            except (KeyError, AttributeError):
                list_field = None
            if list_field:
                answer[list_field] = []
        return answer

    def validate(self, name: str, payload: dict, *, strict: bool | None = None) -> dict:
        """The request the handler gets: checked to the letter of the manual with
        ``settings.strict`` (or ``strict=True``), else loosened as a real server reads it
        (``lenient.py``); the unknown fields a lenient check ignored are kept for the
        request log."""
        self._local.ignored = []
        if self.catalog is None:
            return payload
        from vos3000.errors import VosValidationError

        try:
            if self.settings.strict if strict is None else strict:
                self.catalog.validate_request(name, payload)
                return payload
            payload, self._local.ignored = lenient.check(self.catalog, name, payload)
            return payload
        except VosValidationError as exc:
            code = codes.MISS_PARAMETERS if exc.problem == "missing" else codes.INPUT_ERROR
            raise SimError(code) from exc
        except KeyError:
            return payload  # the catalog does not know this endpoint: nothing to check against

    def call(self, name: str, payload: dict) -> dict:
        """Answer one endpoint call (validation, handler, transaction) as VOS would,
        shaped as the ``answers`` setting says (answers.py).

        Unexpected exceptions propagate (the HTTP layer turns them into a 500).
        """
        return answers.shape(self.settings.answers, name, self._answer(name, payload))

    def _answer(self, name: str, payload: dict) -> dict:
        fn = registry.HANDLERS.get(name)
        if fn is None:
            return self.error_answer(name, codes.UNKNOWN_ENDPOINT)
        try:
            payload = self.validate(name, payload)
            with self.transaction(write=self.endpoint_kind(name) != "read") as ctx:
                result = fn(ctx, payload) or {}
        except SimError as exc:
            return self.error_answer(name, exc.code, exc.message)
        return {"retCode": 0, **result}

    def answer_raw(self, name: str, raw: bytes) -> dict:
        try:
            text = raw.decode("utf-8-sig").strip()
            payload = json.loads(text) if text else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            return self.error_answer(name, codes.INPUT_ERROR)
        if not isinstance(payload, dict):
            return self.error_answer(name, codes.INPUT_ERROR)
        return self.call(name, payload)

    def record_request(self, name: str, raw: bytes, status: int, answer: dict | None, fault):
        try:
            body: Any = redact(json.loads(raw.decode("utf-8-sig") or "{}"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = raw[:200].decode("utf-8", "replace")
        entry = {
            "at": self.clock.now_ms(),
            "endpoint": name,
            "body": body,
            "status": status,
            "retCode": None if answer is None else answer.get("retCode"),
            "exception": None if answer is None else answer.get("exception"),
            "fault": None if fault is None else fault.mode,
            # Unknown fields a lenient check ignored (logged too); [] in strict mode.
            "ignored": list(getattr(self._local, "ignored", None) or []),
        }
        self._local.ignored = []
        with self._log_lock:
            self.request_log.append(entry)

    def count_request(self, name: str) -> None:
        with self._log_lock:
            self.request_counts[name] += 1

    # -- whitelist, lifecycle ----------------------------------------------------------

    def allows(self, address: str) -> bool:
        allowed = {_normalize_ip(ip) for ip in str(self.settings.allow).split("|") if ip.strip()}
        return "*" in allowed or _normalize_ip(address) in allowed

    def reset(self, demo: bool = False) -> None:
        """Empty state: tables, clock, faults, counters, pushes, registrations, settings."""
        for field in Settings.RUNTIME:
            setattr(self.settings, field, getattr(self._initial_settings, field))
        self.faults.clear()
        self.pusher.clear()
        self.registrations.clear()
        self.live.clear()
        with self._log_lock:
            self.request_counts.clear()
            self.request_log.clear()
        with self.transaction() as ctx:
            self.store.clear(ctx.db)
            self.clock.set_offset(0)
            for hook in registry.RESET_HOOKS:
                hook(self)
            if demo:
                # Building the demo prices thousands of calls (seconds); the same day's
                # demo is the same data, so later resets copy the first one's rows back.
                day = self.clock.now_ms() // 86_400_000
                cached = getattr(self, "_demo_snapshot", None)
                if cached is not None and cached[0] == day:
                    self.store.restore(ctx.db, cached[1])
                    from vos3000.simulator.demo import register_demo_phones

                    register_demo_phones(self)
                else:
                    self.load_demo()
                    self._demo_snapshot = (day, self.store.snapshot(ctx.db))

    def load_demo(self) -> None:
        try:
            from vos3000.simulator import demo
        except ImportError as exc:
            raise RuntimeError("demo data is not available (vos3000.simulator.demo)") from exc
        demo.load_demo(self)

    def advance(self, seconds: float) -> int:
        with self.transaction() as ctx:
            offset = self.clock.advance(seconds)
            ctx.db.execute(
                "INSERT INTO sim_meta (key, value) VALUES ('clock_offset_ms', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(offset),),
            )
        for hook in registry.ADVANCE_HOOKS:
            hook(self)
        return offset

    def start_background(self) -> None:
        for start in registry.BACKGROUND:
            stop = start(self)
            if callable(stop):
                self._stop_background.append(stop)

    def close(self) -> None:
        self.stopping.set()
        for stop in self._stop_background:
            stop()
        self.pusher.stop()
        self.store.close()


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "VOS3000-Simulator"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle plus the
    # client's delayed ACK would add 40 ms to every answer on a kept-alive connection.
    disable_nagle_algorithm = True
    # An idle kept-alive connection releases its thread after this many seconds.
    timeout = 120
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._read_body()
        self._send(405, b"POST only\n", "text/plain")

    def do_POST(self) -> None:
        sim = self.server.sim
        raw = self._read_body()
        if not sim.allows(self.client_address[0]):
            log.warning("refused caller %s (not on the allow list)", self.client_address[0])
            self._send(403, b"Forbidden\n", "text/plain")
            return
        path = urlsplit(self.path).path
        if match := _CONTROL_PATH.fullmatch(path):
            self._control(match.group(1), raw)
        elif match := _ENDPOINT_PATH.fullmatch(path):
            self._endpoint(match.group(1), raw)
        else:
            self._send(404, b"Not found\n", "text/plain")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, answer: dict) -> None:
        body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        # What the manual says VOS uses for both directions.
        self._send(status, body, "text/html;charset=UTF-8")

    def _drop_connection(self, hard: bool) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            if hard:  # linger 0: close() sends RST instead of FIN
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()

    def _endpoint(self, name: str, raw: bytes) -> None:
        sim = self.server.sim
        sim.count_request(name)
        fault = sim.faults.take(name)
        mode = fault.mode if fault else None
        if mode == "latency":
            sim.stopping.wait(fault.ms / 1000)
        elif mode in ("http500", "garbage", "reset", "timeout_before"):
            status = {"http500": 500, "garbage": 200}.get(mode, 0)  # 0: no answer at all
            sim.record_request(name, raw, status, None, fault)
            if mode == "http500":
                self._send(500, b"Internal Server Error (injected)\n", "text/html")
            elif mode == "garbage":
                self._send(200, b"<html><body>Service Temporarily Unavailable", "text/html")
            elif mode == "reset":
                self._drop_connection(hard=True)
            else:
                sim.stopping.wait(fault.seconds)
                self._drop_connection(hard=False)
            return
        try:
            answer = sim.answer_raw(name, raw)
        except Exception:
            log.exception("handler %s failed", name)
            sim.record_request(name, raw, 500, None, fault)
            self._send(500, b"Internal Server Error\n", "text/plain")
            return
        sim.record_request(name, raw, 200, answer, fault)
        if mode == "timeout_after":
            sim.stopping.wait(fault.seconds)
            self._drop_connection(hard=False)
            return
        self._send_json(200, answer)

    def _control(self, action: str, raw: bytes) -> None:
        fn = registry.CONTROLS.get(action)
        if fn is None:
            self._send_json(404, {"error": f"unknown control action {action!r}"})
            return
        try:
            params = json.loads(raw.decode("utf-8") or "{}")
            if not isinstance(params, dict):
                raise ValueError("control parameters must be a JSON object")
            result = fn(self.server.sim, params)
        except SimError as exc:
            self._send_json(400, {"error": exc.message, "retCode": exc.code})
        except (ValueError, KeyError, TypeError, RuntimeError) as exc:
            self._send_json(400, {"error": f"{type(exc).__name__}: {exc}"})
        except Exception as exc:
            log.exception("control action %s failed", action)
            self._send_json(500, {"error": f"{type(exc).__name__}: {exc}"})
        else:
            self._send_json(200, result if result is not None else {})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], sim: Simulator):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.sim = sim
        super().__init__(address, _RequestHandler)


class SimulatorHandle:
    """A simulator serving HTTP on a background thread."""

    def __init__(self, sim: Simulator, server: _Server):
        self.sim = sim
        self.server = server
        host, port = server.server_address[:2]
        self.host = host
        self.port = port
        shown = f"[{host}]" if ":" in host else host
        self.root_url = f"http://{shown}:{port}/"
        self.base_url = f"{self.root_url}external/server/"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            daemon=True,
            name=f"sim-http-{port}",
        )
        self._thread.start()

    def control(self, action: str, **params: Any) -> dict:
        import urllib.request

        request = urllib.request.Request(  # noqa: S310 (http URL we built)
            f"{self.root_url}_sim/{action}",
            data=json.dumps(params).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (http URL we built)
            return json.loads(response.read().decode("utf-8"))

    def stop(self) -> None:
        self.sim.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
        self.sim.close()

    def __enter__(self) -> SimulatorHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_simulator(**settings: Any) -> SimulatorHandle:
    """Start a simulator on a background thread (port 0 = a free port) and return it.

    Keyword arguments are ``Settings`` fields. With ``demo=True`` demo data is loaded
    if the store is empty; background workers (traffic) start last.
    """
    config = Settings(**settings)
    sim = Simulator(config)
    if config.demo:
        with sim.transaction() as ctx:
            empty = sim.store.is_empty(ctx.db)
        if empty:
            with sim.transaction():
                sim.load_demo()
        else:
            # Registrations are live state, not kept in the store: a restarted demo's
            # phones register again, as real phones would.
            from vos3000.simulator.demo import register_demo_phones

            register_demo_phones(sim)
    server = _Server((config.host, config.port), sim)
    handle = SimulatorHandle(sim, server)
    sim.start_background()
    log.info("VOS3000 simulator serving %s", handle.base_url)
    return handle
