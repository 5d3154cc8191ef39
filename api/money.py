"""Top-ups, take-backs and a transfer's state: through ``billing.money.services``, the
same ledger as the pages. A POST needs an ``Idempotency-Key`` header: the transfer is
recorded with it before any money call, and the same key again returns that first
transfer (nothing paid twice)."""

from __future__ import annotations

import hashlib

from ninja import Header, Router, Status

from accounts.roles import Action
from api.customers import WRITE_ERRORS, need
from api.problems import ApiProblem
from api.schemas import Id, Problem, TopUp, Transfer
from billing.models import MoneyTransfer
from billing.money import selectors as money_selectors
from billing.money import services as money_services

router = Router(tags=["money"])

IDEMPOTENCY_HELP = (
    "Any unique string (up to 200 characters); the same key again returns the first result"
)


def ledger_key(request, idempotency_key: str) -> str:
    """The ledger's key for a client's Idempotency-Key: per API key, so two keys'
    clients never collide (64 hex characters, the ledger's column)."""
    text = (idempotency_key or "").strip()
    if not text or len(text) > 200:
        raise ApiProblem(
            422,
            "invalid",
            "Invalid request",
            "An Idempotency-Key header of 1 to 200 characters is required.",
            errors=[{"field": "Idempotency-Key", "message": "required, 1 to 200 characters"}],
        )
    return hashlib.sha256(f"api:{request.api_key.pk}:{text}".encode()).hexdigest()


def as_transfer(transfer: MoneyTransfer) -> dict:
    return {
        "id": transfer.pk,
        "kind": transfer.kind,
        "state": transfer.state,
        "amount": str(transfer.amount),
        "customer_id": transfer.customer_id,
        "memo": transfer.memo,
        "created_at": transfer.created_at,
    }


def _move(request, customer_id: Id, key: str, run) -> Status:
    scope = request.scope
    need(scope, Action.MOVE_MONEY)
    customer = scope.account_or_404(customer_id)
    key = ledger_key(request, key)
    repeated = MoneyTransfer.objects.filter(idempotency_key=key).exists()
    transfer = run(scope, customer, key)
    return Status(200 if repeated else 201, as_transfer(transfer))


@router.post(
    "/customers/{customer_id}/topups",
    response={200: Transfer, 201: Transfer, **WRITE_ERRORS},
    summary="Top up an account (idempotent)",
)
def topup(
    request,
    customer_id: Id,
    body: TopUp,
    idempotency_key: str = Header(..., alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
):
    """201 with the new transfer; 200 with the first one when the key was used before."""
    return _move(
        request,
        customer_id,
        idempotency_key,
        lambda scope, customer, key: money_services.topup(
            scope, customer, body.amount, key=key, memo=body.memo
        ),
    )


@router.post(
    "/customers/{customer_id}/reversals",
    response={200: Transfer, 201: Transfer, **WRITE_ERRORS},
    summary="Take money back from an account (idempotent)",
)
def reversal(
    request,
    customer_id: Id,
    body: TopUp,
    idempotency_key: str = Header(..., alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
):
    return _move(
        request,
        customer_id,
        idempotency_key,
        lambda scope, customer, key: money_services.reverse(
            scope, customer, body.amount, key=key, memo=body.memo
        ),
    )


@router.get(
    "/transfers/{transfer_id}",
    response={200: Transfer, 401: Problem, 403: Problem, 404: Problem, 429: Problem},
    summary="A transfer's state",
)
def read_transfer(request, transfer_id: Id):
    return as_transfer(money_selectors.money_transfer_or_404(request.scope, transfer_id))
