"""How the portal writes numbers: every amount a ``Decimal`` rounded once, half up, to the
platform's precision, never a float's leftovers ("93.4407000000000", "94.0475000000001").

* Pages group digits for the language and follow an amount with ``CURRENCY``
  (``web.templatetags.portal``: ``money``, ``rate``, ``number``, ``duration``).
* Exports write ``plain`` values a machine reads back: no grouping, no currency.

``MONEY_DECIMALS`` (default 2) is for balances and amounts; ``RATE_DECIMALS`` (default 4)
for rates and what one call cost. VOS itself keeps 1/10000, so no setting asks for more
than 4 places: more would only show zeros VOS never sent.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.formats import get_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# VOS keeps amounts to 1/10000: places beyond these are zeros it never sent.
MAX_PLACES = 4


def money_places() -> int:
    return min(settings.MONEY_DECIMALS, MAX_PLACES)


def rate_places() -> int:
    return min(settings.RATE_DECIMALS, MAX_PLACES)


def to_decimal(value) -> Decimal | None:
    """``value`` as a Decimal (a float by its shortest repr: 0.1 -> 0.1), or None when it
    is missing or is no number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        except (InvalidOperation, ValueError, TypeError):
            return None
    return number if number.is_finite() else None


def rounded(value, places: int) -> Decimal | None:
    """``value`` to ``places`` decimals, half up; None when it is no number."""
    number = to_decimal(value)
    if number is None:
        return None
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# VOS's "no limit": the largest 32-bit integer (2147483647, as an alarm's upper value, a
# limit, ...) or anything beyond it (a Long's 9223372036854775807).
UNLIMITED = Decimal(2147483647)


def is_unlimited(value) -> bool:
    """Whether ``value`` is VOS's sentinel for no limit (either sign)."""
    number = to_decimal(value)
    return number is not None and abs(number) >= UNLIMITED


def limit(value, places: int | None = None) -> str:
    """A limit or a measured value as a person reads it: "no limit" for VOS's sentinel,
    else grouped to ``places`` (by default the places the value has, at most
    ``MAX_PLACES``: 85.5 -> "85.5", 90.0 -> "90"); "" when there is no number."""
    number = to_decimal(value)
    if number is None:
        return ""
    if is_unlimited(number):
        return _("no limit")
    if places is None:
        exponent = number.normalize().as_tuple().exponent
        places = min(max(-exponent, 0), MAX_PLACES) if isinstance(exponent, int) else 0
    return grouped(number, places)


def plain(value, places: int) -> str:
    """For machines (exports): "1234.50", "-0.0420"; "" when there is no number."""
    number = rounded(value, places)
    if number is None:
        return ""
    if number == 0:
        number = abs(number)  # never "-0.00"
    return f"{number:f}"


def _separators() -> tuple[str, str, int]:
    """(decimal point, thousands separator, group size) for the active language. A
    language whose Django formats leave the separator out (zh-Hans does) gets the comma
    every three digits that financial statements in that language use."""
    return _separators_of(get_language())


# Per language, once per process: three format lookups per figure were a measurable part
# of a 100-row list (the formats are settings and locale modules: fixed while running).
@lru_cache(maxsize=64)
def _separators_of(language: str | None) -> tuple[str, str, int]:
    point = get_format("DECIMAL_SEPARATOR", language) or "."
    separator = get_format("THOUSAND_SEPARATOR", language)
    grouping = get_format("NUMBER_GROUPING", language)
    if not separator or not isinstance(grouping, int) or grouping <= 0:
        return point, ",", 3
    return point, separator, grouping


@receiver(setting_changed)
def _forget_separators(setting, **kwargs):
    """A test that overrides a format setting sees it (as Django's own format cache)."""
    if "SEPARATOR" in setting or setting in ("NUMBER_GROUPING", "FORMAT_MODULE_PATH"):
        _separators_of.cache_clear()


def grouped(value, places: int) -> str:
    """For people (pages): "1,234.50" in the active language's style; "" when there is no
    number."""
    text = plain(value, places)
    if not text:
        return ""
    point, separator, size = _separators()
    if size == 3 and separator == "," and point == ".":
        # The common case in one step: Decimal's own grouping of a number already
        # rounded to its places ("1234.50" -> "1,234.50").
        return format(Decimal(text), ",f")
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    groups = []
    while len(whole) > size:
        groups.insert(0, whole[-size:])
        whole = whole[:-size]
    groups.insert(0, whole)
    out = sign + separator.join(groups)
    return f"{out}{point}{fraction}" if fraction else out


def money_shower():
    """``show(amount)``: what ``with_currency(grouped(amount, money_places()))`` gives,
    with the language, places and currency looked up once (a list page makes one and
    shows its hundreds of amounts with it). ``amount``: a Decimal or None."""
    places = money_places()
    quantum = Decimal(1).scaleb(-places)
    point, separator, size = _separators()
    currency = settings.CURRENCY.strip()
    common = size == 3 and separator == "," and point == "."

    def show(amount: Decimal | None) -> str:
        if not common or amount is None or not amount.is_finite():
            return with_currency(grouped(amount, places))
        number = amount.quantize(quantum, rounding=ROUND_HALF_UP)
        text = format(abs(number) if number == 0 else number, ",f")  # never "-0.00"
        return f"{text}\u00a0{currency}" if currency else text

    return show


def with_currency(text: str) -> str:
    currency = settings.CURRENCY.strip()
    return f"{text}\u00a0{currency}" if text and currency else text


def duration(seconds) -> str:
    """Seconds as h:mm:ss ("0:01:05", "26:00:00"); "" when there is no number."""
    number = rounded(seconds, 0)
    if number is None:
        return ""
    total = int(number)
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
