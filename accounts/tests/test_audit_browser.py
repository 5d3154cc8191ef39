"""The audit pages in a real Chromium: htmx filtering and the export's progress, with
the CSP in force (no inline script or style may be needed)."""

import pytest

from accounts import audit
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_filters_with_htmx_and_starts_an_export_without_errors(page):
    owner = UserFactory(email="owner@example.test")
    audit.record("tenant.update", actor=owner, tenant=owner.tenant, target=owner.tenant)
    audit.record("user.preferences", actor=owner, tenant=owner.tenant)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # CSP refusals show as console errors. Failed loads are checked by response instead
    # (Chromium's own favicon probe 404s and says nothing about the page).
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.text.startswith("Failed to load resource")
            and errors.append(msg.text)
        ),
    )
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "owner@example.test")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/")
    page.get_by_role("link", name="Audit").click()
    page.wait_for_url("**/audit/")
    changed = f"Changed the account {owner.tenant}"
    assert page.locator("#audit-results").get_by_text(changed).is_visible()

    # The action is chosen in words from a list, not typed in.
    page.select_option("#id_action", label="Preferences changed")
    page.wait_for_url("**/audit/?*action=user.preferences*")
    page.wait_for_function(
        f"!document.querySelector('#audit-results').innerText.includes({changed!r})"
    )
    results = page.locator("#audit-results")
    assert results.get_by_text("Preferences changed").is_visible()

    page.get_by_role("button", name="Export as CSV").click()
    page.wait_for_selector("#audit-export article")
    assert page.locator("h1").count() == 1  # the status came in as a fragment, not a page
    assert errors == []
