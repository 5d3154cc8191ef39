"""Rates, suites and a customer's payments, consumption, phone book and tools: their
access policies, navigation entries and tabs on a customer's pages (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER
from web.pages import OBJECT, SIGNED_IN, Nav, Page, Tab


def _is_customer(scope, tenant) -> bool:
    return tenant.kind == "customer"


PAGES: list[Page] = [
    # What each user sees is narrowed by the scope: all groups for the platform, a
    # reseller's grants, a customer's own group.
    Page(
        "rate_list",
        SIGNED_IN,
        nav=Nav(_("Rates"), order=60, roles={ADMIN, RESELLER, CUSTOMER}),
    ),
    Page("rate_detail", OBJECT, "fee_rate_group"),
    Page("rate_export", OBJECT, "fee_rate_group"),
    Page("rate_grants", OBJECT, "reseller_tenant"),
    # Customers are sent to their own suites page.
    Page("suite_list", SIGNED_IN, nav=Nav(_("Suites"), order=70, roles={ADMIN, RESELLER})),
    Page(
        "customer_suites",
        OBJECT,
        "customer",
        tab=Tab(_("Suites"), order=60, allowed=_is_customer),
    ),
    Page("customer_suite_end", OBJECT, "customer"),
    Page("customer_suite_order_change", OBJECT, "customer"),
    Page(
        "customer_phonebook",
        OBJECT,
        "customer",
        tab=Tab(_("Phone book"), order=70, allowed=_is_customer),
    ),
    Page("customer_phonebook_edit", OBJECT, "phone_book_entry"),
    Page("customer_phonebook_delete", OBJECT, "phone_book_entry"),
    Page(
        "customer_tools",
        OBJECT,
        "customer",
        tab=Tab(_("Tools"), order=80, allowed=_is_customer),
    ),
    Page("customer_click_to_call", OBJECT, "customer"),
    Page(
        "customer_payments",
        OBJECT,
        "customer",
        tab=Tab(_("Payments"), order=40, allowed=_is_customer),
    ),
    Page(
        "customer_consumption",
        OBJECT,
        "customer",
        tab=Tab(_("Consumption"), order=50, allowed=_is_customer),
    ),
]
