"""Stripe Checkout: the card payment provider for a Stripe account.

Each call builds its own ``stripe.StripeClient`` with the account's secret key (the
platform and every reseller may have their own Stripe account, so the library's global
``stripe.api_key`` is never set), a bounded timeout, and no automatic retry for a write:
the checkout is created once, under the portal's idempotency key. Reads (the daily
listing) may retry, since they move nothing.

Amounts cross the border exactly: the portal's Decimal in the currency's major unit
becomes Stripe's integer minor units (20.50 USD -> 2050, 500 JPY -> 500, 5.120 KWD ->
5120); an amount with more decimals than the currency takes is refused, never rounded.

Words in ``ProviderError`` are ours: Stripe's own messages may quote part of a key or a
request id, so they are never passed on.

``settings.STRIPE_API_BASE`` (unset in production) points the client at another address;
the tests use it to talk to a local stand-in for Stripe's HTTP API.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from billing.payments.providers.base import (
    BadSignature,
    Checkout,
    ProviderConfig,
    ProviderError,
    ProviderEvent,
    ProviderPayment,
)

logger = logging.getLogger(__name__)

# (connect, read) seconds for one HTTP request to Stripe.
TIMEOUT = (5, 20)
# Reads only (listing sessions): a retry there moves no money.
READ_RETRIES = 2
# How old a webhook's signed timestamp may be (Stripe's own default).
WEBHOOK_TOLERANCE = 300
# Checkout sessions per page when listing (Stripe's maximum).
PAGE_SIZE = 100
# Stripe's largest amount in minor units (eight digits).
MAX_MINOR_UNITS = 99_999_999

# https://docs.stripe.com/currencies: currencies whose API amount is the major unit.
ZERO_DECIMAL = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga"}
    | {"pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
)
# Three-decimal currencies: the last minor digit must be 0 (so two decimals charge).
THREE_DECIMAL = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})
# Two-decimal in the API but charged in whole units only (amount divisible by 100).
WHOLE_UNITS_ONLY = frozenset({"isk"})

SIGNATURE_HEADER = "stripe-signature"
REFERENCE_KEY = "portal_reference"


def minor_exponent(currency: str) -> int:
    """How many decimals Stripe's integer amount carries for ``currency``."""
    currency = currency.lower()
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def charge_places(currency: str) -> int:
    """How many decimals a charge in ``currency`` may have in its major unit."""
    currency = currency.lower()
    if currency in ZERO_DECIMAL or currency in WHOLE_UNITS_ONLY:
        return 0
    return 2  # two-decimal, and three-decimal with its last digit 0


def to_minor_units(amount: Decimal, currency: str) -> int:
    """``amount`` (major unit) as Stripe's integer, exactly; ProviderError otherwise."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ProviderError(_("The amount is not a number."))
    if amount <= 0:
        raise ProviderError(_("The amount must be more than zero."))
    exponent, places = minor_exponent(currency), charge_places(currency)
    if amount.scaleb(exponent) > MAX_MINOR_UNITS:
        raise ProviderError(_("The amount is larger than Stripe accepts in one payment."))
    try:
        exact = amount == amount.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # more digits than the context holds: not a real amount
        exact = False
    if not exact:
        raise ProviderError(
            _("%(currency)s amounts can have at most %(places)d decimals.")
            % {"currency": currency.upper(), "places": places}
        )
    return int(amount.scaleb(exponent))


def from_minor_units(minor: Any, currency: str) -> Decimal | None:
    """Stripe's integer amount as a Decimal in the major unit (2050 USD -> 20.50)."""
    if minor is None or isinstance(minor, bool) or not isinstance(minor, int):
        return None
    return Decimal(minor).scaleb(-minor_exponent(currency))


