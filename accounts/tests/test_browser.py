"""A real Chromium, driven by Playwright, against the live portal."""

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD, AdminFactory, UserFactory, fresh_totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_logs_in_and_sees_the_dashboard(page):
    AdminFactory(email="admin@example.test", full_name="Ada Admin")
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=login]", "admin@example.test")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form button[type=submit]")
    # Admins must use their second factor.
    page.wait_for_url("**/2fa/authenticate/")
    page.fill("input[name=code]", fresh_totp_code())
    page.click("form button[type=submit]")
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.get_by_role("link", name="Administration").is_visible()
    # htmx loaded from our static files and configured not to eval.
    assert page.evaluate("window.htmx && htmx.config.allowEval") is False


def test_it_switches_language_without_javascript_errors(page):
    UserFactory(email="admin@example.test")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "admin@example.test")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/")
    page.select_option("#language-select", "zh-hans")
    page.wait_for_load_state("load")
    page.wait_for_selector("html[lang=zh-hans]")
    assert errors == []
