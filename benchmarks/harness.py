"""The production shape for benchmarks: PostgreSQL, Redis, gunicorn, real HTTP.

``Stack`` is what a benchmark measures against:

- PostgreSQL at ``BENCH_DATABASE_URL`` (default
  ``postgres://postgres@127.0.0.1:5432/vosportal_bench_web``) and Redis at
  ``BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/11``; that Redis database is
  emptied at the start of every run). Either missing is an error (exit code 2), never a
  fallback to SQLite or the filesystem broker;
- the bench database is created and migrated here, then seeded once (10,000 customers
  under a reseller and its sub-resellers; phones; users) and reused by later runs with
  the same seed (a ``bench_seed`` marker row; another seed rebuilds it). A database
  with tables but no marker is someone else's: refused (exit 2), never dropped;
- the VOS simulator over HTTP (in this process, on a thread), every VOS call slowed by
  ``latency_ms`` (20 ms by default: the simulator's latency fault on every endpoint);
- gunicorn started exactly as the Dockerfile's CMD does (``dockerfile_gunicorn_command``:
  its worker class and threads; DEBUG off, collected static files served by
  whitenoise, access log on), ``workers`` of them (2 by default: a 2-core machine);
- the load comes from ANOTHER process (benchmarks.load, started with "spawn"): one thread
  and one ``requests.Session`` per virtual user, signed in with a session cookie made
  here for a real user (the roles that need a second factor have a TOTP authenticator,
  as the tests' users do).

The harness process itself runs Django on the same settings (to migrate, seed and make
sessions) and reads the gunicorn workers' CPU time from /proc.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from benchmarks.common import DATA, ROOT

# Not "vosportal_bench": benchmarks.cdr_data keeps its 10M-row CDR set under that name.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/vosportal_bench_web"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"
SECRET_KEY = "bench-only-secret-key-not-for-production-8d1f3c7a2b9e4f6d0a5c"
PUSH_TOKEN = "bench-push-token-0001"
SERVER_NAME = "bench"
SUB_RESELLERS = 9
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
RESELLER_EMAIL = "bench-reseller@example.test"
ADMIN_EMAIL = "bench-admin@example.test"
# Phones of two customers: one page of them, and many pages.
PHONES = {"bc000001": 20, "bc000002": 400}
GATEWAYS = 60
# Succeeded top-ups by the reseller for the ledger (written as rows: no VOS call).
TRANSFERS = 5_000


class Refused(Exception):
    """PostgreSQL or Redis is not there: the benchmark must not run."""


def service_urls() -> tuple[str, str]:
    return (
        os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL,
        os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL,
    )


def _admin_url(database_url: str) -> tuple[str, str]:
    """The URL of the server's ``postgres`` database, and the bench database's name."""
    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or not name:
        raise Refused(
            "BENCH_DATABASE_URL must be a PostgreSQL URL with a database name,"
            f" not {database_url!r}"
        )
    return urllib.parse.urlunsplit(parts._replace(path="/postgres")), name


def check_services(database_url: str, redis_url: str) -> None:
    """Raise Refused, saying what is missing, unless both servers answer."""
    import psycopg
    import redis

    admin, _ = _admin_url(database_url)
    problems = []
    try:
        with psycopg.connect(admin, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        problems.append(
            f"PostgreSQL at {database_url} does not answer ({exc.__class__.__name__}: {exc})"
        )
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except (redis.RedisError, ValueError) as exc:
        problems.append(f"Redis at {redis_url} does not answer ({exc.__class__.__name__}: {exc})")
    if problems:
        raise Refused(
            "; ".join(problems) + ". The benchmarks measure the production shape and need both (set"
            " BENCH_DATABASE_URL / BENCH_REDIS_URL); there is no SQLite fallback."
        )


def require_services() -> tuple[str, str]:
    """The two URLs, or exit 2 with the reason on stderr."""
    database_url, redis_url = service_urls()
    try:
        check_services(database_url, redis_url)
    except Refused as exc:
        print(f"bench: refused: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    return database_url, redis_url


def environment(database_url: str, redis_url: str, var_dir: Path) -> dict[str, str]:
    """The settings of a production process (DEBUG off, not TESTING), on the bench's
    database, Redis and var/, over plain HTTP on 127.0.0.1."""
    return {
        "DJANGO_SETTINGS_MODULE": "vosportal.settings",
        "DEBUG": "0",
        "TESTING": "0",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "VAR_DIR": str(var_dir),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "STATIC_FROM_SOURCE": "0",
        "PYTHONUNBUFFERED": "1",
    }


# --- database and seed ------------------------------------------------------------------


def _seed_matches(database_url: str, seed: dict) -> bool:
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=3) as conn:
            row = conn.execute("SELECT value FROM bench_seed WHERE key = 'seed'").fetchone()
    except psycopg.Error:
        return False
    return row is not None and row[0] == seed


def _holds_something_else(database_url: str) -> bool:
    """Whether the database has tables but no bench seed: someone else's data."""
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=3) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()[0]
            seeded = conn.execute("SELECT to_regclass('bench_seed')").fetchone()[0]
    except psycopg.OperationalError:
        return False  # not there yet
    return bool(tables) and seeded is None


