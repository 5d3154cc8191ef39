"""The key pages and the API documentation in a real browser: a manager makes a key
(shown once, with a copy button), the key works from outside, revoking it ends it; the
documentation page draws the OpenAPI document under the portal's CSP, no console error."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.browser import sign_in
from accounts.tests.factories import ResellerFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reseller(demo_vos_server):
    globaltel = ResellerFactory(name="GlobalTel", server=demo_vos_server, vos_account="globaltel")
    TenantFactory(
        name="Manila BPO", parent=globaltel, server=demo_vos_server, vos_account="manila-bpo"
    )
    return UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER)


def test_it_makes_a_key_shown_once_that_works_until_revoked(page, live_server, reseller):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, reseller.email, totp=True)
    page.goto("/settings/api-keys/")
    page.fill("input[name=name]", "CRM")
    page.select_option("select[name=role]", Role.RESELLER_OPERATOR)
    page.select_option("select[name=access]", "write")
    page.get_by_role("button", name="Create the key").click()
    token = page.locator("#api-token").inner_text().strip()
    assert token.startswith("vosp_")
    expect(page.locator("button[data-copy=api-token]")).to_be_visible()

    answer = requests.get(
        live_server.url + "/api/v1/customers",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 200
    assert [row["account"] for row in answer.json()["items"]] == ["manila-bpo"]

    page.goto("/settings/api-keys/")
    expect(page.locator("main table")).to_contain_text("CRM")
    expect(page.locator("main")).not_to_contain_text(token)
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator("main table")).to_contain_text("Revoked")
    answer = requests.get(
        live_server.url + "/api/v1/customers",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 401 and answer.json()["code"] == "key_revoked"


def test_it_draws_the_documentation_under_the_csp(page, live_server):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("VOS Portal API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert errors == []
