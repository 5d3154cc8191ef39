"""A customer's payments and consumption: their policies and tabs (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from web.pages import OBJECT, Page, Tab, on_customer_accounts

PAGES: list[Page] = [
    Page(
        "customer_payments",
        OBJECT,
        "customer",
        tab=Tab(_("Payments"), order=40, allowed=on_customer_accounts),
    ),
    Page(
        "customer_consumption",
        OBJECT,
        "customer",
        tab=Tab(_("Consumption"), order=50, allowed=on_customer_accounts),
    ),
]
