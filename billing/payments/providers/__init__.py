"""Card payment providers: one module per outside payment API, all behind ``base``.

``get(kind, config)`` builds the provider for a payment account. The portal's flow
(``billing.payments.services``) knows only the interface in ``base``.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from billing.payments.providers.base import (
    BadSignature,
    Checkout,
    PaymentProvider,
    ProviderConfig,
    ProviderError,
    ProviderEvent,
    ProviderPayment,
)

__all__ = [
    "KINDS",
    "BadSignature",
    "Checkout",
    "PaymentProvider",
    "ProviderConfig",
    "ProviderError",
    "ProviderEvent",
    "ProviderPayment",
    "get",
]

# kind -> dotted path of the class (imported on use: the Stripe library loads only
# where a Stripe account exists).
KINDS = {
    "offline": "billing.payments.providers.offline.OfflineProvider",
    "stripe": "billing.payments.providers.stripe_checkout.StripeProvider",
}


def get(kind: str, config: ProviderConfig) -> PaymentProvider:
    return import_string(KINDS[kind])(config)
