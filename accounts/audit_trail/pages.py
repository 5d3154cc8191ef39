"""The audit trail: its access policies and navigation entry (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import CUSTOMER, RESELLER, Action
from web.pages import OBJECT, PLATFORM, SETTINGS_MENU, SIGNED_IN, Nav, Page

PAGES: list[Page] = [
    # The list is filtered by the scope (404 without the audit right).
    Page(
        "audit_list",
        SIGNED_IN,
        nav=Nav(
            _("Audit"),
            order=920,
            action=Action.VIEW_AUDIT,
            # The platform's own entry; everyone else finds it with their settings.
            group={RESELLER: SETTINGS_MENU, CUSTOMER: SETTINGS_MENU},
        ),
    ),
    Page("audit_detail", OBJECT, "audit_event"),
    # Checking the hash chain: the platform's (admins and auditors; it only reads).
    Page("audit_verify", PLATFORM),
    Page("audit_export", SIGNED_IN),
    Page("audit_export_status", OBJECT, "audit_export"),
    Page("audit_export_download", OBJECT, "audit_export"),
]
