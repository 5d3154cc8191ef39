"""A customer's phone book: its policies and its tab (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from web.pages import OBJECT, Page, Tab, on_customer_accounts

PAGES: list[Page] = [
    Page(
        "customer_phonebook",
        OBJECT,
        "customer",
        tab=Tab(_("Phone book"), order=70, allowed=on_customer_accounts),
    ),
    Page("customer_phonebook_edit", OBJECT, "phone_book_entry"),
    Page("customer_phonebook_delete", OBJECT, "phone_book_entry"),
]
