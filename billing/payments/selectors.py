"""Reads of the card payment pages."""

from __future__ import annotations

from accounts.scope import OutOfScope
from billing.models import CardPayment, PaymentAccount


def card_payments(scope):
    """Card payments this user may see: all on the platform, a reseller's subtree, a
    customer's own."""
    return scope.visible(CardPayment.objects.all(), "tenant_path", own="customer_id")


def card_payment_or_404(scope, reference: str) -> CardPayment:
    """A payment by its reference; a foreign, unknown or malformed one is the same 404."""
    found = (
        card_payments(scope)
        .select_related("account", "customer", "transfer")
        .filter(reference=str(reference)[:40])
        .first()
    )
    if found is None:
        raise OutOfScope(f"card payment {str(reference)[:40]!r}")
    return found


def own_payment_account(scope) -> PaymentAccount | None:
    """The payment account of the user's own tenant (the platform's, or a reseller's)."""
    if scope.tenant is None or not scope.is_provider:
        return None
    return PaymentAccount.objects.filter(owner=scope.tenant).first()
