"""The audit trail's pages: the scoped, filtered list (htmx re-renders the table), one
event's detail, and the CSV export (a background job, polled, downloaded by its owner)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.audit_trail import sentences, services
from accounts.audit_trail.forms import AuditFilterForm
from accounts.models import AuditExport, AuditVerification
from accounts.roles import Action
from accounts.scope import OutOfScope
from web import querystring
from web.htmx import render_page_or_partial

PAGE_SIZE = 50


def _filter_form(request, data) -> AuditFilterForm:
    return AuditFilterForm(
        data, scope=request.scope, time_zone=getattr(request.user, "time_zone", "UTC")
    )


@login_required
def audit_list(request):
    events = request.scope.audit_events()
    form = _filter_form(request, request.GET)
    if form.is_valid():
        events = services.filter_events(events, form.cleaned_data)
        page = services.page_of(
            events,
            before=querystring.identifier(request, "before"),
            after=querystring.identifier(request, "after"),
            size=PAGE_SIZE,
        )
    else:
        page = services.EventPage(events=[], newer_than=None, older_than=None)
    query = urlencode(form.as_params())
    rows = list(zip(page.events, sentences.describe(page.events, request.scope), strict=True))
    context = {"form": form, "page": page, "rows": rows, "query": query}
    return render_page_or_partial(request, "audit/list.html", "results", context)


@login_required
def audit_detail(request, pk: int):
    event = request.scope.audit_event_or_404(pk)
    [words] = sentences.describe([event], request.scope)
    context = {
        "event": event,
        "words": words,
        "payload_json": _pretty(event.payload),
        "before_json": _pretty(event.before) if event.before is not None else "",
        "after_json": _pretty(event.after) if event.after is not None else "",
    }
    return render(request, "audit/detail.html", context)


def _pretty(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


@login_required
@require_POST
def audit_export(request):
    """Queue a CSV export of what the list shows with the same filters."""
    request.scope.audit_events()  # 404 without the audit right
    form = _filter_form(request, request.POST)
    if not form.is_valid():
        page = services.EventPage(events=[], newer_than=None, older_than=None)
        context = {"form": form, "page": page, "rows": [], "query": ""}
        return render(request, "audit/list.html", context, status=400)
    raw = request.POST.get("raw") == "on"  # "Column names for machines"
    job = services.start_export(request.scope, request.user, form, raw=raw)
    if request.htmx:
        return render(request, "audit/export.html#status", {"job": job})
    return redirect("audit_export_status", pk=job.pk)


def _own_export_or_404(request, pk) -> AuditExport:
    # Only the person who asked for it, whoever else may read the trail.
    job = AuditExport.objects.filter(pk=pk, requested_by=request.user).first()
    if job is None:
        raise OutOfScope(f"audit export {pk!r}")
    return job


@login_required
def audit_export_status(request, pk: int):
    job = _own_export_or_404(request, pk)
    return render_page_or_partial(request, "audit/export.html", "status", {"job": job})


@login_required
def audit_export_download(request, pk: int):
    job = _own_export_or_404(request, pk)
    if job.status != AuditExport.Status.DONE or job.is_expired or not job.file_name:
        raise OutOfScope(f"audit export {pk!r} not available")
    path = services.export_dir() / job.file_name
    if not path.is_file():
        raise OutOfScope(f"audit export {pk!r} file gone")
    audit.record(
        "audit.export_downloaded",
        scope=request.scope,
        target=job,
        tenant=request.scope.tenant,
        payload={"rows": job.rows_written},
    )
    return FileResponse(
        open(path, "rb"),  # FileResponse closes it
        as_attachment=True,
        filename=f"audit-{job.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )


@login_required
def audit_verify(request):
    """The platform's check of the audit trail's hash chain: POST starts a job (a worker
    walks the chain), the page shows the latest checks; the status fragment polls itself
    while one runs."""
    scope = request.scope
    scope.require_platform(Action.VIEW_AUDIT)
    if request.method == "POST":
        services.start_verification(scope)
        if not request.htmx:
            return redirect("audit_verify")
    checks = list(AuditVerification.objects.select_related("requested_by")[:10])
    context = {"latest": checks[0] if checks else None, "checks": checks}
    if request.htmx:
        return render(request, "audit/verify.html#verify-status", context)
    return render(request, "audit/verify.html", context)
