"""In a real browser: a reseller opens a customer's phones tab, adds a phone with a blank
password (a generated one is shown once) and finds it in the list."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.browser import sign_in
from accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reseller_adds_a_phone_and_sees_its_password_once(page, demo, sim_call):
    server, tenants = demo
    server.sip_host = "sip.demo.example"
    server.save()
    manila = tenants["manila"]
    reseller = UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, reseller.email)

    page.goto(f"/customers/{manila.pk}/phones/")
    page.get_by_role("link", name="Phones", exact=True).click()
    expect(page.locator("h1")).to_have_text("Phones")
    expect(page.locator("#phone-rows")).to_contain_text("80002001")

    page.get_by_role("button", name="Add a phone").click()
    page.fill("#id_e164", "80002077")
    page.fill("#id_memo", "front desk")
    page.get_by_role("button", name="Create the phone").click()
    password = page.locator("#phone-password")
    expect(password).to_be_visible()
    shown = password.inner_text()
    assert len(shown) >= 12
    assert sim_call("GetPhone", {"e164s": ["80002077"]})["infoPhones"][0]["password"] == shown

    # How to connect it: the SIP server, the user name, the password with a copy button
    # (shown by JavaScript, allowed by the CSP) and a QR code drawn by the server.
    expect(page.locator("#sip-host")).to_have_text("sip.demo.example")
    expect(page.locator("#sip-username")).to_have_text("80002077")
    expect(page.locator("svg.qr")).to_be_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("button[data-copy='sip-password']").click()
    expect(page.locator(".copy-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == shown

    page.get_by_role("link", name="Back to the phones").click()
    row = page.locator("#phone-rows tr", has_text="80002077")
    expect(row).to_contain_text("front desk")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "offline")
    assert shown not in page.content()

    # Search as you type narrows the list through htmx.
    page.fill("#id_q", "2077")
    expect(page.locator("#phone-rows a", has_text="8000")).to_have_count(1)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]

    # Its settings: tick do-not-disturb, save, read back from VOS.
    page.get_by_role("link", name="80002077").click()
    page.get_by_label("Do not disturb").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#toasts")).to_contain_text("Settings of 80002077 saved.")
    stored = sim_call("GetPhone", {"e164s": ["80002077"]})["infoPhones"][0]
    assert stored["infoPhoneValueAdded"]["doNotDisturb"] is True

    # Delete from the list: htmx asks first, then the row goes.
    page.goto(f"/customers/{manila.pk}/phones/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#phone-rows tr", has_text="80002077").get_by_role("link", name="Delete").click()
    expect(page.locator("#phone-rows tr", has_text="80002077")).to_have_count(0)
    expect(page.locator("#toasts")).to_contain_text("Phone 80002077 deleted.")
    assert sim_call("GetPhone", {"e164s": ["80002077"]})["infoPhones"] == []
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
