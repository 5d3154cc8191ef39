"""Calls and prices: the CDR search (keyset pages of the local copy), CDR export jobs
with their file, VOS fee reports, a customer's rates and the price of a call. The
same forms, selectors and jobs as the pages, through the key's Scope."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from accounts.models import Tenant
from accounts.scope import OutOfScope
from api.customers import READ_ERRORS, WRITE_ERRORS
from api.problems import ApiProblem
from api.schemas import (
    CdrExportJob,
    CdrExportStart,
    CdrPage,
    FeeReport,
    FeeReportStart,
    Id,
    Price,
    Problem,
    RateTable,
)
from billing import rating
from billing.cdrs import columns as cdr_columns
from billing.cdrs import export as cdr_export
from billing.cdrs import selectors as cdr_selectors
from billing.cdrs.forms import CdrSearchForm
from billing.models import CdrExport, ReportJob
from billing.rates import selectors as rate_selectors
from billing.reports import selectors as report_selectors
from billing.reports import services as report_services
from billing.reports.forms import MAX_REPORT_DAYS

router = Router(tags=["calls"])

RATES_MAX = 2000
JOB_ERRORS = {401: Problem, 403: Problem, 404: Problem, 429: Problem}


def form_problem(form) -> ApiProblem:
    errors = [
        {"field": field if field != "__all__" else "request", "message": str(message)}
        for field, messages in form.errors.items()
        for message in messages
    ]
    return ApiProblem(
        422, "invalid", "Invalid request", "Some fields are not valid.", errors=errors
    )


def _money(value) -> str:
    return str(value if value is not None else "0")


# --- CDRs ----------------------------------------------------------------------------------
class CdrQuery(Schema):
    date_from: date
    date_to: date = Field(description="Inclusive; at most 93 days after date_from")
    account: str = Field("", max_length=64, description="Resellers: a customer or sub-reseller")
    caller_prefix: str = Field("", max_length=32, pattern=r"^[0-9]*$")
    callee_prefix: str = Field("", max_length=32, pattern=r"^[0-9]*$")
    phone: str = Field("", max_length=32, pattern=r"^[0-9]*$")
    min_duration: int | None = Field(None, ge=0, le=86_400)
    answered: bool = False
    with_fee: bool = False
    after: str | None = Field(None, max_length=40, description="next_after of the last page")
    limit: int = Field(50, ge=1, le=500)


def _search_form(scope, data: dict) -> CdrSearchForm:
    form = CdrSearchForm({k: v for k, v in data.items() if v not in (None, "", False)}, scope=scope)
    if not form.is_valid():
        raise form_problem(form)
    return form


def as_cdr(scope, row) -> dict:
    shows = {field: cdr_columns.visible(scope, field) for field in ("agent_fee", "caller_gateway")}
    return {
        "id": row.pk,
        "start": row.start,
        "stop": row.stop,
        "account": row.account,
        "caller_e164": row.caller_e164,
        "callee_e164": row.callee_e164,
        "hold_time": int(row.hold_time or 0),
        "fee": _money(row.fee),
        "fee_prefix": row.fee_prefix or "",
        "end_reason": row.end_reason,
        "agent_fee": _money(row.agent_fee) if shows["agent_fee"] else None,
        "caller_gateway": row.caller_gateway if shows["caller_gateway"] else None,
        "callee_gateway": row.callee_gateway if shows["caller_gateway"] else None,
    }


@router.get("/cdrs", response={200: CdrPage, **READ_ERRORS}, summary="Search calls")
def search_cdrs(request, query: Query[CdrQuery]):
    """The pulled call records of the key's scope, newest first, by keyset: pass
    ``next_after`` as ``after`` for the next (older) page. Times are UTC days."""
    scope = request.scope
    data = query.dict(exclude={"after", "limit"})
    form = _search_form(scope, data)
    rows = cdr_selectors.search(scope, form.filters())
    page = cdr_selectors.page_of(rows, before=query.after, size=query.limit)
    return {"items": [as_cdr(scope, row) for row in page.rows], "next_after": page.older}


def as_export(request, job: CdrExport) -> dict:
    ready = job.status == CdrExport.Status.DONE and not job.is_expired and job.file_name
    return {
        "id": job.pk,
        "status": job.status,
        "rows_written": job.rows_written,
        "download_url": (
            request.build_absolute_uri(reverse("api:cdr_export_file", args=[job.pk]))
            if ready
            else None
        ),
        "expires_at": job.expires_at,
    }


@router.post(
    "/cdr-exports", response={202: CdrExportJob, **WRITE_ERRORS}, summary="Export calls to a file"
)
def start_cdr_export(request, body: CdrExportStart):
    """A job like the calls page's export; poll it, then fetch ``download_url``."""
    scope = request.scope
    data = body.dict(exclude={"format", "raw"})
    form = _search_form(scope, data)
    job = cdr_export.start(scope, scope.user, form, body.format, raw=body.raw)
    return Status(202, as_export(request, job))


@router.get(
    "/cdr-exports/{export_id}", response={200: CdrExportJob, **JOB_ERRORS}, summary="An export"
)
def read_cdr_export(request, export_id: Id):
    return as_export(request, cdr_selectors.cdr_export_or_404(request.scope, export_id))


