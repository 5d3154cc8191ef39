"""Tenant-tree tasks: mirror every server's customers from VOS (beat), or one server's."""

from celery import shared_task

from customers import services
from switch.models import VosServer


@shared_task
def sync_tenants(server_id: int) -> dict:
    server = VosServer.objects.get(pk=server_id, enabled=True)
    result = services.sync_tenants_from_vos(server)
    return {"seen": result.seen, "created": len(result.created), "gone": len(result.gone)}


@shared_task
def sync_all_tenants() -> None:
    for server_id in VosServer.objects.filter(enabled=True).values_list("pk", flat=True):
        sync_tenants.delay(server_id)
