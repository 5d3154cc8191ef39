"""Platform console: fee rate groups, suites, phone cards, CDR injection, callee
reservations. Access policies and the navigation entry of this area's pages (see
web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN
from web.pages import OPERATIONS, PLATFORM, Nav, Page

# Admins only (auditors read, change nothing); everyone else gets a 404.
PAGES: list[Page] = [
    # One entry for the whole console: its index page links to each part.
    Page(
        "billing_console",
        PLATFORM,
        nav=Nav(_("Billing console"), order=210, roles={ADMIN}, group=OPERATIONS),
    ),
    Page("console_fee_rate_groups", PLATFORM),
    Page("console_fee_rate_group_edit", PLATFORM),
    Page("console_fee_rate_group_delete", PLATFORM),
    Page("console_suites", PLATFORM),
    Page("console_suite_delete", PLATFORM),
    Page("console_phone_card", PLATFORM),
    Page("console_cdr_create", PLATFORM),
    Page("console_reserve_callee", PLATFORM),
]
