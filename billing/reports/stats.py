"""Call statistics from the local CDR copy: ASR, ACD, minutes and calls per day (in the
viewer's time zone), per customer, per destination prefix, per gateway (platform only),
and a reseller's margin (what its customers paid against what it paid above).

Everything starts from ``visible_cdrs(scope)`` and is grouped by the database
(``values(...).annotate(...)``), so a month of a large subtree is one indexed range
scan and one GROUP BY, never rows in Python.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from accounts.models import Tenant
from accounts.scope import OutOfScope
from billing.cdrs.selectors import CallMeasures, visible_cdrs
from billing.rating import exact_sum

BY_DAY, BY_CUSTOMER, BY_PREFIX, BY_GATEWAY = "day", "customer", "prefix", "gateway"


MARGIN_BY_CUSTOMER, MARGIN_BY_DAY = "margin_customer", "margin_day"


MARGINS = (MARGIN_BY_CUSTOMER, MARGIN_BY_DAY)


# Prefix and gateway tables list the busiest first and stop here.
MAX_GROUPS = 100


def groupings_for(scope) -> list[tuple[str, str]]:
    """The groupings this scope may ask for: gateways are the platform's business;
    margins are a reseller's (its own VOS account is the agent of the rows)."""
    choices = [
        (BY_DAY, _("Day")),
        (BY_CUSTOMER, _("Customer")),
        (BY_PREFIX, _("Destination prefix")),
    ]
    if scope.sees_gateways:
        choices.append((BY_GATEWAY, _("Gateway")))
    if shows_margin(scope):
        choices += [
            (MARGIN_BY_CUSTOMER, _("Margin per customer")),
            (MARGIN_BY_DAY, _("Margin per day")),
        ]
    return choices


def shows_margin(scope) -> bool:
    tenant = scope.tenant
    return tenant is not None and tenant.kind == Tenant.Kind.RESELLER and bool(tenant.vos_account)


def window(first: date, last: date, zone: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """[start of ``first``, start of the day after ``last``) in ``zone``."""
    since = datetime.combine(first, time.min, tzinfo=zone)
    until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return since, until


@dataclass(frozen=True)
class StatRow(CallMeasures):
    key: str
    label: str
    calls: int
    answered: int
    seconds: int
    fee: Decimal
    agent_fee: Decimal

    @property
    def margin(self) -> Decimal:
        """What the customers paid (fee) less what the direct agent paid (agent fee)."""
        return self.fee - self.agent_fee


_MEASURES = {
    "calls": Count("id"),
    "answered": Count("id", filter=Q(hold_time__gt=0)),
    "seconds": Sum("hold_time"),
    "fee": Sum("fee"),
    "agent_fee": Sum("agent_fee"),
}


def _row(key, label, found: dict) -> StatRow:
    return StatRow(
        key=str(key),
        label=str(label),
        calls=found["calls"] or 0,
        answered=found["answered"] or 0,
        seconds=found["seconds"] or 0,
        fee=exact_sum(found["fee"]),
        agent_fee=exact_sum(found["agent_fee"]),
    )


def calls_in(scope, since: datetime, until: datetime):
    return visible_cdrs(scope).filter(start__gte=since, start__lt=until)


def margin_calls(scope, since: datetime, until: datetime):
    """The calls a reseller earns a margin on: those whose direct agent is its own VOS
    account (agent_fee is that agent's cost; deeper calls carry a sub-reseller's)."""
    if not shows_margin(scope):
        raise OutOfScope("margin is for resellers")
    return calls_in(scope, since, until).filter(
        agent_account=scope.tenant.vos_account, server_id=scope.tenant.server_id
    )


def per_day(rows, zone: zoneinfo.ZoneInfo) -> list[StatRow]:
    """One row per day (in ``zone``) that had calls, oldest first."""
    found = (
        rows.annotate(day=TruncDate("start", tzinfo=zone))
        .values("day")
        .annotate(**_MEASURES)
        .order_by("day")
    )
    return [_row(f"{r['day']:%Y-%m-%d}", f"{r['day']:%Y-%m-%d}", r) for r in found]


def per_customer(rows) -> list[StatRow]:
    """One row per account, most minutes first."""
    found = (
        rows.values("account")
        .annotate(name=Max("account_name"), **_MEASURES)
        .order_by("-seconds", "account")
    )
    return [_row(r["account"], r["name"] or r["account"], r) for r in found]


def per_prefix(rows, limit: int = MAX_GROUPS) -> list[StatRow]:
    """One row per billing prefix (``fee_prefix``), busiest first."""
    found = rows.values("fee_prefix").annotate(**_MEASURES).order_by("-calls", "fee_prefix")
    return [_row(r["fee_prefix"], r["fee_prefix"] or "—", r) for r in found[:limit]]


def per_gateway(scope, rows, limit: int = MAX_GROUPS) -> list[StatRow]:
    """One row per callee (outbound) gateway: the platform's view only."""
    if not scope.sees_gateways:
        raise OutOfScope("gateway statistics")
    found = rows.values("callee_gateway").annotate(**_MEASURES).order_by("-calls", "callee_gateway")
    return [_row(r["callee_gateway"], r["callee_gateway"] or "—", r) for r in found[:limit]]


def top_customers(rows, limit: int = 5) -> list[StatRow]:
    """The accounts that spent most (fee), for a dashboard: only ``limit`` rows leave
    the database, however big the subtree."""
    found = (
        rows.values("account")
        .annotate(name=Max("account_name"), **_MEASURES)
        .order_by("-fee", "account")[:limit]
    )
    return [_row(r["account"], r["name"] or r["account"], r) for r in found]


def top_prefixes(rows, limit: int = 5) -> list[StatRow]:
    """The destinations (billing prefixes) that brought most (fee)."""
    found = rows.values("fee_prefix").annotate(**_MEASURES).order_by("-fee", "fee_prefix")[:limit]
    return [_row(r["fee_prefix"], r["fee_prefix"] or "—", r) for r in found]


def total_of(rows) -> StatRow:
    """The whole range in one aggregate (a prefix table may stop at MAX_GROUPS)."""
    return _row("", "", rows.aggregate(**_MEASURES))


@dataclass(frozen=True)
class Statistics:
    rows: list[StatRow]
    total: StatRow


def statistics(scope, *, first: date, last: date, zone: zoneinfo.ZoneInfo, group: str):
    """The rows of one grouping over [first, last] in ``zone``, and their total."""
    since, until = window(first, last, zone)
    if group == BY_GATEWAY:
        rows = calls_in(scope, since, until)
        return Statistics(per_gateway(scope, rows), total_of(rows))
    if group in MARGINS:
        rows = margin_calls(scope, since, until)
        found = per_customer(rows) if group == MARGIN_BY_CUSTOMER else per_day(rows, zone)
        return Statistics(found, total_of(rows))
    rows = calls_in(scope, since, until)
    if group == BY_CUSTOMER:
        found = per_customer(rows)
    elif group == BY_PREFIX:
        found = per_prefix(rows)
    else:
        found = per_day(rows, zone)
    return Statistics(found, total_of(rows))
