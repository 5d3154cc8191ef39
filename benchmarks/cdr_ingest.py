"""CDR ingest: records per second from the simulator into the portal's CDR table, on
PostgreSQL (a throwaway database made from DATABASE_URL, or from the bench's
BENCH_DATABASE_URL when DATABASE_URL is not PostgreSQL, migrated at start, dropped at
the end). Without PostgreSQL it stops with exit status 2: SQLite is not
what production writes to, and its figures would mean nothing here.

A simulator store of --customers accounts and --cdrs CDRs over --days UTC days is
generated once (``vos3000.simulator.generate``, cached under var/bench/) and served over
HTTP by a simulator in its OWN process (as VOS is another machine: its JSON work does
not share this process's interpreter).

Measured in the same run, every figure also as a ratio to its baseline:

- ``fetch_baseline``: the plain fetch: the same days and account batches through the
  portal's client, one call at a time, nothing stored;
- ``fetch_concurrent_baseline``: the same with ``CDR_PULL_FETCHERS`` calls in flight,
  nothing stored: what the simulator itself can serve to the pull (its bound);
- ``pull``: ``billing.cdrs.pull.pull_server`` over those days (pace 0: the pacing is a
  deliberate brake, not a cost), fetching and storing overlapped, against the plain
  fetch (goal >= 0.9x) and against the concurrent fetch;
- ``store_in_pull``: the time spent in ``cdr_store.store`` during that pull (shares
  the interpreter with the fetchers' JSON parsing);
- ``raw_copy_into_empty_table``: a raw ``COPY`` of one day's rows into the REAL
  partitioned table ``billing_cdr`` before anything is stored (values prepared outside
  the timing, written with psycopg's ``write_row``; one COPY, rolled back after);
- ``raw_copy_baseline``: the same COPY after the pull, into the table as ``store``
  then finds it (every index holding the pulled rows), under a server of its own,
  rolled back: the baseline of ``store``. It commits nothing and is one statement,
  where ``store`` makes one transaction per batch (a look-up, a COPY, a commit);
- ``store``: ``cdr_store.store`` alone on those same records, batch by batch as the
  pull sends them, under another server (new keys: every row is written), records/s
  (goal >= 20,000/s) and as a ratio to the raw COPY. The raw COPY and the store are
  measured in turns, ``ROUNDS`` times (each turn under new servers), and the medians
  compared; every turn's seconds are in ``rounds_seconds``;
- ``cpu_us_per_record`` (fetch, pull, raw COPY, store): the CPU each step costs per
  record in this process (every thread), the simulator's process and this
  connection's PostgreSQL backend, from /proc: on a shared 2-core machine the pull's
  wall time is bounded by the CPU the three need together, which the wall times alone
  do not show;
- ``repull_idempotent``: the last two days pulled again (all records already there:
  the idempotent path the relook takes every run), against the plain fetch.

    python -m benchmarks cdr_ingest [-- --customers 2000 --cdrs 200000 --days 4]
    python -m benchmarks cdr_ingest -- --quick        # 40,000 CDRs over 2 days
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from benchmarks.common import ROOT, goal, write_result
from benchmarks.sim_getcdr import ensure_dataset

NAME = "cdr_ingest"

# Turns of (raw COPY, store) whose medians are compared.
ROUNDS = 3

GOALS = {"store_records_per_s": 20_000, "pull_ratio_to_fetch_baseline": 0.9}


class NeedsPostgres(SystemExit):
    def __init__(self):
        print(
            "cdr_ingest: needs PostgreSQL: set DATABASE_URL=postgres://... (the figures are"
            " those of the production database; there is no SQLite fallback)",
            file=sys.stderr,
            flush=True,
        )
        super().__init__(2)


def _setup_django(directory: str) -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise NeedsPostgres
    os.environ["DJANGO_SETTINGS_MODULE"] = "vosportal.settings"
    os.environ["TESTING"] = "1"  # the dev secret key; a pid-named test database
    os.environ["VAR_DIR"] = directory
    import django

    django.setup()
    for name in ("vos3000", "billing", "accounts", "vosportal", "django"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from django.db import connection

    if connection.vendor != "postgresql":
        raise NeedsPostgres
    # A throwaway database (test_<name>_<pid>), migrated, dropped at the end.
    connection.creation.create_test_db(verbosity=0, autoclobber=True)


def _teardown_django(old_name: str | None) -> None:
    from django.db import connection

    connection.creation.destroy_test_db(old_name, verbosity=0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Simulator:
    """The simulator in a process of its own, serving ``data``."""

    def __init__(self, data: str):
        port = _free_port()
        self.base_url = f"http://127.0.0.1:{port}/external/server/"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "vos3000.simulator",
                "--port",
                str(port),
                "--data",
                data,
                "--cdr-max-days",
                "31",
                "--log-level",
                "WARNING",
            ],
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("the simulator did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class _CpuClock:
    """CPU seconds used so far by this process (every thread), the simulator's process
    and this connection's PostgreSQL backend, read from /proc (Linux, PostgreSQL on
    this host; a figure it cannot read is None). On a shared machine wall time depends
    on what else runs; the CPU a step costs per record does much less."""

    def __init__(self, simulator):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        self.pids = {"portal": os.getpid(), "simulator": simulator.process.pid, "postgres": backend}
        self.tick = os.sysconf("SC_CLK_TCK")

    def _seconds(self, pid: int) -> float | None:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime

    def read(self) -> dict:
        return {name: self._seconds(pid) for name, pid in self.pids.items()}

    @staticmethod
    def used(before: dict, after: dict, into: dict | None = None) -> dict:
        """CPU seconds by process between two readings (added to ``into``)."""
        into = into if into is not None else dict.fromkeys(before, 0.0)
        for name in before:
            if before[name] is None or after[name] is None or into[name] is None:
                into[name] = None
            else:
                into[name] += after[name] - before[name]
        return into

    @staticmethod
    def per_record(used: dict, records: int) -> dict:
        """Microseconds of CPU per record, by process."""
        return {
            name: None if seconds is None else round(seconds * 1e6 / records, 1)
            for name, seconds in used.items()
        }


def _rate(rows: int, seconds: float) -> dict:
    return {
        "records": rows,
        "seconds": round(seconds, 3),
        "records_per_s": round(rows / seconds) if seconds else None,
    }


def _raw_copy(server, infos: list[dict], cpu=None, cpu_used=None) -> float:
    """Seconds to ``COPY`` these records, as rows prepared beforehand, into the real
    partitioned ``billing_cdr`` (its partitions and every index), rolled back after
    (the CPU of the COPY added to ``cpu_used`` when given a ``cpu`` clock)."""
    from django.db import connection, transaction

    from billing.cdrs import store as cdr_store

    rows = cdr_store._rows(server, infos)
    cdr_store.ensure_partitions(row[cdr_store._START] for row in rows)
    columns = ", ".join(cdr_store._column(name) for name in cdr_store._COPY_FIELDS)
    with transaction.atomic(), connection.cursor() as cursor:
        cpu_before = cpu.read() if cpu else None
        started = time.perf_counter()
        with cursor.copy(f"COPY billing_cdr ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        seconds = time.perf_counter() - started
        if cpu:
            cpu.used(cpu_before, cpu.read(), cpu_used)
        transaction.set_rollback(True)
    return seconds


def goals(store: dict, raw: dict, pull: dict, fetch: dict, fetch_concurrent: dict) -> list:
    """README's table rows (benchmarks.common.goal), from the figures of one run."""
    return [
        goal(
            "CDR store (the portal's write step)",
            baseline=f"raw COPY into billing_cdr {raw['records_per_s']:,}/s",
            now=f"{store['records_per_s']:,} records/s",
            ratio=store["ratio_to_raw_copy_baseline"],
            goal=f"≥ {GOALS['store_records_per_s']:,}/s",
            met=store["records_per_s"] >= GOALS["store_records_per_s"],
        ),
        goal(
            "CDR pull, fetching overlapped with storing",
            baseline=(
                f"plain fetch {fetch['records_per_s']:,}/s (the simulator's bound at the"
                f" pull's concurrency: {fetch_concurrent['records_per_s']:,}/s)"
            ),
            now=f"{pull['records_per_s']:,} records/s",
            ratio=pull["ratio_to_fetch_baseline"],
            goal=f"≥ {GOALS['pull_ratio_to_fetch_baseline']:g}× the plain fetch",
            met=pull["ratio_to_fetch_baseline"] >= GOALS["pull_ratio_to_fetch_baseline"],
        ),
    ]


