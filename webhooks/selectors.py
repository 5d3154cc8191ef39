"""Webhooks out, the reads: the endpoints a user may see (its own tenant's and, for a
provider, those of the accounts below), and their deliveries."""

from __future__ import annotations

from webhooks.models import EVENT_TYPES, PLATFORM_ONLY, WebhookDelivery, WebhookEndpoint


def visible_endpoints(scope):
    rows = WebhookEndpoint.objects.select_related("tenant")
    return scope.visible(rows, "tenant__path", own="tenant_id")


def endpoint_or_404(scope, pk) -> WebhookEndpoint:
    return scope.get_or_404(visible_endpoints(scope), pk, "webhook endpoint")


def delivery_or_404(scope, pk) -> WebhookDelivery:
    rows = WebhookDelivery.objects.select_related("endpoint__tenant", "event")
    return scope.get_or_404(
        scope.visible(rows, "endpoint__tenant__path", own="endpoint__tenant_id"),
        pk,
        "webhook delivery",
    )


def deliveries_of(endpoint: WebhookEndpoint, limit: int = 50):
    return endpoint.deliveries.select_related("event").order_by("-pk")[:limit]


def event_choices(tenant) -> list[tuple[str, object]]:
    """The events a tenant's endpoints may subscribe to (alarms: the platform's only)."""
    platform = tenant is not None and tenant.kind == "platform"
    return [
        (name, words)
        for name, words in EVENT_TYPES.items()
        if platform or name not in PLATFORM_ONLY
    ]
