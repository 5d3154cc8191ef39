from celery import shared_task


@shared_task
def export_audit(job_id: int) -> None:
    """Write one audit CSV export (``accounts.audit.write_export``)."""
    from accounts import audit

    audit.write_export(job_id)


@shared_task
def purge_audit_exports() -> int:
    from accounts import audit

    return audit.purge_expired_exports()
