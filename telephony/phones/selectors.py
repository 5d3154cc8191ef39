"""Reads of a customer's phones (and the limited-number groups a phone may use), always
through the request's scope: every function takes the scope and the customer tenant
(already found with ``scope.customer_or_404``) and asks VOS only about that tenant's own
account."""

from __future__ import annotations

from accounts.scope import OutOfScope
from switch import vos
from telephony.models import LimitedE164Group


def own_rows(scope, tenant, rows: list[dict]) -> list[dict]:
    rows = scope.keep_in_scope(tenant.server, rows, field="account")
    return [row for row in rows if row.get("account") == tenant.vos_account]


# --- Phones ------------------------------------------------------------------------------
def phones(scope, tenant) -> list[dict]:
    """Every phone of the customer's own account (InfoPhone dicts), by number."""
    answer = vos.call(
        scope, tenant.server, "GetPhone", {"accounts": [tenant.vos_account]}, tenant=tenant
    )
    rows = own_rows(scope, tenant, answer.get("infoPhones") or [])
    return sorted(rows, key=lambda row: str(row.get("e164", "")))


def phone_or_404(scope, tenant, e164: str) -> dict:
    """One phone of the customer's own account; 404 when it is not one of them."""
    for row in phones(scope, tenant):
        if row.get("e164") == e164:
            return row
    raise OutOfScope(f"phone not in tenant {tenant.pk}")


def online(scope, tenant, e164s: list[str]) -> dict[str, dict]:
    """Registration of each of ``e164s`` (phones just read from the own account): e164
    -> InfoPhoneOnline, for the ones online. One GetPhoneOnline call, none for no phones."""
    if not e164s:
        return {}
    answer = vos.call(
        scope,
        tenant.server,
        "GetPhoneOnline",
        {"e164s": list(e164s)},
        tenant=tenant,
        verified=frozenset(e164s),
    )
    wanted = set(e164s)
    return {
        row["e164"]: row
        for row in answer.get("infoPhoneOnlines") or []
        if row.get("e164") in wanted
    }


def limited_groups(scope):
    """The groups this user may see: all on the platform, else those owned by a tenant
    in the scope (a reseller's own and its sub-resellers'). Customers see none.
    (Offered on the phone form; their pages are telephony.numbers'.)"""
    groups = LimitedE164Group.objects.select_related("owner", "server")
    if scope.is_platform:
        return groups
    if not scope.is_provider:
        return groups.none()
    return groups.filter(owner__path__startswith=scope.tenant.path)
