"""This app's pages: their access policies (see web.pages), navigation
entries and tabs on a customer's pages (see web.context_processors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, RESELLER
from web.pages import (
    OBJECT,
    SIGNED_IN,
)

POLICIES: dict = {
    # Customers are sent to their own account's page; resellers see their subtree.
    "customer_list": (SIGNED_IN, None),
    "customer_create": (SIGNED_IN, None),
    # Sub-resellers have pages too: "tenant" is any customer or reseller account.
    "customer_detail": (OBJECT, "tenant"),
    # Changes are made from above: an own account is refused (404) to customer roles.
    "customer_edit": (OBJECT, "tenant"),
    "customer_lock": (OBJECT, "tenant"),
    "customer_valid_time": (OBJECT, "tenant"),
    "customer_delete": (OBJECT, "tenant"),
}


# (url name, label, role families that see it), as in vosportal.context_processors.
NAV_ITEMS: list = [
    ("customer_list", _("Customers"), {ADMIN, RESELLER}),
]


# (url name, label, action the scope must allow).
NAV_ITEMS_BY_ACTION: list = []


# (url name taking ``tenant_id``, label, predicate(scope, tenant) -> bool).
CUSTOMER_TABS: list = [
    ("customer_detail", _("Overview"), lambda scope, tenant: True),
]
