"""CDR export at scale: 1,000,000 rows written as CSV and as XLSX by the export task's
own code (``billing.cdrs.export.write``: the scope rebuilt from ids, the filters
re-validated, one COUNT, keyset chunks, progress saved per chunk), on PostgreSQL.

The data is ``benchmarks.cdr_data``'s generator with all the rows in one month
(January 2025, database ``vosportal_bench_export_<rows>``), so the platform admin's
export of that month is exactly ``--rows`` rows with every field.

For each format it reports rows/s and peak memory, each measured in a fresh child
process so the figures are the export's own:

- ``peak_rss_delta_mb``: the process's peak resident size (``ru_maxrss``) above its
  size just before the export started: what the worker grows by;
- ``tracemalloc_peak_mb`` (a second run, ``--tracemalloc``, slower): the peak of
  Python allocations during the export.

Baselines measured in the same run, on the same rows and columns, newest first:

- ``copy_csv``: PostgreSQL's ``COPY (SELECT ...) TO STDOUT (FORMAT csv)`` streamed into
  a file, the floor for writing those rows as CSV;
- ``cursor``: a server-side cursor fetching every row into Python and dropping it;
- ``xlsxwriter`` (for XLSX): the export's own sheet writer fed one chunk of those rows
  over and over from memory: what XlsxWriter alone costs for that many rows.

Each export's rows/s is also given as a ratio to each.

    python -m benchmarks cdr_export [-- --rows 1000000 --format csv --tracemalloc]
    python -m benchmarks cdr_export -- --quick      # 100,000 rows
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from benchmarks import cdr_data
from benchmarks.common import write_result

NAME = "cdr_export"
MONTH = ("2025-01-01", "2025-01-31")


def _database(rows: int) -> str:
    return cdr_data.ensure_bench_database(rows, months=1, name=f"vosportal_bench_export_{rows}")


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _setup_django(url: str, var_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "vosportal.settings"
    os.environ["TESTING"] = "1"  # the dev secret key; nothing here serves requests
    os.environ["DATABASE_URL"] = url
    os.environ["VAR_DIR"] = var_dir
    import logging

    import django

    django.setup()
    logging.getLogger("billing").setLevel(logging.ERROR)


# --- children: one measurement each -------------------------------------------------------


def _child_export(fmt: str, trace: bool) -> dict:
    """One export by the task's code as the bench admin; the file is removed after."""
    import tracemalloc

    from accounts.models import User
    from billing.cdrs import export as cdr_export
    from billing.models import CdrExport

    admin = User.objects.get(email=cdr_data.ADMIN_EMAIL)
    job = CdrExport.objects.create(
        requested_by=admin,
        scope_user=admin,
        format=fmt,
        filters={"date_from": MONTH[0], "date_to": MONTH[1]},
        time_zone="UTC",
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )
    before = _rss_bytes()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    cdr_export.write(job.pk)
    seconds = time.perf_counter() - started
    result = {"seconds": round(seconds, 2)}
    if trace:
        result["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    else:
        result["peak_rss_delta_mb"] = round(max(0, _peak_rss_bytes() - before) / 2**20, 1)
    job.refresh_from_db()
    if job.status != CdrExport.Status.DONE:
        raise RuntimeError(f"export {fmt} ended {job.status}: {job.error}")
    path = cdr_export.path_of(job)
    result.update(
        rows=job.rows_written,
        rows_per_s=round(job.rows_written / seconds),
        file_mb=round(path.stat().st_size / 2**20, 1),
    )
    path.unlink()
    job.delete()
    return result


def _baseline_query():
    """The export's SELECT as plain SQL: the admin's columns, the month, newest first."""
    import zoneinfo

    from accounts.models import User
    from accounts.scope import Scope
    from billing.cdrs import columns as cdr_columns
    from billing.models import Cdr

    admin = User.objects.select_related("tenant").get(email=cdr_data.ADMIN_EMAIL)
    fields = cdr_columns.export_fields(Scope(admin))
    columns = ", ".join(f'"{Cdr._meta.get_field(name).column}"' for name in fields)
    zone = zoneinfo.ZoneInfo("UTC")
    since = datetime.fromisoformat(MONTH[0]).replace(tzinfo=zone)
    until = datetime.fromisoformat(MONTH[1]).replace(tzinfo=zone) + timedelta(days=1)
    sql = (
        f"SELECT {columns} FROM billing_cdr WHERE start >= %s AND start < %s"  # noqa: S608
        " ORDER BY start DESC, id DESC"
    )
    return sql, [since, until]


def _child_copy_csv(var_dir: str) -> dict:
    from django.db import connection

    sql, params = _baseline_query()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params)
        if isinstance(query, bytes):
            query = query.decode()
        rows = 0
        started = time.perf_counter()
        path = os.path.join(var_dir, "copy.csv")
        with open(path, "wb") as out:
            raw = cursor.cursor  # psycopg's own cursor: COPY ... TO STDOUT
            with raw.copy(f"COPY ({query}) TO STDOUT (FORMAT csv, HEADER)") as copy:
                for block in copy:
                    out.write(block)
        seconds = time.perf_counter() - started
        with open(path, "rb") as written:
            rows = sum(1 for _ in written) - 1
        size = os.path.getsize(path)
        os.unlink(path)
    return {
        "seconds": round(seconds, 2),
        "rows": rows,
        "rows_per_s": round(rows / seconds),
        "file_mb": round(size / 2**20, 1),
    }


