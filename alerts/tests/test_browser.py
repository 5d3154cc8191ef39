"""Notifications in a real Chromium: marked read with htmx, in place, under the CSP."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from alerts.models import AlertKind, Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_marks_notifications_read_without_reloading(page):
    owner = UserFactory(email="owner@example.test", role=Role.CUSTOMER_OWNER)
    first, _second = (
        Notification.objects.create(
            user=owner, kind=AlertKind.LOW_BALANCE, title=f"Low balance {n}", body="below"
        )
        for n in (1, 2)
    )
    errors = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and errors.append(f"{message.text} {message.location.get('url')}")
        ),
    )
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "owner@example.test")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/")
    assert page.locator("[data-unread-count]").inner_text() == "2"

    page.click("#nav-notifications")
    page.wait_for_url("**/notifications/")
    page.evaluate("window.notReloaded = true")
    page.locator(f"#notification-{first.pk} button").click()
    page.wait_for_selector(f"#notification-{first.pk}:not([data-unread])")
    assert page.locator("#unread-count").inner_text() == "1 unread"
    assert page.evaluate("window.notReloaded") is True

    page.get_by_role("button", name="Mark all read").click()
    page.wait_for_selector("[data-unread]", state="detached")
    assert page.locator("[data-unread-count]").count() == 0
    assert not Notification.objects.filter(user=owner, read_at__isnull=True).exists()
    # The browser's own favicon request is no page's doing.
    assert [e for e in errors if not e.endswith("/favicon.ico")] == []
