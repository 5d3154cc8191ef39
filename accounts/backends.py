"""The authentication backends: Django's and allauth's, loading the signed-in user the
way every request needs it.

Each request reads its user, then the user's tenant (the Scope) and whether the user has
a TOTP authenticator (``accounts.mfa``): three queries on every page. Here they are one:
the user with its tenant joined and the authenticator's existence as a column
(``has_totp_authenticator``, which ``accounts.mfa.has_totp`` uses when present).
Authentication itself (passwords, allauth's login by email) is unchanged.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth import backends, get_user_model
from django.db.models import Exists, OuterRef


def users_as_requests_load_them():
    totp = Authenticator.objects.filter(user_id=OuterRef("pk"), type=Authenticator.Type.TOTP)
    return (
        get_user_model()
        ._default_manager.select_related("tenant")
        .annotate(has_totp_authenticator=Exists(totp))
    )


class _LoadsTheRequestUser:
    def get_user(self, user_id):
        user = users_as_requests_load_them().filter(pk=user_id).first()
        # As ModelBackend.get_user: an inactive user is never loaded (signed out).
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_LoadsTheRequestUser, backends.ModelBackend):
    pass


class AllauthBackend(_LoadsTheRequestUser, AuthenticationBackend):
    pass
