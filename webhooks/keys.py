"""Endpoint secrets at rest: Fernet tokens under WEBHOOKS_FERNET_KEY (by default the
payment keys' key). A secret is decrypted only to sign a delivery; it is shown once,
when the endpoint is made."""

from __future__ import annotations

import secrets

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "whsec_"


class SecretUnreadable(Exception):
    """Stored under another Fernet key: the endpoint needs a new secret."""


def _fernet() -> Fernet:
    key = getattr(settings, "WEBHOOKS_FERNET_KEY", "")
    if not key:
        raise ImproperlyConfigured("WEBHOOKS_FERNET_KEY is not set.")
    return Fernet(key.encode() if isinstance(key, str) else key)


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable from None


def hint(secret: str) -> str:
    return secret[-4:]
