"""CSV and XLSX exports of a CDR search, written by a Celery task in constant memory.

``start`` records the job (the search's filters as plain strings), audits the request
and queues ``billing.cdrs.tasks.export_cdrs``; ``write`` is that task's body: it
rebuilds the scope from ids, re-validates the filters against it (an account moved
out of the scope since is refused, not exported), counts the rows once, then streams
them newest first into the file, saving progress as it goes. ``purge`` removes expired
files and their jobs.

How the rows are written (1M rows on a 2-core machine: ``benchmarks/cdr_export.py``):

- CSV on PostgreSQL: ``COPY (SELECT ...) TO STDOUT``, a day per statement, where the
  SELECT formats every cell exactly as ``CsvSink`` would (``copy_csv``; a test compares
  the bytes). Python only moves bytes: 1.5 to 1.9 times a bare ``COPY`` of the rows, in
  constant memory.
- XLSX on PostgreSQL, up to a sheet's rows: the same idea (``copy_xlsx``): ``COPY`` of a
  SELECT that writes each row as the sheet's XML, cells as ``write_xlsx`` writes them (a
  test compares them cell by cell); Python deflates the bytes into the zip. About half
  rustpy-xlsxwriter's time, in constant memory.
- XLSX on PostgreSQL over a sheet's rows: rustpy-xlsxwriter (``write_xlsx``), fed keyset
  chunks of values the server prepared, continuing on further sheets; several times
  faster than XlsxWriter, which took minutes.
- Elsewhere (SQLite in development): ``CsvSink``/``XlsxSink`` (XlsxWriter in
  constant-memory mode) fed keyset chunks.

Only the fields the requester's role may see are written (``billing.cdrs.columns``),
times in the requester's time zone, named in the header. Column names and coded values
(call level, end reason, ...) are words in the requester's language, unless the export
is ``raw`` ("Column names for machines"): field names and codes, for scripts. Text that
a spreadsheet would take for a formula is quoted in CSV; XLSX cells are written as text
cells, which a spreadsheet never evaluates.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import re
import secrets
import zipfile
import zoneinfo
from datetime import UTC, datetime, timedelta

import rustpy_xlsxwriter
import xlsxwriter
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.http import FileResponse
from django.urls import reverse
from django.utils import translation

from accounts import audit, events
from accounts.scope import OutOfScope, Scope
from billing.cdrs import columns as cdr_columns
from billing.cdrs import selectors as cdr_selectors
from billing.cdrs import tasks as cdr_tasks
from billing.cdrs.forms import CdrSearchForm
from billing.models import CdrExport
from web import numbers
from web.downloads import FORMULA_START, purge_expired
from web.tasks import enqueue

log = logging.getLogger(__name__)


CHUNK = 5000


# An XLSX sheet holds 1,048,576 rows: the header and this many data rows.
SHEET_ROWS = 1_048_575


_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def export_dir():
    path = settings.VAR_DIR / "exports" / "cdrs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(job: CdrExport):
    return export_dir() / job.file_name


def start(scope, requested_by, form, fmt: str, *, raw: bool = False) -> CdrExport:
    """Create an export job for a valid ``CdrSearchForm`` and queue its task. The
    request is audited with its filters. ``raw`` keeps field names and codes; otherwise
    the file is in words, in the language active now (the requester's)."""
    ttl = timedelta(hours=settings.CDR_EXPORT_TTL_HOURS)
    with transaction.atomic():
        job = CdrExport.objects.create(
            requested_by=requested_by,
            scope_user=scope.user,
            format=fmt,
            filters=form.as_params(),
            time_zone=form.zone.key,
            expires_at=datetime.now(UTC) + ttl,
            raw=raw,
            language="" if raw else translation.get_language() or "",
        )
        audit.record(
            "cdr.export",
            scope=scope,
            target=job,
            tenant=form.chosen_tenant or scope.tenant,
            payload={
                "filters": job.filters,
                "format": fmt,
                "time_zone": job.time_zone,
                "raw": raw,
            },
        )
        enqueue(cdr_tasks.export_cdrs, job.pk)
    return job


def record_download(scope, job: CdrExport) -> None:
    audit.record(
        "cdr.export_downloaded",
        scope=scope,
        target=job,
        tenant=scope.tenant,
        payload={"rows": job.rows_written, "format": job.format},
    )


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(scope, job: CdrExport, filename: str) -> FileResponse:
    """The finished export's file as an attachment named ``filename`` (the extension is
    added), its download audited; an export not ready, expired or gone is out of scope."""
    if job.status != CdrExport.Status.DONE or job.is_expired or not job.file_name:
        raise OutOfScope(f"CDR export {job.pk!r} not available")
    path = path_of(job)
    if not path.is_file():
        raise OutOfScope(f"CDR export {job.pk!r} file gone")
    record_download(scope, job)
    xlsx = job.format == CdrExport.Format.XLSX
    return FileResponse(
        open(path, "rb"),  # FileResponse closes it
        as_attachment=True,
        filename=f"{filename}.{job.format}",
        content_type=XLSX_TYPE if xlsx else "text/csv; charset=utf-8",
    )


class FiltersNoLongerValid(Exception):
    """The search cannot be run as the requester's scope is now."""


def write(job_id: int) -> None:

    # Claimed by one run only (acks late may deliver the task twice).
    if not CdrExport.objects.filter(pk=job_id, status=CdrExport.Status.PENDING).update(
        status=CdrExport.Status.RUNNING
    ):
        return
    job = CdrExport.objects.get(pk=job_id)
    extension = "xlsx" if job.format == CdrExport.Format.XLSX else "csv"
    path = export_dir() / f"cdrs-{job.pk}-{secrets.token_hex(8)}.{extension}"
    try:
        acting = job.requested_by_id if job.requested_by_id != job.scope_user_id else None
        scope = Scope.for_user_id(job.scope_user_id, acting)
        try:
            form = CdrSearchForm(job.filters, scope=scope, time_zone=job.time_zone)
            valid = form.is_valid()
        except OutOfScope:
            valid = False
        if not valid:
            raise FiltersNoLongerValid
        rows = cdr_selectors.search(scope, form.filters())
        total = rows.count()  # once, for the progress bar
        CdrExport.objects.filter(pk=job.pk).update(rows_total=total)
        fields = cdr_columns.export_fields(scope)
        zone = zoneinfo.ZoneInfo(job.time_zone)

        def progress(written):
            CdrExport.objects.filter(pk=job.pk).update(rows_written=written)

        with translation.override(job.language or settings.LANGUAGE_CODE):
            if extension == "csv" and connection.vendor == "postgresql":
                written = copy_csv(path, rows, form.filters(), fields, zone, job.raw, progress)
            elif extension == "xlsx" and copy_xlsx_fits(total):
                written = copy_xlsx(path, rows, form.filters(), fields, zone, job.raw, progress)
            elif extension == "xlsx" and fast_xlsx_fits(fields, zone, job.raw, total):
                written = write_xlsx(path, rows, fields, zone, job.raw, total, progress)
            else:
                written = _write_chunks(path, rows, fields, zone, job.raw, extension, progress)
        CdrExport.objects.filter(pk=job.pk).update(
            status=CdrExport.Status.DONE,
            file_name=path.name,
            rows_written=written,
            finished_at=datetime.now(UTC),
        )
        events.announce(
            "export.ready",
            tenant_path=scope.tenant.path if scope.tenant else "",
            data={
                "export_id": job.pk,
                "kind": "cdrs",
                "format": extension,
                "rows": written,
                "download_path": reverse("cdr_export_download", args=[job.pk]),
            },
        )
    except Exception as exc:
        path.unlink(missing_ok=True)
        if isinstance(exc, FiltersNoLongerValid):
            error = "The search is no longer valid for your accounts."
        else:
            error = type(exc).__name__
            log.exception("CDR export %s failed", job_id)
        CdrExport.objects.filter(pk=job.pk).update(
            status=CdrExport.Status.FAILED, error=error, finished_at=datetime.now(UTC)
        )
        if not isinstance(exc, FiltersNoLongerValid):
            raise


def _write_chunks(path, rows, fields, zone, raw, extension, progress) -> int:
    """The rows through a sink in keyset chunks (XLSX; CSV on SQLite)."""
    sink_class = XlsxSink if extension == "xlsx" else CsvSink
    written = 0
    with sink_class(path, fields, zone, raw=raw) as sink:
        for chunk in chunks(rows, fields, zone=zone, as_serial=sink.as_serial):
            sink.write(chunk)
            written += len(chunk)
            progress(written)
    return written


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# Excel's day number of 1970-01-01: a local time as a number of days since 1899-12-30.
_EXCEL_EPOCH_DAYS = 25569


def _time_in_database(field: str, zone, as_serial: bool) -> RawSQL:
    """PostgreSQL turns a time into the requester's wall time itself, as text for CSV
    or as Excel's day number for XLSX: reading a million timestamps into Python
    datetimes, converting and formatting them costs more than the rest of a CSV row.
    The zone name is a parameter, the column a constant."""
    column = f'"billing_cdr"."{field}"'
    if as_serial:
        return RawSQL(  # noqa: S611 (a constant column; the zone is a parameter)
            f"(extract(epoch from ({column} AT TIME ZONE %s)) / 86400.0"
            f" + {_EXCEL_EPOCH_DAYS})::float8",
            [zone.key],
        )
    text = f"to_char({column} AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI:SS')"
    return RawSQL(text, [zone.key])  # noqa: S611 (a constant column; the zone is a parameter)


def chunks(
    rows,
    fields: list[str],
    *,
    zone=None,
    as_serial=False,
    size: int | None = None,
    cells: dict | None = None,
):
    """The rows' values (``fields``, then the keyset's start and id), newest first,
    ``size`` at a time: each chunk is one query that continues after the last row of
    the previous one (no OFFSET, no open cursor), so memory stays flat whatever the
    total. With ``zone`` on PostgreSQL, time fields come already converted (see
    ``_time_in_database``); elsewhere they are aware datetimes. ``cells`` (PostgreSQL
    only) are SQL expressions written instead of ``fields``, one per field."""
    size = size or CHUNK
    names = list(fields)
    in_database = cells is not None or (zone is not None and connection.vendor == "postgresql")
    if in_database:
        annotations = dict(cells or {})
        if cells is None:
            annotations.update(
                (f"_local_{name}", _time_in_database(name, zone, as_serial))
                for name in fields
                if name in cdr_columns.TIME_FIELDS
            )
        annotations["_start_us"] = RawSQL(
            '(extract(epoch from "billing_cdr"."start") * 1000000)::bigint', []
        )
        rows = rows.annotate(**annotations)
        if cells is not None:
            names = list(cells)
        else:
            names = [f"_local_{n}" if n in cdr_columns.TIME_FIELDS else n for n in names]
        names += ["_start_us", "id"]
    else:
        names += ["start", "id"]
    position = None
    while True:
        chunk = rows
        if position is not None:
            start, pk = position
            # ``start <= s`` bounds the index range; the OR breaks ties on the id.
            chunk = rows.filter(Q(start__lt=start) | Q(start=start, id__lt=pk), start__lte=start)
        found = list(chunk.order_by("-start", "-id").values_list(*names)[:size])
        if not found:
            return
        yield found
        if len(found) < size:
            return
        start = found[-1][-2]
        if in_database:
            start = _EPOCH + timedelta(microseconds=start)
        position = (start, found[-1][-1])


def header(fields: list[str], zone, raw: bool = True) -> list[str]:
    """The column names: the fields' names (raw) or their words, in the active language;
    times say their zone."""
    names = [name if raw else str(cdr_columns.EXPORT_LABELS[name]) for name in fields]
    return [
        f"{title} ({zone.key})" if name in cdr_columns.TIME_FIELDS else title
        for name, title in zip(fields, names, strict=True)
    ]


def _worded(fields: list[str], raw: bool) -> list[tuple[int, object]]:
    """(column, words function) for each coded field written in words."""
    if raw:
        return []
    return [(i, cdr_columns.WORDED[n]) for i, n in enumerate(fields) if n in cdr_columns.WORDED]


class CsvSink:
    """csv.writer on a file. Numbers go as they are (csv writes their ``str``); text
    that a spreadsheet would read as a formula is quoted."""

    as_serial = False

    def __init__(self, path, fields, zone, raw: bool = True):
        self.path, self.fields, self.zone, self.raw = path, fields, zone, raw
        self._worded = _worded(fields, raw)
        self._times = [i for i, name in enumerate(fields) if name in cdr_columns.TIME_FIELDS]
        self._texts = [i for i, name in enumerate(fields) if cdr_columns.kind_of(name) == "text"]
        # Amounts come from the database as Decimals to 1/10000, written as they are
        # ("93.4407"); a platform that shows fewer places (RATE_DECIMALS) gets those.
        places = numbers.rate_places()
        self._amounts = (
            []
            if places == numbers.MAX_PLACES
            else [i for i, name in enumerate(fields) if cdr_columns.kind_of(name) == "money"]
        )
        self._places = places

    def __enter__(self):
        self._file = open(self.path, "w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        self._writer.writerow(header(self.fields, self.zone, self.raw))
        return self

    def write(self, chunk):
        width, zone, times, texts = len(self.fields), self.zone, self._times, self._texts
        risky = FORMULA_START
        out = []
        for values in chunk:
            row = list(values[:width])
            for i in times:
                value = row[i]
                if not isinstance(value, str):
                    row[i] = value.astimezone(zone).strftime(_TIME_FORMAT)
            for i in texts:
                value = row[i]
                if value and value.startswith(risky):
                    row[i] = "'" + value
            for i in self._amounts:
                row[i] = numbers.plain(row[i], self._places)
            for i, words in self._worded:
                row[i] = words(row[i])
            out.append(row)
        self._writer.writerows(out)

    def __exit__(self, *exc):
        self._file.close()


# --- CSV on PostgreSQL: COPY of a SELECT that writes each cell as CsvSink would --------------
#
# The server formats every cell (times in the zone, amounts, codes in words, text made
# formula-safe) and ``COPY ... TO STDOUT (FORMAT csv)`` quotes it as Python's csv module
# does (a cell with a comma, a quote, CR or LF is quoted, quotes doubled). Two
# differences are taken care of: an empty text is NULL (COPY writes NULL bare, as csv
# writes ""; it would quote an empty string), and COPY ends a row with LF where csv
# writes CRLF (``_CrLf``). Python only moves bytes: constant memory, a fraction of the
# per-cell loop's time.

# A day of calls per COPY: the progress bar moves, and each statement prunes to its days.
COPY_SLICE = timedelta(days=1)


# Bytes handed to the file at a time.
_COPY_BATCH = 1 << 20


# A code no words table holds: what a ``WORDED`` function writes around an unknown code.
_PROBE = -987654321


def _column(field: str) -> str:
    return f'"billing_cdr"."{field}"'


def _text_sql(field: str) -> RawSQL:
    """CsvSink's rule: text starting like a formula gets a leading quote; "" is NULL.
    The first character is compared by its code (``ascii()``: 0 for ""), cheaper than
    comparing texts."""
    column = _column(field)
    marks = ", ".join(str(ord(mark)) for mark in FORMULA_START)
    sql = (
        f"CASE WHEN ascii({column}) IN ({marks}) THEN %s || {column} ELSE NULLIF({column}, '') END"
    )
    return RawSQL(sql, ["'"])  # noqa: S611 (a constant column and constant codes)


def _time_text_sql(field: str, zone, iso: bool) -> RawSQL:
    """A time as "YYYY-MM-DD HH:MM:SS" in ``zone``: with DateStyle ISO the server's own
    output of the time cut to the second, cheaper than ``to_char``."""
    if not iso:
        return _time_in_database(field, zone, as_serial=False)
    sql = f"date_trunc('second', {_column(field)} AT TIME ZONE %s)"
    return RawSQL(sql, [zone.key])  # noqa: S611 (a constant column; the zone is a parameter)


def _date_style_is_iso() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SHOW DateStyle")
        return cursor.fetchone()[0].upper().startswith("ISO")


def _words_sql(field: str) -> RawSQL:
    """A coded field in words (the active language): a CASE over the codes that have
    words, any other code written as the field's words function writes it."""
    column, words = _column(field), cdr_columns.WORDED[field]
    codes = cdr_columns.codes_of(field)
    params = [str(words(code)) for code in codes]
    before, found, after = str(words(_PROBE)).partition(str(_PROBE))
    if not found:
        raise ValueError(f"{field}: an unknown code's words do not show the code")
    cases = " ".join(f"WHEN {int(code)} THEN %s" for code in codes)
    sql = f"CASE {column} {cases} ELSE %s || {column}::text || %s END"
    return RawSQL(sql, [*params, before, after])  # noqa: S611 (constants; words are parameters)


def _csv_cells(fields: list[str], zone, raw: bool) -> dict:
    """One SQL expression per field, giving the text CsvSink writes for it."""
    places, iso = numbers.rate_places(), _date_style_is_iso()
    cells = {}
    for n, field in enumerate(fields):
        kind, column = cdr_columns.kind_of(field), _column(field)
        if kind == "time":
            cell = _time_text_sql(field, zone, iso)
        elif kind == "text":
            cell = _text_sql(field)
        elif kind == "money" and places != numbers.MAX_PLACES:
            # round() on numeric is half away from zero, as ROUND_HALF_UP is.
            cell = RawSQL(f"round({column}, {int(places)})", [])  # noqa: S611 (constants)
        elif field in cdr_columns.WORDED and not raw:
            cell = _words_sql(field)
        else:
            cell = RawSQL(column, [])  # noqa: S611 (a constant column)
        cells[f"_cell_{n}"] = cell
    return cells


class _CrLf:
    """COPY ends rows with LF, csv with CRLF. An LF inside a quoted cell is the cell's
    own and stays; quotes are counted across writes (a doubled quote inside a cell
    counts twice, so the count stays right)."""

    def __init__(self, out):
        self.out, self.inside = out, False

    def write(self, data: bytes) -> None:
        if b'"' not in data:
            self.out.write(data if self.inside else data.replace(b"\n", b"\r\n"))
            return
        parts = data.split(b'"')
        outside = not self.inside
        for i, part in enumerate(parts):
            if outside:
                parts[i] = part.replace(b"\n", b"\r\n")
            outside = not outside
        self.inside = outside  # the last part's state is the one before the last flip
        self.out.write(b'"'.join(parts))


def copy_csv(path, rows, filters, fields: list[str], zone, raw: bool, progress) -> int:
    """Write ``rows`` (a search) as CsvSink writes them, newest first, with ``COPY``:
    the header by csv, the rows a day at a time. ``progress(rows so far)`` after each
    day. Returns the number of rows."""
    cells = _csv_cells(fields, zone, raw)
    written, batch, size = 0, [], 0
    with open(path, "wb") as out, connection.cursor() as cursor:
        head = io.StringIO()
        csv.writer(head).writerow(header(fields, zone, raw))
        out.write(head.getvalue().encode())
        sink, copying = _CrLf(out), cursor.cursor  # psycopg's own cursor: COPY TO STDOUT
        until = filters.until
        while until > filters.since:
            since = max(until - COPY_SLICE, filters.since)
            part = rows.filter(start__gte=since, start__lt=until).annotate(**cells)
            query = part.order_by("-start", "-id").values_list(*cells).query
            select = connection.ops.compose_sql(*query.sql_with_params())
            with copying.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    batch.append(block)
                    size += len(block)
                    if size >= _COPY_BATCH:
                        sink.write(b"".join(batch))
                        batch, size = [], 0
            if batch:
                sink.write(b"".join(batch))
                batch, size = [], 0
            if copying.rowcount > 0:
                written += copying.rowcount
                progress(written)
            until = since
    return written


# --- XLSX on PostgreSQL: rustpy-xlsxwriter (rust_xlsxwriter) fed the rows as the server
# formats them ----------------------------------------------------------------------------
#
# XlsxWriter spends minutes on a million rows (a Python call per cell). rust_xlsxwriter
# writes the cells in Rust, in constant memory (rows go to disk as they come); Python
# only makes one dict per row, of values PostgreSQL already prepared: times as Excel day
# numbers in the zone, amounts as float8 at the platform's places, codes in words. The
# file is the same sheet XlsxSink writes: text cells never read as formulas, times with
# a time format, amounts with a fixed number format, a sheet that is full continuing on
# the next one under the same header.

_TIME_XLSX = "yyyy-mm-dd hh:mm:ss"


def _amount_xlsx(places: int) -> str:
    return "0." + "0" * places if places else "0"


def _xlsx_cells(fields: list[str], zone, raw: bool) -> dict:
    """One SQL expression per field, giving the value XlsxSink writes for it."""
    places = numbers.rate_places()
    cells = {}
    for n, field in enumerate(fields):
        kind, column = cdr_columns.kind_of(field), _column(field)
        if kind == "time":
            cell = _time_in_database(field, zone, as_serial=True)
        elif kind == "text":
            cell = RawSQL(f"NULLIF({column}, '')", [])  # noqa: S611 (a constant column)
        elif kind == "money":
            cell = RawSQL(f"round({column}, {int(places)})::float8", [])  # noqa: S611
        elif field in cdr_columns.WORDED and not raw:
            cell = _words_sql(field)
        else:
            cell = RawSQL(column, [])  # noqa: S611 (a constant column)
        cells[f"_cell_{n}"] = cell
    return cells


class MoreRowsThanCounted(Exception):
    """Calls arrived between the count and the export and overflowed the last sheet."""


def fast_xlsx_fits(fields: list[str], zone, raw: bool, total: int) -> bool:
    """Whether ``write_xlsx`` can write this export: rows keyed by distinct column
    names, at least one row (an empty sheet would have no header), on PostgreSQL."""
    titles = header(fields, zone, raw)
    return connection.vendor == "postgresql" and total > 0 and len(set(titles)) == len(titles)


def write_xlsx(path, rows, fields: list[str], zone, raw: bool, total: int, progress) -> int:
    """Write ``rows`` (a search, ``total`` rows when counted) as XlsxSink writes them,
    with rustpy-xlsxwriter. ``progress(rows so far)`` after each chunk."""
    titles = header(fields, zone, raw)
    cells = _xlsx_cells(fields, zone, raw)
    written = 0

    def records():
        nonlocal written
        for chunk in chunks(rows, fields, cells=cells):
            for values in chunk:
                # The keyset's start and id, at the end, fall off.
                yield dict(zip(titles, values, strict=False))
            written += len(chunk)
            progress(written)

    source = records()
    count = max(1, -(-total // SHEET_ROWS))
    names = ["CDRs" if n == 1 else f"CDRs {n}" for n in range(1, count + 1)]
    time_format = rustpy_xlsxwriter.Format().set_num_format(_TIME_XLSX)
    amount = rustpy_xlsxwriter.Format().set_num_format(_amount_xlsx(numbers.rate_places()))
    formats = {
        title: time_format if kind == "time" else amount
        for title, kind in zip(titles, map(cdr_columns.kind_of, fields), strict=True)
        if kind in ("time", "money")
    }
    rustpy_xlsxwriter.write_worksheets(
        [(name, itertools.islice(source, SHEET_ROWS)) for name in names],
        str(path),
        column_width={"general": 16},
        column_formats={"general": formats},
    )
    if next(source, None) is not None:
        raise MoreRowsThanCounted
    return written


# --- XLSX on PostgreSQL: the server writes the sheet's XML rows --------------------------
#
# As ``copy_csv`` lets PostgreSQL write CSV, ``copy_xlsx`` lets it write each row of the
# sheet as SpreadsheetML: ``COPY (SELECT '<row r="N"><c r="AN" ...>...</row>') TO
# STDOUT``, a day per statement, row numbers by ``row_number()`` over the export's own
# order. Python only deflates those bytes into the zip between a fixed head and tail,
# next to the few small fixed parts of a workbook: constant memory, and the server's
# formatting overlaps the compression (two processes, two cores).
#
# The cells are the ones ``write_xlsx`` (rust_xlsxwriter) writes: text as inline strings
# (never a formula), escaped as rust_xlsxwriter escapes it (``_xml_text``); numbers as
# numbers; times as Excel day numbers, the same float8 PostgreSQL computes for
# ``write_xlsx``, written with the time format; amounts to the platform's places with the
# amount format; empty text and NULL leave the cell out; the header row, and the columns,
# carry the column's format as rust_xlsxwriter's do. Text needs no cut to Excel's 32,767
# characters a cell: the CDR's text columns hold at most 128.

# Deflate's level for the sheet. The bench's million rows under load (``-- --xlsx-level``):
# level 1 48 s and 223 MB, level 3 51 s and 200 MB, level 6 75 s and 167 MB
# (rust_xlsxwriter's file: 158 MB). Time first: the file is a download, once.
XLSX_COMPRESSLEVEL = 1


# rust_xlsxwriter's escapes, for text that would otherwise be read as something else: a
# literal "_xHHHH_" (Excel's escape of a character) gets its "_" escaped, each one even
# when two share an underscore, and then characters XML 1.0 cannot hold become "_xHHHH_".
# Tab and LF are valid XML; LF is written as a character reference, so that a row is one
# line of COPY's output.
_ESCAPE_LIKE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_NOT_IN_XML = [chr(code) for code in (*range(0x01, 0x09), *range(0x0B, 0x20), 0xFFFE, 0xFFFF)]
_NOT_IN_XML_RE = re.compile("[" + re.escape("".join(_NOT_IN_XML)) + "]")
_MARKUP = [("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\n", "&#10;")]


def _xml_text(text: str) -> str:
    """``text`` as the content of an inline string cell, escaped as rust_xlsxwriter
    escapes it (and LF as a reference)."""
    text = _ESCAPE_LIKE.sub("_x005F_", text)
    text = _NOT_IN_XML_RE.sub(lambda found: f"_x{ord(found.group()):04X}_", text)
    for char, reference in _MARKUP:
        text = text.replace(char, reference)
    return text


def _xml_text_sql(column: str) -> str:
    """``_xml_text`` in SQL, for a text column. Used only for the rows whose text has
    something to escape (``_NEEDS_ESCAPE``): most rows have nothing, and their text goes
    as it is."""
    sql = f"regexp_replace({column}, '_(?=x[0-9A-Fa-f]{{4}}_)', '_x005F_', 'g')"
    for char in _NOT_IN_XML:
        sql = f"replace({sql}, chr({ord(char)}), '_x{ord(char):04X}_')"
    for char, reference in _MARKUP:
        sql = f"replace({sql}, chr({ord(char)}), '{reference}')"
    return sql


# Whether a text needs ``_xml_text_sql``: markup, LF, a character XML cannot hold, or
# something like rust_xlsxwriter's escape. A regular expression for PostgreSQL.
_NEEDS_ESCAPE = "[&<>\n" + "".join(_NOT_IN_XML) + "]|_x"


def _column_letter(index: int) -> str:
    """A column's letters (0: "A", 25: "Z", 26: "AA", ...)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# Cell styles, as numbered in ``_styles()``: the time format and the amount format.
_TIME_STYLE, _AMOUNT_STYLE = 1, 2


def _cell_styles(fields: list[str]) -> list[int]:
    """The style of each column (0: none), as ``write_xlsx`` gives it."""
    kinds = map(cdr_columns.kind_of, fields)
    return [{"time": _TIME_STYLE, "money": _AMOUNT_STYLE}.get(kind, 0) for kind in kinds]


def _xlsx_row_sql(fields: list[str], zone, raw: bool, first_row: int) -> tuple[str, list]:
    """The SELECT expression (and its parameters) that writes a row of the sheet, rows
    numbered from ``first_row`` in the export's order."""
    places = numbers.rate_places()
    number = (
        'row_number() OVER (ORDER BY "billing_cdr"."start" DESC, "billing_cdr"."id" DESC)'
        f" + {int(first_row) - 1}"
    )
    texts = [f for f in fields if cdr_columns.kind_of(f) == "text"]

    def cells(escaped: bool) -> tuple[list[str], list]:
        out, params = [], []
        for index, (field, style) in enumerate(zip(fields, _cell_styles(fields), strict=True)):
            kind, column = cdr_columns.kind_of(field), _column(field)
            at = f"'<c r=\"{_column_letter(index)}' || {number} || '\""
            if kind == "text":
                value = _xml_text_sql(column) if escaped else column
                out.append(
                    f"CASE WHEN {column} <> '' THEN {at} t=\"inlineStr\"><is>"
                    f"<t xml:space=\"preserve\">' || {value} || '</t></is></c>' END"
                )
                continue
            if field in cdr_columns.WORDED and not raw:
                words = _words_sql(field)
                value = words.sql
                params += [_xml_text(param) for param in words.params]
                out.append(
                    f'{at} t="inlineStr"><is><t xml:space="preserve">\' || ({value})'
                    " || '</t></is></c>'"
                )
                continue
            if kind == "time":
                value = (
                    f"((extract(epoch from ({column} AT TIME ZONE %s)) / 86400.0"
                    f" + {_EXCEL_EPOCH_DAYS})::float8)::text"
                )
                params.append(zone.key)
            elif kind == "money" and places != numbers.MAX_PLACES:
                # round() on numeric is half away from zero, as write_xlsx's is.
                value = f"round({column}, {int(places)})::text"
            else:
                value = f"{column}::text"
            shown = f' s="{style}"' if style else ""
            out.append(f"{at}{shown}><v>' || {value} || '</v></c>'")
        return out, params

    def row(escaped: bool) -> tuple[str, list]:
        parts, params = cells(escaped)
        # concat() skips a NULL cell; it takes at most 100 arguments.
        groups = [parts[at : at + 50] for at in range(0, len(parts), 50)]
        inner = ", ".join("concat(" + ", ".join(group) + ")" for group in groups)
        return f"concat('<row r=\"', {number}, '\">', {inner}, '</row>')", params

    plain, plain_params = row(escaped=False)
    if not texts:
        return plain, plain_params
    escaped, escaped_params = row(escaped=True)
    every_text = "concat(" + ", ".join(_column(f) for f in texts) + ")"
    sql = f"CASE WHEN {every_text} ~ %s THEN {escaped} ELSE {plain} END"
    return sql, [_NEEDS_ESCAPE, *escaped_params, *plain_params]


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)

_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)

_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<bookViews><workbookView/></bookViews><sheets><sheet name="CDRs" sheetId="1" '
    'r:id="rId1"/></sheets></workbook>'
)

_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)


