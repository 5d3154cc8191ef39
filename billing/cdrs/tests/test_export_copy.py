"""The CSV export on PostgreSQL (``COPY`` of a SELECT that formats every cell) writes the
very bytes the Python writer (``CsvSink``) writes, for values a spreadsheet or a CSV
parser would trip on, in both header modes, in a time zone that is not UTC."""

from __future__ import annotations

import io
import shutil
import subprocess
import uuid
import zipfile
import zoneinfo
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
import pytest
import rustpy_xlsxwriter
from django.db import connection
from django.utils import translation

from accounts.scope import Scope
from accounts.tests.factories import AdminFactory
from billing.cdrs import columns as cdr_columns
from billing.cdrs import export as cdr_export
from billing.cdrs import selectors as cdr_selectors
from billing.cdrs import store as cdr_store
from billing.cdrs.forms import CdrSearchForm
from billing.models import Cdr
from switch import labels

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+15551234",
    "-2+3",
    "@SUM(A1:A9)",
    "\tled by a tab",
    "\rled by a CR",
    "a,b,c",
    'say "hi"',
    '"',
    ",",
    "line one\nline two",
    "cr lf\r\ninside",
    "ends with LF\n",
    "mid\ttab",
    "  spaces  ",
    "ünïcødé 中文 ☎ 🙂",
    "",
    "\\.",
    "back\\slash\\n",
    "'already quoted",
    "NULL",
    "\\N",
    "=",
    "x" * 60,
]

TEXT_FIELDS = [f for f in cdr_store.FIELD_OF_WIRE.values() if cdr_columns.kind_of(f) == "text"]

AMOUNTS = [
    Decimal("0"),
    Decimal("93.4407"),
    Decimal("-0.0040"),
    Decimal("0.0050"),
    Decimal("-0.0050"),
    Decimal("1.9999"),
    Decimal("12345678901234.5678"),
    Decimal("-42.1250"),
]


def hostile_cdrs(server, first: datetime, count: int, values=HOSTILE) -> list[Cdr]:
    """``count`` calls one every 37 minutes from ``first``, each text field a hostile
    value (shifted per field so they meet in every combination), codes known and not."""
    rows = []
    for n in range(count):
        start = first + timedelta(minutes=37 * n, microseconds=n)
        texts = {name: values[(n + 7 * i) % len(values)] for i, name in enumerate(TEXT_FIELDS)}
        amount = AMOUNTS[n % len(AMOUNTS)]
        rows.append(
            Cdr(
                server=server,
                natural_key=uuid.uuid4(),
                start=start,
                stop=start + timedelta(seconds=n),
                **texts,
                hold_time=n % 5 * 61,
                fee_time=n,
                fee=amount,
                suite_fee=-amount,
                agent_fee=AMOUNTS[(n + 3) % len(AMOUNTS)],
                agent_suite_fee=amount,
                call_level=[1, 2, 3, 4, 5, 9][n % 6],  # 3 and 9: no words in the catalog
                end_direction=n % 4,
                end_reason=[1, 2, 99, 8, 0, -5, 19][n % 7],  # 99, 0, -5: "Other reason"
                callee_billing=n % 4,
                billing_mode=n % 5,
            )
        )
    # Two calls of the same instant: the order falls back on the id.
    rows.append(Cdr(**{**_fields_of(rows[-1]), "natural_key": uuid.uuid4()}))
    return rows


def _fields_of(cdr: Cdr) -> dict:
    return {f.attname: getattr(cdr, f.attname) for f in Cdr._meta.fields if f.name != "id"}


def both_ways(tmp_path, scope, params, time_zone, raw, language):
    """The export of ``params`` written by CsvSink (keyset chunks) and by COPY."""
    form = CdrSearchForm(params, scope=scope, time_zone=time_zone)
    assert form.is_valid(), form.errors
    rows = cdr_selectors.search(scope, form.filters())
    fields = cdr_columns.export_fields(scope)
    zone = zoneinfo.ZoneInfo(time_zone)
    by_python, by_copy = tmp_path / "python.csv", tmp_path / "copy.csv"
    progress = []
    with translation.override(language):
        python_rows = cdr_export._write_chunks(
            by_python, rows, fields, zone, raw, "csv", lambda n: None
        )
        copy_rows = cdr_export.copy_csv(
            by_copy, rows, form.filters(), fields, zone, raw, progress.append
        )
    assert python_rows == copy_rows == rows.count()
    assert progress == sorted(progress) and (progress or [0])[-1] == copy_rows
    return by_python.read_bytes(), by_copy.read_bytes()


