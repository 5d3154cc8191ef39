"""In a real browser: an admin opens a routing gateway from the navigation, finds the
capacity in its section, changes it, saves and sees the new value, which VOS holds."""

import pytest
from playwright.sync_api import expect

from accounts.tests.browser import sign_in
from accounts.tests.factories import AdminFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_edits_a_routing_gateways_capacity(page, demo, sim_call):
    admin = AdminFactory()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, admin.email)

    page.get_by_role("link", name="Gateways", exact=True).click()
    expect(page.locator("h1")).to_have_text("Routing gateways")
    row = page.locator("#gateway-table tr", has_text="carrier-europe")
    expect(row.locator("[data-state]")).to_have_attribute("data-state", "static")

    # Search as you type narrows the list through htmx.
    page.fill("#gateway-q", "asia")
    expect(page.locator("#gateway-table tbody tr")).to_have_count(1)

    page.get_by_role("link", name="carrier-asia").click()
    expect(page.locator("h1")).to_have_text("carrier-asia")
    page.get_by_role("link", name="Capacity and limits").click()
    capacity = page.locator("#id_capacity")
    expect(capacity).to_be_visible()
    capacity.fill("240")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("The routing gateway carrier-asia was saved.")
    expect(page.locator("#id_capacity")).to_have_value("240")

    stored = sim_call("GetGatewayRouting", {"names": ["carrier-asia"]})["infoGatewayRoutings"]
    assert stored[0]["capacity"] == 240

    page.get_by_role("link", name="Back to the list").click()
    expect(
        page.locator("#gateway-table tr", has_text="carrier-asia").locator("[data-capacity]")
    ).to_have_text("240")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
