"""CDR export at scale: 1,000,000 rows written as CSV and as XLSX by the export task's
own code (``billing.cdrs.export.write``: the scope rebuilt from ids, the filters
re-validated, one COUNT, then the rows into the file with progress saved as it goes),
on PostgreSQL. On one sheet (up to 1,048,575 rows) the task writes XLSX with
``copy_xlsx`` (PostgreSQL writes the sheet's XML rows by ``COPY``, Python deflates them
into the zip at ``XLSX_COMPRESSLEVEL``); the result says which writer it chose.
Without PostgreSQL it stops with exit status 2: there is no SQLite fallback.

The data is ``benchmarks.cdr_data``'s generator with all the rows in one month
(January 2025, database ``vosportal_bench_export_<rows>``), so the platform admin's
export of that month is exactly ``--rows`` rows with every field.

Every figure is measured in a fresh child process, so it is that work's own:

- ``seconds`` and ``rows_per_s``;
- ``peak_rss_mb``: the child's absolute peak resident size (``ru_maxrss``), Django and
  all, not its growth; ``rss_before_mb`` is its size just before the work started.

Baselines, in the same run, on the same rows and columns, newest first:

- ``copy_csv``: PostgreSQL's ``COPY (SELECT <the bare columns>) TO STDOUT (FORMAT csv)``
  read with psycopg's ``copy.read()`` into a file: the floor for writing those rows;
- ``rustpy``: the writer XLSX exports of one sheet used before ``copy_xlsx``, and still
  use over a sheet: rustpy-xlsxwriter (``billing.cdrs.export.write_xlsx``) fed the
  export's keyset chunks, all the rows, after the same COUNT (skip: ``--no-rustpy``):
  the writer alone, without the rest of the task (the scope, the form, the job's
  updates), so the XLSX goal's ratio, which is to it, is a little unfair to the task;
- ``xlsxwriter``: the writer before that, XlsxWriter in ``constant_memory`` mode
  (``billing.cdrs.export.XlsxSink`` fed by keyset chunks, as the task still does on
  SQLite), on ``--xlsxwriter-rows`` rows (all by default; with fewer its time is also
  given scaled to all the rows, and says so).

``--xlsx-level N`` (repeatable) also measures the XLSX export with deflate at level N
(``xlsx_at_level`` in the results; the goal is the code's own level).

The JSON (``var/bench/cdr_export.json``) has ``goals`` (README's table rows: CSV ≤ 15 s
and ≤ 150 MB peak RSS, XLSX ≤ 90 s) and, from ``write_result``, the load average before
and after.

    python -m benchmarks cdr_export [-- --rows 1000000 --format csv --xlsxwriter-rows 100000]
    python -m benchmarks cdr_export -- --format xlsx --xlsxwriter-rows 100000 --xlsx-level 6
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
from pathlib import Path

from benchmarks import cdr_data
from benchmarks.common import goal as _goal
from benchmarks.common import write_result

NAME = "cdr_export"
MONTH = ("2025-01-01", "2025-01-31")
GOAL_CSV_SECONDS = 15
GOAL_CSV_PEAK_MB = 150
GOAL_XLSX_SECONDS = 90


def _database(rows: int) -> str:
    """The bench database, its schema brought up to the code measured (a database built
    before a new migration is reused, not rebuilt)."""
    url = cdr_data.ensure_bench_database(rows, months=1, name=f"vosportal_bench_export_{rows}")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vosportal.settings", "TESTING": "1"}
    env["DATABASE_URL"] = url
    command = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
    subprocess.run(command, cwd=cdr_data.ROOT, env=env, check=True)
    return url


def _require_postgres() -> None:
    """Exit 2 unless the bench PostgreSQL answers: no silent fallback to SQLite."""
    import psycopg

    try:
        psycopg.connect(cdr_data.database_url("postgres"), connect_timeout=5).close()
    except psycopg.Error as exc:
        print(
            f"[cdr_export] needs PostgreSQL at {cdr_data.SERVER_URL} (CDR_BENCH_PG_URL): {exc}",
            file=sys.stderr,
        )
        sys.exit(2)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


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


def _child_export(fmt: str, level: int | None = None) -> dict:
    """One export by the task's code as the bench admin; the file is removed after.
    ``level``: deflate's level for ``copy_xlsx`` instead of the code's."""
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
    if level is not None:
        cdr_export.XLSX_COMPRESSLEVEL = level
    chosen = []

    def noting(name, writer):  # which writer the task chose
        def noted(*args, **kwargs):
            chosen.append(name)
            return writer(*args, **kwargs)

        return noted

    for name in ("copy_xlsx", "write_xlsx"):
        setattr(cdr_export, name, noting(name, getattr(cdr_export, name)))
    before = _rss_mb()
    started = time.perf_counter()
    cdr_export.write(job.pk)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    if job.status != CdrExport.Status.DONE:
        raise RuntimeError(f"export {fmt} ended {job.status}: {job.error}")
    path = cdr_export.path_of(job)
    result = {
        "seconds": round(seconds, 2),
        "rows": job.rows_written,
        "rows_per_s": round(job.rows_written / seconds),
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }
    if fmt == "xlsx":
        writers = {"copy_xlsx": "COPY of the sheet's XML", "write_xlsx": "rustpy-xlsxwriter"}
        result["writer"] = writers[chosen[0]] if chosen else "XlsxWriter"
        if chosen == ["copy_xlsx"]:
            result["compresslevel"] = cdr_export.XLSX_COMPRESSLEVEL
    path.unlink()
    job.delete()
    return result


def _search():
    """The admin's scope, the month's rows and the export's fields."""
    from accounts.models import User
    from accounts.scope import Scope
    from billing.cdrs import columns as cdr_columns
    from billing.cdrs import selectors as cdr_selectors
    from billing.cdrs.forms import CdrSearchForm

    admin = User.objects.select_related("tenant").get(email=cdr_data.ADMIN_EMAIL)
    scope = Scope(admin)
    form = CdrSearchForm({"date_from": MONTH[0], "date_to": MONTH[1]}, scope=scope)
    assert form.is_valid(), form.errors
    return cdr_selectors.search(scope, form.filters()), cdr_columns.export_fields(scope)


