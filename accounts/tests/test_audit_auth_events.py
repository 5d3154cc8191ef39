import time

import pytest
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator

from accounts.models import AuditEvent
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def all_stored_text() -> str:
    return " ".join(str(row) for row in AuditEvent.objects.values())


def test_it_records_a_login_and_a_logout(client):
    user = UserFactory()
    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": DEFAULT_PASSWORD},
        HTTP_USER_AGENT="agent/1",
    )
    assert response.status_code == 302
    login = AuditEvent.objects.get(action="auth.login")
    assert (login.actor, login.tenant, login.ip, login.user_agent) == (
        user,
        user.tenant,
        "127.0.0.1",
        "agent/1",
    )
    assert login.tenant_path == user.tenant.path
    client.post("/accounts/logout/")
    assert AuditEvent.objects.filter(action="auth.logout", actor=user).exists()


def test_it_records_a_failed_login_with_the_email_but_never_the_password(client):
    user = UserFactory()
    client.post("/accounts/login/", {"login": user.email, "password": "Wrong-Guess-123"})
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.payload == {"email": user.email}
    assert (event.actor, event.result, event.tenant) == (user, "denied", user.tenant)
    assert "Wrong-Guess-123" not in all_stored_text()


def test_it_records_a_failed_login_for_an_unknown_email_without_a_user(client):
    client.post("/accounts/login/", {"login": "nobody@example.test", "password": "Secret-999"})
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor_id is None and event.tenant_id is None
    assert event.payload == {"email": "nobody@example.test"}
    assert "Secret-999" not in all_stored_text()


def test_it_records_a_password_change(client):
    user = UserFactory()
    client.force_login(user)
    session = client.session
    # allauth asks for the password again before a change; count it as just done.
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email}
    ]
    session.save()
    client.post(
        "/accounts/password/change/",
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": "A-new-Passphrase-77",
            "password2": "A-new-Passphrase-77",
        },
    )
    event = AuditEvent.objects.get(action="auth.password_changed")
    assert event.actor == user
    assert "A-new-Passphrase-77" not in all_stored_text()
    assert DEFAULT_PASSWORD not in all_stored_text()


@pytest.mark.parametrize(
    ("signal", "action"),
    [
        (mfa_signals.authenticator_added, "auth.mfa_added"),
        (mfa_signals.authenticator_removed, "auth.mfa_removed"),
        (mfa_signals.authenticator_reset, "auth.mfa_reset"),
        (mfa_signals.authentication_failed, "auth.mfa_failed"),
    ],
)
def test_it_records_second_factor_events(rf, signal, action):
    user = UserFactory()
    authenticator = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    signal.send(sender=Authenticator, request=rf.get("/"), user=user, authenticator=authenticator)
    event = AuditEvent.objects.get(action=action)
    assert event.actor == user
    assert event.payload == {"authenticator": "totp", "id": authenticator.pk}
    assert "JBSWY3DPEHPK3PXP" not in all_stored_text()