@pytest.fixture
def hostile_world(vos_server):
    first = datetime(2026, 3, 7, 20, 0, tzinfo=UTC)  # over a DST change in New York
    rows = hostile_cdrs(vos_server, first, 300)
    cdr_store.ensure_partitions([first, rows[-1].start])
    Cdr.objects.bulk_create(rows)
    return {"date_from": "2026-03-07", "date_to": "2026-03-14"}


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("raw", "language"), [(False, "en"), (False, "zh-hans"), (True, "en")], ids=str
)
def test_it_writes_the_same_bytes_by_copy_as_by_python(
    tmp_path, hostile_world, monkeypatch, raw, language
):
    # Tiny batches and slices: cells, rows and days cut at every possible place.
    monkeypatch.setattr(cdr_export, "_COPY_BATCH", 7)
    monkeypatch.setattr(cdr_export, "COPY_SLICE", timedelta(hours=5))
    scope = Scope(AdminFactory())
    by_python, by_copy = both_ways(
        tmp_path, scope, hostile_world, "America/New_York", raw, language
    )
    assert by_copy == by_python
    text = by_copy.decode()
    assert "'=cmd|' /C calc'!A0" in text and '"say ""hi"""' in text
    assert '"line one\nline two"' in text and text.count("\r\n") > 300
    head = text.split("\r\n", 1)[0]
    with translation.override(language):
        if raw:
            assert "caller_e164" in head and ",99," in text
        else:
            assert str(cdr_columns.EXPORT_LABELS["caller_e164"]) in head
            assert labels.end_reason(99) in text and labels.end_reason(1) in text


@pytest.mark.postgres
def test_it_rounds_amounts_as_python_does_to_fewer_places(
    tmp_path, hostile_world, settings, monkeypatch
):
    settings.RATE_DECIMALS = 2
    monkeypatch.setattr(cdr_export, "COPY_SLICE", timedelta(hours=11))
    scope = Scope(AdminFactory())
    by_python, by_copy = both_ways(tmp_path, scope, hostile_world, "Asia/Kolkata", False, "en")
    assert by_copy == by_python
    assert ",0.00," in by_copy.decode() and ",-0.00," not in by_copy.decode()


@pytest.mark.postgres
def test_it_writes_times_itself_when_the_server_does_not_speak_iso(tmp_path, hostile_world):
    scope = Scope(AdminFactory())
    with connection.cursor() as cursor:
        cursor.execute("SET DateStyle TO 'SQL, DMY'")
        try:
            by_python, by_copy = both_ways(
                tmp_path, scope, hostile_world, "Asia/Kolkata", True, "en"
            )
        finally:
            cursor.execute("RESET DateStyle")
    assert by_copy == by_python


@pytest.mark.postgres
def test_it_writes_the_header_alone_for_no_calls(tmp_path, hostile_world):
    scope = Scope(AdminFactory())
    empty = {"date_from": "2026-04-01", "date_to": "2026-04-02"}
    by_python, by_copy = both_ways(tmp_path, scope, empty, "Asia/Kolkata", True, "en")
    assert by_copy == by_python and by_copy.count(b"\r\n") == 1


def test_it_cuts_crlf_only_outside_quoted_cells():
    body = b'a,"x\ny""\n",b\nc,"\n",""""\n'
    expected = b'a,"x\ny""\n",b\r\nc,"\n",""""\r\n'
    for size in range(1, len(body) + 1):
        out = io.BytesIO()
        sink = cdr_export._CrLf(out)
        for start in range(0, len(body), size):
            sink.write(body[start : start + size])
        assert out.getvalue() == expected, size


def read_sheets(path) -> list[list[list]]:
    """Every sheet's rows as (value, number format) per cell; text cells must be text."""
    book = openpyxl.load_workbook(path)
    sheets = []
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows():
            rows.append([(cell.value, cell.number_format) for cell in row])
            assert all(isinstance(c.value, str) == (c.data_type == "s") for c in row)
        sheets.append(rows)
    return sheets


