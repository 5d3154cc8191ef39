"""Writes to a customer's phone book: VOS writes through ``switch.vos.call`` (audited
there) on behalf of the request's scope."""

from __future__ import annotations

from accounts.models import Tenant
from accounts.roles import Action
from billing.rates.selectors import require_linked
from switch import vos


# --- Phone book --------------------------------------------------------------------------
def add_phone_book_entry(scope, tenant: Tenant, payload: dict) -> None:
    scope.require(Action.CHANGE)
    server = require_linked(tenant)
    vos.call(
        scope,
        server,
        "CreateCustomerPhoneBook",
        {**payload, "account": tenant.vos_account, "overwrite": False},
        target=tenant,
        tenant=tenant,
    )


def change_phone_book_entry(scope, tenant: Tenant, e164: str, payload: dict) -> None:
    scope.require(Action.CHANGE)
    server = require_linked(tenant)
    vos.call(
        scope,
        server,
        "ModifyCustomerPhoneBook",
        {**payload, "account": tenant.vos_account, "e164": e164},
        target=tenant,
        tenant=tenant,
    )


def delete_phone_book_entry(scope, tenant: Tenant, e164: str) -> None:
    scope.require(Action.CHANGE)
    server = require_linked(tenant)
    vos.call(
        scope,
        server,
        "DeleteCustomerPhoneBook",
        {"account": tenant.vos_account, "e164s": [e164]},
        target=tenant,
        tenant=tenant,
    )
