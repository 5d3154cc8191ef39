"""In a real Chromium with the CSP in force: an admin reaches the billing console from
the navigation, builds a suite with an extra gift-time row added through htmx, deletes
it through the hx-confirm dialog, and looks a phone card up without its PIN reaching
the address bar."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.tests.browser import sign_in
from accounts.tests.factories import AdminFactory
from billing.rates.tests.test_browser import _collect_errors
from billing.tests.pages_world import raw

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_builds_and_deletes_a_suite_and_looks_a_card_up(page, demo_vos_server):
    admin = AdminFactory()
    errors = _collect_errors(page)
    sign_in(page, admin.email, totp=True)

    page.get_by_role("link", name="Billing console").click()
    page.locator('a[href="/console/billing/suites/"]').click()
    page.wait_for_url("**/console/billing/suites/")
    page.fill("#id_name", "Weekend Calls")
    page.fill("#id_rentPeriod", "1")
    page.select_option("#id_rentType", "0")
    page.fill("#id_rentFee", "1.25")
    page.fill("#id_giftMoney", "0")
    page.fill("#id_gift-0-prefix", "44")
    page.get_by_role("button", name="Add a row").click()
    expect(page.locator("[data-gift-row]")).to_have_count(3)
    expect(page.locator("#id_gift-0-prefix")).to_have_value("44")
    assert page.locator("h1").count() == 1  # the form came back, not a page
    page.fill("#id_gift-0-startTime", "00:00")
    page.fill("#id_gift-0-endTime", "12:00")
    page.fill("#id_gift-0-giftTime", "300")
    page.fill("#id_gift-0-billingTime", "60")
    page.fill("#id_gift-2-prefix", "49")
    page.fill("#id_gift-2-startTime", "12:00")
    page.fill("#id_gift-2-endTime", "24:00")
    page.fill("#id_gift-2-giftTime", "120")
    page.fill("#id_gift-2-billingTime", "6")
    page.get_by_role("button", name="Create the suite").click()
    row = page.locator("tr", has_text="Weekend Calls")
    expect(row).to_contain_text("12:00\u201324:00")
    [suite] = [
        s
        for s in raw(demo_vos_server, "GetSuite", {})["infoSuites"]
        if s["name"] == "Weekend Calls"
    ]
    assert [g["prefix"] for g in suite["infoGiftTimes"]] == ["44", "49"]

    row.get_by_role("link", name="Delete…").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete the suite").click()
    page.wait_for_url("**/console/billing/suites/")
    expect(page.locator("tr", has_text="Weekend Calls")).to_have_count(0)

    page.goto("/console/billing/phone-cards/")
    page.fill("#id_pin", "700100000001")
    page.get_by_role("button", name="Look up").click()
    expect(page.locator("#card-result")).to_contain_text("…0001")
    expect(page.locator("#card-result")).to_contain_text("20.00")
    assert "700100000001" not in page.url
    assert errors == []