@pytest.mark.postgres
@pytest.mark.parametrize(("raw", "language"), [(False, "zh-hans"), (True, "en")], ids=str)
def test_it_writes_xlsx_with_rust_as_xlsxwriter_did(
    tmp_path, hostile_world, monkeypatch, raw, language
):
    monkeypatch.setattr(cdr_export, "SHEET_ROWS", 120)  # three sheets
    monkeypatch.setattr(cdr_export, "CHUNK", 50)
    scope = Scope(AdminFactory())
    form = CdrSearchForm(hostile_world, scope=scope, time_zone="America/New_York")
    assert form.is_valid(), form.errors
    rows = cdr_selectors.search(scope, form.filters())
    fields = cdr_columns.export_fields(scope)
    zone = zoneinfo.ZoneInfo("America/New_York")
    total = rows.count()
    progress = []
    with translation.override(language):
        assert cdr_export.fast_xlsx_fits(fields, zone, raw, total)
        by_rust = cdr_export.write_xlsx(
            tmp_path / "rust.xlsx", rows, fields, zone, raw, total, progress.append
        )
        by_xlsxwriter = cdr_export._write_chunks(
            tmp_path / "xlsxwriter.xlsx", rows, fields, zone, raw, "xlsx", lambda n: None
        )
        head = cdr_export.header(fields, zone, raw)
    assert by_rust == by_xlsxwriter == total == progress[-1] > 240
    rust, before = read_sheets(tmp_path / "rust.xlsx"), read_sheets(tmp_path / "xlsxwriter.xlsx")
    assert [len(sheet) for sheet in rust] == [121, 121, total - 240 + 1]
    assert all([value for value, _ in sheet[0]] == head for sheet in rust)
    # Every cell's value the same; times within a millisecond (day numbers as floats).
    for new_sheet, old_sheet in zip(rust, before, strict=True):
        for new_row, old_row in zip(new_sheet[1:], old_sheet[1:], strict=True):
            for (new, new_format), (old, _) in zip(new_row, old_row, strict=True):
                if isinstance(old, datetime):
                    assert abs(new - old) < timedelta(milliseconds=1)
                    assert new_format == "yyyy-mm-dd hh:mm:ss"
                elif isinstance(old, float):  # XlsxWriter writes 16 digits, Rust 17
                    assert new == pytest.approx(old, rel=1e-15)
                else:
                    assert new == old
    newest = rows.order_by("-start", "-id").first()
    first = dict(zip(head, rust[0][1], strict=True))
    start = first[head[0]]
    assert start[0] == newest.start.astimezone(zone).replace(tzinfo=None, microsecond=0)
    fee = first["fee" if raw else head[fields.index("fee")]]
    assert fee == (float(newest.fee), "0.0000")
    caller = head[fields.index("caller_e164")]
    cells = [dict(zip(head, row, strict=True))[caller][0] for row in rust[0][1:]]
    assert "=cmd|' /C calc'!A0" in cells and "line one\nline two" in cells


@pytest.mark.postgres
def test_it_refuses_to_drop_calls_that_overflow_the_last_sheet(
    tmp_path, hostile_world, monkeypatch
):
    # Calls that arrive between the count and the export fill the sheets counted for;
    # beyond the last one the export fails rather than leave them out.
    monkeypatch.setattr(cdr_export, "SHEET_ROWS", 100)
    scope = Scope(AdminFactory())
    form = CdrSearchForm(hostile_world, scope=scope, time_zone="UTC")
    assert form.is_valid(), form.errors
    rows = cdr_selectors.search(scope, form.filters())
    fields = cdr_columns.export_fields(scope)
    zone = zoneinfo.ZoneInfo("UTC")
    counted_before = 200  # two sheets' worth, fewer than there are now
    assert rows.count() > counted_before
    with pytest.raises(cdr_export.MoreRowsThanCounted):
        cdr_export.write_xlsx(
            tmp_path / "x.xlsx", rows, fields, zone, True, counted_before, lambda n: None
        )


# What an XML sheet could trip on, besides ``HOSTILE``: markup, characters XML 1.0 cannot
# hold (rust_xlsxwriter writes them as "_xHHHH_"), text that looks like such an escape.
XML_HOSTILE = [
    *HOSTILE,
    "=1+1",
    "<script>alert(1)</script>&amp;",
    "]]><x/>",
    "bell\x07 esc\x1b vt\x0b ff\x0c us\x1f",
    "\x01",
    "not a char \ufffe \uffff",
    "_x0041_ _x00ab_ _X0041_ _x004",
    "__x005F_x0041__",
    "DEL \x7f C1 \x85",
    "🙂" * 64,
    "中" * 64,
]


