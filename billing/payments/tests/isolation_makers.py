"""Makers of the card payment pages' objects for the isolation suite (see
accounts.tests.isolation_world)."""

from __future__ import annotations

import secrets
from decimal import Decimal


def _payment(world, tenant):
    from accounts.models import Tenant
    from billing.models import CardPayment, PaymentAccount

    root = Tenant.platform_root()
    account, _ = PaymentAccount.objects.get_or_create(
        owner=root, defaults={"kind": "offline", "currency": "usd", "tenant_path": root.path}
    )
    return CardPayment.objects.create(
        reference=secrets.token_urlsafe(18),
        customer=tenant,
        account=account,
        amount=Decimal("10.00"),
        total=Decimal("10.00"),
        currency="usd",
        requested_by=world.users["admin"],
        tenant_path=tenant.path,
    )


def _card_payment_reference(world, role_name, own):
    tenant = world.own_tenant(role_name) if own else world.foreign_tenant(role_name)
    return None if tenant is None else _payment(world, tenant).reference


OBJECT_MAKERS: dict = {"card_payment": _card_payment_reference}
