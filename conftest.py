"""Suite-wide fixtures: real backends or a clear skip, a real browser, a real worker.

Outside CI a test that needs PostgreSQL, Redis or Chromium skips and says why; under
CI=true a missing backend is a failure, so a green CI means those tests really ran.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
_ran_backends: set[str] = set()
# Records which VOS endpoints pages and tasks reach (checked by the last test of the run).
pytest_plugins = ["vosportal.tests.endpoint_coverage"]


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if CI:
        pytest.fail(f"{reason} -- required under CI=true", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _backend_requirements(request):
    node = request.node
    if node.get_closest_marker("postgres"):
        from django.db import connection

        require(
            connection.vendor == "postgresql",
            "needs PostgreSQL: set DATABASE_URL=postgres://...",
        )
        _ran_backends.add("postgresql")
    if node.get_closest_marker("redis"):
        require(bool(os.environ.get("REDIS_URL")), "needs Redis: set REDIS_URL=redis://...")
        _ran_backends.add("redis")
    if node.get_closest_marker("browser"):
        require(os.path.exists(CHROMIUM), f"needs Chromium at {CHROMIUM}")
        _ran_backends.add("chromium")
    if node.get_closest_marker("worker"):
        _ran_backends.add("celery-worker")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached VOS answers must not leak from one test to the next."""
    from django.conf import settings

    if settings.configured:  # the pure vos3000 tests may run without Django (-p no:django)
        from django.core.cache import cache

        from switch import servers

        cache.clear()
        # This process's copy of the servers (switch.servers) goes with the cache: ids of
        # one test's servers come again in the next one's (SQLite reuses them).
        servers.forget_servers_here()
    yield


def pytest_sessionfinish(session, exitstatus):
    """Remove this run's own var/ directory (see VAR_DIR in settings)."""
    from django.conf import settings

    if settings.configured and Path(settings.VAR_DIR).name.startswith("run-"):
        shutil.rmtree(settings.VAR_DIR, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    from django.conf import settings

    if not settings.configured:
        return
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.CELERY_BROKER_URL.split(":", 1)[0]
    terminalreporter.write_line(
        f"backends: database={db} broker={broker} "
        f"exercised={','.join(sorted(_ran_backends)) or 'none'}"
    )


# --- Test clock -------------------------------------------------------------------------
# `--clock=23:59` (today, UTC), `--clock=2027-01-01T00:01:00Z`, or TEST_CLOCK=...: the
# whole run travels to that moment with time-machine, ticking, before Django's database
# and the in-process simulator start. What lives in this process follows it: the portal,
# the live server's thread, the simulator's thread (its Clock reads time.time_ns). What
# does not is carried over by hand: the Celery worker subprocess gets the travelled "now"
# (see `celery_worker_process`) and Chromium's JS clock is set per browser context (see
# `page`). PostgreSQL's now() cannot be travelled; the portal never asks for it (times
# come from Python: auto_now, timezone.now()).
_travel = None
_clock_key = pytest.StashKey()


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get("TEST_CLOCK", ""),
        help="run the suite as if it were this UTC moment: HH:MM[:SS] (today) or an ISO "
        "date-time such as 2027-01-01T00:01:00Z (default: $TEST_CLOCK, else the real time)",
    )


def parse_clock(value: str):
    """``HH:MM[:SS]`` is that time today (UTC); anything else is an ISO date-time, UTC
    unless it names its own offset."""
    from datetime import UTC, datetime, time

    value = value.strip()
    if len(value) <= 8 and ":" in value and "T" not in value:
        moment = datetime.combine(datetime.now(UTC).date(), time.fromisoformat(value))
    else:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    global _travel
    value = config.getoption("--clock")
    if not value or _travel is not None:
        return
    try:
        moment = parse_clock(value)
    except ValueError as exc:
        raise pytest.UsageError(f"--clock={value!r}: {exc}") from exc
    import time_machine

    _travel = time_machine.travel(moment, tick=True)
    _travel.start()
    config.stash[_clock_key] = moment


def pytest_unconfigure(config):
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None


def pytest_report_header(config):
    moment = config.stash.get(_clock_key, None)
    if moment is not None:
        return f"clock: travelled to {moment.isoformat()} (ticking)"
    return None