def _child_cursor() -> dict:
    from django.db import connection, transaction

    sql, params = _baseline_query()
    before = _rss_bytes()
    started = time.perf_counter()
    rows = 0
    with transaction.atomic():
        cursor = connection.chunked_cursor()  # a server-side (named) cursor
        cursor.execute(sql, params)
        while True:
            batch = cursor.fetchmany(5000)
            if not batch:
                break
            rows += len(batch)
        cursor.close()
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "rows": rows,
        "rows_per_s": round(rows / seconds),
        "peak_rss_delta_mb": round(max(0, _peak_rss_bytes() - before) / 2**20, 1),
    }


def _child_xlsxwriter(rows: int, var_dir: str) -> dict:
    """XlsxWriter's own speed on these rows: the first chunk of the export's rows (as
    the export reads them), written over and over by the export's sink until ``rows``
    rows, timing only the writing. The floor an XLSX export can reach."""
    import zoneinfo
    from pathlib import Path

    from accounts.models import User
    from accounts.scope import Scope
    from billing.cdrs import columns as cdr_columns
    from billing.cdrs import export as cdr_export
    from billing.cdrs import selectors as cdr_selectors
    from billing.cdrs.forms import CdrSearchForm

    admin = User.objects.select_related("tenant").get(email=cdr_data.ADMIN_EMAIL)
    scope = Scope(admin)
    form = CdrSearchForm({"date_from": MONTH[0], "date_to": MONTH[1]}, scope=scope)
    assert form.is_valid(), form.errors
    fields = cdr_columns.export_fields(scope)
    zone = zoneinfo.ZoneInfo("UTC")
    found = cdr_selectors.search(scope, form.filters())
    sample = next(cdr_export.chunks(found, fields, zone=zone, as_serial=True))
    path = Path(var_dir) / "floor.xlsx"
    started = time.perf_counter()
    written = 0
    with cdr_export.XlsxSink(path, fields, zone) as sink:
        while written < rows:
            part = sample[: rows - written]
            sink.write(part)
            written += len(part)
    seconds = time.perf_counter() - started
    size = path.stat().st_size
    path.unlink()
    return {
        "seconds": round(seconds, 2),
        "rows": written,
        "rows_per_s": round(written / seconds),
        "file_mb": round(size / 2**20, 1),
    }


def _child(args) -> None:
    with tempfile.TemporaryDirectory(prefix="cdr-export-bench-") as var_dir:
        _setup_django(args.url, var_dir)
        if args.child == "copy_csv":
            result = _child_copy_csv(var_dir)
        elif args.child == "cursor":
            result = _child_cursor()
        elif args.child == "xlsxwriter":
            result = _child_xlsxwriter(args.rows, var_dir)
        else:
            result = _child_export(args.child, args.trace)
    print("RESULT " + json.dumps(result), flush=True)


def _measure(url: str, what: str, *, trace: bool = False, rows: int = 0) -> dict:
    command = [sys.executable, "-m", "benchmarks.cdr_export", "--child", what, "--url", url]
    command += ["--rows", str(rows)]
    if trace:
        command.append("--trace")
    done = subprocess.run(command, cwd=cdr_data.ROOT, check=True, capture_output=True, text=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


# --- the run ------------------------------------------------------------------------------


def run(rows: int, formats: list[str], trace: bool) -> dict:
    url = _database(rows)
    results: dict = {"rows": rows, "baseline": {}}
    names = ["copy_csv", "cursor"] + (["xlsxwriter"] if "xlsx" in formats else [])
    for name in names:
        results["baseline"][name] = _measure(url, name, rows=rows)
        print(f"[cdr_export] baseline {name}: {results['baseline'][name]}", flush=True)
    copy_rate = results["baseline"]["copy_csv"]["rows_per_s"]
    cursor_rate = results["baseline"]["cursor"]["rows_per_s"]
    for fmt in formats:
        measured = _measure(url, fmt)
        if measured["rows"] != rows:
            raise RuntimeError(f"{fmt}: exported {measured['rows']} rows, not {rows}")
        measured["ratio_to_copy_csv"] = round(measured["rows_per_s"] / copy_rate, 3)
        measured["ratio_to_cursor"] = round(measured["rows_per_s"] / cursor_rate, 3)
        if fmt == "xlsx":
            floor = results["baseline"]["xlsxwriter"]["rows_per_s"]
            measured["ratio_to_xlsxwriter"] = round(measured["rows_per_s"] / floor, 3)
        if trace:
            measured["tracemalloc_peak_mb"] = _measure(url, fmt, trace=True)["tracemalloc_peak_mb"]
        results[fmt] = measured
        print(f"[cdr_export] {fmt}: {measured}", flush=True)
    return {"results": results}


def main(options: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks cdr_export --")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", action="append", choices=["csv", "xlsx"], default=[])
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also a traced run per format (slower)"
    )
    parser.add_argument("--quick", action="store_true", help="100,000 rows")
    args = parser.parse_args(options)
    if args.quick:
        args.rows = 100_000
    payload = run(args.rows, args.format or ["csv", "xlsx"], args.tracemalloc)
    path = write_result(NAME, payload)
    print(f"written to {path}")
    return payload


if __name__ == "__main__":
    if "--child" in sys.argv:
        child = argparse.ArgumentParser()
        child.add_argument("--child", required=True)
        child.add_argument("--url", required=True)
        child.add_argument("--trace", action="store_true")
        child.add_argument("--rows", type=int, default=0)
        _child(child.parse_args())
    else:
        main(sys.argv[1:])
