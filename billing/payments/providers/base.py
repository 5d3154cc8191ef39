"""The interface every card payment provider implements.

Money never moves on the provider's word alone from the browser: only a verified
webhook event (``parse_webhook``) or the daily listing (``successful_payments``) makes
the portal credit VOS. Amounts are Decimals in the currency's major unit (20.50), never
floats; a provider converts to and from its own minor units.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol


class ProviderError(Exception):
    """The provider refused or could not be reached; ``str()`` is safe to show (words,
    no keys, no provider internals)."""


class BadSignature(ProviderError):
    """A webhook whose signature (or timestamp) does not verify: refused, logged."""


@dataclass(frozen=True)
class ProviderConfig:
    """A payment account's settings, decrypted for the call (never logged)."""

    secret_key: str
    webhook_secret: str
    currency: str  # ISO 4217, lower case ("usd")
    # For the offline provider: where its hosted checkout posts its webhook.
    webhook_url: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Checkout:
    """A hosted checkout session: send the browser to ``url``."""

    session_id: str
    url: str


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event, normalized.

    kind: "paid" (money was taken), "failed" (the checkout ended without payment),
    "refunded", "disputed", or "ignored" (an event type the portal does not use).
    reference: the portal's own payment reference given to ``create_checkout``
    (Stripe: client_reference_id / metadata), "" when the event does not carry it.
    """

    event_id: str
    kind: str
    reference: str
    provider_payment_id: str
    amount: Decimal | None
    currency: str
    raw_type: str = ""


@dataclass(frozen=True)
class ProviderPayment:
    """A successful payment as the provider lists it (for the daily reconciliation)."""

    provider_payment_id: str
    reference: str
    amount: Decimal
    currency: str
    paid_at: datetime


class PaymentProvider(Protocol):
    kind: str

    def __init__(self, config: ProviderConfig) -> None: ...

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
        """Open a hosted checkout for ``amount`` (config's currency). Raises ProviderError."""

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        """Verify the signature over the raw body and normalize the event. Raises
        BadSignature (bad or stale signature) or ProviderError (not an event)."""

    def successful_payments(self, since: datetime) -> Iterator[ProviderPayment]:
        """Every successful payment since ``since``, following the provider's pages."""