def test_it_escapes_text_in_python_as_rust_xlsxwriter_does(tmp_path):
    # The header and the words go through _xml_text: an XML reader gets from it the
    # text openpyxl reads from rust_xlsxwriter's cell (escapes such as "_x0007_" and
    # "_x005F_" are left for the spreadsheet to decode, in both).
    path = tmp_path / "rust.xlsx"
    values = [value for value in XML_HOSTILE if value]
    rustpy_xlsxwriter.write_worksheets([("CDRs", iter([{"a": v} for v in values]))], str(path))
    read = [row[0].value for row in openpyxl.load_workbook(path).active.iter_rows(min_row=2)]
    cells = [f"<t>{cdr_export._xml_text(value)}</t>" for value in values]
    ours = [ElementTree.fromstring(cell).text for cell in cells]  # noqa: S314 (our own text)
    assert ours == read
    assert cdr_export._xml_text("a\nb") == "a&#10;b"  # a row stays one line of COPY


@pytest.fixture
def xml_hostile_world(vos_server):
    first = datetime(2026, 3, 7, 20, 0, tzinfo=UTC)  # over a DST change in New York
    rows = hostile_cdrs(vos_server, first, 250, values=XML_HOSTILE)
    cdr_store.ensure_partitions([first, rows[-1].start])
    Cdr.objects.bulk_create(rows)
    return {"date_from": "2026-03-07", "date_to": "2026-03-14"}


def read_cells(path) -> list[list[list]]:
    """Every sheet's rows as (value, type, number format) per cell, a number's value as
    a float (rust_xlsxwriter writes 3 as "3.0", which openpyxl reads as a float)."""
    book = openpyxl.load_workbook(path)
    sheets = []
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows():
            cells = []
            for cell in row:
                value = cell.value
                if cell.data_type == "n" and value is not None:
                    assert isinstance(value, int | float) and not isinstance(value, bool)
                    value = float(value)
                cells.append((value, cell.data_type, cell.number_format))
            rows.append(cells)
        sheets.append(rows)
    return sheets


def both_xlsx(tmp_path, params, time_zone, raw, language):
    """The export of ``params`` written by rust_xlsxwriter and by COPY, its header and
    fields."""
    scope = Scope(AdminFactory())
    form = CdrSearchForm(params, scope=scope, time_zone=time_zone)
    assert form.is_valid(), form.errors
    rows = cdr_selectors.search(scope, form.filters())
    fields = cdr_columns.export_fields(scope)
    zone = zoneinfo.ZoneInfo(time_zone)
    total = rows.count()
    by_rust, by_copy, progress = tmp_path / "rust.xlsx", tmp_path / "copy.xlsx", []
    with translation.override(language):
        assert cdr_export.copy_xlsx_fits(total)
        copied = cdr_export.copy_xlsx(
            by_copy, rows, form.filters(), fields, zone, raw, progress.append
        )
        if total:
            assert cdr_export.write_xlsx(by_rust, rows, fields, zone, raw, total, lambda n: 0)
        head = cdr_export.header(fields, zone, raw)
    assert copied == total
    assert progress == sorted(progress) and (progress or [0])[-1] == copied
    return by_rust, by_copy, head, fields


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("raw", "language"), [(False, "en"), (False, "zh-hans"), (True, "en")], ids=str
)
def test_it_writes_xlsx_by_copy_as_rust_does(
    tmp_path, xml_hostile_world, monkeypatch, raw, language
):
    # Tiny batches and slices: rows and days cut at every possible place.
    monkeypatch.setattr(cdr_export, "_COPY_BATCH", 7)
    monkeypatch.setattr(cdr_export, "COPY_SLICE", timedelta(hours=5))
    by_rust, by_copy, head, fields = both_xlsx(
        tmp_path, xml_hostile_world, "America/New_York", raw, language
    )
    with zipfile.ZipFile(by_copy) as book:
        assert book.testzip() is None
    rust, copy = read_cells(by_rust), read_cells(by_copy)
    assert len(copy) == 1 and len(copy[0]) == 252  # the header and every call
    assert copy == rust
    assert [value for value, _, _ in copy[0][0]] == head
    caller = [row[fields.index("caller_e164")] for row in copy[0][1:]]
    assert ("=1+1", "s", "General") in caller  # text, not a formula
    assert ("bell_x0007_ esc_x001B_ vt_x000B_ ff_x000C_ us_x001F_", "s", "General") in caller
    assert ("line one\nline two", "s", "General") in caller
    start = copy[0][1][0]
    assert isinstance(start[0], datetime) and start[1:] == ("d", "yyyy-mm-dd hh:mm:ss")


