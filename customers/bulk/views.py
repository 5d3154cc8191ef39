"""Bulk pages: the import (upload, the preview of every row, the run with its progress,
the result file, "retry the failed rows") and the actions on many accounts of the
customer list (lock, unlock, fee rate group, a top-up each, exports), each with its
progress and summary. Every lookup goes through ``request.scope``; imports and actions
are private to the person who started them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Action
from accounts.scope import OutOfScope
from customers.bulk import files
from customers.bulk import selectors as bulk_selectors
from customers.bulk import services as bulk_services
from customers.bulk.forms import BulkActionForm, ImportUploadForm
from customers.models import BulkAction, BulkImport
from switch import vos
from switch.shortcuts import require_provider
from vos3000.errors import VosError
from web.htmx import redirect_after, render_page_or_partial

# Rows shown on the preview and result pages (the result file has them all).
SHOWN_ROWS = 500


def _customers_go_home(request):
    scope = request.scope
    if scope.is_customer:
        return redirect_after(request, reverse("customer_detail", args=[scope.tenant.pk]))
    return None


# --- Import ------------------------------------------------------------------------------
@login_required
def import_start(request):
    if home := _customers_go_home(request):
        return home
    scope = request.scope
    require_provider(scope, Action.VIEW)
    if not scope.can(Action.CHANGE):
        return render(request, "bulk/import_start.html", {"form": None, "columns": {}})
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = bulk_services.upload(
                scope, request.user, form.cleaned_data["kind"], upload.name, upload.read()
            )
        except files.FileRefused as exc:
            form.add_error("file", str(exc.args[0]))
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc))
        else:
            return redirect("bulk_import_detail", pk=job.pk)
    context = {
        "form": form,
        "imports": bulk_selectors.bulk_imports(scope)[:10],
        "columns": {kind: list(columns) for kind, columns in files.COLUMNS.items()},
    }
    return render(request, "bulk/import_start.html", context)


@login_required
def import_template(request, kind: str):
    if kind not in files.COLUMNS:
        raise Http404
    response = HttpResponse(files.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{kind}.csv"'
    return response


def _import_context(job: BulkImport) -> dict:
    checks = job.checks
    return {
        "job": job,
        "checks": checks[:SHOWN_ROWS],
        "more_rows": max(0, len(checks) - SHOWN_ROWS),
        "ready": sum(1 for c in checks if c["state"] == "ok"),
        "skipped": sum(1 for c in checks if c["state"] == "skip"),
        "refused": sum(1 for c in checks if c["state"] == "error"),
        "results": [
            {**r, "words": bulk_services.outcome_words(r["outcome"])}
            for r in job.results[:SHOWN_ROWS]
        ],
        "created": job.count("created", "phone_added"),
        "failed": job.count(*bulk_services.FAILED_OUTCOMES),
        "previous": bulk_selectors.previous_run(job),
    }


@login_required
def import_detail(request, pk: int):
    job = bulk_selectors.bulk_import_or_404(request.scope, pk)
    return render_page_or_partial(
        request, "bulk/import_detail.html", "progress", _import_context(job)
    )


@login_required
@require_POST
def import_confirm(request, pk: int):
    scope = request.scope
    job = bulk_selectors.bulk_import_or_404(scope, pk)
    if not bulk_services.confirm(scope, job):
        messages.info(request, _("This import has already started."))
    return redirect("bulk_import_detail", pk=job.pk)


@login_required
@require_POST
def import_retry(request, pk: int):
    scope = request.scope
    job = bulk_selectors.bulk_import_or_404(scope, pk)
    if not bulk_services.retry_failed(scope, job):
        messages.info(request, _("There are no failed rows to run again."))
    return redirect("bulk_import_detail", pk=job.pk)


@login_required
def import_download(request, pk: int):
    job = bulk_selectors.bulk_import_or_404(request.scope, pk)
    return bulk_services.download(request.scope, job, f"import-{job.pk}-results")


# --- Actions on the customer list --------------------------------------------------------
@login_required
@require_POST
def action_start(request):
    scope = request.scope
    require_provider(scope, Action.VIEW)
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect_after(request, _back_to_list(request))
    data = form.cleaned_data
    if data["every"]:
        filters = QueryDict(request.POST.get("query", ""))
        tenants = bulk_services.chosen_tenants(scope, filters=filters)
    else:
        tenants = bulk_services.chosen_tenants(scope, ids=data["ids"])
    try:
        job = bulk_services.start_action(
            scope, request.user, data["action"], tenants, form.params()
        )
    except bulk_services.ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect_after(request, _back_to_list(request))
    return redirect_after(request, reverse("bulk_action_detail", args=[job.pk]))


def _back_to_list(request) -> str:
    query = request.POST.get("query", "")
    url = reverse("customer_list")
    return f"{url}?{query}" if query and "\n" not in query else url


@login_required
def action_detail(request, pk: int):
    scope = request.scope
    job = bulk_selectors.bulk_action_or_404(scope, pk)
    results = job.results if not job.is_export else []
    context = {
        "job": job,
        "results": [
            {**r, "words": bulk_services.outcome_words(r["outcome"])} for r in results[:SHOWN_ROWS]
        ],
        "done": job.count("done"),
        "failed": job.count("failed"),
        "gone": job.count("gone"),
        "exported": (job.results[0].get("rows", 0) if job.is_export and job.results else 0),
    }
    return render_page_or_partial(request, "bulk/action_detail.html", "progress", context)


@login_required
def action_download(request, pk: int):
    job = bulk_selectors.bulk_action_or_404(request.scope, pk)
    if not job.is_export:
        raise OutOfScope(f"bulk action {pk!r} has no file")
    name = "customers" if job.action == BulkAction.Action.EXPORT_CUSTOMERS else "phones"
    return bulk_services.download(request.scope, job, f"{name}-{job.pk}")
