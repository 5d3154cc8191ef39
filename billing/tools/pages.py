"""A customer's tools: their policies and the tab (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from web.pages import OBJECT, Page, Tab, on_customer_accounts

PAGES: list[Page] = [
    Page(
        "customer_tools",
        OBJECT,
        "customer",
        tab=Tab(_("Tools"), order=80, allowed=on_customer_accounts),
    ),
    Page("customer_click_to_call", OBJECT, "customer"),
]