def run(customers: int, cdrs: int, days: int, batch: int, fetchers: int) -> dict:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        # As the other benchmarks: the bench's PostgreSQL (BENCH_DATABASE_URL), which
        # `python -m benchmarks` has checked answers; the throwaway database is made there.
        from benchmarks.harness import service_urls

        os.environ["DATABASE_URL"] = service_urls()[0]
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise NeedsPostgres
    path = ensure_dataset(customers, cdrs, days)
    with tempfile.TemporaryDirectory(prefix="bench-cdr-ingest-") as directory:
        _setup_django(directory)
        from django.conf import settings
        from django.db import connection

        old_name = settings.DATABASES["default"].get("NAME")
        simulator = _Simulator(path)
        try:
            return _measure(simulator, customers, cdrs, days, batch, fetchers)
        finally:
            simulator.stop()
            connection.close()
            _teardown_django(old_name)


def _fetch_all(client, pulled_days, batches, fetchers: int, keep_day) -> tuple[int, float, list]:
    """The plain fetch of every (day, batch), ``fetchers`` calls at a time: records,
    seconds, and the answers of ``keep_day`` (a list per batch)."""
    from vos3000.client import format_day

    def one(task):
        day, names = task
        answer = client.call(
            "GetCdr", {"accounts": names, "beginTime": format_day(day), "endTime": format_day(day)}
        )
        return day, answer.get("infoCdrs") or []

    tasks = [(day, names) for day in pulled_days for names in batches]
    fetched, kept = 0, []
    started = time.perf_counter()
    if fetchers == 1:
        answers = map(one, tasks)
        for day, infos in answers:
            fetched += len(infos)
            if day == keep_day:
                kept.append(infos)
    else:
        with ThreadPoolExecutor(fetchers) as pool:
            for day, infos in pool.map(one, tasks):
                fetched += len(infos)
                if day == keep_day:
                    kept.append(infos)
    return fetched, time.perf_counter() - started, kept


