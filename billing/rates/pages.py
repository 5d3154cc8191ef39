"""This app's pages: their access policies (see web.pages), navigation
entries and tabs on a customer's pages (see web.context_processors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER
from web.pages import (
    OBJECT,
    SIGNED_IN,
)

POLICIES: dict = {
    # What each user sees is narrowed by the scope: all groups for the platform, a
    # reseller's grants, a customer's own group.
    "rate_list": (SIGNED_IN, None),
    "rate_detail": (OBJECT, "fee_rate_group"),
    "rate_export": (OBJECT, "fee_rate_group"),
    "rate_grants": (OBJECT, "reseller_tenant"),
    # Customers are sent to their own suites page.
    "suite_list": (SIGNED_IN, None),
    "customer_suites": (OBJECT, "customer"),
    "customer_suite_end": (OBJECT, "customer"),
    "customer_suite_order_change": (OBJECT, "customer"),
    "customer_phonebook": (OBJECT, "customer"),
    "customer_phonebook_edit": (OBJECT, "phone_book_entry"),
    "customer_phonebook_delete": (OBJECT, "phone_book_entry"),
    "customer_tools": (OBJECT, "customer"),
    "customer_click_to_call": (OBJECT, "customer"),
    "customer_payments": (OBJECT, "customer"),
    "customer_consumption": (OBJECT, "customer"),
}


# (url name, label, role families that see it), as in vosportal.context_processors.
NAV_ITEMS: list = [
    ("rate_list", _("Rates"), {ADMIN, RESELLER, CUSTOMER}),
    ("suite_list", _("Suites"), {ADMIN, RESELLER}),
]


# (url name, label, action the scope must allow).
NAV_ITEMS_BY_ACTION: list = []


def _is_customer(scope, tenant) -> bool:
    return tenant.kind == "customer"


# (url name taking ``tenant_id``, label, predicate(scope, tenant) -> bool).
CUSTOMER_TABS: list = [
    ("customer_payments", _("Payments"), _is_customer),
    ("customer_consumption", _("Consumption"), _is_customer),
    ("customer_suites", _("Suites"), _is_customer),
    ("customer_phonebook", _("Phone book"), _is_customer),
    ("customer_tools", _("Tools"), _is_customer),
]
