"""Celery tasks of the CDR copy: beat's pull of every server, one server's pull (also
queued by an admin's "Pull now"), retention, and the export jobs. They take ids and
call ``billing.cdrs.pull`` and ``billing.cdrs.export``."""

from __future__ import annotations

import logging

from celery import shared_task

from accounts import audit
from accounts.models import User
from accounts.roles import Action
from accounts.scope import Scope
from billing.cdrs import export as cdr_export
from billing.cdrs import pull as cdr_pull
from billing.models import CdrPullJob
from switch.models import VosServer

log = logging.getLogger(__name__)


@shared_task
def pull_all_servers() -> int:
    """Beat, every CDR_PULL_SECONDS: one pull task per enabled server (a server whose
    previous pull still runs skips this one; its lock says so)."""
    ids = list(VosServer.objects.filter(enabled=True).values_list("pk", flat=True))
    for server_id in ids:
        pull_server.delay(server_id, CdrPullJob.Reason.SCHEDULED)
    return len(ids)


@shared_task
def pull_server(server_id: int, reason: str = CdrPullJob.Reason.SCHEDULED, user_id=None) -> dict:
    server = VosServer.objects.filter(pk=server_id, enabled=True).first()
    if server is None:
        return {"skipped": "server disabled or gone"}
    requested_by = None
    if user_id is not None:
        # Asked by a person: they must still be allowed to run the platform.
        try:
            scope = Scope.for_user_id(user_id)
        except User.DoesNotExist:
            return {"skipped": "requester can no longer act"}
        if not (scope.is_platform and scope.can(Action.RUN_PLATFORM)):
            return {"skipped": "requester may not run the platform"}
        requested_by = scope.user
    job = cdr_pull.pull_server(server, reason=reason, requested_by=requested_by)
    if job is None:
        return {"skipped": "busy or nothing owed"}
    return {
        "job": job.pk,
        "status": job.status,
        "fetched": job.fetched,
        "inserted": job.inserted,
    }


@shared_task
def apply_retention() -> dict | None:
    """Daily: drop whole months past CDR_RETENTION_MONTHS, recorded in the audit trail
    as a system action (no actor)."""
    outcome = cdr_pull.apply_retention()
    if outcome is not None:
        audit.record("cdr.retention", payload=outcome, after=outcome)
        log.info("CDR retention: %s", outcome)
    return outcome


@shared_task
def export_cdrs(job_id: int) -> None:
    """Write one CDR export (``billing.cdrs.export.write``)."""
    cdr_export.write(job_id)


@shared_task
def purge_cdr_exports() -> int:
    """Expired export files and their jobs (``billing.cdrs.export.purge``)."""
    return cdr_export.purge()
