"""Reads of the money pages: the ledger rows of the scope."""

from __future__ import annotations

from billing.models import MoneyTransfer


def money_transfers(scope):
    """Ledger rows this user may see: all on the platform; otherwise transfers for
    accounts in the subtree (a reseller's funding legs are for its customers, so they
    are in)."""
    return scope.visible(MoneyTransfer.objects.all(), "tenant_path")


def money_transfer_or_404(scope, pk) -> MoneyTransfer:
    return scope.get_or_404(money_transfers(scope), pk, "money transfer")