def ensure_database(database_url: str, *, fresh: bool) -> None:
    """Create the bench database (dropped first when ``fresh``). A database holding
    tables but no bench seed is never dropped: that is an error (Refused)."""
    import psycopg

    admin, name = _admin_url(database_url)
    if fresh and _holds_something_else(database_url):
        raise Refused(
            f"the database {name} holds data that is not a bench seed (another benchmark's?);"
            " it is not dropped: set BENCH_DATABASE_URL to a database of the harness's own"
        )
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    if not exists:
        # The marker table first: a run stopped while seeding leaves a database that is
        # still recognisably the harness's (and is rebuilt next time, not refused).
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(_SEED_TABLE)


_SEED_TABLE = "CREATE TABLE IF NOT EXISTS bench_seed (key text PRIMARY KEY, value jsonb NOT NULL)"


def _mark_seeded(seed: dict) -> None:
    import json

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_SEED_TABLE)
        cursor.execute(
            "INSERT INTO bench_seed VALUES ('seed', %s) ON CONFLICT (key) DO UPDATE"
            " SET value = EXCLUDED.value",
            [json.dumps(seed)],
        )


def simulator_accounts(customers: int) -> list[tuple[str, str]]:
    """(account, agent) of the reseller, its sub-resellers and ``customers`` customers
    spread below them, parents first."""
    made = [("bench-res", "")]
    made += [(f"bench-sub{n}", "bench-res") for n in range(SUB_RESELLERS)]
    agents = ["bench-res", *(account for account, _ in made[1:])]
    made += [(f"bc{n:06d}", agents[n % len(agents)]) for n in range(customers)]
    return made


def fill_simulator(handle, made: list[tuple[str, str]], rng: random.Random) -> None:
    """The accounts in VOS (the simulator's own row functions), the phones of PHONES and
    GATEWAYS routing gateways."""
    from vos3000.simulator.handlers.customers import create_customer_row
    from vos3000.simulator.handlers.phones import create_phone_row

    with handle.sim.transaction() as ctx:
        for account, agent in made:
            create_customer_row(
                ctx,
                {
                    "account": account,
                    "name": f"Customer {account}",
                    "agentAccount": agent or None,
                    "money": round(rng.uniform(0, 500), 2),
                    "limitMoney": rng.choice([0.0, 0.0, 50.0]),
                    "memo": rng.choice(["", "", "", "vip", "call centre", "hotel"]),
                    "type": rng.choice([0, 0, 0, 1, 2]),
                },
            )
        for owner, count in PHONES.items():
            for n in range(count):
                create_phone_row(ctx, {"e164": f"77{owner[-4:]}{n:05d}", "account": owner})
    for n in range(GATEWAYS):  # through the API: its checks fill in the defaults
        _post(handle.base_url + "CreateGatewayRouting", {"name": f"bench-gw{n:03d}"})


def _post(url: str, body: dict) -> dict:
    import requests

    answer = requests.post(url, json=body, timeout=30).json()
    if answer.get("retCode") != 0:
        raise RuntimeError(f"{url} answered {answer}")
    return answer


