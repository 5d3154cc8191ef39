"""Reads of a customer's pay history and consumption from VOS (GetPayHistory,
GetConsumption), through ``switch.vos.call`` with the request's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tenant
from billing.models import LedgerEntry
from billing.rates.selectors import require_linked
from billing.rating import money_or_none
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


# --- The portal's own words for its payments -------------------------------------------------
def with_portal_notes(tenant: Tenant, rows: list[dict]) -> list[dict]:
    """Each pay-history row the portal made gets ``portalNote``: what it was, in words
    ("Money taken back by your provider", "Correction of top-up #12"...). A row is the
    portal's when a paid ledger leg of this account claimed it (its pay time) or VOS's
    answer to that leg said the same amount and balance after."""
    if not rows:
        return rows
    entries = list(
        LedgerEntry.objects.filter(
            server=tenant.server_id,
            vos_account=tenant.vos_account,
            state=LedgerEntry.State.SUCCEEDED,
        ).select_related("transfer", "transfer__customer")
    )
    by_time = {e.vos_pay_time: e for e in entries if e.vos_pay_time is not None}
    by_amounts = {
        (money_or_none(e.amount), money_or_none(e.balance_after)): e
        for e in entries
        if e.vos_pay_time is None and e.balance_after is not None
    }
    for row in rows:
        entry = by_time.get(row.get("payTime"))
        if entry is None:
            fee, after = money_or_none(row.get("fee")), money_or_none(row.get("customerMoney"))
            if fee is not None and after is not None:
                # Decimals equal in value hash alike: 3.0 finds 3.0000.
                entry = by_amounts.pop((fee, after), None)
        if entry is not None:
            row["portalNote"] = leg_words(entry)
    return rows


def leg_words(entry: LedgerEntry) -> str:
    """What a ledger leg was, as the account it moved money on reads it."""
    Leg = LedgerEntry.Leg
    transfer = entry.transfer
    number = transfer.pk
    if entry.leg == Leg.DEBIT_CUSTOMER:
        words = _("Money taken back by your provider (#%(number)s)") % {"number": number}
        if transfer.corrects_id:
            words += " · " + _("Correction of top-up #%(number)s") % {
                "number": transfer.corrects_id
            }
        return words
    if entry.leg == Leg.REFUND_CUSTOMER:
        return _("Taken-back money returned to you (#%(number)s did not go through)") % {
            "number": number
        }
    if entry.leg == Leg.CREDIT:
        return _("Top-up #%(number)s") % {"number": number}
    if entry.leg == Leg.PIN:
        return _("Phone card top-up #%(number)s") % {"number": number}
    if entry.leg == Leg.ADJUST:
        return _("Adjustment by the platform #%(number)s") % {"number": number}
    if entry.leg == Leg.DEBIT_FUNDER:
        return _("Paid for the top-up of %(account)s (#%(number)s)") % {
            "account": transfer.customer.vos_account,
            "number": number,
        }
    if entry.leg == Leg.CREDIT_FUNDER:
        return _("Taken back from %(account)s (#%(number)s)") % {
            "account": transfer.customer.vos_account,
            "number": number,
        }
    return _("Refund of top-up #%(number)s, which did not go through") % {"number": number}
