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
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tenant
from customers import services
from switch import vos
from vos3000.client import datetime_from_ms, format_timestamp
from vos3000.errors import VosError

log = logging.getLogger(__name__)


SORTS = {
    "account": ("vos_account",),
    "-account": ("-vos_account",),
    "name": ("name", "vos_account"),
    "-name": ("-name", "vos_account"),
    # Accounts never read yet (no reading) come last either way.
    "balance": (F("last_money").asc(nulls_last=True), "vos_account"),
    "-balance": (F("last_money").desc(nulls_last=True), "vos_account"),
}


# GetCustomer / GetPhone / GetPhoneOnline take lists: this many accounts or numbers per
# call keeps each answer small (about 1 KB per InfoCustomer) and each call short.
CHUNK = 500


# The subtree summary of a dashboard costs about 3 calls per 500 accounts (GetCustomer,
# GetPhone, GetPhoneOnline): about 60 calls for a reseller with 10,000 customers. It is
# cached this long per tenant, so reloading a dashboard does not repeat them.
SUMMARY_SECONDS = 60


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
    """The filtered, sorted queryset of the customer list (nothing asked of VOS)."""
    from billing.models import BalanceReading, MoneySettings

    last = BalanceReading.objects.filter(
        server=OuterRef("server"), vos_account=OuterRef("vos_account")
    )
    tenants = listed_accounts(scope).annotate(last_money=Subquery(last.values("money")[:1]))
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
            last_money__lt=MoneySettings.current().low_balance_threshold,
        )
    return tenants.select_related("server").order_by(*SORTS.get(sort, SORTS["account"]))


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
            by_server.setdefault(tenant.server_id, (tenant.server, []))[1].append(
                tenant.vos_account
            )
    for server, accounts in by_server.values():
        try:
            answer = vos.call(scope, server, "GetCustomer", {"accounts": accounts})
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
            reading.infos[(server.pk, info["account"])] = _with_money(info)
        reading.read_at = read_at
        services.remember_read(server, rows, source, read_at)
    return reading


def _with_money(info: dict) -> dict:
    """An InfoCustomer with Decimals for its amounts and datetimes for its times."""
    out = dict(info)
    for key in ("money", "limitMoney", "todayConsumption"):
        out[key] = services.as_money(info.get(key))
        # Shown with two decimals (formatted once here: floatformat in a 100-row table
        # is a measurable part of the page).
        out[key + "Shown"] = "" if out[key] is None else f"{out[key]:.2f}"
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
    groups = scope.fee_rate_groups(server)
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
def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def subtree_summary(scope) -> dict:
    """The reseller (or platform) dashboard figures for everything below the user's
    tenant, each part with its own error in words. Cached SUMMARY_SECONDS per tenant:
    for a big subtree this is tens of VOS calls (see CHUNK)."""
    key = f"dashboard:subtree:{scope.tenant.pk}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    summary = _subtree_summary(scope)
    if not summary["errors"]:
        cache.set(key, summary, SUMMARY_SECONDS)
    return summary


