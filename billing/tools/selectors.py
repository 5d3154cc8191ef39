"""Reads of the customer tools: the minutes left for a call (GetAvailableTime)."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Tenant
from billing.rates.selectors import require_linked, suite_owner
from switch import vos


# --- Minutes left ------------------------------------------------------------------------
@dataclass
class AvailableTime:
    seconds: int | None  # talk time left, when a call is possible
    reason: int | None  # VOS's end reason, when it is not
    account_money: object = None


def available_time(scope, tenant: Tenant, phone: str, number: str, phones=None) -> AvailableTime:
    """GetAvailableTime for a call from one of the customer's phones (billingMode 0:
    the phone's account pays) to ``number``. ``timeRemain`` is in seconds; a negative
    value is the reason the call would end at once."""
    server = require_linked(tenant)
    owner = suite_owner(scope, tenant, phone, phones)
    answer = vos.call(
        scope,
        server,
        "GetAvailableTime",
        {"billingName": owner.name, "billingMode": 0, "calleeE164": number},
        target=tenant,
        tenant=tenant,
        verified={owner.name},
    )
    info = answer.get("InfoAvailableTime") or answer.get("infoAvailableTime") or {}
    remain = int(info.get("timeRemain") or 0)
    if remain > 0:
        return AvailableTime(remain, None, info.get("accountMoney"))
    return AvailableTime(None, -remain if remain < 0 else 0, info.get("accountMoney"))
