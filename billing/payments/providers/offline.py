"""The offline test provider: a hosted checkout inside the portal
(``payments_test_checkout``) and signed webhooks, behaving like Stripe's Checkout, so
`make run` and the tests take card payments without the internet.

It keeps its own record of each checkout (``OfflineCheckoutSession``), apart from the
portal's ``CardPayment``: the daily reconciliation compares the two. Its merchant is
known by a hash of the secret key, as a provider knows a merchant by its API key.

Webhooks: JSON events POSTed to the account's webhook URL by a Celery task
(``billing.payments.tasks.deliver_offline_event``), signed like Stripe's:
``Portal-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body" under the webhook
secret>``. Test cards: 4242 4242 4242 4242 is paid, 4000 0000 0000 0002 declined.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from billing.models import OfflineCheckoutSession
from billing.payments.providers.base import (
    BadSignature,
    Checkout,
    ProviderConfig,
    ProviderError,
    ProviderEvent,
    ProviderPayment,
)

SIGNATURE_HEADER = "Portal-Signature"
CARD_PAID = "4242424242424242"
CARD_DECLINED = "4000000000000002"

# Event type -> the interface's kind.
EVENT_KINDS = {
    "payment.succeeded": "paid",
    "checkout.canceled": "failed",
    "charge.refunded": "refunded",
    "charge.disputed": "disputed",
}


def merchant_of(secret_key: str) -> str:
    return hashlib.sha256(secret_key.encode()).hexdigest()[:32]


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    stamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def event_body(session: OfflineCheckoutSession, event_type: str) -> bytes:
    """A new event (its own id) about ``session``, as the provider sends it."""
    return json.dumps(
        {
            "id": "evt_" + secrets.token_hex(12),
            "type": event_type,
            "created": int(time.time()),
            "data": {
                "session_id": session.session_id,
                "reference": session.reference,
                "payment_id": session.payment_id,
                "amount": str(session.amount),
                "currency": session.currency,
            },
        },
        separators=(",", ":"),
    ).encode()


class OfflineProvider:
    kind = "offline"

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self.merchant = merchant_of(config.secret_key)

    # --- the interface -------------------------------------------------------------------
    def create_checkout(
        self,
        *,
        reference: str,
        amount: Decimal,
        description: str,
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
    ) -> Checkout:
        if not self.config.webhook_url:
            raise ProviderError("The test provider needs the portal's webhook address.")
        key = f"{self.merchant}:{idempotency_key}"[:128]
        session = OfflineCheckoutSession.objects.filter(idempotency_key=key).first()
        if session is None:
            try:
                with transaction.atomic():
                    session = OfflineCheckoutSession.objects.create(
                        session_id="cs_test_" + secrets.token_urlsafe(24),
                        merchant=self.merchant,
                        account_id=int(self.config.extra.get("account_id") or 0),
                        reference=reference,
                        amount=amount,
                        currency=self.config.currency,
                        description=description[:255],
                        success_url=success_url,
                        cancel_url=cancel_url,
                        webhook_url=self.config.webhook_url,
                        idempotency_key=key,
                    )
            except IntegrityError:
                session = OfflineCheckoutSession.objects.get(idempotency_key=key)
        url = reverse("payments_test_checkout", args=[session.session_id])
        return Checkout(session_id=session.session_id, url=url)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        header = headers.get(SIGNATURE_HEADER) or ""
        parts = dict(
            item.split("=", 1) for item in header.split(",") if "=" in item and len(item) < 200
        )
        stamp, given = parts.get("t", ""), parts.get("v1", "")
        if not stamp.isdigit() or not given:
            raise BadSignature("missing or malformed signature")
        tolerance = getattr(settings, "PAYMENTS_WEBHOOK_TOLERANCE_SECONDS", 300)
        if abs(time.time() - int(stamp)) > tolerance:
            raise BadSignature("stale signature")
        expected = sign(body, self.config.webhook_secret, int(stamp)).split("v1=", 1)[1]
        if not hmac.compare_digest(expected, given):
            raise BadSignature("signature does not match")
        try:
            event = json.loads(body)
            data = event["data"]
            if not isinstance(data, dict):
                raise TypeError("data is not an object")
            event_id, event_type = str(event["id"]), str(event["type"])
            amount = Decimal(str(data["amount"])) if data.get("amount") is not None else None
        except (ValueError, KeyError, TypeError, InvalidOperation, RecursionError):
            raise ProviderError("not an event") from None
        if amount is not None and not amount.is_finite():
            raise ProviderError("not an event")
        return ProviderEvent(
            event_id=event_id[:255],
            kind=EVENT_KINDS.get(event_type, "ignored"),
            reference=str(data.get("reference") or "")[:40],
            provider_payment_id=str(data.get("payment_id") or "")[:255],
            amount=amount,
            currency=str(data.get("currency") or "").lower(),
            raw_type=event_type[:64],
        )

    def successful_payments(self, since) -> Iterator[ProviderPayment]:
        sessions = OfflineCheckoutSession.objects.filter(
            merchant=self.merchant, state=OfflineCheckoutSession.State.PAID, paid_at__gte=since
        ).order_by("paid_at", "pk")
        for session in sessions.iterator():
            yield ProviderPayment(
                provider_payment_id=session.payment_id,
                reference=session.reference,
                amount=session.amount,
                currency=session.currency,
                paid_at=session.paid_at,
            )


# --- The hosted checkout (the provider's side of its pages) --------------------------------
def open_session(session_id: str) -> OfflineCheckoutSession | None:
    return OfflineCheckoutSession.objects.filter(session_id=str(session_id)[:64]).first()


def pay(session: OfflineCheckoutSession, card_number: str) -> bool:
    """Charge the test card: True when paid (the session is then the provider's record of
    a payment), False when declined (the session stays open, as Stripe's does)."""
    number = card_number.replace(" ", "").replace("-", "")
    if number != CARD_PAID:
        return False
    updated = OfflineCheckoutSession.objects.filter(
        pk=session.pk, state=OfflineCheckoutSession.State.OPEN
    ).update(
        state=OfflineCheckoutSession.State.PAID,
        payment_id="pay_test_" + secrets.token_hex(10),
        paid_at=timezone.now(),
    )
    session.refresh_from_db()
    return bool(updated) or session.state == OfflineCheckoutSession.State.PAID


def cancel(session: OfflineCheckoutSession) -> bool:
    updated = OfflineCheckoutSession.objects.filter(
        pk=session.pk, state=OfflineCheckoutSession.State.OPEN
    ).update(state=OfflineCheckoutSession.State.CANCELED)
    session.refresh_from_db()
    return bool(updated)
