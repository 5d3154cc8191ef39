"""Reads for the rates, suites, phone book, tools and history pages. Every VOS call goes
through ``switch.vos.call`` with the request's scope; every visibility decision that
the guard cannot make (which fee rate groups a user may see) is made here.

Fee rate groups: the guard lets GetFeeRate and GetFeeRateGroup through for everyone (a
shared read), so ``group_or_404`` is what keeps a reseller to the groups granted to its
tenant and a customer to the group of its own account.
"""

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
