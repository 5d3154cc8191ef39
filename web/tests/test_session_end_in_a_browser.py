"""A session that ends while a page is open, in a real browser: the next htmx request
(a search as the reseller types) loads the login page as a whole page, never the login
page inside the list."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from accounts.tests.browser import sign_in
from accounts.tests.factories import AdminFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_sends_an_htmx_request_after_the_session_ended_to_the_login_page(page, demo_vos_server):
    user = AdminFactory()
    sign_in(page, user.email)
    page.goto("/customers/")
    expect(page.locator("#results")).to_be_visible()
    Session.objects.all().delete()  # signed out elsewhere, or the session timed out
    page.fill("#id_q", "manila")
    page.wait_for_url("**/accounts/login/**")
    expect(page.locator("input[name=login]")).to_be_visible()
    assert page.locator("body .site-header").count() == 1  # a whole page, not a fragment
    assert page.locator("#results").count() == 0
