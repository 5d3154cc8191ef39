"""Webhooks in a real browser: a reseller manager adds an endpoint from Settings, copies
the secret shown once, sends a test event that a local receiver gets signed with it, and
replays it from the delivery log."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from accounts.models import Tenant
from accounts.roles import Role
from accounts.tests.browser import sign_in
from accounts.tests.factories import ResellerFactory, UserFactory
from webhooks import signing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_adds_an_endpoint_tests_it_and_replays_from_the_log(
    page, receiver, local_delivery, eager_tasks
):
    reseller = ResellerFactory(name="GlobalTel", parent=Tenant.platform_root())
    manager = UserFactory(tenant=reseller, role=Role.RESELLER_MANAGER)
    sign_in(page, manager.email, totp=True)
    page.locator("#app-nav").get_by_role("link", name="Webhooks").click()
    page.get_by_role("button", name="Add an endpoint").click()
    page.fill("input[name=url]", receiver.url)
    page.fill("input[name=description]", "Our CRM")
    page.get_by_label("A money transfer succeeded").check()
    page.get_by_role("button", name="Add the endpoint").click()
    secret = page.locator("#secret-value").inner_text()
    assert secret.startswith("whsec_")
    page.get_by_role("button", name="I have copied it").click()
    assert secret not in page.content()

    page.get_by_role("button", name="Send test event").click()
    expect(page.locator("#delivery-log tr[data-status]")).to_have_count(1)
    expect(page.locator("#delivery-log tr[data-status]").first).to_have_attribute(
        "data-status", "succeeded"
    )
    [sent] = receiver.received
    assert signing.verify(secret, sent.body, sent.headers[signing.HEADER])
    assert json.loads(sent.body)["type"] == "webhook.test"

    page.get_by_role("button", name="Replay").click()
    expect(page.locator("#delivery-log tr[data-status=succeeded]")).to_have_count(2)
    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body
