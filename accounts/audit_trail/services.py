"""The audit trail: every change made through the portal and every VOS write call.

``record(...)`` appends one ``AuditEvent``. Rows form a hash chain
(``row_hash = sha256(prev_hash + canonical row)``) written under a lock, so the chain is
linear and any edit or deletion shows up in ``manage.py verify_audit``. Payloads, before
and after values are redacted here, whoever calls: no password, PIN, token or session id
is ever stored.
"""

from __future__ import annotations

import csv
import json
import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.audit import record, verify_chain
from accounts.audit_trail import sentences, tasks
from accounts.audit_trail.forms import AuditFilterForm
from accounts.models import AUDIT_RESULT_WORDS, AuditEvent, AuditExport, AuditVerification
from accounts.roles import Action
from accounts.scope import Scope
from web.downloads import purge_expired, safe_cell
from web.tasks import enqueue


# --- reading the trail --------------------------------------------------------------------
def filter_events(events, filters: dict):
    """Apply the audit filter form's cleaned data (see ``accounts.audit_trail.forms``)."""
    if filters.get("actor"):
        events = events.filter(actor_email__icontains=filters["actor"])
    if filters.get("tenant"):
        events = events.filter(tenant_path__startswith=filters["tenant"].path)
    action = filters.get("action")
    if action and action.startswith("group:"):
        events = events.filter(action__in=sentences.actions_of_group(action[6:]))
    elif action:
        events = events.filter(action=action)
    if filters.get("target_type"):
        events = events.filter(target_type=filters["target_type"])
    if filters.get("target_id"):
        events = events.filter(target_id=filters["target_id"])
    if filters.get("result"):
        events = events.filter(result=filters["result"])
    if filters.get("since") is not None:
        events = events.filter(created_at__gte=filters["since"])
    if filters.get("until") is not None:
        events = events.filter(created_at__lt=filters["until"])
    return events


@dataclass(frozen=True)
class EventPage:
    events: list
    newer_than: int | None  # id for the "newer" link (?after=), None on the newest page
    older_than: int | None  # id for the "older" link (?before=), None on the oldest page


