"""Platform console: fee rate groups, suites, phone cards, CDR injection, callee reservations.
Access policies of this area's URLs (see web.pages), navigation entries
(see web.context_processors) and tabs on an account's pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN
from web.pages import PLATFORM

# Admins only (auditors read, change nothing); everyone else gets a 404.
POLICIES: dict = {
    "billing_console": (PLATFORM, None),
    "console_fee_rate_groups": (PLATFORM, None),
    "console_fee_rate_group_edit": (PLATFORM, None),
    "console_fee_rate_group_delete": (PLATFORM, None),
    "console_suites": (PLATFORM, None),
    "console_suite_delete": (PLATFORM, None),
    "console_phone_card": (PLATFORM, None),
    "console_cdr_create": (PLATFORM, None),
    "console_reserve_callee": (PLATFORM, None),
}


# One entry for the whole console: its index page links to each part.
NAV_ITEMS: list = [
    ("billing_console", _("Billing console"), {ADMIN}),
]


NAV_ITEMS_BY_ACTION: list = []


CUSTOMER_TABS: list = []