def _styles(places: int) -> str:
    """Three cell styles: none, the time format (``_TIME_STYLE``), the amount format."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{_TIME_XLSX}"/>'
        f'<numFmt numFmtId="165" formatCode="{_amount_xlsx(places)}"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '</fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
        '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border>'
        "<left/><right/><top/><bottom/><diagonal/></border></borders>"
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" '
        'xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" '
        'borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1">'
        '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    )


# rust_xlsxwriter's width for a column of width 16 (XlsxWriter's padding included).
_COLUMN_WIDTH = "16.7109375"


def _sheet_head(fields: list[str], zone, raw: bool) -> str:
    """The sheet up to its first data row: columns 16 wide with their formats, and the
    header row (its cells in their column's format, as rust_xlsxwriter writes them)."""
    styles = _cell_styles(fields)
    columns = "".join(
        f'<col min="{n}" max="{n}" width="{_COLUMN_WIDTH}"'
        + (f' style="{style}"' if style else "")
        + ' customWidth="1"/>'
        for n, style in enumerate(styles, start=1)
    )
    titles = "".join(
        f'<c r="{_column_letter(n)}1"'
        + (f' s="{style}"' if style else "")
        + f' t="inlineStr"><is><t xml:space="preserve">{_xml_text(title)}</t></is></c>'
        for n, (title, style) in enumerate(zip(header(fields, zone, raw), styles, strict=True))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{columns}</cols>'
        f'<sheetData><row r="1">{titles}</row>'
    )


_SHEET_TAIL = (
    '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
    'header="0.3" footer="0.3"/></worksheet>'
)


def copy_xlsx_fits(total: int) -> bool:
    """Whether ``copy_xlsx`` can write this export: on PostgreSQL, on one sheet (a
    longer one spans sheets: ``write_xlsx``)."""
    return connection.vendor == "postgresql" and total <= SHEET_ROWS


# A zip member over this many bytes needs the Zip64 extension. A sheet stays well under it
# (a million rows of the bench's calls: about 2 GB of XML), and a plain zip is what
# rust_xlsxwriter and XlsxWriter write: Zip64 headers are written only for a sheet that
# turns out larger, by writing it again.
_ZIP_LIMIT = zipfile.ZIP64_LIMIT


class _SheetNeedsZip64(Exception):
    """The sheet's XML outgrew a plain zip member."""


def copy_xlsx(path, rows, filters, fields: list[str], zone, raw: bool, progress) -> int:
    """Write ``rows`` (a search) as ``write_xlsx`` writes them on one sheet, newest first,
    PostgreSQL writing the sheet's rows with ``COPY``, a day at a time. ``progress(rows
    so far)`` after each day (from 0 again if the sheet is written again with Zip64).
    Returns the number of rows; more than a sheet holds (calls that arrived after the
    count) fails with ``MoreRowsThanCounted``."""
    try:
        return _copy_xlsx(path, rows, filters, fields, zone, raw, progress, zip64=False)
    except _SheetNeedsZip64:
        return _copy_xlsx(path, rows, filters, fields, zone, raw, progress, zip64=True)


def _copy_xlsx(path, rows, filters, fields, zone, raw, progress, *, zip64: bool) -> int:
    written, batch, size, sheet_bytes = 0, [], 0, 0
    parts = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSLEVEL)
    with parts, connection.cursor() as cursor:
        parts.writestr("[Content_Types].xml", _CONTENT_TYPES)
        parts.writestr("_rels/.rels", _ROOT_RELS)
        parts.writestr("xl/workbook.xml", _WORKBOOK)
        parts.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        parts.writestr("xl/styles.xml", _styles(numbers.rate_places()))
        copying = cursor.cursor  # psycopg's own cursor: COPY TO STDOUT
        with parts.open("xl/worksheets/sheet1.xml", "w", force_zip64=zip64) as sheet:

            def write(data: bytes) -> None:
                nonlocal sheet_bytes
                sheet_bytes += len(data)
                if sheet_bytes > _ZIP_LIMIT - len(_SHEET_TAIL) and not zip64:
                    raise _SheetNeedsZip64
                sheet.write(data)

            write(_sheet_head(fields, zone, raw).encode())
            until = filters.until
            while until > filters.since:
                since = max(until - COPY_SLICE, filters.since)
                sql, params = _xlsx_row_sql(fields, zone, raw, first_row=written + 2)
                part = rows.filter(start__gte=since, start__lt=until)
                part = part.annotate(_xlsx_row=RawSQL(sql, params))  # noqa: S611 (constants; values are parameters)
                query = part.order_by("-start", "-id").values_list("_xlsx_row").query
                select = connection.ops.compose_sql(*query.sql_with_params())
                # CSV whose quote and delimiter never occur in a row (they are escaped
                # as "_xHHHH_", LF as a reference): each row comes as it is, plus LF.
                statement = (
                    f"COPY ({select}) TO STDOUT (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
                )
                with transaction.atomic():
                    # Day numbers written to the last digit that tells them apart (the
                    # server's default, which a role or database may have changed).
                    cursor.execute("SET LOCAL extra_float_digits = 1")
                    with copying.copy(statement) as copy:
                        for block in copy:
                            batch.append(block)
                            size += len(block)
                            if size >= _COPY_BATCH:
                                write(b"".join(batch).replace(b"\n", b""))
                                batch, size = [], 0
                    if batch:
                        write(b"".join(batch).replace(b"\n", b""))
                        batch, size = [], 0
                    copied = copying.rowcount
                if copied > 0:
                    written += copied
                    if written > SHEET_ROWS:
                        raise MoreRowsThanCounted
                    progress(written)
                until = since
            write(_SHEET_TAIL.encode())
    return written