def _error_words(exc: stripe.StripeError) -> str:
    """Our words for what Stripe answered (its own message may quote part of a key)."""
    if isinstance(exc, stripe.AuthenticationError):
        return _("Stripe refused the secret key: check it in the payment account's settings.")
    if isinstance(exc, stripe.PermissionError):
        return _("The secret key lacks a permission: a restricted key needs Checkout Sessions.")
    if isinstance(exc, stripe.RateLimitError):
        return _("Stripe is receiving too many requests; try again in a minute.")
    if isinstance(exc, stripe.APIConnectionError):
        return _("Stripe could not be reached; try again in a few minutes.")
    if isinstance(exc, stripe.IdempotencyError):
        return _("This payment was already started with other details; start a new one.")
    if isinstance(exc, stripe.CardError):
        return _("Stripe declined the request (payment required).")
    if isinstance(exc, stripe.InvalidRequestError):
        if exc.param:
            return _("Stripe refused the request: the field %(field)s was not accepted.") % {
                "field": exc.param
            }
        return _("Stripe refused the request.")
    if isinstance(exc, stripe.APIError):
        return _("Stripe had an internal error; try again later.")
    return _("Stripe refused the request.")


def _provider_error(exc: stripe.StripeError, doing: str) -> ProviderError:
    # The log names the kind and HTTP status only: never the message (it may quote a key).
    logger.warning("Stripe %s failed: %s (HTTP %s)", doing, type(exc).__name__, exc.http_status)
    return ProviderError(_error_words(exc))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, whatever its case (or Django's META spelling HTTP_STRIPE_...)."""
    for key, value in headers.items():
        key = key.lower().replace("_", "-")
        if key in (name, f"http-{name}"):
            return value
    return None


def _id_of(value: Any) -> str:
    """An object id, whether Stripe sent the id or the expanded object."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def _metadata_reference(*objects: Any) -> str:
    for obj in objects:
        if isinstance(obj, dict):
            metadata = obj.get("metadata") or {}
            if isinstance(metadata, dict) and metadata.get(REFERENCE_KEY):
                return str(metadata[REFERENCE_KEY])
    return ""


def _session_reference(session: dict) -> str:
    return str(session.get("client_reference_id") or "") or _metadata_reference(session)


class StripeProvider:
    """``PaymentProvider`` over Stripe Checkout (hosted payment page, mode "payment")."""

    kind = "stripe"

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self.currency = config.currency.lower()

    def __repr__(self) -> str:  # never the keys
        return f"<StripeProvider {self.currency}>"

    @contextmanager
    def _client(self, *, retries: int) -> Iterator[stripe.StripeClient]:
        http_client = stripe.RequestsClient(timeout=TIMEOUT)
        base = getattr(settings, "STRIPE_API_BASE", "")
        client = stripe.StripeClient(
            api_key=self.config.secret_key,
            http_client=http_client,
            max_network_retries=retries,
            base_addresses={"api": base} if base else None,
        )
        try:
            yield client
        finally:
            http_client.close()

    # --- Checkout ----------------------------------------------------------------------
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
        minor = to_minor_units(amount, self.currency)
        metadata = {REFERENCE_KEY: reference}
        params = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": self.currency,
                        "unit_amount": minor,
                        "product_data": {"name": description or reference},
                    },
                }
            ],
            "client_reference_id": reference,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        options = {"idempotency_key": idempotency_key, "max_network_retries": 0}
        try:
            with self._client(retries=0) as client:
                session = client.v1.checkout.sessions.create(params, options)
        except stripe.StripeError as exc:
            raise _provider_error(exc, "checkout creation") from None
        session_id, url = getattr(session, "id", None), getattr(session, "url", None)
        if not session_id or not url:
            raise ProviderError(_("Stripe opened no payment page for this checkout."))
        return Checkout(session_id=session_id, url=url)

    # --- Webhooks ----------------------------------------------------------------------
    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        signature = _header(headers, SIGNATURE_HEADER)
        try:
            stripe.WebhookSignature.verify_header(
                body, signature, self.config.webhook_secret, WEBHOOK_TOLERANCE
            )
        except stripe.SignatureVerificationError as exc:
            if "tolerance" in str(exc):
                raise BadSignature(
                    _("The webhook is too old (its signed time is more than five minutes ago).")
                ) from None
            raise BadSignature(
                _("The webhook's signature does not match the account's signing secret.")
            ) from None
        except UnicodeDecodeError:
            raise BadSignature(
                _("The webhook's body is not text: it cannot be verified.")
            ) from None
        try:
            event = json.loads(body)
            event_id, event_type = str(event["id"]), str(event["type"])
            obj = event["data"]["object"]
        except (ValueError, TypeError, KeyError):
            raise ProviderError(_("The webhook is not a Stripe event.")) from None
        if event.get("object") != "event" or not isinstance(obj, dict):
            raise ProviderError(_("The webhook is not a Stripe event."))
        return self._normalize(event_id, event_type, obj)

    def _normalize(self, event_id: str, event_type: str, obj: dict) -> ProviderEvent:
        currency = str(obj.get("currency") or "").lower()

        def event(kind, reference="", payment_id="", amount=None) -> ProviderEvent:
            return ProviderEvent(
                event_id=event_id,
                kind=kind,
                reference=reference,
                provider_payment_id=payment_id,
                amount=amount,
                currency=currency,
                raw_type=event_type,
            )

        if event_type in (
            "checkout.session.completed",
            "checkout.session.async_payment_succeeded",
            "checkout.session.async_payment_failed",
            "checkout.session.expired",
        ):
            if not _session_reference(obj):
                # Not opened by the portal (the Stripe account may serve other sales too).
                return event("ignored", "", _id_of(obj.get("payment_intent")))
            if event_type == "checkout.session.completed" and obj.get("payment_status") != "paid":
                # "unpaid": a delayed method (bank debit) is still running; its
                # async_payment_succeeded/failed event follows.
                return event("ignored", _session_reference(obj), _id_of(obj.get("payment_intent")))
            succeeded = event_type in (
                "checkout.session.completed",
                "checkout.session.async_payment_succeeded",
            )
            return event(
                "paid" if succeeded else "failed",
                _session_reference(obj),
                _id_of(obj.get("payment_intent")),
                from_minor_units(obj.get("amount_total"), currency),
            )
        if event_type == "charge.refunded":
            # amount_refunded is everything refunded on the charge so far (partial
            # refunds add up); a full refund has refunded=True.
            payment_intent = obj.get("payment_intent")
            return event(
                "refunded",
                _metadata_reference(obj, payment_intent),
                _id_of(payment_intent),
                from_minor_units(obj.get("amount_refunded"), currency),
            )
        if event_type == "charge.dispute.created":
            payment_intent = obj.get("payment_intent")
            return event(
                "disputed",
                _metadata_reference(obj, payment_intent, obj.get("charge")),
                _id_of(payment_intent),
                from_minor_units(obj.get("amount"), currency),
            )
        return event("ignored")

    # --- Reconciliation ----------------------------------------------------------------
    def successful_payments(self, since: datetime) -> Iterator[ProviderPayment]:
        """Paid Checkout Sessions the portal opened (they carry its reference), *created*
        since ``since``: Stripe lists sessions by creation, and one stays open at most a
        day, so a caller reconciling a day passes a ``since`` a day earlier. ``paid_at`` is
        the session's creation time: Stripe's session carries no completion time."""
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        params = {
            "created": {"gte": int(since.timestamp())},
            "status": "complete",
            "limit": PAGE_SIZE,
        }
        try:
            with self._client(retries=READ_RETRIES) as client:
                page = client.v1.checkout.sessions.list(params)
                for item in page.auto_paging_iter():
                    payment = self._payment_of(item.to_dict())
                    if payment is not None:
                        yield payment
        except stripe.StripeError as exc:
            raise _provider_error(exc, "session listing") from None

    def _payment_of(self, session: dict) -> ProviderPayment | None:
        if session.get("payment_status") != "paid" or session.get("mode") != "payment":
            return None
        currency = str(session.get("currency") or "").lower()
        amount = from_minor_units(session.get("amount_total"), currency)
        payment_id = _id_of(session.get("payment_intent"))
        reference = _session_reference(session)
        if amount is None or not payment_id or not reference:
            return None  # not a payment the portal opened, or not a whole one
        created = session.get("created")
        paid_at = datetime.fromtimestamp(created, UTC) if isinstance(created, int) else None
        return ProviderPayment(
            provider_payment_id=payment_id,
            reference=reference,
            amount=amount,
            currency=currency,
            paid_at=paid_at or datetime.now(UTC),
        )
