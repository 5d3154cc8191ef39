"""The files of bulk work: reading an uploaded CSV or XLSX into rows of text, the
template file of each import kind, and writing result and export files (CSV, or XLSX
as text cells a spreadsheet never runs)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import xlsxwriter
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from web.downloads import safe_cell

# What a file may hold: more rows are refused before anything is checked.
MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024

# The columns of each kind, in the template's order: file header -> form field. Headers
# are matched without regard to case, spaces or dashes; the catalog's own names
# ("infoCustomerAdditional__email") are taken as well.
CUSTOMER_COLUMNS = {
    "account": "account",
    "name": "name",
    "agent": "agent",
    "feeRateGroup": "feeRateGroup",
    "type": "type",
    "limitMoney": "limitMoney",
    "lockType": "lockType",
    "memo": "memo",
    "companyName": "infoCustomerAdditional__companyName",
    "linkMan": "infoCustomerAdditional__linkMan",
    "telephone": "infoCustomerAdditional__telephone",
    "email": "infoCustomerAdditional__email",
    "address": "infoCustomerAdditional__address",
    "phone": "phone",
    "phonePassword": "phonePassword",
}
PHONE_COLUMNS = {
    "account": "account",
    "e164": "e164",
    "password": "password",
    "displayNumber": "displayNumber",
    "callLevel": "callLevel",
    "lockType": "lockType",
    "memo": "memo",
}
COLUMNS = {"customers": CUSTOMER_COLUMNS, "phones": PHONE_COLUMNS}
EXAMPLES = {
    "customers": [
        [
            "acme-01",
            "Acme Trading",
            "",
            "",
            "",
            "",
            "",
            "first wave",
            "Acme Ltd",
            "Ann Lee",
            "",
            "ops@acme.example",
            "",
            "8613800000001",
            "",
        ],
    ],
    "phones": [["acme-01", "8613800000002", "", "", "", "", "front desk"]],
}


class FileRefused(Exception):
    """The file cannot be read as rows; the message says why, in words."""


def _key(header: str) -> str:
    return "".join(ch for ch in str(header).lower() if ch.isalnum())


def field_of(kind: str, header: str) -> str | None:
    """The form field a file header names, or None."""
    wanted = _key(header)
    for name, field in COLUMNS[kind].items():
        if wanted in (_key(name), _key(field)):
            return field
    return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a spreadsheet's 8613800000001.0 is a number typed in
    return str(value).strip()


def _csv_rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(_("The file is not UTF-8 text: save it as CSV UTF-8.")) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _xlsx_rows(data: bytes):
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileRefused(_("The file could not be read as an XLSX workbook.")) from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_text(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def read_rows(kind: str, name: str, data: bytes) -> list[dict]:
    """The data rows of an uploaded file as [{"line": n, "data": {field: text}}]; the
    first row is the header. Raises FileRefused with words."""
    if len(data) > MAX_BYTES:
        raise FileRefused(_("The file is larger than 10 MB: split it."))
    is_xlsx = name.lower().endswith(".xlsx") or data[:2] == b"PK"
    table = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    table = [row for row in table if any(_text(v) for v in row)]
    if not table:
        raise FileRefused(_("The file is empty."))
    header = [field_of(kind, h) for h in table[0]]
    unknown = [str(h) for h, f in zip(table[0], header, strict=True) if f is None and str(h)]
    if unknown:
        raise FileRefused(
            _("Unknown columns: %(columns)s. Use the template's column names.")
            % {"columns": ", ".join(unknown)}
        )
    required = {"customers": {"account", "name"}, "phones": {"account", "e164"}}[kind]
    if not required <= set(header):
        raise FileRefused(
            _("The file needs the columns %(columns)s.") % {"columns": ", ".join(sorted(required))}
        )
    if len(table) - 1 > MAX_ROWS:
        raise FileRefused(_("The file has more than %(max)s rows: split it.") % {"max": MAX_ROWS})
    rows = []
    for line, values in enumerate(table[1:], start=2):
        data_row = {
            field: _text(value)
            for field, value in zip(header, values, strict=False)
            if field is not None
        }
        rows.append({"line": line, "data": data_row})
    return rows


def template_csv(kind: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(COLUMNS[kind]))
    writer.writerows(EXAMPLES[kind])
    return out.getvalue()


# --- Writing -----------------------------------------------------------------------------
def bulk_dir() -> Path:
    path = settings.VAR_DIR / "exports" / "bulk"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_table(path: Path, header: list[str], rows, *, xlsx: bool, sheet: str = "Sheet1"):
    """``rows`` (lists of plain values: text, numbers) under ``header``. Text a
    spreadsheet would run is quoted in CSV; XLSX cells of text are text."""
    if not xlsx:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for row in rows:
                writer.writerow([safe_cell(v) for v in row])
        return
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "tmpdir": str(bulk_dir()),
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    try:
        ws = book.add_worksheet(sheet)
        for column, title in enumerate(header):
            ws.write_string(0, column, str(title))
        ws.set_column(0, max(len(header) - 1, 0), 18)
        for index, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    ws.write_number(index, column, value)
                elif value not in (None, ""):
                    ws.write_string(index, column, str(value))
    finally:
        book.close()
