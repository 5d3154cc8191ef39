"""Two-factor authentication: required for admins, auditors and resellers, optional for
customers; TOTP login; enrolment with a server-drawn QR code; rate limits."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    TEST_TOTP_SECRET,
    AdminFactory,
    ResellerFactory,
    TenantFactory,
    UserFactory,
    fresh_totp_code,
    totp_code,
)

pytestmark = pytest.mark.django_db

SECRET = TEST_TOTP_SECRET  # fixed: the test computes codes from it


def make_user(role, totp=False):
    """A user of ``role`` without a second factor unless ``totp``."""
    if role in (Role.PLATFORM_ADMIN, Role.PLATFORM_AUDITOR):
        return AdminFactory(role=role, is_staff=role == Role.PLATFORM_ADMIN, totp=totp)
    if role in (Role.RESELLER_MANAGER, Role.RESELLER_OPERATOR):
        return UserFactory(role=role, tenant=ResellerFactory(), totp=totp)
    return UserFactory(role=role, tenant=TenantFactory(), totp=totp)


REQUIRED = [Role.PLATFORM_ADMIN, Role.PLATFORM_AUDITOR, Role.RESELLER_MANAGER]
REQUIRED += [Role.RESELLER_OPERATOR]
OPTIONAL = [Role.CUSTOMER_OWNER, Role.CUSTOMER_VIEWER]


@pytest.mark.parametrize("role", REQUIRED)
def test_it_sends_roles_that_require_mfa_to_enrolment(client, role):
    client.force_login(make_user(role))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # htmx requests get a full-page redirect header instead of a swapped fragment.
    response = client.get(reverse("preferences"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", REQUIRED)
def test_it_lets_enrolled_users_of_those_roles_through(client, role):
    user = make_user(role)
    TOTP.activate(user, SECRET)
    client.force_login(user)
    assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.parametrize("role", OPTIONAL)
def test_it_leaves_mfa_optional_for_customers(client, role):
    client.force_login(make_user(role))
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


def test_it_still_lets_an_unenrolled_user_reach_enrolment_logout_and_static(client):
    client.force_login(make_user(Role.RESELLER_MANAGER))
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert client.get("/static/css/app.css").status_code == 200
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    client.post(reverse("account_logout"))
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("account_login"))


def test_it_asks_for_the_password_then_shows_a_server_drawn_qr_code(client):
    user = make_user(Role.RESELLER_MANAGER)
    client.force_login(user)
    response = client.get(reverse("mfa_activate_totp"))
    # Reauthentication first: MFA changes need the password typed again.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(
        reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD}, follow=True
    )
    page = response.text
    assert response.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page
    assert "style=" not in page
    for third_party in ("chart.googleapis", "api.qrserver", "quickchart", "qr-code-generator"):
        assert third_party not in page
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page)
    secret = secret or re.search(r'value="([A-Z2-7]{32})"', page)
    assert secret, page
    response = client.post(reverse("mfa_activate_totp"), {"code": fresh_totp_code(secret[1])})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type="totp").exists()
    assert Authenticator.objects.filter(user=user, type="recovery_codes").exists()
    assert client.get(reverse("dashboard")).status_code == 200


def test_it_logs_in_with_password_then_a_totp_code(client):
    user = make_user(Role.RESELLER_MANAGER)
    TOTP.activate(user, SECRET)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("dashboard")).status_code == 302  # not signed in yet
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200  # wrong code: the form again
    response = client.post(reverse("mfa_authenticate"), {"code": fresh_totp_code(SECRET)})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_it_rate_limits_wrong_totp_codes(client):
    user = make_user(Role.RESELLER_MANAGER)
    TOTP.activate(user, SECRET)
    client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    response = client.post(reverse("mfa_authenticate"), {"code": fresh_totp_code(SECRET)})
    assert "Too many failed" in response.text or response.status_code == 429
    assert client.get(reverse("dashboard")).status_code == 302


def test_it_rate_limits_failed_password_logins(client):
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong-one-1"})
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code in (200, 429)
    assert "Too many failed" in response.text or response.status_code == 429
    assert client.get(reverse("dashboard")).status_code == 302


def test_it_sets_every_rate_limit_explicitly():
    limits = settings.ACCOUNT_RATE_LIMITS
    for action in (
        "login",
        "login_failed",
        "reset_password",
        "reset_password_from_key",
        "change_password",
    ):
        assert limits[action]
    assert settings.MFA_SUPPORTED_TYPES == ["totp", "recovery_codes"]


def test_it_refuses_a_per_process_cache_in_production(settings):
    from accounts.checks import check_shared_cache

    settings.DEBUG = False
    settings.TESTING = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [e.id for e in check_shared_cache()] == ["accounts.E001"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert [e.id for e in check_shared_cache()] == ["accounts.E001"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": "/tmp/x",
        }
    }
    assert check_shared_cache() == []
    settings.TESTING = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert check_shared_cache() == []


def test_it_renders_the_mfa_pages_without_inline_styles(client):
    user = make_user(Role.CUSTOMER_OWNER)
    TOTP.activate(user, SECRET)
    client.force_login(user)
    for name in ("mfa_index", "usersessions_list"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "style=" not in response.text
        assert 'href="/static/vendor/pico' in response.text


def test_it_enrols_the_demo_users_with_fixed_secrets_and_prints_codes(capsys):
    from dashboard.management.commands.seed_demo import DEMO_TOTP_SECRETS

    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    from accounts.models import User

    for email in DEMO_TOTP_SECRETS:
        user = User.objects.filter(email=email).first()
        if user is None:
            continue  # tenant not mirrored without a VOS server
        assert Authenticator.objects.filter(user=user, type="totp").count() == 1
    capsys.readouterr()
    call_command("seed_demo", "--logins")
    out = capsys.readouterr().out
    assert DEMO_TOTP_SECRETS["admin@demo.vosportal"] in out
    call_command("demo_totp", "admin@demo.vosportal")
    code = capsys.readouterr().out.strip()
    assert code in {totp_code(DEMO_TOTP_SECRETS["admin@demo.vosportal"], o) for o in (0, 1)}


# --- In a real browser -------------------------------------------------------------------
def _collect_errors(page) -> list[str]:
    """Script errors and CSP refusals (a missing favicon is neither)."""
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.text.startswith("Failed to load resource")
            and errors.append(msg.text)
        ),
    )
    return errors


def _sign_in(page, email):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_signs_a_reseller_in_with_a_totp_code_in_the_browser(page):
    user = UserFactory(
        email="reseller@example.test",
        full_name="Rita Reseller",
        role=Role.RESELLER_MANAGER,
        tenant=ResellerFactory(),
        totp=False,
    )
    TOTP.activate(user, SECRET)
    errors = _collect_errors(page)
    _sign_in(page, user.email)
    page.wait_for_url("**/2fa/authenticate/")
    page.fill("input[name=code]", fresh_totp_code(SECRET))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.get_by_role("link", name="Users").is_visible()
    assert errors == []  # no CSP violation, no script error


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_sends_a_reseller_without_mfa_to_enrolment_in_the_browser(page):
    user = UserFactory(
        email="new-reseller@example.test",
        role=Role.RESELLER_MANAGER,
        tenant=ResellerFactory(),
        totp=False,
    )
    errors = _collect_errors(page)
    _sign_in(page, user.email)
    # Enrolment first asks for the password again (allauth's reauthentication).
    page.wait_for_url("**/reauthenticate/**")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/2fa/totp/activate/")
    qr = page.locator("img[src^='data:image/svg+xml']")
    assert qr.is_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # drawn: CSP allows data: images
    page.goto("/preferences/")  # anything else leads back to enrolment
    page.wait_for_url("**/2fa/totp/activate/")
    secret = page.locator("#authenticator_secret").input_value()  # new on every visit
    page.fill("input[name=code]", fresh_totp_code(secret))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/2fa/recovery-codes/")
    page.goto("/")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert errors == []
