"""Reads of a customer's pay history and consumption from VOS (GetPayHistory,
GetConsumption), through ``switch.vos.call`` with the request's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import Tenant
from billing.rates.selectors import require_linked
from switch import vos
from vos3000.client.dates import format_timestamp


# --- History -----------------------------------------------------------------------------
@dataclass
class Period:
    """A range of whole days in the user's time zone and the UTC moments it spans."""

    first: date
    last: date
    begin: datetime = field(init=False)
    end: datetime = field(init=False)

    def __post_init__(self):
        zone = timezone.get_current_timezone()
        self.begin = datetime.combine(self.first, time.min, tzinfo=zone)
        # The last second of the last day (VOS's endTime is inclusive, to the second).
        self.end = datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=zone) - (
            timedelta(seconds=1)
        )

    @property
    def vos_begin(self) -> str:
        return format_timestamp(self.begin)

    @property
    def vos_end(self) -> str:
        return format_timestamp(self.end)


def pay_history(scope, tenant: Tenant, period: Period) -> list[dict]:
    return _account_rows(scope, tenant, period, "GetPayHistory", "infoPayHistorys", "payTime")


def consumption(scope, tenant: Tenant, period: Period) -> list[dict]:
    return _account_rows(scope, tenant, period, "GetConsumption", "infoConsumptions", "time")


def _account_rows(scope, tenant, period, endpoint: str, list_field: str, time_field: str):
    """One account's rows of a dated VOS history, newest first (VOS may answer rows of
    other accounts it lists with it: only the tenant's own are kept)."""
    server = require_linked(tenant)
    answer = vos.call(
        scope,
        server,
        endpoint,
        {"account": tenant.vos_account, "beginTime": period.vos_begin, "endTime": period.vos_end},
        target=tenant,
        tenant=tenant,
    )
    rows = scope.keep_in_scope(server, answer.get(list_field) or [])
    rows = [r for r in rows if r.get("account") == tenant.vos_account]
    return sorted(rows, key=lambda r: int(r.get(time_field) or 0), reverse=True)
