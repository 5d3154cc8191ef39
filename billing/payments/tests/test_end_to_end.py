"""The whole way, over real HTTP: the customer pays on the offline provider's checkout,
the provider's task POSTs its signed webhook to the portal (a live server), and the
simulator's balance moves; the browser's return changes nothing by itself."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import CardPayment, ProviderEventRecord
from billing.payments.tests.support import start_payment, vos_balance

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_credits_vos_from_the_webhook_the_test_provider_sends(
    client, world, portal_sim, live_server, eager_tasks, settings
):
    settings.PAYMENTS_PUBLIC_URL = live_server.url
    before = vos_balance(portal_sim, "acme")
    payment, session = start_payment(client, world.acme_owner, "22.50")
    assert session.webhook_url == (
        f"{live_server.url}{reverse('payments_webhook', args=[world.platform_account.pk])}"
    )
    answer = client.post(
        reverse("payments_test_checkout", args=[session.session_id]),
        {"action": "pay", "card_number": "4242424242424242"},
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"{live_server.url}/pay/{payment.reference}/"
    payment.refresh_from_db()
    assert payment.state == CardPayment.State.CREDITED
    assert ProviderEventRecord.objects.filter(payment=payment, kind="paid").count() == 1
    assert vos_balance(portal_sim, "acme") == before + Decimal("22.50")
    status = client.get(reverse("payments_status", args=[payment.reference]))
    assert 'data-state="credited"' in status.text
