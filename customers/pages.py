"""Customers, tenants and view-as: their access policies, navigation entries and the
"Overview" tab on an account's pages (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, RESELLER
from web.pages import CUSTOMERS_MENU, OBJECT, PLATFORM, SIGNED_IN, Nav, Page, Tab

PAGES: list[Page] = [
    # Customers are sent to their own account's page; resellers see their subtree.
    Page(
        "customer_list",
        SIGNED_IN,
        nav=Nav(_("Customers"), order=20, roles={ADMIN, RESELLER}, group=CUSTOMERS_MENU),
    ),
    Page("customer_create", SIGNED_IN),
    # Sub-resellers have pages too: "tenant" is any customer or reseller account.
    Page("customer_detail", OBJECT, "tenant", tab=Tab(_("Overview"), order=10)),
    # Changes are made from above: an own account is refused (404) to customer roles.
    Page("customer_edit", OBJECT, "tenant"),
    Page("customer_lock", OBJECT, "tenant"),
    Page("customer_valid_time", OBJECT, "tenant"),
    Page("customer_delete", OBJECT, "tenant"),
    # The tenant tree, and binding an existing VOS account to a new tenant.
    Page(
        "tenant_list",
        SIGNED_IN,
        nav=Nav(_("Account tree"), order=25, roles={ADMIN, RESELLER}, group=CUSTOMERS_MENU),
    ),
    Page("tenant_detail", OBJECT, "tenant"),
    Page("tenant_link", PLATFORM),
    Page("view_as_start", OBJECT, "user"),
    Page("view_as_stop", SIGNED_IN),
]
