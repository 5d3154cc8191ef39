"""Taking money back in a real browser against the simulator: a reseller takes money
back from a customer and corrects a top-up; a reseller returns a customer's balance to
itself and deletes the account."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from playwright.sync_api import expect

from accounts.models import Tenant
from accounts.roles import Role
from accounts.tests.browser import sign_in
from accounts.tests.factories import ResellerFactory, TenantFactory, UserFactory
from billing.models import MoneyTransfer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def vos(sim, endpoint, **payload) -> dict:
    answer = requests.post(sim.base_url + endpoint, json=payload, timeout=5).json()
    assert int(answer["retCode"]) == 0, answer
    return answer


def vos_money(sim, account) -> Decimal:
    return Decimal(str(vos(sim, "GetCustomer", accounts=[account])["infoCustomers"][0]["money"]))


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
    }


def succeeded(page) -> None:
    expect(page.locator("#transfer-status [data-state]").first).to_have_attribute(
        "data-state", "succeeded"
    )


def test_a_reseller_takes_money_back_and_corrects_a_top_up(page, accounts, portal_sim):
    reseller_before = vos_money(portal_sim, "globaltel")
    customer_before = vos_money(portal_sim, "manila-bpo")
    sign_in(page, accounts["reseller"].email, totp=True)
    page.goto(f"/customers/{accounts['manila'].pk}/money/")
    page.get_by_role("button", name="Take money back").click()
    page.fill("input[name=amount]", "7.50")
    page.click("main form button[type=submit]")
    succeeded(page)
    expect(page.locator("tr[data-leg=debit_customer] [data-state]")).to_have_text("Succeeded")
    expect(page.locator("tr[data-leg=credit_funder] [data-state]")).to_have_text("Succeeded")
    assert vos_money(portal_sim, "manila-bpo") == customer_before - Decimal("7.50")
    assert vos_money(portal_sim, "globaltel") == reseller_before + Decimal("7.50")

    # A top-up of 40, then corrected by 15 of it.
    page.goto(f"/customers/{accounts['manila'].pk}/top-up/")
    page.fill("input[name=amount]", "40")
    page.click("main form button[type=submit]")
    succeeded(page)
    topup = MoneyTransfer.objects.get(kind="topup")
    page.get_by_role("button", name="Correct this top-up").click()
    expect(page.locator(".correction-of")).to_contain_text(f"Correcting top-up #{topup.pk}")
    assert Decimal(page.locator("input[name=amount]").input_value()) == Decimal("40")
    # More than the top-up: refused in words, nothing moved.
    page.fill("input[name=amount]", "40.01")
    page.click("main form button[type=submit]")
    expect(page.get_by_text(f"At most 40.00 of top-up #{topup.pk}")).to_be_visible()
    page.fill("input[name=amount]", "15")
    page.click("main form button[type=submit]")
    succeeded(page)
    correction = MoneyTransfer.objects.get(corrects=topup)
    expect(page.locator("dd.corrects")).to_contain_text(f"Corrects #{topup.pk}")
    page.goto(f"/ledger/{topup.pk}/")
    expect(page.locator("dd.corrected-by")).to_contain_text(f"Corrected by #{correction.pk}")
    assert vos_money(portal_sim, "manila-bpo") == customer_before - Decimal("7.50") + 40 - 15


def test_a_reseller_returns_the_balance_and_deletes_the_customer(page, accounts, portal_sim):
    vos(portal_sim, "CreateCustomer", account="leaving", name="Leaving", agentAccount="globaltel")
    vos(portal_sim, "Pay", ownerName="leaving", ownerType=2, money=12.3456, memo="setup")
    leaving = TenantFactory(
        name="Leaving",
        parent=accounts["globaltel"],
        server=accounts["globaltel"].server,
        vos_account="leaving",
    )
    reseller_before = vos_money(portal_sim, "globaltel")
    sign_in(page, accounts["reseller"].email, totp=True)
    page.goto(f"/customers/{leaving.pk}/delete/")
    page.get_by_role("button", name="Return the balance to me and delete").click()
    expect(page.get_by_text("The account leaving was deleted.")).to_be_visible()
    leaving.refresh_from_db()
    assert leaving.status == Tenant.Status.GONE
    assert "leaving" not in vos(portal_sim, "GetAllCustomers")["accounts"]
    assert vos_money(portal_sim, "globaltel") == reseller_before + Decimal("12.3456")
    transfer = MoneyTransfer.objects.get(kind="reversal")
    assert transfer.state == MoneyTransfer.State.SUCCEEDED
