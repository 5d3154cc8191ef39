"""In a real browser: a reseller signs in with TOTP and sees only its subtree; a customer
sees only itself."""

import pytest
from playwright.sync_api import expect

from accounts.tests.browser import sign_in
from accounts.tests.isolation_world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _visible_accounts(page) -> set[str]:
    page.goto("/tenants/")
    return set(page.locator("#tenant-rows td:first-child a").all_inner_texts())


def test_it_shows_a_reseller_only_its_subtree(page):
    world = build_world()
    sign_in(page, world.users["reseller_a"].email, totp=True)
    assert _visible_accounts(page) == {"A", "A-mid", "A'", "A1", "A1'"}
    # Typing narrows the list through htmx, still inside the subtree.
    page.fill("#id_q", "1")
    expect(page.locator("#tenant-rows a")).to_have_count(2)
    assert set(page.locator("#tenant-rows a").all_inner_texts()) == {"A1", "A1'"}
    # A foreign tenant's page is a plain 404.
    response = page.goto(f"/tenants/{world.tenants['B1'].pk}/")
    assert response.status == 404


def test_it_shows_a_customer_only_itself(page):
    world = build_world()
    sign_in(page, world.users["customer_a1"].email, totp=False)
    assert _visible_accounts(page) == {"A1"}
    assert page.goto(f"/tenants/{world.tenants['A'].pk}/").status == 404
