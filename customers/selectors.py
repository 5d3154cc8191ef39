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
from concurrent.futures import Future
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
from switch.servers import servers_by_id
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
    """A list's queryset as the Paginator reads it: a page in one short query through the
    index that has the order shown and carries what the list filters on and shows
    (``accounts.models.LISTED``): at page 400 of 10,000 tenants PostgreSQL walks the
    index alone and reads no table row.

    ``rows(start, stop)`` are the page's tenants with those fields (and their servers):
    enough for the guard, a GetCustomer, the rows shown and the comparison with what
    VOS says (``billing.money.readings.VOS_FIELDS``). The customer list starts its VOS
    read with them and then counts the subtree while VOS answers."""

    ordered = True
    # In the model's field order: Model.from_db takes values so.
    ROW_FIELDS = tuple(
        f.attname
        for f in Tenant._meta.concrete_fields
        if f.attname
        in {"id", "vos_account", "server_id", "path", "kind", "status", "name"}
        | {"vos_memo", "vos_locked", "vos_type"}
    )

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return self.rows(index.start or 0, index.stop)

    def rows(self, start: int, stop: int | None) -> list[Tenant]:
        """The page's tenants, read through the scoped queryset with the index's fields
        only (the others are deferred), each with its server. ``from_db`` as the ORM's
        own iterator makes them: a third of the cost of ``Tenant(**fields)`` a row."""
        found = self.queryset.values_list(*self.ROW_FIELDS)[start:stop]
        db = self.queryset.db
        rows = [Tenant.from_db(db, self.ROW_FIELDS, row) for row in found]
        _attach_servers(rows)
        return rows


def _attach_servers(tenants: list[Tenant]) -> None:
    """Each tenant's server from the servers' cache (``switch.servers``: no query before
    the page's VOS read can start), not joined to every row: building a server per row
    was a third of a 100-row page's query time."""
    servers = servers_by_id({t.server_id for t in tenants if t.server_id})
    for tenant in tenants:
        if tenant.server_id:
            tenant.server = servers[tenant.server_id]


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
    return _start_reading(scope, tenants, source, soon=False).result()


class PendingReading:
    """A ``read_accounts`` under way (``read_accounts_soon``): the GetCustomer calls are
    in flight; ``result()`` waits for them and makes the Reading on the caller's thread
    (the money formatting uses the request's language; the readings are remembered
    through the request's after-response hook)."""

    def __init__(self, scope, source: str, *, times: bool = True):
        self.scope = scope
        self.source = source
        self.times = times  # with_money's
        self.calls: list[tuple] = []  # (server, accounts asked, future)
        self._reading: Reading | None = None
        # The page's tenants whole (Window.rows), when the caller has them: what the
        # local copy of VOS's fields is compared with after the response.
        self.loaded_tenants: list[Tenant] | None = None

    def result(self) -> Reading:
        if self._reading is not None:
            return self._reading
        reading = Reading()
        for server, accounts, future in self.calls:
            try:
                answer = future.result()
            except VosError as exc:
                reading.errors.append(vos.describe_error(exc))
                continue
            read_at = timezone.now()
            # Only rows about the accounts asked for, which the guard has checked are in
            # the scope: the same re-check as scope.keep_in_scope (stricter, even)
            # without a second walk over the whole subtree's accounts.
            asked = set(accounts)
            rows = [row for row in answer.get("infoCustomers") or [] if row.get("account") in asked]
            show = numbers.money_shower()
            for info in rows:
                reading.infos[(server.pk, info["account"])] = with_money(
                    info, times=self.times, show=show
                )
            reading.read_at = read_at
            readings.remember_read(server, rows, self.source, read_at, tenants=self.loaded_tenants)
        self._reading = reading
        return reading


def read_accounts_soon(
    scope, tenants, *, source: str = "page", times: bool = True
) -> PendingReading:
    """Start ``read_accounts``'s calls (``vos.read_soon``) and return at once: a list page
    counts its rows and renders its header while VOS answers. The guard has run for
    every call by the time this returns. ``times``: as with_money's."""
    return _start_reading(scope, tenants, source, soon=True, times=times)


def _start_reading(
    scope, tenants, source: str, *, soon: bool, times: bool = True
) -> PendingReading:
    pending = PendingReading(scope, source, times=times)
    by_server: dict = {}
    for tenant in tenants:
        if tenant.is_linked and tenant.status == Tenant.Status.ACTIVE:
            by_server.setdefault(tenant.server_id, (tenant.server, [], []))[1].append(
                tenant.vos_account
            )
            by_server[tenant.server_id][2].append(tenant)
    for server, accounts, known in by_server.values():
        payload = {"accounts": accounts}
        # The tenants are loaded already: the guard checks them without a query.
        if soon:
            future = vos.read_soon(scope, server, "GetCustomer", payload, known_tenants=known)
        else:
            future = Future()
            try:
                future.set_result(
                    vos.call(scope, server, "GetCustomer", payload, known_tenants=known)
                )
            except VosError as exc:
                future.set_exception(exc)
        pending.calls.append((server, accounts, future))
    return pending


def with_money(info: dict, *, times: bool = True, show=None) -> dict:
    """An InfoCustomer with Decimals for its amounts and (``times``) datetimes for its
    times (the list shows none: not made for its rows). ``show``: a
    ``numbers.money_shower()`` made once for many rows."""
    out = dict(info)
    show = show or numbers.money_shower()
    for key in ("money", "limitMoney", "todayConsumption"):
        out[key] = readings.as_money(info.get(key))
        # Shown as the money filter shows amounts (formatted once here: a filter in a
        # 100-row table is a measurable part of the page).
        out[key + "Shown"] = show(out[key])
        if key == "limitMoney" and numbers.is_unlimited(out[key]):
            out[key + "Shown"] = numbers.limit(out[key])  # VOS's "no limit"
    for key in ("validTime", "startTime") if times else ():
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