def _child_copy_csv(var_dir: str) -> dict:
    """The bare columns of the export's rows, COPY'd to a file by blocks."""
    from django.db import connection

    rows, fields = _search()
    query = rows.order_by("-start", "-id").values_list(*fields).query
    select = connection.ops.compose_sql(*query.sql_with_params())
    path = os.path.join(var_dir, "copy.csv")
    before = _rss_mb()
    started = time.perf_counter()
    with connection.cursor() as cursor, open(path, "wb") as out:
        raw = cursor.cursor  # psycopg's own cursor: COPY ... TO STDOUT
        with raw.copy(f"COPY ({select}) TO STDOUT (FORMAT csv, HEADER)") as copy:
            while block := copy.read():
                out.write(block)
        count = raw.rowcount
    return _file_written(Path(path), count, started, before)


def _child_rustpy(var_dir: str) -> dict:
    """XLSX as the task wrote it before ``copy_xlsx``: rustpy-xlsxwriter
    (``billing.cdrs.export.write_xlsx``) fed the export's keyset chunks of values the
    server prepared, all the rows, after the same COUNT the task makes."""
    import zoneinfo

    from billing.cdrs import export as cdr_export

    rows, fields = _search()
    zone = zoneinfo.ZoneInfo("UTC")
    path = Path(var_dir) / "rustpy.xlsx"
    before = _rss_mb()
    started = time.perf_counter()
    total = rows.count()
    written = cdr_export.write_xlsx(path, rows, fields, zone, False, total, lambda n: None)
    return _file_written(path, written, started, before)