class XlsxSink:
    """XlsxWriter in constant memory: each row goes to disk as it is written. A sheet
    that is full continues on the next one, under the same header. Times are real
    spreadsheet times (a day number with a time format), in the requester's zone."""

    as_serial = True

    def __init__(self, path, fields, zone, raw: bool = True):
        self.path, self.fields, self.zone, self.raw = path, fields, zone, raw
        self.kinds = [cdr_columns.kind_of(name) for name in fields]
        self._worded = dict(_worded(fields, raw))
        for column in self._worded:
            self.kinds[column] = "words"

    def __enter__(self):
        self._book = xlsxwriter.Workbook(
            str(self.path),
            {
                "constant_memory": True,
                "tmpdir": str(export_dir()),
                # Text stays text: never a formula, a link or a number.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self._time = self._book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        # Amounts are numbers shown to the platform's places for a call's fee.
        places = numbers.rate_places()
        self._amount = self._book.add_format({"num_format": "0." + "0" * places if places else "0"})
        self._places = places
        self._sheets = 0
        self._new_sheet()
        return self

    def _new_sheet(self):
        self._sheets += 1
        name = "CDRs" if self._sheets == 1 else f"CDRs {self._sheets}"
        self._sheet = self._book.add_worksheet(name)
        for column, title in enumerate(header(self.fields, self.zone, self.raw)):
            self._sheet.write_string(0, column, title)
        self._sheet.set_column(0, len(self.fields) - 1, 16)
        self._row = 0

    def write(self, chunk):
        zone, time_format = self.zone, self._time
        plan = list(enumerate(self.kinds))
        for values in chunk:
            if self._row >= SHEET_ROWS:
                self._new_sheet()
            self._row += 1
            row, sheet = self._row, self._sheet
            for column, kind in plan:
                value = values[column]
                if kind == "time":
                    if isinstance(value, float):
                        sheet.write_number(row, column, value, time_format)
                    else:
                        local = value.astimezone(zone).replace(tzinfo=None)
                        sheet.write_datetime(row, column, local, time_format)
                elif kind == "money":
                    if self._places != numbers.MAX_PLACES:  # stored to 1/10000 already
                        value = numbers.rounded(value, self._places)
                    sheet.write_number(row, column, float(value), self._amount)
                elif kind == "whole":
                    sheet.write_number(row, column, value)
                elif kind == "words":
                    sheet.write_string(row, column, self._worded[column](value))
                elif value:
                    sheet.write_string(row, column, value)

    def __exit__(self, *exc):
        self._book.close()


def purge() -> int:
    """Delete expired exports: their files, then their jobs."""
    return purge_expired(CdrExport.objects.all(), export_dir())
