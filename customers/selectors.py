"""Reads about customer accounts: the scoped list (SQL over the tenants and the local
copy of a few VOS fields) and what VOS says about the accounts on a page, always in one
batched call per page, never one per row.

What lives where:
    account, name             the tenant (the name mirrors VOS, refreshed on each read)
    memo, lock state, type    VOS; a copy on the tenant (``vos_memo`` ...) for search and
                              filters over the whole subtree, refreshed by each page
                              that reads the account and by the portal's own changes
    balance, overdraft,       VOS only, read for the page shown; sorting and the
    today's consumption       low-balance filter use the last reading
                              (``billing.models.BalanceReading``), so they are as fresh
                              as the last page, dashboard or payment that read them
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tenant
from billing.models import MoneySettings
from billing.money import readings
from billing.rates.selectors import granted_groups
from switch import vos
from vos3000.client import datetime_from_ms
from vos3000.errors import VosError
from web import numbers

log = logging.getLogger(__name__)


SORTS = {
    "account": ("vos_account",),
    "-account": ("-vos_account",),
    "name": ("name", "vos_account"),
    "-name": ("-name", "vos_account"),
    # Accounts never read yet (no reading) come last either way.
    "balance": (F("vos_money").asc(nulls_last=True), "vos_account"),
    "-balance": (F("vos_money").desc(nulls_last=True), "vos_account"),
}
# Each order is an index on the tenants (accounts.models.Tenant.Meta.indexes), so a page,
# deep or not, walks the index instead of sorting the subtree.


# GetCustomer / GetPhone / GetPhoneOnline take lists: this many accounts or numbers per
# call keeps each answer small (about 1 KB per InfoCustomer) and each call short.
CHUNK = 500


# --- The list ----------------------------------------------------------------------------
def listed_accounts(scope):
    """Accounts below the user's tenant (customers and sub-resellers), still in VOS."""
    tenants = scope.tenants().filter(
        kind__in=(Tenant.Kind.CUSTOMER, Tenant.Kind.RESELLER), status=Tenant.Status.ACTIVE
    )
    if scope.tenant is not None:
        tenants = tenants.exclude(pk=scope.tenant.pk)
    return tenants


def customer_list(scope, *, q="", locked=False, low=False, account_type=None, sort="account"):
    """The filtered, sorted queryset of the customer list (nothing asked of VOS). The
    balance sorted and filtered on is the tenant's copy of its last reading
    (``vos_money``), a column: no subquery per row."""
    tenants = listed_accounts(scope)
    if q:
        tenants = tenants.filter(
            Q(vos_account__icontains=q) | Q(name__icontains=q) | Q(vos_memo__icontains=q)
        )
    if locked:
        tenants = tenants.filter(vos_locked=True)
    if account_type is not None:
        tenants = tenants.filter(vos_type=account_type)
    if low:
        # Customers only: a sub-reseller's own balance is its business, as on the dashboard.
        tenants = tenants.filter(
            kind=Tenant.Kind.CUSTOMER,
            vos_money__lt=MoneySettings.current().low_balance_threshold,
        )
    return tenants.select_related("server").order_by(*SORTS.get(sort, SORTS["account"]))


class Window:
    """A list's queryset as the Paginator reads it, a page in one query whose inner part
    finds the page's ids in the order shown, through the index that has that order and
    what the list filters on (``accounts.models.LISTED``): at page 400 of 10,000 tenants
    PostgreSQL walks the index alone, then reads 25 rows. The outer query keeps the
    filters and the order (and the server, selected with each row)."""

    ordered = True

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = self.queryset.values("pk")[index]
        return list(self.queryset.filter(pk__in=ids))


@dataclass
class Reading:
    """What VOS said about some accounts, and when."""

    infos: dict = field(default_factory=dict)  # (server id, account) -> InfoCustomer dict
    read_at: datetime | None = None
    errors: list[str] = field(default_factory=list)

    def info(self, tenant: Tenant) -> dict | None:
        return self.infos.get((tenant.server_id, tenant.vos_account))


def read_accounts(scope, tenants, *, source: str = "page") -> Reading:
    """One GetCustomer per VOS server for all ``tenants`` (a page of the list: one call
    whatever the page size). Readings are recorded; a failure is kept as words."""
    reading = Reading()
    by_server: dict = {}
    for tenant in tenants:
        if tenant.is_linked and tenant.status == Tenant.Status.ACTIVE:
            by_server.setdefault(tenant.server_id, (tenant.server, [], []))[1].append(
                tenant.vos_account
            )
            by_server[tenant.server_id][2].append(tenant)
    for server, accounts, known in by_server.values():
        try:
            # The tenants are loaded already: the guard checks them without a query.
            answer = vos.call(
                scope, server, "GetCustomer", {"accounts": accounts}, known_tenants=known
            )
        except VosError as exc:
            reading.errors.append(vos.describe_error(exc))
            continue
        read_at = timezone.now()
        # Only rows about the accounts asked for, which the guard has just checked are
        # in the scope: the same re-check as scope.keep_in_scope (stricter, even)
        # without a second walk over the whole subtree's accounts.
        asked = set(accounts)
        rows = [row for row in answer.get("infoCustomers") or [] if row.get("account") in asked]
        for info in rows:
            reading.infos[(server.pk, info["account"])] = with_money(info)
        reading.read_at = read_at
        readings.remember_read(server, rows, source, read_at)
    return reading


def with_money(info: dict) -> dict:
    """An InfoCustomer with Decimals for its amounts and datetimes for its times."""
    out = dict(info)
    for key in ("money", "limitMoney", "todayConsumption"):
        out[key] = readings.as_money(info.get(key))
        # Shown as the money filter shows amounts (formatted once here: a filter in a
        # 100-row table is a measurable part of the page).
        shown = numbers.grouped(out[key], numbers.money_places())
        out[key + "Shown"] = numbers.with_currency(shown)
        if key == "limitMoney" and numbers.is_unlimited(out[key]):
            out[key + "Shown"] = numbers.limit(out[key])  # VOS's "no limit"
    for key in ("validTime", "startTime"):
        if info.get(key):
            out[key + "At"] = datetime_from_ms(int(info[key]))
    if out.get("money") is not None:
        out["available"] = out["money"] + (out.get("limitMoney") or 0)
    return out


def read_account(scope, tenant: Tenant, *, source: str = "page") -> Reading:
    return read_accounts(scope, [tenant], source=source)


def fee_rate_group_choices(scope, server) -> list[str]:
    """The fee rate groups this user may give a customer on ``server``: the granted ones
    for resellers, every group VOS has for admins (one GetFeeRateGroup)."""
    groups = granted_groups(scope, server)
    if groups is not None:
        return sorted(groups)
    answer = vos.call(scope, server, "GetFeeRateGroup", {})
    return sorted(
        {row.get("name") for row in answer.get("infoFeeRateGroups") or [] if row.get("name")}
    )


def agent_choices(scope):
    """Resellers new accounts may be created under: the user's own reseller tenant and
    the sub-resellers below it (admins: every reseller), linked and active."""
    tenants = scope.tenants().filter(kind=Tenant.Kind.RESELLER, status=Tenant.Status.ACTIVE)
    return (
        tenants.exclude(vos_account="")
        .filter(server__isnull=False)
        .select_related("server")
        .order_by("path")
    )


# --- Dashboards ----------------------------------------------------------------------------
def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def no_link_message() -> str:
    return _("This account is not linked to a VOS server.")