def _file_written(path, rows: int, started: float, rss_before: float) -> dict:
    """The figures of a writer's file (removed after): time, rows, size, memory."""
    seconds = time.perf_counter() - started
    size = path.stat().st_size
    path.unlink()
    return {
        "seconds": round(seconds, 2),
        "rows": rows,
        "rows_per_s": round(rows / seconds),
        "file_mb": round(size / 2**20, 1),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def _child_xlsxwriter(rows_wanted: int, var_dir: str) -> dict:
    """XLSX as it was written before: XlsxWriter in constant_memory mode (XlsxSink), fed
    the export's keyset chunks, for the first ``rows_wanted`` rows."""
    import zoneinfo

    from billing.cdrs import export as cdr_export

    rows, fields = _search()
    zone = zoneinfo.ZoneInfo("UTC")
    path = Path(var_dir) / "xlsxwriter.xlsx"
    before = _rss_mb()
    started = time.perf_counter()
    written = 0
    with cdr_export.XlsxSink(path, fields, zone, raw=False) as sink:
        for chunk in cdr_export.chunks(rows, fields, zone=zone, as_serial=True):
            part = chunk[: rows_wanted - written]
            sink.write(part)
            written += len(part)
            if written >= rows_wanted:
                break
    return _file_written(path, written, started, before)


def _child(args) -> None:
    with tempfile.TemporaryDirectory(prefix="cdr-export-bench-") as var_dir:
        _setup_django(args.url, var_dir)
        if args.child == "copy_csv":
            result = _child_copy_csv(var_dir)
        elif args.child == "xlsxwriter":
            result = _child_xlsxwriter(args.rows, var_dir)
        elif args.child == "rustpy":
            result = _child_rustpy(var_dir)
        else:
            result = _child_export(args.child, args.level)
    print("RESULT " + json.dumps(result), flush=True)


def _measure(url: str, what: str, *, rows: int = 0, level: int | None = None) -> dict:
    command = [sys.executable, "-m", "benchmarks.cdr_export", "--child", what, "--url", url]
    command += ["--rows", str(rows)]
    if level is not None:
        command += ["--level", str(level)]
    done = subprocess.run(command, cwd=cdr_data.ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{what} failed:\n{done.stdout}\n{done.stderr}")
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


# --- the run ------------------------------------------------------------------------------


def _goals(rows: int, results: dict) -> list[dict]:
    copy = results["baseline"]["copy_csv"]
    goals = []
    label = f"{rows:,} CDR rows"
    if "csv" in results:
        csv = results["csv"]
        goals.append(
            _goal(
                f"CSV export, {label}: time",
                now=f"{csv['seconds']} s",
                baseline=f"COPY TO STDOUT {copy['seconds']} s",
                ratio=round(csv["seconds"] / copy["seconds"], 2),
                goal=f"≤ {GOAL_CSV_SECONDS} s",
                met=csv["seconds"] <= GOAL_CSV_SECONDS,
            )
        )
        goals.append(
            _goal(
                f"CSV export, {label}: absolute peak RSS",
                now=f"{csv['peak_rss_mb']} MB",
                baseline=f"COPY TO STDOUT {copy['peak_rss_mb']} MB",
                ratio=round(csv["peak_rss_mb"] / copy["peak_rss_mb"], 2),
                goal=f"≤ {GOAL_CSV_PEAK_MB} MB",
                met=csv["peak_rss_mb"] <= GOAL_CSV_PEAK_MB,
            )
        )
    if "xlsx" in results:
        xlsx, baselines = results["xlsx"], results["baseline"]
        rust, before = baselines.get("rustpy"), baselines.get("xlsxwriter")
        named, ratio = [], None
        if rust:  # the previous writer: the ratio is to it
            named.append(f"rustpy-xlsxwriter {rust['seconds']} s, {rust['file_mb']} MB file")
            ratio = round(xlsx["seconds"] / rust["seconds"], 3)
        if before:
            seconds = before.get("seconds_for_all_rows", before["seconds"])
            scaled = " (scaled)" if "seconds_for_all_rows" in before else ""
            named.append(f"XlsxWriter constant_memory {seconds} s{scaled}")
            if ratio is None:
                ratio = round(xlsx["seconds"] / seconds, 3)
        baseline = "; ".join(named)
        goals.append(
            _goal(
                f"XLSX export, {label} ({xlsx.get('writer', '?')})",
                now=(
                    f"{xlsx['seconds']} s, {xlsx['file_mb']} MB file,"
                    f" {xlsx['peak_rss_mb']} MB peak RSS"
                ),
                baseline=baseline,
                ratio=ratio,
                goal=f"≤ {GOAL_XLSX_SECONDS} s",
                met=xlsx["seconds"] <= GOAL_XLSX_SECONDS,
            )
        )
    return goals


def run(
    rows: int,
    formats: list[str],
    xlsxwriter_rows: int,
    rustpy: bool = True,
    levels: tuple[int, ...] = (),
) -> dict:
    _require_postgres()
    url = _database(rows)
    results: dict = {"rows": rows, "baseline": {}}
    results["baseline"]["copy_csv"] = _measure(url, "copy_csv")
    print(f"[cdr_export] baseline copy_csv: {results['baseline']['copy_csv']}", flush=True)
    copy = results["baseline"]["copy_csv"]
    for fmt in formats:
        measured = _measure(url, fmt)
        if measured["rows"] != rows:
            raise RuntimeError(f"{fmt}: exported {measured['rows']} rows, not {rows}")
        measured["ratio_to_copy_csv_time"] = round(measured["seconds"] / copy["seconds"], 2)
        results[fmt] = measured
        print(f"[cdr_export] {fmt}: {measured}", flush=True)
    for level in levels if "xlsx" in formats else ():
        measured = _measure(url, "xlsx", level=level)
        results.setdefault("xlsx_at_level", {})[str(level)] = measured
        print(f"[cdr_export] xlsx at deflate level {level}: {measured}", flush=True)
    if "xlsx" in formats and rustpy:
        before = _measure(url, "rustpy")
        results["baseline"]["rustpy"] = before
        print(f"[cdr_export] baseline rustpy-xlsxwriter: {before}", flush=True)
    if "xlsx" in formats and xlsxwriter_rows:
        wanted = min(xlsxwriter_rows, rows)
        before = _measure(url, "xlsxwriter", rows=wanted)
        if before["rows"] < rows:
            before["seconds_for_all_rows"] = round(before["seconds"] * rows / before["rows"], 1)
        results["baseline"]["xlsxwriter"] = before
        print(f"[cdr_export] baseline xlsxwriter: {before}", flush=True)
    return {
        "goals": _goals(rows, results),
        "results": results,
    }


def main(options: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks cdr_export --")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", action="append", choices=["csv", "xlsx"], default=[])
    parser.add_argument(
        "--xlsxwriter-rows",
        type=int,
        default=None,
        help="rows for the XlsxWriter baseline (default: all; 0 skips it)",
    )
    parser.add_argument(
        "--no-rustpy", action="store_true", help="skip the rustpy-xlsxwriter baseline"
    )
    parser.add_argument(
        "--xlsx-level",
        type=int,
        action="append",
        default=[],
        help="also measure the XLSX export at this deflate level (repeatable)",
    )
    parser.add_argument("--quick", action="store_true", help="100,000 rows")
    args = parser.parse_args(options)
    if args.quick:
        args.rows = 100_000
    xlsxwriter_rows = args.rows if args.xlsxwriter_rows is None else args.xlsxwriter_rows
    payload = run(
        args.rows,
        args.format or ["csv", "xlsx"],
        xlsxwriter_rows,
        rustpy=not args.no_rustpy,
        levels=tuple(args.xlsx_level),
    )
    path = write_result(NAME, payload)
    print(f"written to {path}")
    return payload


if __name__ == "__main__":
    if "--child" in sys.argv:
        child = argparse.ArgumentParser()
        child.add_argument("--child", required=True)
        child.add_argument("--url", required=True)
        child.add_argument("--rows", type=int, default=0)
        child.add_argument("--level", type=int, default=None)
        _child(child.parse_args())
    else:
        main(sys.argv[1:])
