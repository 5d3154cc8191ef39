"""Reads of a customer's phone book (GetCustomerPhoneBook) through the request's scope."""

from __future__ import annotations

from accounts.models import Tenant
from billing.rates.selectors import require_linked
from switch import vos


# --- Phone book --------------------------------------------------------------------------
def phone_book(scope, tenant: Tenant) -> list[dict]:
    server = require_linked(tenant)
    answer = vos.call(
        scope,
        server,
        "GetCustomerPhoneBook",
        {"account": tenant.vos_account},
        target=tenant,
        tenant=tenant,
    )
    return sorted(
        answer.get("infoCustomerPhoneBooks") or [],
        key=lambda e: (str(e.get("name") or "").casefold(), str(e.get("e164"))),
    )


def phone_book_entry(scope, tenant: Tenant, e164: str) -> dict | None:
    server = require_linked(tenant)
    answer = vos.call(
        scope,
        server,
        "GetCustomerPhoneBook",
        {"account": tenant.vos_account, "e164": e164},
        target=tenant,
        tenant=tenant,
    )
    return next(
        (e for e in answer.get("infoCustomerPhoneBooks") or [] if str(e.get("e164")) == e164),
        None,
    )
