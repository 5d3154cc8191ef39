"""In a real Chromium with the CSP in force: a customer looks up what a call costs on its
rates page (htmx), edits its phone book inline, and finds a payment in its history."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.browser import sign_in
from accounts.tests.factories import ResellerFactory, TenantFactory, UserFactory
from billing.tests.pages_world import raw

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _collect_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.text.startswith("Failed to load resource")
            and errors.append(msg.text)
        ),
    )
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    return errors


def test_a_customer_prices_a_call_and_sees_its_payment(page, demo_vos_server):
    globaltel = ResellerFactory(server=demo_vos_server, vos_account="globaltel")
    manila = TenantFactory(
        name="Manila BPO", parent=globaltel, server=demo_vos_server, vos_account="manila-bpo"
    )
    user = UserFactory(tenant=manila, role=Role.CUSTOMER_OWNER, time_zone="Asia/Manila")
    raw(demo_vos_server, "Pay", {"ownerName": "manila-bpo", "ownerType": 2, "money": 43.21})
    raw(
        demo_vos_server,
        "CreateCustomerPhoneBook",
        {"account": "manila-bpo", "e164": "6321234567", "name": "Makati office"},
    )
    errors = _collect_errors(page)
    sign_in(page, user.email, totp=False)

    # Rates: the customer's own group, then the price tool without a page load.
    page.get_by_role("link", name="Rates").click()
    page.get_by_role("link", name="Retail-Premium").click()
    page.wait_for_url("**/rates/Retail-Premium/")
    page.fill("#id_number", "+63 917 123 4567")
    page.get_by_role("button", name="Price it").click()
    quote = page.locator("#price-result article")
    expect(quote).to_contain_text("Philippines Mobile")
    expect(quote).to_contain_text("0.1840")  # 0.115 wholesale x 1.6, per minute
    expect(page).to_have_url(re.compile(r"number="))
    assert page.locator("h1").count() == 1  # a fragment came in, not a page

    # Search as you type narrows the table.
    page.fill("#id_q", "japan")
    expect(page.locator("#rate-rows tbody tr")).to_have_count(4)

    # The phone book: inline edit through htmx.
    page.goto(f"/customers/{manila.pk}/phonebook/")
    page.get_by_role("link", name="Edit").click()
    inline = page.locator("#entry-6321234567 input[name=name]")
    expect(inline).to_have_value("Makati office")
    inline.fill("Makati HQ")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#phonebook-body")).to_contain_text("Makati HQ")
    expect(page.locator("#phonebook-body form[method=post] input[name=newE164]")).to_have_count(0)

    # History: the payment, at its time in the customer's zone.
    page.get_by_role("link", name="Payments").click()
    page.wait_for_url(f"**/customers/{manila.pk}/payments/")
    expect(page.locator("#history-rows")).to_contain_text("43.21")
    expect(page.locator("#history-rows thead")).to_contain_text("Asia/Manila")
    assert errors == []
