"""Payment accounts (keys encrypted at rest, write-only, audited without them) and the
daily reconciliation with the provider (a missed webhook is credited; a credit the
provider does not list goes to review)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from billing.models import CardPayment, PaymentAccount
from billing.payments import services as payments
from billing.payments import tasks
from billing.payments.providers import offline
from billing.payments.tests.support import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    pay_requests,
    start_payment,
    vos_balance,
)

pytestmark = pytest.mark.django_db

NEW_SECRET = "sk_test_brand_new_key_4711"
NEW_WEBHOOK = "whsec_brand_new_secret_0815"


def raw_tokens(account) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret_key_token, webhook_secret_token FROM billing_paymentaccount "
            "WHERE id = %s",
            [account.pk],
        )
        return cursor.fetchone()


def settings_form(**extra) -> dict:
    return {
        "kind": "offline",
        "min_amount": "5",
        "max_amount": "300",
        "fee_percent": "1.5",
        "fee_fixed": "0",
        "enabled": "on",
    } | extra


def test_it_keeps_keys_encrypted_at_rest_and_never_shows_them(client, world, portal_sim):
    client.force_login(world.reseller)
    page = client.get(reverse("payments_settings"))
    assert page.status_code == 200 and "not set" in page.text
    # Keys are needed the first time.
    answer = client.post(reverse("payments_settings"), settings_form())
    assert answer.status_code == 200 and "never shown again" in answer.text
    answer = client.post(
        reverse("payments_settings"),
        settings_form(secret_key=NEW_SECRET, webhook_secret=NEW_WEBHOOK),
    )
    assert answer.status_code == 302
    account = PaymentAccount.objects.get(owner=world.globaltel)
    stored = raw_tokens(account)
    assert NEW_SECRET not in stored[0] and NEW_WEBHOOK not in stored[1]
    assert stored[0].startswith("gAAAA")  # a Fernet token
    page = client.get(reverse("payments_settings"))
    assert NEW_SECRET not in page.text and NEW_WEBHOOK not in page.text
    assert stored[0] not in page.text
    assert page.text.count(">set<") == 2
    # Saving without keys keeps them; typing one replaces it.
    client.post(reverse("payments_settings"), settings_form(fee_percent="2"))
    assert raw_tokens(account) == stored
    client.post(reverse("payments_settings"), settings_form(secret_key="sk_test_replaced_1"))
    assert raw_tokens(account)[0] != stored[0] and raw_tokens(account)[1] == stored[1]
    # The trail says what changed, never the keys.
    events = AuditEvent.objects.filter(action="payments.account.changed")
    assert events.count() == 3
    for audit_event in events:
        text = str(audit_event.before) + str(audit_event.after) + str(audit_event.payload)
        assert "sk_test" not in text and "whsec" not in text
    # A customer's pages never show them either.
    payment, _ = start_payment(client, world.manila_owner, "10.00")
    status = client.get(reverse("payments_status", args=[payment.reference]))
    for secret in (NEW_SECRET, "sk_test_replaced_1", NEW_WEBHOOK, SECRET_KEY, WEBHOOK_SECRET):
        assert secret not in status.text


def test_it_lets_only_managers_and_admins_change_the_account(client, world):
    client.force_login(world.acme_owner)
    assert client.get(reverse("payments_settings")).status_code == 302
    client.force_login(world.admin)
    page = client.get(reverse("payments_settings"))
    assert page.status_code == 200 and page.text.count(">set<") == 2
    assert SECRET_KEY not in page.text and WEBHOOK_SECRET not in page.text


def test_it_credits_a_payment_whose_webhook_never_came(client, world, portal_sim):
    before = vos_balance(portal_sim, "acme")
    payment, session = start_payment(client, world.acme_owner, "18.00")
    assert offline.pay(session, offline.CARD_PAID)  # paid at the provider; no webhook
    assert tasks.reconcile_card_payments() == 1
    payment.refresh_from_db()
    assert payment.state == CardPayment.State.CREDITED
    assert payment.provider_payment_id == session.payment_id
    assert vos_balance(portal_sim, "acme") == before + Decimal("18.00")
    # Again: nothing more.
    calls = pay_requests(portal_sim)
    tasks.reconcile_card_payments()
    assert pay_requests(portal_sim) == calls
    assert vos_balance(portal_sim, "acme") == before + Decimal("18.00")


def test_it_flags_a_credit_the_provider_does_not_list(client, world, portal_sim):
    payment, session = start_payment(client, world.acme_owner, "11.00")
    assert offline.pay(session, offline.CARD_PAID)
    payments.reconcile_account(world.platform_account)
    payment.refresh_from_db()
    assert payment.state == CardPayment.State.CREDITED
    # The provider's record of it disappears (say, the payment was reversed there).
    session.state = "canceled"
    session.save()
    CardPayment.objects.filter(pk=payment.pk).update(paid_at=timezone.now() - timedelta(hours=1))
    found = payments.reconcile_account(world.platform_account)
    assert found["unlisted"] == 1
    payment.refresh_from_db()
    assert payment.state == CardPayment.State.REVIEW
    assert "does not list" in payment.review_reason


def test_it_uses_the_beat_schedule_daily():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["reconcile-card-payments"]
    assert entry["task"] == "billing.payments.tasks.reconcile_card_payments"
    assert entry["schedule"] == 86400.0
