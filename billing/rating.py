"""What a call costs at a VOS fee rate (manual 2.43, InfoFeeRate / InfoFeeRateSection).

Pure functions over the InfoFeeRate dicts GetFeeRate answers; no VOS calls here.

How VOS prices a call (the reading the simulator implements and the tests check against
the CDRs it writes):

* ``fee`` is the price of 60 seconds, ``period`` the billing cycle in seconds: the time
  left after the sections is rounded UP to whole periods and costs
  ``fee * periods * period / 60``. Period 60 is per-minute billing, 6 is "6/6", 1 is per
  second.
* ``infoFeeRateSections`` come first, in ``position`` order: each charges its ``fee`` (an
  amount, not a rate) for its ``time`` seconds as soon as the call reaches it (a
  connection charge, a "first minute" block).
* The rate of a number is the one with the longest ``feePrefix`` the number starts with.
* ``lockType`` 1: calls to the prefix are refused.
* The fee of one call is rounded once, to 4 decimals, half up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

QUANTUM = Decimal("0.0001")
# The call lengths the price tool shows, in seconds.
SAMPLE_SECONDS = (60, 300, 600)


def money_or_none(value) -> Decimal | None:
    """An amount VOS sent, or None when it sent none (unknown is not 0)."""
    if value in (None, ""):
        return None
    return to_decimal(value)


def to_decimal(value) -> Decimal:
    """A JSON number as a Decimal, floats by their shortest repr (0.1 -> 0.1)."""
    if value in (None, ""):
        return Decimal(0)
    try:
        return Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation:
        return Decimal(0)


def round_money(value: Decimal) -> Decimal:
    return value.quantize(QUANTUM, rounding=ROUND_HALF_UP)


def exact_sum(value) -> Decimal:
    """A database's sum of amounts kept to 1/10000, back to 1/10000: SQLite adds decimal
    columns as floats ("94.0475000000001", "93.4407000000000"); nothing (no rows) is 0."""
    return round_money(to_decimal(value))


def normalize_number(text: str) -> str:
    """The digits of a dialled number: "+44 20 7946-0000" -> "442079460000"."""
    return "".join(ch for ch in (text or "") if ch.isdigit())


@dataclass(frozen=True)
class Section:
    position: int
    seconds: int
    fee: Decimal


@dataclass(frozen=True)
class Rate:
    prefix: str
    area_code: str
    area_name: str
    fee: Decimal  # per 60 seconds
    period: int
    locked: bool
    sections: tuple[Section, ...]
    type: int | None = None

    @classmethod
    def from_info(cls, info: Mapping) -> Rate:
        period = int(info.get("period") or 60)
        sections = tuple(
            sorted(
                (
                    Section(
                        int(s.get("position") or 0),
                        max(1, int(s.get("time") or 0)),
                        to_decimal(s.get("fee")),
                    )
                    for s in info.get("infoFeeRateSections") or ()
                ),
                key=lambda s: s.position,
            )
        )
        return cls(
            prefix=str(info.get("feePrefix") or ""),
            area_code=str(info.get("areaCode") or ""),
            area_name=str(info.get("areaName") or ""),
            fee=to_decimal(info.get("fee")),
            period=max(1, period),
            locked=int(info.get("lockType") or 0) == 1,
            sections=sections,
            type=info.get("type"),
        )


def longest_prefix_rate(rates: Iterable[Mapping], number: str) -> Mapping | None:
    """The InfoFeeRate with the longest feePrefix ``number`` starts with, or None."""
    best = None
    for info in rates:
        prefix = str(info.get("feePrefix") or "")
        if (
            prefix
            and number.startswith(prefix)
            and (best is None or len(prefix) > len(best["feePrefix"]))
        ):
            best = info
    return best


@dataclass(frozen=True)
class Charge:
    seconds: int  # talk time
    fee_time: int  # billed time: sections reached plus whole periods
    fee: Decimal

    @property
    def minutes(self) -> int:
        return self.seconds // 60


def price(rate: Rate, seconds: int) -> Charge:
    """The fee of a call of ``seconds`` connected seconds at ``rate``."""
    if seconds <= 0:
        return Charge(seconds, 0, round_money(Decimal(0)))
    fee_time = 0
    amount = Decimal(0)
    for section in rate.sections:
        if fee_time >= seconds:
            break
        fee_time += section.seconds
        amount += section.fee
    rest = seconds - fee_time
    if rest > 0:
        periods = -(-rest // rate.period)
        fee_time += periods * rate.period
        amount += rate.fee * periods * rate.period / 60
    return Charge(seconds, fee_time, round_money(amount))


@dataclass(frozen=True)
class Quote:
    """What the price tool shows for one number."""

    number: str
    rate: Rate
    samples: tuple[Charge, ...]

    @property
    def per_minute(self) -> Decimal:
        return round_money(self.rate.fee)


def quote(rates: Iterable[Mapping], number: str, samples=SAMPLE_SECONDS) -> Quote | None:
    """The rate of ``number`` and the cost of calls of ``samples`` seconds; None when no
    rate matches (VOS refuses such calls)."""
    number = normalize_number(number)
    if not number:
        return None
    info = longest_prefix_rate(rates, number)
    if info is None:
        return None
    rate = Rate.from_info(info)
    return Quote(number, rate, tuple(price(rate, s) for s in samples))
