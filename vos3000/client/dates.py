"""VOS's date formats and its epoch-millisecond times, without local-time surprises.

GetCdr and the fee reports take days as ``yyyyMMdd``; GetPayHistory and GetConsumption
take moments as ``yyyyMMddHHmmss``; answers carry times as epoch milliseconds (UTC).
Naive datetimes are refused: which zone they mean is exactly the bug to avoid.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

DAY_FORMAT = "%Y%m%d"
TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: pass a timezone-aware one")
    return moment


def format_day(day: date | datetime, tz: tzinfo = UTC) -> str:
    """``yyyyMMdd``; an aware datetime is first converted to ``tz`` (the server's zone)."""
    if isinstance(day, datetime):
        day = _aware(day).astimezone(tz).date()
    return day.strftime(DAY_FORMAT)


def format_timestamp(moment: datetime, tz: tzinfo = UTC) -> str:
    """``yyyyMMddHHmmss`` of an aware datetime, in ``tz`` (the server's zone)."""
    return _aware(moment).astimezone(tz).strftime(TIMESTAMP_FORMAT)


def parse_day(text: str) -> date:
    return datetime.strptime(text, DAY_FORMAT).date()


def parse_timestamp(text: str, tz: tzinfo = UTC) -> datetime:
    return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=tz)


def datetime_from_ms(epoch_ms: int) -> datetime:
    """Aware UTC datetime of a VOS epoch-milliseconds value."""
    return EPOCH + timedelta(milliseconds=epoch_ms)


# VOS writes "no end" as Long.MAX_VALUE, and field servers send 0, "" or nothing for "never".
LAST_MS = 253_402_300_799_000  # 9999-12-31 23:59:59 UTC


def moment_from_ms(value) -> datetime | None:
    """A VOS time as it comes in an answer or a push (epoch ms, maybe a string, maybe
    absent): an aware UTC datetime, or None for "never", "no limit" and nonsense."""
    try:
        epoch_ms = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if epoch_ms <= 0 or epoch_ms > LAST_MS:
        return None
    return datetime_from_ms(epoch_ms)


def ms_from_datetime(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime (exact, no float rounding)."""
    delta = _aware(moment) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
