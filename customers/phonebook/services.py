"""Writes to a customer's phone book: VOS writes through ``switch.vos.call`` (audited
there) on behalf of the request's scope."""

from __future__ import annotations

from accounts.models import Tenant
from accounts.roles import Action
from billing.rates.selectors import require_linked
from switch import vos


# --- Phone book --------------------------------------------------------------------------
def add_phone_book_entry(scope, tenant: Tenant, payload: dict) -> None:
    _write(scope, tenant, "CreateCustomerPhoneBook", {**payload, "overwrite": False})


def change_phone_book_entry(scope, tenant: Tenant, e164: str, payload: dict) -> None:
    _write(scope, tenant, "ModifyCustomerPhoneBook", {**payload, "e164": e164})


def delete_phone_book_entry(scope, tenant: Tenant, e164: str) -> None:
    _write(scope, tenant, "DeleteCustomerPhoneBook", {"e164s": [e164]})


def _write(scope, tenant: Tenant, endpoint: str, payload: dict) -> None:
    """A phone-book write on the tenant's own VOS account (the account is always the
    tenant's, whatever the form sent)."""
    scope.require(Action.CHANGE)
    server = require_linked(tenant)
    vos.call(
        scope,
        server,
        endpoint,
        {**payload, "account": tenant.vos_account},
        target=tenant,
        tenant=tenant,
    )
