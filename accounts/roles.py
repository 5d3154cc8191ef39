"""Which navigation a user gets. Tenancy and fine-grained roles arrive with the
tenant model; until then a superuser is the platform admin and everyone else sees
the customer shell."""

from __future__ import annotations

ADMIN = "admin"
RESELLER = "reseller"
CUSTOMER = "customer"


def role_of(user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return ADMIN
    return CUSTOMER
