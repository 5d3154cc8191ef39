"""The CDR pages: their access policies (see web.pages), the "Calls" entry
of the navigation for every role, and the "Calls" tab on an account's pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER, Action
from web.pages import OBJECT, PLATFORM, SIGNED_IN

POLICIES: dict = {
    # Everyone searches the CDRs of its own scope (billing.cdrs.selectors.visible_cdrs).
    "cdr_search": (SIGNED_IN, None),
    "cdr_account_calls": (OBJECT, "tenant"),
    "cdr_live": (OBJECT, "tenant"),
    "cdr_export": (SIGNED_IN, None),
    # Exports are private to their requester (billing.cdrs.selectors.cdr_export_or_404).
    "cdr_export_status": (OBJECT, "cdr_export"),
    "cdr_export_download": (OBJECT, "cdr_export"),
    "cdr_pulls": (PLATFORM, None),
    "cdr_pull_now": (PLATFORM, None),
    "cdr_pull_retry": (PLATFORM, None),
}


NAV_ITEMS: list = [
    ("cdr_search", _("Calls"), {ADMIN, RESELLER, CUSTOMER}),
    ("cdr_pulls", _("CDR pulls"), {ADMIN}),
]


NAV_ITEMS_BY_ACTION: list = []


def _has_account(scope, tenant) -> bool:
    return tenant.kind != "platform" and scope.can(Action.VIEW)


CUSTOMER_TABS: list = [
    ("cdr_account_calls", _("Calls"), _has_account),
]
