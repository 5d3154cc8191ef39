"""Template helpers used across the portal."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

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


@register.filter
def money(value):
    """An amount with two decimals; a missing one (VOS left the field out, or it could
    not be read) as "—" saying it is unknown, never as 0."""
    if value is not None and value != "":
        try:
            return f"{Decimal(str(value)):.2f}"
        except (InvalidOperation, ValueError):
            pass
    return unknown(value)


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
