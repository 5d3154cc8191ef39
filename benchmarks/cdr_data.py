"""A big generated CDR table on PostgreSQL for the CDR benchmarks (search, export).

    from benchmarks.cdr_data import ensure_bench_database
    url = ensure_bench_database()                 # 10,000,000 CDRs: "vosportal_bench"
    url = ensure_bench_database(rows=1_000_000)   # a smaller one: "vosportal_bench_1000000"
    # then, before django.setup(): os.environ["DATABASE_URL"] = url
    facts = dataset(url)  # ids of the tenants and users to measure with (see below)

    python -m benchmarks.cdr_data [--rows N] [--months 12] [--rebuild]

The database is built once and reused: a marker row (table ``bench_dataset``) holds the
parameters it was built with; a call with the same parameters only checks the schema
(the CDR indexes are made to match ``Cdr.Meta.indexes`` of the current code, so index
tuning does not need a rebuild). Another row count, month count or generator version
builds a database of its own name (``vosportal_bench`` for the default 10M rows,
``vosportal_bench_<rows>`` otherwise), so the export and search benchmarks can share.

What it holds, migrated with the project's migrations:

- a VOS server "bench" (never contacted) and a tenant tree as the pull would leave it:
  the platform, 10 resellers ("res00".."res09"), each with 2 sub-resellers and exactly
  1,000 customers in its subtree (700 direct, 200 and 100 under its sub-resellers):
  10,000 customers in all;
- ``rows`` CDRs over ``months`` whole months (2025-01 onwards; one partition a month,
  made by ``billing.cdrs.store.ensure_partitions``), with tenant ids and paths set as
  ``cdr_store`` sets them. Traffic is skewed: accounts are ranked at random and the
  record's account drawn as ``rank = accounts * u**2.5`` (u uniform), so the busiest 1%
  of accounts make ~16% of the calls and the busiest one ~2.5% (~700 calls a day at
  10M rows). Resellers' own accounts make calls too. ~62% of calls are answered;
  durations are exponential (mean 150 s); fees per started minute by destination
  (40 prefixes, call levels 1/2/4/5); agent fee ~70% of the fee.
- users: an admin, a manager of "res00" (the 1,000-customer reseller) and an owner of
  the busiest customer of all, "c000000", a direct customer of res00 (``dataset()``
  gives their ids and row counts).

Fast path: each month's partition is detached, stripped of its indexes, filled with
``INSERT ... SELECT ... FROM generate_series()`` in chunks and attached again, which
builds its indexes and constraints exactly as the parent (the migration's) defines
them. The whole table is vacuumed at the end: the visibility map that index-only scans
need, as autovacuum keeps it on a live table. ~6 minutes for 10M rows on 2 cores.

The server is ``postgres://postgres@127.0.0.1:5432``, or ``CDR_BENCH_PG_URL``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_ROWS = 10_000_000
DEFAULT_MONTHS = 12
FIRST_MONTH = date(2025, 1, 1)
GENERATOR_VERSION = 2  # 2: starts in whole milliseconds, as VOS gives them
SERVER_URL = os.environ.get("CDR_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
CHUNK_ROWS = 500_000
RESELLERS = 10
# Customers of every reseller's subtree: direct, under sub-reseller 0, under sub 1.
CUSTOMER_SPLIT = (700, 200, 100)
SKEW = 2.5
BUSIEST_ACCOUNT = "c000000"  # a direct customer of res00
ROOT = Path(__file__).resolve().parent.parent

ADMIN_EMAIL = "bench-admin@example.test"
RESELLER_EMAIL = "bench-reseller@example.test"
CUSTOMER_EMAIL = "bench-customer@example.test"


def database_name(rows: int = DEFAULT_ROWS) -> str:
    return "vosportal_bench" if rows == DEFAULT_ROWS else f"vosportal_bench_{rows}"


def database_url(name: str) -> str:
    parts = urlsplit(SERVER_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def ensure_bench_database(
    rows: int = DEFAULT_ROWS,
    *,
    months: int = DEFAULT_MONTHS,
    name: str | None = None,
    rebuild: bool = False,
) -> str:
    """Build (or reuse) the bench database and return its URL for ``DATABASE_URL``.

    Runs in a child process, so the caller's Django (if any) is not touched; the caller
    points its own settings at the URL before ``django.setup()``. Concurrent callers
    wait for one build (an advisory lock)."""
    name = name or database_name(rows)
    command = [
        sys.executable,
        "-m",
        "benchmarks.cdr_data",
        "--rows",
        str(rows),
        "--months",
        str(months),
        "--name",
        name,
    ]
    if rebuild:
        command.append("--rebuild")
    subprocess.run(command, cwd=ROOT, check=True)
    return database_url(name)


def dataset(url: str) -> dict:
    """What the marker row says about a built database: parameters, build time, the
    ids of the bench reseller/customer tenants and users, and row counts."""
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT value FROM bench_dataset WHERE key = 'dataset'").fetchone()
    if row is None:
        raise RuntimeError(f"{url} has no finished bench dataset")
    return row[0]


# --- the build (child process) ---------------------------------------------------------------


def _params(rows: int, months: int) -> dict:
    return {"rows": rows, "months": months, "first_month": str(FIRST_MONTH), "v": GENERATOR_VERSION}


def _log(message: str) -> None:
    print(f"[cdr_data {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _admin_conn():
    import psycopg

    return psycopg.connect(database_url("postgres"), autocommit=True)


def _lock_key(name: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


def _marker(name: str) -> dict | None:
    import psycopg

    try:
        with psycopg.connect(database_url(name)) as conn:
            row = conn.execute("SELECT value FROM bench_dataset WHERE key = 'dataset'").fetchone()
    except (psycopg.OperationalError, psycopg.errors.UndefinedTable):
        return None
    return row[0] if row else None


def _setup_django(url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "vosportal.settings"
    os.environ["TESTING"] = "1"  # the dev secret key; nothing here serves requests
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench"))
    import django

    django.setup()


def build_or_reuse(rows: int, months: int, name: str, rebuild: bool) -> None:
    if not name.startswith("vosportal_bench"):
        raise SystemExit(f"refusing to build into {name!r}: bench databases are vosportal_bench*")
    with _admin_conn() as admin:
        # One builder at a time per database; the others wait and then reuse.
        admin.execute("SELECT pg_advisory_lock(%s)", [_lock_key(name)])
        marker = _marker(name)
        if not rebuild and marker and marker.get("params") == _params(rows, months):
            _log(f"{name}: reusing ({marker['cdrs']:,} CDRs, built {marker['built_at']})")
            _setup_django(database_url(name))
            sync_cdr_indexes()
            return
        _log(f"{name}: building {rows:,} CDRs over {months} months")
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        _setup_django(database_url(name))
        _build(rows, months)


def sync_cdr_indexes() -> None:
    """Make the table's indexes those of ``Cdr.Meta.indexes`` (the code may have been
    tuned since the build): add the missing, drop the ones no longer declared, rebuild
    the ones whose definition changed."""
    from django.db import connection

    from billing.models import Cdr

    wanted = {index.name: _index_fingerprint(index) for index in Cdr._meta.indexes}
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM bench_dataset WHERE key = 'indexes'")
        row = cursor.fetchone()
        built = row[0] if row else {}
        if isinstance(built, str):
            built = json.loads(built)
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = 'billing_cdr'::regclass"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
        )
        present = {name for (name,) in cursor.fetchall()}
    by_name = {index.name: index for index in Cdr._meta.indexes}
    with connection.schema_editor(atomic=False) as editor:
        for name in sorted(present):
            if name not in wanted or built.get(name) != wanted[name]:
                _log(f"dropping index {name}")
                editor.execute(f'DROP INDEX IF EXISTS "{name}"')
                present.discard(name)
        for name in sorted(set(wanted) - present):
            _log(f"creating index {name} (all partitions)")
            started = time.perf_counter()
            editor.add_index(Cdr, by_name[name])
            _log(f"  {name} in {time.perf_counter() - started:.0f} s")
    _save("indexes", wanted)
    with connection.cursor() as cursor:
        if _all_visible_share(cursor) < 0.9:
            _vacuum(cursor)
        else:
            cursor.execute("ANALYZE billing_cdr")


def _index_fingerprint(index) -> str:
    _path, _args, kwargs = index.deconstruct()
    return repr(sorted(kwargs.items()))


def _save(key: str, value) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_dataset (key text PRIMARY KEY, value jsonb)"
        )
        cursor.execute(
            "INSERT INTO bench_dataset VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [key, json.dumps(value, default=str)],
        )


def _months(months: int) -> list[tuple[date, date]]:
    out, first = [], FIRST_MONTH
    for _ in range(months):
        following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        out.append((first, following))
        first = following
    return out


def _build(rows: int, months: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from billing.cdrs import store as cdr_store
    from billing.models import Cdr

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    _log(f"migrated in {time.perf_counter() - started:.0f} s")
    _save("indexes", {index.name: _index_fingerprint(index) for index in Cdr._meta.indexes})
    facts = _make_tenants_and_users()
    _log(f"{facts['customers']:,} customers, {facts['resellers']} resellers")

    spans = _months(months)
    cdr_store.ensure_partitions(first for first, _ in spans)
    total_days = sum((following - first).days for first, following in spans)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET max_parallel_maintenance_workers = 1")  # others share 2 cores
        cursor.execute("SET synchronous_commit = off")
        _make_picking_tables(cursor)
        next_id, done = 1, 0
        for number, (first, following) in enumerate(spans):
            # Every month its share of the rows by its length; the last takes the rest.
            if number == len(spans) - 1:
                count = rows - done
            else:
                count = round(rows * (following - first).days / total_days)
            _fill_month(cursor, first, following, count, next_id)
            next_id += count
            done += count
            elapsed = time.perf_counter() - started
            _log(f"{first:%Y-%m}: {count:,} rows; {done:,}/{rows:,} in {elapsed:.0f} s")
        cursor.execute("SELECT setval(pg_get_serial_sequence('billing_cdr', 'id'), %s)", [next_id])
        _vacuum(cursor)
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits"
            " WHERE inhparent = 'billing_cdr'::regclass"
        )
        size = cursor.fetchone()[0]
        facts.update(_busiest(cursor, facts))
    facts.update(
        params=_params(rows, months),
        cdrs=rows,
        since=str(datetime(FIRST_MONTH.year, FIRST_MONTH.month, 1, tzinfo=UTC)),
        until=str(datetime(spans[-1][1].year, spans[-1][1].month, 1, tzinfo=UTC)),
        table_bytes=size,
        build_seconds=round(time.perf_counter() - started),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
    _save("dataset", facts)
    _log(f"done in {facts['build_seconds']} s; table and indexes {size / 2**30:.1f} GiB")


def _make_tenants_and_users() -> dict:
    from accounts.models import Tenant, User
    from accounts.roles import Role
    from switch.models import VosServer

    server = VosServer.objects.create(name="bench", base_url="http://127.0.0.1:9/")
    root = Tenant.platform_root()
    next_pk = root.pk + 1
    tenants: list[Tenant] = []

    def add(kind, account, parent):
        nonlocal next_pk
        tenant = Tenant(
            pk=next_pk,
            kind=kind,
            name=f"Bench {account}",
            parent=parent,
            server=server,
            vos_account=account,
            path=f"{parent.path}{next_pk}/",
        )
        tenant.depth = tenant.path.count("/") - 2
        next_pk += 1
        tenants.append(tenant)
        return tenant

    for r in range(RESELLERS):
        reseller = add(Tenant.Kind.RESELLER, f"res{r:02d}", root)
        parents = [
            reseller,
            add(Tenant.Kind.RESELLER, f"res{r:02d}-sub0", reseller),
            add(Tenant.Kind.RESELLER, f"res{r:02d}-sub1", reseller),
        ]
        n = 0
        for parent, count in zip(parents, CUSTOMER_SPLIT, strict=True):
            for _ in range(count):
                add(Tenant.Kind.CUSTOMER, f"c{r:02d}{n:04d}", parent)
                n += 1
    Tenant.objects.bulk_create(tenants, batch_size=2000)
    bench_reseller = Tenant.objects.get(vos_account="res00")
    admin = User.objects.create_user(ADMIN_EMAIL, "bench", tenant=root, role=Role.PLATFORM_ADMIN)
    manager = User.objects.create_user(
        RESELLER_EMAIL, "bench", tenant=bench_reseller, role=Role.RESELLER_MANAGER
    )
    return {
        "server_id": server.pk,
        "resellers": sum(1 for t in tenants if t.kind == Tenant.Kind.RESELLER),
        "customers": sum(1 for t in tenants if t.kind == Tenant.Kind.CUSTOMER),
        "bench_reseller_id": bench_reseller.pk,
        "bench_reseller_path": bench_reseller.path,
        "bench_reseller_customers": Tenant.objects.filter(
            path__startswith=bench_reseller.path, kind=Tenant.Kind.CUSTOMER
        ).count(),
        "admin_user_id": admin.pk,
        "reseller_user_id": manager.pk,
    }


# Destinations: prefix, call level (1 net, 2 local, 4 domestic, 5 international), price
# and cost per minute, the vendor gateway; repeated rows weigh a destination more.
_DESTINATIONS = [
    ("63", 4, "0.0200", "0.0120", 6),
    ("632", 2, "0.0100", "0.0060", 3),
    ("639", 4, "0.0350", "0.0210", 5),
    ("1", 5, "0.0150", "0.0080", 1),
    ("44", 5, "0.0300", "0.0180", 2),
    ("447", 5, "0.1200", "0.0800", 1),
    ("86", 5, "0.0250", "0.0150", 2),
    ("91", 5, "0.0400", "0.0260", 1),
    ("61", 5, "0.0500", "0.0300", 1),
    ("65", 5, "0.0300", "0.0200", 1),
    ("81", 5, "0.0600", "0.0400", 1),
    ("234", 5, "0.2000", "0.1500", 1),
    ("971", 5, "0.1800", "0.1200", 1),
    ("49", 5, "0.0350", "0.0200", 1),
    ("33", 5, "0.0350", "0.0200", 1),
    ("852", 5, "0.0300", "0.0200", 1),
    ("8888", 1, "0.0000", "0.0000", 1),
]


def _make_picking_tables(cursor) -> None:
    """Session tables the generator joins: accounts by random rank, destinations."""
    cursor.execute("SELECT setseed(0.42)")
    cursor.execute(
        "CREATE TEMP TABLE bench_accounts AS"
        " SELECT (row_number() OVER (ORDER BY random()) - 1)::int AS rank,"
        "  t.id AS tenant_id, t.path, t.vos_account AS account, t.name,"
        "  coalesce(p.vos_account, '') AS agent_account, coalesce(p.name, '') AS agent_name,"
        "  6320000000 + t.id * 100 AS phone_base, 1 + (t.id * 7) % 40 AS lines,"
        "  'in-' || (t.id % 25) AS gateway, '10.1.' || (t.id % 250) || '.' || (t.id % 97) AS ip"
        " FROM accounts_tenant t LEFT JOIN accounts_tenant p ON p.id = t.parent_id"
        " WHERE t.vos_account <> ''"
    )
    # The bench reseller's first customer is the busiest account of all, so "one
    # customer" is measured at its worst (~2.5% of all calls).
    cursor.execute(
        "UPDATE bench_accounts SET rank = CASE WHEN rank = 0"
        "  THEN (SELECT rank FROM bench_accounts WHERE account = %(busy)s) ELSE 0 END"
        " WHERE rank = 0 OR account = %(busy)s",
        {"busy": BUSIEST_ACCOUNT},
    )
    cursor.execute("CREATE UNIQUE INDEX ON bench_accounts (rank)")
    rows = []
    for prefix, level, price, cost, weight in _DESTINATIONS:
        rows += [(prefix, level, price, cost)] * weight
    cursor.execute(
        "CREATE TEMP TABLE bench_destinations"
        " (n int PRIMARY KEY, prefix text, level smallint, price numeric, cost numeric,"
        "  gateway text, ip text)"
    )
    for n, (prefix, level, price, cost) in enumerate(rows):
        cursor.execute(
            "INSERT INTO bench_destinations VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [n, prefix, level, price, cost, f"vendor-{n % 7}", f"203.0.113.{n + 10}"],
        )
    cursor.execute("ANALYZE bench_accounts")
    cursor.execute("ANALYZE bench_destinations")


_COLUMNS = (
    "id, server_id, natural_key, tenant_id, tenant_path, start, stop, account, account_name,"
    " agent_account, agent_name, caller_e164, caller_access_e164, caller_product_id,"
    " caller_to_gateway_e164, caller_gateway, caller_ip, callee_e164, callee_access_e164,"
    " callee_product_id, callee_to_gateway_e164, callee_gateway, callee_ip, hold_time,"
    " fee_time, fee, fee_prefix, suite_fee, suite_fee_time, agent_fee, agent_fee_time,"
    " agent_fee_prefix, agent_suite_fee, agent_suite_fee_time, call_level, end_direction,"
    " end_reason, callee_billing, billing_mode"
)

# One chunk of a month: row g of n starts at (g + u)/n of the month, so rows are written
# in time order as the day-by-day pull writes them. OFFSET 0 keeps each random() one
# draw per row (the subquery is not flattened into the joins).
_FILL_SQL = f"""
INSERT INTO {{table}} ({_COLUMNS})
SELECT r.id, %(server)s, md5('bench-cdr-' || r.id)::uuid, a.tenant_id, a.path,
  r.start, r.start + make_interval(secs => h.hold + 3 + floor(r.u_misc * 20)),
  a.account, a.name, a.agent_account, a.agent_name,
  c.caller, c.caller, '', d.prefix || c.digits, a.gateway, a.ip,
  d.prefix || c.digits, d.prefix || c.digits, '', d.prefix || c.digits, d.gateway, d.ip,
  h.hold, f.fee_time, round(f.fee_time / 60.0 * d.price, 4), d.prefix, 0, 0,
  round(f.fee_time / 60.0 * d.cost, 4), f.fee_time, d.prefix, 0, 0,
  d.level, (r.u_misc < 0.55)::int,
  CASE WHEN h.hold > 0 THEN 16 ELSE 17 + floor(r.u_misc * 4)::int END, 0, 0