@pytest.mark.postgres
def test_it_writes_amounts_by_copy_to_fewer_places_as_rust_does(
    tmp_path, xml_hostile_world, settings
):
    settings.RATE_DECIMALS = 2
    by_rust, by_copy, _, fields = both_xlsx(
        tmp_path, xml_hostile_world, "Asia/Kolkata", False, "en"
    )
    rust, copy = read_cells(by_rust), read_cells(by_copy)
    assert copy == rust
    fee = fields.index("fee")
    assert {row[fee][2] for row in copy[0]} == {"0.00"}
    assert (-42.13, "n", "0.00") in [row[fee] for row in copy[0]]


@pytest.mark.postgres
def test_it_writes_the_header_alone_by_copy_for_no_calls(tmp_path, xml_hostile_world):
    empty = {"date_from": "2026-04-01", "date_to": "2026-04-02"}
    _, by_copy, head, _ = both_xlsx(tmp_path, empty, "UTC", True, "en")
    assert [[value for value, _, _ in row] for row in read_cells(by_copy)[0]] == [head]


@pytest.mark.postgres
def test_it_writes_a_sheet_too_large_for_a_plain_zip_again_with_zip64(
    tmp_path, xml_hostile_world, monkeypatch
):
    by_rust, by_plain, _, _ = both_xlsx(tmp_path, xml_hostile_world, "UTC", True, "en")
    with zipfile.ZipFile(by_plain) as book:
        plain = book.getinfo("xl/worksheets/sheet1.xml")
    assert plain.extract_version < zipfile.ZIP64_VERSION and plain.file_size > 100_000
    monkeypatch.setattr(cdr_export, "_ZIP_LIMIT", 100_000)  # outgrown half way
    monkeypatch.setattr(cdr_export, "COPY_SLICE", timedelta(hours=5))
    by_copy = tmp_path / "zip64.xlsx"
    scope = Scope(AdminFactory())
    form = CdrSearchForm(xml_hostile_world, scope=scope, time_zone="UTC")
    assert form.is_valid(), form.errors
    rows = cdr_selectors.search(scope, form.filters())
    fields = cdr_columns.export_fields(scope)
    zone = zoneinfo.ZoneInfo("UTC")
    with translation.override("en"):
        written = cdr_export.copy_xlsx(
            by_copy, rows, form.filters(), fields, zone, True, lambda n: None
        )
    assert written == rows.count()
    with zipfile.ZipFile(by_copy) as book:
        assert book.testzip() is None
        assert book.getinfo("xl/worksheets/sheet1.xml").extract_version == zipfile.ZIP64_VERSION
    assert read_cells(by_copy) == read_cells(by_rust)


@pytest.mark.postgres
def test_it_refuses_to_drop_calls_that_overflow_the_copied_sheet(
    tmp_path, xml_hostile_world, monkeypatch
):
    monkeypatch.setattr(cdr_export, "SHEET_ROWS", 100)
    scope = Scope(AdminFactory())
    form = CdrSearchForm(xml_hostile_world, scope=scope, time_zone="UTC")
    assert form.is_valid(), form.errors
    rows = cdr_selectors.search(scope, form.filters())
    fields = cdr_columns.export_fields(scope)
    with pytest.raises(cdr_export.MoreRowsThanCounted):
        cdr_export.copy_xlsx(
            tmp_path / "x.xlsx",
            rows,
            form.filters(),
            fields,
            zoneinfo.ZoneInfo("UTC"),
            True,
            lambda n: None,
        )


@pytest.mark.postgres
@pytest.mark.skipif(not shutil.which("soffice"), reason="needs LibreOffice (soffice)")
def test_it_writes_xlsx_by_copy_that_libreoffice_reads_as_rusts(tmp_path, xml_hostile_world):
    by_rust, by_copy, head, _ = both_xlsx(
        tmp_path, xml_hostile_world, "America/New_York", False, "en"
    )
    command = ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless"]
    command += [
        "--convert-to",
        "csv",
        "--outdir",
        str(tmp_path / "out"),
        str(by_copy),
        str(by_rust),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    copy, rust = (
        (tmp_path / "out" / "copy.csv").read_bytes(),
        (tmp_path / "out" / "rust.csv").read_bytes(),
    )
    assert copy == rust
    assert copy.startswith(",".join(head[:2]).encode()) and b"=1+1" in copy and b"<script>" in copy
