"""Reads of the money pages: the ledger rows of the scope."""

from __future__ import annotations

from billing.models import MoneyTransfer
from billing.money import receipts


def money_transfers(scope):
    """Ledger rows this user may see: all on the platform; otherwise transfers for
    accounts in the subtree (a reseller's funding legs are for its customers, so they
    are in)."""
    return scope.visible(MoneyTransfer.objects.all(), "tenant_path")


def money_transfer_or_404(scope, pk) -> MoneyTransfer:
    return scope.get_or_404(money_transfers(scope), pk, "money transfer")


def money_receipt_or_404(scope, pk) -> MoneyTransfer:
    """A successful top-up of the scope (its receipt's transfer); anything else is 404."""
    rows = receipts.with_receipts(money_transfers(scope)).select_related(
        "customer__parent", "funded_by", "payer_tenant"
    )
    return scope.get_or_404(rows, pk, "receipt")
