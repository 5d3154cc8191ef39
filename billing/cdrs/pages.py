"""The CDR pages: their access policies, the "Calls" entry of the navigation for every
role, the CDR pulls console and the "Calls" tab on an account's pages (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER, Action
from web.pages import CALLS_MENU, OBJECT, OPERATIONS, PLATFORM, SIGNED_IN, Nav, Page, Tab


def _has_account(scope, tenant) -> bool:
    return tenant.kind != "platform" and scope.can(Action.VIEW)


PAGES: list[Page] = [
    # Everyone searches the CDRs of its own scope (billing.cdrs.selectors.visible_cdrs).
    Page(
        "cdr_search",
        SIGNED_IN,
        nav=Nav(_("Calls"), order=100, roles={ADMIN, RESELLER, CUSTOMER}, group=CALLS_MENU),
    ),
    Page(
        "cdr_account_calls",
        OBJECT,
        "tenant",
        tab=Tab(_("Calls"), order=100, allowed=_has_account),
    ),
    Page("cdr_live", OBJECT, "tenant"),
    Page("cdr_export", SIGNED_IN),
    # Exports are private to their requester (billing.cdrs.selectors.cdr_export_or_404).
    Page("cdr_export_status", OBJECT, "cdr_export"),
    Page("cdr_export_download", OBJECT, "cdr_export"),
    Page(
        "cdr_pulls",
        PLATFORM,
        nav=Nav(_("CDR pulls"), order=110, roles={ADMIN}, group=OPERATIONS),
    ),
    Page("cdr_pull_now", PLATFORM),
    Page("cdr_pull_retry", PLATFORM),
]
