"""How numbers are written (web.numbers and the portal template filters): amounts to the
platform's precision, rounded once half up, grouped for the language on pages and plain
in exports; durations as h:mm:ss; a missing amount is unknown, never 0."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from billing.rating import exact_sum
from web import numbers
from web.templatetags import portal

UNKNOWN = "Unknown: the switch did not say"


def render(source: str, **context) -> str:
    return Template("{% load portal %}" + source).render(Context(context))


def test_it_writes_amounts_to_two_decimals_grouped():
    assert portal.money(Decimal("1234.5")) == "1,234.50"
    assert portal.money(Decimal("93.4407000000000")) == "93.44"
    assert portal.money(94.0475000000001) == "94.05"
    assert portal.money("0.005") == "0.01"  # half up, once
    assert portal.money(-1234567.891) == "-1,234,567.89"
    assert portal.money(0) == "0.00"
    assert portal.money(Decimal("-0.001")) == "0.00"  # never "-0.00"


def test_it_groups_amounts_in_chinese_too():
    with translation.override("zh-hans"):
        assert portal.money(Decimal("1234567.5")) == "1,234,567.50"
        assert portal.number(12345) == "12,345"
    with translation.override("en"):
        assert portal.money(Decimal("1234567.5")) == "1,234,567.50"


def test_it_writes_what_a_call_cost_and_rates_to_four_decimals():
    assert portal.money(Decimal("0.0420"), "fine") == "0.0420"
    assert portal.money(0.1 + 0.2, "fine") == "0.3000"
    assert portal.rate(Decimal("0.0123456")) == "0.0123"
    assert portal.rate("1234.5") == "1,234.5000"


@override_settings(MONEY_DECIMALS=3, RATE_DECIMALS=2, CURRENCY="USD")
def test_it_follows_the_platform_settings():
    assert portal.money(Decimal("1234.5")) == "1,234.500\u00a0USD"
    assert portal.rate(Decimal("0.0456")) == "0.05\u00a0USD"
    assert portal.money(Decimal("0.0456"), "fine") == "0.05\u00a0USD"


@override_settings(RATE_DECIMALS=8, MONEY_DECIMALS=6)
def test_it_never_shows_more_places_than_vos_keeps():
    assert portal.money(Decimal("1.123456")) == "1.1235"
    assert portal.rate(Decimal("1.123456")) == "1.1235"
    assert numbers.plain(Decimal("1.123456"), numbers.rate_places()) == "1.1235"


def test_it_shows_a_missing_amount_as_unknown():
    for value in (None, "", "not a number", float("nan")):
        assert UNKNOWN in str(portal.money(value))
        assert UNKNOWN in str(portal.rate(value))
    assert UNKNOWN in render("{{ amount|money }}", amount=None)
    assert render("{{ amount|money }}", amount=Decimal("12.5")) == "12.50"


def test_it_writes_counts_and_measures_grouped():
    assert portal.number(1234567) == "1,234,567"
    assert portal.number(Decimal("1234.56"), 1) == "1,234.6"
    assert portal.number(7) == "7"
    assert UNKNOWN in str(portal.number(None))


def test_it_writes_durations_as_hours_minutes_seconds():
    assert portal.duration(0) == "0:00:00"
    assert portal.duration(65) == "0:01:05"
    assert portal.duration(3600 * 26 + 59) == "26:00:59"
    assert portal.duration("125") == "0:02:05"
    assert UNKNOWN in str(portal.duration(None))
    assert render("{{ s|duration }}", s=3661) == "1:01:01"


def test_it_writes_plain_numbers_for_machines():
    assert numbers.plain(Decimal("93.4407000000000"), 2) == "93.44"
    assert numbers.plain(94.0475000000001, 4) == "94.0475"
    assert numbers.plain(Decimal("1234567.5"), 2) == "1234567.50"
    assert numbers.plain(None, 2) == ""


def test_it_takes_database_sums_back_to_what_vos_keeps():
    assert exact_sum(94.0475000000001) == Decimal("94.0475")
    assert exact_sum(Decimal("93.4407000000000")) == Decimal("93.4407")
    assert exact_sum(None) == Decimal("0.0000")


def test_it_writes_vos_unlimited_sentinel_as_no_limit():
    for sentinel in (2147483647, 2147483647.0, "2147483647", -2147483648, 9223372036854775807):
        assert numbers.is_unlimited(sentinel)
        assert numbers.limit(sentinel) == "no limit"
        assert portal.limit(sentinel) == "no limit"
        assert portal.limit(sentinel, "money") == "no limit"
    assert not numbers.is_unlimited(2147483646) and not numbers.is_unlimited(None)
    assert numbers.limit(85.5) == "85.5" and numbers.limit(90.0) == "90"
    assert numbers.limit(1234) == "1,234" and numbers.limit(None) == ""
    assert portal.limit(12.5, 2) == "12.50"
    assert "—" in portal.limit(None)


AMOUNTS = [
    None,
    Decimal("0"),
    Decimal("-0.001"),
    Decimal("0.005"),
    Decimal("1234.5"),
    Decimal("-1234567.891"),
    Decimal("93.4407000000000"),
    Decimal("2147483647"),
    Decimal("9223372036854775807"),
    Decimal("1E+3"),
    Decimal("NaN"),
    Decimal("-Infinity"),
]


def test_it_shows_money_with_the_one_shower_as_the_slow_path_does():
    def slow(amount):
        return numbers.with_currency(numbers.grouped(amount, numbers.money_places()))

    for language in ("en", "zh-hans", "de"):
        with translation.override(language):
            show = numbers.money_shower()
            assert [show(a) for a in AMOUNTS] == [slow(a) for a in AMOUNTS], language
    with override_settings(MONEY_DECIMALS=3, CURRENCY="USD"):
        show = numbers.money_shower()
        assert [show(a) for a in AMOUNTS] == [slow(a) for a in AMOUNTS]
        assert show(Decimal("1234.5")) == "1,234.500\u00a0USD"
