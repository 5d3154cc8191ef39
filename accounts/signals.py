"""Authentication events into the audit trail: sign-ins (and failed ones), sign-outs,
password changes and resets, second factors added, removed, reset or failed.

Connected in ``AccountsConfig.ready``. The request's IP, user agent and id come from
``AuditContextMiddleware``; nothing here ever sees a password (Django hands failed-login
handlers the credentials with the password already masked, and only the email is kept).
"""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from accounts import audit
from accounts.models import User


def _record_for_user(action: str, user, **extra) -> None:
    if user is None or not getattr(user, "pk", None):
        return
    audit.record(action, actor=user, target=user, tenant=user.tenant, **extra)


@receiver(auth_signals.user_logged_in, dispatch_uid="audit_login")
def on_login(sender, request, user, **kwargs):
    _record_for_user("auth.login", user)


@receiver(auth_signals.user_logged_out, dispatch_uid="audit_logout")
def on_logout(sender, request, user, **kwargs):
    _record_for_user("auth.logout", user)


@receiver(auth_signals.user_login_failed, dispatch_uid="audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Only the identifier tried; the credentials' other keys (the masked password) stay out.
    tried = str(credentials.get("email") or credentials.get("username") or "")[:254].lower()
    user = (
        User.objects.select_related("tenant").filter(email__iexact=tried).first() if tried else None
    )
    audit.record(
        "auth.login_failed",
        actor=user,
        target=user,
        tenant=user.tenant if user else None,
        payload={"email": tried},
        result="denied",
    )


@receiver(account_signals.password_changed, dispatch_uid="audit_password_changed")
def on_password_changed(sender, request, user, **kwargs):
    _record_for_user("auth.password_changed", user)


@receiver(account_signals.password_set, dispatch_uid="audit_password_set")
def on_password_set(sender, request, user, **kwargs):
    _record_for_user("auth.password_set", user)


@receiver(account_signals.password_reset, dispatch_uid="audit_password_reset")
def on_password_reset(sender, request, user, **kwargs):
    _record_for_user("auth.password_reset", user)


def _authenticator_payload(authenticator) -> dict:
    return {"authenticator": getattr(authenticator, "type", ""), "id": authenticator.pk}


@receiver(mfa_signals.authenticator_added, dispatch_uid="audit_mfa_added")
def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    _record_for_user("auth.mfa_added", user, payload=_authenticator_payload(authenticator))


@receiver(mfa_signals.authenticator_removed, dispatch_uid="audit_mfa_removed")
def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    _record_for_user("auth.mfa_removed", user, payload=_authenticator_payload(authenticator))


@receiver(mfa_signals.authenticator_reset, dispatch_uid="audit_mfa_reset")
def on_authenticator_reset(sender, request, user, authenticator, **kwargs):
    _record_for_user("auth.mfa_reset", user, payload=_authenticator_payload(authenticator))


@receiver(mfa_signals.authentication_failed, dispatch_uid="audit_mfa_failed")
def on_mfa_failed(sender, request, user, authenticator, **kwargs):
    _record_for_user(
        "auth.mfa_failed", user, payload=_authenticator_payload(authenticator), result="denied"
    )
