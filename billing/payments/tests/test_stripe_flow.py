"""The portal's flow with a Stripe payment account (the Stripe provider against its local
stand-in): a reseller's customer is sent to Stripe's checkout, Stripe's signed webhook
credits the customer from the reseller's balance, once."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import CardPayment
from billing.payments.tests.stripe_stub import running_stub
from billing.payments.tests.support import make_account, vos_balance

pytestmark = pytest.mark.django_db

STRIPE_KEY = "sk_test_reseller_stripe_42"
STRIPE_WEBHOOK = "whsec_reseller_stripe_42"


@pytest.fixture
def stub(settings):
    with running_stub() as stub:
        settings.STRIPE_API_BASE = stub.url
        yield stub


def stripe_post(client, account, event: dict):
    body = json.dumps(event).encode()
    moment = int(time.time())
    mac = hmac.new(STRIPE_WEBHOOK.encode(), f"{moment}.".encode() + body, hashlib.sha256)
    return client.post(
        reverse("payments_webhook", args=[account.pk]),
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={moment},v1={mac.hexdigest()}",
    )


def completed(payment: CardPayment, event_id: str, cents: int) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2025-01-27",
        "created": int(time.time()),
        "livemode": False,
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": payment.provider_session_id,
                "object": "checkout.session",
                "mode": "payment",
                "status": "complete",
                "payment_status": "paid",
                "client_reference_id": payment.reference,
                "metadata": {"portal_reference": payment.reference},
                "payment_intent": "pi_test_flow_1",
                "amount_total": cents,
                "currency": "usd",
            }
        },
    }


def test_it_takes_a_stripe_payment_to_a_resellers_account(client, world, portal_sim, stub):
    account = make_account(
        world.globaltel,
        world.reseller,
        kind="stripe",
        secret=STRIPE_KEY,
        webhook_secret=STRIPE_WEBHOOK,
        fee_fixed=Decimal("0.50"),
    )
    before = (vos_balance(portal_sim, "globaltel"), vos_balance(portal_sim, "manila-bpo"))
    client.force_login(world.manila_owner)
    answer = client.post(reverse("payments_pay"), {"amount": "30", "confirm": "1"})
    assert answer.status_code == 302
    assert answer["Location"].startswith("https://checkout.stripe.com/")
    payment = CardPayment.objects.get()
    assert payment.account == account and payment.total == Decimal("30.50")
    opened = stub.requests_to("POST")[0]
    assert opened.headers["authorization"] == f"Bearer {STRIPE_KEY}"
    # Back from Stripe: nothing yet.
    client.get(reverse("payments_status", args=[payment.reference]))
    assert vos_balance(portal_sim, "manila-bpo") == before[1]
    # Stripe's webhook, twice.
    first = stripe_post(client, account, completed(payment, "evt_flow_1", 3050))
    again = stripe_post(client, account, completed(payment, "evt_flow_1", 3050))
    assert first.json()["outcome"] == "credited" and again.json()["outcome"] == "duplicate"
    payment.refresh_from_db()
    assert payment.state == CardPayment.State.CREDITED
    assert payment.provider_payment_id == "pi_test_flow_1"
    assert vos_balance(portal_sim, "globaltel") == before[0] - Decimal("30.00")
    assert vos_balance(portal_sim, "manila-bpo") == before[1] + Decimal("30.00")
