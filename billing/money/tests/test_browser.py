"""Money in a real browser against the simulator: a reseller tops a customer up and sees
both balances move; a double click pays once; a customer tops up with a demo phone
card and finds the payment in its history."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.browser import sign_in
from accounts.tests.factories import ResellerFactory, TenantFactory, UserFactory
from billing.models import MoneyTransfer
from vos3000.simulator import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def vos_money(sim, account) -> Decimal:
    answer = requests.post(sim.base_url + "GetCustomer", json={"accounts": [account]}, timeout=5)
    return Decimal(str(answer.json()["infoCustomers"][0]["money"]))


def shown_balance(page) -> Decimal:
    return Decimal(page.locator("[data-balance]").first.inner_text().replace(",", ""))


@pytest.fixture
def accounts(demo_vos_server):
    globaltel = ResellerFactory(name="GlobalTel", server=demo_vos_server, vos_account="globaltel")
    manila = TenantFactory(
        name="Manila BPO", parent=globaltel, server=demo_vos_server, vos_account="manila-bpo"
    )
    return {
        "globaltel": globaltel,
        "manila": manila,
        "reseller": UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER),
        "customer": UserFactory(tenant=manila, role=Role.CUSTOMER_OWNER),
    }


def test_it_lets_a_reseller_top_up_a_customer_and_shows_both_balances_move(
    page, accounts, portal_sim
):
    reseller_before = vos_money(portal_sim, "globaltel")
    customer_before = vos_money(portal_sim, "manila-bpo")
    sign_in(page, accounts["reseller"].email, totp=True)
    page.goto(f"/customers/{accounts['manila'].pk}/money/")
    assert shown_balance(page) == customer_before.quantize(Decimal("0.01"))
    page.get_by_role("button", name="Top up", exact=True).click()
    page.fill("input[name=amount]", "25.50")
    page.click("main form button[type=submit]")
    expect(page.locator("#transfer-status [data-state]").first).to_have_attribute(
        "data-state", "succeeded"
    )
    expect(page.locator("tr[data-leg=debit_funder] [data-state]")).to_have_text("Succeeded")
    expect(page.locator("tr[data-leg=credit] [data-state]")).to_have_text("Succeeded")
    # The customer's balance, read from the switch again.
    page.goto(f"/customers/{accounts['manila'].pk}/money/")
    assert shown_balance(page) == (customer_before + Decimal("25.50")).quantize(Decimal("0.01"))
    # The reseller's own account paid for it.
    page.goto(f"/customers/{accounts['globaltel'].pk}/money/")
    assert shown_balance(page) == (reseller_before - Decimal("25.50")).quantize(Decimal("0.01"))
    assert vos_money(portal_sim, "manila-bpo") == customer_before + Decimal("25.50")


def test_it_pays_once_for_a_double_clicked_top_up(page, accounts, portal_sim):
    before = vos_money(portal_sim, "manila-bpo")
    # Slow answers make the second click land while the first is still on its way.
    portal_sim.control("fault", endpoint="Pay", mode="latency", ms=400, count=10)
    sign_in(page, accounts["reseller"].email, totp=True)
    page.goto(f"/customers/{accounts['manila'].pk}/top-up/")
    page.fill("input[name=amount]", "10")
    page.dblclick("main form button[type=submit]")
    expect(page.locator("#transfer-status [data-state]").first).to_have_attribute(
        "data-state", "succeeded"
    )
    assert MoneyTransfer.objects.count() == 1
    assert portal_sim.control("stats")["requests"].get("Pay", 0) == 2  # debit + credit, once
    assert vos_money(portal_sim, "manila-bpo") == before + 10


def test_it_pays_once_when_the_browser_resubmits_the_form(page, accounts, portal_sim):
    """Without JavaScript's help: the same form posted again (back, then submit)."""
    sign_in(page, accounts["reseller"].email, totp=True)
    page.goto(f"/customers/{accounts['manila'].pk}/top-up/")
    key = page.locator("input[name=key]").input_value()
    page.fill("input[name=amount]", "4")
    page.click("main form button[type=submit]")
    expect(page.locator("#transfer-status")).to_be_visible()
    page.go_back()
    page.locator("input[name=key]").evaluate("(input, key) => input.value = key", key)
    page.fill("input[name=amount]", "4")
    page.click("main form button[type=submit]")
    expect(page.locator("#transfer-status")).to_be_visible()
    assert MoneyTransfer.objects.count() == 1


def test_it_lets_a_customer_top_up_with_a_phone_card(page, accounts, portal_sim):
    before = vos_money(portal_sim, "manila-bpo")
    sign_in(page, accounts["customer"].email, totp=False)
    page.get_by_role("link", name="Top up").first.click()
    page.fill("input[name=pin]", demo.PHONE_CARD_PINS[3])
    page.fill("input[name=password]", demo.PHONE_CARD_PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.locator("#transfer-status [data-state]").first).to_have_attribute(
        "data-state", "succeeded"
    )
    assert vos_money(portal_sim, "manila-bpo") == before + Decimal(str(demo.PHONE_CARD_VALUE))
    # The same card again: refused in words.
    page.goto(f"/customers/{accounts['manila'].pk}/phone-card/")
    page.fill("input[name=pin]", demo.PHONE_CARD_PINS[3])
    page.fill("input[name=password]", demo.PHONE_CARD_PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.get_by_text("already been used")).to_be_visible()


def test_it_says_in_words_that_the_switch_is_slow(page, accounts, portal_sim):
    """A top-up waiting for a slow switch: first "Waiting for the switch…", then, after a
    few seconds, until when the portal keeps trying; the button cannot be pressed twice."""
    portal_sim.control("fault", endpoint="Pay", mode="latency", ms=6000, count=2)
    sign_in(page, accounts["reseller"].email, totp=True)
    page.goto(f"/customers/{accounts['manila'].pk}/top-up/")
    page.fill("input[name=amount]", "3")
    button = page.locator("main form button[type=submit]")
    button.click()
    wait = page.locator("#switch-wait")
    expect(wait).to_have_text("Waiting for the switch…")
    expect(button).to_be_disabled()
    expect(wait).to_contain_text("The switch is slow; we keep trying until", timeout=8_000)
    assert any(ch.isdigit() for ch in wait.inner_text())  # the time it gives up
    expect(page.locator("#transfer-status [data-state]").first).to_have_attribute(
        "data-state", "succeeded", timeout=30_000
    )
    expect(wait).to_be_hidden()
