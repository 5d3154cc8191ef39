"""Sessions: a new id at login, idle and absolute expiry, listing and ending one's own
sessions, deactivation ends every session, recent authentication for money."""

import time
from decimal import Decimal

import pytest
from allauth.core.exceptions import ReauthenticationRequired
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import sessions
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302, response.text
    return response


def shift_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    if "login" in seconds_ago:
        session[sessions.LOGIN_AT_KEY] = now - seconds_ago["login"]
    if "seen" in seconds_ago:
        session[sessions.LAST_SEEN_KEY] = now - seconds_ago["seen"]
    session.save()


def test_it_gives_a_new_session_id_at_login(client):
    user = UserFactory()
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    assert before
    login(client, user)
    assert client.session.session_key != before


def test_it_signs_out_an_idle_session(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    login(client, UserFactory())
    shift_session(client, seen=1799)
    assert client.get(reverse("dashboard")).status_code == 200
    shift_session(client, seen=1801)
    response = client.get(reverse("preferences"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]
    page = client.get(response["Location"])
    assert "inactivity" in page.text
    assert client.get(reverse("dashboard")).status_code == 302


def test_it_ends_a_session_after_its_absolute_lifetime_even_when_active(client, settings):
    settings.SESSION_ABSOLUTE_LIFETIME = 12 * 3600
    login(client, UserFactory())
    shift_session(client, login=12 * 3600 + 5, seen=10)
    response = client.get(reverse("dashboard"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("account_login")
    assert client.get(reverse("dashboard")).status_code == 302


def test_it_lists_and_ends_the_users_own_other_sessions(client):
    user = UserFactory()
    other_device = Client(headers={"User-Agent": "Other device"})
    login(other_device, user)
    other_device.get(reverse("dashboard"))
    login(client, user)
    client.get(reverse("dashboard"))
    stranger = Client()
    login(stranger, UserFactory())
    stranger.get(reverse("dashboard"))

    page = client.get(reverse("usersessions_list"))
    assert page.status_code == 200
    assert "Other device" in page.text
    assert page.text.count("<tr") == 3  # header + this user's two sessions only
    client.post(reverse("usersessions_list"))
    assert other_device.get(reverse("dashboard")).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    assert stranger.get(reverse("dashboard")).status_code == 200


def test_it_ends_every_session_when_a_user_is_deactivated(client):
    user = UserFactory()
    second = Client()
    login(client, user)
    login(second, user)
    client.get(reverse("dashboard"))
    second.get(reverse("dashboard"))
    assert UserSession.objects.filter(user=user).count() == 2
    keys = set(UserSession.objects.filter(user=user).values_list("session_key", flat=True))

    user.is_active = False
    user.save()  # as the Django admin does: the signal ends the sessions

    assert not UserSession.objects.filter(user=user).exists()
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert client.get(reverse("dashboard")).status_code == 302
    assert second.get(reverse("dashboard")).status_code == 302


def _money_view(request):
    return HttpResponse("moved")


def _request(user, amount=None, method="post", reauthenticated_at=None):
    factory = RequestFactory()
    data = {} if amount is None else {"amount": amount}
    request = getattr(factory, method)("/money/", data)
    request.user = user
    from allauth.account.internal.flows.login import record_authentication

    request.session = {}
    if reauthenticated_at is not None:
        record_authentication(request, user, method="password", reauthenticated=True)
        request.session["account_authentication_methods"][-1]["at"] = reauthenticated_at
    return request


def test_it_asks_for_the_password_again_before_moving_a_large_amount(settings):
    settings.REAUTH_MONEY_ABOVE = Decimal("100")
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    view = sessions.require_recent_auth(amount=lambda r: Decimal(r.POST["amount"]))(_money_view)
    user = UserFactory()

    assert view(_request(user, "100.00")).content == b"moved"  # not above the threshold
    with pytest.raises(ReauthenticationRequired):
        view(_request(user, "100.01"))
    with pytest.raises(ReauthenticationRequired):
        view(_request(user, "not-a-number"))  # unknown amount: the safe side
    for not_finite in ("NaN", "sNaN", "Infinity", "-Infinity"):
        with pytest.raises(ReauthenticationRequired):  # not a 500: the form refuses it
            view(_request(user, not_finite))
    stale = time.time() - 301
    with pytest.raises(ReauthenticationRequired):
        view(_request(user, "5000", reauthenticated_at=stale))
    assert view(_request(user, "5000", reauthenticated_at=time.time())).content == b"moved"
    assert view(_request(user, method="get")).content == b"moved"  # the form itself

    always = sessions.require_recent_auth()(_money_view)
    with pytest.raises(ReauthenticationRequired):
        always(_request(user, "1"))


def test_it_redirects_to_reauthentication_through_the_middleware(client, settings):
    """End to end: allauth's middleware turns the refusal into its password page."""
    from django.urls import path

    from vosportal import urls as root_urls

    view = sessions.require_recent_auth(amount=lambda r: Decimal(r.POST["amount"]))(_money_view)
    urlconf = type("U", (), {"urlpatterns": [*root_urls.urlpatterns, path("test-money/", view)]})
    settings.ROOT_URLCONF = urlconf
    user = UserFactory()
    login(client, user)
    response = client.post("/test-money/", {"amount": "1000"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    assert client.post("/test-money/", {"amount": "1000"}).content == b"moved"


def test_it_asks_for_the_password_before_changing_the_email_or_mfa(client):
    user = UserFactory()
    client.force_login(user)
    for name, data in (
        ("mfa_activate_totp", {"code": "123456"}),
        ("account_email", {"action_add": "", "email": "new@example.test"}),
    ):
        response = client.post(reverse(name), data)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_reauthenticate")), name
