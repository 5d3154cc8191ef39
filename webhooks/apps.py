from django.apps import AppConfig

from accounts.audit_trail.links import link_target
from accounts.events import announced, tenant_moved
from web.lazy import lazy


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        # Every event the areas announce (money, balances, customers, phones, exports,
        # alarms) becomes deliveries to the endpoints that hear of it.
        announced.connect(
            lazy("webhooks.services.on_announced"), weak=False, dispatch_uid="webhooks-announced"
        )
        tenant_moved.connect(
            lazy("webhooks.services.follow_tenant_move"),
            weak=False,
            dispatch_uid="webhooks-moves",
        )
        # The audit trail links an endpoint it names to the endpoint's page.
        link_target(
            "webhooks.webhookendpoint", "webhook_detail", "webhooks.selectors.endpoint_or_404"
        )