def _measure(simulator, customers, cdrs, days, batch, fetchers) -> dict:
    from django.conf import settings

    from billing.cdrs import pull as cdr_pull
    from billing.cdrs import store as cdr_store
    from billing.models import Cdr, CdrPullDay
    from switch.models import VosServer
    from switch.vos import client_for

    settings.CDR_PULL_PACE_SECONDS = 0
    settings.CDR_PULL_BACKFILL_DAYS = days
    settings.CDR_PULL_RELOOK_DAYS = 0
    settings.CDR_PULL_MAX_DAYS = 1
    settings.CDR_PULL_ACCOUNT_BATCH = batch
    settings.CDR_PULL_FETCHERS = fetchers
    settings.CDR_RETENTION_MONTHS = 0
    server = VosServer.objects.create(
        name="bench", base_url=simulator.base_url, connect_timeout=2, read_timeout=120
    )
    client = client_for(server)
    now = datetime.now(UTC)
    today = now.date()
    pulled_days = [today - timedelta(days=n) for n in range(days, -1, -1)]
    accounts = sorted(client.call("GetAllCustomers", {})["accounts"])
    batches = [accounts[n : n + batch] for n in range(0, len(accounts), batch)]
    middle = pulled_days[len(pulled_days) // 2]

    # Baselines: the plain fetch (one call at a time), then with the pull's concurrency.
    cpu = _CpuClock(simulator)
    cpu_before = cpu.read()
    fetched, seconds, one_day = _fetch_all(client, pulled_days, batches, 1, middle)
    fetch = _rate(fetched, seconds)
    fetch["cpu_us_per_record"] = cpu.per_record(cpu.used(cpu_before, cpu.read()), fetched)
    fetched_again, seconds, _kept = _fetch_all(client, pulled_days, batches, fetchers, None)
    assert fetched_again == fetched
    fetch_concurrent = _rate(fetched, seconds)

    # The database's own write speed into the empty table: COPY of the middle day into
    # billing_cdr (under a server of its own: its keys are not the pull's).
    one_day_records = [info for infos in one_day for info in infos]
    empty = VosServer.objects.create(name="bench-raw-empty", base_url=simulator.base_url)
    raw_empty = _rate(len(one_day_records), _raw_copy(empty, one_day_records))
    assert Cdr.objects.count() == 0, "the raw COPY was not rolled back"

    # The pull, with the time inside store() measured apart.
    real_store, in_store = cdr_store.store, [0.0]

    def timed_store(server, infos):
        begun = time.perf_counter()
        try:
            return real_store(server, infos)
        finally:
            in_store[0] += time.perf_counter() - begun

    cdr_store.store = timed_store
    try:
        cpu_before = cpu.read()
        started = time.perf_counter()
        job = cdr_pull.pull_server(server, now=now)
        pull_seconds = time.perf_counter() - started
        pull_cpu = cpu.per_record(cpu.used(cpu_before, cpu.read()), job.fetched)
        store_seconds = in_store[0]

        # The last two days owed again (as a relook re-pulls them): all already stored.
        CdrPullDay.objects.filter(day__gte=today - timedelta(days=2)).delete()
        started = time.perf_counter()
        again = cdr_pull.pull_server(server, now=now)
        repull_seconds = time.perf_counter() - started
    finally:
        cdr_store.store = real_store
    assert job.status == "done" and again.status == "done", (job.error, again.error)
    assert job.fetched == fetched == job.inserted == Cdr.objects.count(), "lost or doubled"
    assert again.inserted == 0 and again.fetched > 0

    # The baseline of store(): the same COPY into the table as store() finds it (the
    # pull's rows in it), under a server of its own, rolled back; then store() alone on
    # the middle day's records, batch by batch as the pull sends them, under another
    # server: new keys, so every row is written next to the pulled ones. In turns,
    # ROUNDS times, each under servers of their own: the median of each is reported
    # (on a shared machine one sample of either can be off by half).
    raw_seconds, store_seconds_each = [], []
    raw_cpu, store_cpu = dict.fromkeys(cpu.pids, 0.0), dict.fromkeys(cpu.pids, 0.0)
    for turn in range(ROUNDS):
        filled = VosServer.objects.create(name=f"bench-raw-{turn}", base_url=simulator.base_url)
        raw_seconds.append(_raw_copy(filled, one_day_records, cpu, raw_cpu))
        other = VosServer.objects.create(name=f"bench-b-{turn}", base_url=simulator.base_url)
        cpu_before = cpu.read()
        started = time.perf_counter()
        written = sum(real_store(other, infos).inserted for infos in one_day if infos)
        store_seconds_each.append(time.perf_counter() - started)
        cpu.used(cpu_before, cpu.read(), store_cpu)
        assert written == len(one_day_records)
    raw = _rate(len(one_day_records), statistics.median(raw_seconds))
    raw["rounds_seconds"] = [round(seconds, 3) for seconds in raw_seconds]
    raw["cpu_us_per_record"] = cpu.per_record(raw_cpu, len(one_day_records) * ROUNDS)
    store_alone_seconds = statistics.median(store_seconds_each)

    pull = _rate(job.fetched, pull_seconds)
    pull["cpu_us_per_record"] = pull_cpu
    store_in_pull = _rate(job.fetched, store_seconds)
    store = _rate(written, store_alone_seconds)
    store["rounds_seconds"] = [round(seconds, 3) for seconds in store_seconds_each]
    store["cpu_us_per_record"] = cpu.per_record(store_cpu, written * ROUNDS)
    repull = _rate(again.fetched, repull_seconds)
    pull["ratio_to_fetch_baseline"] = round(pull["records_per_s"] / fetch["records_per_s"], 3)
    pull["ratio_to_fetch_concurrent_baseline"] = round(
        pull["records_per_s"] / fetch_concurrent["records_per_s"], 3
    )
    fetch_concurrent["ratio_to_fetch_baseline"] = round(
        fetch_concurrent["records_per_s"] / fetch["records_per_s"], 3
    )
    store["ratio_to_raw_copy_baseline"] = round(store["records_per_s"] / raw["records_per_s"], 3)
    store_in_pull["ratio_to_raw_copy_baseline"] = round(
        store_in_pull["records_per_s"] / raw["records_per_s"], 3
    )
    repull["ratio_to_fetch_baseline"] = round(repull["records_per_s"] / fetch["records_per_s"], 3)
    return {
        "dataset": {"customers": customers, "cdrs": cdrs, "days": days},
        "database": "postgresql",
        "pull": {
            "account_batch": batch,
            "fetchers": fetchers,
            "days": len(pulled_days),
            "vos_calls": job.vos_calls,
        },
        "goals": goals(store, raw, pull, fetch, fetch_concurrent),
        "results": {
            "fetch_baseline": fetch,
            "fetch_concurrent_baseline": fetch_concurrent,
            "pull": pull,
            "store_in_pull": store_in_pull,
            "raw_copy_baseline": raw,
            "raw_copy_into_empty_table": raw_empty,
            "store": store,
            "repull_idempotent": repull,
        },
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog=f"benchmarks {NAME}")
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--cdrs", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--batch", type=int, default=100, help="accounts per GetCdr")
    parser.add_argument("--fetchers", type=int, default=2, help="CDR_PULL_FETCHERS")
    parser.add_argument("--quick", action="store_true", help="40,000 CDRs over 2 days")
    args = parser.parse_args(argv or [])
    if args.quick:
        args.customers, args.cdrs, args.days = 1_000, 40_000, 2
    payload = run(args.customers, args.cdrs, args.days, args.batch, args.fetchers)
    path = write_result(NAME, payload)
    print(f"{NAME}: wrote {path}")
    return payload
