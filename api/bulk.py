"""Bulk imports and exports as jobs: the same services, Celery jobs, files and audit as
the bulk pages (``customers.bulk``), through the key's Scope. An import is uploaded
(its preview checks every row), then run; an export of the customer list or of its
phones is started with the list's search, then its file is fetched. Jobs are private
to the person who started them (a key acts as its creator), like the pages'."""

from __future__ import annotations

from typing import Literal

from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from accounts.roles import Action
from accounts.scope import OutOfScope
from api.calls import JOB_ERRORS, form_problem
from api.customers import READ_ERRORS, WRITE_ERRORS, need
from api.problems import ApiProblem, forbidden
from api.schemas import (
    BulkExportJob,
    BulkExportStart,
    Id,
    ImportJob,
    ImportRowPage,
)
from customers.bulk import files
from customers.bulk import selectors as bulk_selectors
from customers.bulk import services as bulk_services
from customers.bulk.forms import ImportUploadForm
from customers.models import BulkAction, BulkImport

router = Router(tags=["bulk"])

# Rows with errors shown in an import's answer; the rest through rows_url.
SHOWN_ERRORS = 50
ROWS_MAX = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_ANSWER = {
    "responses": {
        "200": {
            "description": "The file (CSV or XLSX)",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


def _provider(scope, action: str) -> None:
    need(scope, action)
    if not scope.is_provider:
        raise forbidden("Only resellers and the platform run bulk jobs.")


def _progress(job) -> dict:
    return {"done": job.rows_done, "total": job.rows_total, "percent": job.percent}


def _rows(job: BulkImport) -> list[dict]:
    """Each row's preview check, with its run's result once there is one."""
    results = {r["line"]: r for r in job.results}
    rows = []
    for check in job.checks:
        result = results.get(check["line"], {})
        rows.append(
            {
                "line": check["line"],
                "state": check["state"],
                "errors": check.get("errors", []),
                "notes": check.get("notes", []),
                "account": check.get("account", ""),
                "e164": check.get("e164", ""),
                "outcome": result.get("outcome"),
                "message": result.get("message", ""),
            }
        )
    return rows


def as_import(request, job: BulkImport) -> dict:
    rows = _rows(job)
    states = [row["state"] for row in rows]
    errors = [row for row in rows if row["state"] == "error"]
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "source_name": job.source_name,
        "counts": {
            "rows": len(job.rows),
            "ready": states.count("ok"),
            "skipped": states.count("skip"),
            "refused": states.count("error"),
            "created": job.count("created", "phone_added"),
            "failed": job.count(*bulk_services.FAILED_OUTCOMES),
        },
        "progress": _progress(job),
        "errors": errors[:SHOWN_ERRORS],
        "more_errors": max(0, len(errors) - SHOWN_ERRORS),
        "rows_url": request.build_absolute_uri(reverse("api:bulk_import_rows", args=[job.pk])),
        "results_url": (
            request.build_absolute_uri(reverse("api:bulk_import_file", args=[job.pk]))
            if bulk_services.file_ready(job)
            else None
        ),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at,
    }


# --- Imports ---------------------------------------------------------------------------------
@router.post("/imports", response={201: ImportJob, **WRITE_ERRORS}, summary="Upload an import file")
def upload_import(
    request,
    kind: Form[Literal["customers", "phones"]],
    file: File[UploadedFile],
):
    """A CSV (UTF-8) or XLSX file with the template's columns (the bulk import page
    offers the templates). Every row is checked now, as the page's preview does;
    nothing is written until ``POST /imports/{id}/run``. A file that cannot be read is
    422 with the reason in words."""
    scope = request.scope
    _provider(scope, Action.CHANGE)
    form = ImportUploadForm({"kind": kind}, {"file": file})
    if not form.is_valid():
        raise form_problem(form)
    upload = form.cleaned_data["file"]
    try:
        job = bulk_services.upload(scope, scope.user, kind, upload.name, upload.read())
    except files.FileRefused as exc:
        raise ApiProblem(
            422,
            "bad_file",
            "The file cannot be read",
            str(exc.args[0]),
            errors=[{"field": "file", "message": str(exc.args[0])}],
        ) from None
    return Status(201, as_import(request, job))


@router.get("/imports/{import_id}", response={200: ImportJob, **JOB_ERRORS}, summary="An import")
def read_import(request, import_id: Id):
    """Its state, progress, counts, the first rows with errors, and the per-row result
    file's link when the run is done."""
    return as_import(request, bulk_selectors.bulk_import_or_404(request.scope, import_id))


class RowQuery(Schema):
    state: Literal["", "ok", "skip", "error"] = Field("", description="Only rows in this state")
    after: int | None = Field(None, ge=0, le=2**31, description="next_after of the last page")
    limit: int = Field(100, ge=1, le=ROWS_MAX)


@router.get(
    "/imports/{import_id}/rows",
    response={200: ImportRowPage, **READ_ERRORS},
    url_name="bulk_import_rows",
    summary="An import's rows",
)
def import_rows(request, import_id: Id, query: Query[RowQuery]):
    """Every row's check (and result, after the run), by line; keyset paging."""
    job = bulk_selectors.bulk_import_or_404(request.scope, import_id)
    rows = [
        row
        for row in _rows(job)
        if (not query.state or row["state"] == query.state)
        and (query.after is None or row["line"] > query.after)
    ]
    page = rows[: query.limit]
    more = len(rows) > query.limit
    return {"items": page, "next_after": page[-1]["line"] if more else None}


def _not_now(detail: str) -> ApiProblem:
    return ApiProblem(409, "not_now", "Not now", detail)


@router.post(
    "/imports/{import_id}/run", response={202: ImportJob, **WRITE_ERRORS}, summary="Run an import"
)
def run_import(request, import_id: Id):
    """Queue the checked file's run (the page's job). Poll ``GET /imports/{id}``."""
    scope = request.scope
    job = bulk_selectors.bulk_import_or_404(scope, import_id)
    if not bulk_services.confirm(scope, job):
        raise _not_now("This import has already started.")
    job.refresh_from_db()
    return Status(202, as_import(request, job))


@router.post(
    "/imports/{import_id}/retry-failed",
    response={202: ImportJob, **WRITE_ERRORS},
    summary="Run an import's failed rows again",
)
def retry_import(request, import_id: Id):
    """The rows the switch refused (a phone whose account was made, an account VOS
    refused) are run again; what exists is skipped."""
    scope = request.scope
    job = bulk_selectors.bulk_import_or_404(scope, import_id)
    if not bulk_services.retry_failed(scope, job):
        raise _not_now("There are no failed rows to run again.")
    job.refresh_from_db()
    return Status(202, as_import(request, job))


@router.get(
    "/imports/{import_id}/results",
    response={**JOB_ERRORS},
    url_name="bulk_import_file",
    summary="An import's per-row result file",
    openapi_extra=FILE_ANSWER,
)
def download_import(request, import_id: Id):
    job = bulk_selectors.bulk_import_or_404(request.scope, import_id)
    return bulk_services.download(request.scope, job, f"import-{job.pk}-results")


# --- Exports of the customer list ------------------------------------------------------------
EXPORTS = {
    "customers": BulkAction.Action.EXPORT_CUSTOMERS,
    "phones": BulkAction.Action.EXPORT_PHONES,
}


def as_export(request, job: BulkAction) -> dict:
    what = "customers" if job.action == BulkAction.Action.EXPORT_CUSTOMERS else "phones"
    return {
        "id": job.pk,
        "what": what,
        "status": job.status,
        "format": job.params.get("format") or "csv",
        "accounts": len(job.tenant_ids),
        "progress": _progress(job),
        "rows_written": job.results[0].get("rows", 0) if job.results else 0,
        "download_url": (
            request.build_absolute_uri(reverse("api:bulk_export_file", args=[job.pk]))
            if bulk_services.file_ready(job)
            else None
        ),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at,
    }


def _start_export(request, what: str, body: BulkExportStart):
    scope = request.scope
    _provider(scope, Action.VIEW)
    filters = {"q": body.q.strip()}
    if body.locked:
        filters["locked"] = "on"
    if body.low:
        filters["low"] = "on"
    tenants = bulk_services.chosen_tenants(scope, filters=filters)
    try:
        job = bulk_services.start_action(
            scope, scope.user, EXPORTS[what], tenants, {"format": body.format}
        )
    except bulk_services.ActionRefused as exc:
        raise ApiProblem(409, "refused", "Refused", str(exc)) from None
    return Status(202, as_export(request, job))


@router.post(
    "/exports/customers",
    response={202: BulkExportJob, **WRITE_ERRORS},
    summary="Export the customer list to a file",
)
def export_customers(request, body: BulkExportStart):
    """The accounts the customer list shows for this search, in the key's language and
    its creator's time zone; poll ``GET /exports/{id}``, then fetch ``download_url``."""
    return _start_export(request, "customers", body)


@router.post(
    "/exports/phones",
    response={202: BulkExportJob, **WRITE_ERRORS},
    summary="Export the phones of the customer list to a file",
)
def export_phones(request, body: BulkExportStart):
    """The phones of the accounts the customer list shows for this search."""
    return _start_export(request, "phones", body)


def _export_or_404(request, export_id) -> BulkAction:
    job = bulk_selectors.bulk_action_or_404(request.scope, export_id)
    if not job.is_export:
        raise OutOfScope(f"bulk action {export_id!r} is not an export")
    return job


@router.get(
    "/exports/{export_id}", response={200: BulkExportJob, **JOB_ERRORS}, summary="An export"
)
def read_export(request, export_id: Id):
    return as_export(request, _export_or_404(request, export_id))


@router.get(
    "/exports/{export_id}/file",
    response={**JOB_ERRORS},
    url_name="bulk_export_file",
    summary="An export's file",
    openapi_extra=FILE_ANSWER,
)
def download_export(request, export_id: Id):
    job = _export_or_404(request, export_id)
    what = "customers" if job.action == BulkAction.Action.EXPORT_CUSTOMERS else "phones"
    return bulk_services.download(request.scope, job, f"{what}-{job.pk}")