def fill_portal(server, made: list[tuple[str, str]]) -> None:
    """Tenants mirroring the VOS tree, written in bulk (paths computed here), the
    reseller's manager and a platform admin, both with a second factor."""
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.models import Tenant, User
    from accounts.roles import Role

    root = Tenant.platform_root()
    next_pk = (Tenant.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    by_account: dict[str, Tenant] = {}
    rows = []
    for account, agent in made:
        parent = by_account.get(agent, root)
        kind = Tenant.Kind.RESELLER if account.startswith("bench-") else Tenant.Kind.CUSTOMER
        tenant = Tenant(
            pk=next_pk,
            kind=kind,
            name=f"Customer {account}",
            parent=parent,
            server=server,
            vos_account=account,
            path=f"{parent.path}{next_pk}/",
        )
        tenant.depth = tenant.path.count("/") - 2
        next_pk += 1
        by_account[account] = tenant
        rows.append(tenant)
    Tenant.objects.bulk_create(rows, batch_size=2000)
    _reset_sequence(Tenant)
    reseller = User.objects.create_user(
        RESELLER_EMAIL, "bench", tenant=by_account["bench-res"], role=Role.RESELLER_MANAGER
    )
    admin = User.objects.create_user(ADMIN_EMAIL, "bench", tenant=root, role=Role.PLATFORM_ADMIN)
    for user in (reseller, admin):
        TOTP.activate(user, TOTP_SECRET)  # both roles require a second factor
    fill_ledger(server, by_account, reseller)


def fill_ledger(server, by_account: dict, reseller) -> None:
    """TRANSFERS succeeded top-ups from the reseller to its direct customers, spread over
    the last 90 days (rows only, as the ledger page reads them)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from accounts.models import Tenant
    from billing.models import MoneyTransfer

    funder = by_account["bench-res"]
    customers = [
        t
        for t in by_account.values()
        if t.parent_id == funder.pk and t.kind == Tenant.Kind.CUSTOMER
    ]
    rng = random.Random(11)
    now = timezone.now()
    rows = []
    for n in range(TRANSFERS):
        customer = customers[n % len(customers)]
        rows.append(
            MoneyTransfer(
                idempotency_key=f"bench-{n:08d}",
                kind=MoneyTransfer.Kind.TOPUP,
                state=MoneyTransfer.State.SUCCEEDED,
                server=server,
                customer=customer,
                funded_by=funder,
                amount=Decimal(rng.randint(100, 50_000)) / 100,
                memo=rng.choice(["", "", "monthly", "promo"]),
                requested_by=reseller,
                payer_tenant=funder,
                tenant_path=customer.path,
                settled_at=now,
            )
        )
    made = MoneyTransfer.objects.bulk_create(rows, batch_size=2000)
    # created_at is auto_now_add: spread it afterwards, newest last.
    for n, transfer in enumerate(made):
        transfer.created_at = now - timedelta(minutes=(TRANSFERS - n) * 25)
    MoneyTransfer.objects.bulk_update(made, ["created_at"], batch_size=2000)


def _vacuum_analyze(database_url: str) -> None:
    """Statistics and visibility maps for the rows just seeded, as autovacuum would have
    them on a live database: without them PostgreSQL plans the list pages on guesses
    and cannot use index-only scans (the customer list's page query took 11 ms instead
    of 1 ms on a freshly seeded database)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _reset_sequence(model) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


# --- processes --------------------------------------------------------------------------


def dockerfile_gunicorn_command(
    *, bind: str, workers: int, access_log: str, threads: int | None = None
) -> list[str]:
    """The Dockerfile's CMD (gunicorn, its worker class and threads) with the address,
    the worker count, the access log and optionally the threads replaced: the bench runs
    what the image runs, and follows it when the Dockerfile changes."""
    import json

    lines = (ROOT / "Dockerfile").read_text().splitlines()
    cmd = json.loads(next(line for line in lines if line.startswith("CMD "))[4:])
    if cmd[0] != "gunicorn":
        raise RuntimeError(f"the Dockerfile's CMD is not gunicorn: {cmd}")
    replaced = {"--bind": bind, "--workers": str(workers), "--access-logfile": access_log}
    if threads is not None:
        replaced["--threads"] = str(threads)
    out = list(cmd)
    for flag, value in replaced.items():
        if flag in out:
            out[out.index(flag) + 1] = value
        else:
            out += [flag, value]
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of one process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Stack:
    """The portal under gunicorn on PostgreSQL and Redis, the simulator, and a load
    driver in another process. Use as a context manager."""

    def __init__(
        self,
        *,
        customers: int = 10_000,
        workers: int = 2,
        latency_ms: int = 20,
        threads: int | None = None,
    ):
        self.customers = customers
        self.workers = workers
        self.threads = threads  # None: the Dockerfile's
        self.latency_ms = latency_ms
        self.var_dir = DATA / "run"
        self.gunicorn: subprocess.Popen | None = None
        self.sim = None
        self._driver: concurrent.futures.ProcessPoolExecutor | None = None

    # -- start and stop

    def __enter__(self) -> Stack:
        database_url, redis_url = require_services()
        self.database_url, self.redis_url = database_url, redis_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        seed = {"customers": self.customers, "phones": PHONES, "transfers": TRANSFERS, "version": 2}
        fresh = not _seed_matches(database_url, seed)
        try:
            ensure_database(database_url, fresh=fresh)
        except Refused as exc:
            print(f"bench: refused: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        import redis

        redis.Redis.from_url(redis_url).flushdb()  # the bench's own db: no stale tasks
        self.env = environment(database_url, redis_url, self.var_dir)
        os.environ.update(self.env)
        try:
            self._start(seed, fresh)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self, seed: dict, fresh: bool) -> None:
        import django
        from django.core.management import call_command

        started = time.perf_counter()
        django.setup()
        import logging

        for name in ("vos3000", "django.request", "accounts", "vosportal", "switch"):
            logging.getLogger(name).setLevel(logging.ERROR)
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)

        from switch.models import VosServer
        from vos3000.simulator.app import start_simulator

        self.sim = start_simulator(host="127.0.0.1", port=0, allow="127.0.0.1|::1", data=":memory:")
        made = simulator_accounts(self.customers)
        fill_simulator(self.sim, made, random.Random(5))
        server, _ = VosServer.objects.update_or_create(
            name=SERVER_NAME,
            defaults={
                "base_url": self.sim.base_url,
                "push_token": PUSH_TOKEN,
                "connect_timeout": 2,
                "read_timeout": 30,
            },
        )
        self.server = server
        if fresh:
            fill_portal(server, made)
            _mark_seeded(seed)
        _vacuum_analyze(self.database_url)  # every run: earlier runs' writes too
        from django.db import connections

        connections.close_all()
        self.setup_seconds = round(time.perf_counter() - started, 1)
        self.set_latency(self.latency_ms)
        self._start_gunicorn()
        self._driver = concurrent.futures.ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn")
        )

    def _start_gunicorn(self) -> None:
        port = _free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        log = self.var_dir / "gunicorn.log"
        # The Dockerfile's CMD, on a free local port, with this stack's worker count.
        self.gunicorn_command = dockerfile_gunicorn_command(
            bind=f"127.0.0.1:{port}",
            workers=self.workers,
            access_log=str(self.var_dir / "access.log"),
            threads=self.threads,
        )
        command = [sys.executable, "-m", *self.gunicorn_command]
        self.gunicorn_log = log.open("ab")
        self.gunicorn = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=self.gunicorn_log,
            stderr=subprocess.STDOUT,
        )
        import requests

        deadline = time.monotonic() + 60
        while True:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.gunicorn.returncode}; see {log}")
            try:
                requests.get(f"{self.base_url}/static/css/app.css", timeout=2)
                if len(self.worker_pids()) >= self.workers:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 60 s; see {log}")
            time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        if self._driver is not None:
            self._driver.shutdown(cancel_futures=True)
            self._driver = None
        if self.gunicorn is not None:
            self.gunicorn.terminate()
            try:
                self.gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.gunicorn.kill()
                self.gunicorn.wait()
            self.gunicorn_log.close()
            self.gunicorn = None
        if self.sim is not None:
            self.sim.stop()
            self.sim = None

    # -- what benchmarks use

    def worker_pids(self) -> list[int]:
        pid = self.gunicorn.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def worker_cpu_seconds(self) -> float:
        return sum(_cpu_seconds(pid) for pid in self.worker_pids())

    def set_latency(self, ms: int) -> None:
        self.sim.control("clear_faults")
        if ms:
            self.sim.control("fault", endpoint="*", mode="latency", ms=ms, count=10**9)

    def vos_requests(self) -> dict[str, int]:
        """The simulator's request counts by endpoint (its control API is not counted)."""
        return dict(self.sim.control("stats")["requests"])

    def url(self, path: str, **query) -> str:
        tail = f"?{urllib.parse.urlencode(query)}" if query else ""
        return f"{self.base_url}{path}{tail}"

    def vos_url(self, name: str) -> str:
        return f"{self.sim.base_url}{name}"

    def user(self, email: str):
        from accounts.models import User

        return User.objects.get(email=email)

    def cookies(self, email: str, sessions: int = 1) -> list[dict[str, str]]:
        """``sessions`` signed-in sessions of the user (one per virtual user), as
        cookies: made the way the tests sign in (Client.force_login)."""
        from django.conf import settings
        from django.test import Client

        user = self.user(email)
        out = []
        for _ in range(sessions):
            client = Client()
            client.force_login(user)
            out.append(
                {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
            )
        return out

    def warm(self, urls: list[str], cookies: list[dict], rounds: int = 6) -> None:
        """Every worker through every URL a few times (imports, templates, connections)
        before anything is measured: two users per worker, in parallel."""
        users = 2 * self.workers
        self.drive(
            {
                "items": get(urls),
                "users": users,
                "requests": rounds * max(1, len(urls) // users + 1),
                "warmup": 0,
                "cookies": cookies,
            }
        )

    def drive(self, spec: dict) -> dict:
        """Run benchmarks.load.drive(spec) in the driver process; raise on any error."""
        from benchmarks.load import drive

        result = self._driver.submit(drive, spec).result()
        if result["errors"]:
            raise RuntimeError(f"{result['errors']} request(s) failed: {result['error_samples']}")
        return result


# --- figures ----------------------------------------------------------------------------


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot, all cores (/proc/stat:
    everything but idle and iowait)."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def closed_loop_floor(stack: Stack, spec: dict) -> tuple[dict, dict]:
    """Drive ``spec`` (users with no think time) and say what the machine allowed.

    With every core busy, N users that send again as soon as answered wait on average
    N * (machine CPU per page) / cores, however the time is shared: that is the floor
    under the mean latency on this machine, whatever the portal's own share. The CPU is
    the whole machine's (gunicorn, PostgreSQL, Redis, the simulator and the load
    driver), measured over the run."""
    before = machine_busy_seconds()
    result = stack.drive(spec)
    busy = machine_busy_seconds() - before
    pages = len(result["latencies_ms"])
    cores = os.cpu_count() or 1
    cpu_ms = busy * 1000 / pages
    users = spec.get("users", 1)
    return result, {
        "machine_cpu_ms_per_page": round(cpu_ms, 2),
        "machine_busy_share": round(busy / (result["seconds"] * cores), 2),
        "mean_latency_floor_ms": round(users * cpu_ms / cores, 1),
    }


def under_load(stack: Stack, spec: dict, roundtrip_ms: float) -> dict:
    """``closed_loop_floor``'s run as figures: p50/p95 and their ratios to the round
    trip, pages/s, the machine's CPU per page and the floor, also as a ratio."""
    result, floor = closed_loop_floor(stack, spec)
    return {
        **latency(result, roundtrip_ms),
        **floor,
        "floor_ratio": round(floor["mean_latency_floor_ms"] / roundtrip_ms, 2),
    }


def latency(result: dict, baseline_ms: float | None = None) -> dict:
    """p50/p95 of a driver result, its rate, and both percentiles as ratios to a baseline."""
    ordered = sorted(result["latencies_ms"])
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    out = {
        "requests": len(ordered),
        "p50_ms": round(p50, 2),
        "p95_ms": round(p95, 2),
        "per_second": round(len(ordered) / result["seconds"], 1),
    }
    if baseline_ms:
        out["p50_ratio"] = round(p50 / baseline_ms, 2)
        out["p95_ratio"] = round(p95 / baseline_ms, 2)
    return out


def get(urls: list[str]) -> list[list]:
    return [["GET", url, None] for url in urls]
