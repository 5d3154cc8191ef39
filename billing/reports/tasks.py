"""Report tasks: they take ids and call billing.reports.services (imported by billing.money.tasks so
the worker registers them)."""

from __future__ import annotations

from celery import shared_task

from billing.reports import services as reports


@shared_task
def run_report(job_id: int) -> str:
    """Run one VOS fee report job (``billing.reports.services.run``)."""
    return reports.run(job_id).status


@shared_task
def purge_report_jobs() -> int:
    """Beat: forget report jobs older than REPORT_TTL_HOURS."""
    return reports.purge_expired()
