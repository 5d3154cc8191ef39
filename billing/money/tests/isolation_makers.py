"""Makers of the money pages' objects for the isolation suite (see
accounts.tests.isolation_world)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from switch.models import VosServer


def _server():
    # The world's tenants have no server; ledger rows need one. It is never called.
    server, _ = VosServer.objects.get_or_create(
        name="iso", defaults={"base_url": "http://127.0.0.1:9/external/server/"}
    )
    return server


def _transfer(world, tenant, **fields):
    from billing.models import MoneyTransfer

    return MoneyTransfer.objects.create(
        idempotency_key=uuid.uuid4().hex,
        kind=MoneyTransfer.Kind.TOPUP,
        server=_server(),
        customer=tenant,
        amount=Decimal("1.00"),
        requested_by=world.users["admin"],
        tenant_path=tenant.path,
        **fields,
    )


def _money_transfer_pk(world, role_name, own):
    tenant = world.own_tenant(role_name) if own else world.foreign_tenant(role_name)
    return None if tenant is None else _transfer(world, tenant).pk


def _receipt_pk(world, role_name, own):
    """A succeeded top-up: only those have a receipt page."""
    tenant = world.own_tenant(role_name) if own else world.foreign_tenant(role_name)
    if tenant is None:
        return None
    return _transfer(world, tenant, state="succeeded").pk


def _platform_transfer_kwargs(world):
    return {"transfer_id": _transfer(world, world.tenants["B1"]).pk}


OBJECT_MAKERS: dict = {"money_transfer": _money_transfer_pk, "money_receipt": _receipt_pk}


SAMPLE_KWARGS: dict = {
    "money_adjust": lambda world: {"tenant_id": world.tenants["B1"].pk},
    "money_reconcile": _platform_transfer_kwargs,
    "money_resolve": _platform_transfer_kwargs,
}


# Customers cannot top themselves up (only with a phone card), nor take money back from
# themselves.
OWN_REFUSED: set = {
    ("money_topup", "customer_a1"),
    ("money_topup", "customer_b1"),
    ("money_take_back", "customer_a1"),
    ("money_take_back", "customer_b1"),
}