def _subtree_summary(scope) -> dict:
    from billing.models import MoneySettings

    threshold = MoneySettings.current().low_balance_threshold
    below = list(listed_accounts(scope).select_related("server"))
    summary = {
        "customers": sum(1 for t in below if t.kind == Tenant.Kind.CUSTOMER),
        "resellers": sum(1 for t in below if t.kind == Tenant.Kind.RESELLER),
        "balances": None,
        "today": None,
        "low": None,
        "threshold": threshold,
        "own": None,
        "phones_online": None,
        "phones": None,
        "live_calls": None,
        "read_at": None,
        "errors": [],
        "phone_errors": [],
    }
    own = scope.tenant if scope.tenant.is_linked else None
    by_server: dict = {}
    for tenant in below:
        if tenant.is_linked:
            by_server.setdefault(tenant.server_id, (tenant.server, []))[1].append(tenant)
    kinds = {(t.server_id, t.vos_account): t.kind for t in below}

    balances = today = 0
    low = 0
    try:
        for server, tenants in by_server.values():
            accounts = [t.vos_account for t in tenants]
            if own is not None and own.server_id == server.pk:
                accounts.append(own.vos_account)
            for chunk in _chunks(accounts):
                answer = vos.call(scope, server, "GetCustomer", {"accounts": chunk})
                rows = scope.keep_in_scope(server, answer.get("infoCustomers") or [])
                services.remember_read(server, rows, "dashboard")
                for info in rows:
                    money = services.as_money(info.get("money")) or 0
                    if own is not None and info["account"] == own.vos_account:
                        summary["own"] = _with_money(info)
                        continue
                    balances += money
                    today += services.as_money(info.get("todayConsumption")) or 0
                    if kinds.get((server.pk, info["account"])) == Tenant.Kind.CUSTOMER:
                        low += money < threshold
        if own is not None and own.server_id not in by_server:
            answer = vos.call(scope, own.server, "GetCustomer", {"accounts": [own.vos_account]})
            rows = scope.keep_in_scope(own.server, answer.get("infoCustomers") or [])
            services.remember_read(own.server, rows, "dashboard")
            summary["own"] = _with_money(rows[0]) if rows else None
        summary.update(balances=balances, today=today, low=low, read_at=timezone.now())
    except VosError as exc:
        summary["errors"].append(vos.describe_error(exc))

    # Online phones and the calls they are in: the phones of the subtree (GetPhone by
    # account), then their registrations (GetPhoneOnline, whose currentCall counts the
    # calls each phone is in). GetAllPhoneOnline and GetCurrentCall are for the platform
    # only (they list every tenant's numbers).
    try:
        phones = online = calls = 0
        for server, tenants in by_server.values():
            numbers: list[str] = []
            for chunk in _chunks([t.vos_account for t in tenants]):
                answer = vos.call(scope, server, "GetPhone", {"accounts": chunk})
                rows = scope.keep_in_scope(server, answer.get("infoPhones") or [])
                numbers += [row["e164"] for row in rows if row.get("e164")]
            phones += len(numbers)
            for chunk in _chunks(numbers):
                answer = vos.call(
                    scope, server, "GetPhoneOnline", {"e164s": chunk}, verified=set(chunk)
                )
                registrations = answer.get("infoPhoneOnlines") or []
                online += len(registrations)
                calls += sum(int(row.get("currentCall") or 0) for row in registrations)
        summary.update(phones=phones, phones_online=online, live_calls=calls)
    except VosError as exc:
        summary["phone_errors"].append(vos.describe_error(exc))
    return summary


def recent_topups(scope, limit: int = 10):
    from billing.models import MoneyTransfer

    if scope.tenant is None:
        return MoneyTransfer.objects.none()
    return (
        MoneyTransfer.objects.filter(tenant_path__startswith=scope.tenant.path)
        .select_related("customer")
        .order_by("-created_at", "-pk")[:limit]
    )


