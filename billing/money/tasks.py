"""Money tasks: they take ids, rebuild a scope and call billing.money.services."""

from __future__ import annotations

import logging

from celery import shared_task

from accounts.models import User
from accounts.scope import Scope
from billing.models import MoneyTransfer
from billing.money import receipts
from billing.money import services as money

log = logging.getLogger(__name__)


def _scope_for(transfer: MoneyTransfer) -> Scope | None:
    """The requester's scope: reconciliation acts for the person who asked. A requester
    who can no longer act (deactivated) leaves the transfer to the admins."""
    try:
        return Scope.for_user_id(transfer.requested_by_id)
    except User.DoesNotExist:
        return None


@shared_task
def reconcile_transfer(transfer_id: int) -> str:
    transfer = MoneyTransfer.objects.select_related("customer", "funded_by", "server").get(
        pk=transfer_id
    )
    if not transfer.is_open or transfer.state == MoneyTransfer.State.REVIEW:
        return transfer.state
    scope = _scope_for(transfer)
    if scope is None:
        money.send_to_review(
            transfer, "The person who asked for this payment can no longer act for it."
        )
        return MoneyTransfer.State.REVIEW
    return money.reconcile_transfer(scope, transfer).state


@shared_task
def advance_transfer(transfer_id: int, attempt: int = 0) -> str:
    """Open the next leg of a transfer that waited for its account (a call of the same
    amount on the same account was in flight). While it still waits, the service sends
    this task again with a growing, bounded countdown: never a sleep in a worker."""
    transfer = MoneyTransfer.objects.select_related("customer", "funded_by", "server").get(
        pk=transfer_id
    )
    if not transfer.is_open or transfer.state == MoneyTransfer.State.REVIEW:
        return transfer.state
    scope = _scope_for(transfer)
    if scope is None:
        money.send_to_review(
            transfer, "The person who asked for this payment can no longer act for it."
        )
        return MoneyTransfer.State.REVIEW
    return money.advance(scope, transfer, attempt=attempt).state


@shared_task
def reconcile_open_transfers() -> int:
    """Every minute: each transfer still in doubt, or waiting for its account, gets
    another look (so a lost ``advance_transfer`` message never strands one)."""
    ids = list(
        MoneyTransfer.objects.filter(
            state__in=[MoneyTransfer.State.UNKNOWN, MoneyTransfer.State.PENDING]
        ).values_list("pk", flat=True)
    )
    for transfer_id in ids:
        try:
            reconcile_transfer(transfer_id)
        except Exception:  # one bad transfer must not stop the others
            log.exception("reconciling money transfer %s failed", transfer_id)
    return len(ids)


@shared_task
def send_receipt(transfer_id: int) -> int:
    """Email a successful top-up's receipt to its account's people; a re-run sends none."""
    return receipts.send_receipt(transfer_id)


@shared_task
def send_missed_receipts() -> int:
    """Every few minutes: receipts whose task was lost or whose email failed."""
    ids = receipts.missed_receipts()
    for transfer_id in ids:
        try:
            receipts.send_receipt(transfer_id)
        except Exception:  # one bad email must not stop the others
            log.exception("the receipt of money transfer %s was not sent", transfer_id)
    return len(ids)
