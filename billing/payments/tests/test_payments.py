"""Card payments against the simulator over HTTP: only a verified webhook credits VOS,
once; foreign, unknown, badly signed and mismatched events move nothing; a reseller's
payment account funds the top-up from the reseller's VOS balance."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from billing.models import CardPayment, LedgerEntry, MoneyTransfer, ProviderEventRecord
from billing.payments.providers import offline
from billing.payments.tests.support import (
    RESELLER_WEBHOOK_SECRET,
    WEBHOOK_SECRET,
    event,
    now,
    pay_requests,
    signed_post,
    start_payment,
    vos_balance,
)

pytestmark = pytest.mark.django_db


def paid_webhook(client, world, session, account=None, secret=WEBHOOK_SECRET, **data):
    assert offline.pay(session, offline.CARD_PAID)
    return signed_post(client, account or world.platform_account, event(session, **data), secret)


def test_it_credits_vos_when_the_webhook_says_paid_and_not_before(client, world, portal_sim):
    before = vos_balance(portal_sim, "acme")
    payment, session = start_payment(client, world.acme_owner, "20.00")
    assert payment.state == CardPayment.State.CREATED and payment.total == Decimal("20.00")
    # The provider's page, then the way back: the return URL alone credits nothing.
    assert (
        client.get(reverse("payments_test_checkout", args=[session.session_id])).status_code == 200
    )
    back = client.get(reverse("payments_status", args=[payment.reference]))
    assert back.status_code == 200 and 'data-state="created"' in back.text
    assert 'hx-trigger="every 2s"' in back.text
    assert vos_balance(portal_sim, "acme") == before
    # The provider's signed webhook does.
    answer = paid_webhook(client, world, session)
    assert answer.status_code == 200, answer.content
    assert answer.json()["outcome"] == "credited"
    payment.refresh_from_db()
    assert payment.state == CardPayment.State.CREDITED
    assert payment.transfer.kind == MoneyTransfer.Kind.CARD_TOPUP
    assert payment.transfer.idempotency_key == f"card:{session.payment_id}"
    assert payment.transfer.funded_by is None  # the platform's account: one credit leg
    assert vos_balance(portal_sim, "acme") == before + Decimal("20.00")
    page = client.get(reverse("payments_status", args=[payment.reference]))
    assert 'data-state="credited"' in page.text and "hx-trigger" not in page.text
    assert "data-balance" in page.text
    assert AuditEvent.objects.filter(action="payments.payment.credited").exists()


def test_it_adds_the_fee_on_top_and_charges_the_total(client, world, portal_sim):
    world.platform_account.fee_percent = Decimal("2.9")
    world.platform_account.fee_fixed = Decimal("0.30")
    world.platform_account.save()
    client.force_login(world.acme_owner)
    shown = client.post(reverse("payments_pay"), {"amount": "20"})
    assert "0.88" in shown.text and "20.88" in shown.text  # 0.58 + 0.30 on top
    before = vos_balance(portal_sim, "acme")
    payment, session = start_payment(client, world.acme_owner, "20")
    assert (payment.amount, payment.fee, payment.total) == (
        Decimal("20.00"),
        Decimal("0.88"),
        Decimal("20.88"),
    )
    assert session.amount == Decimal("20.88")
    assert paid_webhook(client, world, session).status_code == 200
    assert vos_balance(portal_sim, "acme") == before + Decimal("20.00")


def test_it_pays_once_for_a_replayed_or_repeated_webhook(client, world, portal_sim):
    before = vos_balance(portal_sim, "acme")
    payment, session = start_payment(client, world.acme_owner, "15.00")
    assert offline.pay(session, offline.CARD_PAID)
    body = event(session)
    first = signed_post(client, world.platform_account, body, WEBHOOK_SECRET)
    calls = pay_requests(portal_sim)
    replay = signed_post(client, world.platform_account, body, WEBHOOK_SECRET)
    assert (first.status_code, replay.status_code) == (200, 200)
    assert replay.json()["outcome"] == "duplicate"
    # The same payment told again in a new event (a provider's retry): still once.
    again = signed_post(client, world.platform_account, event(session), WEBHOOK_SECRET)
    assert again.json()["outcome"] == "already_credited"
    assert pay_requests(portal_sim) == calls
    assert vos_balance(portal_sim, "acme") == before + Decimal("15.00")
    assert MoneyTransfer.objects.filter(kind="card_topup").count() == 1
    assert ProviderEventRecord.objects.filter(account=world.platform_account).count() == 2
    payment.refresh_from_db()
    assert payment.state == CardPayment.State.CREDITED


def test_it_refuses_unknown_and_foreign_payments(client, world, portal_sim):
    reseller_account = world.reseller_account()
    payment, session = start_payment(client, world.acme_owner, "10.00")
    assert offline.pay(session, offline.CARD_PAID)
    calls = pay_requests(portal_sim)
    # A reference that is not ours.
    unknown = signed_post(
        client, world.platform_account, event(session, reference="not-ours"), WEBHOOK_SECRET
    )
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_payment"
    # Ours, but for the platform's account: sent to the reseller's (signed by it).
    foreign = signed_post(client, reseller_account, event(session), RESELLER_WEBHOOK_SECRET)
    assert foreign.status_code == 404 and foreign.json()["error"] == "unknown_payment"
    # An account that does not exist.
    missing = client.post(
        reverse("payments_webhook", args=[999_999]), data=b"{}", content_type="application/json"
    )
    assert missing.status_code == 404
    assert pay_requests(portal_sim) == calls
    payment.refresh_from_db()
    assert payment.state == CardPayment.State.CREATED
    refused = AuditEvent.objects.filter(action="payments.webhook.refused", error="unknown_payment")
    assert refused.count() == 2


def test_it_refuses_bad_signatures_and_garbage_with_4xx(client, world, portal_sim):
    payment, session = start_payment(client, world.acme_owner, "10.00")
    assert offline.pay(session, offline.CARD_PAID)
    account = world.platform_account
    url = reverse("payments_webhook", args=[account.pk])
    body = event(session)
    wrong = signed_post(client, account, body, "whsec_someone_else")
    assert wrong.status_code == 400 and wrong.json()["error"] == "bad_signature"
    stale = signed_post(client, account, body, WEBHOOK_SECRET, stamp=now() - 3600)
    assert stale.status_code == 400 and stale.json()["error"] == "bad_signature"
    unsigned = client.post(url, data=body, content_type="application/json")
    assert unsigned.status_code == 400
    for garbage in (b"", b"not json", b"[]", b'{"id": 1}', b'{"id":"e","type":"x","data":3}'):
        answer = signed_post(client, account, garbage, WEBHOOK_SECRET)
        assert answer.status_code == 400, (garbage, answer.status_code)
        assert answer.json()["error"] == "not_an_event"
    nan = signed_post(client, account, event(session, amount="NaN"), WEBHOOK_SECRET)
    assert nan.status_code == 400
    big = signed_post(client, account, b"{" + b" " * 70_000 + b"}", WEBHOOK_SECRET)
    assert big.status_code == 413
    assert client.get(url).status_code == 405
    payment.refresh_from_db()
    assert payment.state == CardPayment.State.CREATED
    assert AuditEvent.objects.filter(
        action="payments.webhook.refused", error="bad_signature"
    ).exists()


def test_it_sends_an_amount_mismatch_to_review_without_credit(client, world, portal_sim):
    before = vos_balance(portal_sim, "acme")
    payment, session = start_payment(client, world.acme_owner, "30.00")
    answer = paid_webhook(client, world, session, amount="3.00")
    assert answer.status_code == 200 and answer.json()["outcome"] == "review"
    payment.refresh_from_db()
    assert payment.state == CardPayment.State.REVIEW and payment.transfer is None
    assert "nothing was credited" in payment.review_reason
    assert vos_balance(portal_sim, "acme") == before
    assert AuditEvent.objects.filter(action="payments.payment.review").exists()


def test_it_debits_the_reseller_and_credits_the_customer_on_a_reseller_account(
    client, world, portal_sim
):
    account = world.reseller_account()
    before = (vos_balance(portal_sim, "globaltel"), vos_balance(portal_sim, "manila-bpo"))
    payment, session = start_payment(client, world.manila_owner, "25.00")
    assert payment.account == account  # the nearest reseller's, not the platform's
    answer = paid_webhook(client, world, session, account=account, secret=RESELLER_WEBHOOK_SECRET)
    assert answer.json()["outcome"] == "credited"
    payment.refresh_from_db()
    transfer = payment.transfer
    assert transfer.funded_by == world.globaltel
    legs = list(transfer.entries.order_by("seq").values_list("leg", "vos_account", "state"))
    assert legs == [
        (LedgerEntry.Leg.DEBIT_FUNDER, "globaltel", "succeeded"),
        (LedgerEntry.Leg.CREDIT, "manila-bpo", "succeeded"),
    ]
    assert vos_balance(portal_sim, "globaltel") == before[0] - Decimal("25.00")
    assert vos_balance(portal_sim, "manila-bpo") == before[1] + Decimal("25.00")


def test_it_sends_a_payment_the_reseller_cannot_fund_to_review(client, world, portal_sim):
    account = world.reseller_account(max_amount=Decimal("100000.00"))
    reseller_money = vos_balance(portal_sim, "globaltel")
    too_much = (reseller_money + Decimal("1000")).quantize(Decimal("1"))
    payment, session = start_payment(client, world.manila_owner, str(too_much))
    answer = paid_webhook(client, world, session, account=account, secret=RESELLER_WEBHOOK_SECRET)
    assert answer.json()["outcome"] == "review"
    payment.refresh_from_db()
    assert payment.state == CardPayment.State.REVIEW
    assert "A person must act" in payment.review_reason
    assert payment.transfer.state == MoneyTransfer.State.REVIEW  # in the ledger's queue
    assert vos_balance(portal_sim, "globaltel") == reseller_money


def test_it_records_refunds_and_disputes_without_moving_vos_money(client, world, portal_sim):
    payment, session = start_payment(client, world.acme_owner, "12.00")
    assert paid_webhook(client, world, session).status_code == 200
    credited = vos_balance(portal_sim, "acme")
    refund = signed_post(
        client, world.platform_account, event(session, "charge.refunded"), WEBHOOK_SECRET
    )
    assert refund.json()["outcome"] == "refunded"
    payment.refresh_from_db()
    assert payment.state == CardPayment.State.REFUNDED
    assert vos_balance(portal_sim, "acme") == credited
    page = client.get(reverse("payments_status", args=[payment.reference]))
    assert "not changed automatically" in page.text
    assert AuditEvent.objects.filter(action="payments.payment.refunded").exists()


def test_it_marks_a_canceled_checkout_failed(client, world, portal_sim):
    payment, session = start_payment(client, world.acme_owner, "10.00")
    assert offline.cancel(session)
    answer = signed_post(
        client, world.platform_account, event(session, "checkout.canceled"), WEBHOOK_SECRET
    )
    assert answer.json()["outcome"] == "failed"
    payment.refresh_from_db()
    assert payment.state == CardPayment.State.FAILED


def test_it_declines_the_declined_test_card_and_accepts_the_good_one(client, world, portal_sim):
    _, session = start_payment(client, world.acme_owner, "10.00")
    url = reverse("payments_test_checkout", args=[session.session_id])
    declined = client.post(url, {"action": "pay", "card_number": "4000 0000 0000 0002"})
    assert declined.status_code == 402 and "declined" in declined.text
    session.refresh_from_db()
    assert session.state == "open"
    paid = client.post(url, {"action": "pay", "card_number": "4242 4242 4242 4242"})
    assert paid.status_code == 302 and paid["Location"] == session.success_url
    session.refresh_from_db()
    assert session.state == "paid" and session.payment_id


def test_it_shows_pay_by_card_only_where_an_account_serves(client, world, portal_sim):
    client.force_login(world.acme_owner)
    page = client.get(reverse("money_pin_topup", args=[world.acme.pk]))
    assert "data-pay-by-card" in page.text
    world.platform_account.enabled = False
    world.platform_account.save()
    page = client.get(reverse("money_pin_topup", args=[world.acme.pk]))
    assert "data-pay-by-card" not in page.text
    assert "not available" in client.get(reverse("payments_pay")).text
    # A reseller pays the platform for its own balance, from its own money page.
    world.platform_account.enabled = True
    world.platform_account.save()
    client.force_login(world.reseller)
    page = client.get(reverse("money_account", args=[world.globaltel.pk]))
    assert "data-pay-by-card" in page.text


def test_it_lets_a_reseller_top_up_its_own_balance_from_the_platform(client, world, portal_sim):
    world.reseller_account()  # its own account serves its customers, not itself
    before = vos_balance(portal_sim, "globaltel")
    payment, session = start_payment(client, world.reseller, "40.00")
    assert payment.account == world.platform_account and payment.customer == world.globaltel
    assert paid_webhook(client, world, session).json()["outcome"] == "credited"
    assert vos_balance(portal_sim, "globaltel") == before + Decimal("40.00")


def test_it_hides_a_foreign_payment(client, world, portal_sim):
    payment, _ = start_payment(client, world.acme_owner, "10.00")
    client.force_login(world.manila_owner)
    assert client.get(reverse("payments_status", args=[payment.reference])).status_code == 404
    assert client.get(reverse("payments_status", args=["nope"])).status_code == 404


@pytest.mark.parametrize(
    "amount", ["NaN", "Infinity", "-Infinity", "1e999", "1,5", "-0", "0.001", "1" * 20, "0", "-5"]
)
def test_it_refuses_hostile_amounts_on_the_form(client, world, amount):
    client.force_login(world.acme_owner)
    for data in ({"amount": amount}, {"amount": amount, "confirm": "1"}):
        answer = client.post(reverse("payments_pay"), data)
        assert answer.status_code == 200
        assert "field-error" in answer.text
    assert not CardPayment.objects.exists()


def test_it_keeps_amounts_within_the_accounts_limits(client, world):
    client.force_login(world.acme_owner)
    for amount in ("4.99", "500.01"):
        answer = client.post(reverse("payments_pay"), {"amount": amount, "confirm": "1"})
        assert "field-error" in answer.text
    assert not CardPayment.objects.exists()


def test_it_lists_payments_to_check_in_the_admins_review_queue(client, world, portal_sim):
    payment, session = start_payment(client, world.acme_owner, "30.00")
    paid_webhook(client, world, session, amount="3.00")
    client.force_login(world.admin)
    queue = client.get(reverse("money_review_queue"))
    assert "card-payments-review" in queue.text and payment.reference in queue.text