def platform_summary(scope) -> dict:
    """Cheap platform figures for admins: tenants by kind (SQL), and per enabled VOS
    server the online phones and live calls from the shared live snapshots
    (telephony.live.state: one paced GetCurrentCall / GetAllPhoneOnline per server and
    interval, whoever watches, plus VOS's pushes), never a VOS call per view."""
    from django.db.models import Count

    from telephony.live import selectors as live_selectors

    counts = dict(
        Tenant.objects.filter(status=Tenant.Status.ACTIVE)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    servers = live_selectors.servers_for(scope)
    calls = live_selectors.live_calls(scope, servers=servers)
    phones = live_selectors.online_phones(scope, servers=servers)
    polls = live_selectors.poll_status(servers, "calls")
    rows = []
    for server in servers:
        row = {"name": server.name, "online": None, "calls": None, "error": ""}
        row["error"] = getattr(polls.get(server.pk), "error", "")
        if not row["error"]:
            row["online"] = phones.filter(server=server).count()
            row["calls"] = calls.filter(server=server).count()
        rows.append(row)
    return {
        "resellers": counts.get(Tenant.Kind.RESELLER, 0),
        "customers": counts.get(Tenant.Kind.CUSTOMER, 0),
        "servers": rows,
    }


def customer_home(scope, tenant: Tenant) -> dict:
    """A customer's own home page: each panel read on its own, each failure in words."""
    home: dict = {"linked": tenant.is_linked and tenant.status == "active"}
    if not home["linked"]:
        return home
    server, account = tenant.server, tenant.vos_account
    now = timezone.now()

    def panel(name, fn):
        try:
            home[name] = fn()
        except VosError as exc:
            home[name + "_error"] = vos.describe_error(exc)

    def account_info():
        reading = read_account(scope, tenant)
        if reading.errors:
            raise _Failed(reading.errors[0])
        return reading.info(tenant)

    try:
        home["account"] = account_info()
        home["read_at"] = timezone.now()
    except _Failed as exc:
        home["account_error"] = str(exc)

    def suites():
        rows = vos.call(
            scope, server, "GetCurrentSuite", {"ownerType": vos.OWNER_ACCOUNT, "ownerName": account}
        ).get("infoCurrentSuites")
        if not rows:
            return []
        ids = sorted({int(row["suiteId"]) for row in rows if row.get("suiteId") is not None})
        names = {
            suite.get("id"): suite.get("name")
            for suite in vos.call(scope, server, "GetSuite", {"ids": ids}).get("infoSuites") or []
        }
        return [
            {
                **row,
                "name": names.get(row.get("suiteId")) or f"#{row.get('suiteId')}",
                "rentFeeMoney": services.as_money(row.get("rentFee")),
            }
            for row in rows
        ]

    panel("suites", suites)

    def phones():
        rows = vos.call(scope, server, "GetPhone", {"accounts": [account]}).get("infoPhones")
        rows = scope.keep_in_scope(server, rows or [])
        numbers = [row["e164"] for row in rows if row.get("e164")]
        online = {}
        if numbers:
            answer = vos.call(
                scope, server, "GetPhoneOnline", {"e164s": numbers}, verified=set(numbers)
            )
            online = {row["e164"]: row for row in answer.get("infoPhoneOnlines") or []}
        return [
            {
                "e164": n,
                "online": n in online,
                "registered_at": datetime_from_ms(online[n]["registerTime"])
                if n in online and online[n].get("registerTime")
                else None,
            }
            for n in numbers
        ]

    panel("phones", phones)

    # The last calls come from the local copy the pulls keep (billing.cdr_store), not
    # from a GetCdr over a week at every page view: VOS warns that those hurt it.
    home["calls"] = list(
        scope.cdrs()
        .filter(tenant_id=tenant.pk, start__gte=now - timedelta(days=7))
        .order_by("-start", "-id")[:10]
    )

    def payments():
        answer = vos.call(
            scope,
            server,
            "GetPayHistory",
            {
                "account": account,
                "beginTime": format_timestamp(now - timedelta(days=90)),
                "endTime": format_timestamp(now),
            },
        )
        rows = scope.keep_in_scope(server, answer.get("infoPayHistorys") or [])
        rows.sort(key=lambda row: row.get("payTime") or 0, reverse=True)
        return [
            {
                **row,
                "paidAt": datetime_from_ms(row["payTime"]) if row.get("payTime") else None,
                "feeMoney": services.as_money(row.get("fee")),
                "afterMoney": services.as_money(row.get("customerMoney")),
            }
            for row in rows[:5]
        ]

    panel("payments", payments)
    return home


class _Failed(Exception):
    pass


def no_link_message() -> str:
    return _("This account is not linked to a VOS server.")