def page_of(events, *, before: int | None = None, after: int | None = None, size: int = 50):
    """One page of ``events``, newest first, by keyset on the id: no COUNT(*), no OFFSET,
    the same cost on the first page and the millionth."""
    if after is not None:
        rows = list(events.filter(id__gt=after).order_by("id")[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        more_older = bool(rows) and events.filter(id__lt=rows[-1].pk).exists()
    else:
        scoped = events.filter(id__lt=before) if before is not None else events
        rows = list(scoped.order_by("-id")[: size + 1])
        more_older = len(rows) > size
        rows = rows[:size]
        more_newer = bool(rows) and before is not None and events.filter(id__gt=rows[0].pk).exists()
    return EventPage(
        events=rows,
        newer_than=rows[0].pk if rows and more_newer else None,
        older_than=rows[-1].pk if rows and more_older else None,
    )


# --- CSV export ---------------------------------------------------------------------------
_EXPORT_CHUNK = 2000


def export_dir():
    path = settings.VAR_DIR / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_export(scope, requested_by, form, *, raw: bool = False):
    """Create an export job for a valid ``AuditFilterForm`` and queue its task. The
    export itself is audited (with its filters). ``raw`` keeps the field names and the
    stored action names; otherwise the file is in words, in the language active now."""
    ttl = timedelta(hours=getattr(settings, "AUDIT_EXPORT_TTL_HOURS", 24))
    with transaction.atomic():
        job = AuditExport.objects.create(
            requested_by=requested_by,
            scope_user=scope.user,
            filters=form.as_params(),
            time_zone=form.zone.key,
            expires_at=datetime.now(UTC) + ttl,
            raw=raw,
            language="" if raw else translation.get_language() or "",
        )
        record(
            "audit.export",
            scope=scope,
            target=job,
            tenant=scope.tenant,
            payload={"filters": job.filters, "time_zone": job.time_zone, "raw": raw},
        )
        enqueue(tasks.export_audit, job.pk)
    return job


def write_export(job_id: int) -> None:
    """The task's body: stream the job's rows to a CSV file, newest first, in keyset
    chunks (constant memory), saving progress after each chunk."""
    job = AuditExport.objects.get(pk=job_id)
    if job.status != AuditExport.Status.PENDING:
        return  # delivered twice (acks late): the first run owns it
    AuditExport.objects.filter(pk=job.pk).update(status=AuditExport.Status.RUNNING)
    acting = job.requested_by_id if job.requested_by_id != job.scope_user_id else None
    path = export_dir() / f"audit-{job.pk}-{secrets.token_hex(8)}.csv"
    try:
        scope = Scope.for_user_id(job.scope_user_id, acting)
        form = AuditFilterForm(job.filters, scope=scope, time_zone=job.time_zone)
        if not form.is_valid():
            raise ValueError("the filters are no longer valid")
        events = filter_events(scope.audit_events(), form.cleaned_data)
        zone = zoneinfo.ZoneInfo(job.time_zone)
        written = 0
        language = job.language or settings.LANGUAGE_CODE
        with (
            open(path, "w", newline="", encoding="utf-8") as out,
            translation.override(language),
        ):
            writer = csv.writer(out)
            writer.writerow(_export_header(job.time_zone, job.raw))
            before = None
            while True:
                chunk = events.filter(id__lt=before) if before else events
                rows = list(chunk.order_by("-id")[:_EXPORT_CHUNK])
                if not rows:
                    break
                if job.raw:
                    writer.writerows(_export_row(event, zone) for event in rows)
                else:
                    described = sentences.describe(rows)
                    writer.writerows(
                        _words_row(event, words, zone)
                        for event, words in zip(rows, described, strict=True)
                    )
                written += len(rows)
                before = rows[-1].pk
                AuditExport.objects.filter(pk=job.pk).update(rows_written=written)
        AuditExport.objects.filter(pk=job.pk).update(
            status=AuditExport.Status.DONE,
            file_name=path.name,
            rows_written=written,
            finished_at=datetime.now(UTC),
        )
    except Exception as exc:
        path.unlink(missing_ok=True)
        AuditExport.objects.filter(pk=job.pk).update(
            status=AuditExport.Status.FAILED,
            error=type(exc).__name__,
            finished_at=datetime.now(UTC),
        )
        raise


def purge_expired_exports() -> int:
    """Delete expired export files and their jobs."""
    return purge_expired(AuditExport.objects.all(), export_dir())


def _export_header(time_zone: str, raw: bool = True) -> list[str]:
    if not raw:
        # The raw columns' places, in words (column 4 says what the event did).
        return [
            _("Number"),
            _("Time (%(zone)s)") % {"zone": time_zone},
            _("Actor"),
            _("On behalf of"),
            _("What"),
            _("Target kind"),
            _("Target"),
            _("Account number"),
            _("VOS server"),
            _("Switch call"),
            _("Result"),
            _("Switch answer code"),
            _("Error"),
            _("IP"),
            _("Request"),
            _("Details"),
            _("Before"),
            _("After"),
        ]
    return [
        "id",
        f"time ({time_zone})",
        "actor",
        "on_behalf_of",
        "action",
        "target_type",
        "target_id",
        "tenant_id",
        "vos_server",
        "vos_endpoint",
        "result",
        "ret_code",
        "error",
        "ip",
        "request_id",
        "payload",
        "before",
        "after",
    ]


def _json_cell(value) -> str:
    if value is None:
        return ""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _export_row(event: AuditEvent, zone) -> list[str]:
    return [
        str(event.pk),
        event.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
        safe_cell(event.actor_email),
        safe_cell(event.on_behalf_of_email),
        safe_cell(event.action),
        safe_cell(event.target_type),
        safe_cell(event.target_id),
        safe_cell(event.tenant_id),
        safe_cell(event.vos_server),
        safe_cell(event.vos_endpoint),
        safe_cell(event.result),
        "" if event.ret_code is None else str(event.ret_code),
        safe_cell(event.error),
        safe_cell(event.ip),
        safe_cell(event.request_id),
        safe_cell(_json_cell(event.payload)),
        safe_cell(_json_cell(event.before)),
        safe_cell(_json_cell(event.after)),
    ]


def _words_row(event: AuditEvent, words, zone) -> list[str]:
    row = _export_row(event, zone)
    row[4] = safe_cell(words.sentence)
    row[5] = safe_cell(sentences.kind_words(event.target_type)) if event.target_type else ""
    row[6] = safe_cell(words.target.words) if words.target else ""
    row[10] = str(AUDIT_RESULT_WORDS.get(event.result, event.result))
    return row


# --- Verifying the hash chain, as a job ------------------------------------------------
def start_verification(scope: Scope) -> AuditVerification:
    """A platform user (admins and auditors: it only reads) asks for a check of the whole
    chain; a worker runs it (``tasks.verify_audit_chain``). One at a time: a check still
    running is returned instead of a second one."""
    scope.require_platform(Action.VIEW_AUDIT)
    with transaction.atomic():
        running = AuditVerification.objects.select_for_update().filter(
            status__in=[AuditVerification.Status.PENDING, AuditVerification.Status.RUNNING]
        )
        found = running.first()
        if found is not None:
            return found
        job = AuditVerification.objects.create(
            requested_by=scope.acting_user or scope.user, total=AuditEvent.objects.count()
        )
        record("audit.chain.verify_requested", scope=scope, target=job)
        enqueue(tasks.verify_audit_chain, job.pk)
    return job


def run_verification(job_id: int) -> AuditVerification:
    """Walk the chain for one job, saving how far it got after each chunk; the result is
    kept on the job and audited."""
    job = AuditVerification.objects.get(pk=job_id)
    if not job.is_open:
        return job
    AuditVerification.objects.filter(pk=job.pk).update(status=AuditVerification.Status.RUNNING)

    def progress(checked: int) -> None:
        AuditVerification.objects.filter(pk=job.pk).update(checked=checked)

    try:
        result = verify_chain(progress=progress)
    except Exception as exc:
        AuditVerification.objects.filter(pk=job.pk).update(
            status=AuditVerification.Status.FAILED,
            detail=str(exc)[:255],
            finished_at=datetime.now(UTC),
        )
        raise
    AuditVerification.objects.filter(pk=job.pk).update(
        status=AuditVerification.Status.DONE,
        checked=result.checked,
        total=max(job.total, result.checked),
        intact=result.ok,
        broken_id=result.broken_id,
        problem=result.problem or "",
        detail=result.detail[:255],
        finished_at=datetime.now(UTC),
    )
    job.refresh_from_db()
    record(
        "audit.chain.verified",
        actor=job.requested_by,
        target=job,
        result="ok" if result.ok else "error",
        after={
            "intact": result.ok,
            "checked": result.checked,
            "broken_id": result.broken_id,
            "problem": result.problem,
        },
    )
    return job
