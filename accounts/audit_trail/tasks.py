"""Audit trail tasks: write an export job's CSV, and purge expired exports (beat)."""

from celery import shared_task

from accounts.audit_trail import services


@shared_task
def export_audit(job_id: int) -> None:
    """Write one audit CSV export (``accounts.audit_trail.services.write_export``)."""
    services.write_export(job_id)


@shared_task
def purge_audit_exports() -> int:
    return services.purge_expired_exports()
