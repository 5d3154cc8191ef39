"""Customer pages in a real browser against the simulator: a reseller signs in with TOTP,
creates a customer through the form and finds it in the list with its balance."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Tenant
from accounts.roles import Role
from accounts.tests.browser import sign_in
from accounts.tests.factories import ResellerFactory, TenantFactory, UserFactory
from billing.models import FeeRateGroupGrant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_reseller_create_a_customer_and_see_it_in_the_list(page, demo_vos_server):
    globaltel = ResellerFactory(name="GlobalTel", server=demo_vos_server, vos_account="globaltel")
    TenantFactory(
        name="Manila BPO", parent=globaltel, server=demo_vos_server, vos_account="manila-bpo"
    )
    FeeRateGroupGrant.objects.create(tenant=globaltel, group="Retail-Standard")
    reseller = UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # CSP violations and script errors; failed requests are checked by status below
    # (the browser's own favicon request is nobody's page).
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.text.startswith("Failed to load resource")
            and errors.append(msg.text)
        ),
    )
    page.on(
        "response",
        lambda r: r.status >= 400 and "favicon" not in r.url and errors.append(r.url),
    )

    sign_in(page, reseller.email, totp=True)
    page.get_by_role("link", name="Customers").click()
    page.get_by_role("button", name="New customer").click()
    page.fill("input[name=account]", "browser-co")
    page.fill("input[name=name]", "Browser Company")
    page.select_option("select[name=feeRateGroup]", "Retail-Standard")
    page.fill("input[name=memo]", "made in chromium")
    page.fill("input[name=infoCustomerAdditional__email]", "ops@browser.test")
    page.get_by_role("button", name="Create the account").click()

    expect(page.locator("h1")).to_have_text("Browser Company")
    expect(page.get_by_role("button", name="Add a first phone")).to_be_visible()
    tenant = Tenant.objects.get(vos_account="browser-co")
    assert tenant.parent_id == globaltel.pk

    page.get_by_role("link", name="Customers").first.click()
    page.fill("#id_q", "browser")
    rows = page.locator("#customer-rows tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("browser-co")
    expect(rows.first.locator("[data-balance]")).to_have_text("0.00")
    expect(rows.first).to_contain_text("low")  # below the low-balance threshold
    expect(page.locator("#results")).to_contain_text("balances read")
    # Search as you type went through htmx and the URL follows it.
    assert "q=browser" in page.url

    # Lock it in place (htmx, after a confirmation), then unlock.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    rows.first.get_by_role("link").first.click()
    page.get_by_role("button", name="Lock", exact=True).click()
    expect(page.locator("#lock-state")).to_contain_text("Locked")
    assert len(dialogs) == 1 and "Lock this account" in dialogs[0]
    page.get_by_role("button", name="Unlock").click()
    expect(page.locator("#lock-state")).to_contain_text("Normal")
    assert len(dialogs) == 1  # unlocking needs no confirmation

    # Delete it: a confirmation, then back to the list with the news.
    page.get_by_role("button", name="Delete").click()
    page.wait_for_url("**/customers/")
    expect(page.locator(".toast")).to_contain_text("was deleted")
    assert "Delete the account browser-co?" in dialogs[-1]
    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.GONE
    assert errors == []
