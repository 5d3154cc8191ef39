"""The Stripe provider against the real ``stripe`` library.

Webhooks are signed here the way Stripe signs them (``t=<ts>,v1=<HMAC-SHA256 of
"<ts>.<body>">``) and checked by the library; Stripe's HTTP API is a local stand-in
(``stripe_stub``) the library talks to over HTTP, so the form fields, headers, pages
and error answers are the library's own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import stripe

from billing.payments import providers
from billing.payments.providers import (
    BadSignature,
    Checkout,
    ProviderConfig,
    ProviderError,
    ProviderPayment,
)
from billing.payments.providers.stripe_checkout import (
    StripeProvider,
    from_minor_units,
    to_minor_units,
)
from billing.payments.tests.stripe_stub import running_stub

SECRET_KEY = "sk_test_platform_4242"
WEBHOOK_SECRET = "whsec_test_signing_secret"
CONFIG = ProviderConfig(secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET, currency="usd")


@pytest.fixture
def stub(settings):
    with running_stub() as stub:
        settings.STRIPE_API_BASE = stub.url
        yield stub


@pytest.fixture
def provider():
    return providers.get("stripe", CONFIG)


def checkout(provider, **overrides):
    arguments = {
        "reference": "pay_000123",
        "amount": Decimal("20.50"),
        "description": "Top-up of account 1001",
        "success_url": "https://portal.example/payments/pay_000123/done/",
        "cancel_url": "https://portal.example/payments/pay_000123/cancelled/",
        "idempotency_key": "checkout-pay_000123",
        **overrides,
    }
    return provider.create_checkout(**arguments)


# --- Checkout -------------------------------------------------------------------------
def test_it_opens_a_checkout_with_the_amount_in_cents_and_the_reference(stub, provider):
    result = checkout(provider)

    assert result == Checkout(
        session_id="cs_test_opened_1", url="https://checkout.stripe.com/c/pay/cs_test_opened_1"
    )
    [sent] = stub.requests
    assert (sent.method, sent.path) == ("POST", "/v1/checkout/sessions")
    assert sent.form == {
        "mode": "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "2050",
        "line_items[0][price_data][product_data][name]": "Top-up of account 1001",
        "client_reference_id": "pay_000123",
        "metadata[portal_reference]": "pay_000123",
        "payment_intent_data[metadata][portal_reference]": "pay_000123",
        "success_url": "https://portal.example/payments/pay_000123/done/",
        "cancel_url": "https://portal.example/payments/pay_000123/cancelled/",
    }
    assert sent.headers["idempotency-key"] == "checkout-pay_000123"
    assert sent.headers["authorization"] == f"Bearer {SECRET_KEY}"


def test_it_calls_with_each_accounts_own_key_and_never_the_global_one(stub):
    reseller = ProviderConfig(secret_key="sk_test_reseller_7", webhook_secret="x", currency="eur")

    checkout(StripeProvider(CONFIG))
    checkout(StripeProvider(reseller), amount=Decimal("5"))

    keys = [request.headers["authorization"] for request in stub.requests]
    assert keys == [f"Bearer {SECRET_KEY}", "Bearer sk_test_reseller_7"]
    assert stub.requests[1].form["line_items[0][price_data][currency]"] == "eur"
    assert stub.requests[1].form["line_items[0][price_data][unit_amount]"] == "500"
    assert stripe.api_key is None
    assert SECRET_KEY not in repr(StripeProvider(CONFIG))


def test_it_names_the_product_by_the_reference_without_a_description(stub, provider):
    checkout(provider, description="")

    assert stub.requests[0].form["line_items[0][price_data][product_data][name]"] == "pay_000123"


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("20.50", "usd", 2050),
        ("0.01", "usd", 1),
        ("20.5", "USD", 2050),
        ("20.500000", "usd", 2050),
        ("500", "jpy", 500),
        ("5.12", "kwd", 5120),
        ("40", "isk", 4000),
        ("999999.99", "usd", 99_999_999),
    ],
)
def test_it_converts_an_amount_to_minor_units_exactly(amount, currency, minor):
    assert to_minor_units(Decimal(amount), currency) == minor
    assert from_minor_units(minor, currency) == Decimal(amount)


@pytest.mark.parametrize(
    ("amount", "currency", "words"),
    [
        ("20.505", "usd", "at most 2 decimals"),
        ("500.5", "jpy", "at most 0 decimals"),
        ("5.125", "kwd", "at most 2 decimals"),
        ("40.10", "isk", "at most 0 decimals"),
        ("0", "usd", "more than zero"),
        ("-5", "usd", "more than zero"),
        ("NaN", "usd", "not a number"),
        ("Infinity", "usd", "not a number"),
        ("1000000", "usd", "larger than Stripe accepts"),
        ("1E+40", "usd", "larger than Stripe accepts"),
        ("1.000000000000000000000000000000000001", "usd", "at most 2 decimals"),
    ],
)
def test_it_refuses_an_amount_the_currency_cannot_charge_and_sends_nothing(
    stub, amount, currency, words
):
    provider = StripeProvider(ProviderConfig(SECRET_KEY, WEBHOOK_SECRET, currency))

    with pytest.raises(ProviderError, match=words):
        checkout(provider, amount=Decimal(amount))

    assert stub.requests == []


def test_it_refuses_a_float_amount(stub, provider):
    with pytest.raises(ProviderError, match="not a number"):
        checkout(provider, amount=20.5)


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (402, {"type": "card_error", "code": "card_declined"}, "declined"),
        (500, {"type": "api_error"}, "internal error"),
        (401, {"type": "invalid_request_error"}, "refused the secret key"),
        (403, {"type": "invalid_request_error"}, "lacks a permission"),
        (429, {"type": "invalid_request_error", "code": "rate_limit"}, "too many requests"),
        (400, {"type": "invalid_request_error", "param": "currency"}, "field currency"),
        (400, {"type": "idempotency_error"}, "already started with other details"),
    ],
)
def test_it_turns_a_stripe_error_into_words_and_does_not_retry_the_write(
    stub, provider, status, error, words
):
    # Stripe's message quotes part of the key; the request id comes in a header.
    body = {"error": {**error, "message": f"Invalid API Key provided: {SECRET_KEY[:8]}****4242"}}
    stub.answer_next(status, body, {"Stripe-Should-Retry": "true"})
    stub.answer_next(200, {"id": "cs_test_retried", "url": "https://checkout.stripe.com/x"})

    with pytest.raises(ProviderError, match=words) as caught:
        checkout(provider)

    message = str(caught.value)
    assert "sk_test" not in message and "4242" not in message and "req_" not in message
    assert len(stub.requests) == 1  # the write is never retried


def test_it_says_stripe_could_not_be_reached(settings, provider):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{port}"

    with pytest.raises(ProviderError, match="could not be reached"):
        checkout(provider)


def test_it_refuses_an_answer_without_a_payment_page(stub, provider):
    stub.answer_next(200, {"id": "cs_test_embedded", "object": "checkout.session", "url": None})

    with pytest.raises(ProviderError, match="no payment page"):
        checkout(provider)


# --- Webhooks -------------------------------------------------------------------------
def signed(event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    body = json.dumps(event).encode()
    moment = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{moment}.".encode() + body, hashlib.sha256)
    return body, {"Stripe-Signature": f"t={moment},v1={signature.hexdigest()}"}


def stripe_event(event_type: str, obj: dict, event_id: str = "evt_test_1") -> dict:
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2025-01-27",
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": obj},
    }


def session(**fields) -> dict:
    return {
        "id": "cs_test_a1",
        "object": "checkout.session",
        "mode": "payment",
        "status": "complete",
        "payment_status": "paid",
        "client_reference_id": "pay_000123",
        "metadata": {"portal_reference": "pay_000123"},
        "payment_intent": "pi_test_a1",
        "amount_total": 2050,
        "currency": "usd",
        **fields,
    }


def parse(provider, event: dict, **signing):
    return provider.parse_webhook(*signed(event, **signing))


def test_it_reads_a_paid_checkout(provider):
    event = parse(provider, stripe_event("checkout.session.completed", session()))

    assert event.event_id == "evt_test_1"
    assert event.kind == "paid"
    assert event.reference == "pay_000123"
    assert event.provider_payment_id == "pi_test_a1"
    assert event.amount == Decimal("20.50")
    assert event.currency == "usd"
    assert event.raw_type == "checkout.session.completed"


def test_it_reads_a_delayed_payment_that_succeeded(provider):
    completed = session(payment_status="unpaid")
    succeeded = session(payment_status="paid", amount_total=500, currency="jpy")

    waiting = parse(provider, stripe_event("checkout.session.completed", completed))
    event = parse(provider, stripe_event("checkout.session.async_payment_succeeded", succeeded))

    assert waiting.kind == "ignored"  # paid only when the delayed method settles
    assert (event.kind, event.reference, event.amount) == ("paid", "pay_000123", Decimal(500))
    assert event.provider_payment_id == "pi_test_a1"


def test_it_takes_the_reference_from_the_metadata_without_client_reference_id(provider):
    event = parse(
        provider, stripe_event("checkout.session.completed", session(client_reference_id=None))
    )

    assert event.reference == "pay_000123"


def test_it_ignores_a_checkout_the_portal_did_not_open(provider):
    foreign = session(client_reference_id=None, metadata={"order": "shop-77"})

    event = parse(provider, stripe_event("checkout.session.completed", foreign))

    assert (event.kind, event.reference) == ("ignored", "")


@pytest.mark.parametrize(
    ("event_type", "fields", "payment_id"),
    [
        ("checkout.session.async_payment_failed", {"payment_status": "unpaid"}, "pi_test_a1"),
        (
            "checkout.session.expired",
            {"status": "expired", "payment_status": "unpaid", "payment_intent": None},
            "",
        ),
    ],
)
def test_it_reads_a_checkout_that_ended_without_payment(provider, event_type, fields, payment_id):
    event = parse(provider, stripe_event(event_type, session(**fields)))

    assert (event.kind, event.reference, event.raw_type) == ("failed", "pay_000123", event_type)
    assert event.provider_payment_id == payment_id


def charge(**fields) -> dict:
    return {
        "id": "ch_test_a1",
        "object": "charge",
        "amount": 2050,
        "amount_refunded": 2050,
        "refunded": True,
        "currency": "usd",
        "payment_intent": "pi_test_a1",
        "metadata": {"portal_reference": "pay_000123"},
        **fields,
    }


def test_it_reads_a_refund(provider):
    event = parse(provider, stripe_event("charge.refunded", charge(amount_refunded=1000)))

    assert event.kind == "refunded"
    assert event.reference == "pay_000123"
    assert event.provider_payment_id == "pi_test_a1"
    assert event.amount == Decimal("10.00")


def test_it_finds_a_refunds_reference_on_the_expanded_payment_intent(provider):
    intent = {
        "id": "pi_test_a1",
        "object": "payment_intent",
        "metadata": {"portal_reference": "p9"},
    }
    event = parse(
        provider, stripe_event("charge.refunded", charge(metadata={}, payment_intent=intent))
    )

    assert (event.kind, event.reference, event.provider_payment_id) == (
        "refunded",
        "p9",
        "pi_test_a1",
    )


def test_it_reads_a_dispute(provider):
    dispute = {
        "id": "dp_test_a1",
        "object": "dispute",
        "amount": 2050,
        "currency": "usd",
        "charge": "ch_test_a1",
        "payment_intent": "pi_test_a1",
        "metadata": {},
        "reason": "fraudulent",
        "status": "needs_response",
    }
    event = parse(provider, stripe_event("charge.dispute.created", dispute))

    assert event.kind == "disputed"
    assert event.provider_payment_id == "pi_test_a1"
    assert event.amount == Decimal("20.50")
    assert event.reference == ""  # the portal ties it back through the payment id


def test_it_ignores_an_event_the_portal_does_not_use(provider):
    event = parse(provider, stripe_event("customer.created", {"id": "cus_1", "object": "customer"}))

    assert (event.kind, event.event_id, event.raw_type) == (
        "ignored",
        "evt_test_1",
        "customer.created",
    )
    assert event.amount is None and event.reference == ""


def test_it_finds_the_signature_header_whatever_its_case(provider):
    body, headers = signed(stripe_event("checkout.session.completed", session()))
    value = headers["Stripe-Signature"]

    for name in ("stripe-signature", "STRIPE-SIGNATURE", "HTTP_STRIPE_SIGNATURE"):
        assert (
            provider.parse_webhook(body, {"Content-Type": "application/json", name: value}).kind
            == "paid"
        )


def test_it_refuses_a_webhook_signed_with_another_secret(provider):
    with pytest.raises(BadSignature, match="does not match"):
        parse(provider, stripe_event("checkout.session.completed", session()), secret="whsec_other")


def test_it_refuses_a_webhook_with_a_stale_timestamp(provider):
    event = stripe_event("checkout.session.completed", session())

    with pytest.raises(BadSignature, match="too old"):
        parse(provider, event, timestamp=int(time.time()) - 600)


def test_it_refuses_a_tampered_body(provider):
    body, headers = signed(stripe_event("checkout.session.completed", session()))
    tampered = body.replace(b'"amount_total": 2050', b'"amount_total": 205000')
    assert tampered != body

    with pytest.raises(BadSignature):
        provider.parse_webhook(tampered, headers)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Stripe-Signature": ""}, {"Stripe-Signature": "garbage"}, {"Stripe-Signature": "t=1"}],
)
def test_it_refuses_a_webhook_without_a_usable_signature(provider, headers):
    body, _ = signed(stripe_event("checkout.session.completed", session()))

    with pytest.raises(BadSignature):
        provider.parse_webhook(body, headers)


def test_it_refuses_a_webhook_when_the_account_has_no_signing_secret():
    provider = StripeProvider(ProviderConfig(SECRET_KEY, "", "usd"))

    with pytest.raises(BadSignature):
        parse(provider, stripe_event("checkout.session.completed", session()))


def test_it_refuses_a_signed_body_that_is_not_an_event(provider):
    body = b'{"hello": "world"}'
    moment = int(time.time())
    mac = hmac.new(WEBHOOK_SECRET.encode(), f"{moment}.".encode() + body, hashlib.sha256)

    with pytest.raises(ProviderError, match="not a Stripe event") as caught:
        provider.parse_webhook(body, {"Stripe-Signature": f"t={moment},v1={mac.hexdigest()}"})

    assert not isinstance(caught.value, BadSignature)


def test_it_refuses_a_body_that_is_not_text(provider):
    with pytest.raises(BadSignature):
        provider.parse_webhook(b"\xff\xfe", {"Stripe-Signature": "t=1,v1=00"})


# --- The daily listing ----------------------------------------------------------------
def test_it_lists_paid_checkouts_since_a_moment_across_pages(stub, provider):
    since = datetime(2027, 1, 1, tzinfo=UTC)
    start = int(since.timestamp())
    stub.add_session(created=start - 1, amount_total=999)  # before: not asked for
    stub.add_session(created=start, client_reference_id="pay_1", amount_total=2050)
    stub.add_session(created=start + 60, payment_status="unpaid")  # delayed, not yet paid
    stub.add_session(created=start + 120, status="expired", payment_status="unpaid")
    stub.add_session(
        created=start + 180,
        metadata={"portal_reference": "pay_2"},
        amount_total=500,
        currency="jpy",
    )
    stub.add_session(created=start + 240, client_reference_id="pay_3", amount_total=1)
    stub.add_session(created=start + 300, mode="subscription", client_reference_id="pay_4")
    stub.add_session(created=start + 360)  # the account's other sales: no portal reference

    payments = list(provider.successful_payments(since))

    assert payments == [
        ProviderPayment("pi_test_002", "pay_1", Decimal("20.50"), "usd", since),
        ProviderPayment(
            "pi_test_005", "pay_2", Decimal(500), "jpy", datetime.fromtimestamp(start + 180, UTC)
        ),
        ProviderPayment(
            "pi_test_006", "pay_3", Decimal("0.01"), "usd", datetime.fromtimestamp(start + 240, UTC)
        ),
    ]
    pages = stub.requests_to("GET")
    assert len(pages) == 3  # six complete sessions since, two a page
    assert all(page.query["created[gte]"] == str(start) for page in pages)
    assert all(page.query["status"] == "complete" for page in pages)
    assert [page.query.get("starting_after") for page in pages] == [
        None,
        "cs_test_003",
        "cs_test_006",
    ]
    assert all(page.headers["authorization"] == f"Bearer {SECRET_KEY}" for page in pages)


def test_it_reads_a_naive_moment_as_utc(stub, provider):
    list(provider.successful_payments(datetime(2027, 1, 1)))

    assert stub.requests[0].query["created[gte]"] == str(
        int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())
    )


def test_it_retries_a_listing_page_stripe_could_not_answer(stub, provider):
    stub.add_session(client_reference_id="pay_1")
    stub.answer_next(500, {"error": {"type": "api_error"}})

    payments = list(provider.successful_payments(datetime(2020, 1, 1, tzinfo=UTC)))

    assert [payment.reference for payment in payments] == ["pay_1"]
    assert len(stub.requests) == 2


def test_it_turns_a_listing_error_into_words(stub, provider):
    stub.answer_next(401, {"error": {"type": "invalid_request_error", "message": SECRET_KEY}})

    with pytest.raises(ProviderError, match="refused the secret key") as caught:
        list(provider.successful_payments(datetime(2020, 1, 1, tzinfo=UTC)))

    assert SECRET_KEY not in str(caught.value)
