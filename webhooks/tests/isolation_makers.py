"""Makers of the webhook pages' objects for the isolation suite (see
accounts.tests.isolation_world)."""

from __future__ import annotations


def _endpoint(world, tenant):
    from webhooks import keys
    from webhooks.models import WebhookEndpoint

    # A loopback address: should anything ever try to send, it is refused at once.
    return WebhookEndpoint.objects.create(
        tenant=tenant,
        url="https://127.0.0.1:9/hook",
        events=["transfer.succeeded"],
        secret_token=keys.encrypt("whsec_isolation"),
        secret_hint="tion",
    )


def _endpoint_pk(world, role_name, own):
    tenant = world.own_tenant(role_name) if own else world.foreign_tenant(role_name)
    return None if tenant is None else _endpoint(world, tenant).pk


def _delivery_pk(world, role_name, own):
    from webhooks.models import WebhookDelivery, WebhookEvent

    tenant = world.own_tenant(role_name) if own else world.foreign_tenant(role_name)
    if tenant is None:
        return None
    event = WebhookEvent.objects.create(type="transfer.succeeded", tenant_path=tenant.path)
    return WebhookDelivery.objects.create(endpoint=_endpoint(world, tenant), event=event).pk


OBJECT_MAKERS: dict = {"webhook_endpoint": _endpoint_pk, "webhook_delivery": _delivery_pk}
