"""The API's typed shapes (pydantic, through django-ninja): they make the OpenAPI 3.1
document. Amounts are decimal strings (never floats); times are ISO 8601 in UTC."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Path, Schema
from pydantic import Field, StringConstraints

Account = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\w.@+-]+$")]
E164 = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z*#+]+$")]
# Ids in paths and bodies: positive, and small enough for any database's integer.
MAX_ID = 2**53
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
PhoneNumber = Annotated[str, Path(pattern=r"^[0-9A-Za-z*#+]{1,64}$")]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
Amount = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=4)]


class Problem(Schema):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


class FieldError(Schema):
    field: str
    message: str


Problem.model_rebuild()


class Customer(Schema):
    id: int
    account: str
    name: str
    kind: str = Field(description="customer, or reseller for a sub-reseller")
    parent_id: int | None
    locked: bool
    account_type: int
    memo: str


class CustomerPage(Schema):
    items: list[Customer]
    next_after: int | None = Field(
        description="Pass as ?after= for the next page; null on the last page"
    )


class CustomerCreate(Schema):
    account: Account
    name: Annotated[str, StringConstraints(max_length=64)] = ""
    agent_id: BodyId | None = Field(
        None, description="The reseller to create it under; default: the key's own tenant"
    )
    fee_rate_group: Annotated[str, StringConstraints(max_length=64)] = ""
    memo: Annotated[str, StringConstraints(max_length=255)] = ""
    as_reseller: bool = False


class CustomerUpdate(Schema):
    name: Annotated[str, StringConstraints(max_length=64)] | None = None
    fee_rate_group: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    memo: Annotated[str, StringConstraints(max_length=255)] | None = None


class Balance(Schema):
    account: str
    money: str | None = Field(description="The balance VOS stated; null when it did not say")
    limit_money: str | None
    available: str | None
    read_at: datetime = Field(description="When VOS was read")


class TopUp(Schema):
    amount: Amount
    memo: Annotated[str, StringConstraints(max_length=200)] = ""


class Transfer(Schema):
    id: int
    kind: str
    state: str
    amount: str
    customer_id: int
    memo: str
    created_at: datetime


class Phone(Schema):
    e164: str
    display_number: str
    locked: bool
    memo: str


class PhoneCreate(Schema):
    e164: E164
    password: Annotated[str, StringConstraints(min_length=8, max_length=32)] | None = None
    display_number: Annotated[str, StringConstraints(max_length=64)] = ""
    memo: Annotated[str, StringConstraints(max_length=255)] = ""


class PhoneUpdate(Schema):
    display_number: Annotated[str, StringConstraints(max_length=64)] | None = None
    locked: bool | None = None
    memo: Annotated[str, StringConstraints(max_length=255)] | None = None


class PhonePassword(Schema):
    e164: str
    password: str = Field(description="Shown once")


class Cdr(Schema):
    id: int
    start: datetime
    stop: datetime
    account: str
    caller_e164: str
    callee_e164: str
    hold_time: int = Field(description="Talk time in seconds")
    fee: str
    fee_prefix: str
    end_reason: int | None
    agent_fee: str | None = Field(None, description="Resellers and the platform only")
    caller_gateway: str | None = Field(None, description="The platform only")
    callee_gateway: str | None = Field(None, description="The platform only")


class CdrPage(Schema):
    items: list[Cdr]
    next_after: str | None = Field(description="Pass as ?after= for older calls; null at the end")


class CdrExportStart(Schema):
    date_from: date
    date_to: date
    account: Annotated[str, StringConstraints(max_length=64)] = ""
    caller_prefix: Annotated[str, StringConstraints(max_length=32, pattern=r"^[0-9]*$")] = ""
    callee_prefix: Annotated[str, StringConstraints(max_length=32, pattern=r"^[0-9]*$")] = ""
    format: Literal["csv", "xlsx"] = "csv"
    raw: bool = Field(False, description="Field names and codes instead of words")


class CdrExportJob(Schema):
    id: int
    status: str
    rows_written: int
    download_url: str | None = Field(description="When the file is ready (the API key's)")
    expires_at: datetime


class FeeReportStart(Schema):
    customer_id: BodyId
    kind: Literal["customer_fee", "phone_fee", "location_fee"] = "customer_fee"
    period: Literal["day", "month"] = "day"
    first_day: date
    last_day: date
    whole_subtree: bool = Field(False, description="A reseller: every customer below it")


class FeeReportRow(Schema):
    period: str
    account: str
    e164: str
    area_code: str
    area_name: str
    calls: int
    seconds: int
    fee: str | None = Field(description="null when VOS did not say")


class FeeReport(Schema):
    id: int
    status: str
    customer_id: int
    first_day: date
    last_day: date
    error: str
    rows: list[FeeReportRow]


class RateRow(Schema):
    prefix: str
    area_code: str
    area_name: str
    fee_per_minute: str
    period: int = Field(description="Billing period in seconds")


class RateTable(Schema):
    group: str
    items: list[RateRow]
    truncated: bool


class Price(Schema):
    number: str
    group: str
    rated: bool = Field(description="False when no rate matches: the switch refuses the call")
    prefix: str | None = None
    area_name: str | None = None
    fee_per_minute: str | None = None
    seconds: int
    fee_time: int | None = None
    fee: str | None = None


# --- Bulk imports and exports ----------------------------------------------------------------
class BulkProgress(Schema):
    done: int
    total: int = Field(description="Rows the run writes (the preview's ready and skipped rows)")
    percent: int


class ImportCounts(Schema):
    rows: int = Field(description="Rows read from the file")
    ready: int = Field(description="Preview: rows to be written")
    skipped: int = Field(description="Preview: rows that exist already")
    refused: int = Field(description="Preview: rows with errors (never written)")
    created: int = Field(description="Run: accounts or phones made")
    failed: int = Field(description="Run: rows the switch refused (see retry-failed)")


class ImportRow(Schema):
    line: int = Field(description="The row's line in the file (the header is line 1)")
    state: str = Field(description="Preview: ok, skip or error")
    errors: list[str]
    notes: list[str]
    account: str
    e164: str
    outcome: str | None = Field(
        None,
        description=(
            "Run: created, phone_added, skipped, failed, phone_failed or not_imported; "
            "null before the run"
        ),
    )
    message: str = ""


class ImportJob(Schema):
    id: int
    kind: Literal["customers", "phones"]
    status: str = Field(description="preview, pending, running, done or failed")
    source_name: str
    counts: ImportCounts
    progress: BulkProgress
    errors: list[ImportRow] = Field(description="The first rows with errors")
    more_errors: int = Field(description="Rows with errors beyond those (see rows_url)")
    rows_url: str = Field(description="Every row's check and result, paged")
    results_url: str | None = Field(description="The per-row result file, when ready")
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime


class ImportRowPage(Schema):
    items: list[ImportRow]
    next_after: int | None = Field(description="Pass as ?after= for the next page")


class BulkExportStart(Schema):
    format: Literal["csv", "xlsx"] = "csv"
    q: Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00]*$")] = Field(
        "", description="Like the customer list's search: account, name or memo contains"
    )
    locked: bool = Field(False, description="Locked accounts only")
    low: bool = Field(False, description="Low balances only")


class BulkExportJob(Schema):
    id: int
    what: Literal["customers", "phones"]
    status: str = Field(description="pending, running, done or failed")
    format: Literal["csv", "xlsx"]
    accounts: int = Field(description="Accounts the export is about")
    progress: BulkProgress
    rows_written: int
    download_url: str | None = Field(description="When the file is ready (the API key's)")
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime
