"""CDR ingest: records per second from the simulator into the portal's CDR table.

A simulator store of --customers accounts and --cdrs CDRs over --days UTC days is
generated once (``vos3000.simulator.generate``, cached under var/bench/) and served over
HTTP. The portal runs in this process on PostgreSQL (a throwaway database made from
DATABASE_URL, migrated at start, dropped at the end; without DATABASE_URL it falls back
to SQLite and says so: the figures are then not the production ones).

Measured in the same run:

- ``fetch_baseline``: the bare GetCdr fetch of the same days and account batches
  through the portal's client, nothing stored (what the switch and the wire allow);
- ``pull``: ``billing.cdrs.pull.pull_server`` over those days (pace 0: the pacing is a
  deliberate brake, not a cost), fetch and store together, as a ratio to the fetch;
- ``store``: the time spent in ``cdr_store.store`` alone during that pull, records/s;
- ``raw_copy_baseline``: a raw COPY (SQLite: executemany) of one day's rows into a
  scratch table with the CDR table's indexes: the database's own write speed, which
  ``store`` is reported against;
- ``repull``: the last two days pulled again (all records already there: the
  idempotent path the relook takes every run).

    python -m benchmarks cdr_ingest [-- --customers 2000 --cdrs 200000 --days 4]
    python -m benchmarks cdr_ingest -- --quick        # 40,000 CDRs over 2 days

About three minutes on a small machine at the defaults, most of it the simulator
answering GetCdr (its speed is the fetch baseline).
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta

from benchmarks.common import write_result
from benchmarks.sim_getcdr import ensure_dataset

NAME = "cdr_ingest"


def _setup_django(directory: str) -> str:
    """The portal's settings with this run's own var/; returns the database in words."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "vosportal.settings"
    os.environ["TESTING"] = "1"  # the dev secret key; a pid-named test database on PostgreSQL
    os.environ["VAR_DIR"] = directory
    note = "postgresql"
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(
            "cdr_ingest: DATABASE_URL is not PostgreSQL; falling back to SQLite. The"
            " figures are NOT those of production (set DATABASE_URL=postgres://...).",
            flush=True,
        )
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
        note = "sqlite (fallback: DATABASE_URL was not PostgreSQL)"
    import django

    django.setup()
    for name in ("vos3000", "billing", "accounts", "vosportal", "django"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from django.db import connection

    # A throwaway database (test_<name>_<pid> on PostgreSQL), migrated, dropped at the end.
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    return note


def _teardown_django(old_name: str | None) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _rate(rows: int, seconds: float) -> dict:
    return {
        "records": rows,
        "seconds": round(seconds, 3),
        "records_per_s": round(rows / seconds) if seconds else None,
    }


def _raw_copy(rows) -> float:
    """Seconds to write these Cdr rows raw into a scratch table with the same indexes."""
    from django.db import connection, transaction

    from billing.models import Cdr

    fields = [f for f in Cdr._meta.concrete_fields if f.column != "id"]
    columns = [f.column for f in fields]
    values = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] for row in rows
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE bench_raw_cdr (LIKE billing_cdr INCLUDING ALL) ON COMMIT DROP"
            )
            started = time.perf_counter()
            with cursor.copy(f"COPY bench_raw_cdr ({', '.join(columns)}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            cursor.execute("CREATE TEMP TABLE bench_raw_cdr AS SELECT * FROM billing_cdr WHERE 0")
            for index, column in enumerate(("start", "tenant_id", "caller_e164", "callee_e164")):
                cursor.execute(f"CREATE INDEX bench_raw_{index} ON bench_raw_cdr ({column})")
            marks = ", ".join("%s" for _ in columns)
            started = time.perf_counter()
            cursor.executemany(
                f"INSERT INTO bench_raw_cdr ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                values,
            )
        seconds = time.perf_counter() - started
        if connection.vendor != "postgresql":
            cursor.execute("DROP TABLE bench_raw_cdr")
    return seconds


def run(customers: int, cdrs: int, days: int, batch: int) -> dict:
    from vos3000.simulator.app import start_simulator

    path = ensure_dataset(customers, cdrs, days)
    with tempfile.TemporaryDirectory(prefix="bench-cdr-ingest-") as directory:
        database = _setup_django(directory)
        from django.conf import settings
        from django.db import connection

        old_name = settings.DATABASES["default"].get("NAME")
        handle = start_simulator(host="127.0.0.1", port=0, data=path, cdr_max_days=31)
        try:
            return _measure(handle, database, customers, cdrs, days, batch)
        finally:
            handle.stop()
            connection.close()
            _teardown_django(old_name)


def _measure(handle, database, customers, cdrs, days, batch) -> dict:
    from django.conf import settings

    from billing.cdrs import pull as cdr_pull
    from billing.cdrs import store as cdr_store
    from billing.models import Cdr, CdrPullDay
    from switch.models import VosServer
    from switch.vos import client_for
    from vos3000.client import format_day

    settings.CDR_PULL_PACE_SECONDS = 0
    settings.CDR_PULL_BACKFILL_DAYS = days
    settings.CDR_PULL_RELOOK_DAYS = 0
    settings.CDR_PULL_MAX_DAYS = 1
    settings.CDR_PULL_ACCOUNT_BATCH = batch
    settings.CDR_RETENTION_MONTHS = 0
    server = VosServer.objects.create(
        name="bench", base_url=handle.base_url, connect_timeout=2, read_timeout=120
    )
    client = client_for(server)
    now = datetime.now(UTC)
    today = now.date()
    pulled_days = [today - timedelta(days=n) for n in range(days, -1, -1)]
    accounts = sorted(client.call("GetAllCustomers", {})["accounts"])
    batches = [accounts[n : n + batch] for n in range(0, len(accounts), batch)]

    # Baseline: the bare fetch of the same windows, nothing stored.
    fetched, started = 0, time.perf_counter()
    one_day: list[dict] = []
    for day in pulled_days:
        for names in batches:
            answer = client.call(
                "GetCdr",
                {"accounts": names, "beginTime": format_day(day), "endTime": format_day(day)},
            )
            infos = answer.get("infoCdrs") or []
            fetched += len(infos)
            if day == pulled_days[len(pulled_days) // 2]:
                one_day.extend(infos)
    fetch = _rate(fetched, time.perf_counter() - started)

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
        started = time.perf_counter()
        job = cdr_pull.pull_server(server, now=now)
        pull_seconds = time.perf_counter() - started
        store_seconds = in_store[0]

        # The last two days owed again (as a relook re-pulls them): all already stored.
        CdrPullDay.objects.filter(day__gte=today - timedelta(days=2)).delete()
        in_store[0] = 0.0
        started = time.perf_counter()
        again = cdr_pull.pull_server(server, now=now)
        repull_seconds = time.perf_counter() - started
    finally:
        cdr_store.store = real_store
    assert job.status == "done" and again.status == "done", (job.error, again.error)
    assert job.fetched == fetched == job.inserted == Cdr.objects.count(), "lost or doubled"
    assert again.inserted == 0 and again.fetched > 0

    raw_rows = cdr_store.build_rows(server, one_day)
    raw = _rate(len(raw_rows), _raw_copy(raw_rows))
    pull = _rate(job.fetched, pull_seconds)
    store = _rate(job.fetched, store_seconds)
    repull = _rate(again.fetched, repull_seconds)
    pull["ratio_to_fetch_baseline"] = round(pull["records_per_s"] / fetch["records_per_s"], 3)
    store["ratio_to_raw_copy_baseline"] = round(store["records_per_s"] / raw["records_per_s"], 3)
    repull["ratio_to_fetch_baseline"] = round(repull["records_per_s"] / fetch["records_per_s"], 3)
    return {
        "dataset": {"customers": customers, "cdrs": cdrs, "days": days},
        "database": database,
        "pull": {"account_batch": batch, "days": len(pulled_days), "vos_calls": job.vos_calls},
        "results": {
            "fetch_baseline": fetch,
            "pull": pull,
            "store": store,
            "raw_copy_baseline": raw,
            "repull_idempotent": repull,
        },
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog=f"benchmarks {NAME}")
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--cdrs", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--batch", type=int, default=100, help="accounts per GetCdr")
    parser.add_argument("--quick", action="store_true", help="40,000 CDRs over 2 days")
    args = parser.parse_args(argv or [])
    if args.quick:
        args.customers, args.cdrs, args.days = 1_000, 40_000, 2
    payload = run(args.customers, args.cdrs, args.days, args.batch)
    path = write_result(NAME, payload)
    print(f"{NAME}: wrote {path}")
    return payload