def clock_is_travelled() -> bool:
    return _travel is not None


@pytest.fixture
def frozen_clock():
    """The clock stopped at this moment for one test (inside ``--clock`` too), for a test
    that reads "today" twice and must not see midnight pass in between. Move it with
    ``frozen_clock.shift(seconds)`` or ``frozen_clock.move_to(moment)``."""
    import time_machine

    with time_machine.travel(time.time(), tick=False) as traveller:
        yield traveller


# --- Browser ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    require(os.path.exists(CHROMIUM), f"needs Chromium at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes around it are still plain synchronous calls.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    if clock_is_travelled():
        # Chromium keeps the real time; its Date follows the travelled clock (timers run).
        context.clock.set_system_time(time.time())
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


# --- VOS simulator ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def portal_sim():
    """One simulator over real HTTP for the portal's tests; reset by ``vos_server``.

    Strict: it checks every request to the letter of the manual, so the portal always
    sends the manual's shapes (a real server is more forgiving; vos3000/tests/compat)."""
    from vos3000.simulator.app import start_simulator

    handle = start_simulator(host="127.0.0.1", port=0, allow="127.0.0.1|::1", strict=True)
    yield handle
    handle.stop()


def _fresh_vos_server(portal_sim, *, demo: bool):
    """Reset the simulator (empty, or with its demo platform) and point a VosServer row
    at it."""
    from switch import vos
    from switch.models import VosServer

    portal_sim.control("reset", demo=demo)
    vos.forget_clients()
    return VosServer.objects.create(
        name="main", base_url=portal_sim.base_url, connect_timeout=1, read_timeout=10
    )


@pytest.fixture
def vos_server(db, portal_sim):
    """A VosServer row pointing at the (emptied) simulator."""
    from switch import vos

    yield _fresh_vos_server(portal_sim, demo=False)
    vos.forget_clients()


@pytest.fixture
def demo_vos_server(db, portal_sim):
    """Like ``vos_server``, with the simulator's demo platform loaded."""
    from switch import vos

    yield _fresh_vos_server(portal_sim, demo=True)
    vos.forget_clients()


# --- sparse answers (issue 17): the demo platform as a real server answers it ------------
@pytest.fixture
def sparse_vos_server(db, portal_sim):
    """Like ``demo_vos_server``, with the simulator answering as real servers do: empty
    optional fields left out, every number (and retCode) as a JSON string."""
    from switch import vos

    server = _fresh_vos_server(portal_sim, demo=True)
    portal_sim.control("settings", answers="sparse")
    yield server
    portal_sim.control("settings", answers="full")
    vos.forget_clients()


# --- Celery worker ----------------------------------------------------------------------
@pytest.fixture
def celery_worker_process(transactional_db):
    """A real `celery worker` process on the configured broker and the test database."""
    from django.conf import settings
    from django.db import connection

    env = dict(os.environ)
    env["TESTING"] = "1"
    env["VAR_DIR"] = str(settings.VAR_DIR)
    env["DATABASE_URL"] = _database_url_of(connection.settings_dict)
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    command = [celery]
    if clock_is_travelled():
        # The worker starts at this process's travelled "now" and ticks from there.
        env["TEST_CLOCK"] = f"{time.time():.6f}"
        command = [sys.executable, "-c", _WORKER_ON_TEST_CLOCK]
    proc = subprocess.Popen(
        [
            *command,
            "-A",
            "vosportal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        from web.tasks import record_heartbeat

        deadline = time.monotonic() + 60
        while True:
            try:
                record_heartbeat.delay().get(timeout=5)
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    output = proc.stdout.read() if proc.poll() is not None else ""
                    pytest.fail(f"the Celery worker did not start:\n{output}")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


_WORKER_ON_TEST_CLOCK = """
import os, sys, time_machine
time_machine.travel(float(os.environ["TEST_CLOCK"]), tick=True).start()
sys.argv[0] = "celery"
from celery.__main__ import main
sys.exit(main())
"""


def _database_url_of(settings_dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture
def eager_tasks():
    """Celery tasks run in the thread that queues them (the live server's, for pushes)."""
    from vosportal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
