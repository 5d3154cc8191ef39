"""Template helpers used across the portal."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from web import numbers
from web.context_processors import customer_tabs as tabs_for
from web.htmx import wants_fragment

register = template.Library()


@register.filter
def fragment_only(request) -> bool:
    """Whether to answer ``request`` with the page's content alone, without the layout
    (navigation, header, footer): an htmx request never gets a page inside a page."""
    return bool(request) and wants_fragment(request)


@register.filter
def when(value):
    """An aware datetime in the viewer's time zone, saying which zone it is."""
    if value in (None, ""):
        return ""
    local = timezone.localtime(value)
    return f"{date_format(local, 'Y-m-d H:i')} {local.tzname()}"


def _places(arg, default: int) -> int:
    if arg == "fine":
        return numbers.rate_places()
    try:
        return min(max(int(arg), 0), numbers.MAX_PLACES)
    except (TypeError, ValueError):
        return default


@register.filter
def money(value, arg=None):
    """An amount to the platform's precision (``MONEY_DECIMALS``), grouped for the
    language, followed by ``CURRENCY`` when one is set: "1,234.50". ``money:"fine"``
    writes it to ``RATE_DECIMALS`` (what one call cost). A missing one (VOS left the
    field out, or it could not be read) is "—" saying it is unknown, never 0."""
    text = numbers.grouped(value, _places(arg, numbers.money_places()))
    return numbers.with_currency(text) if text else unknown(None)


@register.filter
def rate(value):
    """A rate (a price per minute, a section's charge) to ``RATE_DECIMALS``, grouped."""
    text = numbers.grouped(value, numbers.rate_places())
    return numbers.with_currency(text) if text else unknown(None)


@register.filter
def number(value, places=0):
    """A count or measure (calls, minutes, ACD) grouped for the language, to ``places``
    decimals: "12,345", "1,234.5". Missing: unknown."""
    text = numbers.grouped(value, _places(places, 0))
    return text or unknown(None)


@register.filter
def limit(value, arg=None):
    """A limit or a value VOS may set to its "no limit" sentinel (2147483647): "no limit"
    then, else the number (``limit:"money"`` as an amount, ``limit:2`` to 2 places, plain
    ``limit`` with the places it has). Missing: unknown."""
    if numbers.is_unlimited(value):
        return numbers.limit(value)
    if arg == "money":
        return money(value)
    text = numbers.limit(value, None if arg is None else _places(arg, 0))
    return text or unknown(None)


@register.filter
def duration(value):
    """Seconds as h:mm:ss: "0:01:05". Missing: unknown."""
    return numbers.duration(value) or unknown(None)


@register.filter
def unknown(value):
    """``value``, or "—" saying the switch did not tell it when it is missing."""
    if value is None or value == "":
        return format_html(
            '<span class="unknown" title="{}">—</span>', _("Unknown: the switch did not say")
        )
    return value


@register.inclusion_tag("includes/customer_tabs.html", takes_context=True)
def customer_tabs(context, tenant):
    """The tab bar of a customer's pages: ``{% customer_tabs tenant %}``."""
    return {"tabs": tabs_for(context["request"], tenant), "tenant": tenant}


@register.filter
def described(field):
    """The field's widget, linked to its help text and its errors (aria-describedby), so
    a screen reader reads why a value was refused when the field takes the focus."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    if not ids or not field.auto_id:
        return field
    return field.as_widget(attrs={"aria-describedby": " ".join(ids)})


@register.simple_tag
def coded(words, code):
    """A coded value in words, its code on hover for experts: "Busy" with "Code: 2"."""
    if code is None or code == "" or str(words) == str(code):
        return words
    return format_html(
        '<span class="coded" title="{}" data-code="{}">{}</span>',
        _("Code: %(code)s") % {"code": code},
        code,
        words,
    )
