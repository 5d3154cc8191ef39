"""How the simulator prices a call: pure functions, no database, no clock.

Reading of the manual (2.43 InfoFeeRate), which does not spell the arithmetic out:

* ``fee`` is the rate per 60 seconds ("Billing Rate"), ``period`` the billing cycle in
  seconds: a call is billed in whole periods, so the fee time is the call duration rounded
  UP to a multiple of ``period`` and the fee is ``fee * feeTime / 60``. With ``period`` 60
  that is per-minute billing, with 6 it is the usual "6/6" billing, with 1 per-second.
* ``infoFeeRateSections`` come first, in ``position`` order: a section charges its ``fee``
  (a money amount, not a rate) for its ``time`` seconds as soon as the call reaches it,
  like a connection charge or a "first minute" block. What is left of the call after the
  sections is billed by ``fee``/``period`` as above. The fee time counts each reached
  section whole.
* ``lockType`` 1 locks the prefix: calls matching it are refused (END_RATE_LOCKED).
* ``type`` is the call level of the destination (1 Net, 2 Local, 4 Domestic,
  5 International); a phone whose ``callLevel`` is lower may not call it.
* The rate of a callee is the one with the longest ``feePrefix`` the callee starts with.

Money: every amount is a ``Decimal`` rounded to 4 decimal places with ROUND_HALF_UP, once,
at the end of pricing one call (or one agent's share of it). Stored amounts are integers
of 1/10000 (``to_e4``), so sums in reports are exact and equal to the sums of the CDRs.

End reasons: the manual gives no table, so these are the simulator's own stable values
(GetAvailableTime answers ``-reason`` when no time is left).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MONEY_QUANTUM = Decimal("0.0001")
E4 = 10000

# The longest call the simulator lets happen (and the answer of GetAvailableTime for free
# destinations): one day.
MAX_CALL_SECONDS = 86400

END_NORMAL = 1
END_BUSY = 2
END_NO_ANSWER = 3
END_NO_RATE = 7
END_BALANCE = 8
END_ACCOUNT_LOCKED = 10
END_SERVER_RELEASE = 13
END_CALL_LEVEL = 17
END_RATE_LOCKED = 18
END_NO_PHONE = 19

END_REASONS: dict[int, str] = {
    END_NORMAL: "Normal call clearing",
    END_BUSY: "User busy",
    END_NO_ANSWER: "No answer",
    END_NO_RATE: "No fee rate for the callee",
    END_BALANCE: "Balance not enough",
    END_ACCOUNT_LOCKED: "Account locked or expired",
    END_SERVER_RELEASE: "Released by the server (DisconnectCurrentCall)",
    END_CALL_LEVEL: "Call level not allowed",
    END_RATE_LOCKED: "Fee rate prefix locked",
    END_NO_PHONE: "Caller is not a phone of the platform",
}

CALL_LEVELS = (1, 2, 4, 5)


def exact_decimal(value) -> Decimal:
    """A number from JSON as a Decimal, floats by their shortest repr (0.1 -> "0.1")."""
    return Decimal(repr(value) if isinstance(value, float) else value)


def money(value) -> Decimal:
    """Any number (int, str, float, Decimal) as the simulator's rounded money amount."""
    return exact_decimal(value).quantize(MONEY_QUANTUM, rounding=ROUND_HALF_UP)


def to_e4(amount) -> int:
    """A money amount as the integer number of 1/10000 it is stored as."""
    return int(money(amount) * E4)


def from_e4(units: int) -> float:
    """A stored amount back as the float the JSON answers carry."""
    return float(Decimal(units) / E4)


@dataclass(frozen=True)
class Section:
    position: int
    time: int
    fee: Decimal


