from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self):
        from accounts.models import tenant_moved

        tenant_moved.connect(_carry_paths, dispatch_uid="billing-carry-tenant-paths")


def _carry_paths(sender, old_path: str, new_path: str, **kwargs):
    """Rows that copy a tenant's path for scoped queries follow the tenant's move."""
    from django.db.models import Value
    from django.db.models.functions import Concat, Substr

    from billing.cdrs import store as cdr_store
    from billing.models import MoneyTransfer

    cdr_store.move_tenant_paths(old_path, new_path)
    MoneyTransfer.objects.filter(tenant_path__startswith=old_path).update(
        tenant_path=Concat(Value(new_path), Substr("tenant_path", len(old_path) + 1))
    )
