"""What the browser tests share: signing in through the real login and TOTP pages."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, fresh_totp_code


def sign_in(page, email: str, *, totp: bool = True) -> None:
    """Sign ``email`` in with the factories' password, and the demo TOTP secret's
    current code when the role needs a second factor; waits for the dashboard."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form button[type=submit]")
    if totp:
        page.wait_for_url("**/2fa/authenticate/")
        page.fill("input[name=code]", fresh_totp_code())
        page.click("form button[type=submit]")
    page.wait_for_url("**/")


def open_signed_in(page, live_server, email: str, language: str = "en") -> Client:
    """A session for the demo login ``email`` (its second factor done), in the language
    given, shared by Django's client and the browser."""
    user = User.objects.get(email=email)
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return client
