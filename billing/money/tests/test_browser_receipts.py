"""Receipts in a real browser against the simulator: a customer tops up with a demo phone
card, opens the receipt from the transfer's page, prints it (the button is the page's
own script: no CSP complaint), and the printed page is the receipt alone."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.browser import sign_in
from accounts.tests.factories import ResellerFactory, TenantFactory, UserFactory
from billing.models import MoneyTransfer
from billing.money import receipts
from vos3000.simulator import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def customer(demo_vos_server):
    globaltel = ResellerFactory(name="GlobalTel", server=demo_vos_server, vos_account="globaltel")
    manila = TenantFactory(
        name="Manila BPO", parent=globaltel, server=demo_vos_server, vos_account="manila-bpo"
    )
    return UserFactory(tenant=manila, role=Role.CUSTOMER_OWNER)


def test_it_gives_a_customer_a_printable_receipt_for_a_phone_card_top_up(
    page, customer, portal_sim, eager_tasks
):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    # Chromium's print dialog cannot be driven: the test hears that it was asked for.
    page.add_init_script("window.print = function () { window.__printed = true; };")
    pin = demo.PHONE_CARD_PINS[4]
    sign_in(page, customer.email, totp=False)
    page.get_by_role("link", name="Top up").first.click()
    page.fill("input[name=pin]", pin)
    page.fill("input[name=password]", demo.PHONE_CARD_PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.locator("#transfer-status [data-state]").first).to_have_attribute(
        "data-state", "succeeded"
    )
    transfer = MoneyTransfer.objects.get()
    number = receipts.receipt_number(transfer)
    page.locator("#transfer-status a[data-receipt]").click()
    expect(page).to_have_url(re.compile(rf"/ledger/{transfer.pk}/receipt/$"))
    expect(page.locator(".receipt h1")).to_contain_text(number)
    expect(page.locator("[data-kind]")).to_contain_text("Phone card")
    expect(page.locator("[data-kind] code")).to_have_text(transfer.card_hint)
    assert pin not in page.content()
    assert portal_sim.base_url not in page.content()
    button = page.get_by_role("button", name="Print")
    expect(button).to_be_visible()
    button.click()
    assert page.evaluate("window.__printed === true")
    # On paper: the receipt, without the navigation or the button.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(button).to_be_hidden()
    expect(page.locator(".receipt")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
    # And by email, once.
    assert [m.to for m in mail.outbox] == [[customer.email]]
    assert number in mail.outbox[0].subject
