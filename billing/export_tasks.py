"""Celery tasks of the CDR exports (imported by billing.tasks so the worker registers
them; beat runs ``purge_cdr_exports``)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def export_cdrs(job_id: int) -> None:
    """Write one CDR export (``billing.cdr_export.write``)."""
    from billing import cdr_export

    cdr_export.write(job_id)


@shared_task
def purge_cdr_exports() -> int:
    """Expired export files and their jobs (``billing.cdr_export.purge``)."""
    from billing import cdr_export

    return cdr_export.purge()
