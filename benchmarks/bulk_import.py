"""A bulk import of customer rows against the simulator over HTTP: the goal is 10,000
rows in 10 minutes or less (issue 18).

Standalone: the portal runs in this process with Django on a throwaway SQLite database
(migrated at start) and talks over HTTP to a simulator started here. A reseller exists in
VOS and in the portal; a CSV of ``--rows`` new customers under it (with ``--phones``,
each with a first phone) is

- uploaded and checked (``customers.bulk.services.upload``: every row through the
  create form, the scope, duplicates in the file and in VOS), timed as the preview;
- run as the worker runs it (``customers.bulk.services.run_import``: each row through
  ``customers.services.create_customer``, audited, VOS through ``switch.vos.call``),
  timed as rows per second;
- uploaded again (the same file): every row must be found and skipped.

    python -m benchmarks bulk_import [-- --rows 10000 --phones]
    python -m benchmarks bulk_import -- --quick      # 1,000 rows
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time

from benchmarks.common import write_result

NAME = "bulk_import"
GOAL_SECONDS = 600
GOAL_ROWS = 10_000


def _setup_django(directory: str) -> None:
    """The portal's settings on a database and var/ of this run's own."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "vosportal.settings"
    os.environ["TESTING"] = "1"  # the dev secret key; no real users
    os.environ["VAR_DIR"] = directory
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    import django
    from django.core.management import call_command

    django.setup()
    for name in ("vos3000", "django.request", "accounts", "vosportal", "customers"):
        logging.getLogger(name).setLevel(logging.ERROR)
    call_command("migrate", verbosity=0)


def _csv(rows: int, phones: bool) -> bytes:
    lines = ["account,name,memo,email,phone"]
    for n in range(rows):
        phone = f"9{n:09d}" if phones else ""
        lines.append(f"bi{n:06d},Imported customer {n},bench,c{n}@bench.example,{phone}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def run(rows: int, phones: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-bulk-import-") as directory:
        _setup_django(directory)
        from django.utils import translation

        from accounts.models import Tenant, User
        from accounts.roles import Role
        from accounts.scope import Scope
        from customers.bulk import services as bulk_services
        from customers.models import BulkImport, BulkStatus
        from switch import vos
        from switch.models import VosServer
        from vos3000.simulator.app import start_simulator

        translation.activate("en")
        handle = start_simulator(host="127.0.0.1", port=0, allow="127.0.0.1|::1")
        try:
            server = VosServer.objects.create(
                name="bench", base_url=handle.base_url, connect_timeout=2, read_timeout=30
            )
            vos.client_for(server).call("CreateCustomer", {"account": "bench-res", "name": "R"})
            reseller = Tenant.objects.create(
                kind=Tenant.Kind.RESELLER,
                name="Bench reseller",
                parent=Tenant.platform_root(),
                server=server,
                vos_account="bench-res",
            )
            user = User.objects.create_user(
                "bench-bulk@example.test", "bench", tenant=reseller, role=Role.RESELLER_MANAGER
            )
            scope = Scope(user=user)
            data = _csv(rows, phones)

            started = time.perf_counter()
            job = bulk_services.upload(scope, user, "customers", "bench.csv", data)
            preview_seconds = time.perf_counter() - started
            ready = sum(1 for c in job.checks if c["state"] == "ok")

            BulkImport.objects.filter(pk=job.pk).update(status=BulkStatus.PENDING)
            requests_before = sum(handle.control("stats")["requests"].values())
            started = time.perf_counter()
            bulk_services.run_import(job.pk)
            run_seconds = time.perf_counter() - started
            requests = sum(handle.control("stats")["requests"].values()) - requests_before
            job.refresh_from_db()
            created = job.count("created")
            failed = job.count("failed", "phone_failed")

            started = time.perf_counter()
            again = bulk_services.upload(scope, user, "customers", "bench.csv", data)
            again_seconds = time.perf_counter() - started
            skipped = sum(1 for c in again.checks if c["state"] == "skip")
        finally:
            handle.stop()
            vos.forget_clients()
            from django.db import connections

            connections.close_all()
    per_second = rows / run_seconds if run_seconds else 0.0
    projected = GOAL_ROWS / per_second if per_second else None
    return {
        "dataset": {"rows": rows, "with_phones": phones, "database": "sqlite"},
        "results": {
            "preview_seconds": round(preview_seconds, 1),
            "rows_ready_after_preview": ready,
            "run_seconds": round(run_seconds, 1),
            "rows_per_second": round(per_second, 1),
            "vos_requests_per_row": round(requests / rows, 2) if rows else 0,
            "created": created,
            "failed": failed,
            "same_file_again_preview_seconds": round(again_seconds, 1),
            "same_file_again_skipped": skipped,
            "projected_seconds_for_10000_rows": round(projected, 1) if projected else None,
            "meets_goal_of_10000_rows_in_600_s": bool(projected and projected <= GOAL_SECONDS),
        },
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog=f"benchmarks {NAME}")
    parser.add_argument("--rows", type=int, default=GOAL_ROWS)
    parser.add_argument("--phones", action="store_true", help="each row with a first phone")
    parser.add_argument("--quick", action="store_true", help="1,000 rows")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows = 1_000
    payload = run(args.rows, args.phones)
    path = write_result(NAME, payload)
    print(f"{NAME}: wrote {path}", file=sys.stderr)
    return payload
