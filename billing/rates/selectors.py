"""Reads for the rates, suites, phone book, tools and history pages. Every VOS call goes
through ``switch.vos.call`` with the request's scope; every visibility decision that
the guard cannot make (which fee rate groups a user may see) is made here.

Fee rate groups: the guard lets GetFeeRate and GetFeeRateGroup through for everyone (a
shared read), so ``group_or_404`` is what keeps a reseller to the groups granted to its
tenant and a customer to the group of its own account.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from accounts.models import Tenant
from accounts.scope import OutOfScope
from billing.models import FeeRateGroupGrant
from switch import labels, vos
from switch.models import VosServer
from switch.servers import enabled_servers


def granted_groups(scope, server=None) -> set[str] | None:
    """The fee rate groups this user may give customers and see rates of: None means
    every group (the platform); resellers have the groups granted to their tenant;
    customers see the group of their own account (looked up by the caller)."""
    if scope.is_platform:
        return None
    if scope.tenant is None:
        return set()
    return set(
        FeeRateGroupGrant.objects.filter(tenant=scope.tenant).values_list("group", flat=True)
    )


# How long a fee rate table is kept after it was read (rates change rarely; the price
# tool and the paged list would otherwise fetch the whole table on every request).
RATES_CACHE_SECONDS = 60


# Whom a suite order is for, as the catalog's values.
OWNER_ACCOUNT = labels.value("CreateSuiteOrder", "ownerType", "Account")


OWNER_PHONE = labels.value("CreateSuiteOrder", "ownerType", "Phone")


NO_LIMIT = 9223372036854775807


class NotLinked(Exception):
    """The tenant (or the user's own tenant) has no VOS account to ask about."""


# --- Servers and links -------------------------------------------------------------------
def require_linked(tenant: Tenant) -> VosServer:
    if not tenant.is_linked:
        raise NotLinked
    return tenant.server


def server_for(scope, name: str | None = None) -> VosServer | None:
    """The VOS server whose rates and suites the user's pages show: the one its own
    tenant is on, or for the platform the one named (``?server=``), else the first."""
    if scope.is_platform:
        servers = enabled_servers()
        if name:
            chosen = servers.filter(name=name).first()
            if chosen is not None:
                return chosen
        return servers.first()
    tenant = scope.tenant
    if tenant is None or not tenant.server_id:
        return None
    if tenant.kind == Tenant.Kind.CUSTOMER and not tenant.vos_account:
        return None
    return tenant.server


# --- Fee rate groups ---------------------------------------------------------------------
@dataclass
class GroupRow:
    name: str
    memo: str = ""
    in_vos: bool = True


def all_groups(scope, server) -> list[GroupRow]:
    answer = vos.call(scope, server, "GetFeeRateGroup", {})
    return [
        GroupRow(str(row.get("name") or ""), str(row.get("memo") or ""))
        for row in answer.get("infoFeeRateGroups") or []
        if row.get("name")
    ]


def own_account_group(scope, tenant: Tenant) -> str:
    """The fee rate group of a customer's own account, read from VOS ("" when none)."""
    info = customer_info(scope, tenant)
    return str((info or {}).get("feeRateGroup") or "")


def visible_group_names(scope, server) -> set[str] | None:
    """The groups this user may see on ``server``: None for every group (the platform),
    a reseller's grants, or a customer's own account's group."""
    granted = granted_groups(scope, server)
    if granted is None:
        return None
    if scope.is_customer:
        if not scope.tenant.is_linked or scope.tenant.server_id != getattr(server, "pk", None):
            return set()
        group = own_account_group(scope, scope.tenant)
        return {group} if group else set()
    return granted


def visible_groups(scope, server) -> list[GroupRow]:
    """Rows for the rates list. A reseller's grant that VOS no longer knows is listed
    (``in_vos`` False) so that someone can revoke it."""
    names = visible_group_names(scope, server)
    if names is None:
        return all_groups(scope, server)
    if not names:
        return []
    known = {row.name: row for row in all_groups(scope, server) if row.name in names}
    return [known.get(name) or GroupRow(name, in_vos=False) for name in sorted(names)]


def group_or_404(scope, server, group: str) -> str:
    """``group`` if this user may see its rates on ``server``, else a 404."""
    names = visible_group_names(scope, server)
    if names is not None and group not in names:
        raise OutOfScope(f"fee rate group {group!r}")
    return group


def group_or_404_unlinked(scope, group: str) -> str:
    """The check for a user whose tenant has no server: only a reseller's grants (which
    live in the portal) can be known; everything else is a 404."""
    granted = granted_groups(scope)
    if granted is None:
        return group
    if scope.is_customer:
        raise OutOfScope(f"fee rate group {group!r}: no VOS account")
    if group not in granted:
        raise OutOfScope(f"fee rate group {group!r}")
    return group


def _rates_key(server, group: str) -> str:
    digest = hashlib.sha256(group.encode()).hexdigest()[:32]
    return f"billing:rates:{server.pk}:{digest}"


def fee_rates(scope, server, group: str, *, checked: bool = False) -> list[dict]:
    """Every InfoFeeRate of ``group``, sorted by prefix; the table is cached briefly, per
    server and group. The group is checked against the scope first unless the caller
    has just done so (``checked``: the result of ``group_or_404``)."""
    if not checked:
        group_or_404(scope, server, group)
    return _fee_rates_unchecked(scope, server, group)


def _fee_rates_unchecked(scope, server, group: str) -> list[dict]:
    key = _rates_key(server, group)
    rates = cache.get(key)
    if rates is None:
        answer = vos.call(scope, server, "GetFeeRate", {"feeRateGroup": group})
        rates = sorted(answer.get("infoFeeRates") or [], key=lambda r: str(r.get("feePrefix")))
        cache.set(key, rates, RATES_CACHE_SECONDS)
    return rates


def customer_rates(scope, tenant: Tenant) -> tuple[str, list[dict]]:
    """The group a customer's calls are priced with (its account's) and its rates. The
    customer is in the scope (the caller looked it up), so its group is visible on its
    pages even when the reseller has no grant of it."""
    server = require_linked(tenant)
    group = own_account_group(scope, tenant)
    if not group:
        return "", []
    return group, _fee_rates_unchecked(scope, server, group)


def search_rates(rates: list[dict], query: str) -> list[dict]:
    """Rates whose prefix or area code starts with the digits of ``query``, or whose area
    name contains it."""
    query = (query or "").strip()
    if not query:
        return rates
    digits = query.lstrip("+")
    text = query.casefold()
    out = []
    for rate in rates:
        prefix = str(rate.get("feePrefix") or "")
        area = str(rate.get("areaCode") or "")
        name = str(rate.get("areaName") or "").casefold()
        if (digits.isdigit() and (prefix.startswith(digits) or area.startswith(digits))) or (
            text in name
        ):
            out.append(rate)
    return out


# --- One customer ------------------------------------------------------------------------
def customer_info(scope, tenant: Tenant) -> dict | None:
    server = require_linked(tenant)
    answer = vos.call(
        scope,
        server,
        "GetCustomer",
        {"accounts": [tenant.vos_account]},
        target=tenant,
        tenant=tenant,
    )
    rows = scope.keep_in_scope(server, answer.get("infoCustomers") or [])
    return next((r for r in rows if r.get("account") == tenant.vos_account), None)


def customer_phones(scope, tenant: Tenant) -> list[dict]:
    """The customer's phones (InfoPhone, passwords included: never render them)."""
    server = require_linked(tenant)
    answer = vos.call(
        scope, server, "GetPhone", {"accounts": [tenant.vos_account]}, target=tenant, tenant=tenant
    )
    rows = scope.keep_in_scope(server, answer.get("infoPhones") or [])
    return sorted(
        (r for r in rows if r.get("account") == tenant.vos_account),
        key=lambda r: str(r.get("e164")),
    )


def phone_numbers(phones: list[dict]) -> list[str]:
    return [str(p["e164"]) for p in phones if p.get("e164")]


# --- Suites ------------------------------------------------------------------------------
def suites(scope, server) -> list[dict]:
    answer = vos.call(scope, server, "GetSuite", {})
    return sorted(answer.get("infoSuites") or [], key=lambda s: (str(s.get("name")), s.get("id")))


@dataclass
class Owner:
    """Whom suite orders are for: the customer's account or one of its phones."""

    type: int
    name: str

    @property
    def is_phone(self) -> bool:
        return self.type == OWNER_PHONE


def suite_owner(scope, tenant: Tenant, phone: str = "", phones: list[dict] | None = None) -> Owner:
    """The account, or a phone checked to belong to the customer (404 otherwise)."""
    require_linked(tenant)
    if not phone:
        return Owner(OWNER_ACCOUNT, tenant.vos_account)
    numbers = phone_numbers(phones if phones is not None else customer_phones(scope, tenant))
    if phone not in numbers:
        raise OutOfScope("phone of another customer")
    return Owner(OWNER_PHONE, phone)


def suite_orders(scope, tenant: Tenant, owner: Owner) -> list[dict]:
    server = require_linked(tenant)
    answer = vos.call(
        scope,
        server,
        "GetSuiteOrder",
        {"ownerName": owner.name, "ownerType": owner.type},
        target=tenant,
        tenant=tenant,
        verified={owner.name} if owner.is_phone else frozenset(),
    )
    return answer.get("infoSuiteOrders") or []


def current_suites(scope, tenant: Tenant, owner: Owner) -> list[dict]:
    server = require_linked(tenant)
    answer = vos.call(
        scope,
        server,
        "GetCurrentSuite",
        {"ownerName": owner.name, "ownerType": owner.type},
        target=tenant,
        tenant=tenant,
        verified={owner.name} if owner.is_phone else frozenset(),
    )
    return answer.get("infoCurrentSuites") or []