FROM (
  SELECT g + %(first_id)s AS id,
    date_trunc('milliseconds',
      %(month)s::timestamptz + make_interval(secs => (g + random()) * %(span)s / %(count)s)
    ) AS start,
    floor(%(accounts)s * power(random(), {SKEW}))::int AS rank,
    floor(random() * %(destinations)s)::int AS dest,
    random() AS u_answer, random() AS u_duration, random() AS u_line, random() AS u_misc
  FROM generate_series(%(low)s, %(high)s) AS g
  OFFSET 0
) AS r
JOIN bench_accounts a ON a.rank = r.rank
JOIN bench_destinations d ON d.n = r.dest
CROSS JOIN LATERAL (
  SELECT CASE WHEN r.u_answer < 0.62
    THEN greatest(1, floor(-ln(1 - r.u_duration) * 150))::int ELSE 0 END AS hold
) AS h
CROSS JOIN LATERAL (SELECT (ceil(h.hold / 60.0) * 60)::int AS fee_time) AS f
CROSS JOIN LATERAL (
  SELECT (a.phone_base + floor(r.u_line * a.lines))::bigint::text AS caller,
    lpad(((r.id * 2654435761) %% 1000000000)::text, 9, '0') AS digits
) AS c
"""  # noqa: S608 (only constants are formatted in; values are parameters)


def _fill_month(cursor, first: date, following: date, count: int, first_id: int) -> None:
    from billing.cdrs import store as cdr_store

    table = cdr_store.partition_name(first)
    month = datetime(first.year, first.month, 1, tzinfo=UTC)
    span = (following - first).days * 86400
    cursor.execute(f'ALTER TABLE billing_cdr DETACH PARTITION "{table}"')
    # Its constraints and indexes go; ATTACH makes them again from the parent's, in
    # one sorted build each instead of row-by-row inserts into nine B-trees.
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p','u')",
        [table],
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
    for (name,) in cursor.fetchall():
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute("SELECT count(*) FROM bench_accounts")
    accounts = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM bench_destinations")
    destinations = cursor.fetchone()[0]
    cursor.execute("SELECT setseed(%s)", [(first.year * 12 + first.month) % 1000 / 1000])
    for low in range(0, count, CHUNK_ROWS):
        high = min(count, low + CHUNK_ROWS) - 1
        cursor.execute(
            _FILL_SQL.format(table=f'"{table}"'),
            {
                "server": _server_id(cursor),
                "first_id": first_id,
                "month": month,
                "span": span,
                "count": count,
                "accounts": accounts,
                "destinations": destinations,
                "low": low,
                "high": high,
            },
        )
    started = time.perf_counter()
    cursor.execute(
        f'ALTER TABLE billing_cdr ATTACH PARTITION "{table}"'
        f" FOR VALUES FROM ('{first:%Y-%m-%d} 00:00:00+00')"
        f" TO ('{following:%Y-%m-%d} 00:00:00+00')"
    )
    _log(f"  {table}: indexes built in {time.perf_counter() - started:.0f} s")


def _vacuum(cursor) -> None:
    """Set the visibility map (and statistics), as autovacuum would have on any month
    but the newest: without it no index-only scan is possible. Done once at the end,
    when no other transaction of the build holds back what VACUUM may mark visible."""
    started = time.perf_counter()
    cursor.execute("VACUUM (ANALYZE) billing_cdr")
    _log(f"vacuumed in {time.perf_counter() - started:.0f} s")


def _all_visible_share(cursor) -> float:
    cursor.execute(
        "SELECT coalesce(sum(c.relallvisible)::float / nullif(sum(c.relpages), 0), 1)"
        " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'billing_cdr'::regclass"
    )
    return cursor.fetchone()[0]


def _server_id(cursor) -> int:
    cursor.execute("SELECT id FROM telephony_vosserver WHERE name = 'bench'")
    return cursor.fetchone()[0]


def _busiest(cursor, facts: dict) -> dict:
    """The busiest customer of the bench reseller's subtree (BUSIEST_ACCOUNT) gets the
    customer user."""
    from accounts.models import Tenant, User
    from accounts.roles import Role

    cursor.execute(
        "SELECT a.tenant_id FROM bench_accounts a JOIN accounts_tenant t ON t.id = a.tenant_id"
        " WHERE t.kind = 'customer' AND t.path LIKE %s ORDER BY a.rank LIMIT 1",
        [facts["bench_reseller_path"] + "%"],
    )
    customer = Tenant.objects.get(pk=cursor.fetchone()[0])
    owner = User.objects.create_user(
        CUSTOMER_EMAIL, "bench", tenant=customer, role=Role.CUSTOMER_OWNER
    )
    cursor.execute(
        "SELECT count(*) FILTER (WHERE tenant_id = %s),"
        " count(*) FILTER (WHERE tenant_path LIKE %s) FROM billing_cdr",
        [customer.pk, facts["bench_reseller_path"] + "%"],
    )
    customer_rows, reseller_rows = cursor.fetchone()
    return {
        "bench_customer_id": customer.pk,
        "customer_user_id": owner.pk,
        "bench_customer_cdrs": customer_rows,
        "bench_reseller_cdrs": reseller_rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--months", type=int, default=DEFAULT_MONTHS)
    parser.add_argument("--name", default=None)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    build_or_reuse(args.rows, args.months, args.name or database_name(args.rows), args.rebuild)
    return 0


if __name__ == "__main__":
    sys.exit(main())
