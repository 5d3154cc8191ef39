from django.apps import AppConfig

from accounts.audit_trail.links import link_target


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self):
        # The audit trail links an account it names to its page.
        link_target(
            "accounts.tenant", "customer_detail", "accounts.audit_trail.links.customer_or_404"
        )
