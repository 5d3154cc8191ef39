"""Card payment in a real browser: a customer pays by card on the offline test
provider's checkout, comes back to a status page that waits (the return credits
nothing), and sees it turn to credited, with the new balance, once the provider's
webhook task has run (the worker's job, run here by the test)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect

from accounts.tests.browser import sign_in
from billing.models import OfflineCheckoutSession
from billing.payments import tasks
from billing.payments.tests.support import vos_balance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_customer_pay_by_card_and_shows_the_balance_move(page, world, portal_sim):
    world.platform_account.fee_percent = Decimal("2.90")
    world.platform_account.fee_fixed = Decimal("0.30")
    world.platform_account.save()
    before = vos_balance(portal_sim, "acme")
    sign_in(page, world.acme_owner.email, totp=False)
    page.goto(f"/customers/{world.acme.pk}/phone-card/")
    page.click("[data-pay-by-card]")
    page.fill("input[name=amount]", "20")
    page.click("main form button[type=submit]")
    # The total, before paying: 20.00 + 2.9 % (0.58) + 0.30.
    expect(page.locator("[data-total]")).to_contain_text("20.88")
    page.click("[data-pay]")
    # The test provider's checkout: a declined card first, then the good one.
    expect(page.locator(".test-checkout")).to_be_visible()
    page.fill("input[name=card_number]", "4000 0000 0000 0002")
    page.click("button[value=pay]")
    expect(page.locator(".test-checkout [role=alert]")).to_contain_text("declined")
    page.fill("input[name=card_number]", "4242 4242 4242 4242")
    page.click("button[value=pay]")
    # Back on the portal: waiting for the provider's word, polling.
    expect(page.locator("#payment-status")).to_have_attribute("data-state", "created")
    assert vos_balance(portal_sim, "acme") == before
    # The worker's job: the provider's signed webhook, over HTTP, to the live server.
    session = OfflineCheckoutSession.objects.get()
    assert tasks.deliver_offline_event(session.pk, "payment.succeeded") == 200
    # The page updates by itself (htmx, every 2 s), and stops once final.
    expect(page.locator("#payment-status")).to_have_attribute("data-state", "credited")
    shown = page.locator("#payment-status [data-balance]").inner_text().replace(",", "")
    expected = (before + Decimal("20.00")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert Decimal(shown.split()[0]) == expected
    assert vos_balance(portal_sim, "acme") == before + Decimal("20.00")
    # Its receipt: the card payment, the amount credited, no card number.
    page.click("#payment-status [data-receipt]")
    expect(page.locator("main")).to_contain_text("Card payment")
    expect(page.locator("main")).to_contain_text("20.00")
    assert "4242" not in page.content()
