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


@shared_task
def verify_audit_chain(job_id: int) -> bool:
    """Check the audit trail's hash chain for one verification job (its progress is on
    the job, polled by the audit page)."""
    return bool(services.run_verification(job_id).intact)
