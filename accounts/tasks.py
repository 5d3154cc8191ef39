from celery import shared_task

from accounts import services
from telephony.models import VosServer


@shared_task
def sync_tenants(server_id: int) -> dict:
    server = VosServer.objects.get(pk=server_id, enabled=True)
    result = services.sync_tenants_from_vos(server)
    return {"seen": result.seen, "created": len(result.created), "gone": len(result.gone)}


@shared_task
def sync_all_tenants() -> None:
    for server_id in VosServer.objects.filter(enabled=True).values_list("pk", flat=True):
        sync_tenants.delay(server_id)


@shared_task
def export_audit(job_id: int) -> None:
    """Write one audit CSV export (``accounts.audit.write_export``)."""
    from accounts import audit

    audit.write_export(job_id)


@shared_task
def purge_audit_exports() -> int:
    from accounts import audit

    return audit.purge_expired_exports()


# The worker discovers ``<app>.tasks`` only: the alert tasks live in their own module.
from accounts import alert_tasks  # noqa: E402,F401
