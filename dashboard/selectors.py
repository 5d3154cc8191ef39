"""What the dashboards show: a customer's home, a reseller's subtree summary, the
platform's totals, recent top-ups, and the live panel (read from the shared snapshots of
telephony.live, never from VOS per viewer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tenant
from billing.cdrs.selectors import visible_cdrs
from billing.models import BalanceReading, MoneySettings, MoneyTransfer
from billing.money import readings
from billing.rating import exact_sum
from billing.reports import charts
from billing.reports import stats as call_stats
from customers.selectors import chunks, listed_accounts, read_account, with_money
from switch import vos
from telephony.live import state as live_state
from telephony.live.selectors import (
    current_alarms,
    live_calls,
    online_phones,
    poll_status,
    servers_for,
)
from vos3000.client import datetime_from_ms, format_timestamp
from vos3000.errors import VosError

# The subtree summary of a dashboard costs about 3 calls per 500 accounts (GetCustomer,
# GetPhone, GetPhoneOnline): about 60 calls for a reseller with 10,000 customers. It is
# cached this long per tenant, so reloading a dashboard does not repeat them.
SUMMARY_SECONDS = 60

# VOS keeps amounts to 1/10000.
CENT_PLACES = Decimal("0.0001")


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
            for chunk in chunks(accounts):
                answer = vos.call(scope, server, "GetCustomer", {"accounts": chunk})
                rows = scope.keep_in_scope(server, answer.get("infoCustomers") or [])
                readings.remember_read(server, rows, "dashboard")
                for info in rows:
                    money = readings.as_money(info.get("money"))
                    if own is not None and info["account"] == own.vos_account:
                        summary["own"] = with_money(info)
                        continue
                    # A sum with a left-out amount in it is unknown, not a smaller sum.
                    spent = readings.as_money(info.get("todayConsumption"))
                    balances = None if balances is None or money is None else balances + money
                    today = None if today is None or spent is None else today + spent
                    if (
                        money is not None
                        and kinds.get((server.pk, info["account"])) == Tenant.Kind.CUSTOMER
                    ):
                        low += money < threshold
        if own is not None and own.server_id not in by_server:
            answer = vos.call(scope, own.server, "GetCustomer", {"accounts": [own.vos_account]})
            rows = scope.keep_in_scope(own.server, answer.get("infoCustomers") or [])
            readings.remember_read(own.server, rows, "dashboard")
            summary["own"] = with_money(rows[0]) if rows else None
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
            for chunk in chunks([t.vos_account for t in tenants]):
                answer = vos.call(scope, server, "GetPhone", {"accounts": chunk})
                rows = scope.keep_in_scope(server, answer.get("infoPhones") or [])
                numbers += [row["e164"] for row in rows if row.get("e164")]
            phones += len(numbers)
            for chunk in chunks(numbers):
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
    if scope.tenant is None:
        return MoneyTransfer.objects.none()
    return (
        MoneyTransfer.objects.filter(tenant_path__startswith=scope.tenant.path)
        .select_related("customer", "funded_by")
        .prefetch_related("corrections")
        .order_by("-created_at", "-pk")[:limit]
    )


def platform_summary(scope) -> dict:
    """Cheap platform figures for admins: tenants by kind (SQL), and per enabled VOS
    server the online phones and live calls from the shared live snapshots
    (telephony.live.state: one paced GetCurrentCall / GetAllPhoneOnline per server and
    interval, whoever watches, plus VOS's pushes), never a VOS call per view."""
    counts = dict(
        Tenant.objects.filter(status=Tenant.Status.ACTIVE)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    servers = servers_for(scope)
    calls = live_calls(scope, servers=servers)
    phones = online_phones(scope, servers=servers)
    polls = poll_status(servers, "calls")
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
                "rentFeeMoney": readings.as_money(row.get("rentFee")),
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

    # What the last 7 days cost (local CDRs), and how long the credit lasts at that pace.
    spent = (
        visible_cdrs(scope)
        .filter(tenant_id=tenant.pk, start__gte=now - timedelta(days=7))
        .aggregate(total=Sum("fee"))["total"]
    )
    home["spent_7_days"] = exact_sum(spent) if spent is not None else Decimal("0")
    home["per_day"] = (home["spent_7_days"] / 7).quantize(CENT_PLACES)
    available = (home.get("account") or {}).get("available")
    home["days_left"] = days_left(available, home["spent_7_days"])

    # The last calls come from the local copy the pulls keep (billing.cdr_store), not
    # from a GetCdr over a week at every page view: VOS warns that those hurt it.
    home["calls"] = list(
        visible_cdrs(scope)
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
                "feeMoney": readings.as_money(row.get("fee")),
                "afterMoney": readings.as_money(row.get("customerMoney")),
            }
            for row in rows[:5]
        ]

    panel("payments", payments)
    return home


class _Failed(Exception):
    pass


def live_panel(scope) -> dict:
    """The live figures of a dashboard or a customer's home: per server the live calls
    and online phones of the scope, poll errors in words, balances from pushes and
    page reads, the platform's current alarms (admins), and the last pulled calls."""
    servers = servers_for(scope)
    calls = list(live_calls(scope, servers=servers))
    phones = list(online_phones(scope, servers=servers))
    polls = poll_status(servers, live_state.CALLS)
    figures = [
        {
            "server": server,
            "calls": sum(1 for c in calls if c.server_id == server.pk),
            "phones": sum(1 for p in phones if p.server_id == server.pk),
            "error": getattr(polls.get(server.pk), "error", ""),
            "polled_at": getattr(polls.get(server.pk), "polled_at", None),
        }
        for server in servers
    ]
    live = {
        "servers": figures,
        "calls": len(calls),
        "phones": phones,
        "phones_online": len(phones),
        "alarms": list(current_alarms(servers)) if scope.is_platform else [],
        "recent": list(visible_cdrs(scope).order_by("-start", "-id")[:5]),
        "balance": None,
    }
    tenant = scope.tenant
    if tenant is not None and tenant.is_linked:
        live["balance"] = BalanceReading.objects.filter(
            server_id=tenant.server_id, vos_account=tenant.vos_account
        ).first()
    if scope.is_provider and not scope.is_platform:
        below = (
            scope.tenants()
            .exclude(pk=tenant.pk)
            .filter(server_id=OuterRef("server_id"), vos_account=OuterRef("vos_account"))
        )
        total = BalanceReading.objects.filter(Exists(below)).aggregate(total=Sum("money"))
        # None (no reading yet) stays unknown; a sum goes back to 1/10000 (SQLite adds floats).
        found = total["total"]
        live["subtree_balances"] = None if found is None else exact_sum(found)
    return live


# --- "How am I doing": traffic from the local CDR copy ----------------------------------
# Cached per tenant and time zone: a 30-day GROUP BY over a big subtree is one indexed
# range scan, but a dashboard is reloaded often.
OVERVIEW_SECONDS = 60
TOP = 5


@dataclass(frozen=True)
class Overview:
    today: call_stats.StatRow
    yesterday: call_stats.StatRow
    last_7: call_stats.StatRow
    last_30: call_stats.StatRow
    days: list  # 30 StatRows, oldest first, a day without calls as zeros
    top_customers: list
    top_destinations: list
    # A reseller's own margin (its direct customers' calls: what they paid less what it
    # paid), today / 7 / 30 days; None where VOS's figures do not give it.
    margin_today: Decimal | None
    margin_yesterday: Decimal | None
    margin_7: Decimal | None
    margin_30: Decimal | None
    charts: list

    @property
    def compare_rows(self) -> list:
        return [self.today, self.yesterday, self.last_7, self.last_30]


def _empty_row(key: str) -> call_stats.StatRow:
    zero = Decimal("0")
    return call_stats.StatRow(key, key, 0, 0, 0, zero, zero)


def _sum_rows(rows) -> call_stats.StatRow:
    return call_stats.StatRow(
        "",
        "",
        sum(r.calls for r in rows),
        sum(r.answered for r in rows),
        sum(r.seconds for r in rows),
        sum((r.fee for r in rows), Decimal("0")),
        sum((r.agent_fee for r in rows), Decimal("0")),
    )


def traffic_overview(scope, zone) -> Overview:
    """Today against yesterday, the last 7 and 30 days (day by day), the top customers
    and destinations of the last 30 days, and a reseller's margin: all from the local
    CDR copy (the pulls keep it), in the viewer's time zone, never a VOS call."""
    key = f"dashboard:overview:{scope.tenant.pk if scope.tenant else 0}:{scope.user.pk}:{zone}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    today = timezone.localdate(timezone=zone)
    first = today - timedelta(days=29)
    since, until = call_stats.window(first, today, zone)
    rows = call_stats.calls_in(scope, since, until)
    found = {r.key: r for r in call_stats.per_day(rows, zone)}
    days = []
    for offset in range(30):
        label = f"{first + timedelta(days=offset):%Y-%m-%d}"
        days.append(found.get(label) or _empty_row(label))
    margins: list[Decimal | None] = [None, None, None, None]
    if call_stats.shows_margin(scope):
        own_calls = call_stats.margin_calls(scope, since, until)
        mine = {r.key: r for r in call_stats.per_day(own_calls, zone)}
        by_day = [mine.get(d.key) for d in days]
        margins = [
            sum((r.margin for r in by_day[-n:] if r is not None), Decimal("0")) for n in (1, 7, 30)
        ]
        margins.append(by_day[-2].margin if by_day[-2] is not None else Decimal("0"))
    day_labels = [d.key[5:] for d in days]  # MM-DD: 30 labels fit
    overview = Overview(
        today=days[-1],
        yesterday=days[-2],
        last_7=_sum_rows(days[-7:]),
        last_30=_sum_rows(days),
        days=days,
        top_customers=call_stats.top_customers(rows, TOP) if scope.is_provider else [],
        top_destinations=call_stats.top_prefixes(rows, TOP),
        margin_today=margins[0],
        margin_yesterday=margins[3],
        margin_7=margins[1],
        margin_30=margins[2],
        charts=[
            charts.bar_chart(
                list(zip(day_labels, [d.fee for d in days], strict=True)),
                title=_("Revenue per day, last 30 days"),
                unit=_("Fee"),
            ),
            charts.bar_chart(
                list(zip(day_labels, [d.minutes for d in days], strict=True)),
                title=_("Minutes per day, last 30 days"),
                unit=_("Minutes"),
            ),
        ],
    )
    cache.set(key, overview, OVERVIEW_SECONDS)
    return overview


def days_left(available: Decimal | None, spent_7_days: Decimal) -> int | None:
    """How many days ``available`` lasts at the average daily spend of the last week;
    None when nothing was spent (it lasts) or the balance is unknown."""
    if available is None or spent_7_days <= 0:
        return None
    if available <= 0:
        return 0
    return int((available * 7 / spent_7_days).quantize(Decimal("1")))
