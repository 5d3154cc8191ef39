"""Bulk imports and bulk actions: their access policies and the "Import" entry of the
Customers menu (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, RESELLER
from web.pages import CUSTOMERS_MENU, OBJECT, SIGNED_IN, Nav, Page

PAGES: list[Page] = [
    # Resellers and admins import into their own subtree; customers are sent home.
    Page(
        "bulk_import_start",
        SIGNED_IN,
        nav=Nav(_("Import"), order=22, roles={ADMIN, RESELLER}, group=CUSTOMERS_MENU),
    ),
    Page("bulk_import_template", SIGNED_IN),
    # Imports and actions are private to the person who started them
    # (customers.bulk.selectors).
    Page("bulk_import_detail", OBJECT, "bulk_import"),
    Page("bulk_import_confirm", OBJECT, "bulk_import"),
    Page("bulk_import_retry", OBJECT, "bulk_import"),
    Page("bulk_import_download", OBJECT, "bulk_import"),
    Page("bulk_action_start", SIGNED_IN),
    Page("bulk_action_detail", OBJECT, "bulk_action"),
    Page("bulk_action_download", OBJECT, "bulk_action"),
]
