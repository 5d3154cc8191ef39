"""Security headers on every response, error pages included, and cookie flags with
production values."""

import pytest
from django.test import Client, override_settings
from django.urls import path, reverse

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from vosportal import urls as root_urls

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a bug")


def _forbidden(request):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


def _bad(request):
    from django.core.exceptions import SuspiciousOperation

    raise SuspiciousOperation("bad")


class ErrorUrls:
    urlpatterns = [
        *root_urls.urlpatterns,
        path("test-500/", _boom),
        path("test-403/", _forbidden),
        path("test-400/", _bad),
    ]
    handler500 = root_urls.handler500


def assert_security_headers(response, *, hsts=False):
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    if hsts:
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "includeSubDomains" in response["Strict-Transport-Security"]


@override_settings(ROOT_URLCONF=ErrorUrls, DEBUG=False)
@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/", 200),
        ("/no-such-page/", 404),
        ("/test-403/", 403),
        ("/test-400/", 400),
        ("/test-500/", 500),
    ],
)
def test_it_sends_the_security_headers_on_every_response(url, status):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == status
    assert_security_headers(response)


@override_settings(ROOT_URLCONF=ErrorUrls, SECURE_HSTS_SECONDS=31536000, SECURE_SSL_REDIRECT=False)
@pytest.mark.parametrize(
    ("url", "status"), [("/accounts/login/", 200), ("/nope/", 404), ("/test-500/", 500)]
)
def test_it_sends_hsts_over_https(url, status):
    response = Client(raise_request_exception=False).get(url, secure=True)
    assert response.status_code == status
    assert_security_headers(response, hsts=True)


def test_it_renders_pages_without_inline_styles_and_scripts_carry_a_nonce(client):
    client.force_login(UserFactory())
    for name in ("dashboard", "preferences", "usersessions_list", "mfa_index"):
        text = client.get(reverse(name)).text
        assert "style=" not in text, name
        assert "<script>" not in text, name  # every script is a src= file


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True, LANGUAGE_COOKIE_SECURE=True)
def test_it_sets_secure_httponly_lax_cookies_in_production():
    user = UserFactory()
    client = Client()
    client.get(reverse("account_login"), secure=True)
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": DEFAULT_PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(reverse("set_language"), {"language": "en"}, secure=True)
    language = response.cookies["django_language"]
    assert language["secure"] and language["httponly"] and language["samesite"] == "Lax"


def test_it_uses_production_cookie_settings_when_debug_and_testing_are_off():
    """The real settings module with production values (a subprocess, like the deploy
    check), not override_settings."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "TESTING", "VAR_DIR"}}
    env.update(
        DEBUG="0",
        TESTING="0",
        SECRET_KEY="p" * 20 + "-a-long-production-secret-with-variety-0192837465",
        ALLOWED_HOSTS="portal.example.com",
        VAR_DIR=str(root / "var" / "test" / "prodcookies"),
        DJANGO_SETTINGS_MODULE="vosportal.settings",
    )
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        " s.CSRF_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS, s.SECURE_CONTENT_TYPE_NOSNIFF,"
        " s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY, s.SECURE_SSL_REDIRECT]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        True,
        True,
        True,
        True,
        "Lax",
        "Lax",
        31536000,
        True,
        "DENY",
        "same-origin",
        True,
    ]
