from django.apps import AppConfig

from accounts.audit_trail.links import link_target
from accounts.events import tenant_moved
from switch import push_handlers
from web.lazy import lazy


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self):
        # Rows that copy a tenant's path for scoped queries follow the tenant's move.
        for path in ("billing.cdrs.store", "billing.money.services"):
            tenant_moved.connect(
                lazy(f"{path}.follow_tenant_move"), weak=False, dispatch_uid=f"{path}-moves"
            )
        push_handlers.on_push("CustomerMoneyChange", "billing.money.services.balance_pushed")
        # The audit trail links a money transfer it names to the transfer's page.
        link_target(
            "billing.moneytransfer",
            "money_transfer",
            "billing.money.selectors.money_transfer_or_404",
        )
