"""Provider keys at rest: Fernet tokens under PAYMENT_KEYS_FERNET_KEY. A key is
decrypted only for a provider call (``config_for``), never logged or shown."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from billing.models import PaymentAccount
from billing.payments.providers import ProviderConfig, ProviderError


def _fernet() -> Fernet:
    key = getattr(settings, "PAYMENT_KEYS_FERNET_KEY", "")
    if not key:
        raise ImproperlyConfigured("PAYMENT_KEYS_FERNET_KEY is not set.")
    return Fernet(key.encode() if isinstance(key, str) else key)


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        # Another Fernet key than the one the keys were stored under: re-enter them.
        raise ProviderError(
            _("The payment account's keys cannot be read: enter them again.")
        ) from None


def config_for(account: PaymentAccount, *, webhook_url: str = "") -> ProviderConfig:
    if not account.has_keys:
        raise ProviderError(_("The payment account has no keys yet."))
    return ProviderConfig(
        secret_key=decrypt(account.secret_key_token),
        webhook_secret=decrypt(account.webhook_secret_token),
        currency=account.currency.lower(),
        webhook_url=webhook_url,
        extra={"account_id": str(account.pk)},
    )
