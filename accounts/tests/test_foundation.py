"""The shell every page stands on: language, time zone, headers, error pages."""

import zoneinfo

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_renders_the_login_page_in_simplified_chinese(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.text
    assert "登录" in response.text


def test_it_remembers_the_language_on_the_user(client):
    user = UserFactory(language="en")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    user.refresh_from_db()
    assert user.language == "zh-hans"
    # A fresh session without the cookie still gets the saved language.
    client.cookies.clear()
    client.force_login(user)
    assert 'lang="zh-hans"' in client.get(reverse("dashboard")).text


def test_it_refuses_an_off_site_next_url_on_language_switch(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_it_shows_times_in_the_users_time_zone_and_names_it(client):
    client.force_login(UserFactory(time_zone="Asia/Shanghai"))
    assert "Asia/Shanghai" in client.get(reverse("dashboard")).text


def test_it_saves_preferences_and_validates_the_time_zone(client):
    user = UserFactory()
    client.force_login(user)
    bad = client.post(
        reverse("preferences"), {"full_name": "X", "language": "en", "time_zone": "Mars/Olympus"}
    )
    assert bad.status_code == 200
    assert "field-error" in bad.text
    user.refresh_from_db()
    assert user.time_zone == "UTC"
    client.post(
        reverse("preferences"), {"full_name": "X", "language": "en", "time_zone": "Europe/Berlin"}
    )
    user.refresh_from_db()
    assert user.time_zone == "Europe/Berlin"


def test_it_formats_times_with_their_zone():
    from datetime import UTC, datetime

    from django.utils import timezone

    from web.templatetags.portal import when

    with timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        assert when(datetime(2026, 1, 1, 0, 0, tzinfo=UTC)) == "2026-01-01 08:00 CST"


def test_it_adds_a_request_id_to_every_response(client):
    response = client.get(reverse("account_login"))
    assert len(response["X-Request-ID"]) >= 8
    echoed = client.get(reverse("account_login"), HTTP_X_REQUEST_ID="abcdef123456")
    assert echoed["X-Request-ID"] == "abcdef123456"
    forged = client.get(reverse("account_login"), HTTP_X_REQUEST_ID="bad id\r\nX: y")
    assert forged["X-Request-ID"] != "bad id\r\nX: y"


def test_it_sends_security_headers_even_on_404(client):
    client.force_login(UserFactory())
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_it_loads_htmx_from_our_own_static_files(client):
    text = client.get(reverse("account_login")).text
    assert "/static/vendor/htmx-" in text
    assert "unpkg" not in text and "cdn" not in text.lower()
    assert 'hx-headers=\'{"X-CSRFToken": "' in text
