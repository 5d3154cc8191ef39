"""In a real browser: a customer's home shows its phone come online when the simulator
registers it, without a reload. The simulator pushes PhoneOnline to the live server's
receiver; the push's task runs eagerly in the receiving thread (the worker path is
covered by test_push_worker), and the page's live panel, polled by htmx, shows it."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.browser import sign_in
from accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_sees_its_phone_come_online_without_reloading(
    page, live_server, demo, portal_sim, settings, eager_tasks, sim_pushes_to
):
    server, tenants = demo
    settings.LIVE_REFRESH_SECONDS = 1
    server.push_token = "browser-push-token"
    server.save()
    sim_pushes_to(f"{live_server.url}/vos/push/browser-push-token/main")
    customer = UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_OWNER)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    sign_in(page, customer.email, totp=False)
    panel = page.locator("#live-panel")
    expect(panel).to_be_visible()
    expect(page.locator('[data-live-phone="80002002"]')).to_have_count(0)
    page.evaluate("window.liveMarker = 'same page'")

    portal_sim.control("register_phone", e164="80002002", device="Browser test phone")
    expect(page.locator('[data-live-phone="80002002"]')).to_be_visible(timeout=20_000)
    assert page.evaluate("window.liveMarker") == "same page"  # no reload happened
    pushed = portal_sim.control("pushes", name="PhoneOnline")["pushes"]
    assert pushed[-1]["status"] == "delivered"
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]


def test_a_customer_watches_a_call_appear_and_disconnects_it(page, demo, portal_sim, settings):
    _server, tenants = demo
    settings.LIVE_REFRESH_SECONDS = 1
    settings.LIVE_CALLS_POLL_SECONDS = 1
    customer = UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_OWNER)
    sign_in(page, customer.email, totp=False)
    page.get_by_role("link", name="Live calls").first.click()
    expect(page.locator("h1")).to_have_text("Live calls")
    expect(page.locator("#live-calls")).to_contain_text("No call in progress.")

    call = portal_sim.control("place_call", caller="80002001", callee="6581234567", duration=600)
    row = page.locator(f'tr[data-call="{call["callId"]}"]')
    expect(row).to_be_visible(timeout=20_000)
    expect(row).to_contain_text("80002001")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("link", name="Disconnect").click()
    expect(page.locator("#toasts")).to_contain_text("The call was disconnected.")
    expect(row).to_have_count(0)
    assert portal_sim.sim.call("GetCurrentCall", {})["infoCurrentCalls"] == []
