"""The money pages: their access policies (see web.pages), navigation and
the "Money" tab on an account's pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER, Action
from web.pages import OBJECT, PLATFORM, PUBLIC, SIGNED_IN

POLICIES: dict = {
    "money_account": (OBJECT, "tenant"),
    # Top-ups go to accounts below one's own: a customer's own account is refused (404).
    "money_topup": (OBJECT, "tenant"),
    "money_adjust": (PLATFORM, None),
    "money_pin_topup": (OBJECT, "tenant"),
    "money_my_pin_topup": (SIGNED_IN, None),
    "money_ledger": (SIGNED_IN, None),
    "money_transfer": (OBJECT, "money_transfer"),
    "money_review_queue": (PLATFORM, None),
    "money_reconcile_all": (PLATFORM, None),
    "money_settings": (PLATFORM, None),
    "money_reconcile": (PLATFORM, None),
    "money_resolve": (PLATFORM, None),
    # Authenticated by the token in its URL (VOS cannot sign in); unknown token -> 404.
    "vos_push_customer_money_change": (PUBLIC, None),
}


NAV_ITEMS: list = [
    ("money_my_pin_topup", _("Top up"), {CUSTOMER}),
    ("money_ledger", _("Ledger"), {ADMIN, RESELLER}),
]


NAV_ITEMS_BY_ACTION: list = []


def _has_account(scope, tenant) -> bool:
    return tenant.kind != "platform" and scope.can(Action.VIEW)


CUSTOMER_TABS: list = [
    ("money_account", _("Money"), _has_account),
]