@dataclass(frozen=True)
class Rate:
    fee_prefix: str
    area_code: str = ""
    area_name: str = ""
    type: int = 5
    fee: Decimal = Decimal(0)
    period: int = 60
    lock_type: int = 0
    ivr_fee: Decimal = Decimal(0)
    ivr_period: int = 60
    sections: tuple[Section, ...] = ()

    @classmethod
    def from_info(cls, info: Mapping) -> Rate:
        """Build from an InfoFeeRate-shaped dict; raises ValueError on nonsense values."""
        prefix = str(info.get("feePrefix") or "")
        if not prefix:
            raise ValueError("feePrefix is required")
        period = _given(info, "period", 60)
        ivr_period = _given(info, "ivrPeriod", 60)
        level = _given(info, "type", 5)
        if period < 1 or ivr_period < 1:
            raise ValueError(f"{prefix}: period must be at least 1 second")
        if level not in CALL_LEVELS:
            raise ValueError(f"{prefix}: type must be one of {CALL_LEVELS}")
        sections = tuple(
            sorted(
                (
                    Section(int(s["position"]), int(s["time"]), money(s["fee"]))
                    for s in info.get("infoFeeRateSections") or ()
                ),
                key=lambda s: s.position,
            )
        )
        if any(s.time < 1 or s.fee < 0 for s in sections):
            raise ValueError(f"{prefix}: a section needs time >= 1 and fee >= 0")
        fee = exact_decimal(info.get("fee") or 0)
        if fee < 0:
            raise ValueError(f"{prefix}: fee must not be negative")
        return cls(
            fee_prefix=prefix,
            area_code=str(info.get("areaCode") or prefix),
            area_name=str(info.get("areaName") or ""),
            type=level,
            fee=fee,
            period=period,
            lock_type=_given(info, "lockType", 0),
            ivr_fee=money(info.get("ivrFee") or 0),
            ivr_period=ivr_period,
            sections=sections,
        )

    def to_info(self) -> dict:
        """The InfoFeeRate dict GetFeeRate answers."""
        return {
            "feePrefix": self.fee_prefix,
            "areaCode": self.area_code,
            "type": self.type,
            "areaName": self.area_name,
            "infoFeeRateSections": [
                {"fee": float(s.fee), "time": s.time, "position": s.position} for s in self.sections
            ],
            "fee": float(self.fee),
            "period": self.period,
            "lockType": self.lock_type,
            "ivrFee": float(self.ivr_fee),
            "ivrPeriod": self.ivr_period,
        }


def _given(info: Mapping, name: str, default: int) -> int:
    value = info.get(name)
    return default if value is None else int(value)


@dataclass(frozen=True)
class Charge:
    fee_time: int
    fee: Decimal


FREE = Charge(0, money(0))


def candidate_prefixes(callee: str) -> list[str]:
    """Every prefix of the callee, longest first (what a longest-prefix lookup tries)."""
    return [callee[:n] for n in range(len(callee), 0, -1)]


def longest_prefix_match(rates: Iterable[Rate], callee: str) -> Rate | None:
    by_prefix = {r.fee_prefix: r for r in rates}
    for prefix in candidate_prefixes(callee):
        if prefix in by_prefix:
            return by_prefix[prefix]
    return None


def price(rate: Rate, hold_seconds: int) -> Charge:
    """Fee time and fee of a call of ``hold_seconds`` connected seconds."""
    if hold_seconds <= 0:
        return FREE
    fee_time = 0
    amount = Decimal(0)
    for section in rate.sections:
        if fee_time >= hold_seconds:
            break
        fee_time += section.time
        amount += section.fee
    rest = hold_seconds - fee_time
    if rest > 0:
        periods = -(-rest // rate.period)
        fee_time += periods * rate.period
        amount += _periods_amount(rate, periods)
    return Charge(fee_time, money(amount))


def _periods_amount(rate: Rate, periods: int) -> Decimal:
    # One expression for price() and available_seconds(), so both round identically.
    return rate.fee * periods * rate.period / 60


def first_period_cost(rate: Rate) -> Decimal:
    """What a call costs as soon as it is connected: the first section or period."""
    return price(rate, 1).fee


def available_seconds(rate: Rate, credit) -> int:
    """The longest call ``credit`` pays for at ``rate`` (0 if not even its first period).

    A call is paid up to the end of its last billing unit, so the answer always ends on a
    section or period boundary; capped at MAX_CALL_SECONDS.
    """
    credit = money(credit)
    if first_period_cost(rate) > credit:
        return 0
    seconds = 0
    spent = Decimal(0)
    for section in rate.sections:
        if money(spent + section.fee) > credit:
            return min(seconds, MAX_CALL_SECONDS)
        seconds += section.time
        spent += section.fee
    if rate.fee == 0:
        return MAX_CALL_SECONDS
    periods = int((credit - spent) * 60 / (rate.fee * rate.period))
    # The estimate ignores the final rounding of the fee; step to the exact boundary.
    while money(spent + _periods_amount(rate, periods + 1)) <= credit:
        periods += 1
    while periods > 0 and money(spent + _periods_amount(rate, periods)) > credit:
        periods -= 1
    return min(seconds + periods * rate.period, MAX_CALL_SECONDS)


def call_level_allowed(phone_level: int | None, rate: Rate) -> bool:
    """A phone's callLevel is the highest level it may dial (None / 0: no limit)."""
    return not phone_level or rate.type <= phone_level
