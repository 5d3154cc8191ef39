"""The money pages: their access policies, navigation entries and the "Money" tab on an
account's pages (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER, Action
from web.pages import MONEY_MENU, OBJECT, PLATFORM, PUBLIC, SIGNED_IN, Nav, Page, Tab


def _has_account(scope, tenant) -> bool:
    return tenant.kind != "platform" and scope.can(Action.VIEW)


PAGES: list[Page] = [
    Page("money_account", OBJECT, "tenant", tab=Tab(_("Money"), order=90, allowed=_has_account)),
    # Top-ups go to accounts below one's own: a customer's own account is refused (404).
    Page("money_topup", OBJECT, "tenant"),
    # Taking money back, like a top-up, only from above (a customer's own: 404).
    Page("money_take_back", OBJECT, "tenant"),
    Page("money_adjust", PLATFORM),
    Page("money_pin_topup", OBJECT, "tenant"),
    Page("money_my_pin_topup", SIGNED_IN, nav=Nav(_("Top up"), order=55, roles={CUSTOMER})),
    Page(
        "money_ledger",
        SIGNED_IN,
        nav=Nav(_("Ledger"), order=90, roles={ADMIN, RESELLER}, group=MONEY_MENU),
    ),
    Page("money_transfer", OBJECT, "money_transfer"),
    # The transfer page's own state, polled by its fragment: scoped like the page.
    Page("money_transfer_status", OBJECT, "money_transfer"),
    # A successful top-up's receipt: its account's people, the providers above, admins.
    Page("money_receipt", OBJECT, "money_receipt"),
    Page("money_review_queue", PLATFORM),
    Page("money_reconcile_all", PLATFORM),
    Page("money_settings", PLATFORM),
    Page("money_reconcile", PLATFORM),
    Page("money_resolve", PLATFORM),
    # Authenticated by the token in its URL (VOS cannot sign in); unknown token -> 404.
    Page("vos_push_customer_money_change", PUBLIC),
]