@router.get(
    "/cdr-exports/{export_id}/file",
    response={**JOB_ERRORS},
    url_name="cdr_export_file",
    summary="An export's file",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file (CSV or XLSX)",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    },
)
def download_cdr_export(request, export_id: Id):
    job = cdr_selectors.cdr_export_or_404(request.scope, export_id)
    return cdr_export.download(request.scope, job, f"calls-{job.pk}")


# --- Fee reports -----------------------------------------------------------------------------
def as_report(job: ReportJob) -> dict:
    rows = report_services.rows_of(job) if job.status == ReportJob.Status.DONE else []
    return {
        "id": job.pk,
        "status": job.status,
        "customer_id": job.tenant_id,
        "first_day": job.first_day,
        "last_day": job.last_day,
        "error": job.error or "",
        "rows": [
            {
                "period": row.period,
                "account": row.account,
                "e164": row.e164,
                "area_code": row.area_code,
                "area_name": row.area_name,
                "calls": row.calls,
                "seconds": row.seconds,
                "fee": str(row.fee) if row.fee_known else None,
            }
            for row in rows
        ],
    }


@router.post(
    "/fee-reports", response={202: FeeReport, **WRITE_ERRORS}, summary="Ask VOS for a fee report"
)
def start_fee_report(request, body: FeeReportStart):
    scope = request.scope
    tenant = scope.account_or_404(body.customer_id)
    if body.last_day < body.first_day:
        raise ApiProblem(
            422,
            "invalid",
            "Invalid request",
            "The last day is before the first day.",
            errors=[{"field": "last_day", "message": "before first_day"}],
        )
    if (body.last_day - body.first_day).days + 1 > MAX_REPORT_DAYS:
        raise ApiProblem(
            422,
            "invalid",
            "Invalid request",
            f"At most {MAX_REPORT_DAYS} days.",
            errors=[{"field": "last_day", "message": f"at most {MAX_REPORT_DAYS} days"}],
        )
    job = report_services.start_report(
        scope,
        requested_by=scope.user,
        tenant=tenant,
        kind=body.kind,
        period=body.period,
        first_day=body.first_day,
        last_day=body.last_day,
        reach=(
            report_services.REACH_CUSTOMERS if body.whole_subtree else report_services.REACH_ACCOUNT
        ),
    )
    return Status(202, as_report(job))


@router.get(
    "/fee-reports/{report_id}", response={200: FeeReport, **JOB_ERRORS}, summary="A fee report"
)
def read_fee_report(request, report_id: Id):
    return as_report(report_selectors.report_job_or_404(request.scope, report_id))


# --- Rates and prices ------------------------------------------------------------------------
def _rated_customer(request, customer_id: Id) -> Tenant:
    tenant = request.scope.customer_or_404(customer_id)
    if not tenant.is_linked:
        raise OutOfScope(f"tenant {tenant.pk} has no VOS account")
    return tenant


class RateQuery(Schema):
    q: str = Field("", max_length=64, description="A prefix, an area code or a name")


@router.get(
    "/customers/{customer_id}/rates",
    response={200: RateTable, **READ_ERRORS, 502: Problem},
    summary="A customer's rates",
    tags=["rates"],
)
def customer_rates(request, customer_id: Id, query: Query[RateQuery]):
    tenant = _rated_customer(request, customer_id)
    group, rates = rate_selectors.customer_rates(request.scope, tenant)
    found = rate_selectors.search_rates(rates, query.q)
    items = []
    for info in found[:RATES_MAX]:
        rate = rating.Rate.from_info(info)
        items.append(
            {
                "prefix": rate.prefix,
                "area_code": rate.area_code,
                "area_name": rate.area_name,
                "fee_per_minute": str(rating.round_money(rate.fee)),
                "period": rate.period,
            }
        )
    return {"group": group, "items": items, "truncated": len(found) > RATES_MAX}


class PriceQuery(Schema):
    number: str = Field(..., min_length=1, max_length=32, pattern=r"^\+?[0-9]+$")
    seconds: int = Field(60, ge=0, le=86_400, description="Talk time to price")


@router.get(
    "/customers/{customer_id}/price",
    response={200: Price, **READ_ERRORS, 502: Problem},
    summary="The price of a call",
    tags=["rates"],
)
def call_price(request, customer_id: Id, query: Query[PriceQuery]):
    tenant = _rated_customer(request, customer_id)
    group, rates = rate_selectors.customer_rates(request.scope, tenant)
    quote = rating.quote(rates, query.number, samples=(query.seconds,))
    if quote is None:
        return {"number": query.number, "group": group, "rated": False, "seconds": query.seconds}
    charge = quote.samples[0]
    return {
        "number": quote.number,
        "group": group,
        "rated": True,
        "prefix": quote.rate.prefix,
        "area_name": quote.rate.area_name,
        "fee_per_minute": str(quote.per_minute),
        "seconds": charge.seconds,
        "fee_time": charge.fee_time,
        "fee": str(charge.fee),
    }
